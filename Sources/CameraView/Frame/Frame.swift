/// One NV12 frame to render: its bytes in memory, or its planes in dma-bufs (a camera's,
/// a decoder's, a VisionIPC buffer). Stream and camera frames carry one.
public enum Frame: Sendable {
    case memory(NV12Frame)
    case dmaBuf(DmaBufFrame)

    public var size: PixelSize {
        switch self {
        case .memory(let frame): frame.layout.size
        case .dmaBuf(let frame): frame.size
        }
    }

    public var color: ColorDescription {
        switch self {
        case .memory(let frame): frame.color
        case .dmaBuf(let frame): frame.color
        }
    }

    /// Runs `body` (a render of the frame) with its buffers alive throughout; throws
    /// `staleFrame` when the library has released them.
    func withLiveBuffers<Result>(_ body: () throws -> Result) throws -> Result {
        guard case .dmaBuf(let frame) = self, let lease = frame.lease else { return try body() }
        return try lease.whileLive(bufferIndex: frame.bufferIndex, body)
    }

    /// False once a frame's library-owned buffers were released (see `BufferLease`).
    package var isLive: Bool {
        guard case .dmaBuf(let frame) = self else { return true }
        return frame.isLive
    }
}
