import CEGL

/// A view's GPU objects, reused frame to frame while sizes stay the same. It owns them
/// (non-copyable): each is released exactly once, by `releaseAll` at the view's close or
/// when a new size replaces it.
struct ViewState: ~Copyable {
    /// Nil once the view is closed.
    var vertexArray: GLVertexArray?
    var planes: UploadedPlanes?
    var target: OffscreenTarget?
    var importer = DmaBufImporter()
    var surfaces: [ObjectIdentifier: SurfaceObjects] = [:]
    var lastTimings: FrameTimings?
    var lastImportPath: ImportPath?
    var lastImportFallback: String?
    /// Which foreign buffers the device can read, by file (see `BufferAccessCheck`); as
    /// many files as the importer keeps buffers.
    var accessVerdicts = RecentlyUsedCache<BufferFile, BufferAccessVerdict>(capacity: DmaBufImporter.capacity)
    var uploadedBytes = 0

    /// The vertex array's name while open, 0 once closed.
    private(set) var vertexArrayName: GLuint

    init(vertexArray: consuming GLVertexArray) {
        vertexArrayName = vertexArray.raw
        self.vertexArray = consume vertexArray
    }

    var isOpen: Bool { vertexArrayName != 0 }

    mutating func releaseFrameObjects(in teardown: Teardown) {
        _ = accessVerdicts.removeAll()
        importer.releaseAll(in: teardown)
        planes.take()?.release(in: teardown)
    }

    /// The plane textures for `key`, made (or remade) when the key changes, and what the
    /// shader samples from them after `fill` has put a frame in.
    mutating func uploadPlanes(
        _ key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope,
        fill: (borrowing UploadedPlanes) throws -> Void
    ) throws -> PlaneTextures {
        try Self.reuse(&planes, key: key, table: table, in: scope)
        guard let textures = planes?.textures else { throw CameraViewError.closed }
        try fill(planes!)
        return textures
    }

    /// The offscreen target for `key`, made (or remade) when the key changes.
    mutating func prepareTarget(_ key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope) throws {
        try Self.reuse(&target, key: key, table: table, in: scope)
    }

    /// Keeps `object` while its size and kind fit, else replaces it (the old one released
    /// first, so a failed creation leaves nothing behind).
    private static func reuse<Object: SizedGPUObjects & ~Copyable>(
        _ object: inout Object?, key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope
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
        target.take()?.release(in: teardown)
        vertexArray.take()?.release(in: teardown)
        vertexArrayName = 0
    }

}

extension UploadedPlanes: SizedGPUObjects {}
extension OffscreenTarget: SizedGPUObjects {}
