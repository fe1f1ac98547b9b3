import CameraView
import Foundation
import Glibc
import Testing

/// dma-buf frames on a device without dma-buf import (this host): validated like any
/// frame, then mapped and uploaded with output identical to the upload path.
@Suite(.ledgerChecked) struct DmaBufHostTests {
    let layout = try! NV12Layout.venus(width: 200, height: 120)

    private func frame() throws -> NV12Frame {
        try TestFrames.noise(layout: layout)
    }

    @Test func hostHasNoDmaBufImportAndSaysSo() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let capabilities = try device.importCapabilities()
        #expect(capabilities.dmaBufImport == device.info.dmaBufImport)
        if capabilities.dmaBufImport {
            #expect(capabilities.workingPaths.first != .mappedUpload, "an importing device imports first: \(capabilities.workingPaths)")
        } else {
            #expect(capabilities.workingPaths == [.mappedUpload])
        }
    }

    @Test func mappedFramesRenderLikeUploadedOnes() async {
        // In a process of its own: it counts process-wide fds.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let layout = try NV12Layout.venus(width: 200, height: 120)
                let source = try TestFrames.noise(layout: layout)
                let file = try MemoryFile(source.withUnsafeBytes { [UInt8]($0) })
                let fdsBefore = OpenFDs.current
                let view = try CameraView()
                let dmaBuf = DmaBufFrame(fd: file.fd, layout: layout, bufferIndex: 3)
                let (size, options) = (PixelSize(width: 100, height: 100), RenderOptions(fit: .cover, mirror: true, filter: .nearest))
                let expected = try view.render(.memory(source), size: size, options: options)
                #expect(try view.render(.dmaBuf(dmaBuf), size: size, options: options) == expected)
                let path = try #require(view.lastImportPath)
                // Mapped, nothing is imported; imported, each buffer's planes become images.
                if path == .mappedUpload {
                    #expect(view.importStatistics == (0, 0))
                } else {
                    #expect(view.importStatistics.imagesCreated > 0)
                }
                #expect(view.close().isClean)
                #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
            }
        }
    }

    @Test func separatePlaneBuffersWork() throws {
        let source = try TestFrames.gradient(width: 65, height: 33)
        let bytes = try source.withUnsafeBytes { [UInt8]($0) }
        let luma = try MemoryFile(Array(bytes[..<source.layout.uvOffset]))
        let chroma = try MemoryFile(Array(bytes[source.layout.uvOffset...]))
        let dmaBuf = DmaBufFrame(
            width: 65, height: 33,
            luma: DmaBufPlane(fd: luma.fd, offset: 0, pitch: source.layout.yStride),
            chroma: DmaBufPlane(fd: chroma.fd, offset: 0, pitch: source.layout.uvStride))
        let view = try CameraView()
        defer { view.close() }
        #expect(try view.render(.dmaBuf(dmaBuf), options: .exact) == ExactModel.render(source))
    }

    @Test func buffersTooSmallForTheirPlanesAreRejectedBeforeImport() throws {
        let file = try MemoryFile([UInt8](repeating: 0, count: layout.bufferSize - 1))
        let view = try CameraView()
        defer { view.close() }
        let before = view.handles.records
        // The last of 60 UV rows (pitch 256) ends 200 bytes in.
        let chromaEnd = layout.uvOffset + 59 * layout.uvStride + 200
        let tooShort = try MemoryFile([UInt8](repeating: 0, count: chromaEnd - 1))
        #expect(throws: CameraViewError.invalidFrame(.planeOutOfBounds(plane: .chroma, end: chromaEnd, bufferSize: chromaEnd - 1))) {
            try view.render(.dmaBuf(DmaBufFrame(fd: tooShort.fd, layout: layout)))
        }
        #expect(throws: CameraViewError.invalidFrame(.strideTooSmall(plane: .luma, stride: 100, minimum: 200))) {
            try view.render(.dmaBuf(DmaBufFrame(width: 200, height: 120, luma: DmaBufPlane(fd: file.fd, offset: 0, pitch: 100),
                                        chroma: DmaBufPlane(fd: file.fd, offset: 40_000, pitch: 256))))
        }
        #expect(throws: CameraViewError.invalidFrame(.arithmeticOverflow(field: "Y plane"))) {
            try view.render(.dmaBuf(DmaBufFrame(width: 200, height: 120, luma: DmaBufPlane(fd: file.fd, offset: Int.max - 10, pitch: 256),
                                        chroma: DmaBufPlane(fd: file.fd, offset: 40_000, pitch: 256))))
        }
        #expect(throws: CameraViewError.io(operation: "lseek", path: "fd -1", errno: EBADF)) {
            try view.render(.dmaBuf(DmaBufFrame(fd: -1, layout: layout)))
        }
        #expect(view.handles.records == before)
    }

    /// Whether the default device lacks `capability` (opened and closed to find out).
    static func defaultDevice(_ check: (RenderDevice) throws -> Bool) -> Bool {
        guard let device = try? RenderDevice.open() else { return false }
        defer { device.close() }
        return (try? check(device)) ?? false
    }

    @Test(.enabled(if: defaultDevice { try !$0.importCapabilities().perPlane }, "the device imports per plane"))
    func forcingAnUnavailablePathIsATypedError() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let view = try CameraView(device: device, importPath: .forced(.perPlane))
        defer { view.close() }
        let file = try MemoryFile([UInt8](repeating: 0, count: layout.bufferSize))
        // Why: the capability check's own words (here, no import extension at all).
        #expect(throws: CameraViewError.importPathUnavailable(path: .perPlane, reason: "the display has no EGL_EXT_image_dma_buf_import")) {
            try view.render(.dmaBuf(DmaBufFrame(fd: file.fd, layout: layout)))
        }
    }

    @Test(.enabled(if: defaultDevice { $0.platform != .gbm }, "the device is on the GBM platform"))
    func deviceBuffersAndSurfacesNeedTheGBMPlatform() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        #expect(throws: CameraViewError.needsGBMPlatform(what: "device buffers", platform: device.platform)) {
            try DeviceBuffer(copying: frame(), on: device)
        }
        let view = try CameraView(device: device)
        defer { view.close() }
        #expect(throws: CameraViewError.needsGBMPlatform(what: "GBM surfaces", platform: device.platform)) {
            try view.makeGBMSurface(size: PixelSize(width: 8, height: 8))
        }
        #expect(view.handles.liveCount == 1, "only the vertex array")
    }
}
