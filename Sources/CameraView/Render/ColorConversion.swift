/// The YCbCr -> RGB conversion as the shader applies it: `rgb = matrix * (code - offset)`,
/// per 8-bit code value, with range scaling folded into the matrix.
struct ColorConversion: Equatable {
    let matrix: Matrix3
    let offset: SIMD3<Float>

    init(_ color: ColorDescription) {
        let (kr, kb) = color.matrix.lumaWeights
        let kg = 1 - kr - kb
        let (lumaScale, chromaScale, lumaOffset): (Double, Double, Double) = switch color.range {
        case .full: (1 / 255, 1 / 255, 0)
        case .limited: (1 / 219, 1 / 224, 16)
        }
        // Rows: R, G, B. Columns: Y, Cb, Cr.
        matrix = Matrix3(
            SIMD3(lumaScale, 0, 2 * (1 - kr) * chromaScale),
            SIMD3(lumaScale, -2 * kb * (1 - kb) / kg * chromaScale, -2 * kr * (1 - kr) / kg * chromaScale),
            SIMD3(lumaScale, 2 * (1 - kb) * chromaScale, 0))
        offset = SIMD3(Float(lumaOffset), 128, 128)
    }
}
