import Foundation
import PackagePlugin

/// Embeds every file of the package's top-level `Shaders/` folder into the target as
/// Swift string constants (`ShaderSources.<name>`).
@main
struct EmbedShaders: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let shaderFolder = context.package.directoryURL.appending(path: "Shaders")
        let shaders = try FileManager.default
            .contentsOfDirectory(at: shaderFolder, includingPropertiesForKeys: nil)
            .filter { ["vert", "frag", "glsl"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "ShaderSources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(shaders.count) shaders",
                executable: try context.tool(named: "shader-embedder").url,
                arguments: [output.path] + shaders.map(\.path),
                inputFiles: shaders,
                outputFiles: [output]
            ),
        ]
    }
}
