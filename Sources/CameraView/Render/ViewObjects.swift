import CEGL

/// A view's GPU objects, reused frame to frame while sizes stay the same. It owns them
/// (non-copyable): each is released exactly once, by `releaseAll` at the view's close or
/// when a new size replaces it.
struct ViewState: ~Copyable {
    /// Nil once the view is closed.
    var vertexArray: GLVertexArray?
    var planes: UploadedPlanes?
    var target: OffscreenTarget?
    /// The last conversion for a host framebuffer or a surface, in that target's format.
    var display: DisplayCache?
    /// Made at the first dma-buf frame: a view of frames in memory never needs one.
    var importer: DmaBufImporter?
    var surfaces: [ObjectIdentifier: SurfaceObjects] = [:]
    var lastTimings: FrameTimings?
    var lastImportPath: ImportPath?
    var lastImportFallback: String?
    var uploadedBytes = 0
    /// Conversions drawn (a render that found its conversion cached draws none).
    var conversions = 0
    /// A packed display conversion on its way from the offscreen target to the display
    /// cache (kept: a steady stream allocates nothing).
    var displayPixels: [UInt8] = []

    /// The vertex array's name while open, 0 once closed.
    private(set) var vertexArrayName: GLuint

    init(vertexArray: consuming GLVertexArray) {
        vertexArrayName = vertexArray.raw
        self.vertexArray = consume vertexArray
    }

    var isOpen: Bool { vertexArrayName != 0 }

    mutating func releaseFrameObjects(in teardown: Teardown) {
        _ = importer?.accessVerdicts.removeAll()
        importer?.releaseAll(in: teardown)
        planes.take()?.release(in: teardown)
    }

    /// The view's importer, made on first use.
    mutating func withImporter<Result>(_ body: (inout DmaBufImporter) throws -> Result) rethrows -> Result {
        if importer == nil { importer = DmaBufImporter() }
        return try body(&importer!)
    }

    /// The plane textures for `key`, made (or remade) when the key changes, and what the
    /// shader samples from them, with picture `generation` in them: `fill` puts it in
    /// unless it is there already. Returns whether it uploaded.
    mutating func uploadPlanes(
        _ key: GPUObjectKey, generation: UInt64, table: HandleTable, in scope: borrowing ContextScope,
        fill: (borrowing UploadedPlanes) throws -> Void
    ) throws -> (textures: PlaneTextures, uploaded: Bool) {
        try Self.reuse(&planes, key: key, table: table, in: scope)
        guard let textures = planes?.planeTextures else { throw CameraViewError.closed }
        guard planes!.generation != generation else { return (textures, false) }
        planes!.generation = nil
        try fill(planes!)
        planes!.generation = generation
        return (textures, true)
    }

    /// The offscreen target for `key`, made (or remade) when the key changes.
    mutating func prepareTarget(_ key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope) throws {
        try Self.reuse(&target, key: key, table: table, in: scope)
    }

    /// The display cache for `key`, made (or remade) when the key changes.
    mutating func prepareDisplay(_ key: DisplayCache.Key, table: HandleTable, in scope: borrowing ContextScope) throws {
        try Self.reuse(&display, key: key, table: table, in: scope)
    }

    /// Keeps `object` while its size and kind fit, else replaces it (the old one released
    /// first, so a failed creation leaves nothing behind).
    private static func reuse<Object: SizedGPUObjects & ~Copyable>(
        _ object: inout Object?, key: Object.Key, table: HandleTable, in scope: borrowing ContextScope
    ) throws {
        if object?.key == key { return }
        object.take()?.release(in: scope.teardown)
        object = try Object(key: key, table: table, in: scope)
    }

    /// Releases every object, newest kinds first: surfaces, frame objects, the target and
    /// the vertex array (which marks the view closed).
    mutating func releaseAll(in teardown: Teardown) {
        for surface in surfaces.values { surface.release(in: teardown) }
        surfaces.removeAll()
        releaseFrameObjects(in: teardown)
        display.take()?.release(in: teardown)
        target.take()?.release(in: teardown)
        vertexArray.take()?.release(in: teardown)
        vertexArrayName = 0
    }

}

extension UploadedPlanes: SizedGPUObjects {}
extension OffscreenTarget: SizedGPUObjects {}

