import ArgumentParser
import CLISupport
import CameraView
import CameraViewComparison
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two PNGs channel by channel.",
        discussion: "Exits 0 within tolerance, 1 outside it (printing max error, differing pixels and PSNR), 2 on unreadable input or a size mismatch."
    )

    @Argument(help: "The rendered image.") var actual: String
    @Argument(help: "The expected image.") var expected: String
    @Option(help: "Largest per-channel difference that still counts as equal.") var tolerance = 1
    @Option(help: "Write a diff image here (expected in grey, differences in red).") var diff: String?

    func validate() throws {
        guard tolerance >= 0 else { throw ValidationError("--tolerance must not be negative") }
    }

    func run() throws {
        let comparison: ImageComparison
        do {
            let actualImage = try PNGCodec.read(from: actual)
            let expectedImage = try PNGCodec.read(from: expected)
            comparison = try ImageComparison(actual: actualImage, expected: expectedImage, tolerance: tolerance)
            if let diff {
                try PNGCodec.write(
                    ImageComparison.diffImage(actual: actualImage, expected: expectedImage, tolerance: tolerance), to: diff)
            }
        } catch {
            FileHandle.standardError.write(Data("camview: error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(comparison)
        if !comparison.passed { throw ExitCode(1) }
    }
}
