import CEGL

/// A render target resolved for one frame: every question the render asks of the target's
/// kind, answered here once (`RenderTarget.resolved`), so the rest of the render reads
/// values instead of asking the kind again.
struct ResolvedTarget: Equatable {
    /// How the render ends once the conversion is drawn.
    enum Finish: Equatable {
        /// The view's offscreen target read back into the image (or the caller's memory).
        case readImage
        /// The surface swapped and its front buffer read back, or handed out as a dma-buf.
        case presentSurface(exporting: Bool)
        /// Nothing: a host presents on its own schedule.
        case none
    }

    let outputSize: PixelSize
    /// The framebuffer (in the context the render runs in) and the viewport drawn; nil for
    /// an image, drawn into the view's own offscreen target.
    let framebuffer: (name: GLuint, viewport: PixelRect)?
    /// Whether GL's first row shows at the top (a window surface, a bottom-left host).
    let flipsVertically: Bool
    /// A host's framebuffer: its pixels under untouched bars stay, and its name means
    /// something only in the host's context (the device must adopt it).
    let isHosts: Bool
    let finish: Finish

    /// The view's own image: the only kind the packed outputs (several pixels a texel) can
    /// be read from.
    var isImage: Bool { framebuffer == nil }

    static func == (a: ResolvedTarget, b: ResolvedTarget) -> Bool {
        a.outputSize == b.outputSize && a.framebuffer?.name == b.framebuffer?.name && a.framebuffer?.viewport == b.framebuffer?.viewport
            && a.flipsVertically == b.flipsVertically && a.isHosts == b.isHosts && a.finish == b.finish
    }
}

extension RenderTarget {
    /// This target for a frame of `frame`'s size: the one place its kind is looked at.
    func resolved(frame: PixelSize) -> ResolvedTarget {
        switch destination {
        case .image(let size):
            ResolvedTarget(outputSize: size ?? frame, framebuffer: nil, flipsVertically: false, isHosts: false, finish: .readImage)
        case .surface(let surface, let exporting):
            ResolvedTarget(
                outputSize: surface.size, framebuffer: (0, PixelRect(x: 0, y: 0, width: surface.size.width, height: surface.size.height)),
                flipsVertically: true, isHosts: false, finish: .presentSurface(exporting: exporting))
        case .host(let host):
            ResolvedTarget(
                outputSize: host.viewport.size, framebuffer: (GLuint(host.framebuffer), host.viewport),
                flipsVertically: host.origin == .bottomLeft, isHosts: true, finish: .none)
        }
    }

    /// The GBM surface drawn into, if this target is one.
    var surface: GBMSurface? {
        if case .surface(let surface, _) = destination { return surface }
        return nil
    }
}
