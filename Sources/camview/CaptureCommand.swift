import ArgumentParser
import CLISupport
import CameraView
import CameraViewStreams
import CameraViewDiagnostics
import Foundation

extension V4L2Source.Buffers: ExpressibleByArgument {}

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture NV12 frames from a V4L2 camera and render each to a PNG.",
        discussion: """
            Writes DIR/frame-00000.png, ... and prints the frames rendered, the frames the camera captured that \
            were not rendered (gaps in its sequence numbers), the achieved frames per second, the import path and \
            the buffer mode. zero-copy: the camera writes into buffers CameraView allocated on the rendering \
            device; exported: the driver's own buffers, exported as dma-bufs.
            """
    )

    @Option(help: "The capture device (see `camview info --devices`).") var device: String
    @Option(help: "Capture size WxH (default: the device's current size).") var size: PixelSize?
    @Option(help: "Frames per second to ask the camera for.") var fps: Int?
    @Option(help: "zero-copy or exported.") var buffers: V4L2Source.Buffers = .zeroCopy
    @Option(help: "automatic, per-plane, external or mapped-upload.") var importPath: ImportPathArgument = .automatic
    @Option(help: "Frames to render.") var frames: Int
    @Option(help: "Folder for the PNGs (created if missing).") var outputDir: String
    @Option(help: "Output size WxH (default: the capture size).") var outputSize: PixelSize?
    @Option(help: "automatic, nearest, bilinear or area.") var filter: SampleFilter = .automatic
    @Option(help: "Milliseconds to wait for each frame.") var timeoutMs = 3000
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
        if let fps, fps <= 0 { throw ValidationError("--fps must be positive") }
    }

    struct Summary: Encodable {
        let frames: Int, dropped: Int, fps: Double
        let importPath: String?, buffers: String
        let size: PixelSize?, pixelFormat: String?, fallback: String?
        /// Medians per frame: the render (import or upload, draw, readback) and the PNG write.
        let renderMs: Double, writeMs: Double

        enum CodingKeys: String, CodingKey {
            case frames, dropped, fps, buffers, size
            case importPath = "import_path", pixelFormat = "pixel_format", fallback = "import_fallback"
            case renderMs = "render_ms", writeMs = "write_ms"
        }
    }

    func run() throws {
        try reportingErrors {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            let renderDevice = try RenderDevice.open()
            defer { renderDevice.close() }
            let source = try V4L2Source(device: renderDevice, configuration: .init(device: device, size: size, fps: fps, buffers: buffers))
            defer { source.close() }
            let view = try CameraView(device: renderDevice, importPath: importPath.preference)
            defer {
                // The view's imports first: the camera frees its buffers once nothing imports them.
                view.close()
            }
            do {
                try source.connect()
            } catch CameraViewError.sourceUnavailable {
                throw source.lastFailure ?? CameraViewError.sourceUnavailable(name: device)
            }
            let stream = StreamView(view: view, source: source)
            let options = RenderOptions(filter: filter)
            let progress = ProgressBar(total: frames, enabled: !json && isatty(STDOUT_FILENO) == 1)
            let clock = ContinuousClock()
            var firstSequence: UInt64?, lastSequence: UInt64 = 0, start = clock.now
            var target = RenderTarget.image(size: outputSize)
            var (renderTimes, writeTimes): ([Double], [Double]) = ([], [])
            for index in 0..<frames {
                guard let frame = try stream.wait(timeout: .milliseconds(timeoutMs)) else {
                    throw CameraViewError.cameraTimeout(device: device, milliseconds: timeoutMs)
                }
                if firstSequence == nil { (firstSequence, start) = (frame.frameID, clock.now) }
                lastSequence = frame.frameID
                guard case .dmaBuf = frame.frame else { continue }
                let received = clock.now
                try view.render(frame.frame, into: &target, options: options)
                guard let image = target.image else { continue }
                let rendered = clock.now
                try PNGCodec.write(image, to: outputDir + String(format: "/frame-%05d.png", index))
                renderTimes.append((rendered - received).milliseconds)
                writeTimes.append((clock.now - rendered).milliseconds)
                progress.update(index + 1)
            }
            progress.finish()
            let seconds = (clock.now - start).milliseconds / 1000
            let captured = Int(lastSequence - (firstSequence ?? lastSequence)) + 1
            let summary = Summary(
                frames: frames, dropped: captured - frames,
                fps: seconds > 0 ? Double(frames - 1) / seconds : 0,
                importPath: view.lastImportPath?.rawValue, buffers: buffers.rawValue,
                size: source.format?.size, pixelFormat: source.format?.pixelFormat, fallback: view.lastImportFallback,
                renderMs: Statistics.median(renderTimes), writeMs: Statistics.median(writeTimes))
            // The view's imports end before the camera's buffers.
            stream.replaceSource(nil)
            if json {
                try printJSON(summary)
            } else {
                print("captured \(frames) frames (\(summary.dropped) dropped) at \(summary.size.map(\.description) ?? "?") \(summary.pixelFormat ?? "")")
                print(String(format: "%.1f fps (per frame, medians: render %.1f ms, PNG %.1f ms)", summary.fps, summary.renderMs, summary.writeMs))
                print("import path: \(summary.importPath ?? "none") (\(buffers.rawValue) buffers)"
                      + (summary.fallback.map { "; mapped and uploaded because \($0)" } ?? ""))
            }
        }
    }
}
