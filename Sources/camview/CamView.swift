import ArgumentParser
import CLISupport

@main
struct CamView: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camview",
        abstract: "Render NV12 camera frames to RGBA on a headless EGL/GLES device.",
        discussion: "Benchmarks against CPU converters are a separate tool: camview-bench.",
        subcommands: [RenderCommand.self, InfoCommand.self, LeakCheckCommand.self, CompareCommand.self, PlayCommand.self, CaptureCommand.self]
    )

    static func main() { mainWithOneLineErrors() }
}
