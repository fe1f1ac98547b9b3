/// A view's GPU objects, reused frame to frame while sizes stay the same.
struct ViewState {
    /// Nil once the view is closed.
    var vertexArray: HandleRecord?
    var planes: UploadedPlanes?
    var target: OffscreenTarget?
    var importer = DmaBufImporter()
    var surfaces: Set<GBMSurface.SurfaceRecords> = []
    var lastTimings: FrameTimings?
    var lastImportPath: ImportPath?
    var uploadedBytes = 0

    init(vertexArray: HandleRecord) { self.vertexArray = vertexArray }

    mutating func releaseFrameObjects(table: HandleTable, destroyer: HandleDestroyer) {
        importer.releaseAll(table: table, destroyer: destroyer)
        planes?.release(table: table, destroyer: destroyer)
        planes = nil
    }

    /// The EGL surface before the GBM surface it draws to.
    static func release(_ surface: GBMSurface.SurfaceRecords, table: HandleTable, destroyer: HandleDestroyer) {
        table.release(surface.eglSurface, using: destroyer)
        table.release(surface.gbmSurface, using: destroyer)
    }

    mutating func planes(
        of size: PixelSize, packing: PixelPacking = .perPixel, table: HandleTable, destroyer: HandleDestroyer
    ) throws -> UploadedPlanes {
        try Self.reuse(&planes, key: GPUObjectKey(size: size, packing: packing), table: table, destroyer: destroyer)
    }

    mutating func target(
        of size: PixelSize, packing: PixelPacking = .perPixel, table: HandleTable, destroyer: HandleDestroyer
    ) throws -> OffscreenTarget {
        try Self.reuse(&target, key: GPUObjectKey(size: size, packing: packing), table: table, destroyer: destroyer)
    }

    /// Keeps `object` while its size and kind fit, else replaces it (the old one released
    /// first, so a failed creation leaves nothing behind).
    private static func reuse<Object: SizedGPUObjects>(
        _ object: inout Object?, key: GPUObjectKey, table: HandleTable, destroyer: HandleDestroyer
    ) throws -> Object {
        if let object, object.key == key { return object }
        object?.release(table: table, destroyer: destroyer)
        object = nil
        let fresh = try Object(key: key, table: table, destroyer: destroyer)
        object = fresh
        return fresh
    }

    mutating func releaseAll(table: HandleTable, destroyer: HandleDestroyer) {
        for surface in surfaces { Self.release(surface, table: table, destroyer: destroyer) }
        surfaces.removeAll()
        releaseFrameObjects(table: table, destroyer: destroyer)
        target?.release(table: table, destroyer: destroyer)
        if let vertexArray { table.release(vertexArray, using: destroyer) }
        target = nil
    }
}

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
}

/// What per-view textures and targets are made for: a size and a packing.
struct GPUObjectKey: Hashable {
    let size: PixelSize
    let packing: PixelPacking
}

/// GPU objects made for one key and kept while frames keep it.
protocol SizedGPUObjects {
    var key: GPUObjectKey { get }
    init(key: GPUObjectKey, table: HandleTable, destroyer: HandleDestroyer) throws
    func release(table: HandleTable, destroyer: HandleDestroyer)
}

extension UploadedPlanes: SizedGPUObjects {}
extension OffscreenTarget: SizedGPUObjects {}
