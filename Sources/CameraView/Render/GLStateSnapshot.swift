import CEGL

/// The GL state any of our work touches, captured before it runs in a context we did not
/// create (an adopted host's) and put back afterwards, so the host's bindings, switches
/// and pixel-store settings survive every entry point: device adoption, view creation,
/// renders, draws and closes (`ContextScope.entering` applies it). Fixed-size storage: a
/// host draws every frame, and this allocates nothing.
struct GLStateSnapshot {
    /// Switches that would change our draw; off while we draw.
    private static let switches: InlineArray<10, GLenum> = [
        GLenum(GL_BLEND), GLenum(GL_SCISSOR_TEST), GLenum(GL_DEPTH_TEST), GLenum(GL_STENCIL_TEST),
        GLenum(GL_CULL_FACE), GLenum(GL_DITHER), GLenum(GL_POLYGON_OFFSET_FILL), GLenum(GL_SAMPLE_COVERAGE),
        GLenum(GL_SAMPLE_ALPHA_TO_COVERAGE), GLenum(GL_RASTERIZER_DISCARD),
    ]
    /// Texture units our draws and texture set-up use (unit 0 is active while we work).
    private static let units: InlineArray<2, GLenum> = [0, 1]

    private let externalTextures: Bool
    private var enabled: InlineArray<10, Bool> = .init(repeating: false)
    private var pixelStore: InlineArray<10, GLint> = .init(repeating: 0)
    private var viewport: InlineArray<4, GLint> = .init(repeating: 0)
    private var colorMask: InlineArray<4, GLboolean> = .init(repeating: 0)
    private var drawFramebuffer: GLint = 0, readFramebuffer: GLint = 0, renderbuffer: GLint = 0
    private var program: GLint = 0, vertexArray: GLint = 0, activeTexture: GLint = 0
    private var unpackBuffer: GLint = 0, packBuffer: GLint = 0
    /// Per unit: 2D texture, external texture, sampler object.
    private var textures: InlineArray<2, (GLint, GLint, GLint)> = .init(repeating: (0, 0, 0))

    /// Captures the current context's state (`externalTextures`: whether
    /// GL_TEXTURE_EXTERNAL_OES bindings exist there).
    init(externalTextures: Bool) {
        self.externalTextures = externalTextures
        (drawFramebuffer, readFramebuffer) = (Self.integer(GL_DRAW_FRAMEBUFFER_BINDING), Self.integer(GL_READ_FRAMEBUFFER_BINDING))
        renderbuffer = Self.integer(GL_RENDERBUFFER_BINDING)
        (program, vertexArray) = (Self.integer(GL_CURRENT_PROGRAM), Self.integer(GL_VERTEX_ARRAY_BINDING))
        activeTexture = Self.integer(GL_ACTIVE_TEXTURE)
        (unpackBuffer, packBuffer) = (Self.integer(GL_PIXEL_UNPACK_BUFFER_BINDING), Self.integer(GL_PIXEL_PACK_BUFFER_BINDING))
        withUnsafeMutableBytes(of: &viewport) { glGetIntegerv(GLenum(GL_VIEWPORT), $0.assumingMemoryBound(to: GLint.self).baseAddress) }
        withUnsafeMutableBytes(of: &colorMask) { glGetBooleanv(GLenum(GL_COLOR_WRITEMASK), $0.assumingMemoryBound(to: GLboolean.self).baseAddress) }
        for index in PixelStore.names.indices { pixelStore[index] = Self.integer(Int32(PixelStore.names[index])) }
        for index in Self.switches.indices { enabled[index] = glIsEnabled(Self.switches[index]) == GLboolean(GL_TRUE) }
        for index in Self.units.indices {
            glActiveTexture(GLenum(GL_TEXTURE0) + Self.units[index])
            textures[index] = (
                Self.integer(GL_TEXTURE_BINDING_2D), externalTextures ? Self.integer(GL_TEXTURE_BINDING_EXTERNAL_OES) : 0,
                Self.integer(GL_SAMPLER_BINDING))
        }
    }

