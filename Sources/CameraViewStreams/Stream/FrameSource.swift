import CameraView
/// One frame from a source's ring of buffers, as VisionIPC delivers them.
public struct StreamFrame: Sendable {
    /// The buffer's place in the source's ring.
    public let bufferIndex: Int
    /// Increases by one per published frame.
    public let frameID: UInt64
    /// When the frame was captured, in nanoseconds of the source's clock.
    public let timestampNanoseconds: UInt64
    public let frame: Frame

    public init(bufferIndex: Int, frameID: UInt64, timestampNanoseconds: UInt64, frame: Frame) {
        self.bufferIndex = bufferIndex
        self.frameID = frameID
        self.timestampNanoseconds = timestampNanoseconds
        self.frame = frame
    }
}

/// A stream of frames from a ring of buffers (a camera, a decoder, a file). Modelled on
/// VisionIPC: connect, then take the newest frame; a source can go away and come back.
public protocol FrameSource: AnyObject, Sendable {
    var name: String { get }
    /// Connects, or throws `CameraViewError.sourceUnavailable` while the source is absent.
    func connect() throws
    /// The newest frame not yet received (older unreceived ones are skipped), or nil when
    /// nothing new arrived. Throws `CameraViewError.sourceUnavailable` once the source
    /// went away; connect again to resume.
    func receive() throws -> StreamFrame?
    func disconnect()
}
