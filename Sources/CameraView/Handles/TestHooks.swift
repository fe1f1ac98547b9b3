import CEGL
import Glibc

// Debug builds only (what tests run): release builds get the no-op hooks below.
#if DEBUG
/// Test hooks in the spirit of SQLite's malloc-failure tests, scoped to the calling task so
/// parallel tests do not disturb each other:
/// - `failing(creation:)` makes the k-th object creation fail the way a driver would
///   (GL_OUT_OF_MEMORY, EGL_BAD_ALLOC, ENOMEM);
/// - `failing(step:)` makes the k-th step after a creation fail (the call that fills,
///   attaches, links, makes current, maps or syncs), so the cleanup of objects that were
///   already created runs;
/// - `failing(afterCreation:)` makes the k-th creation succeed and then fail, as any step
///   right after it would: the new object is deleted where it was made and its caller
///   unwinds what it made before, at every creation site alike;
/// - `failing(teardown:)` makes the k-th make-current of a teardown (a close, a device's
///   shutdown, a surface's close, a frame release) fail, as when a host thread holds the
///   context: GL objects come back as failed deletions, everything else is released;
/// - `skippingRelease(of:)` and `failingDeletions(of:)` plant the bugs the ledger must
///   expose (a forgotten release, a failed delete).
package enum FaultInjection {
    final class Plan: Sendable {
        enum Target: Sendable {
            case creation(Int), step(Int), afterCreation(Int), teardown(Int), skipRelease(HandleKind), failDeletion(HandleKind)
        }
        let target: Target
        let count = Locked(0)
        let injected = Locked(false)
        init(_ target: Target) { self.target = target }

        /// Counts one event; true when it is the one to fail.
        func hit(_ number: Int) -> Bool {
            let count = count.withLock { $0 += 1; return $0 }
            guard count == number else { return false }
            injected.withLock { $0 = true }
            return true
        }
    }

    @TaskLocal static var plan: Plan?

    /// Runs `body` with the `creation`-th object creation (1-based, counted across every
    /// table) failing. Returns whether that failure was actually injected: false means
    /// `body` made fewer creations than `creation`.
    package static func failing<Result>(creation: Int, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        try run(Plan(.creation(creation)), body)
    }

    /// Runs `body` with the `step`-th step after a creation failing (1-based).
    package static func failing<Result>(step: Int, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        try run(Plan(.step(step)), body)
    }

    /// Runs `body` with the `creation`-th creation (1-based) succeeding and then failing.
    package static func failing<Result>(afterCreation creation: Int, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        try run(Plan(.afterCreation(creation)), body)
    }

    /// Runs `body` with the `teardown`-th make-current of a teardown (1-based) failing.
    package static func failing<Result>(teardown: Int, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        try run(Plan(.teardown(teardown)), body)
    }

    /// Runs `body` with the first owner release of `kind` skipped, as if its owner forgot
    /// it: the object stays in the ledger until `close()` sweeps it.
    package static func skippingRelease<Result>(of kind: HandleKind, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        try run(Plan(.skipRelease(kind)), body)
    }

    /// Runs `body` with every deletion of `kind` failing (the object is left as it is).
    package static func failingDeletions<Result>(of kind: HandleKind, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        try run(Plan(.failDeletion(kind)), body)
    }

    private static func run<Result>(_ plan: Plan, _ body: () throws -> Result) rethrows -> (result: Result, injected: Bool) {
        let result = try $plan.withValue(plan) { try body() }
        return (result, plan.injected.withLock { $0 })
    }

    /// Before each creation: the site is noted for the walks' coverage, and the creation
    /// may be made to fail.
    static func checkpoint(kind: HandleKind, operation: String, site: CreationSite) throws {
        LedgerAudit.noteReached(site)
        guard let plan, case .creation(let number) = plan.target, plan.hit(number) else { return }
        throw simulatedFailure(kind: kind, operation: operation)
    }

    /// After each successful creation: the failure to throw once the new object is deleted.
    static func failureAfterCreation(kind: HandleKind, operation: String) -> CameraViewError? {
        guard let plan, case .afterCreation(let number) = plan.target, plan.hit(number) else { return nil }
        return simulatedFailure(kind: kind, operation: "the step after \(operation)")
    }

    /// A teardown's make-current (which production code never fails on purpose).
    static func teardownStep() throws {
        guard let plan, case .teardown(let number) = plan.target, plan.hit(number) else { return }
        throw CameraViewError.egl(operation: "eglMakeCurrent (teardown)", code: EGL_BAD_ACCESS)
    }

    /// A step after a creation: `kind` picks the error a driver would report.
    static func step(operation: String, kind: HandleKind = .texture) throws {
        guard let plan, case .step(let number) = plan.target, plan.hit(number) else { return }
        throw simulatedFailure(kind: kind, operation: operation)
    }

    static func skipsRelease(of kind: HandleKind?) -> Bool {
        guard let plan, case .skipRelease(let skipped) = plan.target, kind == skipped else { return false }
        return plan.hit(1)
    }

    /// The simulated reason a deletion of `kind` failed, if one is planned.
    static func failedDeletion(of kind: HandleKind) -> String? {
        guard let plan, case .failDeletion(let failing) = plan.target, kind == failing else { return nil }
        plan.injected.withLock { $0 = true }
        return "deletion failed (injected)"
    }

    private static func simulatedFailure(kind: HandleKind, operation: String) -> CameraViewError {
        switch kind {
        case .fd, .memoryMapping, .gbmMapping, .gbmDevice, .gbmSurface, .gbmBo, .gemHandle, .v4l2Buffers, .v4l2Streaming, .faultGuard:
            .io(operation: operation, path: "(injected)", errno: ENOMEM)
        case .eglDisplay, .eglContext, .eglSurface, .eglImage:
            .egl(operation: operation, code: EGL_BAD_ALLOC)
        case .texture, .framebuffer, .renderbuffer, .buffer, .vertexArray, .shader, .program, .sync:
            .gl(operation: operation, code: UInt32(GL_OUT_OF_MEMORY))
        }
    }
}

