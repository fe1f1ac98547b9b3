import CVisionIPC
import CameraView
import Glibc

/// One frame from a VisionIPC server, with what its packet said.
public struct VisionIPCFrame: Sendable {
    public let frame: Frame
    public let frameID: UInt32
    public let timestampSOF: UInt64
    public let timestampEOF: UInt64
    public let bufferIndex: Int
    /// The server's own flag (camerad clears it for frames it knows are bad).
    public let valid: Bool
    public var size: PixelSize { frame.size }

    /// The frame as every source gives it.
    public var streamFrame: StreamFrame {
        StreamFrame(bufferIndex: bufferIndex, frameID: UInt64(frameID), timestampNanoseconds: timestampSOF,
                    endTimestampNanoseconds: timestampEOF, valid: valid, frame: frame)
    }
}

/// A client of an openpilot VisionIPC server (camerad, or replay on a PC): one stream's
/// buffers (shm files on a PC, uploaded straight from their mappings; dma-bufs on a comma
/// device, imported zero-copy) and its msgq queue of frame notifications, read conflated
/// to the newest frame. A restarted server (a new server id, or a new queue writer) is
/// noticed and reconnected to, after every object made from the old buffers is released;
/// a lost one (silence, and a control socket that refuses or a server that does not
/// answer) ends the shown frame.
///
/// Never blocked by its server: every request is taken a step at a time as its socket is
/// ready (`ControlExchange`), so `connect(timeout:)` and `nextFrame(timeout:)` return
/// within their timeouts whatever the server does, and a request the server answers late
/// is still read to its end (openpilot's server aborts on a half-finished one). What the
/// server sends is checked where it is parsed; what breaks the protocol is thrown as
/// `CameraViewError.peer`. Every fd, mapping and guard is an owner in `handles` (the
/// queue's in `MsgqQueues`, the control sockets' in `ControlExchange.table`).
public final class VisionIPCSource: FrameSource {
    public let endpoint: VisionIPCEndpoint
    public let stream: VisionStreamType
    public var name: String { "\(endpoint.server):\(stream)" }
    /// Every object of the source's connections.
    package let handles: HandleTable
    /// How long silence lasts before the server is asked whether it is still there.
    package let silenceBeforeProbe: Duration
    /// How long `connect()` waits for the server's answer (a live server answers in well
    /// under a millisecond); the answer is still taken later when it comes.
    public static let connectTimeout = Duration.milliseconds(100)
    /// How long a server has to answer the liveness probe before it counts as lost.
    public static let probeTimeout = Duration.seconds(1)
    /// How long `availableStreams` waits for the server's answers.
    public static let listTimeout = Duration.seconds(1)

    package struct Statistics: Sendable, Equatable {
        /// Frames delivered, older ones skipped for them (conflate), frames the server
        /// rewrote while they were read, and buffers it truncated while mapped.
        package var delivered = 0
        package var skipped = 0
        package var torn = 0
        package var truncated = 0
        /// Connections made, restarts seen (new server id or queue writer), servers lost,
        /// times another reader's registration evicted this process's queue slot, and
        /// registrations that found the queue full (and waited, evicting no one).
        package var connections = 0
        package var restarts = 0
        package var losses = 0
        package var evictions = 0
        package var slotRefusals = 0
        /// Connected, but without a reader slot now: the queue is full, no frames come.
        package var noSlot = false
    }

    private struct Probe {
        var exchange: ControlExchange?
        let since: ContinuousClock.Instant
    }
    private struct State {
        var connection: Connection?
        /// The stream request under way: its answer makes the connection.
        var connecting: ControlExchange?
        /// The liveness probe under way.
        var probe: Probe?
        var isClosed = false
        var counts = Statistics()
        var failure: CameraViewError?
        var lastSequence: UInt64 = 0
        var lastActivity = ContinuousClock.now
        var lastProbe = ContinuousClock.now
        /// No new request before this, after one failed.
        var nextAttempt = ContinuousClock.now
    }
    private let state: Locked<State>
    /// Shared with the frames' checks (not the source itself: a frame never keeps its source).
    private let damage = Locked(Damage())
    struct Damage {
        var torn = 0
        var truncated = 0
    }

    /// A source of `stream` on `server`; nothing is opened until `connect()`.
    public convenience init(server: String, stream: VisionStreamType, prefix: String? = nil) {
        self.init(endpoint: VisionIPCEndpoint(server: server, prefix: prefix), stream: stream, silenceBeforeProbe: .milliseconds(500))
    }

