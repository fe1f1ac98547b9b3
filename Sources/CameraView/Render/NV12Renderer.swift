import CEGL

/// Issues the draw that converts a view's frame textures into the bound target.
enum NV12Renderer {
    /// Binds `framebuffer` for drawing, checked: a host's name that is no framebuffer, or an
    /// incomplete one, is named in the error rather than failing a draw or copy with
    /// GL_INVALID_FRAMEBUFFER_OPERATION (and left unbound then).
    static func bindDrawFramebuffer(_ framebuffer: GLuint) throws {
        guard framebuffer == 0 || glIsFramebuffer(framebuffer) == GLboolean(GL_TRUE) else {
            throw CameraViewError.incompleteFramebuffer(framebuffer: framebuffer, status: "not a framebuffer in the current context")
        }
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), framebuffer)
        let status = glCheckFramebufferStatus(GLenum(GL_DRAW_FRAMEBUFFER))
        guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0)
            throw CameraViewError.incompleteFramebuffer(framebuffer: framebuffer, status: FramebufferStatusName.name(of: status))
        }
    }

    /// Draws into `framebuffer` over `viewport` with the plan's uniforms. Needs the device
    /// context current; leaves the program, textures, vertex array and framebuffer unbound.
    static func draw(
        program: NV12Program, planes: PlaneTextures, uniforms: UniformValues, vertexArray: GLuint,
        framebuffer: GLuint, viewport: PixelRect
    ) throws {
        try bindDrawFramebuffer(framebuffer)
        glViewport(GLint(viewport.x), GLint(viewport.y), GLsizei(viewport.width), GLsizei(viewport.height))
        glUseProgram(program.name)
        try program.set(uniforms)
        let target = program.variant.mode.textureTarget
        glActiveTexture(GLenum(GL_TEXTURE0))
        glBindTexture(target, planes.luma)
        if planes.chroma != 0 {
            glActiveTexture(GLenum(GL_TEXTURE1))
            glBindTexture(target, planes.chroma)
        }
        glBindVertexArray(vertexArray)
        glDrawArrays(GLenum(GL_TRIANGLES), 0, 3)

        glBindVertexArray(0)
        if planes.chroma != 0 {
            glBindTexture(target, 0)
            glActiveTexture(GLenum(GL_TEXTURE0))
        }
        glBindTexture(target, 0)
        glUseProgram(0)
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0)
        try GLCheck.noError("glDrawArrays (NV12 conversion)")
    }
}
