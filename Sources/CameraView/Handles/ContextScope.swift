import CEGL

/// Proof that a device's context is current on this thread. Only `ContextScope.entering`
/// makes one (for `DeviceCore.withContext` and the device's own set-up and teardown), and
/// hands it to its body borrowed: it cannot be stored or outlive the call, so every
/// creation and release of a context-bound object (`Owned` with a `ContextBoundKind`)
/// happens while the context is current.
struct ContextScope: ~Copyable {
    /// The display of the current context (EGL images and surfaces are made on it); nil in
    /// a host's GLX context, which has none.
    let display: EGLDisplay?

    private init(display: EGLDisplay?) { self.display = display }

    /// Makes `context` current on this thread (drawing to `surface`, or surfaceless) unless
    /// it already is, runs `body` with the scope, then restores whatever the thread had
    /// current before (a host's own context, or none). `failable`: fault injection may
    /// fail the make-current step as a step; on teardown paths (`false`) only a teardown
    /// walk fails it, and a failure there is reported as failed deletions.
    /// `isolation`: in a context someone else created, every piece of GL state our work
    /// touches is captured first and put back after `body` (see `GLStateSnapshot`).
    /// A GLX context (`api: .glx`, a host's) is never made current here: it must be current
    /// on the calling thread already, as the host's own drawing leaves it.
    static func entering<Result: ~Copyable>(
        display: EGLDisplay?, context: EGLContext, api: ContextAPI = .egl, surface: EGLSurface? = nil, failable: Bool = true,
        isolation: StateIsolation = .ownContext, _ body: (borrowing ContextScope) throws -> Result
    ) throws -> Result {
        if api == .glx {
            if failable { try FaultInjection.step(operation: "glXGetCurrentContext", kind: .eglContext) } else { try FaultInjection.teardownStep() }
            guard HostContext.currentGLXContext == context else {
                throw CameraViewError.egl(operation: "glXGetCurrentContext (the adopted GLX context is not current here)", code: EGL_BAD_CONTEXT)
            }
            return try isolated(isolation, display: nil, body)
        }
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
        return try isolated(isolation, display: display, body)
    }

    /// Runs `body` in the current context, with a host's GL state captured and restored.
    private static func isolated<Result: ~Copyable>(
        _ isolation: StateIsolation, display: EGLDisplay?, _ body: (borrowing ContextScope) throws -> Result
    ) throws -> Result {
        GLCheck.discardPendingErrors()
        guard case .hostContext(let externalTextures) = isolation else { return try body(ContextScope(display: display)) }
        let hostState = GLStateSnapshot(externalTextures: externalTextures)
        hostState.neutralize()
        defer { hostState.restore() }
        return try body(ContextScope(display: display))
    }
}

/// How a device's context is current: through EGL (ours, or a host's), or a host's GLX
/// context (desktop GL through X11), which only its host makes current.
enum ContextAPI: Sendable {
    case egl
    case glx
}

