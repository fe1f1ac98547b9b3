import CEGL

/// The textures one frame is sampled from, and how.
struct SampledPlanes {
    let mode: SamplingMode
    let size: PixelSize
    /// Y for plane modes; the one NV12 image for the external mode.
    let luma: GLuint
    /// UV for plane modes; 0 for the external mode.
    var chroma: GLuint = 0
}

/// Issues the draw that converts a view's frame textures into the bound target.
enum NV12Renderer {
    /// Draws into `framebuffer` over `viewport` (the transform works in viewport pixels). Needs the device context current; leaves
    /// the program, textures, vertex array and framebuffer unbound afterwards.
    static func draw(
        program: NV12Program, planes: SampledPlanes, vertexArray: GLuint,
        color: ColorDescription, transform: FrameTransform, bars: Letterbox,
        framebuffer: GLuint, viewport: PixelRect
    ) throws {
        // A host's name that is no framebuffer, or an incomplete one, is named in the error
        // rather than failing the draw with GL_INVALID_FRAMEBUFFER_OPERATION.
        guard framebuffer == 0 || glIsFramebuffer(framebuffer) == GLboolean(GL_TRUE) else {
            throw CameraViewError.incompleteFramebuffer(framebuffer: framebuffer, status: "not a framebuffer in the current context")
        }
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), framebuffer)
        let status = glCheckFramebufferStatus(GLenum(GL_DRAW_FRAMEBUFFER))
        guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0)
            throw CameraViewError.incompleteFramebuffer(framebuffer: framebuffer, status: FramebufferStatusName.name(of: status))
        }
        glViewport(GLint(viewport.x), GLint(viewport.y), GLsizei(viewport.width), GLsizei(viewport.height))
        glUseProgram(program.name)
        let conversion = ColorConversion(color)
        if program.mode == .packedPlanes {
            let codes = conversion.outputCodes
            glUniform1f(program.lumaScale, codes.luma)
            glUniform3f(program.cbScale, codes.cb.x, codes.cb.y, codes.cb.z)
            glUniform3f(program.crScale, codes.cr.x, codes.cr.y, codes.cr.z)
            glUniform1f(program.bias, codes.bias)
            if program.variant.filter == .bilinear {
                let weights = PackedChromaWeights(color.chromaLocation)
                var horizontal = weights.horizontal
                withUnsafePointer(to: &horizontal) {
                    $0.withMemoryRebound(to: Float.self, capacity: 16) { glUniformMatrix4fv(program.chromaWeightsX, 1, GLboolean(GL_FALSE), $0) }
                }
                glUniform3f(program.evenRowWeights, weights.evenRow.x, weights.evenRow.y, weights.evenRow.z)
                glUniform3f(program.oddRowWeights, weights.oddRow.x, weights.oddRow.y, weights.oddRow.z)
                glUniform1i(program.chromaLastRow, GLint((planes.size.height + 1) / 2 - 1))
            } else if program.variant.filter == .area {
                // Chroma box j spans frame [2j + o - 1, 2j + o + 1) about its site o; an
                // output pixel's 2x2 block [2i, 2i + 2) overlaps box i by 1 + o, box i + 1 by 1 - o.
                let origin = color.chromaLocation.origin
                glUniform4f(program.halfWeights, GLfloat((1 + origin.x) / 2), GLfloat((1 - origin.x) / 2),
                            GLfloat((1 + origin.y) / 2), GLfloat((1 - origin.y) / 2))
                glUniform1i(program.lumaLastRow, GLint(planes.size.height - 1))
                glUniform1i(program.chromaLastRow, GLint((planes.size.height + 1) / 2 - 1))
            }
        } else {
            conversion.matrix.withColumnMajorFloats { glUniformMatrix3fv(program.yuvToRgb, 1, GLboolean(GL_FALSE), $0) }
            glUniform3f(program.yuvOffset, conversion.offset.x, conversion.offset.y, conversion.offset.z)
            let origin = color.chromaLocation.origin
            glUniform2f(program.chromaOrigin, GLfloat(origin.x), GLfloat(origin.y))
        }
        transform.matrix.withColumnMajorFloats { glUniformMatrix3fv(program.outputToFrame, 1, GLboolean(GL_FALSE), $0) }
        glUniform2f(program.frameSize, GLfloat(planes.size.width), GLfloat(planes.size.height))
        glUniform2f(program.outputSize, GLfloat(viewport.width), GLfloat(viewport.height))
        if program.mode != .packedPlanes {
            glUniform4f(program.barColor, 0, 0, 0, bars == .black ? 1 : 0)
            glUniform1i(program.keepBars, bars == .untouched ? 1 : 0)
        }
        let target = planes.mode.textureTarget
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
