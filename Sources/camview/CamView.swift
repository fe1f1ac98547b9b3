import ArgumentParser
import Foundation

@main
struct CamView: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camview",
        abstract: "Render NV12 camera frames to RGBA on a headless EGL/GLES device.",
        subcommands: [RenderCommand.self, InfoCommand.self, LeakCheckCommand.self, CompareCommand.self, BenchCommand.self, PlayCommand.self]
    )

    /// Errors are one line on stderr: exit status 2 for usage errors (bad or missing
    /// arguments), 1 for failures while running (see `reportingErrors`).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code != .success, !(error is ExitCode) else { exit(withError: error) }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            FileHandle.standardError.write(Data("camview: \(message) (see camview --help)\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : 1)
        }
    }
}
