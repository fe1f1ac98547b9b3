import CameraView
import CEGL
import Glibc

/// A V4L2 camera (a Linux board's sensor, a UVC webcam, the kernel's vivid) as a frame
/// source: NV12 or NV12M through the single- or multi-planar API, streamed into a ring of
/// dma-bufs.
///
/// Buffer lifetime: a frame from `receive()` or `next(timeout:)` stays queued to no one
/// until the next of those calls (or `disconnect()`), which gives it back to the driver:
/// render it before asking for the next, as `StreamView` does (its renders and draws have
/// finished reading when they return). Every fd, buffer and mapping of a stream is in
/// `handles`; disconnecting (or losing the device) releases them.
public final class V4L2Source: FrameSource, @unchecked Sendable {
    public enum Buffers: String, Sendable, CaseIterable, Codable {
        /// CameraView allocates linear buffers on the rendering device, exports them
        /// read-write and queues them with V4L2_MEMORY_DMABUF: the camera writes straight
        /// into what the GPU imports. Needs the GBM platform.
        case zeroCopy = "zero-copy"
        /// The driver's own buffers (V4L2_MEMORY_MMAP), exported with VIDIOC_EXPBUF. Where
        /// the device cannot read them (see `CameraView.lastImportFallback`) frames are
        /// mapped and uploaded.
        case exported
    }

    public struct Configuration: Sendable {
        public var device: String
        /// Nil: the size the device is set to.
        public var size: PixelSize?
        public var fps: Int?
        public var buffers: Buffers
        public var bufferCount: Int

        public init(device: String, size: PixelSize? = nil, fps: Int? = nil, buffers: Buffers = .zeroCopy, bufferCount: Int = 4) {
            self.device = device
            self.size = size
            self.fps = fps
            self.buffers = buffers
            self.bufferCount = bufferCount
        }

        /// Sizes, rates and counts the V4L2 structures can hold (they are 32-bit): anything
        /// else is a typed error here rather than a trap in a conversion later.
        func validate() throws(CameraViewError) {
            func refuse(_ problem: String) -> CameraViewError { .camera(device: device, problem: problem) }
            if let size, !(1...Int(UInt32.max)).contains(size.width) || !(1...Int(UInt32.max)).contains(size.height) {
                throw refuse("size \(size) is not a size a camera can have")
            }
            if let fps, !(1...1000).contains(fps) { throw refuse("\(fps) frames per second is not a rate to ask for (1 to 1000)") }
            guard (1...32).contains(bufferCount) else { throw refuse("\(bufferCount) buffers is not a queue (1 to 32)") }
        }
    }

    /// What a stream negotiated.
    public struct Format: Sendable, Equatable {
        public let size: PixelSize
        /// "NV12" (one buffer for both planes) or "NV12M".
        package let pixelFormat: String
        package let multiplanarAPI: Bool
        public let color: ColorDescription
    }

    /// Frames received, newer frames that replaced unreceived ones, and buffers the driver
    /// reported broken (requeued, never shown).
    package struct Statistics: Sendable, Equatable {
        package var delivered = 0
        package var skipped = 0
        package var broken = 0
        /// Streams started: the source's buffer generations.
        package var streams = 0
    }

    public let configuration: Configuration
    public var name: String { configuration.device }
    /// Every object of the source's streams.
    package let handles: HandleTable
    private let device: RenderDevice
    private let lock = Lock()
    private var stream: CaptureStream?
    private var counts = Statistics()
    private var isClosed = false
    private var failure: CameraViewError?

    /// A source on `device` (for zero-copy buffers: its GBM device), taking its own device
    /// reference; nothing is opened until `connect()`.
    public init(device: RenderDevice? = nil, configuration: Configuration) throws {
        try configuration.validate()
        let reference = try device?.newReference() ?? RenderDevice.open()
        try reference.building(.contextLost) {
            guard configuration.buffers == .exported || reference.gbmDevice != nil else {
                throw CameraViewError.needsGBMPlatform(what: "zero-copy camera buffers", platform: reference.platform)
            }
        }
        self.device = reference
        self.configuration = configuration
        handles = HandleTable(owner: "V4L2Source(\(configuration.device))")
    }

