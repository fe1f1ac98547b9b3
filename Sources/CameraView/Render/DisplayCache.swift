import CEGL

/// A view's last conversion for a host framebuffer or a GBM surface: a texture in the
/// target's own pixel format behind a framebuffer, copied into the target with
/// `glBlitFramebuffer`. When the layouts match, llvmpipe copies memory (an 861x540 pane into
/// raylib-sdl's window: about 0.1 ms, where a cache in another layout is drawn by its
/// blitter, about 1 ms), and a render of the same frame is only that copy. Made once per
/// size and layout and reused.
struct DisplayCache: ~Copyable, SizedGPUObjects {
    struct Key: Hashable {
        let size: PixelSize
        /// Whether texels are stored B, G, R, A (else R, G, B, A).
        let bgra: Bool
        /// Whether the context is OpenGL ES (a desktop GL host's names BGRA storage otherwise).
        let gles: Bool
        /// Whether the cache holds the picture upside down and is copied flipped: into a
        /// window surface, which Mesa stores top row first, a flipped copy is a straight
        /// memory copy and an unflipped one a draw.
        let flipped: Bool
    }

    let key: Key
    /// The conversion the cache holds, nil while none is whole.
    var converted: ConversionKey?
    private let objects: OwnerGroup
    let framebufferName: GLuint
    private let texture: GLuint

