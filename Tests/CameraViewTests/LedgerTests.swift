import CameraView
import CEGL
import Foundation
import Testing

/// The ledger proves the promise instead of sweeping it: a forgotten release shows up as a
/// sweep, a failed delete as a failed deletion, and GL objects are never deleted in a
/// context that is not the device's.
@Suite(.ledgerChecked) struct LedgerTests {
    /// A view whose first texture release is skipped (a planted bug): its close sweeps the
    /// texture, counts it, and the check every test runs under fails.
    @Test func aSkippedReleaseIsSweptCountedAndFailsTheCheck() throws {
        let (result, findings) = try LedgerAudit.recording {
            try FaultInjection.skippingRelease(of: .texture) {
                let view = try CameraView()
                _ = try view.render(.memory(TestFrames.gradient(width: 32, height: 16)))
                // A new size replaces the plane textures: the first release is the one skipped.
                _ = try view.render(.memory(TestFrames.gradient(width: 16, height: 16)))
                return (view.close(), view.handles)
            }
        }
        let ((report, table), injected) = result
        #expect(injected)
        #expect(report.swept.map(\.kind) == [.texture])
        #expect(table.sweptAtClose == [.texture: 1])
        #expect(findings.sweptByKind == [.texture: 1])
        withKnownIssue("the planted skip must fail the check every test runs under") {
            LedgerChecks.expectClean(findings)
        }
    }

    /// The same planted bug through `camview leakcheck`: JSON says so and the exit status is 1.
    @Test func leakcheckReportsAPlantedSkipAndExitsOne() throws {
        let result = try TestProcess.capture(TestPaths.camview, [
            "leakcheck", "--json", "--iterations", "5", "--warmup", "0", "--size", "32x16", "--plant-skipped-release", "texture",
        ])
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(result.status == 1)
        #expect(report["swept_at_close"] as? Int == 1)
        #expect(report["swept_at_close_by_kind"] as? [String: Int] == ["texture": 1])
    }

