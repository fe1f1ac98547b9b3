import ArgumentParser
import CameraView
import Foundation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render one NV12 frame to a PNG (.png) or raw RGBA8 rows (.rgba)."
    )

    @Option(help: "The NV12 file.") var input: String
    @Option(help: "Frame width in pixels.") var width: Int
    @Option(help: "Frame height in pixels.") var height: Int
    @Option(help: "Y row stride in bytes (default: width); UV rows use the same stride.") var stride: Int?
    @Option(help: "Byte offset of the UV plane (default: stride * height).") var uvOffset: Int?
    @Option(help: "bt601 or bt709.") var matrix: ColorMatrix = .bt601
    @Option(help: "full or limited.") var range: ColorRange = .full
    @Option(help: "Output size WxH (default: the frame size).") var outputSize: PixelSize?
    @Option(help: "contain, cover or stretch.") var fit: FitMode = .contain
    @Flag(help: "Mirror horizontally.") var mirror = false
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
            let layout = try NV12Layout(
                width: width, height: height, yStride: stride, uvOffset: uvOffset, bufferSize: fileSize)
            let frame = try NV12Frame(
                contentsOf: input, layout: layout, color: ColorDescription(matrix: matrix, range: range))
            let view = try CameraView(importPath: importPath.preference)
            defer { view.close() }
            let options = RenderOptions(outputSize: outputSize, fit: fit, mirror: mirror)
            let image: RGBAImage
            if dmabuf {
                let buffer = try DeviceBuffer(copying: frame, on: view.device)
                defer { buffer.close() }
                image = try view.render(buffer.frame, options: options)
            } else {
                image = try view.render(frame, options: options)
            }
            if output.hasSuffix(".png") {
                try PNGCodec.write(image, to: output)
            } else {
                try image.writeRaw(to: output)
            }
        }
    }
}

/// Library and I/O errors become one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as CameraViewError {
        FileHandle.standardError.write(Data("camview: error: \(error)\n".utf8))
        throw ExitCode.failure
    } catch let error as CocoaError {
        FileHandle.standardError.write(Data("camview: error: \(error.localizedDescription)\n".utf8))
        throw ExitCode.failure
    }
}