    package init(endpoint: VisionIPCEndpoint, stream: VisionStreamType, silenceBeforeProbe: Duration) {
        (self.endpoint, self.stream, self.silenceBeforeProbe) = (endpoint, stream, silenceBeforeProbe)
        handles = HandleTable(owner: "VisionIPCSource(\(endpoint.server):\(stream))")
        state = Locked(State())
    }

    /// Connects within `connectTimeout` (nothing if connected).
    public func connect() throws { try connect(timeout: Self.connectTimeout) }

    /// Asks the server for the stream's buffers and opens its queue, waiting at most
    /// `timeout` for the answer (nothing if connected). Throws `sourceUnavailable` while the
    /// server or the stream is absent or the server has not answered (`lastFailure` says
    /// which; an answer that comes later is taken by the next call), `peer` when its
    /// answer breaks the protocol.
    public func connect(timeout: Duration) throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let connected = try state.withLock { state in
                guard !state.isClosed else { throw CameraViewError.closed }
                return try advanceConnection(&state, waitingMilliseconds: min(ControlExchange.milliseconds(until: deadline), 10))
            }
            if connected { return }
            guard clock.now < deadline else { throw CameraViewError.sourceUnavailable(name: name) }
            waitBriefly()
        }
    }

    public var isConnected: Bool { state.withLock { $0.connection != nil } }

    /// The newest frame not yet received, or nil. Throws `sourceUnavailable` when the
    /// server went away (connect again to resume), `peer` when its queue broke the protocol.
    public func receive() throws -> StreamFrame? {
        try receiveFrame()?.streamFrame
    }

    /// The newest frame not yet received, with its packet's fields.
    public func receiveFrame() throws -> VisionIPCFrame? {
        try state.withLock { state in try receiveLocked(&state) }
    }

    /// Waits up to `timeout` for a frame, connecting (a request every `retryInterval`) while
    /// the server is absent, as openpilot's UI does; nil when none came. Returns within
    /// `timeout` (and a few hundred microseconds) whatever the server does. Throws `peer`
    /// when the server's answer or queue broke the protocol (the connection is dropped and
    /// tried again after `retryInterval`).
    public func nextFrame(timeout: Duration, retryInterval: Duration = .milliseconds(200)) throws -> VisionIPCFrame? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let frame: VisionIPCFrame? = try state.withLock { state in
                guard !state.isClosed else { throw CameraViewError.closed }
                if state.connection == nil {
                    guard state.connecting != nil || clock.now >= state.nextAttempt else { return nil }
                    do {
                        // Busy, or not answered yet: a live server answers within a poll or two.
                        guard try advanceConnection(&state, waitingMilliseconds: 0) else { return nil }
                    } catch {
                        state.nextAttempt = clock.now + retryInterval
                        if case CameraViewError.sourceUnavailable = error { return nil }
                        throw error
                    }
                }
                do {
                    return try receiveLocked(&state)
                } catch CameraViewError.sourceUnavailable {
                    return nil
                } catch {
                    state.nextAttempt = clock.now + retryInterval
                    throw error
                }
            }
            if let frame { return frame }
            guard clock.now < deadline else { return nil }
            waitBriefly()
        }
    }

    /// `nextFrame` as every source waits.
    public func waitForFrame(timeout: Duration) throws -> StreamFrame? {
        try nextFrame(timeout: timeout)?.streamFrame
    }

    /// Releases the connection (ending its frames). Idempotent.
    public func disconnect() {
        state.withLock { state in drop(&state) }
    }

    /// Disconnects for good. Returns what the table had to sweep (nothing in a correct run).
    @discardableResult
    public func close() -> CloseReport {
        state.withLock { state in
            guard !state.isClosed else { return .clean }
            state.isClosed = true
            drop(&state)
            let swept = handles.close(in: .contextLost)
            return CloseReport(swept: swept.swept, failedDeletions: handles.failedDeletions)
        }
    }

    package var statistics: Statistics {
        let damage = damage.withLock { $0 }
        return state.withLock { state in
            var counts = state.counts
            (counts.torn, counts.truncated) = (damage.torn, damage.truncated)
            if let queue = state.connection?.queue {
                // The process's reader of the queue, shared by its sources, counts these.
                let queueCounts = queue.counters
                (counts.evictions, counts.slotRefusals, counts.noSlot) = (queueCounts.evictions, queueCounts.slotRefusals, !queue.holdsSlot)
            }
            return counts
        }
    }

    /// The reader slots the stream's queue has registered (every process's), while connected.
    package var queueReaderCount: Int? { state.withLock { $0.connection?.queue.readerCount } }

    /// Why the last connect or receive failed, if it did.
    public var lastFailure: CameraViewError? { state.withLock { $0.failure } }

    /// Bumped at each new connection: frames (and the views' objects made from them) of an
    /// older one are gone.
    public var generation: Int { state.withLock { $0.counts.connections } }

    /// The streams `server` serves (both list requests: 0xffffffff, then the older 4),
    /// waiting at most `timeout` for the answers. Throws `sourceUnavailable` when there is
    /// no server, `peer` when it does not answer in time or its answer breaks the protocol.
    public static func availableStreams(server: String, prefix: String? = nil, timeout: Duration = listTimeout) throws -> Set<VisionStreamType> {
        let endpoint = VisionIPCEndpoint(server: server, prefix: prefix)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        for request in [VisionIPCRequest.streamList, VisionIPCRequest.legacyStreamList] {
            var exchange: ControlExchange?
            while exchange == nil {
                switch try ControlExchange.start(request, endpoint: endpoint, capacity: VisionIPCRequest.listCapacity, maximumFDs: 1) {
                case .absent: throw CameraViewError.sourceUnavailable(name: endpoint.controlSocketPath)
                case .started(let started): exchange = started
                case .busy:
                    guard clock.now < deadline else {
                        throw CameraViewError.peer(server: server, problem: "takes no request within \(timeout) (its backlog is full, or an earlier request is unanswered)")
                    }
                    waitBriefly()
                }
            }
            let outcome = exchange!.answer(by: deadline)
            switch outcome {
            case .waiting:
                exchange!.abandon()
                throw CameraViewError.peer(server: server, problem: "does not answer a stream-list request within \(timeout)")
            case .closedWithoutAnswer:
                continue  // a server that knows the other request
            case .failed(let error):
                throw Self.unavailable(error, path: endpoint.controlSocketPath)
            case .answered(let answer):
                defer { answer.objects.release(in: .contextLost) }
                return try VisionIPCRequest.streams(in: answer, server: server)
            }
        }
        return []
    }

    deinit {
        if !state.withLock({ $0.isClosed }) {
            HandleTable.noteDroppedWithoutClose("VisionIPCSource(\(name))")
            close()
        }
    }

    // MARK: -

    /// Takes the stream request a step on: starts it (when none is under way) or takes its
    /// answer, when it came. True once connected.
    private func advanceConnection(_ state: inout State, waitingMilliseconds: Int32) throws -> Bool {
        guard state.connection == nil else { return true }
        if state.connecting == nil {
            let capacity = VisionIPCRequest.maximumBuffers * VisionBufferRecord.layouts.max()!
            switch try ControlExchange.start(stream.rawValue, endpoint: endpoint, capacity: capacity, maximumFDs: VisionIPCRequest.maximumBuffers) {
            case .absent:
                state.failure = .sourceUnavailable(name: endpoint.controlSocketPath)
                throw CameraViewError.sourceUnavailable(name: name)
            case .busy:
                state.failure = .peer(server: endpoint.server, problem: "takes no request now (its backlog is full, or an earlier request is unanswered)")
                return false
            case .started(let exchange):
                state.connecting = exchange
            }
        }
        switch state.connecting!.advance(waitingMilliseconds: waitingMilliseconds) {
        case .waiting:
            state.failure = .peer(server: endpoint.server, problem: "has not answered the request for stream \(stream) yet")
            return false
        case .closedWithoutAnswer:
            // An unknown stream: the server closes without a reply.
            state.connecting = nil
            state.failure = .sourceUnavailable(name: name)
            throw CameraViewError.sourceUnavailable(name: name)
        case .failed(let error):
            state.connecting = nil
            state.failure = error
            throw Self.unavailable(error, path: endpoint.controlSocketPath)
        case .answered(let answer):
            state.connecting = nil
            do {
                let connection = try Connection(answer: answer, endpoint: endpoint, stream: stream, table: handles, damage: damage)
                state.connection = connection
                state.counts.connections += 1
                state.failure = nil
                (state.lastActivity, state.lastProbe) = (.now, .now)
                // Only frames sent from now on: another source of this process may have read older ones.
                state.lastSequence = connection.queue.sequence
                return true
            } catch let error as CameraViewError {
                state.failure = error
                throw error
            }
        }
    }

    /// A broken exchange: a server gone mid-answer is not serving; anything else is thrown as is.
    private static func unavailable(_ error: CameraViewError, path: String) -> CameraViewError {
        if case .io(_, _, let code) = error, code == ECONNRESET || code == EPIPE { return .sourceUnavailable(name: path) }
        return error
    }

    private func drop(_ state: inout State) {
        state.connection?.release()
        state.connection = nil
        state.connecting?.abandon()
        state.connecting = nil
        state.probe?.exchange?.abandon()
        state.probe = nil
    }

    /// The server is gone, changed, stalled or broke the protocol: release everything of it,
    /// keep why in `failure`, and return the error a receive throws.
    private func lose(_ state: inout State, _ reason: CameraViewError, restarted: Bool) -> CameraViewError {
        if restarted { state.counts.restarts += 1 } else { state.counts.losses += 1 }
        drop(&state)
        state.failure = reason
        return .sourceUnavailable(name: name)
    }

    private func receiveLocked(_ state: inout State) throws -> VisionIPCFrame? {
        guard !state.isClosed else { throw CameraViewError.closed }
        guard let connection = state.connection else { throw CameraViewError.sourceUnavailable(name: name) }
        if connection.queue.faulted {
            throw lose(&state, .sourceUnavailable(name: endpoint.queuePath(stream)), restarted: true)
        }
        if connection.queue.writerEpoch != connection.writerEpoch {
            throw lose(&state, .sourceUnavailable(name: endpoint.queuePath(stream)), restarted: true)
        }
        let newest: (sequence: UInt64, bytes: [UInt8])?
        do {
            newest = try connection.queue.newest(after: state.lastSequence, server: endpoint.server)
        } catch let error as CameraViewError {
            // A queue that breaks msgq's rules: the server's error, for the caller to see.
            _ = lose(&state, error, restarted: false)
            throw error
        }
        guard let (sequence, bytes) = newest else {
            try checkAlive(&state, connection)
            return nil
        }
        state.lastSequence = sequence
        state.lastActivity = .now
        guard let packet = VisionIPCPacket(bytes), packet.serverID == connection.serverID,
              let index = Int(exactly: packet.index), index < connection.buffers.count else {
            // openpilot's client reads a foreign server id or index as a restarted server.
            throw lose(&state, .sourceUnavailable(name: name), restarted: true)
        }
        state.counts.delivered += 1
        state.counts.skipped = connection.queue.counters.skipped - connection.skippedAtStart
        return try connection.frame(packet: packet, index: index)
    }

    /// After `silenceBeforeProbe` without frames, asks the server (a stream-list request,
    /// which every server answers or closes without harm) whether it is still there,
    /// without waiting: the probe's answer is looked for at each later poll, and a server
    /// that gives none within `probeTimeout` is lost (the probe is still read to its end).
    private func checkAlive(_ state: inout State, _ connection: Connection) throws {
        let now = ContinuousClock.now
        if state.probe == nil {
            guard now - state.lastActivity >= silenceBeforeProbe, now - state.lastProbe >= silenceBeforeProbe else { return }
            guard connection.queue.isCurrentFile else {
                throw lose(&state, .sourceUnavailable(name: endpoint.queuePath(stream)), restarted: true)
            }
            state.probe = Probe(since: now)
        }
        guard var probe = state.probe else { return }
        if probe.exchange == nil {
            switch try ControlExchange.start(VisionIPCRequest.streamList, endpoint: endpoint, capacity: VisionIPCRequest.listCapacity, maximumFDs: 1) {
            case .absent: throw lose(&state, .sourceUnavailable(name: endpoint.controlSocketPath), restarted: false)
            case .busy: break
            case .started(let exchange): probe.exchange = exchange
            }
        }
        switch probe.exchange?.advance(waitingMilliseconds: 0) {
        case .answered(let answer)?:
            // Alive; what it said does not matter here (its fds, if any, are closed).
            answer.objects.release(in: .contextLost)
            (state.probe, state.lastProbe) = (nil, now)
            return
        case .closedWithoutAnswer?:
            (state.probe, state.lastProbe) = (nil, now)
            return
        case .failed?:
            throw lose(&state, .sourceUnavailable(name: endpoint.controlSocketPath), restarted: false)
        case .waiting?, nil:
            break
        }
        state.probe = probe
        if now - probe.since >= Self.probeTimeout {
            throw lose(&state, .peer(server: endpoint.server, problem: "does not answer (no answer to a probe within \(Self.probeTimeout))"), restarted: false)
        }
    }
}

