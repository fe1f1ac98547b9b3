import ArgumentParser
import CAllocationOrigin
import CPeerConverters
import CLISupport
import CameraView
import CameraViewC
import CameraViewDiagnostics
import Foundation
import MallocInterposerSwift

@main
struct BenchCommand: ParsableCommand {
    static func main() { mainWithOneLineErrors() }

    static let configuration = CommandConfiguration(
        commandName: "camview-bench",
        abstract: "Time frames through each path and through CPU peers, in one process and one run; print medians and ratios.",
        discussion: """
            CameraView runs at llvmpipe's thread count (LP_NUM_THREADS, default: every core, at most 16) and, in a \
            child process, at LP_NUM_THREADS=1. The peers run on one thread and with the rows split into bands over \
            the same thread count: libyuv NV12ToABGRMatrix with the frame's own constants, swscale with exact flags \
            (the colour oracle) and with its default flags (bicubic, SIMD). Each ratio compares equal threads. \
            allocs_per_frame counts heap allocations per steady-state frame through the malloc interposer this tool \
            links (null if its counters do not move), split by stack walk into the graphics stack's and CameraView's own; \
            allocs_per_frame_c_own counts CameraView's own through the C API's submit_nv12 + render_rgba (the frame \
            borrowed and uploaded at submit, the image read back into the caller's buffer), as Python calls them.
            """
    )

