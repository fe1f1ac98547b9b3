/// The YCbCr -> RGB conversion as the shaders apply it: `rgb = matrix * (code - offset)`,
/// per 8-bit code value, with range scaling folded into the matrix.
struct ColorConversion: Equatable {
    let matrix: Matrix3
    let offset: SIMD3<Float>
    /// The same conversion straight to output codes, for the packed shader.
    let outputCodes: OutputCodeCoefficients

    init(_ color: ColorDescription) {
        let (kr, kb) = color.matrix.lumaWeights
        let kg = 1 - kr - kb
        let (lumaScale, chromaScale, lumaOffset): (Double, Double, Double) = switch color.range {
        case .full: (1 / 255, 1 / 255, 0)
        case .limited: (1 / 219, 1 / 224, 16)
        }
        // Columns (Y, Cb, Cr) of the matrix whose rows are R, G, B. The Y column is the same
        // for all three: every BT.601/BT.709 colour is Y plus chroma terms.
        let cb = SIMD3(0, -2 * kb * (1 - kb) / kg, 2 * (1 - kb)) * chromaScale
        let cr = SIMD3(2 * (1 - kr), -2 * kr * (1 - kr) / kg, 0) * chromaScale
        matrix = Matrix3(
            SIMD3(lumaScale, cb.x, cr.x), SIMD3(lumaScale, cb.y, cr.y), SIMD3(lumaScale, cb.z, cr.z))
        offset = SIMD3(Float(lumaOffset), 128, 128)
        // In double precision, so the shader's floats carry only their own rounding.
        outputCodes = OutputCodeCoefficients(
            luma: Float(255 * lumaScale), cb: SIMD3<Float>(255 * cb), cr: SIMD3<Float>(255 * cr),
            bias: Float(255 * -lumaScale * lumaOffset + 0.5))
    }
}

/// `code = clamp(Y * luma + (Cb - 128) * cb + (Cr - 128) * cr + bias, 0, 255.5)`,
/// truncated: each RGB output code from the 8-bit input codes in one multiply-add chain
/// per channel (Cb and Cr are centred on 128 in every range). `bias` holds the luma
/// offset's share and the 0.5 that makes truncation round, so the shader spends no
/// per-pixel work on range scaling, offsets or rounding.
struct OutputCodeCoefficients: Equatable {
    let luma: Float
    let cb: SIMD3<Float>
    let cr: SIMD3<Float>
    /// The same for R, G and B, as `luma` is.
    let bias: Float
}
