import CEGL

/// The GL state a view's draw touches, captured before drawing into a host's context and
/// put back afterwards, so the host's bindings, switches and pixel-store settings survive.
/// Fixed-size storage: a host draws every frame, and this allocates nothing.
struct GLStateSnapshot {
    /// Switches that would change our draw; off while we draw.
    private static let switches: [GLenum] = [
        GL_BLEND, GL_SCISSOR_TEST, GL_DEPTH_TEST, GL_STENCIL_TEST, GL_CULL_FACE,
        GL_DITHER, GL_POLYGON_OFFSET_FILL, GL_SAMPLE_COVERAGE, GL_SAMPLE_ALPHA_TO_COVERAGE, GL_RASTERIZER_DISCARD,
    ].map { GLenum($0) }
    /// Pixel-store settings we set, restored with glPixelStorei.
    private static let pixelStore: [GLenum] = [
        GL_UNPACK_ROW_LENGTH, GL_UNPACK_ALIGNMENT, GL_UNPACK_SKIP_ROWS, GL_UNPACK_SKIP_PIXELS,
        GL_PACK_ALIGNMENT, GL_PACK_ROW_LENGTH,
    ].map { GLenum($0) }

    private let externalTextures: Bool
    private var enabled: UInt32 = 0
    private var pixelStoreValues: (GLint, GLint, GLint, GLint, GLint, GLint) = (0, 0, 0, 0, 0, 0)
    private var viewport: (GLint, GLint, GLint, GLint) = (0, 0, 0, 0)
    private var colorMask: (GLboolean, GLboolean, GLboolean, GLboolean) = (0, 0, 0, 0)
    private var drawFramebuffer: GLint = 0, readFramebuffer: GLint = 0, program: GLint = 0
    private var vertexArray: GLint = 0, activeTexture: GLint = 0, unpackBuffer: GLint = 0, packBuffer: GLint = 0
    /// Texture unit 0 and 1: 2D texture, external texture, sampler object.
    private var unit0: (GLint, GLint, GLint) = (0, 0, 0), unit1: (GLint, GLint, GLint) = (0, 0, 0)

    init(externalTextures: Bool) {
        self.externalTextures = externalTextures
        func integer(_ name: Int32) -> GLint {
            var value: GLint = 0
            glGetIntegerv(GLenum(name), &value)
            return value
        }
        (drawFramebuffer, readFramebuffer) = (integer(GL_DRAW_FRAMEBUFFER_BINDING), integer(GL_READ_FRAMEBUFFER_BINDING))
        (program, vertexArray) = (integer(GL_CURRENT_PROGRAM), integer(GL_VERTEX_ARRAY_BINDING))
        activeTexture = integer(GL_ACTIVE_TEXTURE)
        (unpackBuffer, packBuffer) = (integer(GL_PIXEL_UNPACK_BUFFER_BINDING), integer(GL_PIXEL_PACK_BUFFER_BINDING))
        withUnsafeMutableBytes(of: &viewport) { glGetIntegerv(GLenum(GL_VIEWPORT), $0.bindMemory(to: GLint.self).baseAddress) }
        withUnsafeMutableBytes(of: &colorMask) { glGetBooleanv(GLenum(GL_COLOR_WRITEMASK), $0.bindMemory(to: GLboolean.self).baseAddress) }
        withUnsafeMutableBytes(of: &pixelStoreValues) { values in
            let slots = values.bindMemory(to: GLint.self)
            for (index, name) in Self.pixelStore.enumerated() { glGetIntegerv(name, slots.baseAddress! + index) }
        }
        for (bit, name) in Self.switches.enumerated() where glIsEnabled(name) == GLboolean(GL_TRUE) {
            enabled |= 1 << UInt32(bit)
        }
        unit0 = textureUnit(0)
        unit1 = textureUnit(1)
    }

    private func textureUnit(_ unit: GLenum) -> (GLint, GLint, GLint) {
        var binding: (GLint, GLint, GLint) = (0, 0, 0)
        glActiveTexture(GLenum(GL_TEXTURE0) + unit)
        glGetIntegerv(GLenum(GL_TEXTURE_BINDING_2D), &binding.0)
        if externalTextures { glGetIntegerv(GLenum(GL_TEXTURE_BINDING_EXTERNAL_OES), &binding.1) }
        glGetIntegerv(GLenum(GL_SAMPLER_BINDING), &binding.2)
        return binding
    }

    /// Leaves the context in the state our draw expects: no switches, plain pixel store,
    /// no sampler objects, no pixel buffers, all colour channels written.
    func neutralize() {
        for name in Self.switches { glDisable(name) }
        glColorMask(GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE))
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), 0)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), 0)
        glPixelStorei(GLenum(GL_UNPACK_SKIP_ROWS), 0)
        glPixelStorei(GLenum(GL_UNPACK_SKIP_PIXELS), 0)
        glBindSampler(0, 0)
        glBindSampler(1, 0)
    }

    private func restoreTextureUnit(_ unit: GLenum, _ binding: (GLint, GLint, GLint)) {
        glActiveTexture(GLenum(GL_TEXTURE0) + unit)
        glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(binding.0))
        if externalTextures { glBindTexture(GLenum(GL_TEXTURE_EXTERNAL_OES), GLuint(binding.1)) }
        glBindSampler(unit, GLuint(binding.2))
    }

    func restore() {
        restoreTextureUnit(0, unit0)
        restoreTextureUnit(1, unit1)
        for (bit, name) in Self.switches.enumerated() {
            if enabled & (1 << UInt32(bit)) != 0 { glEnable(name) } else { glDisable(name) }
        }
        glColorMask(colorMask.0, colorMask.1, colorMask.2, colorMask.3)
        var values = pixelStoreValues
        withUnsafeBytes(of: &values) { stored in
            for (index, name) in Self.pixelStore.enumerated() { glPixelStorei(name, stored.load(fromByteOffset: index * 4, as: GLint.self)) }
        }
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), GLuint(drawFramebuffer))
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), GLuint(readFramebuffer))
        glViewport(viewport.0, viewport.1, viewport.2, viewport.3)
        glUseProgram(GLuint(program))
        glBindVertexArray(GLuint(vertexArray))
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), GLuint(unpackBuffer))
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), GLuint(packBuffer))
        glActiveTexture(GLenum(activeTexture))
    }
}
