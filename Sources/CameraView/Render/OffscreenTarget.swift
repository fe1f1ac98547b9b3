import CEGL

/// An RGBA8 renderbuffer behind a framebuffer: where a view draws when it reads back; for
/// the packed fast path an RGBA32UI one a quarter as wide (four RGBA8 pixels per texel).
/// Created once per output size and kind and reused.
struct OffscreenTarget {
    let key: GPUObjectKey
    let framebuffer: HandleRecord
    let renderbuffer: HandleRecord

    var size: PixelSize { key.size }
    /// The renderbuffer's own size (a quarter as wide when packed).
    var storageSize: PixelSize { key.packed ? PixelSize(width: size.width / 4, height: size.height) : size }

    /// Needs the device context current.
    init(key: GPUObjectKey, table: HandleTable, destroyer: HandleDestroyer) throws {
        let renderbuffer = try table.makeRenderbuffer()
        let framebuffer: HandleRecord
        do {
            framebuffer = try table.makeFramebuffer()
        } catch {
            table.release(renderbuffer, using: destroyer)
            throw error
        }
        (self.key, self.framebuffer, self.renderbuffer) = (key, framebuffer, renderbuffer)
        do {
            let storage = storageSize
            glBindRenderbuffer(GLenum(GL_RENDERBUFFER), GLuint(renderbuffer.raw))
            glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(key.packed ? GL_RGBA32UI : GL_RGBA8),
                                  GLsizei(storage.width), GLsizei(storage.height))
            glBindRenderbuffer(GLenum(GL_RENDERBUFFER), 0)
            try GLCheck.noError("glRenderbufferStorage \(storage)")
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
        // A packed texel's four uints are four RGBA8 pixels in memory order.
        let storage = storageSize
        let (format, type) = key.packed ? (GL_RGBA_INTEGER, GL_UNSIGNED_INT) : (GL_RGBA, GL_UNSIGNED_BYTE)
        pixels.withUnsafeMutableBytes { buffer in
            glReadPixels(0, 0, GLsizei(storage.width), GLsizei(storage.height), GLenum(format), GLenum(type), buffer.baseAddress)
        }
        try GLCheck.noError("glReadPixels")
    }
}
