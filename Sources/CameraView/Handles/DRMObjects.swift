import CEGL
import Glibc

/// A GEM handle on one of our DRM fds.
package struct GEMHandle: BitwiseCopyable {
    package let drmFD: Int32
    package let handle: UInt32
}

package enum GEMHandleKind: UnboundKind {
    package static let kind = HandleKind.gemHandle
    package static let dependsOnDevice = true
    package static func reported(_ raw: GEMHandle) -> UInt64 { UInt64(raw.handle) }
    package static func destroy(_ raw: GEMHandle, display: EGLDisplay?) -> String? {
        var close = drm_gem_close(handle: raw.handle, pad: 0)
        return drmIoctl(raw.drmFD, cv_DRM_IOCTL_GEM_CLOSE, &close) == 0 ? nil : errnoReason("DRM_IOCTL_GEM_CLOSE")
    }
}
package typealias OwnedGEMHandle = Owned<GEMHandleKind>

/// The only places GEM handles are imported and bos exported writable.
extension HandleTable {
    /// The GEM handle `drmFD` gets for `dmaBuf` (a new one: `drmFD` must be a file of
    /// our own, or the handle would alias one that Mesa holds).
    package func importGEMHandle(
        drmFD: Int32, dmaBuf: Int32, file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedGEMHandle {
        try create(GEMHandleKind.self, operation: "drmPrimeFDToHandle", file: file, line: line, function: function) {
            var handle: UInt32 = 0
            guard drmPrimeFDToHandle(drmFD, dmaBuf, &handle) == 0 else {
                throw CameraViewError.io(operation: "drmPrimeFDToHandle", path: "fd \(dmaBuf)", errno: errno)
            }
            return GEMHandle(drmFD: drmFD, handle: handle)
        }
    }

    /// A read-write dma-buf fd for `bo` (gbm_bo_get_fd's is read-only, and a camera
    /// writes into it).
    package func exportWritableFD(
        of bo: OpaquePointer, what: String, file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedFD {
        try create(FDKind.self, operation: "drmPrimeHandleToFD", file: file, line: line, function: function) {
            var fd: Int32 = -1
            let device = gbm_device_get_fd(gbm_bo_get_device(bo))
            guard drmPrimeHandleToFD(device, gbm_bo_get_handle(bo).u32, UInt32(DRM_CLOEXEC | DRM_RDWR), &fd) == 0 else {
                throw CameraViewError.io(operation: "drmPrimeHandleToFD", path: what, errno: errno)
            }
            return fd
        }
    }
}