    init(key: Key, table: HandleTable, in scope: borrowing ContextScope) throws {
        let (objects, (framebuffer, texture)) = try OwnerGroup.building(scope.teardown) { objects in
            let texture = objects.adopt(try table.create(.texture, in: scope))
            glBindTexture(GLenum(GL_TEXTURE_2D), texture)
            // Mesa stores a texture in the layout its first specification names: BGRA is
            // GL_BGRA_EXT in GLES (EXT_texture_format_BGRA8888); in desktop GL only unsized
            // GL_RGBA given as GL_BGRA / 8_8_8_8_REV is (a sized GL_RGBA8 stays R8G8B8A8,
            // seen in a GALLIUM_TRACE of the blit).
            let (internalFormat, format, type) = switch (key.bgra, key.gles) {
            case (true, true): (GL_BGRA_EXT, GL_BGRA_EXT, GL_UNSIGNED_BYTE)
            case (true, false): (GL_RGBA, GL_BGRA_EXT, Self.unsignedInt8888Reversed)
            case (false, _): (GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE)
            }
            PixelStore.setDefaults()
            glTexImage2D(GLenum(GL_TEXTURE_2D), 0, internalFormat, GLsizei(key.size.width), GLsizei(key.size.height), 0,
                         GLenum(format), GLenum(type), nil)
            glBindTexture(GLenum(GL_TEXTURE_2D), 0)
            try GLCheck.noError("glTexImage2D \(key.size) (display cache)")
            let framebuffer = objects.adopt(try table.create(.framebuffer, in: scope))
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
            defer { glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0) }
            glFramebufferTexture2D(GLenum(GL_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_TEXTURE_2D), texture, 0)
            let status = glCheckFramebufferStatus(GLenum(GL_FRAMEBUFFER))
            try FaultInjection.step(operation: "glCheckFramebufferStatus", kind: .framebuffer)
            guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
                throw CameraViewError.gl(operation: "glCheckFramebufferStatus (display cache)", code: status)
            }
            return (framebuffer, texture)
        }
        (self.key, self.objects, framebufferName, self.texture) = (key, objects, framebuffer, texture)
    }

    consuming func release(in teardown: Teardown) { objects.release(in: teardown) }

    /// GL_UNSIGNED_INT_8_8_8_8_REV (desktop GL; not in the GLES headers).
    private static let unsignedInt8888Reversed: Int32 = 0x8367

    /// The cache `target` can be drawn through; nil for images, which keep their own.
    static func key(for target: ResolvedTarget, info: DeviceInfo) throws -> Key? {
        guard let (framebuffer, viewport) = target.framebuffer else { return nil }
        return try key(copyingInto: framebuffer, size: viewport.size, info: info)
    }

    /// The key of a cache of `size` for `framebuffer`: laid out as the framebuffer is, so
    /// the copy is a memory copy. A window surface (framebuffer 0) is B8G8R8A8 and stored
    /// top row first in Mesa, on every platform here, whatever desktop GL's read-format
    /// query says of it (GL_RGBA); a framebuffer object as it reads back natively
    /// (GL_IMPLEMENTATION_COLOR_READ_FORMAT). A wrong guess costs speed, never pixels: the
    /// blit converts. Nil when nothing can be copied in (a multisampled framebuffer takes
    /// no blit from a single-sampled one: drawn directly).
    static func key(copyingInto framebuffer: GLuint, size: PixelSize, info: DeviceInfo) throws -> Key? {
        try NV12Renderer.bindDrawFramebuffer(framebuffer)
        defer { glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0) }
        var sampleBuffers: GLint = 0
        glGetIntegerv(GLenum(GL_SAMPLE_BUFFERS), &sampleBuffers)
        guard sampleBuffers == 0 else { return nil }
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebuffer)
        defer { glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0) }
        var format: GLint = 0, type: GLint = 0
        glGetIntegerv(GLenum(GL_IMPLEMENTATION_COLOR_READ_FORMAT), &format)
        glGetIntegerv(GLenum(GL_IMPLEMENTATION_COLOR_READ_TYPE), &type)
        GLCheck.discardPendingErrors()
        let gles = info.glVersion.contains("OpenGL ES")
        let window = framebuffer == 0
        let bgra = (window || format == GL_BGRA_EXT && type == GL_UNSIGNED_BYTE) && (info.bgraTextures || !gles)
        return Key(size: size, bgra: bgra, gles: gles, flipped: window)
    }

    /// Fills the cache from `pixels`: rows of `rowLength` pixels in the cache's byte order.
    func fill(from pixels: UnsafeRawBufferPointer, rowLength: Int, in scope: borrowing ContextScope) throws {
        precondition(pixels.count >= rowLength * key.size.height * 4 && rowLength >= key.size.width, "pixels for the cache")
        let (format, type) = switch (key.bgra, key.gles) {
        case (true, true): (GL_BGRA_EXT, GL_UNSIGNED_BYTE)
        case (true, false): (GL_BGRA_EXT, Self.unsignedInt8888Reversed)
        case (false, _): (GL_RGBA, GL_UNSIGNED_BYTE)
        }
        glBindTexture(GLenum(GL_TEXTURE_2D), texture)
        defer { glBindTexture(GLenum(GL_TEXTURE_2D), 0) }
        PixelStore.forUpload(rowLength: GLint(rowLength))
        glTexSubImage2D(GLenum(GL_TEXTURE_2D), 0, 0, 0, GLsizei(key.size.width), GLsizei(key.size.height),
                        GLenum(format), GLenum(type), pixels.baseAddress)
        try GLCheck.noError("glTexSubImage2D (display cache)")
    }

    /// Copies the cache into `framebuffer` at `viewport`, pixel for pixel.
    func copy(into framebuffer: GLuint, at viewport: PixelRect) throws {
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebufferName)
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), framebuffer)
        defer {
            glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0)
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0)
        }
        let (top, bottom) = key.flipped ? (GLint(key.size.height), 0) : (0, GLint(key.size.height))
        glBlitFramebuffer(
            0, top, GLint(key.size.width), bottom, GLint(viewport.x), GLint(viewport.y),
            GLint(viewport.x + viewport.width), GLint(viewport.y + viewport.height), GLbitfield(GL_COLOR_BUFFER_BIT), GLenum(GL_NEAREST))
        try GLCheck.noError("glBlitFramebuffer (display cache)")
    }
}
