import CEGL

/// The GL state a view's draw touches, captured before drawing into a host's context and
/// put back afterwards, so the host's bindings, switches and pixel-store settings survive.
struct GLStateSnapshot {
    private var integers: [(GLenum, [GLint])] = []
    private var capabilities: [(GLenum, Bool)] = []
    private var textureUnits: [(texture2D: GLint, external: GLint, sampler: GLint)] = []
    private var colorMask: [GLboolean] = [0, 0, 0, 0]
    private let externalTextures: Bool

    /// Switches that would change our draw; off while we draw.
    private static let switches: [Int32] = [
        GL_BLEND, GL_SCISSOR_TEST, GL_DEPTH_TEST, GL_STENCIL_TEST, GL_CULL_FACE,
        GL_DITHER, GL_POLYGON_OFFSET_FILL, GL_SAMPLE_COVERAGE, GL_SAMPLE_ALPHA_TO_COVERAGE, GL_RASTERIZER_DISCARD,
    ]
    /// Bindings and settings we set, with how many values each has.
    private static let settings: [(Int32, Int)] = [
        (GL_DRAW_FRAMEBUFFER_BINDING, 1), (GL_READ_FRAMEBUFFER_BINDING, 1), (GL_VIEWPORT, 4),
        (GL_CURRENT_PROGRAM, 1), (GL_VERTEX_ARRAY_BINDING, 1), (GL_ACTIVE_TEXTURE, 1),
        (GL_PIXEL_UNPACK_BUFFER_BINDING, 1), (GL_PIXEL_PACK_BUFFER_BINDING, 1),
        (GL_UNPACK_ROW_LENGTH, 1), (GL_UNPACK_ALIGNMENT, 1), (GL_UNPACK_SKIP_ROWS, 1), (GL_UNPACK_SKIP_PIXELS, 1),
        (GL_PACK_ALIGNMENT, 1), (GL_PACK_ROW_LENGTH, 1),
    ]
    /// Texture units our draws bind (Y and UV).
    private static let units = 2

    init(externalTextures: Bool) {
        self.externalTextures = externalTextures
        for (name, count) in Self.settings {
            var values = [GLint](repeating: 0, count: count)
            glGetIntegerv(GLenum(name), &values)
            integers.append((GLenum(name), values))
        }
        for name in Self.switches {
            capabilities.append((GLenum(name), glIsEnabled(GLenum(name)) == GLboolean(GL_TRUE)))
        }
        glGetBooleanv(GLenum(GL_COLOR_WRITEMASK), &colorMask)
        for unit in 0..<Self.units {
            glActiveTexture(GLenum(GL_TEXTURE0) + GLenum(unit))
            var texture2D: GLint = 0, external: GLint = 0, sampler: GLint = 0
            glGetIntegerv(GLenum(GL_TEXTURE_BINDING_2D), &texture2D)
            if externalTextures { glGetIntegerv(GLenum(GL_TEXTURE_BINDING_EXTERNAL_OES), &external) }
            glGetIntegerv(GLenum(GL_SAMPLER_BINDING), &sampler)
            textureUnits.append((texture2D, external, sampler))
        }
    }

    /// Leaves the context in the state our draw expects: no switches, plain pixel store,
    /// no sampler objects, no pixel buffers, all colour channels written.
    func neutralize() {
        for (name, _) in capabilities { glDisable(name) }
        glColorMask(GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE))
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), 0)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), 0)
        glPixelStorei(GLenum(GL_UNPACK_SKIP_ROWS), 0)
        glPixelStorei(GLenum(GL_UNPACK_SKIP_PIXELS), 0)
        for unit in 0..<Self.units { glBindSampler(GLuint(unit), 0) }
    }

    func restore() {
        for (unit, binding) in textureUnits.enumerated() {
            glActiveTexture(GLenum(GL_TEXTURE0) + GLenum(unit))
            glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(binding.texture2D))
            if externalTextures { glBindTexture(GLenum(GL_TEXTURE_EXTERNAL_OES), GLuint(binding.external)) }
            glBindSampler(GLuint(unit), GLuint(binding.sampler))
        }
        for (name, enabled) in capabilities {
            if enabled { glEnable(name) } else { glDisable(name) }
        }
        glColorMask(colorMask[0], colorMask[1], colorMask[2], colorMask[3])
        for (name, values) in integers {
            switch Int32(name) {
            case GL_DRAW_FRAMEBUFFER_BINDING: glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), GLuint(values[0]))
            case GL_READ_FRAMEBUFFER_BINDING: glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), GLuint(values[0]))
            case GL_VIEWPORT: glViewport(values[0], values[1], values[2], values[3])
            case GL_CURRENT_PROGRAM: glUseProgram(GLuint(values[0]))
            case GL_VERTEX_ARRAY_BINDING: glBindVertexArray(GLuint(values[0]))
            case GL_ACTIVE_TEXTURE: glActiveTexture(GLenum(values[0]))
            case GL_PIXEL_UNPACK_BUFFER_BINDING: glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), GLuint(values[0]))
            case GL_PIXEL_PACK_BUFFER_BINDING: glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), GLuint(values[0]))
            default: glPixelStorei(name, values[0])
            }
        }
    }
}
