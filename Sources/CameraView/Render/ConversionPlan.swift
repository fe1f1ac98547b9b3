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
    let outputSize: PixelSize
    let route: FrameRoute
    /// How the view's offscreen target holds pixels (image targets only).
    let targetPacking: PixelPacking
    let variant: ProgramVariant
    /// The viewport's size in the framebuffer drawn into (packed storage on the packed path).
    let viewportSize: PixelSize
    let uniforms: UniformValues

    /// `importPath`: the path a dma-buf frame takes (nil for a frame in memory);
    /// `packedRows`: rows per fragment of the device's packed program.
    init(frame: Frame, importPath: ImportPath?, target: RenderTarget, options: RenderOptions, packedRows: Int) throws(CameraViewError) {
        let frameSize = frame.size
        let outputSize = target.outputSize(frame: frameSize)
        let transform = try FrameTransform.make(
            frame: frameSize, output: outputSize, options: options, flipVertically: target.flipsVertically)
        let mode: SamplingMode
        switch (frame, importPath) {
        case (.memory(let nv12), _):
            // Only CameraView's own image targets take the packed output.
            let imageTarget = if case .image = target.destination { true } else { false }
            mode = imageTarget ? Self.packedMode(nv12.layout, output: outputSize, options: options) ?? .integerPlanes : .integerPlanes
        case (.dmaBuf, .perPlane?): mode = .normalizedPlanes
        case (.dmaBuf, .external?): mode = .externalImage
        case (.dmaBuf, _): mode = .integerPlanes
        }
        let packed = PixelPacking.packed(rows: packedRows)
        route = switch mode {
        case .normalizedPlanes: .imported(.perPlane)
        case .externalImage: .imported(.external)
        case .packedPlanes, .packedInput: .upload(packed)
        case .integerPlanes: .upload(.perPixel)
        }
        targetPacking = mode == .packedPlanes ? packed : .perPixel
        variant = ProgramVariant(mode: mode, filter: options.filter.resolved(outputToFrame: transform.matrix, output: outputSize))
        viewportSize = PixelSize(
            width: outputSize.width / targetPacking.pixelsPerTexel,
            height: (outputSize.height + targetPacking.rowsPerFragment - 1) / targetPacking.rowsPerFragment)
        (self.frameSize, self.outputSize) = (frameSize, outputSize)
        // Our own targets hold nothing of a host's to keep: untouched bars are transparent.
        let bars = options.letterbox == .untouched && !target.isHost ? .transparent : options.letterbox
        uniforms = UniformValues(variant: variant, inputs: UniformInputs(
            color: frame.color, frameSize: frameSize, viewportSize: viewportSize,
            outputToFrame: transform.matrix, bars: bars))
    }

    /// Whether the draw took a packed fast path (the frame uploaded four pixels per texel).
    var isPacked: Bool { variant.mode == .packedPlanes || variant.mode == .packedInput }

    /// The packed upload (four pixels per texel), when a frame's width and strides are whole
    /// texels and no placement is to be done, and how it is drawn:
    /// - `.packedPlanes`, four pixels per fragment into a packed target: a frame read back at
    ///   its own size, sampled nearest or bilinearly (at 1:1 bilinear keeps luma and
    ///   interpolates chroma only, with fixed weights); or `area` (or the automatic filter,
    ///   which picks it there) at exactly half the frame's size in both axes, each output
    ///   texel averaging two luma texels of two rows with fixed chroma weights, the output's
    ///   width whole texels too.
    /// - `.packedInput`, a pixel per fragment: `area` (or automatic) at exactly a quarter of
    ///   the frame's size in both axes, a pixel's 4x4 luma block being one texel of each of
    ///   four rows.
    private static func packedMode(_ layout: NV12Layout, output: PixelSize, options: RenderOptions) -> SamplingMode? {
        guard !options.placesFrame, layout.width % 4 == 0, layout.yStride % 4 == 0, layout.uvStride % 4 == 0 else { return nil }
        let size = layout.size
        if output == size { return options.filter != .area ? .packedPlanes : nil }
        guard options.filter == .area || options.filter == .automatic else { return nil }
        if output == PixelSize(width: size.width / 2, height: size.height / 2) && size.height % 2 == 0 && output.width % 4 == 0 {
            return .packedPlanes
        }
        let quarter = output == PixelSize(width: size.width / 4, height: size.height / 4) && size.height % 4 == 0
        return quarter ? .packedInput : nil
    }
}
