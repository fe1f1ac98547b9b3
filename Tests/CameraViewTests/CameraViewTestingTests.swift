import CameraView
import CameraViewTesting
import Foundation
import Testing

/// The golden-image API users write their own tests with, and `camview compare`.
@Suite(.ledgerChecked) struct CameraViewTestingTests {
    let base = try! RGBAImage(width: 4, height: 2, pixels: (0..<32).map { UInt8($0 * 7) })

    private func altered(_ changes: [(index: Int, delta: Int)]) throws -> RGBAImage {
        var pixels = base.pixels
        for change in changes { pixels[change.index] = UInt8(Int(pixels[change.index]) + change.delta) }
        return try RGBAImage(width: 4, height: 2, pixels: pixels)
    }

    private func scratch(_ name: String) -> String {
        TestPaths.scratch + "/testing-\(UUID().uuidString)/\(name)"
    }

    @Test func identicalImagesHaveInfinitePSNR() throws {
        let comparison = try ImageComparison(actual: base, expected: base, tolerance: 0)
        #expect(comparison.passed && comparison.maxError == 0 && comparison.psnr == .infinity)
    }

    @Test func comparisonCountsPixelsOverToleranceAndComputesPSNR() throws {
        // Pixel 1 is 3 off in red, pixel 6 is 1 off in blue: only pixel 1 exceeds tolerance 1.
        let actual = try altered([(4, 3), (26, 1)])
        let comparison = try ImageComparison(actual: actual, expected: base, tolerance: 1)
        #expect(comparison.maxError == 3)
        #expect(comparison.differingPixels == 1)
        #expect(comparison.firstDifference == PixelPosition(x: 1, y: 0))
        // MSE over 32 channel values = (9 + 1) / 32; PSNR = 10 log10(255^2 / MSE) = 53.18 dB.
        #expect(abs(comparison.psnr - 10 * log10(65025 / (10.0 / 32))) < 1e-9)
        #expect(abs(comparison.psnr - 53.182) < 0.001)
    }

    @Test func sizeMismatchIsATypedError() throws {
        let other = try RGBAImage(width: 2, height: 4, pixels: base.pixels)
        #expect(throws: GoldenImageError.sizeMismatch(actual: other.size, expected: base.size)) {
            try ImageComparison(actual: other, expected: base, tolerance: 1)
        }
    }

    @Test func verifyWritesArtifactsOnMismatch() throws {
        let golden = scratch("golden.png"), artifacts = scratch("artifacts")
        try GoldenImage.record(base, to: golden)
        #expect(try GoldenImage.verify(altered([(4, 1)]), against: golden, tolerance: 1, record: false, artifacts: artifacts).passed)
        do {
            try GoldenImage.verify(altered([(4, 9)]), against: golden, tolerance: 1, record: false, artifacts: artifacts)
            Issue.record("a 9-step difference passed with tolerance 1")
        } catch let GoldenImageError.mismatch(name, comparison, folder) {
            #expect(name == "golden" && folder == artifacts)
            #expect(comparison.maxError == 9 && comparison.differingPixels == 1)
        }
        #expect(try PNGCodec.read(from: artifacts + "/golden.actual.png") == altered([(4, 9)]))
        #expect(try PNGCodec.read(from: artifacts + "/golden.expected.png") == base)
        let diff = try PNGCodec.read(from: artifacts + "/golden.diff.png")
        #expect(diff[1, 0] == (137, 0, 0, 255), "the differing pixel is red, brighter by its error")
        #expect(diff[0, 0].g == diff[0, 0].r, "agreeing pixels are grey")
    }

    @Test func missingGoldenSaysHowToRecord() throws {
        let golden = scratch("absent.png")
        #expect(throws: GoldenImageError.missingGolden(path: golden)) {
            try GoldenImage.verify(base, against: golden, record: false)
        }
        // Recording writes the golden and never passes: the run must be repeated without it.
        #expect(throws: GoldenImageError.recorded(path: golden)) { try GoldenImage.verify(base, against: golden, record: true) }
        #expect(try PNGCodec.read(from: golden) == base)
        #expect(try GoldenImage.verify(base, against: golden, record: false).passed)
    }

    /// A size mismatch names the golden and leaves the actual image as an artifact; a pass
    /// removes the artifacts an earlier failure of the same golden left.
    @Test func sizeMismatchNamesTheGoldenAndStaleArtifactsGo() throws {
        let golden = scratch("sized.png"), artifacts = scratch("sized-artifacts")
        try GoldenImage.record(base, to: golden)
        let other = try RGBAImage(width: 2, height: 4, pixels: base.pixels)
        #expect(throws: GoldenImageError.goldenSizeMismatch(name: "sized", actual: other.size, expected: base.size, artifacts: artifacts)) {
            try GoldenImage.verify(other, against: golden, record: false, artifacts: artifacts)
        }
        #expect(try PNGCodec.read(from: artifacts + "/sized.actual.png") == other)
        try GoldenImage.verify(base, against: golden, record: false, artifacts: artifacts)
        #expect(!FileManager.default.fileExists(atPath: artifacts + "/sized.actual.png"), "a pass removes the stale artifact")
    }

    /// Under Swift Testing a failure is an issue at the `expect` call itself.
    @Test func expectReportsAtItsCall() throws {
        let golden = scratch("located.png"), artifacts = scratch("located-artifacts")
        try GoldenImage.record(base, to: golden)
        let wrong = try altered([(4, 9)])
        let line = #line + 2
        withKnownIssue {
            GoldenImage.expect(wrong, matches: golden, record: false, artifacts: artifacts)
        } matching: { issue in
            issue.sourceLocation?.line == line && issue.sourceLocation?.fileName == "CameraViewTestingTests.swift"
        }
        withKnownIssue {
            GoldenImage.expect(base, matches: golden, record: true, artifacts: artifacts)
        } matching: { issue in
            "\(issue)".contains("recorded the golden")
        }
    }

    @Test func compareCommandExitCodes() throws {
        let expected = scratch("expected.png"), close = scratch("close.png"), far = scratch("far.png")
        let diff = expected + ".diff.png"
        try GoldenImage.record(base, to: expected)
        try GoldenImage.record(altered([(4, 1)]), to: close)
        try GoldenImage.record(altered([(4, 3), (26, 1)]), to: far)

        let same = try TestProcess.capture(TestPaths.camview, ["compare", close, expected])
        #expect(same.status == 0)
        let outside = try TestProcess.capture(TestPaths.camview, ["compare", far, expected, "--tolerance", "1", "--diff", diff])
        #expect(outside.status == 1)
        #expect(String(decoding: outside.stdout, as: UTF8.self) == "max error 3, 1 of 8 pixels over tolerance 1, PSNR 53.18 dB, first at (1, 0)\n")
        #expect(FileManager.default.fileExists(atPath: diff))
        let loose = try TestProcess.capture(TestPaths.camview, ["compare", far, expected, "--tolerance", "3"])
        #expect(loose.status == 0)
        let unreadable = try TestProcess.capture(TestPaths.camview, ["compare", scratch("missing.png"), expected])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.hasPrefix("camview: error: PNG"))
    }
}
