import CameraView
import Foundation

/// The loop openpilot's camera view leaked in — create a view, render, close, drop — run
/// many times while counting what stays behind: handles, fds, heap and RSS growth.
public enum LeakCheck {
    public struct Options: Sendable {
        public var iterations: Int
        public var warmup: Int
        public var framesPerCycle: Int
        public var size: PixelSize
        /// Open and tear down the device every cycle too (Mesa's driver reload path).
        public var reopenDevice: Bool
        /// A bug planted to show that the report catches it (the library's own through
        /// `FaultInjection`, in debug builds only).
        package var plantedBug: PlantedBug?

        package enum PlantedBug: Sendable {
            #if DEBUG
            /// The first owner release of the kind is skipped.
            case skippedRelease(HandleKind)
            /// Every deletion of the kind fails.
            case failedDeletion(HandleKind)
            #endif
            /// Every measured cycle keeps this many bytes allocated until the run ends: a
            /// leak no handle table sees, which only the heap slope can catch.
            case retainedBytes(Int)
        }

        public init(iterations: Int, warmup: Int = 100, framesPerCycle: Int = 1,
                    size: PixelSize = PixelSize(width: 320, height: 240), reopenDevice: Bool = false) {
            self.iterations = iterations
            self.warmup = warmup
            self.framesPerCycle = framesPerCycle
            self.size = size
            self.reopenDevice = reopenDevice
        }
    }

    public struct Report: Sendable, Codable, Equatable {
        public let iterations: Int
        /// Objects the device's table gained over the run: should be 0.
        public let deviceHandleDelta: Int
        /// Objects that a close had to sweep up because their owner never released them,
        /// over the run (views and devices): each is a bug, so should be 0. (What a table
        /// holds after its close is no figure: the close sweeps it.)
        public let sweptAtClose: Int
        public let sweptAtCloseByKind: [String: Int]
        /// Deletions that failed or could not run, the views' and (each time the last
        /// reference closes) the device's own: should be 0.
        public let failedDeletions: Int
        /// Owners dropped without release: should be 0.
        public let droppedOwners: Int
        public let fdDelta: Int
        /// Least-squares slope of RSS over the measured iterations.
        public let rssSlopeBytesPerIteration: Double
        /// Least-squares slope of the heap in use over the measured iterations; nil (and
        /// the delta too) where the allocator is not glibc's.
        public let heapSlopeBytesPerIteration: Double?
        public let heapDeltaBytes: Int?
        public let cycleMsMedian: Double

        enum CodingKeys: String, CodingKey {
            case iterations
            case deviceHandleDelta = "device_handle_delta"
            case sweptAtClose = "swept_at_close"
            case sweptAtCloseByKind = "swept_at_close_by_kind"
            case failedDeletions = "failed_deletions"
            case droppedOwners = "dropped_owners"
            case fdDelta = "fd_delta"
            case rssSlopeBytesPerIteration = "rss_slope_bytes_per_iteration"
            case heapSlopeBytesPerIteration = "heap_slope_bytes_per_iteration"
            case heapDeltaBytes = "heap_delta_bytes"
            case cycleMsMedian = "cycle_ms_median"
        }

        /// Whether anything leaked or was swept, a deletion failed, an fd stayed open, or
        /// RSS or the heap in use grew faster than `maxSlope`. RSS moves by whole pages and
        /// with the driver's own caches, so it counts only when its growth over the run also
        /// passes `rssResolutionBytes`: over 300 iterations with nothing leaking, a few pages
        /// read as 33 bytes an iteration in 1 run of 4 (2026-12-07, llvmpipe).
        public func leaked(maxSlope: Double) -> Bool {
            deviceHandleDelta != 0 || fdDelta != 0 || sweptAtClose > 0
                || failedDeletions > 0 || droppedOwners > 0
                || (rssSlopeBytesPerIteration > maxSlope
                    && rssSlopeBytesPerIteration * Double(iterations) > Double(Self.rssResolutionBytes))
                || (heapSlopeBytesPerIteration ?? 0) > maxSlope
        }

        /// 16 pages: the least RSS growth over a run that `leaked(maxSlope:)` counts.
        public static var rssResolutionBytes: Int { 16 * ProcessMemory.pageBytes }
    }

