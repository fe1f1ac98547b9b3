import CameraView
import CameraViewTesting
import Foundation
import Testing

/// One golden: a fixture rendered with one colour description and placement.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    let fixture: String
    let layout: NV12Layout
    let color: ColorDescription
    /// The output's size (nil: the frame's).
    var size: PixelSize? = nil
    let options: RenderOptions
    /// Names a transform the placement fields do not describe.
    var label: String? = nil

    var name: String {
        var parts = [fixture, color.matrix.rawValue, color.range.rawValue]
        if let label { parts.append(label) }
        if let size { parts.append("\(options.fit.rawValue)-\(size)") }
        if options.mirror { parts.append("mirror") }
        return parts.joined(separator: "-")
    }

    var testDescription: String { name }

    var nv12Path: String { GoldenFixtures.directory + "/\(fixture)-\(color.matrix.rawValue)-\(color.range.rawValue).nv12" }
    var goldenPath: String { TestPaths.packageRoot + "/fixtures/goldens/\(name).png" }

    func frame() throws -> NV12Frame {
        try NV12Frame(contentsOf: nv12Path, layout: layout, color: color)
    }
}

/// The fixtures `scripts/make-fixtures` makes, and the goldens the suite covers. Output
/// sizes keep every scale a power of two, so no output pixel centre falls near a texel
/// edge and nearest sampling has one right answer.
enum GoldenFixtures {
    static let directory: String = {
        let path = TestPaths.scratch + "/fixtures"
        if !FileManager.default.fileExists(atPath: path + "/odd-bt709-limited.nv12") {
            try! TestProcess.run(TestPaths.packageRoot + "/scripts/make-fixtures", [path])
        }
        return path
    }()

    static let layouts: [(name: String, layout: NV12Layout, small: PixelSize, square: Int, crop: Int, stretch: PixelSize)] = [
        ("road-venus", try! .venus(width: 1928, height: 1208), PixelSize(width: 241, height: 151), 241, 151, PixelSize(width: 482, height: 151)),
        ("road-tight", try! NV12Layout(width: 1928, height: 1208), PixelSize(width: 241, height: 151), 241, 151, PixelSize(width: 482, height: 151)),
        ("wide", try! NV12Layout(width: 1344, height: 760), PixelSize(width: 168, height: 95), 168, 95, PixelSize(width: 336, height: 95)),
        ("odd", try! NV12Layout(width: 321, height: 241), PixelSize(width: 321, height: 241), 321, 241, PixelSize(width: 642, height: 241)),
    ]

    static let colors = ColorDescription.allCases

    /// Every fixture in every colour description, scaled to fit; and every fixture in
    /// BT.601 full range letterboxed, cropped, stretched and mirrored.
    static let cases: [GoldenCase] = layouts.flatMap { fixture in
        colors.map { color in
            GoldenCase(fixture: fixture.name, layout: fixture.layout, color: color,
                       size: fixture.small, options: RenderOptions(fit: .contain, filter: .nearest))
        } + [
            (PixelSize(width: fixture.square, height: fixture.square), RenderOptions(fit: .contain, filter: .nearest)),
            (PixelSize(width: fixture.crop, height: fixture.crop), RenderOptions(fit: .cover, filter: .nearest)),
            (fixture.stretch, RenderOptions(fit: .stretch, filter: .nearest)),
            (fixture.small, RenderOptions(fit: .contain, mirror: true, filter: .nearest)),
        ].map { GoldenCase(fixture: fixture.name, layout: fixture.layout, color: .default, size: $0.0, options: $0.1) }
    } + transformCases