/// msgq has no wake-up for a reader that is not signalled: poll briefly.
private func waitBriefly() {
    var pause = timespec(tv_sec: 0, tv_nsec: 250_000)
    nanosleep(&pause, nil)
}

/// One connection's buffers and queue.
private final class Connection {
    struct Buffer {
        let record: VisionBufferRecord
        let layout: NV12Layout
        let fd: Int32
        /// The whole buffer, frame and trailer (a shm file's or a dma-buf's mapping).
        let bytes: UnsafeRawBufferPointer
        let fault: Int32
        let isDmaBuf: Bool
    }
    let serverID: UInt64
    let buffers: [Buffer]
    let queue: MsgqQueue
    let writerEpoch: Int
    let skippedAtStart: Int
    private let objects: OwnerGroup
    private let lease = BufferLease()
    private let damage: Locked<VisionIPCSource.Damage>
    private let server: String

    /// The connection the server's `answer` to a stream request describes (its fds, adopted
    /// here, are released with the rest if anything fails).
    init(answer: ReceivedMessage, endpoint: VisionIPCEndpoint, stream: VisionStreamType, table: HandleTable,
         damage: Locked<VisionIPCSource.Damage>) throws {
        (self.damage, server) = (damage, endpoint.server)
        let server = endpoint.server
        let (objects, (serverID, buffers, queue)) = try OwnerGroup.building(.contextLost) { objects in
            objects.take(from: answer.objects)
            guard !answer.truncated else {
                throw CameraViewError.peer(server: server, problem: "an answer larger than \(VisionIPCRequest.maximumBuffers) buffer records and fds")
            }
            let records = try VisionBufferRecord.parse(answer.bytes, fdCount: answer.fds.count, server: server)
            guard let first = records.first, records.allSatisfy({ $0.serverID == first.serverID }),
                  records.enumerated().allSatisfy({ $0.offset == $0.element.index && $0.element.stream == stream }) else {
                throw CameraViewError.peer(server: server, problem: "buffer records of mixed servers, streams or order")
            }
            var buffers: [Buffer] = []
            for (record, fd) in zip(records, answer.fds) {
                buffers.append(try Self.map(record, fd: fd, table: table, into: objects, server: server))
            }
            return (first.serverID, buffers, try MsgqQueues.open(endpoint.queuePath(stream), server: server))
        }
        (self.serverID, self.buffers, self.queue) = (serverID, buffers, queue)
        (writerEpoch, skippedAtStart) = (queue.writerEpoch, queue.counters.skipped)
        self.objects = objects
    }

