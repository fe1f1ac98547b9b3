import ArgumentParser
import CAllocationOrigin
import CameraView
import Foundation
import MallocInterposerSwift

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time frames through each path and through CPU peers, in one process and one run; print medians and ratios.",
        discussion: """
            Paths: upload (frame in memory, upload + draw + readback into a reused image), and on a GBM device a \
            dma-buf frame imported per plane and mapped + uploaded. Peers: libyuv NV12ToABGR (single thread) and \
            swscale with exact flags (one thread). allocs_per_frame counts heap allocations per steady-state frame \
            through the malloc interposer camview links (null if its counters do not move), split by stack walk into \
            the graphics stack's (EGL, libglvnd, Mesa) and CameraView's own.
            """
    )

    @Option(help: "Frame size WxH.") var size = PixelSize(width: 1928, height: 1208)
    @Option(help: "Measured frames per path (after 5 unmeasured).") var frames = 100
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be positive") }
    }

    struct Report: Encodable {
        let width: Int
        let height: Int
        let frames: Int
        let camviewMs: Double
        let libyuvMs: Double
        let swscaleMs: Double
        let ratioVsSwscale: Double
        let ratioVsLibyuv: Double
        let allocsPerFrame: Double?
        let allocsPerFrameGraphicsStack: Double?
        let allocsPerFrameOwn: Double?
        let uploadMs: Double
        let drawMs: Double
        let readbackMs: Double
        let createCloseMs: Double
        let dmabufImportMs: Double?
        let dmabufMappedMs: Double?

        enum CodingKeys: String, CodingKey {
            case width, height, frames
            case camviewMs = "camview_ms", libyuvMs = "libyuv_ms", swscaleMs = "swscale_ms"
            case ratioVsSwscale = "ratio_vs_swscale", ratioVsLibyuv = "ratio_vs_libyuv", allocsPerFrame = "allocs_per_frame"
            case allocsPerFrameGraphicsStack = "allocs_per_frame_graphics_stack", allocsPerFrameOwn = "allocs_per_frame_own"
            case uploadMs = "upload_ms", drawMs = "draw_ms", readbackMs = "readback_ms"
            case createCloseMs = "create_close_ms", dmabufImportMs = "dmabuf_import_ms", dmabufMappedMs = "dmabuf_mapped_ms"
        }
    }

    func run() throws {
        try reportingErrors {
            let device = try RenderDevice.open()
            defer { device.close() }
            try device.checkFits(size)
            let layout = try NV12Layout(width: size.width, height: size.height)
            let frame = NV12Frame.synthetic(layout: layout)
            let view = try CameraView(device: device)
            defer { view.close() }
            var image = try RGBAImage(width: layout.width, height: layout.height)
            var stages: [[Double]] = [[], [], []]
            let total = try measure { try view.render(frame, into: &image) } after: {
                if let timings = view.lastFrameTimings {
                    for (index, stage) in [timings.upload, timings.draw, timings.readback].enumerated() {
                        stages[index].append(stage.milliseconds)
                    }
                }
            }
            let allocations = try allocationsPerFrame { try view.render(frame, into: &image) }
            var rgba = [UInt8](repeating: 0, count: layout.width * layout.height * 4)
            let libyuv = try measure { PeerConverters.libyuv(frame, into: &rgba) }
            let swscale = try PeerConverters.Swscale(layout: layout, color: frame.color)
            let swscaleMs = try measure { swscale.convert(frame, into: &rgba) }
            let createClose = try measure { try CameraView(device: device).close() }
            var importMs: Double?, mappedMs: Double?
            if try device.importCapabilities().perPlane {
                let buffer = try DeviceBuffer(copying: frame, on: device)
                defer { buffer.close() }
                importMs = try measure { _ = try view.render(buffer.frame) }
                let mapped = try CameraView(device: device, importPath: .forced(.mappedUpload))
                defer { mapped.close() }
                mappedMs = try measure { _ = try mapped.render(buffer.frame) }
            }
            let report = Report(
                width: size.width, height: size.height, frames: frames, camviewMs: total,
                libyuvMs: libyuv, swscaleMs: swscaleMs, ratioVsSwscale: total / swscaleMs, ratioVsLibyuv: total / libyuv,
                allocsPerFrame: allocations?.total, allocsPerFrameGraphicsStack: allocations?.graphicsStack,
                allocsPerFrameOwn: allocations.map { $0.total - $0.graphicsStack }, uploadMs: Statistics.median(stages[0]), drawMs: Statistics.median(stages[1]), readbackMs: Statistics.median(stages[2]),
                createCloseMs: createClose, dmabufImportMs: importMs, dmabufMappedMs: mappedMs)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print("\(size), \(frames) frames, medians (ms):")
                print(String(format: "  upload path       %.3f  (upload %.3f, draw %.3f, readback %.3f)",
                             report.camviewMs, report.uploadMs, report.drawMs, report.readbackMs))
                print(String(format: "  libyuv            %.3f  (camview / libyuv  = %.2f)", report.libyuvMs, report.ratioVsLibyuv))
                print(String(format: "  swscale exact     %.3f  (camview / swscale = %.2f)", report.swscaleMs, report.ratioVsSwscale))
                print(String(format: "  create + close    %.3f", report.createCloseMs))
                print("  allocations/frame \(allocations.map { String(format: "%.1f (graphics stack %.1f, own %.1f)", $0.total, $0.graphicsStack, $0.total - $0.graphicsStack) } ?? "n/a (the malloc interposer is not active)")")
                if let importMs, let mappedMs {
                    print(String(format: "  dma-buf import    %.3f", importMs))
                    print(String(format: "  dma-buf mapped    %.3f", mappedMs))
                }
            }
        }
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
