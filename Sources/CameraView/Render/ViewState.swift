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
