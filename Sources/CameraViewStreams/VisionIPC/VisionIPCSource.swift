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
}

/// A client of an openpilot VisionIPC server (camerad, or replay on a PC): one stream's
/// buffers (shm files on a PC, uploaded straight from their mappings; dma-bufs on a comma
/// device, imported zero-copy) and its msgq queue of frame notifications, read conflated
/// to the newest frame. A restarted server (a new server id, or a new queue writer) is
/// noticed and reconnected to, after every object made from the old buffers is released;
/// a lost one (silence, and a control socket that refuses) ends the shown frame.
/// Every fd, mapping and guard is an owner in `handles` (the queue's in `MsgqQueues`).
public final class VisionIPCSource: FrameSource {
    public let endpoint: VisionIPCEndpoint
    public let stream: VisionStreamType
    public var name: String { "\(endpoint.server):\(stream)" }
    /// Every object of the source's connections.
    package let handles: HandleTable
    /// How long silence lasts before the server is asked whether it is still there.
    package let silenceBeforeProbe: Duration

    package struct Statistics: Sendable, Equatable {
        /// Frames delivered, older ones skipped for them (conflate), frames the server
        /// rewrote while they were read, and buffers it truncated while mapped.
        package var delivered = 0
        package var skipped = 0
        package var torn = 0
        package var truncated = 0
        /// Connections made, restarts seen (new server id or queue writer), servers lost,
        /// and times another reader's registration evicted this process's queue slot.
        package var connections = 0
        package var restarts = 0
        package var losses = 0
        package var evictions = 0
    }

    private struct State {
        var connection: Connection?
        var isClosed = false
        var counts = Statistics()
        var failure: CameraViewError?
        var lastSequence: UInt64 = 0
        var lastActivity = ContinuousClock.now
        var lastProbe = ContinuousClock.now
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

    /// Asks the server for the stream's buffers and opens its queue (nothing if connected).
    /// Throws `sourceUnavailable` while the server or the stream is absent (`lastFailure`
    /// says which), `visionIPC` when the server's answer breaks the protocol.
    public func connect() throws {
        try state.withLock { state in
            guard !state.isClosed else { throw CameraViewError.closed }
            guard state.connection == nil else { return }
            try open(&state)
        }
    }

    public var isConnected: Bool { state.withLock { $0.connection != nil } }

    /// The newest frame not yet received, or nil. Throws `sourceUnavailable` when the
    /// server went away (connect again to resume).
    public func receive() throws -> StreamFrame? {
        try receiveFrame().map { StreamFrame(bufferIndex: $0.bufferIndex, frameID: UInt64($0.frameID), timestampNanoseconds: $0.timestampSOF, frame: $0.frame) }
    }

    /// The newest frame not yet received, with its packet's fields.
    public func receiveFrame() throws -> VisionIPCFrame? {
        try state.withLock { state in try receiveLocked(&state) }
    }