    /// Runs the loop; `progress` is called with the number of measured cycles done.
    public static func run(_ options: Options, progress: (Int) -> Void = { _ in }) throws -> Report {
        switch options.plantedBug {
        case nil, .retainedBytes: try measure(options, progress: progress)
        #if DEBUG
        case .skippedRelease(let kind): try FaultInjection.skippingRelease(of: kind) { try measure(options, progress: progress) }.result
        case .failedDeletion(let kind): try FaultInjection.failingDeletions(of: kind) { try measure(options, progress: progress) }.result
        #endif
        }
    }

    private static func measure(_ options: Options, progress: (Int) -> Void) throws -> Report {
        // Held across the run so views join a warm device (unless reopening is asked for).
        let device = options.reopenDevice ? nil : try RenderDevice.open()
        defer { device?.close() }
        // The size is checked against the device before the frame is allocated.
        let probe = try device ?? RenderDevice.open()
        try probe.checkFits(options.size)
        if device == nil { probe.close() }
        let layout = try NV12Layout(width: options.size.width, height: options.size.height)
        let frame = NV12Frame.synthetic(layout: layout)

        var swept: [HandleKind: Int] = [:]
        var failedDeletions = 0
        func note(_ report: CloseReport) {
            for record in report.swept { swept[record.kind, default: 0] += 1 }
            failedDeletions += report.failedDeletions.count
        }
        func cycle() throws {
            let reference = try device?.newReference() ?? RenderDevice.open()
            let view = try CameraView(device: reference)
            for _ in 0..<options.framesPerCycle { _ = try view.render(.memory(frame)) }
            note(view.close())
            // With --reopen-device this is the last reference: the device is torn down.
            note(reference.close())
        }

        for _ in 0..<options.warmup { try cycle() }
        let sampleEvery = max(1, options.iterations / 256)
        var rssSamples: [(x: Double, y: Double)] = [], heapSamples: [(x: Double, y: Double)] = []
        rssSamples.reserveCapacity(options.iterations / sampleEvery + 1)
        heapSamples.reserveCapacity(options.iterations / sampleEvery + 1)
        var retained: [UnsafeMutableRawPointer] = []
        if case .retainedBytes = options.plantedBug { retained.reserveCapacity(options.iterations) }
        defer { retained.forEach { free($0) } }
        var cycleMilliseconds = [Double](repeating: 0, count: options.iterations)
        let deviceHandlesBefore = device?.handles.liveCount ?? 0
        let fdsBefore = ProcessMemory.openFDCount
        // Foundation keeps buffers from its first file read: read RSS once before measuring.
        _ = ProcessMemory.residentBytes
        let heapBefore = ProcessMemory.heapInUseBytes
        let droppedBefore = HandleTable.droppedOwnerCountInProcess
        let clock = ContinuousClock()
        for iteration in 0..<options.iterations {
            let start = clock.now
            try cycle()
            cycleMilliseconds[iteration] = (clock.now - start).milliseconds
            if case .retainedBytes(let count) = options.plantedBug, let block = malloc(count) {
                retained.append(memset(block, 1, count))
            }
            if iteration % sampleEvery == 0 {
                if let heap = ProcessMemory.heapInUseBytes { heapSamples.append((Double(iteration), Double(heap))) }
                rssSamples.append((Double(iteration), Double(ProcessMemory.residentBytes)))
                progress(iteration + 1)
            }
        }
        // Measured before anything else allocates: the report's own strings and arrays.
        let heapDelta = ProcessMemory.heapInUseBytes.flatMap { after in heapBefore.map { after - $0 } }
        let fdDelta = ProcessMemory.openFDCount - fdsBefore
        progress(options.iterations)
        let deviceHandleDelta = (device?.handles.liveCount ?? 0) - deviceHandlesBefore
        if let device { note(device.close()) }
        return Report(
            iterations: options.iterations,
            deviceHandleDelta: deviceHandleDelta,
            sweptAtClose: swept.values.reduce(0, +),
            sweptAtCloseByKind: Dictionary(uniqueKeysWithValues: swept.map { ($0.key.rawValue, $0.value) }),
            failedDeletions: failedDeletions,
            droppedOwners: HandleTable.droppedOwnerCountInProcess - droppedBefore,
            fdDelta: fdDelta,
            rssSlopeBytesPerIteration: Statistics.leastSquaresSlope(rssSamples),
            heapSlopeBytesPerIteration: heapDelta == nil ? nil : Statistics.leastSquaresSlope(heapSamples),
            heapDeltaBytes: heapDelta,
            cycleMsMedian: Statistics.median(cycleMilliseconds))
    }
}
