import ArgumentParser
import CLISupport
import CameraView
import CameraViewStreams
import CameraViewDiagnostics
import Foundation

struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Render a raw NV12 sequence (frames end to end) to numbered PNGs.",
        discussion: "Writes DIR/frame-00000.png, ... and prints the frames rendered and the average frames per second."
    )

    @Option(help: "The NV12 sequence file.") var input: String
    @OptionGroup var frame: FrameArguments
    @Option(help: "Frames to render (at most the file's).") var frames: Int
    @Option(help: "Folder for the PNGs (created if missing).") var outputDir: String

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
    }

    func run() throws {
        try reportingErrors {
            let source = try FileSource(path: input, layout: frame.layout(), color: frame.color)
            let count = min(frames, source.frameCount)
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            let view = try CameraView()
            defer { view.close() }
            let stream = StreamView(view: view, source: source)
            let progress = ProgressBar(total: count, enabled: isatty(STDOUT_FILENO) == 1)
            let clock = ContinuousClock()
            let start = clock.now
            var target = RenderTarget.image(size: frame.outputSize)
            for index in 0..<count {
                guard let shown = stream.update() else { break }
                try view.render(shown.frame, into: &target, options: frame.options)
                guard let image = target.image else { break }
                try PNGCodec.write(image, to: outputDir + String(format: "/frame-%05d.png", index))
                progress.update(index + 1)
            }
            progress.finish()
            let seconds = (clock.now - start).milliseconds / 1000
            print("rendered \(count) frames" + (count < frames ? " (the file holds \(source.frameCount))" : ""))
            print(String(format: "average %.1f fps", seconds > 0 ? Double(count) / seconds : 0))
        }
    }
}
