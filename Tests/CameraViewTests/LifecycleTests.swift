import CameraView
import CameraViewStreams
import Foundation
import Testing

/// The promise: every object a view or device creates is deleted, and after close() the
/// tables are empty, through many sizes, layouts, cycles and threads.
@Suite(.ledgerChecked) struct LifecycleTests {
    @Test func viewTableIsEmptyAfterRenderingManySizesAndLayouts() throws {
        let view = try CameraView()
        let photo = try TestFrames.photo(width: 1928, height: 1208, color: .default)
        let frames = [
            photo,
            try TestFrames.relayout(photo, to: .venus(width: 1928, height: 1208)),
            try TestFrames.gradient(width: 333, height: 199),
            try TestFrames.noise(layout: NV12Layout(width: 64, height: 48, yStride: 80, uvOffset: 80 * 50, uvStride: 96)),
        ]
        let outputs: [PixelSize?] = [nil, PixelSize(width: 640, height: 480), PixelSize(width: 31, height: 17)]
        for frame in frames {
            for output in outputs {
                _ = try view.render(.memory(frame), size: output, options: RenderOptions())
                // Steady state: two plane textures, one target (a renderbuffer per row of a
                // fragment's block on the packed path), one vertex array.
                let renderbuffers = view.lastFrameTimings?.packed == true ? view.device.info.packedRows : 1
                #expect(view.handles.liveCountsByKind == [.texture: 2, .framebuffer: 1, .renderbuffer: renderbuffers, .vertexArray: 1])
            }
        }
        #expect(view.close().isClean, "every object was released by its owner")
    }

    @Test func texturesAreCreatedOncePerFrameSizeAndReused() throws {
        let view = try CameraView()
        defer { view.close() }
        let frame = try TestFrames.gradient(width: 96, height: 64)
        _ = try view.render(.memory(frame))
        let first = view.handles.records
        for _ in 0..<5 { _ = try view.render(.memory(frame)) }
        #expect(view.handles.records == first, "same-size frames must reuse the same objects")
        _ = try view.render(.memory(TestFrames.gradient(width: 98, height: 64)))
        let textures = view.handles.records.filter { $0.kind == .texture }
        #expect(textures.count == 2)
        #expect(Set(textures).isDisjoint(with: first.filter { $0.kind == .texture }), "a new size replaces the textures")
    }

    /// The device's own objects are released by their owners when its last reference
    /// closes. The `device` platform is used by this test alone, so no other test holds a
    /// reference to it.
    @Test func theLastReferenceReleasesTheDevicesObjects() throws {
        let device = try RenderDevice.open(platform: .device)
        let table = device.handles
        let view = try CameraView(device: device)
        _ = try view.render(.memory(TestFrames.gradient(width: 32, height: 32)))
        #expect(view.close().isClean)
        #expect(table.liveCount(of: .eglContext) == 1, "the device outlives the view while referenced")
        #expect(table.liveCount(of: .program) == 3, "the exact per-pixel and packed programs, and the packed one with interpolated chroma that the default 1:1 render compiled")
        #expect(device.close().isClean, "the device's owners released its objects")
        device.close()
        #expect(throws: CameraViewError.closed) { try device.newReference() }
    }

    @Test func thousandCreateRenderCloseCyclesLeaveNothing() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let device = try RenderDevice.open()
                defer { device.close() }
                let frame = try TestFrames.gradient(width: 64, height: 48)
                let expected = ExactModel.render(frame)
                let deviceObjects = device.handles.records
                // Warm up: Mesa and Swift allocate lazily on first use.
                for _ in 0..<5 { try cycle() }
                let fdsBefore = OpenFDs.current
                for iteration in 0..<1000 {
                    guard try cycle() else {
                        Issue.record("cycle \(iteration) did not close cleanly")
                        return
                    }
                }
                #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
                #expect(device.handles.records == deviceObjects, "views must not add to the device's table")

                /// One view's life; true when the view held exactly what one frame needs before its

                /// close and the close swept nothing and failed nothing.

