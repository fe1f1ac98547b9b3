/// A rendered front buffer handed out as a dma-buf fd (recorded in the view's table until
/// `close()`).
public final class ExportedBuffer: Sendable {
    public let stride: Int
    public let size: PixelSize
    private let owner: Locked<OwnedFD?>

    init(fd: consuming OwnedFD, stride: Int, size: PixelSize) {
        (self.stride, self.size) = (stride, size)
        owner = Locked(Optional(fd))
    }

    /// The dma-buf's fd while open; -1 once closed (the number may name another file then).
    public var fd: Int32 { owner.withLock { $0?.raw ?? -1 } }

    /// Closes the fd. Idempotent.
    public func close() { owner.withLock { $0.take()?.release() } }
}
