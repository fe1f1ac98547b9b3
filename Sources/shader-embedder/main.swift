// Turns GLSL files into a Swift source of string constants, so the shaders are
// compiled into the binary and never looked up on disk at run time.
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: shader-embedder OUTPUT.swift SHADER...\n".utf8))
    exit(2)
}

var source = "// Generated from Shaders/ by the EmbedShaders plugin. Do not edit.\n"
source += "enum ShaderSources {\n"
for path in arguments.dropFirst().sorted() {
    let url = URL(fileURLWithPath: path)
    let text = try String(contentsOf: url, encoding: .utf8)
    // "nv12.vert" -> "nv12Vert": one constant per file, named for the file.
    let parts = url.lastPathComponent.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
    let name = parts.enumerated().map { index, part in
        index == 0 ? part.lowercased() : part.prefix(1).uppercased() + part.dropFirst().lowercased()
    }.joined()
    // A raw string with enough '#' that no shader text can close it early.
    var hashes = "#"
    while text.contains("\"" + hashes) { hashes += "#" }
    source += "    static let \(name) = \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes)\n"
}
source += "}\n"
try source.write(toFile: outputPath, atomically: true, encoding: .utf8)