                @discardableResult
                func cycle() throws -> Bool {
                    let view = try CameraView(device: device)
                    let image = try view.render(.memory(frame), size: PixelSize(width: 64, height: 48), options: RenderOptions(filter: .nearest))
                    let held = view.handles.liveCountsByKind
                    #expect(held == [.texture: 2, .framebuffer: 1, .renderbuffer: device.info.packedRows, .vertexArray: 1], "\(held)")
                    let clean = view.close().isClean
                    #expect(image == expected)
                    return clean && held.values.reduce(0, +) == 4 + device.info.packedRows
                }
            }
        }
    }

    @Test func viewsOnManyThreadsShareTheDevice() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let frame = try TestFrames.gradient(width: 80, height: 60)
                let expected = ExactModel.render(frame)
                let referencesBefore = RenderDevice.openReferenceCount
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            for _ in 0..<25 {
                                let view = try CameraView()
                                let image = try view.render(.memory(frame), options: .exact)
                                #expect(view.close().isClean)
                                #expect(image == expected)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(RenderDevice.openReferenceCount == referencesBefore)
            }
        }
    }

    @Test func closeIsIdempotentAndRenderAfterCloseIsAnError() throws {
        let view = try CameraView()
        let frame = try TestFrames.gradient(width: 16, height: 16)
        _ = try view.render(.memory(frame))
        #expect(view.close().isClean)
        #expect(view.close().isClean, "a second close does nothing")
        #expect(view.isClosed)
        #expect(throws: CameraViewError.closed) { try view.render(.memory(frame)) }
    }

    @Test func droppingAViewWithoutCloseCleansUpAndLogsTheCallerBug() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                CapturedLog.installed
                let device = try RenderDevice.open()
                defer { device.close() }
                let referencesBefore = RenderDevice.openReferenceCount
                var table: HandleTable?
                let dropped = HandleTable.droppedOwnerCountInProcess
                // The planted drop is recorded here, away from the child's own check.
                let (_, findings) = try LedgerAudit.recording {
                    let view = try CameraView(device: device)
                    _ = try view.render(.memory(TestFrames.gradient(width: 16, height: 16)))
                    table = view.handles
                    #expect(RenderDevice.openReferenceCount == referencesBefore + 1)
                }
                #expect(RenderDevice.openReferenceCount == referencesBefore)
                let owner = try #require(table?.owner)
                #expect(findings.unclosedObjects == [owner], "\(findings)")
                #expect(findings.swept.isEmpty && findings.failedDeletions.isEmpty && findings.droppedOwners.isEmpty,
                        "deinit's close releases every object through its owner: \(findings)")
                #expect(HandleTable.droppedOwnerCountInProcess == dropped + 1, "counted for C and Python callers")
                #expect(CapturedLog.messages(containing: "\(owner) dropped without close()").count == 1)
            }
        }
    }

    @Test func droppingADeviceReferenceWithoutCloseIsLoggedAndReleased() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                CapturedLog.installed
                let before = CapturedLog.messages(containing: "RenderDevice reference dropped without close()").count
                let referencesBefore = RenderDevice.openReferenceCount
                let (_, findings) = try LedgerAudit.recording { _ = try RenderDevice.open() }
                #expect(findings.unclosedObjects == ["RenderDevice reference"], "\(findings)")
                #expect(RenderDevice.openReferenceCount == referencesBefore)
                #expect(CapturedLog.messages(containing: "RenderDevice reference dropped without close()").count == before + 1)
            }
        }
    }

    /// Nothing long-lived holds a view: once the caller lets go, it is gone (openpilot's
    /// views stayed alive through callbacks registered on a global list).
    @Test func closedViewsAndDevicesAreFreed() throws {
        weak var weakView: CameraView?
        weak var weakDevice: RenderDevice?
        do {
            let device = try RenderDevice.open()
            let view = try CameraView(device: device)
            _ = try view.render(.memory(TestFrames.gradient(width: 16, height: 16)))
            (weakView, weakDevice) = (view, device)
            view.close()
            device.close()
        }
        #expect(weakView == nil)
        #expect(weakDevice == nil)
    }

    /// The same with a frame source attached through a stream view.
    @Test func streamViewsAndTheirSourcesAreFreed() throws {
        weak var weakStream: StreamView?
        weak var weakView: CameraView?
        weak var weakSource: InProcessSource?
        do {
            let source = InProcessSource(name: "driver")
            let view = try CameraView()
            let stream = StreamView(view: view, source: source)
            source.publish(try TestFrames.gradient(width: 16, height: 16))
            let shown = try #require(stream.update())
            _ = try view.render(shown.frame)
            stream.switchTo(InProcessSource(name: "road"))
            (weakStream, weakView, weakSource) = (stream, view, source)
            view.close()
        }
        #expect(weakStream == nil && weakView == nil && weakSource == nil)
    }

    @Test func closingFromAnotherThreadWhileRenderingIsSafe() async throws {
        let frame = try TestFrames.gradient(width: 256, height: 256)
        for _ in 0..<20 {
            let view = try CameraView()
            async let rendering: Void = {
                for _ in 0..<5 {
                    do { _ = try view.render(.memory(frame)) } catch CameraViewError.closed { return }
                }
            }()
            #expect(view.close().isClean)
            try await rendering
        }
    }

    /// References taken while another thread closes the last one either fail with
    /// `.closed` or keep the old device alive; none may count toward the newer device that
    /// a later open makes for the same platform.
    @Test func newReferenceRacingCloseNeverCountsTowardANewerDevice() async {
        // In a process of its own: it counts process-wide device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                for _ in 0..<200 {
                    let device = try RenderDevice.open(platform: .device)
                    let taken = TakenReferences()
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { device.close() }
                        for _ in 0..<4 {
                            group.addTask {
                                if let reference = try? device.newReference() { taken.append(reference) }
                            }
                        }
                    }
                    let newer = try RenderDevice.open(platform: .device)
                    let references = taken.all
                    // Each taken reference holds the device it came from: closing them all and
                    // the newer one must bring the count to exactly 0.
                    #expect(RenderDevice.openReferenceCount == references.count + 1)
                    references.forEach { $0.close() }
                    newer.close()
                    #expect(RenderDevice.openReferenceCount == 0)
                }
            }
        }
    }
}

/// References collected from several tasks.
private final class TakenReferences: @unchecked Sendable {
    private let lock = NSLock()
    private var references: [RenderDevice] = []

    func append(_ reference: RenderDevice) { lock.withLock { references.append(reference) } }
    var all: [RenderDevice] { lock.withLock { references } }
}
