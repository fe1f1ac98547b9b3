import CameraView
import CameraViewStreams
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
    static func openRenderClose() throws {
        let device = try RenderDevice.open(platform: .device)
        defer { device.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        let fixture = try NV12Frame(
            contentsOf: TestPaths.packageRoot + "/fixtures/astronaut-640x480.nv12",
            layout: NV12Layout(width: 640, height: 480))
        _ = try view.render(.memory(fixture))
        // A second size and output: every texture, target and fd is created again.
        _ = try view.render(.memory(TestFrames.gradient(width: 33, height: 17)), size: PixelSize(width: 50, height: 20), options: RenderOptions())
        _ = try view.render(.memory(fixture), size: PixelSize(width: 64, height: 64), options: RenderOptions(fit: .cover))
        let source = try TestFrames.gradient(width: 24, height: 10)
        let file = try MemoryFile(source.withUnsafeBytes { [UInt8]($0) })
        _ = try view.render(.dmaBuf(DmaBufFrame(fd: file.fd, layout: source.layout)))
        view.releaseFrameObjects()

        let host = try TestHost(displayOwner: device, size: PixelSize(width: 40, height: 30))
        defer { host.destroy() }
        let adopted = try RenderDevice.adopting(display: host.display, context: host.context)
        defer { adopted.close() }
        let hostView = try CameraView(device: adopted)
        defer { hostView.close() }
        try hostView.render(.memory(source), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 40, height: 30)))
    }

    /// A VisionIPC client's whole life against a server in this process: connect (socket,
    /// received fds, mappings, guards, the queue), a frame rendered from its buffer, close.
    static func visionIPCConnectRenderClose(server: TestVisionIPCServer) throws {
        let device = try RenderDevice.open(platform: .device)
        defer { device.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        let source = VisionIPCSource(server: server.name, stream: server.stream)
        defer {
            source.close()
            // The walk counts fds next: the server thread's answer must be done with its own.
            server.waitUntilIdle()
        }
        try source.connect()
        server.publish()
        guard let frame = try source.receiveFrame() else { throw ProcessFailure(description: "no VisionIPC frame") }
        _ = try view.render(frame.frame)
        source.disconnect()
    }

    enum Walk: String, CaseIterable { case creation, step, afterCreation, teardown }

    /// Runs `body` with the k-th fault of `walk` planted.
    static func planted(_ walk: Walk, _ k: Int, _ body: () -> Void) -> Bool {
        switch walk {
        case .creation: FaultInjection.failing(creation: k, body).injected
        case .step: FaultInjection.failing(step: k, body).injected
        case .afterCreation: FaultInjection.failing(afterCreation: k, body).injected
        case .teardown: FaultInjection.failing(teardown: k, body).injected
        }
    }

    /// What a run with a planted fault may leave: nothing, except that a failed teardown
    /// make-current leaves GL objects undeleted, each reported as a failed deletion.
    static func expectNothingLeft(_ findings: LedgerAudit.Findings, after walk: Walk, _ context: String) {
        guard walk == .teardown else { return LedgerChecks.expectNothingLeft(findings, context) }
        let unexpected = findings.failedDeletions.filter { !$0.reason.contains("the owning context could not be made current") }
        #expect(findings.swept.isEmpty && findings.droppedOwners.isEmpty && findings.unclosedObjects.isEmpty
                && findings.liveAfter.isEmpty && unexpected.isEmpty, "\(context): \(findings)")
    }

    /// Runs the walk; returns how many failure points it covered, the error kinds seen and
    /// the creation sites reached.
    /// `absorbing`: the body may turn an injected fault into a result (the import probe
    /// does, by design) instead of an error.
    static func walk(
        _ walk: Walk, absorbing: Bool = false, _ body: () throws -> Void
    ) throws -> (points: Int, kinds: Set<String>, sites: Set<CreationSite>) {
        try body()  // warm up lazily loaded state before counting fds
        let fdsBefore = OpenFDs.current
        let handlesBefore = HandleTable.liveCountInProcess
        var kinds = Set<String>(), sites = Set<CreationSite>()
        var k = 1
        while true {
            var thrown: (any Error)?
            let (injected, findings) = LedgerAudit.recording {
                Self.planted(walk, k) { do { try body() } catch { thrown = error } }
            }
            sites.formUnion(findings.sitesReached)
            Self.expectNothingLeft(findings, after: walk, "\(walk) k=\(k)")
            #expect(HandleTable.liveCountInProcess == handlesBefore, "\(walk) k=\(k): handles left")
            #expect(OpenFDs.opened(since: fdsBefore).isEmpty, "\(walk) k=\(k): fds left")
            #expect(RenderDevice.openReferenceCount == 0, "\(walk) k=\(k): device references left")
            guard injected else {
                #expect(thrown == nil, "\(walk) k=\(k): failed without an injected fault: \(String(describing: thrown))")
                return (k - 1, kinds, sites)
            }
            if walk == .teardown {
                // A teardown reports; it never throws.
                #expect(thrown == nil, "teardown k=\(k): \(String(describing: thrown))")
            } else if absorbing && thrown == nil {
                // Absorbed by design, and nothing left behind (checked above).
            } else {
                let error = try #require(thrown as? CameraViewError, "\(walk) k=\(k): \(String(describing: thrown))")
                kinds.insert(Self.kind(of: error))
            }
            k += 1
        }
    }

    /// The four walks over open + render + close in one child process, and the creation
    /// sites they reached against every site in the library: each one that needs no DRM
    /// device or camera must be reached here (the VM's walks reach the others).
    @Test func everyCreationStepAndTeardownCanFailCleanlyAtEverySite() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            try await LedgerChecks.inChild {
                var reached = Set<CreationSite>()
                let server = try TestVisionIPCServer(frame: TestFrames.gradient(width: 24, height: 10))
                defer { server.stop() }
                for walk in Walk.allCases {
                    let vision = try FaultInjectionTests.walk(walk) { try FaultInjectionTests.visionIPCConnectRenderClose(server: server) }
                    reached.formUnion(vision.sites)
                    print("fault-injection walk \(walk) (VisionIPC): \(vision.points) points")
                    let (points, kinds, sites) = try FaultInjectionTests.walk(walk, FaultInjectionTests.openRenderClose)
                    reached.formUnion(sites)
                    print("fault-injection walk \(walk) (host): \(points) points")
                    switch walk {
                    case .creation:
                        // Failures while opening the device arrive wrapped, with the driver's code.
                        #expect(kinds.isSuperset(of: ["gl", "io", "platform: EGL_BAD_ALLOC", "platform: GL_OUT_OF_MEMORY"]), "\(kinds)")
                    case .step:
                        #expect(kinds.isSuperset(of: ["gl", "egl", "io", "platform: EGL_BAD_ALLOC", "platform: GL_OUT_OF_MEMORY"]), "\(kinds)")
                    case .afterCreation:
                        #expect(kinds.isSuperset(of: ["gl", "io", "platform: EGL_BAD_ALLOC"]), "\(kinds)")
                    case .teardown:
                        // The view's frame release and close and the device's shutdown (the
                        // host's context is current on this thread: its teardowns switch nothing).
                        #expect(points == 3, "the teardown walk covered \(points) make-currents")
                    }
                }
                let expected = CreationSites.all.subtracting(CreationSites.deviceOnly)
                let unreached = CreationSites.unreached(expected, by: reached)
                print("fault-injection sites (host): \(expected.count - unreached.count) / \(expected.count) reached; \(CreationSites.deviceOnly.count) more in the VM")
                #expect(unreached.isEmpty, "creation sites no host walk reaches: \(unreached)")
                // Every site a walk reached is one the list knows: the list misses no form of call.
                let listed = Set(CreationSites.all.map { "\($0.file):\($0.line)" })
                let unlisted = reached.filter { !listed.contains("\($0.file):\($0.line)") }
                #expect(unlisted.isEmpty, "sites the scan of Sources/ did not find: \(unlisted)")
            }
        }
        // The child's counts, in this run's log.
        print(String(decoding: result?.standardOutputContent ?? [], as: UTF8.self), terminator: "")
    }

    static func kind(of error: CameraViewError) -> String {
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
