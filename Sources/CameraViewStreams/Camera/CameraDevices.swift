import CameraView
import CV4L2
import Glibc

/// A V4L2 capture device and the NV12 sizes it offers (`camview info --devices`).
public struct CameraDeviceInfo: Sendable, Codable, Equatable {
    public let path: String
    package let driver: String
    public let card: String
    /// "NV12" or "NV12M"; nil when the device offers neither.
    package let nv12Format: String?
    package let multiplanar: Bool
    /// Discrete sizes; a stepwise device lists its smallest and largest.
    public let nv12Sizes: [PixelSize]
}

public enum CameraDevices {
    /// The capture devices under /dev (video*), in name order; devices that cannot be
    /// opened or are not streaming capture devices are left out.
    public static func list() -> [CameraDeviceInfo] {
        let names = directoryEntries("/dev")
        let table = HandleTable(owner: "camera listing")
        defer { table.close(in: .contextLost) }
        return names.filter { $0.hasPrefix("video") }
            .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            .compactMap { describe("/dev/" + $0, table: table) }
    }

    private static func describe(_ path: String, table: HandleTable) -> CameraDeviceInfo? {
        guard let fd = try? table.create(.open(path, flags: O_RDWR | O_NONBLOCK)) else { return nil }
        let info = describe(fd.raw, path: path)
        fd.release()
        return info
    }

    private static func describe(_ fd: Int32, path: String) -> CameraDeviceInfo? {
        guard let capabilities = try? V4L2Capabilities(fd: fd, device: path), let type = capabilities.captureType else { return nil }
        let nv12 = V4L2Format.nv12PixelFormat(fd: fd, type: type)
        return CameraDeviceInfo(
            path: path, driver: capabilities.driver, card: capabilities.card,
            nv12Format: nv12.map(fourCC), multiplanar: V4L2Format.isMultiplanar(type),
            nv12Sizes: nv12.map { sizes(fd: fd, pixelFormat: $0) } ?? [])
    }

    private static func sizes(fd: Int32, pixelFormat: UInt32) -> [PixelSize] {
        var sizes: [PixelSize] = []
        var size = v4l2_frmsizeenum()
        size.pixel_format = pixelFormat
        while cv_v4l2_ioctl(fd, cv_VIDIOC_ENUM_FRAMESIZES, &size) == 0 {
            if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                sizes.append(PixelSize(width: Int(size.discrete.width), height: Int(size.discrete.height)))
            } else {
                let range = size.stepwise
                sizes += [PixelSize(width: Int(range.min_width), height: Int(range.min_height)),
                          PixelSize(width: Int(range.max_width), height: Int(range.max_height))]
                break
            }
            size.index += 1
        }
        return sizes
    }
}
