import CEGL

/// The Y (R8UI) and UV (RG8UI) textures a view uploads frames into. Created once per
/// frame size and reused; planes are uploaded straight from the frame's bytes with
/// GL_UNPACK_ROW_LENGTH = stride, so padded layouts need no CPU repacking.
struct UploadedPlanes {
    let size: PixelSize
    let luma: HandleRecord
    let chroma: HandleRecord

    /// Needs the device context current.
    init(size: PixelSize, table: HandleTable, destroyer: HandleDestroyer) throws {
        let luma = try Self.makeTexture(
            table: table, destroyer: destroyer, format: GL_R8UI, width: size.width, height: size.height)
        do {
            chroma = try Self.makeTexture(
                table: table, destroyer: destroyer, format: GL_RG8UI,
                width: (size.width + 1) / 2, height: (size.height + 1) / 2)
        } catch {
            table.release(luma, using: destroyer)
            throw error
        }
        self.luma = luma
        self.size = size
    }

    func release(table: HandleTable, destroyer: HandleDestroyer) {
        table.release(chroma, using: destroyer)
        table.release(luma, using: destroyer)
    }

    /// Copies `frame`'s planes into the textures. Needs the device context current.
    func upload(_ frame: NV12Frame) throws {
        let layout = frame.layout
        try frame.withUnsafeBytes { bytes in
            try upload(luma: bytes.baseAddress!, lumaPitch: layout.yStride,
                       chroma: bytes.baseAddress! + layout.uvOffset, chromaPitch: layout.uvStride)
        }
    }

    /// Copies planes at the given addresses (validated to hold `size`) into the textures,
    /// straight from memory with GL_UNPACK_ROW_LENGTH = pitch. Needs the context current.
    func upload(luma: UnsafeRawPointer, lumaPitch: Int, chroma: UnsafeRawPointer, chromaPitch: Int) throws {
        glPixelStorei(GLenum(GL_UNPACK_ALIGNMENT), 1)
        defer {
            glPixelStorei(GLenum(GL_UNPACK_ROW_LENGTH), 0)
            glPixelStorei(GLenum(GL_UNPACK_ALIGNMENT), 4)
            glBindTexture(GLenum(GL_TEXTURE_2D), 0)
        }
        glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(self.luma.raw))
        glPixelStorei(GLenum(GL_UNPACK_ROW_LENGTH), GLint(lumaPitch))
        glTexSubImage2D(
            GLenum(GL_TEXTURE_2D), 0, 0, 0, GLsizei(size.width), GLsizei(size.height),
            GLenum(GL_RED_INTEGER), GLenum(GL_UNSIGNED_BYTE), luma)
        glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(self.chroma.raw))
        // Row length counts texels; a UV texel is two bytes (validated even).
        glPixelStorei(GLenum(GL_UNPACK_ROW_LENGTH), GLint(chromaPitch / 2))
        glTexSubImage2D(
            GLenum(GL_TEXTURE_2D), 0, 0, 0, GLsizei((size.width + 1) / 2), GLsizei((size.height + 1) / 2),
            GLenum(GL_RG_INTEGER), GLenum(GL_UNSIGNED_BYTE), chroma)
        try GLCheck.noError("glTexSubImage2D (frame upload)")
    }

    /// What the conversion shader samples.
    var sampled: SampledPlanes {
        SampledPlanes(mode: .integerPlanes, size: size, textures: [GLuint(luma.raw), GLuint(chroma.raw)])
    }

    private static func makeTexture(
        table: HandleTable, destroyer: HandleDestroyer, format: Int32, width: Int, height: Int
    ) throws -> HandleRecord {
        let texture = try table.makeTexture()
        glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(texture.raw))
        defer { glBindTexture(GLenum(GL_TEXTURE_2D), 0) }
        glTexStorage2D(GLenum(GL_TEXTURE_2D), 1, GLenum(format), GLsizei(width), GLsizei(height))
        // Integer textures are incomplete (and sample zero) with any filter but NEAREST.
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
        do {
            try GLCheck.noError("glTexStorage2D \(width)x\(height)")
        } catch {
            table.release(texture, using: destroyer)
            throw error
        }
        return texture
    }
}
