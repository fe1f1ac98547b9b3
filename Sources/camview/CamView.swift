import ArgumentParser
import CLISupport
import CameraView

@main
struct CamView: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camview",
        abstract: "Render NV12 camera frames to RGBA on a headless EGL/GLES device.",
        discussion: "Benchmarks against CPU converters are a separate tool: camview-bench.",
        subcommands: [RenderCommand.self, InfoCommand.self, LeakCheckCommand.self, CompareCommand.self, PlayCommand.self, CaptureCommand.self, WatchCommand.self]
    )

    static func main() { mainWithOneLineErrors() }
}

/// How the input frames are laid out and how they are placed in the output: shared by
/// `render` and `play`.
struct FrameArguments: ParsableArguments {
    @Option(help: "Frame width in pixels.") var width: Int
    @Option(help: "Frame height in pixels.") var height: Int
    @Option(help: "Y row stride in bytes (default: width); UV rows use the same stride, rounded up to even when odd.") var stride: Int?
    @Option(help: "Byte offset of the UV plane (default: stride * height).") var uvOffset: Int?
    @Option(help: "bt601 or bt709.") var matrix: ColorMatrix = .bt601
    @Option(help: "full or limited.") var range: ColorRange = .full
    @Option(help: "Where chroma sits: left (MPEG-2/H.264, cameras), center (JPEG) or top-left.") var chromaLocation: ChromaLocationArgument = .left
    @Option(help: "automatic (area when shrinking, else bilinear), nearest (exact codes), bilinear (luma and chroma interpolated at their sites) or area (box filter).") var filter: SampleFilter = .automatic
    @Option(help: "Output size WxH (default: the frame size).") var outputSize: PixelSize?
    @Option(help: "contain, cover or stretch.") var fit: FitMode = .contain
    @Flag(help: "Mirror horizontally.") var mirror = false

    /// The layout of one frame of `bufferSize` bytes (default: as small as it can be).
    func layout(bufferSize: Int? = nil) throws -> NV12Layout {
        try NV12Layout(width: width, height: height, yStride: stride, uvOffset: uvOffset, bufferSize: bufferSize)
    }

    var color: ColorDescription { ColorDescription(matrix: matrix, range: range, chromaLocation: chromaLocation.location) }
    var options: RenderOptions { RenderOptions(fit: fit, mirror: mirror, filter: filter) }
}