#else
/// Release builds carry no fault planting: each hook the library calls is an inlined no-op,
/// and nothing of the planting machinery is compiled (scripts/check-release-symbols checks
/// that the shipped library holds no symbol of it).
enum FaultInjection {
    @inline(__always) static func checkpoint(kind: HandleKind, operation: String, site: CreationSite) throws {}
    @inline(__always) static func failureAfterCreation(kind: HandleKind, operation: String) -> CameraViewError? { nil }
    @inline(__always) static func teardownStep() throws {}
    @inline(__always) static func step(operation: String, kind: HandleKind = .texture) throws {}
    @inline(__always) static func skipsRelease(of kind: HandleKind?) -> Bool { false }
    @inline(__always) static func failedDeletion(of kind: HandleKind) -> String? { nil }
}
#endif

/// Collects what the ledger flags — sweeps at close, failed deletions, owners dropped
/// without release — for the calling task and the tasks it starts, so a test (or a
/// harness wrapping every test) can assert that its own work left none, while other
/// tests run in parallel. The innermost `recording` collects.
package enum LedgerAudit {
    /// What a recorded piece of work left behind: all empty in a correct run.
    package struct Findings: Sendable, Equatable, CustomStringConvertible {
        package var swept: [HandleRecord] = []
        package var failedDeletions: [FailedDeletion] = []
        /// Descriptions of the objects whose owners were dropped without release.
        package var droppedOwners: [HandleRecord] = []
        /// Library objects (views, device references, cameras, buffers) dropped without
        /// `close()`, which their `deinit` then closed.
        package var unclosedObjects: [String] = []
        /// Objects still live, when the recording ended, in the tables (views, devices)
        /// created while it ran: empty once everything made there is closed.
        package var liveAfter: [HandleRecord] = []

        /// Every creation site a creation was attempted at (whether it succeeded): what a
        /// fault walk reached. Not a finding.
        package var sitesReached: Set<CreationSite> = []

        package var isClean: Bool { swept.isEmpty && failedDeletions.isEmpty && droppedOwners.isEmpty && unclosedObjects.isEmpty }

        /// Swept objects by kind.
        package var sweptByKind: [HandleKind: Int] {
            Dictionary(swept.map { ($0.kind, 1) }, uniquingKeysWith: +)
        }

        package var description: String {
            var parts: [String] = []
            if !swept.isEmpty { parts.append("\(swept.count) swept at close (\(swept.map(\.description).joined(separator: "; ")))") }
            if !failedDeletions.isEmpty { parts.append("\(failedDeletions.count) failed deletions (\(failedDeletions.map(\.description).joined(separator: "; ")))") }
            if !droppedOwners.isEmpty { parts.append("\(droppedOwners.count) owners dropped without release (\(droppedOwners.map(\.description).joined(separator: "; ")))") }
            if !unclosedObjects.isEmpty { parts.append("\(unclosedObjects.count) dropped without close() (\(unclosedObjects.joined(separator: "; ")))") }
            if !liveAfter.isEmpty { parts.append("\(liveAfter.count) still live (\(liveAfter.map(\.description).joined(separator: "; ")))") }
            return parts.isEmpty ? "clean" : parts.joined(separator: "; ")
        }
    }

    final class Collector: Sendable {
        let findings = Locked(Findings())
        let tables = Locked<[HandleTable]>([])

        var result: Findings {
            var findings = findings.withLock { $0 }
            findings.liveAfter = tables.withLock { $0.flatMap(\.records) }
            return findings
        }
    }

    @TaskLocal static var collector: Collector?

    /// Runs `body` and returns what the ledger flagged while it ran.
    package static func recording<Result>(_ body: () throws -> Result) rethrows -> (result: Result, findings: Findings) {
        let collector = Collector()
        let result = try $collector.withValue(collector) { try body() }
        return (result, collector.result)
    }

    /// `recording` for async work.
    package static func recording<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async rethrows -> (result: Result, findings: Findings) {
        let collector = Collector()
        let result = try await $collector.withValue(collector) { try await body() }
        return (result, collector.result)
    }

    static func noteTable(_ table: HandleTable) { collector?.tables.withLock { $0.append(table) } }
    static func noteSwept(_ record: HandleRecord) { collector?.findings.withLock { $0.swept.append(record) } }
    static func noteFailed(_ failed: FailedDeletion) { collector?.findings.withLock { $0.failedDeletions.append(failed) } }
    static func noteDropped(_ record: HandleRecord) { collector?.findings.withLock { $0.droppedOwners.append(record) } }
    static func noteUnclosed(_ what: String) { collector?.findings.withLock { $0.unclosedObjects.append(what) } }
    static func noteReached(_ site: CreationSite) { collector?.findings.withLock { _ = $0.sitesReached.insert(site) } }
}