/// How a view's textures and offscreen target hold pixels.
enum PixelPacking: Hashable {
    /// A texel per pixel (per chroma sample for UV).
    case perPixel
    /// The packed fast path: four pixels per texel, `rows` rows per fragment, a draw
    /// buffer per row.
    case packed(rows: Int)

    /// Rows one fragment writes.
    var rowsPerFragment: Int {
        if case .packed(let rows) = self { return rows }
        return 1
    }

    /// Pixels per texel along a row.
    var pixelsPerTexel: Int { self == .perPixel ? 1 : 4 }

    /// Whether a frame of `layout` is uploaded packed: whenever its width and strides are
    /// whole texels. It depends on nothing else, so a frame can be uploaded before its
    /// target is known, and every render of it reads the same textures.
    static func uploadsPacked(_ layout: NV12Layout) -> Bool {
        layout.width % 4 == 0 && layout.yStride % 4 == 0 && layout.uvStride % 4 == 0
    }

    /// How a frame of `layout` is uploaded on a device whose packed program writes `rows`
    /// rows per fragment.
    static func upload(of layout: NV12Layout, packedRows rows: Int) -> PixelPacking {
        uploadsPacked(layout) ? .packed(rows: rows) : .perPixel
    }
}

/// What a cached conversion holds: one picture in one colour description (the external
/// path bakes it into the image rather than the plan's uniforms), converted as one plan says.
struct ConversionKey: Equatable {
    let generation: UInt64
    let color: ColorDescription
    let plan: ConversionPlan

    /// Whether `cached` is this conversion (compared without allocating: every render asks).
    func isHeld(in cached: ConversionKey?) -> Bool {
        guard let cached else { return false }
        return cached.generation == generation && cached.color == color && cached.plan.sameConversion(as: plan)
    }
}

/// What per-view textures and targets are made for: a size and a packing.
struct GPUObjectKey: Hashable {
    let size: PixelSize
    let packing: PixelPacking
}

/// GPU objects made for one key and kept while frames keep it.
protocol SizedGPUObjects: ~Copyable {
    associatedtype Key: Equatable
    var key: Key { get }
    init(key: Key, table: HandleTable, in scope: borrowing ContextScope) throws
    consuming func release(in teardown: Teardown)
}

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

/// Carries out one render in a context already current: plans it, puts the frame into
/// textures, draws and finishes the target, with the objects in `state` and recorded in
/// `table`. A view renders through it under its lock; the device's import probe renders
/// through it with objects of its own, without a view.
struct FrameRenderer {
    let core: DeviceCore
    let table: HandleTable

    /// Plans the render, converts the frame (unless the target, or the view's display
    /// cache for it, holds this conversion already) and finishes the target.
    func render(
        _ frame: Frame, requestedPath: ImportPath?, into target: inout RenderTarget, options: RenderOptions,
        state: inout ViewState, in scope: borrowing ContextScope
    ) throws {
        let clock = ContinuousClock()
        let start = clock.now
        var uploaded = start
        let path = try requestedPath.map { try importRoute(for: frame, requested: $0, state: &state) }
        let cache = try DisplayCache.key(for: target, info: core.info)
        let plan = try ConversionPlan(
            frame: frame, importPath: path, target: target, options: options, packedRows: core.info.packedRows, cache: cache,
            packsPlaced: core.packsPlacedConversions)
        let conversion = ConversionKey(generation: frame.generation, color: frame.color, plan: plan)
        switch target.destination {
        case .image:
            try state.prepareTarget(GPUObjectKey(size: plan.outputSize, packing: plan.targetPacking), table: table, in: scope)
            guard let name = state.target?.framebufferName else { throw CameraViewError.closed }
            if !conversion.isHeld(in: state.target!.converted) {
                state.target!.converted = nil
                uploaded = try convert(frame, plan: plan, into: name, viewport: PixelRect(
                    x: 0, y: 0, width: plan.viewportSize.width, height: plan.viewportSize.height), state: &state, in: scope)
                state.target!.converted = conversion
            }
        case .surface, .host:
            let (framebuffer, viewport) = if case .host(let host) = target.destination {
                (GLuint(host.framebuffer), host.viewport)
            } else {
                (GLuint(0), PixelRect(x: 0, y: 0, width: plan.outputSize.width, height: plan.outputSize.height))
            }
            if let cacheKey = plan.displayCache {
                try state.prepareDisplay(cacheKey, table: table, in: scope)
                guard let name = state.display?.framebufferName else { throw CameraViewError.closed }
                if !conversion.isHeld(in: state.display!.converted) {
                    state.display!.converted = nil
                    if plan.targetPacking == .perPixel {
                        uploaded = try convert(frame, plan: plan, into: name, viewport: PixelRect(
                            x: 0, y: 0, width: viewport.width, height: viewport.height), state: &state, in: scope)
                    } else {
                        uploaded = try convertPacked(frame, plan: plan, state: &state, in: scope)
                    }
                    state.display!.converted = conversion
                }
                try state.display!.copy(into: framebuffer, at: viewport)
            } else {
                uploaded = try convert(frame, plan: plan, into: framebuffer, viewport: viewport, state: &state, in: scope)
            }
        }
        // Our readbacks need the pixels now; a host presents on its own schedule, but a
        // dma-buf's producer (a camera's queue, a VisionIPC ring) may refill the buffer as
        // soon as the render returns.
        if !target.isHost || path != nil { glFinish() }
        let drawn = clock.now
        try finish(&target, plan: plan, state: &state, in: scope)
        state.lastTimings = FrameTimings(
            upload: uploaded - start, draw: drawn - uploaded, readback: clock.now - drawn,
            packed: plan.isPacked, filter: plan.variant.filter)
    }

