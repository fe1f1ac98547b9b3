import CameraView
import CameraViewStreams
import CameraViewTesting
import CV4L2
import Foundation
import Glibc
import Testing

/// The kernel's virtual camera, vivid, inside the VM of `scripts/vm-test`: /dev/video0
/// streams through the single-planar API, /dev/video1 through the multi-planar one, both
/// NV12 with the vmalloc allocator, beside vgem (the rendering device, card0).
@Suite(.ledgerChecked, .serialized, .enabled(if: vividAvailable, "needs vivid in the VM of scripts/vm-test"))
struct V4L2VMTests {
    static let sizes = [PixelSize(width: 640, height: 360), PixelSize(width: 1280, height: 720)]

    /// Each buffer mode and API at both sizes: the frame as the view's automatic path draws
    /// it equals the mapped-upload path's drawing of the same buffer pixel for pixel, and
    /// the exact model of the captured bytes within 1. Zero-copy buffers are imported
    /// (nothing uploaded); vivid's own buffers cannot be read by llvmpipe on vgem (importing
    /// them crashes Mesa at the first draw), so the check sends them to the mapped upload.
    @Test(arguments: V4L2Source.Buffers.allCases, sizes)
    func capturedFramesRenderLikeTheirBytes(buffers: V4L2Source.Buffers, size: PixelSize) throws {
        for camera in ["/dev/video0", "/dev/video1"] {
            let device = try RenderDevice.open()
            defer { device.close() }
            let source = try V4L2Source(device: device, configuration: .init(device: camera, size: size, fps: 30, buffers: buffers))
            defer { source.close() }
            try source.connect()
            #expect(source.format?.size == size)
            #expect(source.format?.multiplanarAPI == (camera == "/dev/video1"))
            let frame = try source.next(timeout: .seconds(20))
            guard case .dmaBuf(let buffer) = frame.frame else { Issue.record("not a dma-buf frame"); return }
            let automatic = try CameraView(device: device)
            let mapped = try CameraView(device: device, importPath: .forced(.mappedUpload))
            let drawn = try automatic.render(.dmaBuf(buffer), options: .exact)
            let uploaded = try mapped.render(.dmaBuf(buffer), options: .exact)
            if buffers == .zeroCopy {
                #expect(automatic.lastImportPath == .perPlane && automatic.uploadedByteCount == 0)
                #expect(automatic.lastImportFallback == nil)
            } else {
                #expect(automatic.lastImportPath == .mappedUpload)
                #expect(automatic.lastImportFallback?.contains("another driver") == true, "\(String(describing: automatic.lastImportFallback))")
            }
            #expect(drawn == uploaded, "\(camera) \(buffers) \(size)")
            let bytes = try Self.bytes(of: buffer)
            let model = ExactModel.render(bytes)
            #expect(try ImageComparison(actual: drawn, expected: model, tolerance: 1).passed)
            // vivid's colour bars (below its text rows), not a blank frame: 8 colours in the bottom row.
            let bottom = (size.height - 1) * size.width * 4
            let colours = Set(stride(from: bottom, to: bottom + size.width * 4, by: 4).map { model.pixels[$0..<$0 + 3].map(Int.init) })
            #expect(colours.count >= 8, "\(colours.count) colours in the bottom row")
            automatic.close()
            mapped.close()
            source.disconnect()
            #expect(source.handles.liveCount == 0)
        }
    }

