import CEGL

/// How the conversion shader reads a frame; each is one family of compiled variants.
enum SamplingMode: String, CaseIterable, Sendable {
    /// R8UI + RG8UI textures filled by upload: exact 8-bit codes.
    case integerPlanes = "INTEGER_PLANES"
    /// R8 + GR88 textures bound to per-plane dma-buf EGLImages.
    case normalizedPlanes = "NORMALIZED_PLANES"
    /// One NV12 EGLImage on GL_TEXTURE_EXTERNAL_OES, converted by the driver.
    case externalImage = "EXTERNAL_IMAGE"
    /// Four pixels per RGBA8UI texel, several rows per fragment, into RGBA32UI targets:
    /// untransformed 1:1 frames and area at exactly half size (nv12_packed.frag).
    case packedPlanes = "PACKED_PLANES"
    /// The packed upload's textures drawn a pixel at a time: area at exactly a quarter of
    /// the frame's size, one fetch per row of each pixel's 4x4 luma block.
    case packedInput = "PACKED_INPUT"

    var textureTarget: GLenum {
        self == .externalImage ? GLenum(GL_TEXTURE_EXTERNAL_OES) : GLenum(GL_TEXTURE_2D)
    }
}

/// Which compiled program draws a frame: its sampling mode and its resolved filter (never
/// `.automatic`; the external and quarter-size modes have one filter each).
struct ProgramVariant: Hashable, CustomStringConvertible {
    let mode: SamplingMode
    let filter: SampleFilter

    init(mode: SamplingMode, filter: SampleFilter) {
        assert(filter != .automatic, "resolve the filter before choosing a program")
        self.mode = mode
        self.filter = switch mode {
        case .externalImage: .nearest
        case .packedInput: .area
        default: filter
        }
    }

    /// Every variant the device can be asked to compile.
    static var all: [ProgramVariant] {
        SamplingMode.allCases.flatMap { mode in
            [SampleFilter.nearest, .bilinear, .area].map { ProgramVariant(mode: mode, filter: $0) }
        }.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    var description: String { "\(mode.rawValue), \(filter.rawValue)" }

    /// The #defines after `#version`.
    func macros(packedRows: Int) -> [String] {
        switch (mode, filter) {
        case (.packedPlanes, .bilinear): ["ROWS \(packedRows)", "CHROMA_LINEAR"]
        case (.packedPlanes, .area): ["ROWS \(packedRows)", "AREA_HALF"]
        case (.packedPlanes, _): ["ROWS \(packedRows)"]
        case (.packedInput, _), (.externalImage, _): [mode.rawValue]
        case (_, .bilinear): [mode.rawValue, "FILTER_BILINEAR"]
        case (_, .area): [mode.rawValue, "FILTER_AREA"]
        default: [mode.rawValue]
        }
    }

    /// The uniforms this variant's shaders declare and use: the keys of the values a
    /// plan sets (the one place that says which uniforms a variant has).
    var uniforms: Set<Uniform> {
        Set(UniformValues(variant: self, inputs: .neutral).assigned.map(\.uniform))
    }
}

/// A uniform of the conversion shaders (its GLSL name declared once, here). Int-backed:
/// it indexes a plan's inline slots.
enum Uniform: Int, CaseIterable, Sendable {
    case luma, chroma, image
    case outputToFrame, frameSize, outputSize
    case yuvToRgb, yuvOffset, chromaOrigin, barColor, keepBars
    case lumaScale, cbScale, crScale, bias
    case chromaWeightsX, evenRowWeights, oddRowWeights, chromaLastRow, halfWeights, lumaLastRow

    static let count = 21

    var name: String {
        switch self {
        case .luma: "u_luma"
        case .chroma: "u_chroma"
        case .image: "u_image"
        case .outputToFrame: "u_outputToFrame"
        case .frameSize: "u_frameSize"
        case .outputSize: "u_outputSize"
        case .yuvToRgb: "u_yuvToRgb"
        case .yuvOffset: "u_yuvOffset"
        case .chromaOrigin: "u_chromaOrigin"
        case .barColor: "u_barColor"
        case .keepBars: "u_keepBars"
        case .lumaScale: "u_lumaScale"
        case .cbScale: "u_cbScale"
        case .crScale: "u_crScale"
        case .bias: "u_bias"
        case .chromaWeightsX: "u_chromaWeightsX"
        case .evenRowWeights: "u_evenRowWeights"
        case .oddRowWeights: "u_oddRowWeights"
        case .chromaLastRow: "u_chromaLastRow"
        case .halfWeights: "u_halfWeights"
        case .lumaLastRow: "u_lumaLastRow"
        }
    }
}

/// A value for one uniform, typed as GLSL declares it (held inline: a plan allocates nothing).
enum UniformValue: Equatable, Sendable {
    case int(Int32)
    case float(Float)
    case vec2(SIMD2<Float>)
    case vec3(SIMD3<Float>)
    case vec4(SIMD4<Float>)
    case mat3(Matrix3)
    /// Column-major.
    case mat4(SIMD16<Float>)
}

/// What one draw's uniforms are computed from.
struct UniformInputs {
    let color: ColorDescription
    let frameSize: PixelSize
    /// The viewport's size (the packed target's storage size on the packed path).
    let viewportSize: PixelSize
    let outputToFrame: Matrix3
    let bars: Letterbox

