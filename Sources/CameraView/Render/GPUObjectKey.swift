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
protocol SizedGPUObjects: ~Copyable {
    var key: GPUObjectKey { get }
    init(key: GPUObjectKey, table: HandleTable, in scope: borrowing ContextScope) throws
    consuming func release(in teardown: Teardown)
}