    private static func integer(_ name: Int32) -> GLint {
        var value: GLint = 0
        glGetIntegerv(GLenum(name), &value)
        return value
    }

    /// Leaves the context in the state our work expects: no switches, default pixel store,
    /// no pixel buffers or sampler objects, texture unit 0 active, all channels written.
    func neutralize() {
        for index in Self.switches.indices { glDisable(Self.switches[index]) }
        glColorMask(GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE))
        PixelStore.setDefaults()
        for index in Self.units.indices { glBindSampler(Self.units[index], 0) }
        glActiveTexture(GLenum(GL_TEXTURE0))
    }

    func restore() {
        for index in Self.units.indices {
            glActiveTexture(GLenum(GL_TEXTURE0) + Self.units[index])
            glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(textures[index].0))
            if externalTextures { glBindTexture(GLenum(GL_TEXTURE_EXTERNAL_OES), GLuint(textures[index].1)) }
            glBindSampler(Self.units[index], GLuint(textures[index].2))
        }
        for index in Self.switches.indices {
            if enabled[index] { glEnable(Self.switches[index]) } else { glDisable(Self.switches[index]) }
        }
        glColorMask(colorMask[0], colorMask[1], colorMask[2], colorMask[3])
        for index in PixelStore.names.indices { glPixelStorei(PixelStore.names[index], pixelStore[index]) }
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), GLuint(drawFramebuffer))
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), GLuint(readFramebuffer))
        glBindRenderbuffer(GLenum(GL_RENDERBUFFER), GLuint(renderbuffer))
        glViewport(viewport[0], viewport[1], viewport[2], viewport[3])
        glUseProgram(GLuint(program))
        glBindVertexArray(GLuint(vertexArray))
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), GLuint(unpackBuffer))
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), GLuint(packBuffer))
        glActiveTexture(GLenum(activeTexture))
    }
}

/// Every pixel-store parameter a transfer obeys, set in full before each of ours: a
/// context may hold any value of any of them (a host's, or our previous transfer's).
enum PixelStore {
    /// The unpack parameters, then the pack parameters.
    static let names: InlineArray<10, GLenum> = [
        GLenum(GL_UNPACK_ROW_LENGTH), GLenum(GL_UNPACK_IMAGE_HEIGHT), GLenum(GL_UNPACK_SKIP_ROWS),
        GLenum(GL_UNPACK_SKIP_PIXELS), GLenum(GL_UNPACK_SKIP_IMAGES), GLenum(GL_UNPACK_ALIGNMENT),
        GLenum(GL_PACK_ROW_LENGTH), GLenum(GL_PACK_SKIP_ROWS), GLenum(GL_PACK_SKIP_PIXELS), GLenum(GL_PACK_ALIGNMENT),
    ]
    /// GL's initial values, in the order of `names`.
    private static let defaults: InlineArray<10, GLint> = [0, 0, 0, 0, 0, 4, 0, 0, 0, 4]

    static func setDefaults() {
        for index in names.indices { glPixelStorei(names[index], defaults[index]) }
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), 0)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), 0)
    }

    /// Uploads read client memory rows `rowLength` texels apart, byte-aligned, from the
    /// first pixel on.
    static func forUpload(rowLength: GLint) {
        setDefaults()
        glPixelStorei(GLenum(GL_UNPACK_ALIGNMENT), 1)
        glPixelStorei(GLenum(GL_UNPACK_ROW_LENGTH), rowLength)
    }

    /// Readbacks write client memory rows `rowLength` pixels apart, from the first on.
    static func forReadback(rowLength: GLint) {
        setDefaults()
        glPixelStorei(GLenum(GL_PACK_ROW_LENGTH), rowLength)
    }
}