    /// Waits up to `timeout` for a frame, connecting (every `retryInterval`) while the
    /// server is absent, as openpilot's UI does; nil when none came.
    public func nextFrame(timeout: Duration, retryInterval: Duration = .milliseconds(200)) throws -> VisionIPCFrame? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var lastAttempt: ContinuousClock.Instant?
        while true {
            let frame: VisionIPCFrame? = try state.withLock { state in
                guard !state.isClosed else { throw CameraViewError.closed }
                if state.connection == nil {
                    guard lastAttempt.map({ clock.now - $0 >= retryInterval }) ?? true else { return nil }
                    lastAttempt = clock.now
                    do { try open(&state) } catch CameraViewError.sourceUnavailable { return nil }
                }
                do {
                    return try receiveLocked(&state)
                } catch CameraViewError.sourceUnavailable {
                    return nil
                }
            }
            if let frame { return frame }
            guard clock.now < deadline else { return nil }
            // msgq has no wake-up for a reader that is not signalled: poll briefly.
            var pause = timespec(tv_sec: 0, tv_nsec: 250_000)
            nanosleep(&pause, nil)
        }
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
            if let queue = state.connection?.queue { counts.evictions += queue.counters.evictions }
            return counts
        }
    }

    /// The reader slots the stream's queue has registered (every process's), while connected.
    package var queueReaderCount: Int? { state.withLock { $0.connection?.queue.readerCount } }

    /// Why the last connect or receive failed, if it did.
    public var lastFailure: CameraViewError? { state.withLock { $0.failure } }

    /// Bumped at each new connection: frames (and the views' objects made from them) of an
    /// older one are gone.
    public var connectionGeneration: Int { state.withLock { $0.counts.connections } }

    /// The streams `server` serves (both list requests: 0xffffffff, then the older 4).
    public static func availableStreams(server: String, prefix: String? = nil) throws -> Set<VisionStreamType> {
        let endpoint = VisionIPCEndpoint(server: server, prefix: prefix)
        let table = HandleTable(owner: "VisionIPC stream list")
        defer { table.close(in: .contextLost) }
        for request in [VisionIPCRequest.streamList, VisionIPCRequest.legacyStreamList] {
            let answer = try Self.request(request, endpoint: endpoint, table: table)
            guard answer.bytes.count % 4 == 0, answer.fds.isEmpty else {
                throw CameraViewError.visionIPC(server: endpoint.server, problem: "a stream list of \(answer.bytes.count) bytes and \(answer.fds.count) fds")
            }
            if !answer.bytes.isEmpty {
                return Set(stride(from: 0, to: answer.bytes.count, by: 4).map { offset in
                    VisionStreamType(rawValue: answer.bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
                })
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

    private func open(_ state: inout State) throws {
        do {
            let connection = try Connection(endpoint: endpoint, stream: stream, table: handles, damage: damage)
            state.connection = connection
            state.counts.connections += 1
            state.failure = nil
            (state.lastActivity, state.lastProbe) = (.now, .now)
            // Only frames sent from now on: another source of this process may have read older ones.
            state.lastSequence = connection.queue.sequence
        } catch let error as CameraViewError {
            state.failure = error
            throw error
        }
    }

    private func drop(_ state: inout State) {
        state.connection?.release()
        state.connection = nil
    }

    /// The server is gone or changed: release everything of it and say so.
    private func lose(_ state: inout State, _ reason: CameraViewError, restarted: Bool) -> CameraViewError {
        if restarted { state.counts.restarts += 1 } else { state.counts.losses += 1 }
        drop(&state)
        state.failure = reason
        return .sourceUnavailable(name: name)
    }

    private func receiveLocked(_ state: inout State) throws -> VisionIPCFrame? {
        guard !state.isClosed else { throw CameraViewError.closed }
        guard let connection = state.connection else { throw CameraViewError.sourceUnavailable(name: name) }
        if connection.queue.faulted || connection.queue.writerEpoch != connection.writerEpoch {
            throw lose(&state, .visionIPC(server: endpoint.server, problem: "the stream's queue has a new writer"), restarted: true)
        }
        guard let (sequence, bytes) = connection.queue.newest(after: state.lastSequence) else {
            try checkAlive(&state, connection)
            return nil
        }
        state.lastSequence = sequence
        state.lastActivity = .now
        guard let packet = VisionIPCPacket(bytes), packet.serverID == connection.serverID,
              let index = Int(exactly: packet.index), index < connection.buffers.count else {
            // openpilot's client reads a foreign server id or index as a restarted server.
            throw lose(&state, .visionIPC(server: endpoint.server, problem: "a frame of another server instance"), restarted: true)
        }
        state.counts.delivered += 1
        state.counts.skipped = connection.queue.counters.skipped - connection.skippedAtStart
        return try connection.frame(packet: packet, index: index)
    }

    /// After `silenceBeforeProbe` without frames, asks the server (a stream-list request,
    /// which every server answers or closes without harm) whether it is still there.
    private func checkAlive(_ state: inout State, _ connection: Connection) throws {
        let now = ContinuousClock.now
        guard now - state.lastActivity >= silenceBeforeProbe, now - state.lastProbe >= silenceBeforeProbe else { return }
        state.lastProbe = now
        guard connection.queue.isCurrentFile else {
            throw lose(&state, .visionIPC(server: endpoint.server, problem: "the stream's queue file was replaced"), restarted: true)
        }
        do {
            let table = HandleTable(owner: "VisionIPC probe")
            defer { table.close(in: .contextLost) }
            _ = try Self.request(VisionIPCRequest.streamList, endpoint: endpoint, table: table)
        } catch CameraViewError.sourceUnavailable {
            throw lose(&state, .sourceUnavailable(name: endpoint.controlSocketPath), restarted: false)
        }
    }

    /// One request on a new control connection: its answer's bytes and fds (owned by a
    /// group of `table`'s that the caller takes over).
    fileprivate static func request(_ value: UInt32, endpoint: VisionIPCEndpoint, table: HandleTable, group: OwnerGroup = OwnerGroup()) throws -> ReceivedMessage {
        let path = endpoint.controlSocketPath
        let socket: OwnedFD
        do {
            socket = try table.create(.seqpacketConnection(to: path))
        } catch CameraViewError.io(_, _, let code) where code == ENOENT || code == ECONNREFUSED {
            throw CameraViewError.sourceUnavailable(name: path)
        }
        do {
            try sendMessage(VisionIPCRequest.bytes(value), on: socket.raw, what: path)
            let capacity = VisionIPCRequest.maximumBuffers * VisionBufferRecord.layouts.max()!
            let answer = try receiveMessage(on: socket.raw, capacity: capacity, maximumFDs: VisionIPCRequest.maximumBuffers,
                                            timeoutMilliseconds: 1000, table: table, group: group, what: path)
            socket.release()
            return answer
        } catch CameraViewError.io(_, _, let code) where code == ECONNRESET || code == EPIPE || code == ETIMEDOUT {
            // Gone mid-answer, or there but not answering (hung, stopped): not serving.
            socket.release()
            throw CameraViewError.sourceUnavailable(name: path)
        } catch {
            socket.release()
            throw error
        }
    }
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

    init(endpoint: VisionIPCEndpoint, stream: VisionStreamType, table: HandleTable, damage: Locked<VisionIPCSource.Damage>) throws {
        let objects = OwnerGroup()
        (self.damage, server) = (damage, endpoint.server)
        do {
            let answer = try VisionIPCSource.request(stream.rawValue, endpoint: endpoint, table: table, group: objects)
            guard !answer.bytes.isEmpty else {
                // An unknown stream: the server closes without a reply.
                throw CameraViewError.sourceUnavailable(name: "\(endpoint.server):\(stream)")
            }
            guard !answer.controlTruncated else {
                throw CameraViewError.visionIPC(server: server, problem: "more than \(VisionIPCRequest.maximumBuffers) buffer fds")
            }
            let records = try VisionBufferRecord.parse(answer.bytes, fdCount: answer.fds.count, server: server)
            guard let first = records.first, records.allSatisfy({ $0.serverID == first.serverID }),
                  records.enumerated().allSatisfy({ $0.offset == $0.element.index && $0.element.stream == stream }) else {
                throw CameraViewError.visionIPC(server: server, problem: "buffer records of mixed servers, streams or order")
            }
            var buffers: [Buffer] = []
            for (record, fd) in zip(records, answer.fds) {
                buffers.append(try Self.map(record, fd: fd, table: table, into: objects, server: server))
            }
            let queue = try MsgqQueues.open(endpoint.queuePath(stream))
            (serverID, self.buffers, self.queue) = (first.serverID, buffers, queue)
            (writerEpoch, skippedAtStart) = (queue.writerEpoch, queue.counters.skipped)
        } catch {
            objects.release(in: .contextLost)
            throw error
        }
        self.objects = objects
    }

    /// Maps a buffer (checked to hold its record's frame and trailer) and guards the mapping.
    private static func map(_ record: VisionBufferRecord, fd: Int32, table: HandleTable, into objects: OwnerGroup, server: String) throws -> Buffer {
        let layout = try record.layout(server: server)
        let dmaBuf = isDmaBuf(fd)
        let size = dmaBuf ? Int(lseek(fd, 0, SEEK_END)) : try fileIdentity(fd, what: "buffer \(record.index)").size
        guard size >= record.mappedLength else {
            throw CameraViewError.visionIPC(server: server, problem: "buffer \(record.index) is \(size) bytes, its record says \(record.mappedLength)")
        }
        let mapping = objects.adopt(try table.create(.map(fd, length: record.mappedLength, shared: true, what: "VisionIPC buffer \(record.index)")))
        let fault = objects.adopt(try table.create(.guarding(mapping, what: "VisionIPC buffer \(record.index)")))
        return Buffer(record: record, layout: layout, fd: fd, bytes: UnsafeRawBufferPointer(mapping), fault: fault, isDmaBuf: dmaBuf)
    }

    /// The frame of `packet` in buffer `index`: a shm buffer as memory, read in place; a
    /// dma-buf as itself, for the view's import path. Both checked by the trailer.
    func frame(packet: VisionIPCPacket, index: Int) throws -> VisionIPCFrame {
        let buffer = buffers[index]
        let check = TrailerCheck(buffer: buffer, frameID: packet.frameID, damage: damage)
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
/// another id there (torn), and one it truncated faulted (zero pages, id 0).
private final class TrailerCheck: SharedBufferCheck, @unchecked Sendable {
    private let trailer: UnsafePointer<UInt64>
    private let fault: Int32
    private let frameID: UInt32
    private let bufferIndex: Int
    private let damage: Locked<VisionIPCSource.Damage>
    private let counted = Locked(false)

    init(buffer: Connection.Buffer, frameID: UInt32, damage: Locked<VisionIPCSource.Damage>) {
        trailer = (buffer.bytes.baseAddress! + buffer.record.trailerOffset).assumingMemoryBound(to: UInt64.self)
        (fault, self.frameID, bufferIndex, self.damage) = (buffer.fault, frameID, buffer.record.index, damage)
    }

    func beforeRead() throws(CameraViewError) { try verify() }
    func afterRead() throws(CameraViewError) { try verify() }

    private func verify() throws(CameraViewError) {
        let found = cvipc_atomic_load_u64(UnsafeMutablePointer(mutating: trailer))
        if cvipc_fault_guard_faulted(fault) != 0 {
            count { $0.truncated += 1 }
            throw .bufferTruncated(bufferIndex: bufferIndex)
        }
        // camerad writes the frame id (32 bits in the packet) as a u64.
        guard UInt32(truncatingIfNeeded: found) == frameID else {
            count { $0.torn += 1 }
            throw .tornFrame(bufferIndex: bufferIndex, frameID: UInt64(frameID), found: found)
        }
    }

    /// Counts this frame's damage once, however often it is rendered.
    private func count(_ change: (inout VisionIPCSource.Damage) -> Void) {
        guard counted.withLock({ counted in defer { counted = true }; return !counted }) else { return }
        damage.withLock(change)
    }
}
