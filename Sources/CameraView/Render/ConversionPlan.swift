import CEGL

/// How a frame reaches the GPU in one render.
enum FrameRoute: Equatable {
    /// Copied from memory (a frame in memory, or a dma-buf mapped) into the view's plane
    /// textures, packed four pixels per texel or a texel per pixel.
    case upload(PixelPacking)
    /// A dma-buf imported as EGLImages (`.perPlane` or `.external`).
    case imported(ImportPath)
}

/// Everything one render decides, decided here once from the frame, the target and the
/// options: how the frame is uploaded or imported, how the target holds pixels, which
/// program draws, where, and every uniform it gets. The rest of the render carries it out.
struct ConversionPlan: Equatable {
    let frameSize: PixelSize
    /// The target, resolved: where the conversion is drawn and how the render finishes.
    let target: ResolvedTarget
    var outputSize: PixelSize { target.outputSize }
    /// A dma-buf frame's path and why it was mapped and uploaded instead of imported (nil
    /// for a frame in memory).
    let importDecision: ImportDecision?
    let route: FrameRoute
    /// How the view's offscreen target holds pixels (image targets only).
    let targetPacking: PixelPacking
    let variant: ProgramVariant
    /// The viewport's size in the framebuffer drawn into (packed storage on the packed path).
    let viewportSize: PixelSize
    let uniforms: UniformValues
    /// The display cache a host framebuffer or a surface is drawn through (a conversion
    /// kept in the target's format and copied in), which a render of the same frame only
    /// copies again; nil when drawn directly: no cache can be copied in, or untouched bars,
    /// which the draw must leave alone.
    let displayCache: DisplayCache.Key?

    /// `imports`: what a dma-buf frame's path is decided from (unused for a frame in memory);
    /// `packedRows`: rows per fragment of the device's packed program; `cache`: the display
    /// cache the target can be drawn through (`DisplayCache.key(copyingInto:...)`).
    /// `packsPlaced`: whether the device draws nearest placed conversions packed (a
    /// software rasterizer: see `DeviceInfo.packsPlacedConversions`).
    init(
        frame: Frame, imports: ImportInputs, target: ResolvedTarget, options: RenderOptions, packedRows: Int,
        cache: DisplayCache.Key? = nil, packsPlaced: Bool = false
    ) throws(CameraViewError) {
        importDecision = if case .dmaBuf = frame { try ImportDecision(imports) } else { nil }
        let frameSize = frame.size
        let outputSize = target.outputSize
        // Our own targets hold nothing of a host's to keep: untouched bars are transparent.
        let bars = options.letterbox == .untouched && !target.isHosts ? .transparent : options.letterbox
        // A copy would overwrite the host's pixels under untouched bars.
        displayCache = bars == .untouched ? nil : cache
        // A cache stored upside down (copied flipped: see `DisplayCache`) is drawn so.
        let transform = try FrameTransform.make(
            frame: frameSize, output: outputSize, options: options,
            flipVertically: target.flipsVertically != (displayCache?.flipped ?? false))
        let filter = options.filter.resolved(outputToFrame: transform.matrix, output: outputSize)
        let mode: SamplingMode
        switch (frame, importDecision?.path) {
        case (.memory(let nv12), _):
            // A frame's upload depends on its layout alone, so it can be uploaded before its
            // target is known (a borrowed frame, uploaded at submit). Only CameraView's own
            // image targets take the packed output.
            let imageTarget = target.isImage
            // Nearest at an affine placement on a software rasterizer: 32 pixels a fragment,
            // into an image whose rows are whole texels or into a display cache (which takes
            // the pixels that exist); image and surface draw the same pixels then.
            let placedTarget = imageTarget ? outputSize.width % 4 == 0 : displayCache != nil
            let packedPlaced = packsPlaced && placedTarget && filter == .nearest && transform.matrix.isAffine
            mode = !PixelPacking.uploadsPacked(nv12.layout) ? .integerPlanes
                : (imageTarget ? Self.packedMode(nv12.layout, output: outputSize, options: options) : nil)
                    ?? (packedPlaced ? .packedPlaced : .packedInput)
        case (.dmaBuf, .perPlane?): mode = .normalizedPlanes
        case (.dmaBuf, .external?): mode = .externalImage
        case (.dmaBuf, _): mode = .integerPlanes
        }
        let packed = PixelPacking.packed(rows: packedRows)
        route = switch mode {
        case .normalizedPlanes: .imported(.perPlane)
        case .externalImage: .imported(.external)
        case .packedPlanes, .packedQuarter, .packedInput, .packedPlaced: .upload(packed)
        case .integerPlanes: .upload(.perPixel)
        }
        targetPacking = mode == .packedPlanes || mode == .packedPlaced ? packed : .perPixel
        variant = ProgramVariant(mode: mode, filter: filter)
        // A packed display conversion's width is rounded up to whole texels (the cache takes
        // the pixels that exist).
        viewportSize = PixelSize(
            width: (outputSize.width + targetPacking.pixelsPerTexel - 1) / targetPacking.pixelsPerTexel,
            height: (outputSize.height + targetPacking.rowsPerFragment - 1) / targetPacking.rowsPerFragment)
        (self.frameSize, self.target) = (frameSize, target)
        uniforms = UniformValues(variant: variant, inputs: UniformInputs(
            color: frame.color, frameSize: frameSize, viewportSize: viewportSize,
            outputToFrame: transform.matrix, bars: bars, blueFirst: displayCache?.bgra ?? false))
    }

