import CameraView
import CCameraView

// The C API's renders: cv_view_render and its conveniences over the submitted frame.

@_cdecl("cv_view_render")
public func cv_view_render(
    _ view: OpaquePointer?, _ frame: UnsafePointer<cv_frame>?, _ target: UnsafePointer<cv_target>?,
    _ options: UnsafePointer<cv_render_options>?
) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let frame, let target else { throw CAPIError(code: CV_EINVAL, message: "null frame or target") }
        try render(boxed, Frame(frame.pointee), into: target.pointee, options: options.map { try RenderOptions($0.pointee) } ?? RenderOptions())
    }
}

/// Renders `frame` into a C target: the one path of cv_view_render, cv_view_render_rgba and
/// cv_view_render_to_fbo.
func render(_ boxed: CView, _ frame: Frame, into target: cv_target, options: RenderOptions) throws {
    guard target.width > 0, target.height > 0 else { throw CAPIError(code: CV_EINVAL, message: "the target's size must be positive") }
    let size = PixelSize(width: Int(target.width), height: Int(target.height))
    switch Int(target.kind) {
    case CV_TARGET_RGBA:
        guard let rgba = target.rgba, target.size >= size.width * size.height * 4 else {
            throw CAPIError(code: CV_EINVAL, message: "the output buffer is missing or smaller than width * height * 4")
        }
        // Read back straight into the caller's memory.
        var image = RenderTarget.image(into: UnsafeMutableRawBufferPointer(start: rgba, count: size.width * size.height * 4), size: size)
        try boxed.view.render(frame, into: &image, options: options)
    case CV_TARGET_FBO:
        let origin: HostFramebuffer.Origin = switch Int(target.origin) {
        case CV_ORIGIN_BOTTOM_LEFT: .bottomLeft
        case CV_ORIGIN_TOP_LEFT: .topLeft
        default: throw CAPIError(code: CV_EINVAL, message: "unknown origin \(target.origin)")
        }
        var host = RenderTarget.host(HostFramebuffer(
            framebuffer: target.fbo, viewport: PixelRect(x: Int(target.x), y: Int(target.y), width: size.width, height: size.height),
            origin: origin))
        try boxed.view.render(frame, into: &host, options: options)
    default:
        throw CAPIError(code: CV_EINVAL, message: "unknown target kind \(target.kind)")
    }
}

/// The frame the view shows and the options to render it with.
func latestFrame(_ boxed: CView) throws -> (Frame, RenderOptions) {
    guard let frame = boxed.stream.latest?.frame else {
        throw CAPIError(code: CV_ENOFRAME, message: "no frame to show (none submitted or received, or its buffers are gone)")
    }
    return (frame, boxed.settings.withLock { $0.options })
}

@_cdecl("cv_view_draw")
public func cv_view_draw(_ view: OpaquePointer?, _ target: UnsafePointer<cv_target>?) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let target else { throw CAPIError(code: CV_EINVAL, message: "null target") }
        let (frame, options) = try latestFrame(boxed)
        try render(boxed, frame, into: target.pointee, options: options)
    }
}

@_cdecl("cv_view_render_to_fbo")
public func cv_view_render_to_fbo(_ view: OpaquePointer?, _ fbo: UInt32, _ x: Int32, _ y: Int32, _ width: Int32, _ height: Int32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        var target = cv_target()
        (target.kind, target.fbo, target.x, target.y, target.width, target.height) = (Int32(CV_TARGET_FBO), fbo, x, y, width, height)
        let (frame, options) = try latestFrame(boxed)
        try render(boxed, frame, into: target, options: options)
    }
}

@_cdecl("cv_view_render_rgba")
public func cv_view_render_rgba(_ view: OpaquePointer?, _ rgba: UnsafeMutablePointer<UInt8>?, _ size: Int, _ width: Int32, _ height: Int32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        var target = cv_target()
        (target.kind, target.rgba, target.size, target.width, target.height) = (Int32(CV_TARGET_RGBA), rgba, size, width, height)
        let (frame, options) = try latestFrame(boxed)
        try render(boxed, frame, into: target, options: options)
    }
}

@_cdecl("cv_view_last_import_path")
public func cv_view_last_import_path(_ view: OpaquePointer?) -> Int32 {
    guard let boxed = try? views.lookup(view) else { return CV_ECLOSED }
    return switch boxed.view.lastImportPath {
    case nil: Int32(CV_IMPORT_NONE)
    case .perPlane: Int32(CV_IMPORT_PER_PLANE)
    case .external: Int32(CV_IMPORT_EXTERNAL)
    case .mappedUpload: Int32(CV_IMPORT_MAPPED_UPLOAD)
    }
}
