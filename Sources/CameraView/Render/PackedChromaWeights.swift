/// The fixed blend weights of the packed program's interpolated chroma (nv12_packed.frag
/// with CHROMA_LINEAR): at 1:1, pixel x of a row sits at chroma position
/// (x + 0.5 - origin.x) / 2, so within a four-pixel texel the weights repeat, and rows
/// 2k and 2k + 1 blend chroma rows k - 1, k and k + 1 the same way for every k.
struct PackedChromaWeights {
    /// Column-major 4x4 (four contiguous columns): column p weighs chroma samples 2x - 1,
    /// 2x, 2x + 1, 2x + 2 for pixel 4x + p.
    let horizontal: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
    /// Weights of chroma rows k - 1, k, k + 1 for luma rows 2k and 2k + 1.
    let evenRow: SIMD3<Float>
    let oddRow: SIMD3<Float>

    init(_ location: ChromaLocation) {
        let origin = location.origin
        /// Linear interpolation at `position` (in [-1, 1]) over samples at -1, 0, 1, 2.
        func weights(at position: Double) -> SIMD4<Float> {
            let base = position.rounded(.down), fraction = Float(position - base)
            var result = SIMD4<Float>.zero
            result[Int(base) + 1] = 1 - fraction
            result[Int(base) + 2] += fraction
            return result
        }
        func pixel(_ p: Int) -> SIMD4<Float> { weights(at: (Double(p) + 0.5 - origin.x) / 2) }
        horizontal = (pixel(0), pixel(1), pixel(2), pixel(3))
        let even = weights(at: (0.5 - origin.y) / 2), odd = weights(at: (1.5 - origin.y) / 2)
        evenRow = SIMD3(even[0], even[1], even[2])
        oddRow = SIMD3(odd[0], odd[1], odd[2])
    }
}
