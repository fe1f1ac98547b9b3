import CEGL
import Glibc

/// A test hook that makes the k-th object creation fail the way a driver would
/// (GL_OUT_OF_MEMORY, EGL_BAD_ALLOC, ENOMEM), in the spirit of SQLite's malloc-failure
/// tests. Scoped to the calling task, so parallel tests do not disturb each other.
public enum FaultInjection {
    final class Plan: Sendable {
        let failingCreation: Int
        let creations = Locked(0)
        let injected = Locked(false)
        init(failingCreation: Int) { self.failingCreation = failingCreation }
    }

    @TaskLocal static var plan: Plan?

    /// Runs `body` with the `creation`-th object creation (1-based, counted across every
    /// table) failing. Returns whether that failure was actually injected: false means
    /// `body` made fewer creations than `creation`.
    public static func failing<Result>(
        creation: Int, _ body: () throws -> Result
    ) rethrows -> (result: Result, injected: Bool) {
        let plan = Plan(failingCreation: creation)
        let result = try $plan.withValue(plan) { try body() }
        return (result, plan.injected.withLock { $0 })
    }

    static func checkpoint(kind: HandleKind, operation: String) throws {
        guard let plan else { return }
        let count = plan.creations.withLock { $0 += 1; return $0 }
        guard count == plan.failingCreation else { return }
        plan.injected.withLock { $0 = true }
        throw simulatedFailure(kind: kind, operation: operation)
    }

    private static func simulatedFailure(kind: HandleKind, operation: String) -> CameraViewError {
        switch kind {
        case .fd, .gbmDevice, .gbmSurface, .gbmBo:
            .io(operation: operation, path: "(injected)", errno: ENOMEM)
        case .eglDisplay, .eglContext, .eglSurface, .eglImage:
            .egl(operation: operation, code: EGL_BAD_ALLOC)
        case .texture, .framebuffer, .renderbuffer, .buffer, .vertexArray, .shader, .program, .sync:
            .gl(operation: operation, code: UInt32(GL_OUT_OF_MEMORY))
        }
    }
}
