import CameraView
import CCameraView

// The C API's frames, colour and render options: C structs read into the Swift model,
// checked.

@_cdecl("cv_nv12_default_layout")
public func cv_nv12_default_layout(
    _ width: Int32, _ height: Int32, _ stride: UnsafeMutablePointer<Int32>?, _ uvOffset: UnsafeMutablePointer<Int>?,
    _ size: UnsafeMutablePointer<Int>?
) -> Int32 {
    calling {
        guard let stride, let uvOffset, let size else { throw CAPIError(code: CV_EINVAL, message: "null output pointer") }
        let layout = try NV12Layout(width: Int(width), height: Int(height), yStride: stride.pointee == 0 ? nil : Int(stride.pointee))
        guard let rowStride = Int32(exactly: layout.yStride) else { throw CAPIError(code: CV_EINVAL, message: "the stride overflows an int") }
        (stride.pointee, uvOffset.pointee, size.pointee) = (rowStride, layout.uvOffset, layout.bufferSize)
    }
}

extension Frame {
    /// The Swift frame of a C caller's, checked. A frame in memory borrows the caller's
    /// memory, valid during the call only: it is read in place and must not be kept.
    init(_ frame: cv_frame) throws {
        let color = try ColorDescription(matrix: frame.matrix, range: frame.range, chromaLocation: frame.chroma_location)
        switch Int(frame.kind) {
        case CV_FRAME_MEMORY:
            guard let data = frame.data, frame.size > 0 else { throw CAPIError(code: CV_EINVAL, message: "no frame data") }
            let layout = try NV12Layout(
                width: Int(frame.width), height: Int(frame.height), yStride: frame.stride == 0 ? nil : Int(frame.stride),
                uvOffset: frame.uv_offset == 0 ? nil : frame.uv_offset, bufferSize: frame.size)
            self = .memory(try NV12Frame(borrowing: UnsafeRawBufferPointer(start: data, count: frame.size), layout: layout, color: color))
        case CV_FRAME_DMABUF:
            guard frame.modifier == 0 else {
                throw CAPIError(code: CV_EINVAL, message: "modifier \(frame.modifier): only DRM_FORMAT_MOD_LINEAR (0) buffers are supported")
            }
            guard frame.buffer_index >= 0 else { throw CAPIError(code: CV_EINVAL, message: "negative buffer index") }
            func plane(_ plane: cv_dmabuf_plane) -> DmaBufPlane { DmaBufPlane(fd: plane.fd, offset: Int(plane.offset), pitch: Int(plane.pitch)) }
            self = .dmaBuf(DmaBufFrame(width: Int(frame.width), height: Int(frame.height), luma: plane(frame.luma),
                                       chroma: plane(frame.chroma), color: color, bufferIndex: Int(frame.buffer_index)))
        default:
            throw CAPIError(code: CV_EINVAL, message: "unknown frame kind \(frame.kind)")
        }
    }
}

extension ColorDescription {
    /// cameraview.h's matrix, range and chroma siting codes.
    init(matrix: Int32, range: Int32, chromaLocation: Int32) throws {
        // Switches, not dictionaries: a frame's colour is read at every submit, which
        // allocates nothing.
        let colorMatrix: ColorMatrix? = switch Int(matrix) {
        case CV_BT601: .bt601
        case CV_BT709: .bt709
        default: nil
        }
        let colorRange: ColorRange? = switch Int(range) {
        case CV_RANGE_FULL: .full
        case CV_RANGE_LIMITED: .limited
        default: nil
        }
        guard let colorMatrix, let colorRange else { throw CAPIError(code: CV_EINVAL, message: "unknown matrix \(matrix) or range \(range)") }
        self.init(matrix: colorMatrix, range: colorRange, chromaLocation: try ChromaLocation(code: chromaLocation))
    }
}

extension ChromaLocation {
    /// cameraview.h's CV_CHROMA_* code.
    init(code: Int32) throws {
        switch Int(code) {
        case CV_CHROMA_LEFT: self = .left
        case CV_CHROMA_CENTER: self = .center
        case CV_CHROMA_TOP_LEFT: self = .topLeft
        default: throw CAPIError(code: CV_EINVAL, message: "unknown chroma location \(code)")
        }
    }
}