    /// Puts the frame into textures and draws its conversion into `framebuffer`; returns
    /// when the upload ended.
    private func convert(
        _ frame: Frame, plan: ConversionPlan, into framebuffer: GLuint, viewport: PixelRect, state: inout ViewState,
        in scope: borrowing ContextScope
    ) throws -> ContinuousClock.Instant {
        let planes = try prepare(frame, plan: plan, state: &state, in: scope)
        let uploaded = ContinuousClock.now
        try NV12Renderer.draw(
            program: core.program(plan.variant, in: scope), planes: planes, uniforms: plan.uniforms,
            vertexArray: state.vertexArrayName, framebuffer: framebuffer, viewport: viewport)
        state.conversions += 1
        return uploaded
    }

    /// Draws the conversion packed into the view's offscreen target (whole texels wide) and
    /// fills the display cache from it through the view's pixel buffer; returns when the
    /// upload ended.
    private func convertPacked(
        _ frame: Frame, plan: ConversionPlan, state: inout ViewState, in scope: borrowing ContextScope
    ) throws -> ContinuousClock.Instant {
        let size = plan.outputSize
        let storage = PixelSize(width: plan.viewportSize.width * plan.targetPacking.pixelsPerTexel, height: size.height)
        try state.prepareTarget(GPUObjectKey(size: storage, packing: plan.targetPacking), table: table, in: scope)
        guard let name = state.target?.framebufferName else { throw CameraViewError.closed }
        state.target!.converted = nil
        let uploaded = try convert(frame, plan: plan, into: name, viewport: PixelRect(
            x: 0, y: 0, width: plan.viewportSize.width, height: plan.viewportSize.height), state: &state, in: scope)
        let count = storage.width * storage.height * 4
        if state.displayPixels.count != count { state.displayPixels = [UInt8](repeating: 0, count: count) }
        try state.displayPixels.withUnsafeMutableBytes { pixels in
            try state.target!.readPixels(into: pixels, in: scope)
            try state.display!.fill(from: UnsafeRawBufferPointer(pixels), rowLength: storage.width, in: scope)
        }
        return uploaded
    }

    /// Puts a frame in memory into the view's textures now, as any render of it would
    /// (the upload depends on the frame's layout alone): a render of it afterwards reads
    /// nothing of its memory.
    func upload(_ frame: NV12Frame, state: inout ViewState, in scope: borrowing ContextScope) throws {
        let key = GPUObjectKey(size: frame.layout.size, packing: PixelPacking.upload(of: frame.layout, packedRows: core.info.packedRows))
        if try state.uploadPlanes(key, generation: frame.generation, table: table, in: scope, fill: { try $0.upload(frame, in: scope) }).uploaded {
            state.uploadedBytes += frame.layout.bufferSize
        }
    }