extension ContextScope {
    /// Runs a teardown: `body` gets the context's teardown when it can be made current,
    /// else (logged as `owner`'s) `.contextLost`. The one way owners tear down.
    static func tearingDown<Result>(
        display: EGLDisplay?, context: EGLContext, api: ContextAPI, isolation: StateIsolation, owner: String,
        _ body: (Teardown) -> Result
    ) -> Result {
        do {
            return try entering(display: display, context: context, api: api, failable: false, isolation: isolation) { scope in
                let result = body(scope.teardown)
                // A deleted name that queued draws still use is freed only once the driver has
                // run them: in a host context that never flushes (raylib-sdl's offscreen
                // window) every closed view's memory stayed (71 KB a view measured; 5.7 KB
                // with glFlush alone; none with glFinish).
                glFinish()
                return result
            }
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

/// The GL state any of our work touches, captured before it runs in a context we did not
/// create (an adopted host's) and put back afterwards, so the host's bindings, switches
/// and pixel-store settings survive every entry point: device adoption, view creation,
/// renders, draws and closes (`ContextScope.entering` applies it). Fixed-size storage: a
/// host draws every frame, and this allocates nothing.
struct GLStateSnapshot {
    /// Switches that would change our draw; off while we draw.
    private static let switches: InlineArray<10, GLenum> = [
        GLenum(GL_BLEND), GLenum(GL_SCISSOR_TEST), GLenum(GL_DEPTH_TEST), GLenum(GL_STENCIL_TEST),
        GLenum(GL_CULL_FACE), GLenum(GL_DITHER), GLenum(GL_POLYGON_OFFSET_FILL), GLenum(GL_SAMPLE_COVERAGE),
        GLenum(GL_SAMPLE_ALPHA_TO_COVERAGE), GLenum(GL_RASTERIZER_DISCARD),
    ]
    /// Texture units our draws and texture set-up use (unit 0 is active while we work).
    private static let units: InlineArray<2, GLenum> = [0, 1]

    private let externalTextures: Bool
    private var enabled: InlineArray<10, Bool> = .init(repeating: false)
    private var pixelStore: InlineArray<10, GLint> = .init(repeating: 0)
    private var viewport: InlineArray<4, GLint> = .init(repeating: 0)
    private var colorMask: InlineArray<4, GLboolean> = .init(repeating: 0)
    private var drawFramebuffer: GLint = 0, readFramebuffer: GLint = 0, renderbuffer: GLint = 0
    private var program: GLint = 0, vertexArray: GLint = 0, activeTexture: GLint = 0
    private var unpackBuffer: GLint = 0, packBuffer: GLint = 0
    /// Per unit: 2D texture, external texture, sampler object.
    private var textures: InlineArray<2, (GLint, GLint, GLint)> = .init(repeating: (0, 0, 0))

    /// Captures the current context's state (`externalTextures`: whether
    /// GL_TEXTURE_EXTERNAL_OES bindings exist there).
    init(externalTextures: Bool) {
        self.externalTextures = externalTextures
        (drawFramebuffer, readFramebuffer) = (Self.integer(GL_DRAW_FRAMEBUFFER_BINDING), Self.integer(GL_READ_FRAMEBUFFER_BINDING))
        renderbuffer = Self.integer(GL_RENDERBUFFER_BINDING)
        (program, vertexArray) = (Self.integer(GL_CURRENT_PROGRAM), Self.integer(GL_VERTEX_ARRAY_BINDING))
        activeTexture = Self.integer(GL_ACTIVE_TEXTURE)
        (unpackBuffer, packBuffer) = (Self.integer(GL_PIXEL_UNPACK_BUFFER_BINDING), Self.integer(GL_PIXEL_PACK_BUFFER_BINDING))
        withUnsafeMutableBytes(of: &viewport) { glGetIntegerv(GLenum(GL_VIEWPORT), $0.assumingMemoryBound(to: GLint.self).baseAddress) }
        withUnsafeMutableBytes(of: &colorMask) { glGetBooleanv(GLenum(GL_COLOR_WRITEMASK), $0.assumingMemoryBound(to: GLboolean.self).baseAddress) }
        for index in PixelStore.names.indices { pixelStore[index] = Self.integer(Int32(PixelStore.names[index])) }
        for index in Self.switches.indices { enabled[index] = glIsEnabled(Self.switches[index]) == GLboolean(GL_TRUE) }
        for index in Self.units.indices {
            glActiveTexture(GLenum(GL_TEXTURE0) + Self.units[index])
            textures[index] = (
                Self.integer(GL_TEXTURE_BINDING_2D), externalTextures ? Self.integer(GL_TEXTURE_BINDING_EXTERNAL_OES) : 0,
                Self.integer(GL_SAMPLER_BINDING))
        }
    }

    private static func integer(_ name: Int32) -> GLint {
        var value: GLint = 0
        glGetIntegerv(GLenum(name), &value)
        return value
    }

    /// Leaves the context in the state our work expects: no switches, default pixel store,
    /// no pixel buffers or sampler objects, texture unit 0 active, all channels written.
    func neutralize() {
        for index in Self.switches.indices { glDisable(Self.switches[index]) }
        glColorMask(GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE), GLboolean(GL_TRUE))
        PixelStore.setDefaults()
        for index in Self.units.indices { glBindSampler(Self.units[index], 0) }
        glActiveTexture(GLenum(GL_TEXTURE0))
    }

    func restore() {
        for index in Self.units.indices {
            glActiveTexture(GLenum(GL_TEXTURE0) + Self.units[index])
            glBindTexture(GLenum(GL_TEXTURE_2D), GLuint(textures[index].0))
            if externalTextures { glBindTexture(GLenum(GL_TEXTURE_EXTERNAL_OES), GLuint(textures[index].1)) }
            glBindSampler(Self.units[index], GLuint(textures[index].2))
        }
        for index in Self.switches.indices {
            if enabled[index] { glEnable(Self.switches[index]) } else { glDisable(Self.switches[index]) }
        }
        glColorMask(colorMask[0], colorMask[1], colorMask[2], colorMask[3])
        for index in PixelStore.names.indices { glPixelStorei(PixelStore.names[index], pixelStore[index]) }
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), GLuint(drawFramebuffer))
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), GLuint(readFramebuffer))
        glBindRenderbuffer(GLenum(GL_RENDERBUFFER), GLuint(renderbuffer))
        glViewport(viewport[0], viewport[1], viewport[2], viewport[3])
        glUseProgram(GLuint(program))
        glBindVertexArray(GLuint(vertexArray))
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), GLuint(unpackBuffer))
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), GLuint(packBuffer))
        glActiveTexture(GLenum(activeTexture))
    }
}

/// Every pixel-store parameter a transfer obeys, set in full before each of ours: a
/// context may hold any value of any of them (a host's, or our previous transfer's).
enum PixelStore {
    /// The unpack parameters, then the pack parameters.
    static let names: InlineArray<10, GLenum> = [
        GLenum(GL_UNPACK_ROW_LENGTH), GLenum(GL_UNPACK_IMAGE_HEIGHT), GLenum(GL_UNPACK_SKIP_ROWS),
        GLenum(GL_UNPACK_SKIP_PIXELS), GLenum(GL_UNPACK_SKIP_IMAGES), GLenum(GL_UNPACK_ALIGNMENT),
        GLenum(GL_PACK_ROW_LENGTH), GLenum(GL_PACK_SKIP_ROWS), GLenum(GL_PACK_SKIP_PIXELS), GLenum(GL_PACK_ALIGNMENT),
    ]
    /// GL's initial values, in the order of `names`.
    private static let defaults: InlineArray<10, GLint> = [0, 0, 0, 0, 0, 4, 0, 0, 0, 4]

    static func setDefaults() {
        for index in names.indices { glPixelStorei(names[index], defaults[index]) }
        glBindBuffer(GLenum(GL_PIXEL_UNPACK_BUFFER), 0)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), 0)
    }

    /// Uploads read client memory rows `rowLength` texels apart, byte-aligned, from the
    /// first pixel on.
    static func forUpload(rowLength: GLint) {
        setDefaults()
        glPixelStorei(GLenum(GL_UNPACK_ALIGNMENT), 1)
        glPixelStorei(GLenum(GL_UNPACK_ROW_LENGTH), rowLength)
    }

    /// Readbacks write client memory rows `rowLength` pixels apart, from the first on.
    static func forReadback(rowLength: GLint) {
        setDefaults()
        glPixelStorei(GLenum(GL_PACK_ROW_LENGTH), rowLength)
    }
}