    /// 300 stream starts and stops, each taking a frame (every 50th rendered): nothing
    /// live, nothing swept, no fd left.
    @Test func threeHundredStartStopCyclesLeaveNothing() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let source = try V4L2Source(device: device, configuration: .init(device: "/dev/video0", size: Self.sizes[0], fps: 30))
        let view = try CameraView(device: device)
        let fdsBefore = OpenFDs.current
        for cycle in 0..<300 {
            try source.connect()
            let frame = try source.next(timeout: .seconds(20))
            if cycle % 50 == 0, case .dmaBuf(let buffer) = frame.frame {
                _ = try view.render(.dmaBuf(buffer))
                view.releaseFrameObjects()
            }
            source.disconnect()
            guard source.handles.liveCount == 0 else {
                Issue.record("cycle \(cycle) left \(source.handles.records)")
                break
            }
        }
        view.close()
        #expect(source.close().isClean)
        #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
    }

    /// Every creation of a stream start (fd, buffers, our bos and their fds, streaming)
    /// failed in turn, in both buffer modes: a typed error each time and nothing left.
    /// Run by `FaultInjectionVMTests`, which checks the sites it reaches.
    static func streamStartWalks() throws -> Set<CreationSite> {
        let device = try RenderDevice.open()
        defer { device.close() }
        var sites = Set<CreationSite>()
        for buffers in V4L2Source.Buffers.allCases {
            let source = try V4L2Source(device: device, configuration: .init(device: "/dev/video0", size: Self.sizes[0], buffers: buffers))
            var k = 1
            while true {
                var thrown: (any Error)?
                let (injected, findings) = LedgerAudit.recording {
                    FaultInjection.failing(creation: k) {
                        do { try source.connect() } catch { thrown = error }
                    }.injected
                }
                sites.formUnion(findings.sitesReached)
                LedgerChecks.expectClean(findings)
                source.disconnect()
                #expect(source.handles.liveCount == 0, "\(buffers) k=\(k): \(source.handles.records)")
                guard injected else {
                    #expect(thrown == nil, "\(buffers) k=\(k): \(String(describing: thrown))")
                    break
                }
                #expect(thrown is CameraViewError, "\(buffers) k=\(k): \(String(describing: thrown))")
                k += 1
            }
            print("stream start fault walk (\(buffers.rawValue)): \(k - 1) creations")
            #expect(k > 6, "the walk covered only \(k - 1) creations")
            #expect(source.close().isClean)
        }
        return sites
    }

    /// A frame kept past its stream: after a disconnect and a new connect the next queue
    /// may hand out the same fd numbers for buffers the driver now owns. The old frame is
    /// refused as stale, and nothing is imported or uploaded for it; the new one renders.
    @Test(arguments: V4L2Source.Buffers.allCases)
    func aFrameKeptPastItsStreamNeverReadsTheNextStreamsBuffers(buffers: V4L2Source.Buffers) throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let source = try V4L2Source(device: device, configuration: .init(device: "/dev/video0", size: Self.sizes[0], buffers: buffers))
        defer { source.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        try source.connect()
        guard case .dmaBuf(let old) = try source.next(timeout: .seconds(20)).frame else { Issue.record("not a dma-buf frame"); return }
        _ = try view.render(.dmaBuf(old))
        source.disconnect()
        try source.connect()
        guard case .dmaBuf(let new) = try source.next(timeout: .seconds(20)).frame else { Issue.record("not a dma-buf frame"); return }
        print("stale frame test (\(buffers.rawValue)): old fd \(old.luma.fd), new fd \(new.luma.fd)")
        let (imports, uploaded) = (view.importStatistics, view.uploadedByteCount)
        #expect(throws: CameraViewError.staleFrame(bufferIndex: old.bufferIndex)) { try view.render(.dmaBuf(old)) }
        #expect(view.importStatistics == imports && view.uploadedByteCount == uploaded, "nothing was read for the stale frame")
        _ = try view.render(.dmaBuf(new))
    }

    /// The camera goes away mid-stream (vivid unbound from its driver): a typed error,
    /// the stream's objects released, no hang; it comes back when vivid is bound again.
    @Test func aCameraThatDisappearsGivesATypedErrorAndLeavesNothing() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let source = try V4L2Source(device: device, configuration: .init(device: "/dev/video0", size: Self.sizes[0], fps: 30))
        defer { source.close() }
        try source.connect()
        _ = try source.next(timeout: .seconds(20))
        let driver = "/sys/bus/platform/drivers/vivid"
        try "vivid.0".write(toFile: driver + "/unbind", atomically: false, encoding: .utf8)
        defer { try? "vivid.0".write(toFile: driver + "/bind", atomically: false, encoding: .utf8) }
        #expect(throws: CameraViewError.self) { _ = try source.next(timeout: .seconds(5)) }
        #expect(source.lastFailure != nil)
        #expect(source.handles.liveCount == 0, "\(source.handles.records)")
        #expect(throws: CameraViewError.sourceUnavailable(name: "/dev/video0")) { try source.connect() }
        try "vivid.0".write(toFile: driver + "/bind", atomically: false, encoding: .utf8)
        // Back: connecting streams again.
        var connected = false
        for _ in 0..<50 where !connected {
            connected = (try? source.connect()) != nil
            if !connected { usleep(100_000) }
        }
        #expect(connected)
        _ = try source.next(timeout: .seconds(20))
        source.disconnect()
    }

    /// A buffer the driver marks broken (vivid's "Inject V4L2_BUF_FLAG_ERROR") is requeued
    /// and counted, never shown; a camera with no frame within the wait is a typed timeout.
    @Test func brokenBuffersAreSkippedAndSilenceTimesOut() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let source = try V4L2Source(device: device, configuration: .init(device: "/dev/video0", size: Self.sizes[0], fps: 30))
        try source.connect()
        var last = try source.next(timeout: .seconds(20)).frameID
        try Self.press("Inject V4L2_BUF_FLAG_ERROR", on: "/dev/video0")
        for _ in 0..<10 {
            let frame = try source.next(timeout: .seconds(20))
            #expect(frame.frameID > last)
            last = frame.frameID
        }
        #expect(source.statistics.broken == 1, "\(source.statistics)")
        #expect(source.close().isClean)

        let slow = try V4L2Source(device: device, configuration: .init(device: "/dev/video0", size: Self.sizes[0], fps: 1))
        defer { slow.close() }
        try slow.connect()
        _ = try slow.next(timeout: .seconds(20))  // the next one is about a second away
        #expect(throws: CameraViewError.cameraTimeout(device: "/dev/video0", milliseconds: 20)) { _ = try slow.next(timeout: .milliseconds(20)) }
        slow.disconnect()
    }

    /// Presses a button control of a V4L2 device, found by name.
    static func press(_ name: String, on path: String) throws {
        let fd = open(path, O_RDWR)
        try #require(fd >= 0)
        defer { close(fd) }
        var query = v4l2_queryctrl()
        query.id = cv_V4L2_CTRL_FLAG_NEXT_CTRL
        while cv_v4l2_ioctl(fd, cv_VIDIOC_QUERYCTRL, &query) == 0 {
            let label = withUnsafeBytes(of: &query.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if label == name {
                var control = v4l2_control(id: query.id, value: 1)
                try #require(cv_v4l2_ioctl(fd, cv_VIDIOC_S_CTRL, &control) == 0, "VIDIOC_S_CTRL: errno \(errno)")
                return
            }
            query.id |= cv_V4L2_CTRL_FLAG_NEXT_CTRL
        }
        Issue.record("\(path) has no control named \(name)")
    }

    /// The C API's zero-copy entry: the C program renders a dma-buf frame of its own (a GBM
    /// buffer on the rendering device) through cv_view_submit_dmabuf.
    @Test func theCProgramSubmitsADmaBuf() throws {
        let program = URL(fileURLWithPath: TestPaths.camview).deletingLastPathComponent().appendingPathComponent("capi-smoke").path
        let result = try TestProcess.capture(program, [], environment: ["CAPI_SMOKE_GBM_NODE": "/dev/dri/card0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self).contains("dma-buf frame imported"))
    }

    /// `camview capture` in both modes: PNGs and the JSON summary.
    @Test(arguments: V4L2Source.Buffers.allCases)
    func camviewCaptureWritesFramesAndASummary(buffers: V4L2Source.Buffers) throws {
        let folder = NSTemporaryDirectory() + "capture-\(buffers.rawValue)-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try TestProcess.capture(TestPaths.camview, [
            "capture", "--device", "/dev/video0", "--size", "640x360", "--fps", "30", "--buffers", buffers.rawValue,
            "--frames", "10", "--output-dir", folder, "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        print("camview capture --buffers \(buffers.rawValue): \(String(decoding: result.stdout, as: UTF8.self))")
        let summary = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(summary["frames"] as? Int == 10)
        #expect(summary["buffers"] as? String == buffers.rawValue)
        #expect(summary["import_path"] as? String == (buffers == .zeroCopy ? ImportPath.perPlane : .mappedUpload).rawValue)
        let fallback = summary["import_fallback"] as? String
        #expect(buffers == .exported ? fallback?.contains("another driver") == true : fallback == nil, "\(String(describing: fallback))")
        #expect((summary["fps"] as? Double ?? 0) > 0 && (summary["dropped"] as? Int ?? -1) >= 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.count == 10)
    }

    /// The captured bytes of `buffer`, read through a mapping of its dma-bufs, as a tight
    /// NV12 frame for the exact model.
    static func bytes(of buffer: DmaBufFrame) throws -> NV12Frame {
        let layout = try NV12Layout(width: buffer.width, height: buffer.height)
        var bytes = [UInt8](repeating: 0, count: layout.bufferSize)
        func copy(_ plane: DmaBufPlane, rows: Int, rowBytes: Int, to start: Int) throws {
            let length = plane.offset + plane.pitch * rows
            guard let map = mmap(nil, length, PROT_READ, MAP_SHARED, plane.fd, 0), map != MAP_FAILED else {
                throw CameraViewError.io(operation: "mmap", path: "fd \(plane.fd)", errno: errno)
            }
            defer { munmap(map, length) }
            for row in 0..<rows {
                let source = UnsafeRawBufferPointer(start: map + plane.offset + row * plane.pitch, count: rowBytes)
                bytes.replaceSubrange(start + row * rowBytes..<start + (row + 1) * rowBytes, with: source)
            }
        }
        try copy(buffer.luma, rows: layout.height, rowBytes: layout.width, to: 0)
        try copy(buffer.chroma, rows: layout.size.chroma.height, rowBytes: layout.size.chroma.width * 2, to: layout.uvOffset)
        return try NV12Frame(bytes: bytes, layout: layout, color: buffer.color)
    }
}

private var vividAvailable: Bool {
    ProcessInfo.processInfo.environment["CAMERAVIEW_VM"] == "1" && FileManager.default.fileExists(atPath: "/dev/video0")
}
