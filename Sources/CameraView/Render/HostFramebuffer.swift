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
