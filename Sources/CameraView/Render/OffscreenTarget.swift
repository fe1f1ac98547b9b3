import CEGL

/// Where a view draws when it reads back: one RGBA8 renderbuffer behind a framebuffer, or
/// for the packed fast path one RGBA32UI renderbuffer per row of a fragment's block
/// (draw buffer r holds rows r, r + rows, r + 2 rows, ...; each texel is four RGBA8
/// pixels). Created once per output size and packing and reused.
struct OffscreenTarget: ~Copyable {
    let key: GPUObjectKey
    /// The conversion the target holds, nil while none is whole.
    var converted: ConversionKey?
    private let objects: OwnerGroup
    private let framebuffer: GLuint

    var size: PixelSize { key.size }
    var framebufferName: GLuint { framebuffer }
    /// Each renderbuffer's own size: a quarter as wide and 1/rows as high when packed.
    var storageSize: PixelSize { Self.storageSize(of: key) }

    private static func storageSize(of key: GPUObjectKey) -> PixelSize {
        let rows = key.packing.rowsPerFragment
        return PixelSize(width: key.size.width / key.packing.pixelsPerTexel, height: (key.size.height + rows - 1) / rows)
    }

    init(key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope) throws {
        let (objects, framebuffer) = try OwnerGroup.building(scope.teardown) { objects in
            var renderbuffers: [GLuint] = []
            for _ in 0..<key.packing.rowsPerFragment { renderbuffers.append(objects.adopt(try table.create(.renderbuffer, in: scope))) }
            let framebuffer = objects.adopt(try table.create(.framebuffer, in: scope))
            try Self.attachStorage(key: key, framebuffer: framebuffer, renderbuffers: renderbuffers)
            return framebuffer
        }
        (self.key, self.objects, self.framebuffer) = (key, objects, framebuffer)
    }

    private static func attachStorage(key: GPUObjectKey, framebuffer: GLuint, renderbuffers: [GLuint]) throws {
        let storage = storageSize(of: key)
        let format = key.packing == .perPixel ? GL_RGBA8 : GL_RGBA32UI
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
        defer { glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0) }
        var drawBuffers: [GLenum] = []
        for (index, renderbuffer) in renderbuffers.enumerated() {
            glBindRenderbuffer(GLenum(GL_RENDERBUFFER), renderbuffer)
            glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(format), GLsizei(storage.width), GLsizei(storage.height))
            let attachment = GLenum(GL_COLOR_ATTACHMENT0) + GLenum(index)
            glFramebufferRenderbuffer(GLenum(GL_FRAMEBUFFER), attachment, GLenum(GL_RENDERBUFFER), renderbuffer)
            drawBuffers.append(attachment)
        }
        glBindRenderbuffer(GLenum(GL_RENDERBUFFER), 0)
        try GLCheck.noError("glRenderbufferStorage \(storage) x\(renderbuffers.count)")
        glDrawBuffers(GLsizei(drawBuffers.count), drawBuffers)
        let status = glCheckFramebufferStatus(GLenum(GL_FRAMEBUFFER))
        try FaultInjection.step(operation: "glCheckFramebufferStatus", kind: .framebuffer)
        guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
            throw CameraViewError.gl(operation: "glCheckFramebufferStatus", code: status)
        }
    }

    consuming func release(in teardown: Teardown) { objects.release(in: teardown) }

    /// Reads the whole target into `pixels` (RGBA8, first row = top of the image, exactly
    /// width x height x 4 bytes). A packed target's draw buffers are read straight into
    /// their interleaved rows (GL_PACK_ROW_LENGTH spans `rows` image rows).
    func readPixels(into pixels: UnsafeMutableRawBufferPointer, in scope: borrowing ContextScope) throws {
        precondition(pixels.count == size.width * size.height * 4, "readback buffer of the wrong size")
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebuffer)
        defer {
            glReadBuffer(GLenum(GL_COLOR_ATTACHMENT0))
            glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0)
        }
        let rows = key.packing.rowsPerFragment
        let storage = storageSize
        let rowBytes = size.width * 4
        // A packed texel's four uints are four RGBA8 pixels in memory order.
        let (format, type) = key.packing == .perPixel ? (GL_RGBA, GL_UNSIGNED_BYTE) : (GL_RGBA_INTEGER, GL_UNSIGNED_INT)
        PixelStore.forReadback(rowLength: GLint(storage.width * rows))
        for row in 0..<min(rows, size.height) {
            // Draw buffer `row` holds image rows row, row + rows, ...: only those that exist.
            let count = (size.height - row + rows - 1) / rows
            glReadBuffer(GLenum(GL_COLOR_ATTACHMENT0) + GLenum(row))
            glReadPixels(0, 0, GLsizei(storage.width), GLsizei(count), GLenum(format), GLenum(type),
                         pixels.baseAddress! + row * rowBytes)
        }
        try GLCheck.noError("glReadPixels")
    }
}
