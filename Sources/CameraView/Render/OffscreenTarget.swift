import CEGL

/// An RGBA8 renderbuffer behind a framebuffer: where a view draws when it reads back.
/// Created once per output size and reused.
struct OffscreenTarget {
    let size: PixelSize
    let framebuffer: HandleRecord
    let renderbuffer: HandleRecord

    /// Needs the device context current.
    init(size: PixelSize, table: HandleTable, destroyer: HandleDestroyer) throws {
        let renderbuffer = try table.makeRenderbuffer()
        let framebuffer: HandleRecord
        do {
            framebuffer = try table.makeFramebuffer()
        } catch {
            table.release(renderbuffer, using: destroyer)
            throw error
        }
        (self.size, self.framebuffer, self.renderbuffer) = (size, framebuffer, renderbuffer)
        do {
            glBindRenderbuffer(GLenum(GL_RENDERBUFFER), GLuint(renderbuffer.raw))
            glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(GL_RGBA8), GLsizei(size.width), GLsizei(size.height))
            glBindRenderbuffer(GLenum(GL_RENDERBUFFER), 0)
            try GLCheck.noError("glRenderbufferStorage \(size)")
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), GLuint(framebuffer.raw))
            defer { glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0) }
            glFramebufferRenderbuffer(
                GLenum(GL_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_RENDERBUFFER), GLuint(renderbuffer.raw))
            let status = glCheckFramebufferStatus(GLenum(GL_FRAMEBUFFER))
            guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
                throw CameraViewError.gl(operation: "glCheckFramebufferStatus", code: status)
            }
        } catch {
            release(table: table, destroyer: destroyer)
            throw error
        }
    }

    func release(table: HandleTable, destroyer: HandleDestroyer) {
        table.release(framebuffer, using: destroyer)
        table.release(renderbuffer, using: destroyer)
    }

    /// Reads the whole target into `pixels` (RGBA8, first row = top of the image).
    func readPixels(into pixels: inout [UInt8]) throws {
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), GLuint(framebuffer.raw))
        defer { glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0) }
        glPixelStorei(GLenum(GL_PACK_ALIGNMENT), 4)
        pixels.withUnsafeMutableBytes { buffer in
            glReadPixels(0, 0, GLsizei(size.width), GLsizei(size.height),
                         GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), buffer.baseAddress)
        }
        try GLCheck.noError("glReadPixels")
    }
}