@_cdecl("cv_view_submit_nv12")
public func cv_view_submit_nv12(
    _ view: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ size: Int, _ width: Int32, _ height: Int32,
    _ stride: Int32, _ uvOffset: Int, _ matrix: Int32, _ range: Int32
) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        try boxed.settings.withLock { settings in
            var frame = cv_frame()
            (frame.kind, frame.width, frame.height, frame.matrix, frame.range) = (Int32(CV_FRAME_MEMORY), width, height, matrix, range)
            (frame.chroma_location, frame.data, frame.size, frame.stride, frame.uv_offset) = (settings.chromaLocation, data, size, stride, uvOffset)
            // Uploaded now, from the caller's memory: what is kept is the frame without it.
            guard case .memory(let borrowed) = try Frame(frame) else { return }
            try boxed.view.upload(borrowed)
            boxed.stream.show(.memory(borrowed.uploaded()))
        }
    }
}

@_cdecl("cv_view_submit_dmabuf")
public func cv_view_submit_dmabuf(
    _ view: OpaquePointer?, _ width: Int32, _ height: Int32, _ luma: UnsafePointer<cv_dmabuf_plane>?,
    _ chroma: UnsafePointer<cv_dmabuf_plane>?, _ modifier: UInt64, _ matrix: Int32, _ range: Int32, _ bufferIndex: Int32
) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let luma, let chroma else { throw CAPIError(code: CV_EINVAL, message: "null plane") }
        try boxed.settings.withLock { settings in
            var frame = cv_frame()
            (frame.kind, frame.width, frame.height, frame.matrix, frame.range) = (Int32(CV_FRAME_DMABUF), width, height, matrix, range)
            (frame.chroma_location, frame.luma, frame.chroma) = (settings.chromaLocation, luma.pointee, chroma.pointee)
            (frame.modifier, frame.buffer_index) = (modifier, bufferIndex)
            let converted = try Frame(frame)
            if case .dmaBuf(let dmaBuf) = converted { try dmaBuf.validate() }
            boxed.stream.show(converted)
        }
    }
}

@_cdecl("cv_view_set_chroma_location")
public func cv_view_set_chroma_location(_ view: OpaquePointer?, _ location: Int32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        _ = try ChromaLocation(code: location)  // checked now; kept as the code later frames carry
        boxed.settings.withLock { $0.chromaLocation = location }
    }
}

@_cdecl("cv_view_set_render_options")
public func cv_view_set_render_options(_ view: OpaquePointer?, _ options: UnsafePointer<cv_render_options>?) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        let converted = try options.map { try RenderOptions($0.pointee) } ?? RenderOptions()
        boxed.settings.withLock { $0.options = converted }
    }
}

extension RenderOptions {
    /// The Swift options for a C caller's struct (the output size comes with each render).
    init(_ options: cv_render_options) throws {
        let fits: [Int32: FitMode] = [Int32(CV_FIT_CONTAIN): .contain, Int32(CV_FIT_COVER): .cover, Int32(CV_FIT_STRETCH): .stretch]
        let filters: [Int32: SampleFilter] = [
            Int32(CV_FILTER_AUTOMATIC): .automatic, Int32(CV_FILTER_NEAREST): .nearest,
            Int32(CV_FILTER_BILINEAR): .bilinear, Int32(CV_FILTER_AREA): .area,
        ]
        guard let fit = fits[options.fit] else { throw CAPIError(code: CV_EINVAL, message: "unknown fit \(options.fit)") }
        guard let filter = filters[options.filter] else { throw CAPIError(code: CV_EINVAL, message: "unknown filter \(options.filter)") }
        let bars: [Int32: Letterbox] = [
            Int32(CV_LETTERBOX_BLACK): .black, Int32(CV_LETTERBOX_TRANSPARENT): .transparent, Int32(CV_LETTERBOX_UNTOUCHED): .untouched,
        ]
        guard let letterbox = bars[options.letterbox] else { throw CAPIError(code: CV_EINVAL, message: "unknown letterbox \(options.letterbox)") }
        guard options.zoom.isFinite, options.zoom >= 0 else { throw CAPIError(code: CV_EINVAL, message: "zoom must be finite and not negative") }
        let transform = options.frame_to_output.map { matrix in
            Matrix3(rows: (0..<3).map { row in (0..<3).map { matrix[row * 3 + $0] } })
        }
        if let transform, !transform.rows.joined().allSatisfy(\.isFinite) {
            throw CAPIError(code: CV_EINVAL, message: "frame_to_output has a value that is not finite")
        }
        self.init(fit: fit, mirror: options.mirror != 0, zoom: options.zoom == 0 ? 1 : options.zoom,
                  frameToOutput: transform, filter: filter, letterbox: letterbox)
    }
}
