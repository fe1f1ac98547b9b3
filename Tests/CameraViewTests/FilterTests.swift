import CameraView
import CameraViewTesting
import Testing

/// The bilinear filter against the exact model: luma and chroma interpolated at their
/// true sample positions, for every matrix/range pair and chroma siting, held to the golden
/// bar (within 1 per channel, at most 0.1% of pixels inexact).
@Suite(.ledgerChecked) struct FilterTests {
    static let cases = ColorDescription.allCases.flatMap { color in
        ChromaLocation.allCases.map { ColorDescription(matrix: color.matrix, range: color.range, chromaLocation: $0) }
    }

    private func expectModel(_ frame: NV12Frame, _ options: RenderOptions, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let view = try CameraView()
        defer { view.close() }
        let comparison = try ImageComparison(
            actual: view.render(frame, options: options), expected: ExactModel.renderBilinear(frame, options: options), tolerance: 1)
        #expect(comparison.maxError <= 1 && Double(comparison.differingPixels) <= Double(comparison.pixelCount) * 0.001,
                "\(frame.color) \(options): \(comparison)", sourceLocation: sourceLocation)
    }

    @Test(arguments: cases)
    func upscaledFramesInterpolateLumaAndChromaAtTheirSites(color: ColorDescription) throws {
        let frame = try TestFrames.noise(layout: NV12Layout(width: 37, height: 23), color: color)
        try expectModel(frame, RenderOptions(outputSize: PixelSize(width: 100, height: 61), fit: .stretch, filter: .bilinear))
    }

    /// At 1:1 luma lands on its samples (exact codes) and chroma is interpolated at its siting.
    @Test(arguments: cases)
    func oneToOneInterpolatesChromaOnly(color: ColorDescription) throws {
        let frame = try TestFrames.noise(layout: NV12Layout(width: 48, height: 30), color: color)
        try expectModel(frame, RenderOptions(filter: .bilinear))
    }

    /// The siting matters: the render for one siting does not match the model of another.
    @Test func chromaSitingMovesTheChroma() throws {
        var frame = try TestFrames.noise(layout: NV12Layout(width: 40, height: 24))
        frame.color.chromaLocation = .left
        let options = RenderOptions(outputSize: PixelSize(width: 80, height: 48), fit: .stretch, filter: .bilinear)
        let view = try CameraView()
        defer { view.close() }
        let left = try view.render(frame, options: options)
        frame.color.chromaLocation = .center
        let comparison = try ImageComparison(actual: left, expected: ExactModel.renderBilinear(frame, options: options), tolerance: 1)
        #expect(!comparison.passed, "a left-sited render matched the centred model: \(comparison)")
    }
}
