import CEGL
import Glibc

/// An NV12 frame copied into a linear GBM buffer on the device and exported as a dma-buf:
/// what a camera or decoder would hand over. For demos, tests and the external-path check;
/// its bo and fd are recorded in the device's table. `close()` is idempotent.
public final class DeviceBuffer: Sendable {
    /// The frame as it lies in the buffer: Y rows, then UV rows, at the buffer's stride.
    public let frame: DmaBufFrame
    private let bo: HandleRecord
    private let fdRecord: HandleRecord
    private let device: RenderDevice
    private let isOpen = Locked(true)

    /// Allocates on `device`'s GBM device (the GBM platform only) and copies `source` in.
    public convenience init(copying source: NV12Frame, on device: RenderDevice, bufferIndex: Int = 0) throws {
        guard let gbm = device.core.gbmDevice else {
            throw CameraViewError.needsGBMPlatform(what: "device buffers", platform: device.platform)
        }
        try self.init(copying: source, gbm: gbm, device: device, bufferIndex: bufferIndex)
    }

    init(copying source: NV12Frame, gbm: OpaquePointer, device: RenderDevice, bufferIndex: Int = 0) throws {
        let layout = source.layout
        let rowBytes = layout.chromaWidth * 2
        let rows = layout.height + layout.chromaHeight
        let table = device.handles, destroyer = device.core.destroyer
        let reference = try device.newReference()
        var created: [HandleRecord] = []
        do {
            // NV12 bos are not supported everywhere (not on vgem); an R8 bo holds the same bytes.
            let bo = try table.create(.gbmBo, operation: "gbm_bo_create", file: #fileID, line: #line, function: #function) {
                guard let bo = gbm_bo_create(gbm, UInt32(rowBytes), UInt32(rows), cv_GBM_FORMAT_R8, UInt32(GBM_BO_USE_LINEAR.rawValue)) else {
                    throw CameraViewError.io(operation: "gbm_bo_create", path: "R8 \(rowBytes)x\(rows)", errno: errno)
                }
                return UInt64(pointer: bo)
            }
            created.append(bo)
            let pointer = OpaquePointer(bitPattern: UInt(bo.raw))
            var stride: UInt32 = 0
            var mapData: UnsafeMutableRawPointer?
            guard let map = gbm_bo_map(pointer, 0, 0, UInt32(rowBytes), UInt32(rows), UInt32(GBM_BO_TRANSFER_WRITE.rawValue), &stride, &mapData) else {
                throw CameraViewError.io(operation: "gbm_bo_map", path: "device buffer", errno: errno)
            }
            source.withUnsafeBytes { bytes in
                for row in 0..<layout.height {
                    (map + row * Int(stride)).copyMemory(from: bytes.baseAddress! + row * layout.yStride, byteCount: layout.width)
                }
                for row in 0..<layout.chromaHeight {
                    (map + (layout.height + row) * Int(stride)).copyMemory(
                        from: bytes.baseAddress! + layout.uvOffset + row * layout.uvStride, byteCount: rowBytes)
                }
            }
            gbm_bo_unmap(pointer, mapData)
            let fdRecord = try table.create(.fd, operation: "gbm_bo_get_fd", file: #fileID, line: #line, function: #function) {
                let fd = gbm_bo_get_fd(pointer)
                guard fd >= 0 else { throw CameraViewError.io(operation: "gbm_bo_get_fd", path: "device buffer", errno: errno) }
                return UInt64(fd)
            }
            let fd = Int32(fdRecord.raw)
            (self.bo, self.fdRecord, self.device) = (bo, fdRecord, reference)
            self.frame = DmaBufFrame(
                width: layout.width, height: layout.height,
                luma: DmaBufPlane(fd: fd, offset: 0, pitch: Int(stride)),
                chroma: DmaBufPlane(fd: fd, offset: Int(stride) * layout.height, pitch: Int(stride)),
                color: source.color, bufferIndex: bufferIndex)
        } catch {
            for record in created.reversed() { table.release(record, using: destroyer) }
            reference.close()
            throw error
        }
    }

    /// Closes the fd and destroys the bo.
    public func close() {
        guard isOpen.withLock({ open in defer { open = false }; return open }) else { return }
        device.handles.release(fdRecord, using: device.core.destroyer)
        device.handles.release(bo, using: device.core.destroyer)
        device.close()
    }

    deinit {
        if isOpen.withLock({ $0 }) {
            log.error("DeviceBuffer dropped without close(); releasing it now (a bug in the caller)")
            close()
        }
    }
}