    /// The path a dma-buf frame takes: the requested one, unless the device cannot read
    /// the frame's buffers (then mapped and uploaded; the reason is kept).
    private func importRoute(for frame: Frame, requested: ImportPath, state: inout ViewState) throws -> ImportPath {
        guard case .dmaBuf(let dmaBuf) = frame else { return requested }
        var path = requested
        state.lastImportFallback = nil
        if path != .mappedUpload, let denial = try accessDenial(of: dmaBuf, state: &state) {
            (path, state.lastImportFallback) = (.mappedUpload, denial)
        }
        state.lastImportPath = path
        return path
    }

    /// Puts the frame into textures along the plan's route.
    private func prepare(
        _ frame: Frame, plan: ConversionPlan, state: inout ViewState, in scope: borrowing ContextScope
    ) throws -> PlaneTextures {
        switch (frame, plan.route) {
        case (.memory(let nv12), .upload(let packing)):
            let planes = try state.uploadPlanes(
                GPUObjectKey(size: plan.frameSize, packing: packing), generation: nv12.generation, table: table, in: scope
            ) { try $0.upload(nv12, in: scope) }
            if planes.uploaded { state.uploadedBytes += nv12.layout.bufferSize }
            return planes.textures
        case (.dmaBuf(let dmaBuf), .upload(let packing)):
            let planes = try state.uploadPlanes(
                GPUObjectKey(size: plan.frameSize, packing: packing), generation: dmaBuf.generation, table: table, in: scope
            ) { planes in
                try MappedDmaBuf.withPlanes(of: dmaBuf, table: table) { luma, chroma in
                    try planes.upload(luma: luma, lumaPitch: dmaBuf.luma.pitch, chroma: chroma, chromaPitch: dmaBuf.chroma.pitch, in: scope)
                }
            }
            if planes.uploaded { state.uploadedBytes += try dmaBuf.planeBytes }
            return planes.textures
        case (.dmaBuf(let dmaBuf), .imported(let path)):
            return try state.withImporter { try $0.textures(for: dmaBuf, path: path, core: core, table: table, in: scope) }
        case (.memory, .imported):
            preconditionFailure("a frame in memory is never imported")
        }
    }

    /// Reads an image target back, or presents a surface and reads or exports its front buffer.
    private func finish(
        _ target: inout RenderTarget, plan: ConversionPlan, state: inout ViewState, in scope: borrowing ContextScope
    ) throws {
        switch target.destination {
        case .image:
            guard state.target != nil else { throw CameraViewError.closed }
            let size = plan.outputSize
            if let pixels = target.callerPixels {
                try state.target!.readPixels(into: pixels.buffer, in: scope)
            } else if var image = target.image.take(), image.size == size, image.pixels.count == size.width * size.height * 4 {
                try image.pixels.withUnsafeMutableBytes { try state.target!.readPixels(into: $0, in: scope) }
                target.image = image
            } else {
                // Not zero-filled first: the readback writes every byte, and a failed one
                // throws the storage away.
                let pixels = try [UInt8](unsafeUninitializedCapacity: size.width * size.height * 4) { buffer, count in
                    try state.target!.readPixels(into: UnsafeMutableRawBufferPointer(buffer), in: scope)
                    count = buffer.count
                }
                target.image = try RGBAImage(width: size.width, height: size.height, pixels: pixels)
            }
        case .surface(let surface, let exporting):
            target.exportedBuffer.take()?.close()
            // A surface exists only on a GBM device of our own, which has its display.
            guard let display = core.display else { throw CameraViewError.needsGBMPlatform(what: "GBM surfaces", platform: core.platform) }
            try surface.objects.presentFrontBuffer(display: display) { bo in
                if exporting {
                    target.exportedBuffer = try surface.export(bo, table: table)
                } else {
                    target.image = try surface.read(bo, table: table)
                }
            }
        case .host:
            break
        }
    }

