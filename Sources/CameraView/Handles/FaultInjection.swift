import CEGL
import Glibc

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
        case .fd, .memoryMapping, .gbmMapping, .gbmDevice, .gbmSurface, .gbmBo, .gemHandle, .v4l2Buffers, .v4l2Streaming:
            .io(operation: operation, path: "(injected)", errno: ENOMEM)
        case .eglDisplay, .eglContext, .eglSurface, .eglImage:
            .egl(operation: operation, code: EGL_BAD_ALLOC)
        case .texture, .framebuffer, .renderbuffer, .buffer, .vertexArray, .shader, .program, .sync:
            .gl(operation: operation, code: UInt32(GL_OUT_OF_MEMORY))
        }
    }
}
