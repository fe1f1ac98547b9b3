import CEGL

/// The Y (R8UI) and UV (RG8UI) textures a view uploads frames into, or for the packed
/// fast path both as RGBA8UI (four bytes per texel), their heights rounded up to whole
/// fragment blocks so every fetch stays inside the texture. Created once per frame size
/// and packing and reused; planes are uploaded straight from the frame's bytes with
/// GL_UNPACK_ROW_LENGTH = stride, so padded layouts need no CPU repacking.
struct UploadedPlanes: ~Copyable {
    let key: GPUObjectKey
    /// The picture in the textures (`Frame.generation`), nil while none is whole.
    var generation: UInt64?
    private let textures: OwnerGroup
    private let luma: GLuint
    private let chroma: GLuint

    var size: PixelSize { key.size }
    private var packed: Bool { key.packing != .perPixel }
    /// Texels per row of each plane, and the bytes of one texel.
    private var lumaTexel: (width: Int, bytes: Int) { packed ? (size.width / 4, 4) : (size.width, 1) }
    private var chromaTexel: (width: Int, bytes: Int) { packed ? (size.width / 4, 4) : (size.chroma.width, 2) }

    init(key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope) throws {
        let size = key.size
        let rows = key.packing.rowsPerFragment
        let blockRows = (size.height + rows - 1) / rows * rows
        let perPixel = key.packing == .perPixel
        let (lumaFormat, chromaFormat) = perPixel ? (GL_R8UI, GL_RG8UI) : (GL_RGBA8UI, GL_RGBA8UI)
        let lumaWidth = perPixel ? size.width : size.width / 4
        let chromaWidth = perPixel ? size.chroma.width : size.width / 4
        let (textures, names) = try OwnerGroup.building(scope.teardown) { textures in
            (try Self.makeTexture(into: textures, table: table, in: scope, format: lumaFormat, width: lumaWidth, height: blockRows),
             try Self.makeTexture(into: textures, table: table, in: scope, format: chromaFormat, width: chromaWidth,
                                  height: PixelSize.chromaSamples(blockRows)))
        }
        (self.textures, self.key, luma, chroma) = (textures, key, names.0, names.1)
    }

    consuming func release(in teardown: Teardown) { textures.release(in: teardown) }

    /// Copies `frame`'s planes into the textures.
    func upload(_ frame: NV12Frame, in scope: borrowing ContextScope) throws {
        let layout = frame.layout
        try frame.bytes.withUnsafeBytes { bytes in
            try upload(luma: bytes.baseAddress!, lumaPitch: layout.yStride,
                       chroma: bytes.baseAddress! + layout.uvOffset, chromaPitch: layout.uvStride, in: scope)
        }
    }

    /// Copies planes at the given addresses (validated to hold `size`) into the textures,
    /// straight from memory with GL_UNPACK_ROW_LENGTH = pitch.
    func upload(
        luma: UnsafeRawPointer, lumaPitch: Int, chroma: UnsafeRawPointer, chromaPitch: Int, in scope: borrowing ContextScope
    ) throws {
        // Row lengths count texels: pitches are whole texels (validated, or chosen so).
        let lumaRowLength = try Self.rowLength(.luma, pitch: lumaPitch, texelBytes: lumaTexel.bytes)
        let chromaRowLength = try Self.rowLength(.chroma, pitch: chromaPitch, texelBytes: chromaTexel.bytes)
        defer { glBindTexture(GLenum(GL_TEXTURE_2D), 0) }
        let (lumaFormat, chromaFormat) = packed ? (GL_RGBA_INTEGER, GL_RGBA_INTEGER) : (GL_RED_INTEGER, GL_RG_INTEGER)
        glBindTexture(GLenum(GL_TEXTURE_2D), self.luma)
        PixelStore.forUpload(rowLength: lumaRowLength)
        glTexSubImage2D(
            GLenum(GL_TEXTURE_2D), 0, 0, 0, GLsizei(lumaTexel.width), GLsizei(size.height),
            GLenum(lumaFormat), GLenum(GL_UNSIGNED_BYTE), luma)
        glBindTexture(GLenum(GL_TEXTURE_2D), self.chroma)
        PixelStore.forUpload(rowLength: chromaRowLength)
        glTexSubImage2D(
            GLenum(GL_TEXTURE_2D), 0, 0, 0, GLsizei(chromaTexel.width), GLsizei(size.chroma.height),
            GLenum(chromaFormat), GLenum(GL_UNSIGNED_BYTE), chroma)
        try GLCheck.noError("glTexSubImage2D (frame upload)")
    }

    /// GL_UNPACK_ROW_LENGTH for a pitch, which must fit a GLint.
    private static func rowLength(_ plane: FrameLayoutError.Plane, pitch: Int, texelBytes: Int) throws(CameraViewError) -> GLint {
        guard let length = GLint(exactly: pitch / texelBytes) else {
            throw .invalidFrame(.strideTooLarge(plane: plane, stride: pitch, maximum: Int(GLint.max) * texelBytes))
        }
        return length
    }

    var planeTextures: PlaneTextures { PlaneTextures(luma: luma, chroma: chroma) }

    /// A texture with storage, made into `group` (which its caller releases if this fails).
    private static func makeTexture(
        into group: OwnerGroup, table: HandleTable, in scope: borrowing ContextScope, format: Int32, width: Int, height: Int
    ) throws -> GLuint {
        let texture = group.adopt(try table.create(.texture, in: scope))
        glBindTexture(GLenum(GL_TEXTURE_2D), texture)
        defer { glBindTexture(GLenum(GL_TEXTURE_2D), 0) }
        glTexStorage2D(GLenum(GL_TEXTURE_2D), 1, GLenum(format), GLsizei(width), GLsizei(height))
        // Integer textures are incomplete (and sample zero) with any filter but NEAREST.
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
        glTexParameteri(GLenum(GL_TEXTURE_2D), GLenum(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
        try GLCheck.noError("glTexStorage2D \(width)x\(height)")
        return texture
    }
}