    /// Why the device cannot import `frame`'s buffers, if it cannot (see
    /// `BufferAccessCheck`); verdicts are kept per buffer file.
    private func accessDenial(of frame: DmaBufFrame, state: inout ViewState) throws -> String? {
        let info = core.info
        guard BufferAccessCheck.applies(to: info), let node = info.drmNode else { return nil }
        for fd in Set([frame.luma.fd, frame.chroma.fd]) {
            let file = try BufferFile(fd)
            let verdict: BufferAccessVerdict
            if let known = state.withImporter({ $0.accessVerdicts.value(for: file) }) {
                verdict = known
            } else {
                verdict = BufferAccessCheck.denial(of: fd, node: node, table: table).map { .denied($0) } ?? .readable
                _ = state.withImporter { $0.accessVerdicts.insert(verdict, for: file) }
            }
            if case .denied(let reason) = verdict { return reason }
        }
        return nil
    }
}

/// A view's last conversion for a host framebuffer or a GBM surface: a texture in the
/// target's own pixel format behind a framebuffer, copied into the target with
/// `glBlitFramebuffer`. When the layouts match, llvmpipe copies memory (an 861x540 pane into
/// raylib-sdl's window: about 0.1 ms, where a cache in another layout is drawn by its
/// blitter, about 1 ms), and a render of the same frame is only that copy. Made once per
/// size and layout and reused.
struct DisplayCache: ~Copyable, SizedGPUObjects {
    struct Key: Hashable {
        let size: PixelSize
        /// Whether texels are stored B, G, R, A (else R, G, B, A).
        let bgra: Bool
        /// Whether the context is OpenGL ES (a desktop GL host's names BGRA storage otherwise).
        let gles: Bool
        /// Whether the cache holds the picture upside down and is copied flipped: into a
        /// window surface, which Mesa stores top row first, a flipped copy is a straight
        /// memory copy and an unflipped one a draw.
        let flipped: Bool
    }

    let key: Key
    /// The conversion the cache holds, nil while none is whole.
    var converted: ConversionKey?
    private let objects: OwnerGroup
    let framebufferName: GLuint
    private let texture: GLuint

    init(key: Key, table: HandleTable, in scope: borrowing ContextScope) throws {
        let (objects, (framebuffer, texture)) = try OwnerGroup.building(scope.teardown) { objects in
            let texture = objects.adopt(try table.create(.texture, in: scope))
            glBindTexture(GLenum(GL_TEXTURE_2D), texture)
            // Mesa stores a texture in the layout its first specification names: BGRA is
            // GL_BGRA_EXT in GLES (EXT_texture_format_BGRA8888); in desktop GL only unsized
            // GL_RGBA given as GL_BGRA / 8_8_8_8_REV is (a sized GL_RGBA8 stays R8G8B8A8,
            // seen in a GALLIUM_TRACE of the blit).
            let (internalFormat, format, type) = switch (key.bgra, key.gles) {
            case (true, true): (GL_BGRA_EXT, GL_BGRA_EXT, GL_UNSIGNED_BYTE)
            case (true, false): (GL_RGBA, GL_BGRA_EXT, Self.unsignedInt8888Reversed)
            case (false, _): (GL_RGBA8, GL_RGBA, GL_UNSIGNED_BYTE)
            }
            PixelStore.setDefaults()
            glTexImage2D(GLenum(GL_TEXTURE_2D), 0, internalFormat, GLsizei(key.size.width), GLsizei(key.size.height), 0,
                         GLenum(format), GLenum(type), nil)
            glBindTexture(GLenum(GL_TEXTURE_2D), 0)
            try GLCheck.noError("glTexImage2D \(key.size) (display cache)")
            let framebuffer = objects.adopt(try table.create(.framebuffer, in: scope))
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
            defer { glBindFramebuffer(GLenum(GL_FRAMEBUFFER), 0) }
            glFramebufferTexture2D(GLenum(GL_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_TEXTURE_2D), texture, 0)
            let status = glCheckFramebufferStatus(GLenum(GL_FRAMEBUFFER))
            try FaultInjection.step(operation: "glCheckFramebufferStatus", kind: .framebuffer)
            guard status == GLenum(GL_FRAMEBUFFER_COMPLETE) else {
                throw CameraViewError.gl(operation: "glCheckFramebufferStatus (display cache)", code: status)
            }
            return (framebuffer, texture)
        }
        (self.key, self.objects, framebufferName, self.texture) = (key, objects, framebuffer, texture)
    }

    consuming func release(in teardown: Teardown) { objects.release(in: teardown) }