    /// Whether `other` draws the same conversion (allocation-free; see `UniformValues.sameValues`).
    func sameConversion(as other: ConversionPlan) -> Bool {
        frameSize == other.frameSize && outputSize == other.outputSize && route == other.route
            && targetPacking == other.targetPacking && variant == other.variant && viewportSize == other.viewportSize
            && sameCache(as: other.displayCache) && uniforms.sameValues(as: other.uniforms)
    }

    private func sameCache(as other: DisplayCache.Key?) -> Bool {
        switch (displayCache, other) {
        case (nil, nil): true
        case (let mine?, let theirs?): mine == theirs
        default: false
        }
    }

    /// Whether the draw took a packed fast path (several pixels converted per fragment, or
    /// one fetch per row of a quarter-size pixel's block).
    var isPacked: Bool { variant.mode == .packedPlanes || variant.mode == .packedQuarter || variant.mode == .packedPlaced }

    /// The packed upload (four pixels per texel), when a frame's width and strides are whole
    /// texels and no placement is to be done, and how it is drawn:
    /// - `.packedPlanes`, four pixels per fragment into a packed target: a frame read back at
    ///   its own size, sampled nearest or bilinearly (at 1:1 bilinear keeps luma and
    ///   interpolates chroma only, with fixed weights); or `area` (or the automatic filter,
    ///   which picks it there) at exactly half the frame's size in both axes, each output
    ///   texel averaging two luma texels of two rows with fixed chroma weights, the output's
    ///   width whole texels too.
    /// - `.packedQuarter`, a pixel per fragment: `area` (or automatic) at exactly a quarter of
    ///   the frame's size in both axes, a pixel's 4x4 luma block being one texel of each of
    ///   four rows.
    /// Anything else reads the packed upload a pixel at a time (`.packedInput`).
    private static func packedMode(_ layout: NV12Layout, output: PixelSize, options: RenderOptions) -> SamplingMode? {
        guard !options.placesFrame else { return nil }
        let size = layout.size
        if output == size { return options.filter != .area ? .packedPlanes : nil }
        guard options.filter == .area || options.filter == .automatic else { return nil }
        if output == PixelSize(width: size.width / 2, height: size.height / 2) && size.height % 2 == 0 && output.width % 4 == 0 {
            return .packedPlanes
        }
        let quarter = output == PixelSize(width: size.width / 4, height: size.height / 4) && size.height % 4 == 0
        return quarter ? .packedQuarter : nil
    }
}

