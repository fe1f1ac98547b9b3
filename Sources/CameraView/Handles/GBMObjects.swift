import CEGL
import Glibc

/// GBM objects, each destroyed with its own call.
package protocol GBMObjectKind: UnboundKind where Raw == OpaquePointer {}
extension GBMObjectKind {
    package static func reported(_ raw: OpaquePointer) -> UInt64 { UInt64(pointer: raw) }
}

package enum GBMDeviceKind: GBMObjectKind {
    package static let kind = HandleKind.gbmDevice
    package static func destroy(_ device: OpaquePointer, display: EGLDisplay?) -> String? { gbm_device_destroy(device); return nil }
}

package enum GBMSurfaceKind: GBMObjectKind {
    package static let kind = HandleKind.gbmSurface
    package static let dependsOnDevice = true
    package static func destroy(_ surface: OpaquePointer, display: EGLDisplay?) -> String? { gbm_surface_destroy(surface); return nil }
}

package enum GBMBoKind: GBMObjectKind {
    package static let kind = HandleKind.gbmBo
    package static let dependsOnDevice = true
    package static func destroy(_ bo: OpaquePointer, display: EGLDisplay?) -> String? { gbm_bo_destroy(bo); return nil }
}

package typealias OwnedGBMDevice = Owned<GBMDeviceKind>
package typealias OwnedGBMSurface = Owned<GBMSurfaceKind>
package typealias OwnedGBMBo = Owned<GBMBoKind>

/// A `gbm_bo_map` of a bo: where the pixels are, and what `gbm_bo_unmap` needs.
package struct GBMBoMapping: BitwiseCopyable {
    package let address: UnsafeMutableRawPointer
    package let stride: Int
    package let bo: OpaquePointer
    package let mapData: UnsafeMutableRawPointer?
}

package enum GBMMappingKind: UnboundKind {
    package static let kind = HandleKind.gbmMapping
    package static let dependsOnDevice = true
    package static func reported(_ raw: GBMBoMapping) -> UInt64 { UInt64(pointer: raw.mapData) }
    package static func destroy(_ mapping: GBMBoMapping, display: EGLDisplay?) -> String? {
        gbm_bo_unmap(mapping.bo, mapping.mapData)
        return nil
    }
}
package typealias OwnedGBMMapping = Owned<GBMMappingKind>

/// The only ways GBM objects are created, mapped or exported.
extension Creation where Kind == GBMDeviceKind {
    package static func gbmDevice(fd: Int32, node: String) -> Creation {
        Creation("gbm_create_device") { _ in
            guard let device = gbm_create_device(fd) else { throw CameraViewError.io(operation: "gbm_create_device", path: node, errno: errno) }
            return device
        }
    }
}

extension Creation where Kind == GBMBoKind {
    package static func bo(on gbm: OpaquePointer, width: Int, height: Int, format: UInt32, usage: UInt32) -> Creation {
        Creation("gbm_bo_create") { _ in
            guard let bo = gbm_bo_create(gbm, UInt32(width), UInt32(height), format, usage) else {
                throw CameraViewError.io(operation: "gbm_bo_create", path: "\(width)x\(height)", errno: errno)
            }
            return bo
        }
    }
}

extension Creation where Kind == GBMSurfaceKind {
    static func gbmSurface(on gbm: OpaquePointer, width: Int, height: Int, format: UInt32, usage: UInt32) -> Creation {
        Creation("gbm_surface_create") { _ in
            guard let surface = gbm_surface_create(gbm, UInt32(width), UInt32(height), format, usage) else {
                throw CameraViewError.io(operation: "gbm_surface_create", path: "\(width)x\(height)", errno: errno)
            }
            return surface
        }
    }
}

extension Creation where Kind == FDKind {
    /// A dma-buf fd for `bo` (the caller owns it, not the bo).
    static func export(of bo: OpaquePointer, what: String) -> Creation {
        Creation("gbm_bo_get_fd") { _ in
            let fd = gbm_bo_get_fd(bo)
            guard fd >= 0 else { throw CameraViewError.io(operation: "gbm_bo_get_fd", path: what, errno: errno) }
            return fd
        }
    }
}

extension Creation where Kind == GBMMappingKind {
    /// `width` x `height` of `bo` mapped for `transfer` (GBM_BO_TRANSFER_READ or _WRITE).
    package static func mapping(of bo: OpaquePointer, width: Int, height: Int, transfer: gbm_bo_transfer_flags, what: String) -> Creation {
        Creation("gbm_bo_map") { _ in
            var stride: UInt32 = 0
            var mapData: UnsafeMutableRawPointer?
            guard let address = gbm_bo_map(bo, 0, 0, UInt32(width), UInt32(height), UInt32(transfer.rawValue), &stride, &mapData) else {
                throw CameraViewError.io(operation: "gbm_bo_map", path: what, errno: errno)
            }
            return GBMBoMapping(address: address, stride: Int(stride), bo: bo, mapData: mapData)
        }
    }
}
