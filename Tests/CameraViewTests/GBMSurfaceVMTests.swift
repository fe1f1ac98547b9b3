import CameraView
import Foundation
import Glibc
import Testing

/// GBM render targets, inside the VM of `scripts/vm-test` (CAMERAVIEW_VM=1).
@Suite(.ledgerChecked, .enabled(if: ProcessInfo.processInfo.environment["CAMERAVIEW_VM"] == "1", "needs the DRM device of scripts/vm-test"))
struct GBMSurfaceVMTests {
    @Test func surfaceRendersLikeTheOffscreenTarget() throws {
        let fdsBefore = OpenFDs.current
        let view = try CameraView()
        let frame = try TestFrames.noise(layout: NV12Layout(width: 120, height: 90))
        let options = RenderOptions(fit: .contain, mirror: true, filter: .nearest)
        let expected = try view.render(.memory(frame), size: PixelSize(width: 160, height: 100), options: options)
        let surface = try view.makeGBMSurface(size: PixelSize(width: 160, height: 100))
        #expect(view.handles.liveCount(of: .gbmSurface) == 1 && view.handles.liveCount(of: .eglSurface) == 1)
        for _ in 0..<3 {
            #expect(try view.render(.memory(frame), onto: surface, options: options) == expected)
        }
        surface.close()
        surface.close()
        #expect(view.handles.liveCount(of: .gbmSurface) == 0 && view.handles.liveCount(of: .eglSurface) == 0)
        #expect(throws: CameraViewError.closed) { try view.render(.memory(frame), onto: surface) }
        #expect(view.close().isClean)
        #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
    }

    @Test func frontBufferIsHandedOutAsADmaBuf() throws {
        let fdsBefore = OpenFDs.current
        let view = try CameraView()
        let frame = try TestFrames.gradient(width: 64, height: 64)
        let surface = try view.makeGBMSurface(size: PixelSize(width: 64, height: 64))
        let exported = try view.export(.memory(frame), onto: surface)
        #expect(view.handles.liveCount(of: .fd) == 1)
        // The dma-buf holds the rendered rows at its stride.
        let length = exported.stride * 64
        #expect(lseek(exported.fd, 0, SEEK_END) >= length)
        let map = try #require(mmap(nil, length, PROT_READ, MAP_SHARED, exported.fd, 0))
        try #require(map != MAP_FAILED, "mmap: \(errno)")
        defer { munmap(map, length) }
        let expected = try view.render(.memory(frame), options: RenderOptions(frameToOutput: .identity))
        var bgraOrRgba = [UInt8](repeating: 0, count: 64 * 64 * 4)
        for row in 0..<64 {
            bgraOrRgba.withUnsafeMutableBytes { ($0.baseAddress! + row * 256).copyMemory(from: map + row * exported.stride, byteCount: 256) }
        }
        var swapped = bgraOrRgba
        for index in stride(from: 0, to: swapped.count, by: 4) { swapped.swapAt(index, index + 2) }
        #expect(bgraOrRgba == expected.pixels || swapped == expected.pixels)
        exported.close()
        exported.close()
        #expect(view.handles.liveCount(of: .fd) == 0)
        #expect(view.close().isClean)
        #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
    }

    /// A closed view makes no surface: nothing is created (it used to create both surfaces
    /// and leave the EGL one recorded over a destroyed gbm_surface).
    @Test func aClosedViewMakesNoSurface() throws {
        // The device stays open, so everything but the view's own state would work.
        let device = try RenderDevice.open()
        defer { device.close() }
        let view = try CameraView(device: device)
        view.close()
        #expect(throws: CameraViewError.closed) { try view.makeGBMSurface(size: PixelSize(width: 32, height: 32)) }
        #expect(view.handles.liveCount == 0, "left: \(view.handles.records)")
    }

    @Test func closingTheViewDestroysItsSurfaces() throws {
        let view = try CameraView()
        let surface = try view.makeGBMSurface(size: PixelSize(width: 32, height: 32))
        _ = try view.render(.memory(TestFrames.gradient(width: 32, height: 32)), onto: surface)
        #expect(view.close().isClean)
        surface.close()
    }
}
