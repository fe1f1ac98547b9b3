/// Where a render goes, and the output's size: an image CameraView reads back into (a new
/// one, or the caller's, whose storage is reused), a GBM surface (read back, or its front
/// buffer handed out as a dma-buf), or a host's framebuffer in the host's context. Keep a
/// target across frames: an image target reuses its pixels while the size stays.
public struct RenderTarget: Sendable {
    enum Destination: Sendable {
        /// Nil: the frame's own size.
        case image(size: PixelSize?)
        case surface(GBMSurface, exporting: Bool)
        case host(HostFramebuffer)
    }

    let destination: Destination
    /// The last render's pixels (image targets and read-back surfaces).
    public internal(set) var image: RGBAImage?
    /// The last render's front buffer (exporting surfaces): valid until the next render
    /// into this target, which closes it; close it yourself when done.
    public internal(set) var exportedBuffer: ExportedBuffer?
    /// Memory an image target is read back into instead of `image` (the C API's caller's).
    package private(set) var callerPixels: CallerPixels?

    /// A new image of `size` (nil: the frame's size).
    public static func image(size: PixelSize? = nil) -> RenderTarget {
        RenderTarget(destination: .image(size: size))
    }

    /// The caller's image: rendered at its size, into its storage when nothing else
    /// holds it (a steady stream then allocates nothing in Swift).
    public static func image(reusing image: RGBAImage) -> RenderTarget {
        RenderTarget(destination: .image(size: image.size), image: image)
    }

    /// An image of `size` read back straight into `pixels` (exactly width x height x 4
    /// bytes, valid during the render), leaving `image` nil: no copy on the way.
    package static func image(into pixels: UnsafeMutableRawBufferPointer, size: PixelSize) -> RenderTarget {
        precondition(pixels.count == size.width * size.height * 4, "caller pixels of the wrong size")
        return RenderTarget(destination: .image(size: size), callerPixels: CallerPixels(buffer: pixels))
    }

    /// A GBM surface, its front buffer read back into `image`.
    public static func surface(_ surface: GBMSurface) -> RenderTarget {
        RenderTarget(destination: .surface(surface, exporting: false))
    }

    /// A GBM surface whose front buffer is handed out as a dma-buf (`exportedBuffer`).
    public static func exporting(_ surface: GBMSurface) -> RenderTarget {
        RenderTarget(destination: .surface(surface, exporting: true))
    }

    /// A host's framebuffer: the view's device must adopt the host's context. Nothing is
    /// read back, and the host's GL state is as it was afterwards.
    public static func host(_ framebuffer: HostFramebuffer) -> RenderTarget {
        RenderTarget(destination: .host(framebuffer))
    }
}

/// A caller's memory for one render's pixels (Sendable: used only within that render).
package struct CallerPixels: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
}

/// A host's framebuffer (0 for its window surface) and the viewport to fill in it, in the
/// host's context. To draw into a texture, the host attaches it to a framebuffer object.
public struct HostFramebuffer: Sendable, Hashable {
    /// Where row 0 of the frame goes: `.bottomLeft` is GL's convention (the picture shows
    /// upright on a window surface or when the host samples the texture with GL texture
    /// coordinates); `.topLeft` puts the frame's first row at the viewport's lowest y.
    public enum Origin: Sendable, Hashable { case bottomLeft, topLeft }

    public var framebuffer: UInt32
    public var viewport: PixelRect
    public var origin: Origin

    public init(framebuffer: UInt32, viewport: PixelRect, origin: Origin = .bottomLeft) {
        (self.framebuffer, self.viewport, self.origin) = (framebuffer, viewport, origin)
    }
}