    /// Opens the device and starts streaming (nothing if already streaming). Throws
    /// `sourceUnavailable` when the device is absent, or the typed reason it cannot stream.
    public func connect() throws {
        try lock.withLock {
            guard !isClosed else { throw CameraViewError.closed }
            guard stream == nil else { return }
            do {
                stream = try CaptureStream(configuration, gbm: device.gbmDevice, table: handles)
                counts.streams += 1
                failure = nil
            } catch CameraViewError.io(let operation, let path, let code) where operation.hasPrefix("open") && (code == ENOENT || code == ENODEV || code == ENXIO) {
                failure = .io(operation: operation, path: path, errno: code)
                throw CameraViewError.sourceUnavailable(name: name)
            }
        }
    }

    /// The newest frame not yet received (nil when none is ready), giving the previous one
    /// back to the driver. When the device fails or goes away the stream is released and
    /// this throws `sourceUnavailable` (`lastFailure` says why); `connect()` again to resume.
    public func receive() throws -> StreamFrame? {
        try lock.withLock { try receiveLocked() }
    }

    /// Waits up to `timeout` for a frame, connecting first if needed; nil when none came.
    /// Throws the device's own error (not `sourceUnavailable`) when it fails.
    public func waitForFrame(timeout: Duration) throws -> StreamFrame? {
        try connect()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let frame: StreamFrame? = try lock.withLock {
                do {
                    return try receiveLocked()
                } catch CameraViewError.sourceUnavailable {
                    throw failure ?? .sourceUnavailable(name: name)
                }
            }
            if let frame { return frame }
            let left = deadline - clock.now
            guard left > .zero else { return nil }
            // Short waits, so a disconnect from another thread waits at most this long.
            _ = try lock.withLock { () throws -> Bool in
                guard let stream else { throw failure ?? CameraViewError.sourceUnavailable(name: name) }
                return try stream.waitReadable(timeout: min(left, .milliseconds(100)))
            }
        }
    }

    /// `waitForFrame`, with `cameraTimeout` when none comes.
    public func next(timeout: Duration) throws -> StreamFrame {
        guard let frame = try waitForFrame(timeout: timeout) else {
            throw CameraViewError.cameraTimeout(device: name, milliseconds: timeout.wholeMilliseconds)
        }
        return frame
    }

    /// Bumped at each stream started: a new set of buffers.
    public var generation: Int { lock.withLock { counts.streams } }

    private func receiveLocked() throws -> StreamFrame? {
        guard !isClosed else { throw CameraViewError.closed }
        guard let stream else { throw CameraViewError.sourceUnavailable(name: name) }
        do {
            var (skipped, broken) = (0, 0)
            defer { (counts.skipped, counts.broken) = (counts.skipped + skipped, counts.broken + broken) }
            guard let newest = try stream.dequeueNewest(skipped: &skipped, broken: &broken) else { return nil }
            counts.delivered += 1
            // The driver's sequence number: a gap is a frame the camera captured and no one saw.
            return StreamFrame(bufferIndex: newest.slot.index, frameID: UInt64(newest.sequence),
                               timestampNanoseconds: newest.timestampNanoseconds, frame: .dmaBuf(newest.slot.frame))
        } catch let error as CameraViewError {
            failure = error
            stream.release()
            self.stream = nil
            throw CameraViewError.sourceUnavailable(name: name)
        }
    }

    /// Stops streaming and releases the stream's objects. Idempotent.
    public func disconnect() {
        lock.withLock {
            stream?.release()
            stream = nil
        }
    }

    /// Disconnects and gives up the device reference; the source cannot connect again.
    /// Returns what the table had to sweep (nothing in a correct run).
    @discardableResult
    public func close() -> CloseReport {
        let report: CloseReport = lock.withLock {
            guard !isClosed else { return .clean }
            isClosed = true
            stream?.release()
            stream = nil
            let swept = handles.close(in: .contextLost)
            return CloseReport(swept: swept.swept, failedDeletions: handles.failedDeletions)
        }
        device.close()
        return report
    }

    /// The negotiated format while connected.
    public var format: Format? {
        lock.withLock {
            stream.map { Format(size: $0.format.size, pixelFormat: $0.format.pixelFormatName,
                                multiplanarAPI: $0.format.isMultiplanar, color: $0.format.color) }
        }
    }

    package var statistics: Statistics { lock.withLock { counts } }

    /// Why the stream last failed (the device's error), if it did.
    public var lastFailure: CameraViewError? { lock.withLock { failure } }

    deinit {
        if !isClosed {
            HandleTable.noteDroppedWithoutClose("V4L2Source(\(name))")
            close()
        }
    }
}
