import Foundation
import Testing

/// camview-bench as its users run it: one run reports CameraView and the CPU peers.
@Suite(.serialized) struct BenchCommandTests {
    /// The built tool, beside this test bundle.
    static let bench = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("camview-bench").path

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }

    @Test func benchReportsUsAndThePeersInOneRun() throws {
        let result = try Self.run(Self.bench, ["--size", "64x48", "--frames", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let keys = ["camview_ms", "camview_1thread_ms", "libyuv_ms", "libyuv_threads_ms", "swscale_ms", "swscale_threads_ms",
                    "swscale_fast_ms", "swscale_fast_threads_ms", "ratio_vs_swscale", "ratio_vs_swscale_fast",
                    "ratio_1thread_vs_swscale_fast", "ratio_vs_libyuv", "create_close_ms",
                    "area_half_ms", "area_quarter_ms", "chroma_linear_ms"]
        let numbers = keys.compactMap { report[$0] as? Double }
        #expect(numbers.count == keys.count && numbers.allSatisfy { $0 > 0 }, "\(report)")
        #expect((report["threads"] as? Int ?? 0) >= 1)
        func number(_ key: String) throws -> Double { try #require(report[key] as? Double, "\(key) in \(report)") }
        // Each ratio compares equal threads.
        #expect(abs(try number("ratio_vs_swscale_fast") - number("camview_ms") / number("swscale_fast_threads_ms")) < 1e-9)
        #expect(abs(try number("ratio_1thread_vs_swscale_fast") - number("camview_1thread_ms") / number("swscale_fast_ms")) < 1e-9)
        #expect(abs(try number("ratio_vs_libyuv") - number("camview_ms") / number("libyuv_threads_ms")) < 1e-9)
        // camview-bench links the malloc interposer in every build.
        let allocations = try number("allocs_per_frame")
        let graphicsStack = try number("allocs_per_frame_graphics_stack")
        #expect(report["allocs_per_frame_own"] as? Double == 0, "a steady-state render(_:into:) allocates nothing of its own")
        #expect(report["allocs_per_frame_c_own"] as? Double == 0, "the C API borrows the frame and reads back into the caller's buffer")
        #expect(graphicsStack > 0 && graphicsStack == allocations, "EGL/Mesa allocate per frame; the split must account for all")
    }

    /// The interposer and libyuv/swscale are camview-bench's (camview's side of this is
    /// checked in the library's own suite).
    @Test func benchLinksTheInterposerAndThePeers() throws {
        let result = try Self.run("/usr/bin/readelf", ["-d", Self.bench])
        let needed = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").filter { $0.contains("(NEEDED)") }.joined(separator: "\n")
        for library in ["libMallocInterposer", "libyuv", "libswscale", "libavutil"] {
            #expect(needed.contains(library), "camview-bench should need \(library)")
        }
    }
}