    /// Maps a buffer (checked to hold its record's frame and trailer) and guards the mapping.
    private static func map(_ record: VisionBufferRecord, fd: Int32, table: HandleTable, into objects: OwnerGroup, server: String) throws -> Buffer {
        let layout = try record.layout(server: server)
        let dmaBuf = isDmaBuf(fd)
        let size = dmaBuf ? Int(lseek(fd, 0, SEEK_END)) : try fileIdentity(fd, what: "buffer \(record.index)").size
        guard size >= record.mappedLength else {
            throw CameraViewError.peer(server: server, problem: "buffer \(record.index) is \(size) bytes, its record says \(record.mappedLength)")
        }
        let mapping = objects.adopt(try table.create(.map(fd, length: record.mappedLength, shared: true, what: "VisionIPC buffer \(record.index)")))
        let fault = objects.adopt(try table.create(.guarding(mapping, what: "VisionIPC buffer \(record.index)")))
        return Buffer(record: record, layout: layout, fd: fd, bytes: UnsafeRawBufferPointer(mapping), fault: fault, isDmaBuf: dmaBuf)
    }

    /// The frame of `packet` in buffer `index`: a shm buffer as memory, read in place; a
    /// dma-buf as itself, for the view's import path. Both checked by the trailer.
    func frame(packet: VisionIPCPacket, index: Int) throws -> VisionIPCFrame {
        let buffer = buffers[index]
        let check = TrailerCheck(buffer: buffer, others: buffers.filter { $0.record.index != index }, frameID: packet.frameID,
                                 damage: damage)
        let frame: Frame
        if buffer.isDmaBuf {
            frame = .dmaBuf(DmaBufFrame(
                width: buffer.layout.width, height: buffer.layout.height,
                luma: DmaBufPlane(fd: buffer.fd, offset: 0, pitch: buffer.layout.yStride),
                chroma: DmaBufPlane(fd: buffer.fd, offset: buffer.layout.uvOffset, pitch: buffer.layout.uvStride),
                color: .default, bufferIndex: index, lease: lease, check: check))
        } else {
            let shared = SharedFrameBytes(bytes: UnsafeRawBufferPointer(rebasing: buffer.bytes[..<buffer.record.length]),
                                          lease: lease, bufferIndex: index, check: check)
            frame = .memory(try NV12Frame(shared: shared, layout: buffer.layout, color: .default))
        }
        return VisionIPCFrame(frame: frame, frameID: packet.frameID, timestampSOF: packet.timestampSOF,
                              timestampEOF: packet.timestampEOF, bufferIndex: index, valid: packet.valid)
    }

