import CameraView
import CEGL
import CV4L2
import Glibc

/// One streaming session of a capture device: the device fd, the driver's queue, the
/// buffers and what they hold. Every object is in the source's table; `release()` (safe to
/// call twice) stops the stream and frees them in the order the kernel needs: streaming
/// off, exported fds closed (the driver refuses to free buffers still exported), the
/// queue's buffers freed, then our own buffers and the device fd.
final class CaptureStream: GroupMember {
    let format: V4L2Format
    let queue: V4L2Queue
    let device: String
    let mode: V4L2Source.Buffers
    private(set) var slots: [CaptureSlot] = []
    /// The buffer last handed to the caller, requeued at the next dequeue.
    private(set) var held: Int?
    /// The device fd, closed last.
    private let opened = OwnerGroup()
    private var buffers: OwnedV4L2Buffers?
    private var streaming: OwnedV4L2Streaming?
    /// Held by every frame of this stream's buffers; ended before they are released.
    let lease = BufferLease()

    /// Opens `configuration.device`, negotiates NV12, allocates and queues the buffers and
    /// starts streaming; on any failure releases what it made (its own `release()`, in the
    /// kernel's order) and throws.
    init(_ configuration: V4L2Source.Configuration, gbm: OpaquePointer?, table: HandleTable) throws {
        device = configuration.device
        mode = configuration.buffers
        let deviceFD = opened.adopt(try table.create(.open(configuration.device, flags: O_RDWR | O_NONBLOCK)))
        format = try opened.building(.contextLost) { _ in
            try V4L2Format.negotiate(fd: deviceFD, device: configuration.device, size: configuration.size, fps: configuration.fps)
        }
        let memory = mode == .exported ? V4L2_MEMORY_MMAP : V4L2_MEMORY_DMABUF
        queue = V4L2Queue(fd: deviceFD, type: format.type, memory: memory.rawValue)
        try building(.contextLost) {
            let requested = try table.create(.buffers(queue, count: configuration.bufferCount, device: device))
            let granted = requested.raw.granted
            buffers = consume requested
            guard granted >= 2 else {
                throw CameraViewError.camera(device: device, problem: "granted \(granted) buffers; streaming needs at least 2")
            }
            for index in 0..<granted {
                let slot = CaptureSlot(index: index, format: format, lease: lease)
                slots.append(slot)
                switch mode {
                case .exported: try slot.export(queue, device: device, table: table)
                case .zeroCopy:
                    guard let gbm else { throw CameraViewError.camera(device: device, problem: "zero-copy buffers need the GBM platform") }
                    try slot.allocate(on: gbm, table: table)
                }
                try enqueue(slot)
            }
            streaming = try table.create(.streaming(queue, device: device))
        }
    }

    /// Gives the held buffer back to the driver: the caller's render of it has finished.
    func requeueHeld() throws {
        guard let index = held else { return }
        held = nil
        try enqueue(slots[index])
    }

    /// The newest filled buffer, requeueing the held one first and any older filled ones
    /// (counted in `skipped`); buffers the driver marks broken, or that hold less than a
    /// frame, are requeued and counted in `broken`. Nil when none is ready. Throws the
    /// driver's error when dequeueing fails (the device went away, say).
    func dequeueNewest(skipped: inout Int, broken: inout Int) throws -> (slot: CaptureSlot, sequence: UInt32, timestampNanoseconds: UInt64)? {
        try requeueHeld()
        var newest: (slot: CaptureSlot, sequence: UInt32, timestampNanoseconds: UInt64)?
        while let filled = try dequeue() {
            let slot = slots[filled.index]
            guard filled.intact else {
                broken += 1
                try enqueue(slot)
                continue
            }
            if let older = newest {
                skipped += 1
                try enqueue(older.slot)
            }
            newest = (slot, filled.sequence, filled.timestampNanoseconds)
        }
        held = newest?.slot.index
        return newest
    }

    /// Waits up to `timeout` for the device to have a filled buffer (or an error to report).
    func waitReadable(timeout: Duration) throws -> Bool {
        var poller = pollfd(fd: queue.fd, events: Int16(POLLIN), revents: 0)
        let result = poll(&poller, 1, Int32(clamping: timeout.wholeMilliseconds))
        guard result >= 0 || errno == EINTR else { throw CameraViewError.io(operation: "poll", path: device, errno: errno) }
        return result > 0
    }

    func release() {
        // Frames of these buffers in flight finish first; any kept after are stale.
        lease.end()
        streaming.take()?.release()
        held = nil
        for slot in slots where mode == .exported { slot.release() }
        buffers.take()?.release()
        for slot in slots { slot.release() }
        slots.removeAll()
        opened.release(in: .contextLost)
    }

    func release(in _: Teardown) { release() }

