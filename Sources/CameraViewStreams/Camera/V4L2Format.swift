import CameraView
import CV4L2
import Glibc

/// The NV12 format a V4L2 capture device agreed to: its buffer type (single- or
/// multi-planar API), size, memory planes and colour.
struct V4L2Format: Equatable, Sendable {
    struct Plane: Equatable, Sendable {
        let pitch: Int
        let length: Int
    }

    let type: UInt32
    let pixelFormat: UInt32
    let size: PixelSize
    /// One memory plane (NV12: UV follows Y in the same buffer) or two (NV12M).
    let planes: [Plane]
    /// The bytes a frame fills in each memory plane: a dequeued buffer holding fewer is broken.
    let frameBytes: [Int]
    let color: ColorDescription

    var isMultiplanar: Bool { Self.isMultiplanar(type) }

    static func isMultiplanar(_ type: UInt32) -> Bool { type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE.rawValue }
    var pixelFormatName: String { pixelFormat == cv_V4L2_PIX_FMT_NV12M ? "NV12M" : "NV12" }

    /// The frame in a buffer whose memory planes are `fds`, alive while `lease` is.
    func frame(fds: [Int32], bufferIndex: Int, lease: BufferLease) -> DmaBufFrame {
        let luma = DmaBufPlane(fd: fds[0], offset: 0, pitch: planes[0].pitch)
        let chroma = planes.count > 1
            ? DmaBufPlane(fd: fds[1], offset: 0, pitch: planes[1].pitch)
            : DmaBufPlane(fd: fds[0], offset: planes[0].pitch * size.height, pitch: planes[0].pitch)
        return DmaBufFrame(width: size.width, height: size.height, luma: luma, chroma: chroma, color: color, bufferIndex: bufferIndex, lease: lease)
    }

    /// Sets NV12 (or NV12M) at `size` (nil: the device's current size) on the capture
    /// device open at `fd`, and `fps` if given; returns what the device agreed to, or throws
    /// when it is not a streaming capture device, offers no NV12, or changes the size.
    static func negotiate(fd: Int32, device: String, size: PixelSize?, fps: Int?) throws -> V4L2Format {
        let capabilities = try V4L2Capabilities(fd: fd, device: device)
        guard let type = capabilities.captureType else {
            throw CameraViewError.camera(device: device, problem: "not a streaming video capture device")
        }
        guard let pixelFormat = nv12PixelFormat(fd: fd, type: type) else {
            throw CameraViewError.camera(device: device, problem: "offers no NV12 format")
        }
        var format = v4l2_format()
        format.type = type
        try ioctl(fd, cv_VIDIOC_G_FMT, &format, "VIDIOC_G_FMT", device)
        if isMultiplanar(type) {
            format.fmt.pix_mp.pixelformat = pixelFormat
            format.fmt.pix_mp.field = V4L2_FIELD_NONE.rawValue
            if let size { (format.fmt.pix_mp.width, format.fmt.pix_mp.height) = (UInt32(size.width), UInt32(size.height)) }
        } else {
            format.fmt.pix.pixelformat = pixelFormat
            format.fmt.pix.field = V4L2_FIELD_NONE.rawValue
            if let size { (format.fmt.pix.width, format.fmt.pix.height) = (UInt32(size.width), UInt32(size.height)) }
        }
        try ioctl(fd, cv_VIDIOC_S_FMT, &format, "VIDIOC_S_FMT", device)
        let agreed = try V4L2Format(format, device: device)
        guard agreed.pixelFormat == pixelFormat else {
            throw CameraViewError.camera(device: device, problem: "did not keep NV12 (gave \(fourCC(agreed.pixelFormat)))")
        }
        if let size, agreed.size != size {
            throw CameraViewError.camera(device: device, problem: "does not capture NV12 at \(size) (offers \(agreed.size))")
        }
        if let fps { try setFrameRate(fps, fd: fd, type: type, device: device) }
        return agreed
    }

