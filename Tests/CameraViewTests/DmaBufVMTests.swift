@testable import CameraView
@testable import CameraViewStreams
import Foundation
import Testing

/// Runs only inside the VM of `scripts/vm-test` (CAMERAVIEW_VM=1), where vgem gives a real
/// DRM device, GBM and dma-bufs. Frames are allocated on the device (linear GBM bos).
@Suite(.ledgerChecked, .enabled(if: ProcessInfo.processInfo.environment["CAMERAVIEW_VM"] == "1", "needs the DRM device of scripts/vm-test"))
struct DmaBufVMTests {
    static let colors = ColorDescription.allCases

    @Test func theDeviceImportsPerPlaneAndCatchesTheBlackExternalPath() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        #expect(device.platform == .gbm)
        let capabilities = try device.importCapabilities()
        #expect(capabilities.dmaBufImport && capabilities.perPlane)
        #expect(capabilities.externalListed)
        // Mesa 22.3.6's llvmpipe creates NV12 images that sample black: the check must say so.
        #expect(capabilities.externalVerified == false, "\(String(describing: capabilities.externalNote))")
        #expect(capabilities.workingPaths == [.perPlane, .mappedUpload])
        #expect(device.handles.liveCount(of: .gbmBo) == 0, "the check's test buffer is released")
    }

    @Test(arguments: colors)
    func bothPathsMatchTheUploadPathWithoutCopying(color: ColorDescription) throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let source = try TestFrames.noise(layout: NV12Layout(width: 95, height: 61), color: color)
        let buffer = try DeviceBuffer(copying: source, on: device)
        defer { buffer.close() }
        let uploaded = try renderPerPixel(source)
        for path in [ImportPath.perPlane, .mappedUpload] {
            let view = try CameraView(device: device, importPath: .forced(path))
            let imported = try view.render(.dmaBuf(buffer.frame), options: .exact)
            #expect(imported == uploaded, "\(path) \(color)")
            #expect(view.lastImportPath == path)
            if path == .perPlane { #expect(view.uploadedByteCount == 0) } else { #expect(view.uploadedByteCount > 0) }
            #expect(view.close().isClean)
        }
        let external = try CameraView(device: device, importPath: .forced(.external))
        defer { external.close() }
        #expect(throws: CameraViewError.self) { try external.render(.dmaBuf(buffer.frame)) }
    }

    /// A VisionIPC server of dma-bufs, as camerad on the comma device serves them (one fd a
    /// buffer, Y at 0, UV at uv_offset, the frame-id trailer after the frame): imported
    /// zero-copy per plane, each frame rendering like the same buffer handed over directly.
    @Test func aVisionIPCServerOfDmaBufsIsImportedZeroCopy() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let (width, height) = (96, 60)
        // Two more rows than the frame: UV lies past a gap, as Venus aligns it, and the
        // bo's spare chroma row holds the trailer.
        let tall = try TestFrames.noise(layout: NV12Layout(width: width, height: height + 2))
        let buffers = try (0..<3).map { try DeviceBuffer(copying: tall, on: device, bufferIndex: $0) }
        defer { buffers.forEach { $0.close() } }
        let pitch = buffers[0].frame.luma.pitch
        let layout = try NV12Layout(width: width, height: height, yStride: pitch, uvOffset: pitch * (height + 2))
        let server = try TestVisionIPCServer(layout: layout, dmaBufs: buffers.map(\.frame.luma.fd))
        defer { server.stop() }
        let source = VisionIPCSource(server: server.name, stream: server.stream)
        defer { source.close() }
        try source.connect()
        let view = try CameraView(device: device)
        defer { view.close() }
        for _ in 0..<6 {
            server.publish()
            let frame = try #require(try source.receiveFrame())
            guard case .dmaBuf = frame.frame else {
                Issue.record("a dma-buf served as \(frame.frame)")
                return
            }
            let imported = try view.render(frame.frame, options: .exact)
            let path = view.lastImportPath
            let direct = try view.render(.dmaBuf(DmaBufFrame(fd: buffers[frame.bufferIndex].frame.luma.fd, layout: layout)), options: .exact)
            #expect(imported == direct && path == .perPlane)
        }
        #expect(view.uploadedByteCount == 0)
    }

    @Test func ringOfFiveBuffersImportsEachOnceOverAThousandFrames() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let fdsBefore = OpenFDs.current
        let sources = try (0..<5).map { try TestFrames.noise(layout: NV12Layout(width: 64, height: 48), seed: UInt64($0 + 1)) }
        let buffers = try sources.enumerated().map { try DeviceBuffer(copying: $1, on: device, bufferIndex: $0) }
        let view = try CameraView(device: device)
        let expected = try sources.map { try renderPerPixel($0) }
        for frame in 0..<1000 {
            let image = try view.render(.dmaBuf(buffers[frame % 5].frame), options: .exact)
            if frame < 5 { #expect(image == expected[frame]) }
        }
        #expect(view.importStatistics == (10, 0), "5 buffers x 2 planes, imported once each")
        #expect(view.handles.liveCount(of: .eglImage) == 10)
        #expect(view.handles.liveCount(of: .fd) == 5, "one dup per buffer")
        // A new size is a new buffer set: the old images go.
        let bigger = try DeviceBuffer(copying: TestFrames.gradient(width: 80, height: 60), on: device)
        _ = try view.render(.dmaBuf(bigger.frame))
        #expect(view.importStatistics == (12, 10))
        #expect(view.close().isClean)
        #expect(view.importStatistics == (12, 12))
        bigger.close()
        buffers.forEach { $0.close() }
        #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
        #expect(device.handles.liveCount(of: .gbmBo) == 0 && device.handles.liveCount(of: .fd) == 1, "only the DRM node stays open")
    }

    /// A producer whose buffer index keeps growing (the C API accepts any): the view keeps
    /// at most `DmaBufImporter.capacity` imported buffers, so its fds and objects stay
    /// bounded over 10,000 distinct indices, and every frame still renders right.
    @Test func tenThousandDistinctBufferIndicesKeepFDsAndObjectsBounded() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let source = try TestFrames.noise(layout: NV12Layout(width: 16, height: 16))
        let buffer = try DeviceBuffer(copying: source, on: device)
        defer { buffer.close() }
        let expected = try renderPerPixel(source)
        let view = try CameraView(device: device, importPath: .forced(.perPlane))
        let fdsBefore = OpenFDs.current
        var mostLive = 0, mostFDs = 0
        for index in 0..<10_000 {
            let frame = DmaBufFrame(width: 16, height: 16, luma: buffer.frame.luma, chroma: buffer.frame.chroma, bufferIndex: index)
            let image = try view.render(.dmaBuf(frame), options: .exact)
            if index % 1000 == 0 {
                #expect(image == expected, "index \(index)")
                mostFDs = max(mostFDs, OpenFDs.opened(since: fdsBefore).count)
            }
            mostLive = max(mostLive, view.handles.liveCount)
        }
        // Per cached buffer: one dup'd fd, two images, two textures; and the view's target,
        // its vertex array.
        let capacity = DmaBufImporter.capacity
        #expect(mostFDs <= capacity && view.handles.liveCount(of: .fd) == capacity, "fds: \(mostFDs)")
        #expect(mostLive <= 5 * capacity + 3, "live objects: \(mostLive)")
        #expect(view.importStatistics == (20_000, 20_000 - 2 * capacity))
        #expect(view.close().isClean)
        #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
    }

    /// A GBM buffer its owner forgot is swept when the device closes, while the GBM device
    /// it was made on still exists (destroying it afterwards was a use after free).
    @Test func aForgottenBoIsSweptBeforeItsGBMDeviceGoes() async {
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let (report, findings) = try LedgerAudit.recording {
                    try FaultInjection.skippingRelease(of: .gbmBo) {
                        let device = try RenderDevice.open(platform: .gbm)
                        try DeviceBuffer(copying: TestFrames.gradient(width: 16, height: 16), on: device).close()
                        return device.close()
                    }.result
                }
                #expect(report.swept.map(\.kind) == [.gbmBo] && report.failedDeletions.isEmpty, "\(report)")
                #expect(findings.swept.map(\.kind) == [.gbmBo])
            }
        }
    }

    @Test func aBufferIndexThatNamesAnotherBufferIsReimported() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let first = try DeviceBuffer(copying: TestFrames.gradient(width: 32, height: 32), on: device, bufferIndex: 0)
        let noise = try TestFrames.noise(layout: NV12Layout(width: 32, height: 32))
        let second = try DeviceBuffer(copying: noise, on: device, bufferIndex: 0)
        defer { first.close(); second.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        _ = try view.render(.dmaBuf(first.frame))
        let image = try view.render(.dmaBuf(second.frame), options: .exact)
        #expect(try image == renderPerPixel(noise), "the new buffer's content, not the cached image's")
        #expect(view.importStatistics == (4, 2))
    }
}

