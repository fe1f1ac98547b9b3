import CVisionIPC
import CameraView
import Glibc

/// One request on a VisionIPC server's control socket, from connect to the end of its
/// answer, never blocking: each step is taken when the socket is ready.
///
/// openpilot's server takes one connection at a time and asserts that it brings a whole
/// request and takes the whole answer (`visionipc_server.cc`: a connection closed early
/// aborts the server, which on a comma device is camerad). So an exchange is never left
/// half done: it is either never started (no server, or one whose backlog is full: nothing
/// was sent), or carried to its end: by its requester while it waits, and after that, when
/// the requester stops waiting (a deadline, a closed view), by `LateAnswers`, whenever the
/// server answers or goes away. A process has at most one exchange outstanding per server:
/// a stalled server is not sent more requests.
final class ControlExchange: @unchecked Sendable {
    enum Start {
        case started(ControlExchange)
        /// No server: no socket file, or one its killed server left (nothing was sent).
        case absent
        /// A server that takes no connection now (its backlog is full), or one this
        /// process is still waiting on: nothing was sent.
        case busy
    }

    enum Outcome {
        case waiting
        /// The answer; its fds are owned by `objects`, which the taker adopts or releases.
        case answered(ReceivedMessage)
        /// The server closed the connection without an answer (an unknown stream).
        case closedWithoutAnswer
        /// The exchange broke (the server went away mid-answer, a socket error).
        case failed(CameraViewError)
    }

    /// The sockets and received fds of every exchange (an exchange can outlive the source
    /// that started it, so they are not recorded in the source's table).
    static let table = HandleTable(owner: "VisionIPC control exchanges")
    /// Per control socket path: the exchange under way, and when a server whose backlog was
    /// full is dialled again (every waiting loop polls: the server is not dialled each time).
    private struct Servers {
        var outstanding: [String: ControlExchange] = [:]
        var backlogFullUntil: [String: ContinuousClock.Instant] = [:]
    }
    private static let servers = Locked(Servers())
    static let backlogRetry = Duration.milliseconds(10)

    private enum Step {
        case connecting
        case sending
        case receiving
        case finished
    }
    private struct State {
        var step = Step.connecting
        var socket: OwnerBox<FDKind>?
        /// The outcome not yet taken by the requester.
        var outcome: Outcome?
    }

    let path: String
    private let request: [UInt8]
    private let capacity: Int
    private let maximumFDs: Int
    private let state = Locked(State())
    /// Set once the exchange ended (a leaf lock, taken under `servers`').
    private let ended = Locked(false)

    private init(path: String, request: UInt32, capacity: Int, maximumFDs: Int) {
        (self.path, self.request, self.capacity, self.maximumFDs) = (path, VisionIPCRequest.bytes(request), capacity, maximumFDs)
    }

    /// Connects to `endpoint`'s control socket and sends `request` (when the socket takes
    /// it now), or says why nothing was sent. An answer of more than `capacity` bytes or
    /// `maximumFDs` fds is truncated (and reported so).
    static func start(_ request: UInt32, endpoint: VisionIPCEndpoint, capacity: Int, maximumFDs: Int) throws -> Start {
        let path = endpoint.controlSocketPath
        return try servers.withLock { servers in
            servers.outstanding = servers.outstanding.filter { !$0.value.ended.withLock { $0 } }
            if servers.outstanding[path] != nil { return .busy }
            if let until = servers.backlogFullUntil[path], ContinuousClock.now < until { return .busy }
            servers.backlogFullUntil[path] = nil
            let socket: OwnedFD
            do {
                socket = try table.create(.seqpacketConnection(to: path))
            } catch CameraViewError.io(_, _, let code) where code == ENOENT || code == ECONNREFUSED {
                return .absent
            } catch CameraViewError.io(_, _, let code) where code == EAGAIN {
                servers.backlogFullUntil[path] = .now + backlogRetry
                return .busy
            }
            let exchange = ControlExchange(path: path, request: request, capacity: capacity, maximumFDs: maximumFDs)
            let box = OwnerBox(socket)
            // The outcome stays for the requester.
            exchange.state.withLock { state in
                state.socket = box
                exchange.progress(&state, waitingMilliseconds: 0)
            }
            servers.outstanding[path] = exchange
            return .started(exchange)
        }
    }

    /// Takes the exchange as far as it can go within `waitingMilliseconds` (0: only what is
    /// ready now). The outcome is handed out once; `waiting` until then.
    func advance(waitingMilliseconds: Int32) -> Outcome {
        state.withLock { state in
            progress(&state, waitingMilliseconds: waitingMilliseconds)
            guard let outcome = state.outcome else { return .waiting }
            state.outcome = nil
            return outcome
        }
    }

