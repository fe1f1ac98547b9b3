import CEGL
import Glibc

extension RenderDevice {
    /// What this device can do with dma-bufs: the formats it lists and whether the external
    /// NV12 path renders a known frame correctly. Found on first use, then kept.
    public func importCapabilities() throws -> ImportCapabilities {
        try core.capabilities.withLock { cached in
            if let cached { return cached }
            let found = try ImportCapabilityCheck.run(on: self)
            cached = found
            return found
        }
    }
}

/// Finds a device's import capabilities, rendering a known 16x16 NV12 frame through the
/// external path when the device lists NV12.
enum ImportCapabilityCheck {
    static func run(on device: RenderDevice) throws -> ImportCapabilities {
        let core = device.core
        guard core.extensions.dmaBufImport else {
            return ImportCapabilities(dmaBufImport: false, perPlane: false, externalListed: false, externalVerified: nil,
                                      externalNote: "the display has no EGL_EXT_image_dma_buf_import")
        }
        let formats = try core.withContext { core.importableFormats() }
        // Without the query extension, per-plane R8/GR88 is the format every importer has.
        let perPlane = formats.isEmpty || (formats.contains(cv_DRM_FORMAT_R8) && formats.contains(cv_DRM_FORMAT_GR88))
        let externalListed = formats.contains(cv_DRM_FORMAT_NV12) && core.extensions.externalImages
        guard externalListed else {
            return ImportCapabilities(dmaBufImport: true, perPlane: perPlane, externalListed: false, externalVerified: nil,
                                      externalNote: "NV12 is not listed as importable")
        }
        guard let gbm = core.gbmDevice else {
            return ImportCapabilities(dmaBufImport: true, perPlane: perPlane, externalListed: true, externalVerified: nil,
                                      externalNote: "no GBM device to make a known test frame on")
        }
        let (verified, note) = try verifyExternal(device: device, gbm: gbm)
        return ImportCapabilities(dmaBufImport: true, perPlane: perPlane, externalListed: true,
                                  externalVerified: verified, externalNote: note)
    }

    /// Renders a known frame through the external path and compares it with the same
    /// frame uploaded (a driver converts with its own rounding: allow 4 steps).
    private static func verifyExternal(device: RenderDevice, gbm: OpaquePointer) throws -> (Bool, String?) {
        let size = 16
        let layout = try NV12Layout(width: size, height: size)
        let bytes = (0..<layout.bufferSize).map { index in
            UInt8(truncatingIfNeeded: index < size * size ? 40 + index % size * 10 : 90 + index * 37 % 80)
        }
        let buffer = try TestBuffer(gbm: gbm, bytes: bytes, rowBytes: size, rows: size * 3 / 2, table: device.handles, destroyer: device.core.destroyer)
        defer { buffer.release(table: device.handles, destroyer: device.core.destroyer) }
        let view = try CameraView(device: device)
        defer { view.close() }
        let frame = DmaBufFrame(width: size, height: size,
                                luma: DmaBufPlane(fd: buffer.fd, offset: 0, pitch: buffer.stride),
                                chroma: DmaBufPlane(fd: buffer.fd, offset: buffer.stride * size, pitch: buffer.stride))
        let expected = try view.render(NV12Frame(bytes: bytes, layout: layout))
        let actual: RGBAImage
        do {
            actual = try view.render(frame, path: .external, options: RenderOptions())
        } catch {
            return (false, "importing a known NV12 frame failed: \(error)")
        }
        let maxError = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        if actual.pixels.enumerated().allSatisfy({ $0.offset % 4 == 3 || $0.element == 0 }) {
            return (false, "the NV12 image samples black (a known Mesa 22.3 llvmpipe bug)")
        }
        return maxError <= 4 ? (true, nil) : (false, "a known NV12 frame came out up to \(maxError) steps off")
    }
}

/// A linear GBM buffer object filled with bytes and exported as a dma-buf fd, recorded in
/// the device's table.
struct TestBuffer {
    let bo: HandleRecord
    let fdRecord: HandleRecord
    let stride: Int

    var fd: Int32 { Int32(fdRecord.raw) }

    init(gbm: OpaquePointer, bytes: [UInt8], rowBytes: Int, rows: Int, table: HandleTable, destroyer: HandleDestroyer) throws {
        let bo = try table.create(.gbmBo, operation: "gbm_bo_create", file: #fileID, line: #line, function: #function) {
            guard let bo = gbm_bo_create(gbm, UInt32(rowBytes), UInt32(rows), cv_GBM_FORMAT_R8, UInt32(GBM_BO_USE_LINEAR.rawValue)) else {
                throw CameraViewError.io(operation: "gbm_bo_create", path: "R8 \(rowBytes)x\(rows)", errno: errno)
            }
            return UInt64(pointer: bo)
        }
        let pointer = OpaquePointer(bitPattern: UInt(bo.raw))
        do {
            var stride: UInt32 = 0
            var mapData: UnsafeMutableRawPointer?
            guard let map = gbm_bo_map(pointer, 0, 0, UInt32(rowBytes), UInt32(rows), UInt32(GBM_BO_TRANSFER_WRITE.rawValue), &stride, &mapData) else {
                throw CameraViewError.io(operation: "gbm_bo_map", path: "test buffer", errno: errno)
            }
            for row in 0..<rows {
                bytes.withUnsafeBytes { source in
                    (map + row * Int(stride)).copyMemory(from: source.baseAddress! + row * rowBytes, byteCount: rowBytes)
                }
            }
            gbm_bo_unmap(pointer, mapData)
            self.stride = Int(stride)
            fdRecord = try table.create(.fd, operation: "gbm_bo_get_fd", file: #fileID, line: #line, function: #function) {
                let fd = gbm_bo_get_fd(pointer)
                guard fd >= 0 else { throw CameraViewError.io(operation: "gbm_bo_get_fd", path: "test buffer", errno: errno) }
                return UInt64(fd)
            }
        } catch {
            table.release(bo, using: destroyer)
            throw error
        }
        self.bo = bo
    }

    func release(table: HandleTable, destroyer: HandleDestroyer) {
        table.release(fdRecord, using: destroyer)
        table.release(bo, using: destroyer)
    }
}