    /// Ends the frames (waiting for renders that hold them), then unmaps and closes.
    func release() {
        lease.end()
        objects.release(in: .contextLost)
        MsgqQueues.close(queue)
    }
}

/// The frame-id trailer of a buffer, read before and after each read of the frame: the
/// server reuses buffers round robin with no lock, so a frame it rewrote meanwhile shows
/// another id there (torn), and one it truncated faulted (zero pages, id 0). It writes a
/// trailer only once its frame is complete, so a write still under way shows nowhere: the
/// other buffers' trailers are read too, and once every one of them holds a newer frame,
/// the server's next write goes to this buffer and may have begun (overtaken, counted as
/// torn; openpilot's readers take that risk).
private final class TrailerCheck: SharedBufferCheck, @unchecked Sendable {
    private let trailer: UnsafeRawPointer
    private let otherTrailers: [UnsafeRawPointer]
    private let fault: Int32
    private let frameID: UInt32
    private let bufferIndex: Int
    private let damage: Locked<VisionIPCSource.Damage>
    private let counted = Locked(false)

    init(buffer: Connection.Buffer, others: [Connection.Buffer], frameID: UInt32, damage: Locked<VisionIPCSource.Damage>) {
        trailer = buffer.bytes.baseAddress! + buffer.record.trailerOffset
        otherTrailers = others.map { $0.bytes.baseAddress! + $0.record.trailerOffset }
        (fault, self.frameID, bufferIndex, self.damage) = (buffer.fault, frameID, buffer.record.index, damage)
    }