    @Option(help: "Frame size WxH.") var size = PixelSize(width: 1928, height: 1208)
    @Option(help: "Measured frames per path (after 5 unmeasured).") var frames = 100
    @Flag(help: "Print JSON.") var json = false
    // The child run at LP_NUM_THREADS=1: CameraView's frame time only.
    @Flag(help: .hidden) var onlyCamview = false

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
    }

    struct Report: Encodable {
        let width: Int, height: Int, frames: Int, threads: Int
        let camviewMs: Double, camview1ThreadMs: Double?
        let libyuvMs: Double, libyuvThreadsMs: Double
        let swscaleMs: Double, swscaleThreadsMs: Double, swscaleFastMs: Double, swscaleFastThreadsMs: Double
        let ratioVsSwscale: Double, ratioVsSwscaleFast: Double, ratio1ThreadVsSwscaleFast: Double?
        let ratioVsLibyuv: Double, ratio1ThreadVsLibyuv: Double?
        let allocsPerFrame: Double?, allocsPerFrameGraphicsStack: Double?, allocsPerFrameOwn: Double?, allocsPerFrameCOwn: Double?
        let uploadMs: Double, drawMs: Double, readbackMs: Double
        let createCloseMs: Double
        let dmabufImportMs: Double?, dmabufMappedMs: Double?
        /// Filtered renders: `area` to half and a quarter of the frame's size, and 1:1 with
        /// `bilinear` (chroma interpolated at its siting).
        let areaHalfMs: Double, areaQuarterMs: Double, chromaLinearMs: Double

        enum CodingKeys: String, CodingKey {
            case width, height, frames, threads
            case camviewMs = "camview_ms", camview1ThreadMs = "camview_1thread_ms"
            case libyuvMs = "libyuv_ms", libyuvThreadsMs = "libyuv_threads_ms"
            case swscaleMs = "swscale_ms", swscaleThreadsMs = "swscale_threads_ms"
            case swscaleFastMs = "swscale_fast_ms", swscaleFastThreadsMs = "swscale_fast_threads_ms"
            case ratioVsSwscale = "ratio_vs_swscale", ratioVsSwscaleFast = "ratio_vs_swscale_fast"
            case ratio1ThreadVsSwscaleFast = "ratio_1thread_vs_swscale_fast"
            case ratioVsLibyuv = "ratio_vs_libyuv", ratio1ThreadVsLibyuv = "ratio_1thread_vs_libyuv"
            case allocsPerFrame = "allocs_per_frame"
            case allocsPerFrameGraphicsStack = "allocs_per_frame_graphics_stack", allocsPerFrameOwn = "allocs_per_frame_own"
            case allocsPerFrameCOwn = "allocs_per_frame_c_own"
            case uploadMs = "upload_ms", drawMs = "draw_ms", readbackMs = "readback_ms"
            case createCloseMs = "create_close_ms", dmabufImportMs = "dmabuf_import_ms", dmabufMappedMs = "dmabuf_mapped_ms"
            case areaHalfMs = "area_half_ms", areaQuarterMs = "area_quarter_ms", chromaLinearMs = "chroma_linear_ms"
        }
    }

    /// llvmpipe's thread count: LP_NUM_THREADS, else every core (Mesa caps it at 16).
    static var llvmpipeThreads: Int {
        ProcessInfo.processInfo.environment["LP_NUM_THREADS"].flatMap(Int.init) ?? min(ProcessInfo.processInfo.activeProcessorCount, 16)
    }

    func run() throws {
        try reportingErrors {
            let device = try RenderDevice.open()
            defer { device.close() }
            try device.checkFits(size)
            let layout = try NV12Layout(width: size.width, height: size.height)
            let frame = NV12Frame.synthetic(layout: layout)
            // Every measured render gets a new picture (the same bytes, not copied): a view
            // converts a frame once, and a render of the frame it has converted costs nothing.
            let bytes = try frame.withUnsafeBytes { [UInt8]($0) }
            func newFrame() throws -> Frame { .memory(try NV12Frame(bytes: bytes, layout: layout, color: frame.color)) }
            let view = try CameraView(device: device)
            defer { view.close() }
            var image = RenderTarget.image()
            var stages: [[Double]] = [[], [], []]
            // The exact 1:1 frame (nearest: the packed path), which the peers are compared with.
            let exactOptions = RenderOptions(filter: .nearest)
            let total = try measure { try view.render(newFrame(), into: &image, options: exactOptions) } after: {
                if let timings = view.lastFrameTimings {
                    for (index, stage) in [timings.upload, timings.draw, timings.readback].enumerated() {
                        stages[index].append(stage.milliseconds)
                    }
                }
            }
            if onlyCamview {
                print(String(format: "{\"camview_ms\": %.6f}", total))
                return
            }
            let threads = Self.llvmpipeThreads
            let oneThread = threads == 1 ? total : try cameraViewOnOneThread()
            // Through the default options: choosing the filter per frame must not allocate either.
            let allocations = try allocationsPerFrame { try view.render(newFrame(), into: &image) }
            var rgba = [UInt8](repeating: 0, count: layout.width * layout.height * 4)
            let libyuv = try measure { try PeerConverters.libyuv(frame, into: &rgba) }
            let libyuvThreads = try measure { try PeerConverters.libyuv(frame, into: &rgba, threads: threads) }
            func swscale(_ flags: Int32, threads: Int) throws -> Double {
                let converter = try PeerConverters.Swscale(layout: layout, color: frame.color, flags: flags, threads: threads)
                return try measure { try converter.convert(frame, into: &rgba) }
            }
            let (exact, exactThreads) = (try swscale(cv_SWS_EXACT, threads: 1), try swscale(cv_SWS_EXACT, threads: threads))
            let (fast, fastThreads) = (try swscale(cv_SWS_DEFAULT, threads: 1), try swscale(cv_SWS_DEFAULT, threads: threads))
            let createClose = try measure { try CameraView(device: device).close() }
            func filtered(_ divisor: Int, _ filter: SampleFilter) throws -> Double {
                let output = PixelSize(width: max(1, layout.width / divisor), height: max(1, layout.height / divisor))
                var scaled = RenderTarget.image(size: output)
                let options = RenderOptions(filter: filter)
                return try measure { try view.render(newFrame(), into: &scaled, options: options) }
            }
            let (areaHalf, areaQuarter, chromaLinear) = (try filtered(2, .area), try filtered(4, .area), try filtered(1, .bilinear))
            var importMs: Double?, mappedMs: Double?
            if try device.importCapabilities().perPlane {
                let buffer = try DeviceBuffer(copying: frame, on: device)
                defer { buffer.close() }
                func newBufferFrame() -> Frame {
                    let old = buffer.frame
                    return .dmaBuf(DmaBufFrame(width: old.width, height: old.height, luma: old.luma, chroma: old.chroma, color: old.color))
                }
                importMs = try measure { try view.render(newBufferFrame(), into: &image) }
                let mapped = try CameraView(device: device, importPath: .forced(.mappedUpload))
                defer { mapped.close() }
                mappedMs = try measure { try mapped.render(newBufferFrame(), into: &image) }
            }
            let report = Report(
                width: size.width, height: size.height, frames: frames, threads: threads,
                camviewMs: total, camview1ThreadMs: oneThread,
                libyuvMs: libyuv, libyuvThreadsMs: libyuvThreads,
                swscaleMs: exact, swscaleThreadsMs: exactThreads, swscaleFastMs: fast, swscaleFastThreadsMs: fastThreads,
                ratioVsSwscale: total / exactThreads, ratioVsSwscaleFast: total / fastThreads,
                ratio1ThreadVsSwscaleFast: oneThread.map { $0 / fast },
                ratioVsLibyuv: total / libyuvThreads, ratio1ThreadVsLibyuv: oneThread.map { $0 / libyuv },
                allocsPerFrame: allocations?.total, allocsPerFrameGraphicsStack: allocations?.graphicsStack,
                allocsPerFrameOwn: allocations.map { $0.total - $0.graphicsStack },
                allocsPerFrameCOwn: try allocationsThroughTheCAPI(bytes: bytes, layout: layout).map { $0.total - $0.graphicsStack },
                uploadMs: Statistics.median(stages[0]), drawMs: Statistics.median(stages[1]), readbackMs: Statistics.median(stages[2]),
                createCloseMs: createClose, dmabufImportMs: importMs, dmabufMappedMs: mappedMs,
                areaHalfMs: areaHalf, areaQuarterMs: areaQuarter, chromaLinearMs: chromaLinear)
            if json {
                try printJSON(report)
            } else {
                print(report.table(size: size))
            }
        }
    }

    /// CameraView's frame time at LP_NUM_THREADS=1, from this tool run again as a child
    /// (llvmpipe reads the variable once, when its driver loads); nil if that run fails.
    private func cameraViewOnOneThread() throws -> Double? {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        child.arguments = ["--size", "\(size.width)x\(size.height)", "--frames", "\(frames)", "--only-camview"]
        child.environment = ProcessInfo.processInfo.environment.merging(["LP_NUM_THREADS": "1"]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard child.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Double] else { return nil }
        return object["camview_ms"]
    }

    /// Heap allocations per steady-state run of `body`, all and the graphics stack's,
    /// counted by the malloc interposer (linked before libc, so it replaces malloc without
    /// LD_PRELOAD) and attributed by a stack walk in its allocation hook; nil when a probe
    /// allocation goes uncounted.
    private func allocationsPerFrame(_ body: () throws -> Void) throws -> (total: Double, graphicsStack: Double)? {
        for _ in 0..<5 { try body() }
        allocation_origin_prepare()
        MallocInterposerSwift.initialize()
        MallocInterposerSwift.setAllocationHook(allocation_origin_hook)
        defer { MallocInterposerSwift.setAllocationHook(nil) }
        MallocInterposerSwift.hook()
        // Through the Swift runtime, as our allocations go (glibc-internal ones are not interposed).
        UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16).deallocate()
        let probed = allocation_origin_total()
        allocation_origin_reset()
        for _ in 0..<frames { try body() }
        MallocInterposerSwift.unhook()
        guard probed > 0 else { return nil }
        return (Double(allocation_origin_total()) / Double(frames), Double(allocation_origin_graphics_stack()) / Double(frames))
    }

    /// `allocationsPerFrame` of the C API's submit + render_rgba at the frame's size.
    private func allocationsThroughTheCAPI(bytes: [UInt8], layout: NV12Layout) throws -> (total: Double, graphicsStack: Double)? {
        var device: OpaquePointer?, view: OpaquePointer?
        defer {
            _ = CameraViewC.cv_view_close(view)
            _ = CameraViewC.cv_device_close(device)
        }
        guard CameraViewC.cv_device_open(&device) == 0, CameraViewC.cv_view_create(device, &view) == 0 else {
            throw ValidationError("the C API could not open a view")
        }
        var rgba = [UInt8](repeating: 0, count: layout.width * layout.height * 4)
        let (width, height) = (Int32(layout.width), Int32(layout.height))
        return try allocationsPerFrame {
            let submitted = bytes.withUnsafeBufferPointer {
                CameraViewC.cv_view_submit_nv12(view, $0.baseAddress, $0.count, width, height, Int32(layout.yStride), layout.uvOffset, 0, 0)
            }
            let rendered = rgba.withUnsafeMutableBufferPointer { CameraViewC.cv_view_render_rgba(view, $0.baseAddress, $0.count, width, height) }
            guard submitted == 0, rendered == 0 else { throw ValidationError("the C API failed: \(submitted), \(rendered)") }
        }
    }

    /// The median milliseconds of `frames` runs of `body` after 5 unmeasured ones.
    private func measure(_ body: () throws -> Void, after: () -> Void = {}) throws -> Double {
        for _ in 0..<5 { try body() }
        var times: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<frames {
            let start = clock.now
            try body()
            times.append((clock.now - start).milliseconds)
            after()
        }
        return Statistics.median(times)
    }
}