    /// Takes the steps the socket is ready for, waiting at most `waitingMilliseconds` for each.
    private func progress(_ state: inout State, waitingMilliseconds: Int32) {
        while state.outcome == nil, state.step != .finished, let socket = state.socket?.raw {
            let events = state.step == .receiving ? POLLIN : POLLOUT
            var poller = pollfd(fd: socket, events: Int16(events), revents: 0)
            var ready: Int32
            repeat { ready = poll(&poller, 1, waitingMilliseconds) } while ready < 0 && errno == EINTR
            guard ready > 0 else {
                if ready < 0 { finish(&state, .failed(.io(operation: "poll", path: path, errno: errno))) }
                break
            }
            do {
                try step(&state, socket: socket)
            } catch let error as CameraViewError {
                finish(&state, .failed(error))
            } catch {
                finish(&state, .failed(.io(operation: "VisionIPC request", path: path, errno: EIO)))
            }
        }
    }

    /// Advances until the outcome comes or `deadline` passes (then `waiting`).
    func answer(by deadline: ContinuousClock.Instant) -> Outcome {
        while true {
            let outcome = advance(waitingMilliseconds: Self.milliseconds(until: deadline))
            if case .waiting = outcome, ContinuousClock.now < deadline { continue }
            return outcome
        }
    }

    /// Whole milliseconds (rounded up) from now to `deadline`, for poll(); 0 once past it.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let (seconds, attoseconds) = (deadline - .now).components
        guard seconds >= 0, seconds > 0 || attoseconds > 0 else { return 0 }
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
    }

    private func step(_ state: inout State, socket: Int32) throws {
        switch state.step {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else {
                throw CameraViewError.io(operation: "connect", path: path, errno: errno)
            }
            guard error == 0 else { throw CameraViewError.io(operation: "connect", path: path, errno: error) }
            state.step = .sending
        case .sending:
            if try sendMessage(request, on: socket, what: path) { state.step = .receiving }
        case .receiving:
            let answer = try receiveMessage(on: socket, capacity: capacity, maximumFDs: maximumFDs, table: Self.table, what: path)
            if answer.bytes.isEmpty && answer.fds.isEmpty {
                answer.objects.release(in: .contextLost)
                finish(&state, .closedWithoutAnswer)
            } else {
                finish(&state, .answered(answer))
            }
        case .finished:
            break
        }
    }

    private func finish(_ state: inout State, _ outcome: Outcome) {
        state.socket?.release()
        state.socket = nil
        (state.step, state.outcome) = (.finished, outcome)
        ended.withLock { $0 = true }
    }

    /// The requester stops waiting: an exchange still under way is carried to its end by
    /// `LateAnswers`; an answer nobody took is released.
    func abandon() {
        let underway = state.withLock { state in
            if case .answered(let answer) = state.outcome { answer.objects.release(in: .contextLost) }
            state.outcome = nil
            return state.step != .finished
        }
        if underway { LateAnswers.carry(self) }
    }

    /// For `LateAnswers`: advances without waiting and releases whatever arrived. True
    /// once the exchange ended.
    fileprivate func finishQuietly() -> Bool {
        if case .answered(let answer) = advance(waitingMilliseconds: 0) { answer.objects.release(in: .contextLost) }
        return ended.withLock { $0 }
    }
}

/// Exchanges whose requesters stopped waiting, carried to their end on a thread of their
/// own (started when there is one, gone when none is left): the answer read whenever the
/// server sends it, its fds closed, the socket closed after it.
enum LateAnswers {
    private struct State {
        var exchanges: [ControlExchange] = []
        var running = false
    }
    private static let state = Locked(State())

    /// How many exchanges wait for their answers now.
    static var count: Int { state.withLock { $0.exchanges.count } }

    static func carry(_ exchange: ControlExchange) {
        let start = state.withLock { state in
            state.exchanges.append(exchange)
            defer { state.running = true }
            return !state.running
        }
        if start { startThread() }
    }

    private static func run() {
        while true {
            let exchanges = state.withLock { $0.exchanges }
            let ended = Set(exchanges.filter { $0.finishQuietly() }.map(ObjectIdentifier.init))
            let left = state.withLock { state in
                state.exchanges.removeAll { ended.contains(ObjectIdentifier($0)) }
                if state.exchanges.isEmpty { state.running = false }
                return state.exchanges.count
            }
            guard left > 0 else { return }
            var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
            nanosleep(&pause, nil)
        }
    }

    private static func startThread() {
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            LateAnswers.run()
            return nil
        }, nil)
        if started == 0 {
            pthread_detach(thread)
        } else {
            // No thread: the exchanges wait for the next carry to try again.
            state.withLock { $0.running = false }
        }
    }
}