    func beforeRead() throws(CameraViewError) {
        // A host's handler installed since (faulthandler) must not see a truncation first.
        cvipc_fault_guard_rearm()
        try verify()
    }
    func afterRead() throws(CameraViewError) { try verify() }

    private func verify() throws(CameraViewError) {
        let found = cvipc_load_u64_any(trailer)
        if cvipc_fault_guard_faulted(fault) != 0 {
            count { $0.truncated += 1 }
            throw .bufferTruncated(bufferIndex: bufferIndex)
        }
        // camerad writes the frame id (32 bits in the packet) as a u64.
        guard UInt32(truncatingIfNeeded: found) == frameID else {
            count { $0.torn += 1 }
            throw .tornFrame(bufferIndex: bufferIndex, frameID: UInt64(frameID), found: found)
        }
        // Frames after this one, in serial order (ids wrap).
        let ahead = otherTrailers.map { Int32(bitPattern: UInt32(truncatingIfNeeded: cvipc_load_u64_any($0)) &- frameID) }
        if let nearest = ahead.min(), nearest > 0 {
            count { $0.torn += 1 }
            throw .overtakenFrame(bufferIndex: bufferIndex, frameID: UInt64(frameID),
                                  newest: UInt64(frameID &+ UInt32(bitPattern: ahead.max()!)))
        }
    }

    /// Counts this frame's damage once, however often it is rendered.
    private func count(_ change: (inout VisionIPCSource.Damage) -> Void) {
        guard counted.withLock({ counted in defer { counted = true }; return !counted }) else { return }
        damage.withLock(change)
    }
}