extension BenchCommand.Report {
    /// The human-readable form: medians in ms, then the ratios at equal threads.
    func table(size: PixelSize) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%8.3f", $0) } ?? "     n/a" }
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "n/a" }
        var lines = [
            "\(size), \(frames) frames, medians (ms); llvmpipe threads: \(threads)",
            "                     1 thread  \(threads) threads",
            "  camview            \(ms(camview1ThreadMs))  \(ms(camviewMs))  (upload \(ms(uploadMs)), draw \(ms(drawMs)), readback \(ms(readbackMs)))",
            "  libyuv             \(ms(libyuvMs))  \(ms(libyuvThreadsMs))",
            "  swscale exact      \(ms(swscaleMs))  \(ms(swscaleThreadsMs))",
            "  swscale default    \(ms(swscaleFastMs))  \(ms(swscaleFastThreadsMs))",
            "  camview / swscale default: \(ratio(ratio1ThreadVsSwscaleFast)) (1 thread), \(ratio(ratioVsSwscaleFast)) (\(threads) threads)",
            "  camview / libyuv:          \(ratio(ratio1ThreadVsLibyuv)) (1 thread), \(ratio(ratioVsLibyuv)) (\(threads) threads)",
            "  camview / swscale exact:   \(ratio(ratioVsSwscale)) (\(threads) threads)",
            "  area to 1/2, 1/4   \(ms(areaHalfMs))  \(ms(areaQuarterMs))   bilinear 1:1 \(ms(chromaLinearMs))",
            "  create + close     \(ms(createCloseMs))",
            "  allocations/frame  " + (allocsPerFrame.map { String(format: "%.1f (graphics stack %.1f, own %.1f)", $0, allocsPerFrameGraphicsStack ?? 0, allocsPerFrameOwn ?? 0) }
                ?? "n/a (the malloc interposer is not active)"),
        ]
        if let dmabufImportMs, let dmabufMappedMs {
            lines.append("  dma-buf import     \(ms(dmabufImportMs))")
            lines.append("  dma-buf mapped     \(ms(dmabufMappedMs))")
        }
        return lines.joined(separator: "\n")
    }
}
