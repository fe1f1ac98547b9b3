import ArgumentParser
import CLISupport
import CameraView
import CameraViewDiagnostics
import Foundation

extension HandleKind: ExpressibleByArgument {}

struct LeakCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leakcheck",
        abstract: "Create a view, render, close and drop it N times; report what stayed behind.",
        discussion: """
            Exits 1 when a handle or an fd leaks, a close has to sweep up an object its owner never released, \
            a deletion fails, or RSS or the heap in use grows faster than --max-slope bytes per iteration \
            (RSS only when it also grew by more than 16 pages over the run).
            """
    )

    @Option(help: "Measured cycles.") var iterations: Int
    @Option(help: "Unmeasured cycles first (Mesa and Swift allocate lazily).") var warmup = 100
    @Option(help: "Frames rendered per cycle.") var framesPerCycle = 1
    @Option(help: "Frame size WxH.") var size = PixelSize(width: 320, height: 240)
    @Option(help: "Largest RSS or heap slope, in bytes per iteration, that still passes.") var maxSlope = 16.0
    @Flag(help: "Open and tear down the device every cycle too.") var reopenDevice = false
    @Flag(help: "Print JSON.") var json = false
    // Test hooks: plant a bug to show the report catches it (the library's own in debug
    // builds only: release builds carry no fault planting).
    #if DEBUG
    @Option(help: .hidden) var plantSkippedRelease: HandleKind?
    @Option(help: .hidden) var plantFailedDeletion: HandleKind?
    #endif
    @Option(help: .hidden) var plantRetainedBytes: Int?

    func validate() throws {
        guard iterations > 0, warmup >= 0, framesPerCycle >= 0 else {
            throw ValidationError("--iterations must be positive; --warmup and --frames-per-cycle not negative")
        }
    }

    func run() throws {
        try reportingErrors {
            let progress = ProgressBar(total: iterations, enabled: !json && isatty(STDOUT_FILENO) == 1)
            var options = LeakCheck.Options(
                iterations: iterations, warmup: warmup, framesPerCycle: framesPerCycle, size: size, reopenDevice: reopenDevice)
            #if DEBUG
            if let kind = plantSkippedRelease { options.plantedBug = .skippedRelease(kind) }
            if let kind = plantFailedDeletion { options.plantedBug = .failedDeletion(kind) }
            #endif
            if let count = plantRetainedBytes, count > 0 { options.plantedBug = .retainedBytes(count) }
            let report = try LeakCheck.run(options, progress: progress.update)
            progress.finish()
            if json {
                try printJSON(report)
            } else {
                print("iterations:                \(report.iterations)")
                print("device handle delta:       \(report.deviceHandleDelta)")
                print("swept at close:            \(report.sweptAtClose) \(report.sweptAtCloseByKind)")
                print("failed deletions:          \(report.failedDeletions)")
                print("owners dropped unreleased: \(report.droppedOwners)")
                print("fd delta:                  \(report.fdDelta)")
                print("RSS slope:                 \(String(format: "%.3f", report.rssSlopeBytesPerIteration)) bytes/iteration")
                let unavailable = "unavailable (the allocator is not glibc's)"
                print("heap slope:                \(report.heapSlopeBytesPerIteration.map { String(format: "%.3f bytes/iteration", $0) } ?? unavailable)")
                print("heap delta:                \(report.heapDeltaBytes.map { "\($0) bytes" } ?? unavailable)")
                print("cycle median:              \(String(format: "%.3f", report.cycleMsMedian)) ms")
            }
            if report.leaked(maxSlope: maxSlope) { throw ExitCode.failure }
        }
    }
}
