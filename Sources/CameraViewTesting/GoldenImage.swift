import CameraView
// The comparison itself ships (camview compare uses it); this target adds what needs Testing.
@_exported import CameraViewComparison
import Foundation
import Testing

/// Golden-image checks for renderings: compare with a reference PNG within a per-channel
/// tolerance; on failure write `NAME.actual.png`, `NAME.expected.png` and `NAME.diff.png`
/// into the artifacts folder (removed again once the golden passes) and report max error,
/// differing pixels and PSNR. `expect` is for Swift Testing (an issue at the call, images
/// attached); `verify` throws, for XCTest and anything else.
public enum GoldenImage {
    /// Set to 1 to (re)write goldens instead of comparing with them. A check that records
    /// fails, naming the golden it wrote: run again without it to verify.
    public static let recordVariable = GoldenImageError.recordVariable
    /// Where failure artifacts go; default `.test-artifacts/golden` in the current folder.
    public static let artifactsVariable = "CAMERAVIEW_ARTIFACTS"

    public static var isRecording: Bool {
        ProcessInfo.processInfo.environment[recordVariable] == "1"
    }

    public static var artifactsDirectory: String {
        ProcessInfo.processInfo.environment[artifactsVariable]
            ?? FileManager.default.currentDirectoryPath + "/.test-artifacts/golden"
    }

    /// Checks `actual` against the PNG at `golden` under Swift Testing: a failure is an
    /// issue at this call, with the actual, expected and diff images attached (and in the
    /// artifacts folder). Returns the comparison when there was one.
    @discardableResult
    public static func expect(
        _ actual: RGBAImage, matches golden: String, tolerance: Int = 1,
        record recording: Bool = isRecording, artifacts: String = artifactsDirectory,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ImageComparison? {
        do {
            return try verify(actual, against: golden, tolerance: tolerance, record: recording, artifacts: artifacts)
        } catch {
            if case .some(.mismatch(let name, _, let folder)) = error as? GoldenImageError {
                attach(name, ["actual", "expected", "diff"], from: folder, sourceLocation: sourceLocation)
            } else if case .some(.goldenSizeMismatch(let name, _, _, let folder)) = error as? GoldenImageError {
                attach(name, ["actual"], from: folder, sourceLocation: sourceLocation)
            }
            Issue.record(error, sourceLocation: sourceLocation)
            return nil
        }
    }

    /// Checks `actual` against the PNG at `golden`, throwing a `GoldenImageError` on any
    /// failure. With `recording` (default: the record variable is set), writes `actual`
    /// there and throws `recorded`: a recording run never passes.
    @discardableResult
    public static func verify(
        _ actual: RGBAImage, against golden: String, tolerance: Int = 1,
        record recording: Bool = isRecording, artifacts: String = artifactsDirectory
    ) throws -> ImageComparison {
        let name = URL(fileURLWithPath: golden).deletingPathExtension().lastPathComponent
        if recording {
            try record(actual, to: golden)
            throw GoldenImageError.recorded(path: golden)
        }
        guard FileManager.default.fileExists(atPath: golden) else { throw GoldenImageError.missingGolden(path: golden) }
        let expected = try PNGCodec.read(from: golden)
        removeArtifacts(name: name, from: artifacts)
        guard actual.size == expected.size else {
            try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
            try PNGCodec.write(actual, to: "\(artifacts)/\(name).actual.png")
            throw GoldenImageError.goldenSizeMismatch(name: name, actual: actual.size, expected: expected.size, artifacts: artifacts)
        }
        let comparison = try ImageComparison(actual: actual, expected: expected, tolerance: tolerance)
        guard comparison.passed else {
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

    /// The artifacts of an earlier failure of `name`: stale once it is checked again.
    private static func removeArtifacts(name: String, from folder: String) {
        for kind in ["actual", "expected", "diff"] {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(name).\(kind).png")
        }
    }

    private static func attach(_ name: String, _ kinds: [String], from folder: String, sourceLocation: SourceLocation) {
        for kind in kinds {
            guard let bytes = FileManager.default.contents(atPath: "\(folder)/\(name).\(kind).png") else { continue }
            Attachment.record([UInt8](bytes), named: "\(name).\(kind).png", sourceLocation: sourceLocation)
        }
    }
}