    static let neutral = UniformInputs(
        color: .default, frameSize: PixelSize(width: 1, height: 1), viewportSize: PixelSize(width: 1, height: 1),
        outputToFrame: .identity, bars: .black)
}

/// The value of every uniform a variant uses, for one draw: a slot per `Uniform`, inline.
struct UniformValues: Equatable {
    private var slots = InlineArray<21, UniformValue?>(repeating: nil)

    private subscript(uniform: Uniform) -> UniformValue? {
        get { slots[uniform.rawValue] }
        set { slots[uniform.rawValue] = newValue }
    }

    /// Calls `body` with each uniform that has a value.
    func forEach(_ body: (Uniform, UniformValue) throws -> Void) rethrows {
        for index in 0..<Uniform.count {
            if let value = slots[index] { try body(Uniform(rawValue: index)!, value) }
        }
    }

    /// The uniforms with values (allocates: for checks, not per draw).
    var assigned: [(uniform: Uniform, value: UniformValue)] {
        var result: [(uniform: Uniform, value: UniformValue)] = []
        forEach { result.append(($0, $1)) }
        return result
    }

    static func == (lhs: UniformValues, rhs: UniformValues) -> Bool {
        lhs.assigned.elementsEqual(rhs.assigned) { $0.uniform == $1.uniform && $0.value == $1.value }
    }

    init(variant: ProgramVariant, inputs: UniformInputs) {
        let color = inputs.color, frame = inputs.frameSize
        let conversion = ColorConversion(color)
        let origin = color.chromaLocation.origin
        let chromaRows = frame.chroma.height
        self[.outputToFrame] = .mat3(inputs.outputToFrame)
        self[.outputSize] = .vec2(SIMD2(Float(inputs.viewportSize.width), Float(inputs.viewportSize.height)))
        self[.frameSize] = .vec2(SIMD2(Float(frame.width), Float(frame.height)))
        if variant.mode == .externalImage {
            self[.image] = .int(0)
        } else {
            self[.luma] = .int(0)
            self[.chroma] = .int(1)
        }
        guard variant.mode == .packedPlanes else {
            if variant.mode != .externalImage {
                self[.yuvToRgb] = .mat3(conversion.matrix)
                self[.yuvOffset] = .vec3(conversion.offset)
            }
            // Nearest samples need no siting; the external image is sited by the driver.
            if variant.filter != .nearest { self[.chromaOrigin] = .vec2(SIMD2(Float(origin.x), Float(origin.y))) }
            self[.barColor] = .vec4(SIMD4(0, 0, 0, inputs.bars == .black ? 1 : 0))
            self[.keepBars] = .int(inputs.bars == .untouched ? 1 : 0)
            return
        }
        let codes = conversion.outputCodes
        (self[.lumaScale], self[.cbScale]) = (.float(codes.luma), .vec3(codes.cb))
        (self[.crScale], self[.bias]) = (.vec3(codes.cr), .float(codes.bias))
        switch variant.filter {
        case .bilinear:
            let weights = PackedChromaWeights(color.chromaLocation)
            let (c0, c1, c2, c3) = weights.horizontal
            self[.chromaWeightsX] = .mat4(SIMD16(lowHalf: SIMD8(lowHalf: c0, highHalf: c1), highHalf: SIMD8(lowHalf: c2, highHalf: c3)))
            (self[.evenRowWeights], self[.oddRowWeights]) = (.vec3(weights.evenRow), .vec3(weights.oddRow))
            self[.chromaLastRow] = .int(Int32(chromaRows - 1))
        case .area:
            // Chroma box j spans frame [2j + o - 1, 2j + o + 1) about its site o; an output
            // pixel's 2x2 block [2i, 2i + 2) overlaps box i by 1 + o, box i + 1 by 1 - o.
            self[.halfWeights] = .vec4(SIMD4(Float((1 + origin.x) / 2), Float((1 - origin.x) / 2),
                                               Float((1 + origin.y) / 2), Float((1 - origin.y) / 2)))
            self[.lumaLastRow] = .int(Int32(frame.height - 1))
            self[.chromaLastRow] = .int(Int32(chromaRows - 1))
        default: break
        }
        // The packed program reads neither placement nor size: it draws 1:1 and half size only.
        self[.outputToFrame] = nil
        self[.outputSize] = nil
        self[.frameSize] = nil
    }
}