    /// Exit tests run their body in a child process, outside the suite's ledger check;
    /// `LedgerChecks.inChild` checks there. A skipped release planted in a child fails it,
    /// naming the swept object.
    @Test func theLedgerCheckWorksInsideAnExitTestsChild() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            try await LedgerChecks.inChild {
                _ = try FaultInjection.skippingRelease(of: .texture) {
                    let view = try CameraView()
                    _ = try view.render(.memory(TestFrames.gradient(width: 16, height: 16)))
                    view.close()
                }
            }
        }
        let stderr = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(stderr.contains("the ledger flagged, in the exit test's child: 1 swept at close (texture"), "\(stderr)")
    }

    /// Every exit test's body goes through `LedgerChecks.inChild`: one that did not would
    /// run unchecked, as all of them once did.
    @Test func everyExitTestChecksTheLedgerInItsChild() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var unchecked: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".swift") {
            let lines = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            for (index, line) in lines.enumerated() where line.contains("#expect(processExitsWith:") {
                if index + 1 >= lines.count || !lines[index + 1].contains("LedgerChecks.inChild") { unchecked.append("\(name):\(index + 1)") }
            }
        }
        #expect(unchecked.isEmpty, "exit tests without LedgerChecks.inChild: \(unchecked)")
    }

    /// The device's own deletions (its programs, its context) that fail are in the report
    /// its last close returns, one per object it held. In a process of its own, so that
    /// this close is the device's last.
    @Test func aDevicesOwnFailedDeletionsAreInItsLastCloseReport() async {
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                for kind in [HandleKind.program, .eglContext] {
                    let (result, findings) = try LedgerAudit.recording {
                        try FaultInjection.failingDeletions(of: kind) {
                            let device = try RenderDevice.open()
                            let held = device.handles.liveCount(of: kind)
                            return (device.close(), held)
                        }
                    }
                    let ((report, held), injected) = result
                    #expect(injected && held > 0)
                    #expect(report.failedDeletions.map(\.record.kind) == Array(repeating: kind, count: held), "\(kind): \(report)")
                    #expect(findings.failedDeletions == report.failedDeletions)
                }
            }
        }
    }

    /// The same through `camview leakcheck --reopen-device`: each cycle's last close fails
    /// to delete the device's programs, and the report counts them and exits 1.
    @Test func leakcheckCountsTheDevicesOwnFailedDeletions() throws {
        let result = try TestProcess.capture(TestPaths.camview, [
            "leakcheck", "--json", "--iterations", "3", "--warmup", "0", "--size", "32x16", "--reopen-device",
            "--plant-failed-deletion", "program",
        ])
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(result.status == 1)
        let failed = try #require(report["failed_deletions"] as? Int)
        #expect(failed >= 3 * 2, "two programs or more per device, three devices: \(failed)")
    }

    @Test func failedDeletionsAreReturnedByCloseAndCounted() throws {
        let (result, findings) = try LedgerAudit.recording {
            try FaultInjection.failingDeletions(of: .renderbuffer) {
                let view = try CameraView()
                _ = try view.render(.memory(TestFrames.gradient(width: 30, height: 20)))
                return (view.close(), view.handles)
            }
        }
        let ((report, table), injected) = result
        #expect(injected)
        #expect(report.failedDeletions.map(\.record.kind) == [.renderbuffer])
        #expect(report.swept.isEmpty)
        #expect(table.failedDeletions == report.failedDeletions)
        #expect(findings.failedDeletions == report.failedDeletions)
        #expect(report.failedDeletions.first?.reason == "deletion failed (injected)")
    }

    @Test func leakcheckReportsFailedDeletionsAndExitsOne() throws {
        let result = try TestProcess.capture(TestPaths.camview, [
            "leakcheck", "--json", "--iterations", "4", "--warmup", "0", "--size", "30x20", "--plant-failed-deletion", "renderbuffer",
        ])
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(result.status == 1)
        #expect(report["failed_deletions"] as? Int == 4)
        #expect(report["swept_at_close"] as? Int == 0)
    }

    /// A host thread holds the adopted context while a view closes: the view's GL objects
    /// cannot be deleted in our context and must not be deleted in whatever is current, so
    /// they come back as failed deletions and still exist in the host's context.
    @Test func glObjectsAreNotDeletedWhenTheContextCannotBeMadeCurrent() throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 64, height: 32))
        defer { host.destroy() }
        eglMakeCurrent(host.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
        let device = try RenderDevice.adopting(display: host.display, context: host.context)
        let view = try CameraView(device: device)
        try view.render(.memory(TestFrames.gradient(width: 16, height: 16)), into: HostFramebuffer(
            framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 64, height: 32)))
        let textures = view.handles.records.filter { $0.kind == .texture }.map { GLuint($0.raw) }
        #expect(textures.count == 3, "the planes and the display cache")

        let holder = ContextHolder(display: host.display, context: host.context)
        let (report, findings) = LedgerAudit.recording { view.close() }
        holder.letGo()
        #expect(holder.madeCurrent)
        #expect(Set(report.failedDeletions.map(\.record.kind)) == [.texture, .framebuffer, .vertexArray])
        #expect(report.failedDeletions.allSatisfy { $0.reason.contains("could not be made current") })
        #expect(findings.failedDeletions.count == 5)
        host.makeCurrent()
        #expect(textures.allSatisfy { glIsTexture($0) == GLboolean(GL_TRUE) }, "not deleted anywhere")
        var names = textures
        glDeleteTextures(GLsizei(names.count), &names)
        var framebuffers = report.failedDeletions.filter { $0.record.kind == .framebuffer }.map { GLuint($0.record.raw) }
        glDeleteFramebuffers(GLsizei(framebuffers.count), &framebuffers)
        #expect(device.close().isClean)
    }

    /// Makes a context current on a thread of its own until `letGo`.
    private final class ContextHolder: @unchecked Sendable {
        private let release = DispatchSemaphore(value: 0)
        private let done = DispatchSemaphore(value: 0)
        private(set) var madeCurrent = false
        private let display: EGLDisplay
        private let context: EGLContext

        init(display: EGLDisplay, context: EGLContext) {
            (self.display, self.context) = (display, context)
            let ready = DispatchSemaphore(value: 0)
            Thread.detachNewThread { [self] in
                madeCurrent = eglMakeCurrent(self.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, self.context) == EGL_TRUE
                ready.signal()
                release.wait()
                eglMakeCurrent(self.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
                done.signal()
            }
            ready.wait()
        }

        func letGo() {
            release.signal()
            done.wait()
        }
    }
}
