import ArgumentParser
import CLISupport
import CameraView
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one NV12 frame to a PNG (.png) or raw RGBA8 rows (.rgba)."
    )

    @Option(help: "The NV12 file.") var input: String
    @OptionGroup var frame: FrameArguments
    @Flag(help: "Copy the frame into a dma-buf on the device (GBM platform) and render it from there.") var dmabuf = false
    @Option(help: "With --dmabuf: automatic, per-plane, external or mapped-upload.") var importPath: ImportPathArgument = .automatic
    @Option(help: "Output path ending in .png or .rgba.") var output: String

    func validate() throws {
        guard output.hasSuffix(".png") || output.hasSuffix(".rgba") else {
            throw ValidationError("--output must end in .png or .rgba")
        }
    }

    func run() throws {
        try reportingErrors {
            let fileSize = try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int ?? 0
            let nv12 = try NV12Frame(contentsOf: input, layout: frame.layout(bufferSize: fileSize), color: frame.color)
            let view = try CameraView(importPath: importPath.preference)
            defer { view.close() }
            let image: RGBAImage
            if dmabuf {
                let buffer = try DeviceBuffer(copying: nv12, on: view.device)
                defer { buffer.close() }
                image = try view.render(.dmaBuf(buffer.frame), size: frame.outputSize, options: frame.options)
            } else {
                image = try view.render(.memory(nv12), size: frame.outputSize, options: frame.options)
            }
            if output.hasSuffix(".png") {
                try PNGCodec.write(image, to: output)
            } else {
                try image.writeRaw(to: output)
            }
        }
    }
}
