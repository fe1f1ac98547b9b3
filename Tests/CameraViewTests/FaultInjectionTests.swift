import CameraView
import Foundation
import Testing

/// SQLite-style failure walk: make the k-th object creation fail as a driver would, for
/// k = 1, 2, ... through open + render + close, until a run hits no injected failure.
/// Every k must end in a typed error, with no crash, no live handle and no fd growth.
@Suite(.ledgerChecked) struct FaultInjectionTests {
    /// Opens its own device (the `device` platform, used by no other test) so that the
    /// device's creations are part of the walk.
    private static func openRenderClose() throws {
        let device = try RenderDevice.open(platform: .device)
        defer { device.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        let fixture = try NV12Frame(
            contentsOf: TestPaths.packageRoot + "/fixtures/astronaut-640x480.nv12",
            layout: NV12Layout(width: 640, height: 480))
        _ = try view.render(fixture)
        // A second size and output: every texture, target and fd is created again.
        _ = try view.render(TestFrames.gradient(width: 33, height: 17), options: RenderOptions(outputSize: PixelSize(width: 50, height: 20)))
        _ = try view.render(fixture, options: RenderOptions(outputSize: PixelSize(width: 64, height: 64), fit: .cover))
    }

    @Test func everyCreationCanFailCleanly() throws {
        try Self.openRenderClose()  // warm up lazily loaded state before counting fds
        let fdsBefore = ProcessMemory.openFDCount
        let handlesBefore = HandleTable.liveCountInProcess
        var kinds = Set<String>()
        var k = 1
        while true {
            var thrown: (any Error)?
            let (_, injected) = FaultInjection.failing(creation: k) {
                do { try Self.openRenderClose() } catch { thrown = error }
            }
            #expect(HandleTable.liveCountInProcess == handlesBefore, "k=\(k): handles left")
            #expect(ProcessMemory.openFDCount == fdsBefore, "k=\(k): fds left")
            #expect(RenderDevice.openReferenceCount == 0, "k=\(k): device references left")
            guard injected else {
                #expect(thrown == nil, "k=\(k): failed without an injected fault: \(String(describing: thrown))")
                break
            }
            let error = try #require(thrown as? CameraViewError, "k=\(k): \(String(describing: thrown))")
            kinds.insert(Self.kind(of: error))
            k += 1
        }
        // open (display, context, 2 shaders, program), view (vertex array), and three
        // renders (an fd, 2 textures, renderbuffer, framebuffer each time it changes).
        #expect(k > 15, "the walk covered only \(k - 1) creations")
        // Failures while opening the device arrive wrapped, with the driver's code.
        #expect(kinds == ["gl", "io", "platform: EGL_BAD_ALLOC", "platform: GL_OUT_OF_MEMORY"], "\(kinds)")
    }

    private static func kind(of error: CameraViewError) -> String {
        switch error {
        case .egl: "egl"
        case .gl: "gl"
        case .io: "io"
        case .noUsablePlatform(let attempts):
            "platform: " + (attempts.first?.reason.split(separator: " ").first { $0.hasPrefix("EGL_") || $0.hasPrefix("GL_") } ?? "?")
        default: "\(error)"
        }
    }
}
