import CEGL
import Glibc

/// An NV12 frame copied into a linear GBM buffer on the device and exported as a dma-buf:
/// what a camera or decoder would hand over, for a producer that has frames in memory and
/// a consumer that takes dma-bufs (`camview render --dmabuf`; the external path's check
/// uses one too). Its bo and fd are recorded in the device's table. `close()` is idempotent.
public final class DeviceBuffer: Sendable {
    /// The frame as it lies in the buffer: Y rows, then UV rows, at the buffer's stride.
    /// Refused as stale (`CameraViewError.staleFrame`) once the buffer is closed.
    public let frame: DmaBufFrame
    /// The device reference, the bo and its exported fd, released the other way round: the
    /// fd closed before the bo is destroyed, the bo before its device may go.
    private let objects: Locked<OwnerGroup?>
    private let lease = BufferLease()

    /// Allocates on `device`'s GBM device (the GBM platform only) and copies `source` in.
    public convenience init(copying source: NV12Frame, on device: RenderDevice, bufferIndex: Int = 0) throws {
        guard let gbm = device.core.gbmDevice else {
            throw CameraViewError.needsGBMPlatform(what: "device buffers", platform: device.platform)
        }
        try self.init(copying: source, gbm: gbm, device: device, bufferIndex: bufferIndex)
    }

    init(copying source: NV12Frame, gbm: OpaquePointer, device: RenderDevice, bufferIndex: Int = 0) throws {
        let layout = source.layout
        let rowBytes = layout.size.chroma.width * 2
        let rows = layout.height + layout.size.chroma.height
        let table = device.handles
        let (objects, (fd, stride)) = try OwnerGroup.building(.contextLost) { objects in
            objects.adopt(try device.newReference())
            // NV12 bos are not supported everywhere (not on vgem); an R8 bo holds the same bytes.
            let bo = objects.adopt(try table.create(.bo(on: gbm, width: rowBytes, height: rows, format: cv_GBM_FORMAT_R8, usage: UInt32(GBM_BO_USE_LINEAR.rawValue))))
            let stride = try Self.write(source, into: bo, rowBytes: rowBytes, rows: rows, table: table)
            return (objects.adopt(try table.create(.export(of: bo, what: "device buffer"))), stride)
        }
        self.frame = DmaBufFrame(
            width: layout.width, height: layout.height,
            luma: DmaBufPlane(fd: fd, offset: 0, pitch: stride),
            chroma: DmaBufPlane(fd: fd, offset: stride * layout.height, pitch: stride),
            color: source.color, bufferIndex: bufferIndex, lease: lease)
        self.objects = Locked(objects)
    }

    /// Copies the frame's rows into the mapped bo; returns the bo's stride.
    private static func write(_ source: NV12Frame, into bo: OpaquePointer, rowBytes: Int, rows: Int, table: HandleTable) throws -> Int {
        // Unmapped however the copy ends.
        let mapped = OwnerGroup()
        defer { mapped.release(in: .contextLost) }
        let mapping = mapped.adopt(try table.create(.mapping(of: bo, width: rowBytes, height: rows, transfer: GBM_BO_TRANSFER_WRITE, what: "device buffer")))
        let (map, stride) = (mapping.address, mapping.stride)
        let layout = source.layout
        try source.withUnsafeBytes { bytes in
            for row in 0..<layout.height {
                (map + row * stride).copyMemory(from: bytes.baseAddress! + row * layout.yStride, byteCount: layout.width)
            }
            for row in 0..<layout.size.chroma.height {
                (map + (layout.height + row) * stride).copyMemory(
                    from: bytes.baseAddress! + layout.uvOffset + row * layout.uvStride, byteCount: rowBytes)
            }
        }
        return stride
    }

    /// Closes the fd and destroys the bo. Idempotent.
    public func close() {
        lease.end()
        objects.withLock { $0.take() }?.release(in: .contextLost)
    }

    deinit {
        if objects.withLock({ $0 != nil }) {
            HandleTable.noteDroppedWithoutClose("DeviceBuffer")
            close()
        }
    }
}
