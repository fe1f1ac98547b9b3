import CEGL
/// A rectangle of pixels in a framebuffer.
public struct PixelRect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    public var size: PixelSize { PixelSize(width: width, height: height) }
}

/// A host's framebuffer (0 for its window surface) and the viewport to fill in it. To
/// draw into a texture, the host attaches it to a framebuffer object.
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

extension CameraView {
    /// Draws `frame` into a host framebuffer, in the host's context (the view's device
    /// must be `RenderDevice.adopting` that context). The host's GL state — bindings,
    /// viewport, program, textures, samplers, pixel store, blend/scissor/depth/stencil and
    /// the other switches — is as it was afterwards. Nothing is read back.
    public func draw(_ frame: NV12Frame, into target: HostFramebuffer, options: RenderOptions = RenderOptions()) throws {
        let size = PixelSize(width: frame.layout.width, height: frame.layout.height)
        try render(size: size, color: frame.color, options: options, destination: .host(target),
                   prepare: { try upload(frame, into: &$0, in: $1) }, finish: { _, _, _ in })
    }

    /// Draws a dma-buf frame into a host framebuffer (see the other `draw`). Returns once
    /// the GPU has finished reading the buffer (glFinish): its producer (a camera's queue,
    /// a VisionIPC ring) may refill it as soon as this returns.
    public func draw(_ frame: DmaBufFrame, into target: HostFramebuffer, options: RenderOptions = RenderOptions()) throws {
        try frame.withLiveBuffers {
            try frame.validate()
            let path = try importPath()
            try render(size: frame.size, color: frame.color, options: options, destination: .host(target),
                       prepare: { try prepare(frame, path: path, into: &$0, in: $1) }, finish: { _, _, _ in glFinish() })
        }
    }
}
