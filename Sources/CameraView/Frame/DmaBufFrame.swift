import Glibc

/// One plane of a dma-buf frame: the fd that holds it, where it starts, and its row pitch.
public struct DmaBufPlane: Sendable, Hashable {
    public let fd: Int32
    public let offset: Int
    public let pitch: Int

    public init(fd: Int32, offset: Int, pitch: Int) {
        self.fd = fd
        self.offset = offset
        self.pitch = pitch
    }
}

/// An NV12 frame in dma-buf memory (a camera or decoder buffer). The caller keeps owning
/// the fds; a view dups what it keeps. `bufferIndex` is the buffer's place in its ring:
/// with the fds' identity it keys the view's EGLImage cache.
public struct DmaBufFrame: Sendable {
    public let width: Int
    public let height: Int
    public let luma: DmaBufPlane
    public let chroma: DmaBufPlane
    public var color: ColorDescription
    public let bufferIndex: Int
    /// Set when the library owns the buffers (see `BufferLease`); the caller's otherwise.
    let lease: BufferLease?
    /// How a frame in a producer's live buffer is told intact (VisionIPC's frame-id trailer).
    let check: (any SharedBufferCheck)?
    /// This picture's number in the process (see `NV12Frame.generation`): a new picture in
    /// the same buffers is a new frame value.
    package let generation = SerialCounter.frames.next()

    /// Both planes in one buffer (VisionIPC's layout): Y at offset 0, UV at `layout.uvOffset`.
    public init(fd: Int32, layout: NV12Layout, color: ColorDescription = .default, bufferIndex: Int = 0) {
        self.init(
            width: layout.width, height: layout.height,
            luma: DmaBufPlane(fd: fd, offset: 0, pitch: layout.yStride),
            chroma: DmaBufPlane(fd: fd, offset: layout.uvOffset, pitch: layout.uvStride),
            color: color, bufferIndex: bufferIndex)
    }

    /// Planes in one buffer or two, each at its own offset and pitch.
    public init(width: Int, height: Int, luma: DmaBufPlane, chroma: DmaBufPlane,
                color: ColorDescription = .default, bufferIndex: Int = 0) {
        self.init(width: width, height: height, luma: luma, chroma: chroma, color: color, bufferIndex: bufferIndex, lease: nil)
    }

    package init(
        width: Int, height: Int, luma: DmaBufPlane, chroma: DmaBufPlane, color: ColorDescription, bufferIndex: Int,
        lease: BufferLease?, check: (any SharedBufferCheck)? = nil
    ) {
        (self.width, self.height, self.luma, self.chroma) = (width, height, luma, chroma)
        (self.color, self.bufferIndex, self.lease, self.check) = (color, bufferIndex, lease, check)
    }

    /// Whether the buffers are still there to be read (always, for the caller's own).
    package var isLive: Bool { lease?.isLive ?? true }

    var size: PixelSize { PixelSize(width: width, height: height) }

    /// Checks sizes and pitches (every sum and product checked), and that each buffer
    /// covers its plane at its offset, pitch and height, so no import can read past a
    /// buffer. Every render and draw of the frame runs this first.
    package func validate() throws(CameraViewError) {
        let ends = try planeEnds()
        for (plane, value, end) in [(FrameLayoutError.Plane.luma, luma, ends.luma), (.chroma, chroma, ends.chroma)] {
            let size = try value.bufferSize()
            guard end <= size else { throw .invalidFrame(.planeOutOfBounds(plane: plane, end: end, bufferSize: size)) }
        }
    }

    /// Where each plane's last byte ends in its buffer: its offset, the pitch times the rows
    /// before the last, and the last row's bytes (the padding after it need not exist).
    /// Every sum and product is checked, so a pitch or offset near `Int.max` is an error
    /// here and never an overflow in whoever maps or uploads the planes.
    func planeEnds() throws(CameraViewError) -> (luma: Int, chroma: Int) {
        guard width > 0, height > 0 else { throw .invalidFrame(.zeroSize(width: width, height: height)) }
        let chromaRowBytes = try NV12Layout.checked("UV row", PixelSize.chromaSamples(width).multipliedReportingOverflow(by: 2))
        func end(_ plane: FrameLayoutError.Plane, _ value: DmaBufPlane, rows: Int, rowBytes: Int) throws(CameraViewError) -> Int {
            guard value.offset >= 0 else { throw .invalidFrame(.negative(field: "\(plane.rawValue) offset", value: value.offset)) }
            guard value.pitch >= rowBytes else {
                throw .invalidFrame(.strideTooSmall(plane: plane, stride: value.pitch, minimum: rowBytes))
            }
            let field = "\(plane.rawValue) plane"
            let span = try NV12Layout.checked(field, value.pitch.multipliedReportingOverflow(by: rows - 1))
            return try NV12Layout.checked(field, value.offset.addingReportingOverflow(
                NV12Layout.checked(field, span.addingReportingOverflow(rowBytes))))
        }
        let ends = (
            luma: try end(.luma, luma, rows: height, rowBytes: width),
            chroma: try end(.chroma, chroma, rows: PixelSize.chromaSamples(height), rowBytes: chromaRowBytes))
        guard chroma.pitch % 2 == 0 else { throw .invalidFrame(.oddChromaStride(chroma.pitch)) }
        return ends
    }

    /// The bytes an upload of the validated frame reads.
    var planeBytes: Int {
        get throws(CameraViewError) {
            let ends = try planeEnds()
            return (ends.luma - luma.offset) + (ends.chroma - chroma.offset)
        }
    }
}

extension DmaBufPlane {
    /// The size of the buffer behind `fd` (lseek to its end: how dma-bufs report their
    /// size). A plain file's offset is put back where it was; a dma-buf has none to keep
    /// (it refuses SEEK_CUR with EINVAL and allows only SEEK_SET to 0).
    func bufferSize() throws(CameraViewError) -> Int {
        let position = lseek(fd, 0, SEEK_CUR)
        let size = lseek(fd, 0, SEEK_END)
        let error = errno
        lseek(fd, max(position, 0), SEEK_SET)
        guard size >= 0 else { throw .io(operation: "lseek", path: "fd \(fd)", errno: error) }
        return Int(size)
    }
}

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
