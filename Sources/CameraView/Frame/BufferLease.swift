/// The life of buffers the library owns and hands out as frames (a camera's queue, a
/// device buffer). A frame naming them carries the lease; a render holds it for its whole
/// length, so the buffers cannot be released under it, and once they are (the lease ended),
/// the frame is stale: its fd numbers may already name the next queue's buffers, which the
/// driver owns, so it is refused with `CameraViewError.staleFrame`, never read.
package final class BufferLease: Sendable {
    private let live = Locked(true)

    package init() {}

    /// Runs `body` with the buffers guaranteed alive throughout.
    package func whileLive<Result>(bufferIndex: Int, _ body: () throws -> Result) throws -> Result {
        try live.withLock { live in
            guard live else { throw CameraViewError.staleFrame(bufferIndex: bufferIndex) }
            return try body()
        }
    }

    package var isLive: Bool { live.withLock { $0 } }

    /// The buffers are about to go: waits for renders holding the lease, then ends it.
    package func end() { live.withLock { $0 = false } }
}
