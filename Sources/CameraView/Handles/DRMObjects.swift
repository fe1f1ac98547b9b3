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

/// The only ways GEM handles are imported and bos exported writable.
extension Creation where Kind == GEMHandleKind {
    /// The GEM handle `drmFD` gets for `dmaBuf` (a new one: `drmFD` must be a file of
    /// our own, or the handle would alias one that Mesa holds).
    static func gemHandle(drmFD: Int32, dmaBuf: Int32) -> Creation {
        Creation("drmPrimeFDToHandle") { _ in
            var handle: UInt32 = 0
            guard drmPrimeFDToHandle(drmFD, dmaBuf, &handle) == 0 else {
                throw CameraViewError.io(operation: "drmPrimeFDToHandle", path: "fd \(dmaBuf)", errno: errno)
            }
            return GEMHandle(drmFD: drmFD, handle: handle)
        }
    }
}

extension Creation where Kind == FDKind {
    /// A read-write dma-buf fd for `bo` (gbm_bo_get_fd's is read-only, and a camera
    /// writes into it).
    package static func writableExport(of bo: OpaquePointer, what: String) -> Creation {
        Creation("drmPrimeHandleToFD") { _ in
            var fd: Int32 = -1
            let device = gbm_device_get_fd(gbm_bo_get_device(bo))
            guard drmPrimeHandleToFD(device, gbm_bo_get_handle(bo).u32, UInt32(DRM_CLOEXEC | DRM_RDWR), &fd) == 0 else {
                throw CameraViewError.io(operation: "drmPrimeHandleToFD", path: what, errno: errno)
            }
            return fd
        }
    }
}
