import CameraView
import CameraViewTesting
import Testing

/// Every channel within 1 of the exact double model, for all four matrix/range pairs,
/// on synthetic and photographic content, full size and odd size.
@Suite(.ledgerChecked) struct ColorAccuracyTests {
    static let colors = ColorDescription.allCases
    static let sizes = [PixelSize(width: 1928, height: 1208), PixelSize(width: 333, height: 199)]

    @Test(arguments: colors, sizes)
    func gradientMatchesExactModel(color: ColorDescription, size: PixelSize) throws {
        try expectWithinOne(TestFrames.gradient(width: size.width, height: size.height, color: color))
    }

    @Test(arguments: colors, sizes)
    func noiseMatchesExactModel(color: ColorDescription, size: PixelSize) throws {
        try expectWithinOne(TestFrames.noise(layout: NV12Layout(width: size.width, height: size.height), color: color))
    }

    @Test(arguments: colors, sizes)
    func photoMatchesExactModel(color: ColorDescription, size: PixelSize) throws {
        try expectWithinOne(TestFrames.photo(width: size.width, height: size.height, color: color))
    }

    /// swscale is a second, independent oracle; natural images only (it wraps instead of
    /// clamping on out-of-gamut input), and even sizes only: for odd widths swscale
    /// resamples the ceil(w/2) chroma columns across the frame instead of taking sample
    /// x/2, so it is no oracle for nearest-sample NV12 there (measured: errors up to 100).
    @Test(arguments: colors, [PixelSize(width: 1928, height: 1208), PixelSize(width: 1344, height: 760)])
    func photoMatchesSwscale(color: ColorDescription, size: PixelSize) throws {
        let path = try TestFrames.photoFile(width: size.width, height: size.height, color: color)
        let layout = try NV12Layout(width: size.width, height: size.height)
        let frame = try NV12Frame(contentsOf: path, layout: layout, color: color)
        let expected = try SwscaleOracle.convert(nv12File: path, layout: layout, color: color)
        let actual = try render(frame, options: .exact)
        let difference = try ImageComparison(actual: actual, expected: expected, tolerance: 1)
        #expect(difference.differingPixels == 0, "\(color) \(size): \(difference)")
    }

    /// Untransformed 1:1 frames take the packed path (four pixels per fragment); the same
    /// frame through the per-pixel path (forced by an identity transform in projective form,
    /// which no packed program takes) agrees within 1.
    @Test(arguments: colors)
    func packedFastPathAgreesWithThePerPixelPath(color: ColorDescription) throws {
        let photo = try TestFrames.photo(width: 1928, height: 1208, color: color)
        let view = try CameraView()
        defer { view.close() }
        for frame in [photo, try TestFrames.relayout(photo, to: .venus(width: 1928, height: 1208))] {
            let packed = try view.render(.memory(frame), options: .exact)
            #expect(view.lastFrameTimings?.packed == true)
            let projectiveIdentity = Matrix3(rows: [[2, 0, 0], [0, 2, 0], [0, 0, 2]])
            let perPixel = try view.render(.memory(frame), options: RenderOptions(frameToOutput: projectiveIdentity, filter: .nearest))
            #expect(view.lastFrameTimings?.packed == false)
            let comparison = try ImageComparison(actual: packed, expected: perPixel, tolerance: 1)
            #expect(comparison.passed, "\(comparison)")
        }
        // Widths that are not whole texels take the per-pixel path.
        _ = try view.render(.memory(TestFrames.gradient(width: 66, height: 20, color: color)))
        #expect(view.lastFrameTimings?.packed == false)
    }

    /// The packed path converts a block of rows per fragment; heights that are not whole
    /// blocks (down to one row), and padded strides, still give every row, from the right
    /// source rows, within 1 of the exact model.
    @Test(arguments: [(4, 1), (8, 2), (12, 3), (16, 7), (64, 9), (100, 13), (96, 47), (1928, 1207)])
    func packedPathHandlesPartialRowBlocks(width: Int, height: Int) throws {
        let view = try CameraView()
        defer { view.close() }
        for layout in [try NV12Layout(width: width, height: height),
                       try NV12Layout(width: width, height: height, yStride: width + 12, uvOffset: (width + 12) * (height + 3), uvStride: width + 20)] {
            let frame = try TestFrames.noise(layout: layout)
            let actual = try view.render(.memory(frame), options: .exact)
            #expect(view.lastFrameTimings?.packed == true)
            let difference = try ImageComparison(actual: actual, expected: ExactModel.render(frame), tolerance: 1)
            #expect(difference.differingPixels == 0, "\(width)x\(height) \(layout): \(difference)")
        }
    }

    /// The model itself against published values: BT.601 full range is JPEG's
    /// conversion, whose red for (Y, Cb, Cr) = (128, 128, 255) is 128 + 1.402 * 127.
    @Test func exactModelMatchesPublishedCoefficients() {
        let red = ExactModel.rgb(y: 128, cb: 128, cr: 255, color: .init(matrix: .bt601, range: .full))
        #expect(red.0 == 255)
        let jpeg = ExactModel.rgb(y: 100, cb: 150, cr: 90, color: .init(matrix: .bt601, range: .full))
        // JFIF: R = Y + 1.402 (Cr-128), G = Y - 0.344136 (Cb-128) - 0.714136 (Cr-128), B = Y + 1.772 (Cb-128)
        #expect(jpeg == (47, 120, 139))
        // BT.709 limited: white (235,128,128) and black (16,128,128) map to 255 and 0.
        let white = ExactModel.rgb(y: 235, cb: 128, cr: 128, color: .init(matrix: .bt709, range: .limited))
        let black = ExactModel.rgb(y: 16, cb: 128, cr: 128, color: .init(matrix: .bt709, range: .limited))
        #expect(white == (255, 255, 255) && black == (0, 0, 0))
    }

    /// Within 1 everywhere, and off at all in at most 1 pixel in 1,000 (float ties; 0.07% at
    /// worst, BT.601 full range): a bias such as truncating instead of rounding stays
    /// within 1 but is off in about half the pixels.
    private func expectWithinOne(_ frame: NV12Frame) throws {
        let actual = try render(frame, options: .exact)
        let expected = ExactModel.render(frame)
        let difference = try ImageComparison(actual: actual, expected: expected, tolerance: 1)
        let name = "\(frame.color) \(frame.layout.width)x\(frame.layout.height)"
        #expect(difference.differingPixels == 0, "\(name): \(difference)")
        let inexact = try ImageComparison(actual: actual, expected: expected, tolerance: 0)
        #expect(inexact.differingPixels * 1_000 <= inexact.pixelCount, "\(name): \(inexact)")
    }
}

/// Renders one frame at 1:1 through the per-pixel path (an identity transform keeps it
/// off the packed path), which the import paths and surfaces match exactly.
func renderPerPixel(_ frame: NV12Frame) throws -> RGBAImage {
    try render(frame, options: RenderOptions(frameToOutput: .identity, filter: .nearest))
}

/// Renders one frame at 1:1 on a fresh view and closes it.
func render(_ frame: NV12Frame, size: PixelSize? = nil, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
    let view = try CameraView()
    defer { view.close() }
    return try view.render(.memory(frame), size: size, options: options)
}
