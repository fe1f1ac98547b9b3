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