/// The path a dma-buf frame takes, decided once per render: the view's preference against
/// the device's capabilities (automatic: the best working path; a forced path the device
/// lacks is `importPathUnavailable`), then mapped and uploaded instead when the device
/// cannot read the frame's buffers.
struct ImportDecision: Equatable {
    let path: ImportPath
    /// Why the frame was mapped and uploaded instead of taking the view's path.
    let fallback: String?

    init(path: ImportPath, fallback: String?) { (self.path, self.fallback) = (path, fallback) }

    init(_ imports: ImportInputs) throws(CameraViewError) {
        var path: ImportPath
        switch (imports.preference, imports.capabilities) {
        case (.automatic, let capabilities?):
            path = capabilities.workingPaths[0]
        case (.forced(let forced), let capabilities?):
            guard capabilities.workingPaths.contains(forced) else {
                let reason = forced == .external || !capabilities.dmaBufImport
                    ? capabilities.externalNote ?? "not verified"
                    : "the device cannot import dma-bufs as R8/GR88 images"
                throw .importPathUnavailable(path: forced, reason: reason)
            }
            path = forced
        case (.forced(let forced), nil):
            path = forced
        case (.automatic, nil):
            path = .mappedUpload
        }
        var fallback: String?
        if path != .mappedUpload, let denial = imports.denial { (path, fallback) = (.mappedUpload, denial) }
        self.init(path: path, fallback: fallback)
    }
}

/// How the conversion shader reads a frame; each is one family of compiled variants.
enum SamplingMode: String, CaseIterable, Sendable {
    /// R8UI + RG8UI textures filled by upload: exact 8-bit codes.
    case integerPlanes = "INTEGER_PLANES"
    /// R8 + GR88 textures bound to per-plane dma-buf EGLImages.
    case normalizedPlanes = "NORMALIZED_PLANES"
    /// One NV12 EGLImage on GL_TEXTURE_EXTERNAL_OES, converted by the driver.
    case externalImage = "EXTERNAL_IMAGE"
    /// Four pixels per RGBA8UI texel, several rows per fragment, into RGBA32UI targets:
    /// untransformed 1:1 frames and area at exactly half size (Shaders/packed_*).
    case packedPlanes = "PACKED_PLANES"
    /// The packed upload's textures (four luma or two chroma pairs a texel) drawn a pixel
    /// at a time with any filter: every other render of a frame uploaded packed.
    case packedInput = "PACKED_INPUT"
    /// The packed upload at exactly a quarter of the frame's size with `area`: one fetch
    /// per row of each pixel's 4x4 luma block.
    case packedQuarter = "PACKED_QUARTER"
    /// The packed upload drawn nearest at an affine placement, four pixels in each of
    /// several rows a fragment, into a packed target: read back as an image, or into a
    /// display cache (Shaders/packed_scaled.frag).
    case packedPlaced = "PACKED_PLACED"

    /// The #define that selects the mode's texture declarations in Shaders/nv12_planes.glsl.
    var define: String { self == .packedQuarter ? SamplingMode.packedInput.rawValue : rawValue }

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
        case .externalImage, .packedPlaced: .nearest
        case .packedQuarter: .area
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

