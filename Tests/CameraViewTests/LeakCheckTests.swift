import CameraView
import CameraViewDiagnostics
import Foundation
import Testing

/// `camview leakcheck` in its own process, where the heap and fd figures are not
/// disturbed by the test runner.
@Suite(.ledgerChecked) struct LeakCheckTests {
    private func leakcheck(_ arguments: [String]) throws -> (status: Int32, report: [String: Any]) {
        let result = try TestProcess.capture(TestPaths.camview, ["leakcheck", "--json"] + arguments)
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        return (result.status, try #require(report, "stdout: \(String(decoding: result.stdout, as: UTF8.self)) stderr: \(result.stderr)"))
    }

    @Test func warmDeviceLoopLeavesNoHandlesOrFDs() throws {
        let (status, report) = try leakcheck(["--iterations", "500", "--warmup", "100", "--frames-per-cycle", "2", "--size", "96x64", "--max-slope", "1e12"])
        #expect(status == 0)
        #expect(report["iterations"] as? Int == 500)
        #expect(report["fd_delta"] as? Int == 0)
        #expect(report["device_handle_delta"] as? Int == 0)
        #expect(report["swept_at_close"] as? Int == 0)
        #expect(report["failed_deletions"] as? Int == 0)
        #expect(report["dropped_owners"] as? Int == 0)
        for key in ["rss_slope_bytes_per_iteration", "cycle_ms_median"] {
            #expect(report[key] is NSNumber, "missing \(key)")
        }
        // The heap in use is exact, so unlike RSS its slope is held even over a short run.
        if glibcHeapFigures {
            #expect(report["heap_delta_bytes"] is Int)
            let heapSlope = try #require(report["heap_slope_bytes_per_iteration"] as? Double)
            #expect(heapSlope < 16, "the heap in use grew \(heapSlope) bytes per iteration")
        } else {
            #expect(report["heap_slope_bytes_per_iteration"] == nil && report["heap_delta_bytes"] == nil)
        }
    }

    /// Whether this build's allocator answers mallinfo2 (not under AddressSanitizer, which
    /// `scripts/sanitize-leaks` runs these tests with): the child camview is built alike.
    private var glibcHeapFigures: Bool { ProcessMemory.heapInUseBytes != nil }

    /// RSS moves by pages: a few over a short run are no leak (a CI run failed on 33 bytes
    /// an iteration over 300 iterations with nothing leaking); the same slope sustained is.
    @Test func rssCountsOnlyPastItsResolution() throws {
        func report(iterations: Int, rssSlope: Double) throws -> LeakCheck.Report {
            let json = """
                {"iterations": \(iterations), "device_handle_delta": 0, "swept_at_close": 0, "swept_at_close_by_kind": {},
                 "failed_deletions": 0, "dropped_owners": 0, "fd_delta": 0, "rss_slope_bytes_per_iteration": \(rssSlope),
                 "heap_slope_bytes_per_iteration": 0.1, "heap_delta_bytes": 0, "cycle_ms_median": 1}
                """
            return try JSONDecoder().decode(LeakCheck.Report.self, from: Data(json.utf8))
        }
        #expect(try !report(iterations: 300, rssSlope: 33).leaked(maxSlope: 16), "9.9 kB: under 16 pages")
        #expect(try report(iterations: 300, rssSlope: 300).leaked(maxSlope: 16), "90 kB")
        #expect(try report(iterations: 5000, rssSlope: 33).leaked(maxSlope: 16), "165 kB")
        #expect(try !report(iterations: 5000, rssSlope: 10).leaked(maxSlope: 16), "under the slope")
    }

    /// A leak no handle table sees (1 KiB kept per cycle) is caught by the heap slope alone.
    @Test func memoryKeptEveryCycleExitsOneOnTheHeapSlope() throws {
        let (status, report) = try leakcheck(["--iterations", "500", "--warmup", "50", "--size", "96x64", "--plant-retained-bytes", "1024"])
        #expect(status == 1)
        #expect(report["swept_at_close"] as? Int == 0)
        if glibcHeapFigures {
            let heapSlope = try #require(report["heap_slope_bytes_per_iteration"] as? Double)
            #expect(heapSlope >= 1024, "1 KiB kept per cycle read as \(heapSlope) bytes per iteration")
        } else {
            // Without heap figures the resident set still grows past the limit.
            let rssSlope = try #require(report["rss_slope_bytes_per_iteration"] as? Double)
            #expect(rssSlope > 16, "1 KiB kept per cycle read as \(rssSlope) bytes per iteration of RSS")
        }
    }

    /// Mesa 22.3 leaks on every eglTerminate that unloads its DRI driver (measured with the
    /// pin removed: ~275 B per cycle, 82 kB over this run); the surfaceless display now
    /// stays initialized, and its driver's caches fill over the first ~50 cycles (27-30 kB
    /// more when only 20 are warm-up). Warm, the heap stays flat.
    @Test func reopeningTheDeviceEveryCycleDoesNotLeakInMesa() throws {
        let (status, report) = try leakcheck(["--iterations", "300", "--warmup", "100", "--reopen-device", "--max-slope", "1e12"])
        #expect(status == 0)
        #expect(report["fd_delta"] as? Int == 0)
        #expect(report["swept_at_close"] as? Int == 0)
        #expect(report["failed_deletions"] as? Int == 0)
        if glibcHeapFigures {
            let heapDelta = try #require(report["heap_delta_bytes"] as? Int)
            #expect(heapDelta < 144 * 300 / 4, "heap grew \(heapDelta) bytes over 300 device open/close cycles")
        } else {
            #expect(report["heap_delta_bytes"] == nil)
        }
    }

    @Test func exceedingTheSlopeLimitExitsOne() throws {
        let (status, _) = try leakcheck(["--iterations", "20", "--warmup", "0", "--max-slope=-1e12"])
        #expect(status == 1)
    }
}
