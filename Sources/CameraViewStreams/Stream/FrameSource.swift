import CameraView
import Glibc

/// One frame from a source's ring of buffers, as VisionIPC delivers them.
public struct StreamFrame: Sendable {
    /// The buffer's place in the source's ring.
    public let bufferIndex: Int
    /// Increases by one per published frame.
    public let frameID: UInt64
    /// When the frame's capture started, in nanoseconds of the source's clock.
    public let timestampNanoseconds: UInt64
    /// When its capture ended (VisionIPC's timestamp_eof); the start where a source has one
    /// timestamp.
    public let endTimestampNanoseconds: UInt64
    /// The source's own flag: false for a frame it knows is bad (camerad clears it so).
    public let valid: Bool
    public let frame: Frame

    public init(
        bufferIndex: Int, frameID: UInt64, timestampNanoseconds: UInt64, endTimestampNanoseconds: UInt64? = nil,
        valid: Bool = true, frame: Frame
    ) {
        self.bufferIndex = bufferIndex
        self.frameID = frameID
        self.timestampNanoseconds = timestampNanoseconds
        self.endTimestampNanoseconds = endTimestampNanoseconds ?? timestampNanoseconds
        self.valid = valid
        self.frame = frame
    }
}

/// A stream of frames from a ring of buffers (a camera, a decoder, a file). Modelled on
/// VisionIPC: connect, then take the newest frame; a source can go away and come back.
/// `StreamView` shows one.
public protocol FrameSource: AnyObject, Sendable {
    var name: String { get }
    /// Connects, or throws `CameraViewError.sourceUnavailable` while the source is absent.
    func connect() throws
    /// The newest frame not yet received (older unreceived ones are skipped), or nil when
    /// nothing new arrived. Throws `CameraViewError.sourceUnavailable` once the source
    /// went away; connect again to resume.
    func receive() throws -> StreamFrame?
    /// Waits up to `timeout` for the newest frame not yet received, connecting first if
    /// needed; nil when none came in time. Throws when the source cannot deliver: a
    /// camera's error or absence, a peer's protocol error (a VisionIPC server that is absent
    /// is waited for: requests go on every 200 ms).
    func waitForFrame(timeout: Duration) throws -> StreamFrame?
    /// Changes whenever the source's buffers are replaced (a reconnection, a restarted
    /// server, a camera streaming again): what a view made of the older ones must go.
    var generation: Int { get }
    func disconnect()
}

extension FrameSource {
    /// Buffers that live as long as the source: one generation.
    public var generation: Int { 0 }

    /// For sources with nothing to wait on: tries every millisecond.
    public func waitForFrame(timeout: Duration) throws -> StreamFrame? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            do {
                try connect()
                if let frame = try receive() { return frame }
            } catch CameraViewError.sourceUnavailable {}
            guard clock.now < deadline else { return nil }
            usleep(1000)
        }
    }
}