    /// Zoom about a point, a quarter turn, and openpilot's road view, on the road frame.
    static let transformCases: [GoldenCase] = {
        let road = layouts[1]
        let roadView = Matrix3.openpilotRoadView(
            intrinsics: TransformTests.intrinsics, viewFromCalibration: TransformTests.viewFromDevice,
            output: PixelSize(width: 482, height: 302), zoom: 0.25)
        let quarterTurn = Matrix3(rows: [[0, -0.125, 151], [0.125, 0, 0], [0, 0, 1]])
        return [
            GoldenCase(fixture: road.name, layout: road.layout, color: .default,
                       size: road.small, options: RenderOptions(zoom: 2, zoomCenter: FramePoint(x: 482, y: 302), filter: .nearest),
                       label: "zoom2-at-482x302"),
            GoldenCase(fixture: road.name, layout: road.layout, color: .default,
                       size: PixelSize(width: 151, height: 241), options: RenderOptions(frameToOutput: quarterTurn, filter: .nearest),
                       label: "quarter-turn"),
            GoldenCase(fixture: road.name, layout: road.layout, color: .default,
                       size: PixelSize(width: 482, height: 302), options: RenderOptions(frameToOutput: roadView, filter: .nearest),
                       label: "openpilot-road-view"),
        ]
    }()
}

@Suite(.ledgerChecked) struct GoldenImageTests {
    /// The golden is the exact model's image (recorded from the model, never from the
    /// renderer), and the renderer must match it within 1 per channel.
    @Test(arguments: GoldenFixtures.cases)
    func renderingMatchesGolden(_ golden: GoldenCase) throws {
        let frame = try golden.frame()
        let model = ExactModel.render(frame, size: golden.size, options: golden.options)
        if GoldenImage.isRecording {
            // Goldens come from the model; recording it fails the test like any recording.
            GoldenImage.expect(model, matches: golden.goldenPath)
            return
        }
        // The committed golden still is the model's output for today's fixture.
        let stored = try ImageComparison(actual: PNGCodec.read(from: golden.goldenPath), expected: model, tolerance: 0)
        #expect(stored.passed, "golden \(golden.name) is not the model's image (\(stored)): re-record with \(GoldenImage.recordVariable)=1")
        let view = try CameraView()
        defer { view.close() }
        let actual = try view.render(.memory(frame), size: golden.size, options: golden.options)
        GoldenImage.expect(actual, matches: golden.goldenPath, tolerance: 1)
    }

    /// piglit's ext_image_dma_buf_import sample_yuv NV12 vector: a 4x4 frame and its
    /// expected RGBA (BT.601 limited), within piglit's own tolerance (3 / 2^bits of full
    /// scale for its 5/6/5/8-bit comparison: 23, 11, 23 and 2 in 8-bit steps).
    @Test func piglitSampleYUVVector() throws {
        let nv12: [UInt8] = [
            50, 70, 90, 110,
            50, 70, 90, 110,
            50, 70, 90, 110,
            50, 70, 90, 110,
            120, 130, 140, 130,
            120, 160, 140, 160,
        ]
        let expected: [UInt8] = [
            44, 41, 25, 255, 67, 64, 48, 255, 90, 79, 111, 255, 114, 103, 135, 255,
            44, 41, 25, 255, 67, 64, 48, 255, 90, 79, 111, 255, 114, 103, 135, 255,
            92, 16, 25, 255, 115, 39, 48, 255, 138, 55, 111, 255, 161, 78, 135, 255,
            92, 16, 25, 255, 115, 39, 48, 255, 138, 55, 111, 255, 161, 78, 135, 255,
        ]
        let frame = try NV12Frame(bytes: nv12, layout: NV12Layout(width: 4, height: 4), color: .init(matrix: .bt601, range: .limited))
        let actual = try render(frame, options: .exact)
        let bits: [Double] = [5, 6, 5, 8]
        let tolerance: [Int] = bits.map { Int(3 / pow(2, $0) * 255) }
        for index in 0..<expected.count {
            let error = abs(Int(actual.pixels[index]) - Int(expected[index]))
            #expect(error <= tolerance[index % 4], "pixel \(index / 4) channel \(index % 4): \(actual.pixels[index]) vs \(expected[index])")
        }
        // And the renderer is within 1 of the exact model on the same vector.
        #expect(try ImageComparison(actual: actual, expected: ExactModel.render(frame), tolerance: 1).passed)
    }
}
