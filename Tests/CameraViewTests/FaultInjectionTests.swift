import CameraView
import Foundation
import Testing

/// SQLite-style failure walks over open + render + close, for k = 1, 2, ... until a run
/// hits no injected failure: walk 1 fails the k-th object creation (GL names, EGL objects,
/// fds, mappings) as a driver would; walk 2 fails the k-th step after a creation (the call
/// that fills, attaches, links, makes current or syncs), so cleanup of objects that already
/// exist runs. Every k must end in a typed error with nothing left: no live object, no
/// sweep, no failed deletion, no dropped owner, no fd, no device reference.
@Suite(.ledgerChecked, .serialized) struct FaultInjectionTests {
    /// Opens its own device (the `device` platform, used by no other test) so that the
    /// device's creations are part of the walk; adopts a host context on its display; and
    /// renders from a file (fd + mmap), from memory at two sizes and outputs, from a
    /// dma-buf-like file (mapped upload: mmap + sync) and into the host's framebuffer.
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
        let source = try TestFrames.gradient(width: 24, height: 10)
        let file = try MemoryFile(source.withUnsafeBytes { [UInt8]($0) })
        _ = try view.render(DmaBufFrame(fd: file.fd, layout: source.layout))

        let host = try TestHost(displayOwner: device, size: PixelSize(width: 40, height: 30))
        defer { host.destroy() }
        let adopted = try RenderDevice.adopting(display: host.display, context: host.context)
        defer { adopted.close() }
        let hostView = try CameraView(device: adopted)
        defer { hostView.close() }
        try hostView.draw(source, into: HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 40, height: 30)))
    }

    private enum Walk: String { case creation, step }

    /// Runs the walk; returns how many failure points it covered and the error kinds seen.
    private static func walk(_ walk: Walk) throws -> (points: Int, kinds: Set<String>) {
        try openRenderClose()  // warm up lazily loaded state before counting fds
        let fdsBefore = OpenFDs.current
        let handlesBefore = HandleTable.liveCountInProcess
        var kinds = Set<String>()
        var k = 1
        while true {
            var thrown: (any Error)?
            let (injected, findings) = LedgerAudit.recording {
                let run = { do { try Self.openRenderClose() } catch { thrown = error } }
                return walk == .creation ? FaultInjection.failing(creation: k, run).injected : FaultInjection.failing(step: k, run).injected
            }
            LedgerChecks.expectNothingLeft(findings, "\(walk) k=\(k)")
            #expect(HandleTable.liveCountInProcess == handlesBefore, "\(walk) k=\(k): handles left")
            #expect(OpenFDs.opened(since: fdsBefore).isEmpty, "\(walk) k=\(k): fds left")
            #expect(RenderDevice.openReferenceCount == 0, "\(walk) k=\(k): device references left")
            guard injected else {
                #expect(thrown == nil, "\(walk) k=\(k): failed without an injected fault: \(String(describing: thrown))")
                return (k - 1, kinds)
            }
            let error = try #require(thrown as? CameraViewError, "\(walk) k=\(k): \(String(describing: thrown))")
            kinds.insert(Self.kind(of: error))
            k += 1
        }
    }

    @Test func everyCreationCanFailCleanly() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let (points, kinds) = try FaultInjectionTests.walk(.creation)
                print("fault-injection walk 1 (host): \(points) creations")
                // open (display, context, 2 shaders x2, 2 programs), views (vertex arrays), renders
                // (fds, mappings, textures, renderbuffers, framebuffers), the adopted context's programs.
                #expect(points >= 40, "the walk covered only \(points) creations")
                // Failures while opening the device arrive wrapped, with the driver's code.
                #expect(kinds.isSuperset(of: ["gl", "io", "platform: EGL_BAD_ALLOC", "platform: GL_OUT_OF_MEMORY"]), "\(kinds)")
            }
        }
    }

    @Test func everyStepAfterACreationCanFailCleanly() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let (points, kinds) = try FaultInjectionTests.walk(.step)
                print("fault-injection walk 2 (host): \(points) steps")
                #expect(points >= 30, "the walk covered only \(points) steps")
                #expect(kinds.isSuperset(of: ["gl", "egl", "io", "platform: EGL_BAD_ALLOC", "platform: GL_OUT_OF_MEMORY"]), "\(kinds)")
            }
        }
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