    /// GL_UNSIGNED_INT_8_8_8_8_REV (desktop GL; not in the GLES headers).
    private static let unsignedInt8888Reversed: Int32 = 0x8367

    /// The cache `target` can be drawn through; nil for image targets, which keep their own.
    static func key(for target: RenderTarget, info: DeviceInfo) throws -> Key? {
        switch target.destination {
        case .image: nil
        case .host(let host): try key(copyingInto: GLuint(host.framebuffer), size: host.viewport.size, info: info)
        case .surface(let surface, _): try key(copyingInto: 0, size: surface.size, info: info)
        }
    }

    /// The key of a cache of `size` for `framebuffer`: laid out as the framebuffer is, so
    /// the copy is a memory copy. A window surface (framebuffer 0) is B8G8R8A8 and stored
    /// top row first in Mesa, on every platform here, whatever desktop GL's read-format
    /// query says of it (GL_RGBA); a framebuffer object as it reads back natively
    /// (GL_IMPLEMENTATION_COLOR_READ_FORMAT). A wrong guess costs speed, never pixels: the
    /// blit converts. Nil when nothing can be copied in (a multisampled framebuffer takes
    /// no blit from a single-sampled one: drawn directly).
    static func key(copyingInto framebuffer: GLuint, size: PixelSize, info: DeviceInfo) throws -> Key? {
        try NV12Renderer.bindDrawFramebuffer(framebuffer)
        defer { glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0) }
        var sampleBuffers: GLint = 0
        glGetIntegerv(GLenum(GL_SAMPLE_BUFFERS), &sampleBuffers)
        guard sampleBuffers == 0 else { return nil }
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebuffer)
        defer { glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0) }
        var format: GLint = 0, type: GLint = 0
        glGetIntegerv(GLenum(GL_IMPLEMENTATION_COLOR_READ_FORMAT), &format)
        glGetIntegerv(GLenum(GL_IMPLEMENTATION_COLOR_READ_TYPE), &type)
        GLCheck.discardPendingErrors()
        let gles = info.glVersion.contains("OpenGL ES")
        let window = framebuffer == 0
        let bgra = (window || format == GL_BGRA_EXT && type == GL_UNSIGNED_BYTE) && (info.bgraTextures || !gles)
        return Key(size: size, bgra: bgra, gles: gles, flipped: window)
    }

    /// Fills the cache from `pixels`: rows of `rowLength` pixels in the cache's byte order.
    func fill(from pixels: UnsafeRawBufferPointer, rowLength: Int, in scope: borrowing ContextScope) throws {
        precondition(pixels.count >= rowLength * key.size.height * 4 && rowLength >= key.size.width, "pixels for the cache")
        let (format, type) = switch (key.bgra, key.gles) {
        case (true, true): (GL_BGRA_EXT, GL_UNSIGNED_BYTE)
        case (true, false): (GL_BGRA_EXT, Self.unsignedInt8888Reversed)
        case (false, _): (GL_RGBA, GL_UNSIGNED_BYTE)
        }
        glBindTexture(GLenum(GL_TEXTURE_2D), texture)
        defer { glBindTexture(GLenum(GL_TEXTURE_2D), 0) }
        PixelStore.forUpload(rowLength: GLint(rowLength))
        glTexSubImage2D(GLenum(GL_TEXTURE_2D), 0, 0, 0, GLsizei(key.size.width), GLsizei(key.size.height),
                        GLenum(format), GLenum(type), pixels.baseAddress)
        try GLCheck.noError("glTexSubImage2D (display cache)")
    }

    /// Copies the cache into `framebuffer` at `viewport`, pixel for pixel.
    func copy(into framebuffer: GLuint, at viewport: PixelRect) throws {
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebufferName)
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), framebuffer)
        defer {
            glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0)
            glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), 0)
        }
        let (top, bottom) = key.flipped ? (GLint(key.size.height), 0) : (0, GLint(key.size.height))
        glBlitFramebuffer(
            0, top, GLint(key.size.width), bottom, GLint(viewport.x), GLint(viewport.y),
            GLint(viewport.x + viewport.width), GLint(viewport.y + viewport.height), GLbitfield(GL_COLOR_BUFFER_BIT), GLenum(GL_NEAREST))
        try GLCheck.noError("glBlitFramebuffer (display cache)")
    }
}
