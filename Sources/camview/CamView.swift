import ArgumentParser

@main
struct CamView: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camview",
        abstract: "Render NV12 camera frames to RGBA on a headless EGL/GLES device.",
        subcommands: [RenderCommand.self, InfoCommand.self, LeakCheckCommand.self, CompareCommand.self, BenchCommand.self, PlayCommand.self]
    )
}
