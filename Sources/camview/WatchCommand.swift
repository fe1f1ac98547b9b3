import ArgumentParser
import CLISupport
import CameraView
import CameraViewDiagnostics
import CameraViewStreams
import Foundation
import Glibc

/// SERVER:STREAM, as `camerad:driver` (stream names of VisionStreamType.named, or ids).
struct VisionIPCAddress: ExpressibleByArgument {
    let server: String
    let stream: VisionStreamType

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, let stream = VisionStreamType(name: parts[1]) else { return nil }
        (server, self.stream) = (parts[0], stream)
    }
}

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Render frames of an openpilot VisionIPC stream (camerad, replay) to PNGs.",
        discussion: """
            Connects to the server's stream as openpilot's camera view does (retrying while it is absent), renders \
            the newest frame each time one arrives to DIR/frame-00000.png, ... and prints the frames rendered, the \
            server's frames skipped for newer ones, torn frames (rewritten by the server while read: not written), \
            frames per second, and the latency from the server's timestamp_eof to the frame's arrival (CLOCK_BOOTTIME, \
            as camerad stamps). Streams: \(VisionStreamType.named.keys.sorted().joined(separator: ", ")), or a number.
            """
    )

    @Option(help: "SERVER:STREAM, e.g. camerad:driver.") var visionipc: VisionIPCAddress
    @Option(help: "Frames to render.") var frames: Int
    @Option(help: "Folder for the PNGs (created if missing).") var outputDir: String
    @Option(help: "Output size WxH (default: the frame's size).") var outputSize: PixelSize?
    @Option(help: "automatic, nearest, bilinear or area.") var filter: SampleFilter = .automatic
    @Option(help: "Milliseconds to wait for each frame.") var timeoutMs = 5000
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
        guard timeoutMs > 0 else { throw ValidationError("--timeout-ms must be positive") }
    }

    struct Summary: Encodable {
        let frames: Int, skipped: Int, torn: Int, fps: Double
        let size: PixelSize?
        /// Medians and 99th percentiles in milliseconds.
        let latencyMs: Double, latencyP99Ms: Double, renderMs: Double

        enum CodingKeys: String, CodingKey {
            case frames, skipped, torn, fps, size
            case latencyMs = "latency_ms", latencyP99Ms = "latency_p99_ms", renderMs = "render_ms"
        }
    }

    func run() throws {
        try reportingErrors {
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            let device = try RenderDevice.open()
            defer { device.close() }
            let view = try CameraView(device: device)
            defer { view.close() }
            let source = VisionIPCSource(server: visionipc.server, stream: visionipc.stream)
            defer { source.close() }
            let stream = StreamView(view: view, source: source)
            let options = RenderOptions(filter: filter)
            let progress = ProgressBar(total: frames, enabled: !json && isatty(STDOUT_FILENO) == 1)
            let clock = ContinuousClock()
            var target = RenderTarget.image(size: outputSize)
            var (latencies, renders, written, size) = ([Double](), [Double](), 0, PixelSize?.none)
            var start: ContinuousClock.Instant?
            while written < frames {
                // A restarted server: the stream view releases what was made of its old buffers.
                guard let frame = try stream.wait(timeout: .milliseconds(timeoutMs)) else { throw noFrame() }
                latencies.append(Double(Int64(bitPattern: bootTimeNanoseconds() &- frame.endTimestampNanoseconds)) / 1e6)
                let received = clock.now
                do {
                    try view.render(frame.frame, into: &target, options: options)
                } catch CameraViewError.tornFrame, CameraViewError.overtakenFrame {
                    continue
                }
                guard let image = target.image else { continue }
                renders.append((clock.now - received).milliseconds)
                try PNGCodec.write(image, to: outputDir + String(format: "/frame-%05d.png", written))
                start = start ?? received
                size = frame.frame.size
                written += 1
                progress.update(written)
            }
            progress.finish()
            let seconds = start.map { (clock.now - $0).milliseconds / 1000 } ?? 0
            let statistics = source.statistics
            let summary = Summary(
                frames: written, skipped: statistics.skipped, torn: statistics.torn,
                fps: seconds > 0 ? Double(written - 1) / seconds : 0, size: size,
                latencyMs: Statistics.median(latencies), latencyP99Ms: Statistics.percentile(latencies, 0.99),
                renderMs: Statistics.median(renders))
            if json {
                try printJSON(summary)
            } else {
                print("watched \(written) frames of \(source.name) at \(size.map(\.description) ?? "?") "
                      + "(\(summary.skipped) skipped for newer, \(summary.torn) torn)")
                print(String(format: "%.1f fps; latency %.2f ms median, %.2f ms p99; render %.1f ms median",
                             summary.fps, summary.latencyMs, summary.latencyP99Ms, summary.renderMs))
            }
        }
    }
}

extension WatchCommand {
    /// Why no frame came: no server, a server without the stream, or a silent one.
    func noFrame() -> CameraViewError {
        let served = try? VisionIPCSource.availableStreams(server: visionipc.server)
        let problem = switch served {
        case nil: "no VisionIPC server \(visionipc.server) (\(VisionIPCEndpoint(server: visionipc.server).controlSocketPath))"
        case let streams? where !streams.contains(visionipc.stream):
            "\(visionipc.server) serves no stream \(visionipc.stream); it serves \(streams.map(\.description).sorted().joined(separator: ", "))"
        default: "no frame within \(timeoutMs) ms"
        }
        return .peer(server: visionipc.server, problem: problem)
    }
}

/// CLOCK_BOOTTIME in nanoseconds: camerad's clock for frame timestamps.
private func bootTimeNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_BOOTTIME, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