    private func enqueue(_ slot: CaptureSlot) throws {
        try slot.withBuffer(queue) { buffer in
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_QBUF, &buffer) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_QBUF", path: device, errno: errno)
            }
        }
    }

    private func dequeue() throws -> (index: Int, intact: Bool, sequence: UInt32, timestampNanoseconds: UInt64)? {
        var planes = [v4l2_plane](repeating: v4l2_plane(), count: format.planes.count)
        var buffer = v4l2_buffer()
        (buffer.type, buffer.memory) = (queue.type, queue.memory)
        let result = planes.withUnsafeMutableBufferPointer { planes in
            if format.isMultiplanar {
                buffer.m.planes = planes.baseAddress
                buffer.length = UInt32(planes.count)
            }
            return cv_v4l2_ioctl(queue.fd, cv_VIDIOC_DQBUF, &buffer)
        }
        guard result == 0 else {
            if errno == EAGAIN { return nil }
            throw CameraViewError.io(operation: "VIDIOC_DQBUF", path: device, errno: errno)
        }
        guard Int(buffer.index) < slots.count else {
            throw CameraViewError.camera(device: device, problem: "returned buffer \(buffer.index) of \(slots.count)")
        }
        let used = format.isMultiplanar ? planes.map { Int($0.bytesused) } : [Int(buffer.bytesused)]
        let intact = buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) == 0 && zip(used, format.frameBytes).allSatisfy { $0 >= $1 }
        let nanoseconds = UInt64(max(0, buffer.timestamp.tv_sec)) * 1_000_000_000 + UInt64(max(0, buffer.timestamp.tv_usec)) * 1000
        return (Int(buffer.index), intact, buffer.sequence, nanoseconds)
    }
}

/// One buffer of a capture stream: its memory planes as dma-buf fds (the driver's,
/// exported; or ours, allocated on the rendering device) and the frame they hold.
final class CaptureSlot {
    let index: Int
    let format: V4L2Format
    private var fds: [OwnerBox<FDKind>] = []
    private var bos: [OwnerBox<GBMBoKind>] = []
    private var lengths: [Int] = []

    private let lease: BufferLease

    init(index: Int, format: V4L2Format, lease: BufferLease) {
        (self.index, self.format, self.lease) = (index, format, lease)
    }

    var frame: DmaBufFrame { format.frame(fds: fds.map(\.raw), bufferIndex: index, lease: lease) }

    /// The driver's buffer, exported plane by plane.
    func export(_ queue: V4L2Queue, device: String, table: HandleTable) throws {
        for plane in format.planes.indices {
            fds.append(OwnerBox(try table.create(.export(queue, index: index, plane: plane, device: device))))
            lengths.append(format.planes[plane].length)
        }
    }

    /// Our own linear buffers on the rendering device, one per memory plane, exported
    /// read-write for the camera to fill.
    func allocate(on gbm: OpaquePointer, table: HandleTable) throws {
        for plane in format.planes {
            let rows = (plane.length + plane.pitch - 1) / plane.pitch
            let bo = try table.create(.bo(on: gbm, width: plane.pitch, height: rows, format: cv_GBM_FORMAT_R8, usage: UInt32(GBM_BO_USE_LINEAR.rawValue)))
            let boPointer = bo.raw
            bos.append(OwnerBox(bo))
            let fd = try table.create(.writableExport(of: boPointer, what: "capture buffer \(index)"))
            let length = Int(lseek(fd.raw, 0, SEEK_END))
            fds.append(OwnerBox(fd))
            guard length >= 0, length <= Int(UInt32.max) else {
                throw CameraViewError.io(operation: "lseek (buffer size)", path: "capture buffer \(index)", errno: errno)
            }
            lengths.append(length)
        }
    }

    /// Runs `body` with a v4l2_buffer describing this slot for QBUF.
    func withBuffer(_ queue: V4L2Queue, _ body: (inout v4l2_buffer) throws -> Void) throws {
        var buffer = v4l2_buffer()
        (buffer.type, buffer.memory, buffer.index) = (queue.type, queue.memory, UInt32(index))
        let dmaBuf = queue.memory == V4L2_MEMORY_DMABUF.rawValue
        var planes = fds.indices.map { plane in
            var entry = v4l2_plane()
            if dmaBuf {
                entry.m.fd = fds[plane].raw
                entry.length = UInt32(lengths[plane])
            }
            return entry
        }
        try planes.withUnsafeMutableBufferPointer { planes in
            if format.isMultiplanar {
                buffer.m.planes = planes.baseAddress
                buffer.length = UInt32(planes.count)
            } else if dmaBuf {
                buffer.m.fd = planes[0].m.fd
                buffer.length = planes[0].length
            }
            try body(&buffer)
        }
    }

    /// Closes the fds, then destroys our buffers (the exported mode's driver buffers are
    /// freed with the queue). Safe to call twice.
    func release() {
        for fd in fds { fd.release() }
        for bo in bos { bo.release() }
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var wholeMilliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