    /// Reads an agreed v4l2_format, checking that its planes hold the frame.
    init(_ format: v4l2_format, device: String) throws {
        var format = format
        type = format.type
        let planes: [Plane]
        let (width, height, colorspace, encoding, quantization): (UInt32, UInt32, UInt32, UInt32, UInt32)
        if Self.isMultiplanar(type) {
            let pix = format.fmt.pix_mp
            (pixelFormat, width, height) = (pix.pixelformat, pix.width, pix.height)
            (colorspace, encoding, quantization) = (pix.colorspace, UInt32(pix.ycbcr_enc), UInt32(pix.quantization))
            planes = withUnsafeBytes(of: &format.fmt.pix_mp.plane_fmt) { raw in
                raw.bindMemory(to: v4l2_plane_pix_format.self).prefix(Int(pix.num_planes))
                    .map { Plane(pitch: Int($0.bytesperline), length: Int($0.sizeimage)) }
            }
        } else {
            let pix = format.fmt.pix
            (pixelFormat, width, height) = (pix.pixelformat, pix.width, pix.height)
            (colorspace, encoding, quantization) = (pix.colorspace, pix.ycbcr_enc, pix.quantization)
            planes = [Plane(pitch: Int(pix.bytesperline), length: Int(pix.sizeimage))]
        }
        size = PixelSize(width: Int(width), height: Int(height))
        self.planes = planes
        color = Self.color(colorspace: colorspace, encoding: encoding, quantization: quantization)
        let chromaRows = size.chroma.height
        frameBytes = switch planes.count {
        case 1: [planes[0].pitch * (size.height + chromaRows)]
        case 2: [planes[0].pitch * size.height, planes[1].pitch * chromaRows]
        default: []
        }
        let fits = !frameBytes.isEmpty && planes.allSatisfy { $0.pitch >= size.width }
            && zip(planes, frameBytes).allSatisfy { $0.length >= $1 }
        guard size.width > 0, size.height > 0, fits else {
            throw CameraViewError.camera(device: device, problem: "reports NV12 planes \(planes) that cannot hold \(size)")
        }
    }

    /// V4L2's colour fields: BT.709 encoding or else BT.601; full range only when the
    /// device says so (YCbCr defaults to limited). V4L2 does not describe chroma siting:
    /// cameras site it left, the default.
    private static func color(colorspace: UInt32, encoding: UInt32, quantization: UInt32) -> ColorDescription {
        let bt709 = encoding == V4L2_YCBCR_ENC_709.rawValue
            || (encoding == V4L2_YCBCR_ENC_DEFAULT.rawValue && colorspace == V4L2_COLORSPACE_REC709.rawValue)
        let full = quantization == V4L2_QUANTIZATION_FULL_RANGE.rawValue
        return ColorDescription(matrix: bt709 ? .bt709 : .bt601, range: full ? .full : .limited)
    }

    /// NV12, else NV12M, if the device offers either for buffers of `type`.
    static func nv12PixelFormat(fd: Int32, type: UInt32) -> UInt32? {
        let offered = pixelFormats(fd: fd, type: type)
        return [cv_V4L2_PIX_FMT_NV12, cv_V4L2_PIX_FMT_NV12M].first(where: offered.contains)
    }

    /// The pixel formats the device offers for buffers of `type`.
    private static func pixelFormats(fd: Int32, type: UInt32) -> Set<UInt32> {
        var formats: Set<UInt32> = []
        var description = v4l2_fmtdesc()
        description.type = type
        while cv_v4l2_ioctl(fd, cv_VIDIOC_ENUM_FMT, &description) == 0 {
            formats.insert(description.pixelformat)
            description.index += 1
        }
        return formats
    }

    private static func setFrameRate(_ fps: Int, fd: Int32, type: UInt32, device: String) throws {
        guard fps > 0 else { throw CameraViewError.camera(device: device, problem: "frame rate \(fps) is not positive") }
        var parameters = v4l2_streamparm()
        parameters.type = type
        parameters.parm.capture.timeperframe = v4l2_fract(numerator: 1, denominator: UInt32(fps))
        try ioctl(fd, cv_VIDIOC_S_PARM, &parameters, "VIDIOC_S_PARM", device)
    }

    /// An ioctl on a C struct of linux/videodev2.h.
    static func ioctl<Argument>(_ fd: Int32, _ request: UInt, _ argument: inout Argument, _ name: String, _ device: String) throws {
        let result = withUnsafeMutableBytes(of: &argument) { cv_v4l2_ioctl(fd, request, $0.baseAddress) }
        guard result == 0 else { throw CameraViewError.io(operation: name, path: device, errno: errno) }
    }
}

/// What VIDIOC_QUERYCAP says about a device.
struct V4L2Capabilities {
    let driver: String
    let card: String
    /// The capture buffer type the device streams with, if it is a streaming capture device.
    let captureType: UInt32?

    init(fd: Int32, device: String) throws {
        var capability = v4l2_capability()
        try V4L2Format.ioctl(fd, cv_VIDIOC_QUERYCAP, &capability, "VIDIOC_QUERYCAP", device)
        func text<T>(_ value: inout T) -> String {
            withUnsafeBytes(of: &value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        driver = text(&capability.driver)
        card = text(&capability.card)
        let caps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? capability.device_caps : capability.capabilities
        guard caps & UInt32(V4L2_CAP_STREAMING) != 0 else {
            captureType = nil
            return
        }
        if caps & UInt32(V4L2_CAP_VIDEO_CAPTURE_MPLANE) != 0 {
            captureType = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE.rawValue
        } else if caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 {
            captureType = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        } else {
            captureType = nil
        }
    }
}

/// A pixel format code as its four characters.
func fourCC(_ code: UInt32) -> String {
    String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: code >> ($0 * 8)) }, as: UTF8.self)
}
