import CameraView
import CameraViewStreams
import Testing

/// Tests' shorthands over the one render verb, for targets whose result a test reads at once.
extension CameraView {
    /// Renders into a host framebuffer (a `.host` target).
    func render(_ frame: Frame, into framebuffer: HostFramebuffer, options: RenderOptions = RenderOptions()) throws {
        var target = RenderTarget.host(framebuffer)
        try render(frame, into: &target, options: options)
    }

    /// Renders onto a GBM surface and reads its front buffer back.
    func render(_ frame: Frame, onto surface: GBMSurface, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        var target = RenderTarget.surface(surface)
        try render(frame, into: &target, options: options)
        return try #require(target.image)
    }

    /// Renders onto a GBM surface and hands its front buffer out; the caller closes it.
    func export(_ frame: Frame, onto surface: GBMSurface, options: RenderOptions = RenderOptions()) throws -> ExportedBuffer {
        var target = RenderTarget.exporting(surface)
        try render(frame, into: &target, options: options)
        return try #require(target.exportedBuffer)
    }
}

extension StreamView {
    /// Updates, then renders the frame to show into a new image (nil before the first frame).
    func render(size: PixelSize? = nil, options: RenderOptions = RenderOptions()) throws -> RGBAImage? {
        guard let shown = update() else { return nil }
        return try view.render(shown.frame, size: size, options: options)
    }
}
