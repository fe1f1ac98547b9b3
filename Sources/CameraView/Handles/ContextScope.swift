import CEGL

/// Proof that a device's context is current on this thread. Only `ContextScope.entering`
/// makes one (for `DeviceCore.withContext` and the device's own set-up and teardown), and
/// hands it to its body borrowed: it cannot be stored or outlive the call, so every
/// creation and release of a context-bound object (`Owned` with a `ContextBoundKind`)
/// happens while the context is current.
struct ContextScope: ~Copyable {
    /// The display of the current context (EGL images and surfaces are made on it).
    let display: EGLDisplay

    private init(display: EGLDisplay) { self.display = display }

    /// Makes `context` current on this thread (drawing to `surface`, or surfaceless) unless
    /// it already is, runs `body` with the scope, then restores whatever the thread had
    /// current before (a host's own context, or none). `failable`: fault injection may
    /// fail the make-current step as a step; on teardown paths (`false`) only a teardown
    /// walk fails it, and a failure there is reported as failed deletions.
    /// `isolation`: in a context someone else created, every piece of GL state our work
    /// touches is captured first and put back after `body` (see `GLStateSnapshot`).
    static func entering<Result: ~Copyable>(
        display: EGLDisplay, context: EGLContext, surface: EGLSurface? = nil, failable: Bool = true,
        isolation: StateIsolation = .ownContext, _ body: (borrowing ContextScope) throws -> Result
    ) throws -> Result {
        let previous = CurrentEGLState.capture()
        // A context already current here (a host drawing with its own surface) stays as it is.
        let switching = previous.context != context || (surface != nil && previous.draw != surface)
        if switching {
            if failable { try FaultInjection.step(operation: "eglMakeCurrent", kind: .eglContext) } else { try FaultInjection.teardownStep() }
            guard eglMakeCurrent(display, surface, surface, context) == EGL_TRUE else {
                throw CameraViewError.egl(operation: "eglMakeCurrent", code: eglGetError())
            }
        }
        defer { if switching { previous.restore(releasing: display) } }
        // The scope proves that the owner's context is current, not merely some context.
        guard eglGetCurrentContext() == context else {
            throw CameraViewError.egl(operation: "eglGetCurrentContext (not the device's context)", code: EGL_BAD_CONTEXT)
        }
        GLCheck.discardPendingErrors()
        guard case .hostContext(let externalTextures) = isolation else { return try body(ContextScope(display: display)) }
        let hostState = GLStateSnapshot(externalTextures: externalTextures)
        hostState.neutralize()
        defer { hostState.restore() }
        return try body(ContextScope(display: display))
    }
}

extension ContextScope {
    /// Runs a teardown: `body` gets the context's teardown when it can be made current,
    /// else (logged as `owner`'s) `.contextLost`. The one way owners tear down.
    static func tearingDown<Result>(
        display: EGLDisplay, context: EGLContext, isolation: StateIsolation, owner: String, _ body: (Teardown) -> Result
    ) -> Result {
        do {
            return try entering(display: display, context: context, failable: false, isolation: isolation) { body($0.teardown) }
        } catch {
            log.error("\(owner): cannot make the context current (\(error)); its GL objects are not deleted")
            return body(.contextLost)
        }
    }
}

/// Whether work in a context must leave its GL state as it found it.
enum StateIsolation {
    /// A context the device created: our code sets what it needs before each use.
    case ownContext
    /// A host's context: its state is captured and restored around our work.
    case hostContext(externalTextures: Bool)
}

/// What a thread had current before the device borrowed it.
struct CurrentEGLState {
    let display: EGLDisplay?
    let draw: EGLSurface?
    let read: EGLSurface?
    let context: EGLContext?

    static func capture() -> CurrentEGLState {
        CurrentEGLState(
            display: eglGetCurrentDisplay(), draw: eglGetCurrentSurface(EGL_DRAW),
            read: eglGetCurrentSurface(EGL_READ), context: eglGetCurrentContext())
    }

    /// Makes the captured state current again; with none captured, releases `display`'s
    /// context from this thread so another thread can take it.
    func restore(releasing display: EGLDisplay?) {
        if let context, let capturedDisplay = self.display {
            eglMakeCurrent(capturedDisplay, draw, read, context)
        } else if let display {
            eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
        }
    }
}