    /// The fragment shader: `#version`, the mode's #define, the shared part of the
    /// variant's family (Shaders/nv12_planes.glsl or packed_planes.glsl), then its own main.
    func fragmentSource(packedRows: Int) -> String {
        let (define, shared, main): (String, String, String) = switch (mode, filter) {
        case (.packedPlanes, .bilinear): ("ROWS \(packedRows)", ShaderSources.packedPlanesGlsl, ShaderSources.packedLinearFrag)
        case (.packedPlanes, .area): ("ROWS \(packedRows)", ShaderSources.packedPlanesGlsl, ShaderSources.packedHalfFrag)
        case (.packedPlanes, _): ("ROWS \(packedRows)", ShaderSources.packedPlanesGlsl, ShaderSources.packedNearestFrag)
        case (.packedPlaced, _): ("ROWS \(packedRows)", ShaderSources.packedPlanesGlsl, ShaderSources.packedScaledFrag)
        case (.packedQuarter, _): (mode.define, ShaderSources.nv12PlanesGlsl, ShaderSources.nv12QuarterFrag)
        case (.externalImage, _): (mode.define, ShaderSources.nv12PlanesGlsl, ShaderSources.nv12ExternalFrag)
        case (_, .bilinear): (mode.define, ShaderSources.nv12PlanesGlsl, ShaderSources.nv12BilinearFrag)
        case (_, .area): (mode.define, ShaderSources.nv12PlanesGlsl, ShaderSources.nv12AreaFrag)
        default: (mode.define, ShaderSources.nv12PlanesGlsl, ShaderSources.nv12NearestFrag)
        }
        return "#version 300 es\n#define \(define)\n" + shared + "\n" + main
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
    case blueFirst

    static let count = 22

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
        case .blueFirst: "u_blueFirst"
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

    /// `==` element by element (see `UniformValues.sameValues`).
    func sameValue(as other: UniformValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.vec2(let a), .vec2(let b)): return a.x == b.x && a.y == b.y
        case (.vec3(let a), .vec3(let b)): return a.x == b.x && a.y == b.y && a.z == b.z
        case (.vec4(let a), .vec4(let b)): return a.x == b.x && a.y == b.y && a.z == b.z && a.w == b.w
        case (.mat3(let a), .mat3(let b)): return a.sameElements(as: b)
        case (.mat4(let a), .mat4(let b)):
            for index in 0..<16 where a[index] != b[index] { return false }
            return true
        default: return false
        }
    }
}

/// What one draw's uniforms are computed from.
struct UniformInputs {
    let color: ColorDescription
    let frameSize: PixelSize
    /// The viewport's size (the packed target's storage size on the packed path).
    let viewportSize: PixelSize
    let outputToFrame: Matrix3
    let bars: Letterbox
    /// Whether packed pixels are written B, G, R, A (a BGRA display cache's order).
    var blueFirst = false

    static let neutral = UniformInputs(
        color: .default, frameSize: PixelSize(width: 1, height: 1), viewportSize: PixelSize(width: 1, height: 1),
        outputToFrame: .identity, bars: .black)
}

/// The value of every uniform a variant uses, for one draw: a slot per `Uniform`, inline.
struct UniformValues: Equatable {
    private var slots = InlineArray<22, UniformValue?>(repeating: nil)

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

    /// `==` slot by slot and element by element: allocation-free in every build (a render
    /// compares its plan with the cached one; the generic comparisons of optionals and SIMD
    /// values allocate in unspecialized builds).
    func sameValues(as other: UniformValues) -> Bool {
        for index in 0..<Uniform.count {
            switch (slots[index], other.slots[index]) {
            case (nil, nil): continue
            case (let left?, let right?) where left.sameValue(as: right): continue
            default: return false
            }
        }
        return true
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
        if variant.mode == .packedPlaced {
            // Placed per pixel in the fragment shader with the per-pixel programs' colour
            // conversion; bars are transparent or opaque black.
            self[.outputSize] = nil
            self[.yuvToRgb] = .mat3(conversion.matrix)
            self[.yuvOffset] = .vec3(conversion.offset)
            self[.barColor] = .vec4(SIMD4(0, 0, 0, inputs.bars == .black ? 1 : 0))
            self[.blueFirst] = .int(inputs.blueFirst ? 1 : 0)
            return
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

/// The fixed blend weights of the packed program's interpolated chroma (packed_linear.frag):
/// at 1:1, pixel x of a row sits at chroma position
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
