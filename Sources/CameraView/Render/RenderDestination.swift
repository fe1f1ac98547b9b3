import CEGL

/// Where a view draws: its offscreen framebuffer, an EGL window surface (a GBM surface),
/// or a host's framebuffer in the host's context.
enum RenderDestination {
    case offscreen
    case window(SurfaceObjects, size: PixelSize)
    case host(HostFramebuffer)

    var surfaceObjects: SurfaceObjects? {
        if case .window(let objects, _) = self { return objects }
        return nil
    }

    var surface: EGLSurface? { surfaceObjects?.eglSurface }

    var fixedSize: PixelSize? {
        switch self {
        case .offscreen: nil
        case .window(_, let size): size
        case .host(let target): target.viewport.size
        }
    }

    var isHost: Bool {
        if case .host = self { return true }
        return false
    }

    /// Window surfaces and bottom-left host framebuffers show GL's top row first.
    var flipsVertically: Bool {
        switch self {
        case .offscreen: false
        case .window: true
        case .host(let target): target.origin == .bottomLeft
        }
    }
}