/// The failure walks of `FaultInjectionTests` over the device paths, inside the VM: the
/// GBM-platform open, the import capability probe (a device buffer rendered through the
/// external NV12 path, compiling its program lazily), per-plane imports (another lazy
/// program), the mapped upload of a real dma-buf, GBM surfaces read back and exported,
/// and a host context adopted on the GBM display. The device is opened inside every run.
/// The probe turns a failure inside its external render into "external path unusable" by
/// design, so a run may end without an error; it must still leave nothing behind.
@Suite(.ledgerChecked, .serialized, .enabled(if: ProcessInfo.processInfo.environment["CAMERAVIEW_VM"] == "1", "needs the DRM device of scripts/vm-test"))
struct FaultInjectionVMTests {
    private static func openImportPresentClose() throws {
        let device = try RenderDevice.open(platform: .gbm)
        defer { device.close() }
        _ = try device.importCapabilities()
        let source = try TestFrames.gradient(width: 48, height: 32)
        let buffer = try DeviceBuffer(copying: source, on: device)
        defer { buffer.close() }
        for path in [ImportPath.perPlane, .mappedUpload] {
            let view = try CameraView(device: device, importPath: .forced(path))
            defer { view.close() }
            _ = try view.render(.dmaBuf(buffer.frame))
        }
        let view = try CameraView(device: device)
        defer { view.close() }
        let surface = try view.makeGBMSurface(size: PixelSize(width: 48, height: 32))
        defer { surface.close() }
        _ = try view.render(.memory(source), onto: surface)
        let exported = try view.export(.memory(source), onto: surface)
        exported.close()

        let host = try TestHost(displayOwner: device, size: PixelSize(width: 40, height: 30))
        defer { host.destroy() }
        let adopted = try RenderDevice.adopting(display: host.display, context: host.context)
        defer { adopted.close() }
        let hostView = try CameraView(device: adopted, importPath: .forced(.perPlane))
        defer { hostView.close() }
        try hostView.render(.dmaBuf(buffer.frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 40, height: 30)))
    }

    /// Every walk over the device paths, the stream starts of both camera buffer modes and
    /// the camera listing; then the creation sites that only a DRM device or a camera
    /// reaches against the sites they reached (the host's walks reach the others).
    @Test func everyDevicePathCanFailCleanlyAtEverySite() throws {
        var reached = Set<CreationSite>()
        for walk in FaultInjectionTests.Walk.allCases {
            let (points, _, sites) = try FaultInjectionTests.walk(walk, absorbing: true, Self.openImportPresentClose)
            reached.formUnion(sites)
            print("fault-injection walk \(walk) (VM): \(points) points")
            switch walk {
            case .creation, .afterCreation: #expect(points >= 60, "the \(walk) walk covered only \(points) creations")
            case .step: #expect(points >= 50, "the step walk covered only \(points) steps")
            // Frame release, view closes, the surface's close, the device's shutdown.
            case .teardown: #expect(points >= 4, "the teardown walk covered only \(points) make-currents")
            }
        }
        reached.formUnion(try V4L2VMTests.streamStartWalks())
        reached.formUnion(Self.cameraListingWalk())
        let unreached = CreationSites.unreached(CreationSites.deviceOnly, by: reached)
        let count = CreationSites.deviceOnly.count
        print("fault-injection sites (VM): \(count - unreached.count) / \(count) device sites reached")
        #expect(unreached.isEmpty, "device creation sites no VM walk reaches: \(unreached)")
    }

    /// Each camera's open in the listing failed in turn: that camera is left out, nothing
    /// is left open.
    private static func cameraListingWalk() -> Set<CreationSite> {
        let everyCamera = CameraDevices.list()
        var sites = Set<CreationSite>()
        for k in 1... {
            let (result, findings) = LedgerAudit.recording { FaultInjection.failing(creation: k) { CameraDevices.list() } }
            sites.formUnion(findings.sitesReached)
            LedgerChecks.expectNothingLeft(findings, "listing k=\(k)")
            guard result.injected else { break }
            #expect(result.result.count == everyCamera.count - 1, "listing k=\(k): \(result.result.map(\.path))")
        }
        return sites
    }
}
