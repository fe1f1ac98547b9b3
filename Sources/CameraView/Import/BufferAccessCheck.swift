import CEGL
import Glibc

/// Whether the rendering device can really read a dma-buf before the GPU touches it.
/// Mesa's software driver behind GBM (kms_swrast: llvmpipe on vgem or a virtual display)
/// reads an imported image by mapping it as a dumb buffer; a buffer another driver
/// exported (a V4L2 camera's, say) imports without error and then crashes the first draw.
/// The check asks the kernel what Mesa will ask: the buffer as a GEM handle on the DRM
/// node (on a file of our own, so the handle aliases none of Mesa's), then
/// DRM_IOCTL_MODE_MAP_DUMB on it; the handle and file are closed after.
enum BufferAccessCheck {
    /// Whether `info`'s device needs the check (on other drivers an import that succeeds
    /// is readable).
    static func applies(to info: DeviceInfo) -> Bool {
        info.platform == .gbm && info.drmNode != nil
            && (info.glRenderer.contains("llvmpipe") || info.glRenderer.contains("softpipe"))
    }

    /// Nil when `fd` is readable by the device at `node`, else why not.
    static func denial(of fd: Int32, node: String, table: HandleTable) -> String? {
        let probe: OwnedFD
        do {
            probe = try table.create(.open(node, flags: O_RDWR))
        } catch {
            return "cannot open \(node) to check the buffer (\(error))"
        }
        let verdict: String?
        do {
            let handle = try table.create(.gemHandle(drmFD: probe.raw, dmaBuf: fd))
            var map = drm_mode_map_dumb()
            map.handle = handle.raw.handle
            let mapped = drmIoctl(probe.raw, cv_DRM_IOCTL_MODE_MAP_DUMB, &map) == 0
            let reason = String(cString: strerror(errno))
            handle.release()
            verdict = mapped ? nil : "the device cannot map the buffer (DRM_IOCTL_MODE_MAP_DUMB: \(reason)); another driver allocated it"
        } catch {
            verdict = "the device cannot import the buffer (\(error))"
        }
        probe.release()
        return verdict
    }
}

/// A file behind an fd, as the kernel names it (st_dev, st_ino): what access verdicts and
/// the import cache's buffer identities are keyed by.
struct BufferFile: Hashable {
    let device: UInt64
    let inode: UInt64

    init(_ fd: Int32) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CameraViewError.io(operation: "fstat", path: "fd \(fd)", errno: errno) }
        (device, inode) = (UInt64(info.st_dev), UInt64(info.st_ino))
    }
}

enum BufferAccessVerdict {
    case readable
    case denied(String)
}

extension DeviceInfo {
    /// Whether dma-bufs are checked before import (see `BufferAccessCheck`): buffers the
    /// device cannot read are mapped and uploaded instead.
    package var checksBufferAccess: Bool { BufferAccessCheck.applies(to: self) }
}
