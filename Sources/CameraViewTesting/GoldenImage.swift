import CameraView
import Foundation

/// Golden-image checks for renderings: compare with a reference PNG within a per-channel
/// tolerance; on failure write `NAME.actual.png`, `NAME.expected.png` and `NAME.diff.png`
/// into the artifacts folder and throw an error that reports max error, differing pixels
/// and PSNR. Works from XCTest and Swift Testing alike (it throws).
public enum GoldenImage {
    /// Set to 1 to (re)write goldens instead of comparing with them.
    public static let recordVariable = "CAMERAVIEW_RECORD_GOLDENS"
    /// Where failure artifacts go; default `.test-artifacts/golden` in the current folder.
    public static let artifactsVariable = "CAMERAVIEW_ARTIFACTS"

    public static var isRecording: Bool {
        ProcessInfo.processInfo.environment[recordVariable] == "1"
    }

    public static var artifactsDirectory: String {
        ProcessInfo.processInfo.environment[artifactsVariable]
            ?? FileManager.default.currentDirectoryPath + "/.test-artifacts/golden"
    }

    /// Checks `actual` against the PNG at `golden`. With `recording` (default: the record
    /// variable is set), writes `actual` there first (creating folders), so it passes.
    /// Failure artifacts go to `artifacts` (default: `artifactsDirectory`).
    @discardableResult
    public static func verify(
        _ actual: RGBAImage, against golden: String, tolerance: Int = 1,
        record recording: Bool = isRecording, artifacts: String = artifactsDirectory
    ) throws -> ImageComparison {
        if recording {
            try record(actual, to: golden)
        }
        guard FileManager.default.fileExists(atPath: golden) else { throw GoldenImageError.missingGolden(path: golden) }
        let expected = try PNGCodec.read(from: golden)
        let comparison = try ImageComparison(actual: actual, expected: expected, tolerance: tolerance)
        guard comparison.passed else {
            let name = URL(fileURLWithPath: golden).deletingPathExtension().lastPathComponent
            try writeArtifacts(name: name, actual: actual, expected: expected, tolerance: tolerance, to: artifacts)
            throw GoldenImageError.mismatch(name: name, comparison: comparison, artifacts: artifacts)
        }
        return comparison
    }

    /// Writes `image` as the golden at `path`.
    public static func record(_ image: RGBAImage, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try PNGCodec.write(image, to: path)
    }

    public static func writeArtifacts(name: String, actual: RGBAImage, expected: RGBAImage, tolerance: Int, to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try PNGCodec.write(actual, to: "\(folder)/\(name).actual.png")
        try PNGCodec.write(expected, to: "\(folder)/\(name).expected.png")
        try PNGCodec.write(
            ImageComparison.diffImage(actual: actual, expected: expected, tolerance: tolerance),
            to: "\(folder)/\(name).diff.png")
    }
}
