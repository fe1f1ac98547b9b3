import CEGL
import Glibc

/// EGL objects on the scope's display, destroyed on it.
protocol EGLObjectKind: TrackedKind where Raw == UnsafeMutableRawPointer {}
extension EGLObjectKind {
    static func reported(_ raw: UnsafeMutableRawPointer) -> UInt64 { UInt64(pointer: raw) }

    static func result(_ operation: String, _ result: EGLBoolean) -> String? {
        result == EGL_TRUE ? nil : "\(operation) failed: \(EGLErrorName.name(of: eglGetError()))"
    }
}

enum EGLImageKind: EGLObjectKind, ContextBoundKind {
    static let kind = HandleKind.eglImage
    static let dependsOnDevice = true
    static func destroy(_ image: UnsafeMutableRawPointer, display: EGLDisplay?) -> String? {
        result("eglDestroyImage", eglDestroyImage(display, image))
    }
}

enum EGLSurfaceKind: EGLObjectKind, ContextBoundKind {
    static let kind = HandleKind.eglSurface
    static let dependsOnDevice = true
    static func destroy(_ surface: UnsafeMutableRawPointer, display: EGLDisplay?) -> String? {
        result("eglDestroySurface", eglDestroySurface(display, surface))
    }
}

enum EGLContextKind: EGLObjectKind, UnboundKind {
    static let kind = HandleKind.eglContext
    static func destroy(_ context: UnsafeMutableRawPointer, display: EGLDisplay?) -> String? {
        if eglGetCurrentContext() == context {
            eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
        }
        return result("eglDestroyContext", eglDestroyContext(display, context))
    }
}

/// An initialized display (`eglInitialize`), terminated at release.
enum EGLDisplayKind: EGLObjectKind, UnboundKind {
    static let kind = HandleKind.eglDisplay
    static func destroy(_ display: UnsafeMutableRawPointer, display _: EGLDisplay?) -> String? {
        result("eglTerminate", eglTerminate(display))
    }
}

typealias OwnedEGLImage = Owned<EGLImageKind>
typealias OwnedEGLSurface = Owned<EGLSurfaceKind>
typealias OwnedEGLContext = Owned<EGLContextKind>
typealias OwnedEGLDisplay = Owned<EGLDisplayKind>

/// The only ways EGL objects are created or a display initialized; each is given the
/// display it is made on.
extension Creation where Kind == EGLDisplayKind {
    /// The display initialized; its release terminates it.
    static var initialized: Creation { Creation("eglInitialize") { display in
        var major: EGLint = 0, minor: EGLint = 0
        guard let display, eglInitialize(display, &major, &minor) == EGL_TRUE else {
            throw CameraViewError.egl(operation: "eglInitialize", code: eglGetError())
        }
        return display
    } }
}

extension Creation where Kind == EGLContextKind {
    /// A GLES 3.0 context with no config (EGL_KHR_no_config_context: FBO rendering only).
    static var context: Creation { Creation("eglCreateContext") { display in
        let attributes: [EGLint] = [EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE]
        guard let context = eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes) else {
            throw CameraViewError.egl(operation: "eglCreateContext", code: eglGetError())
        }
        return context
    } }
}

extension Creation where Kind == EGLImageKind {
    /// A dma-buf EGLImage from `attributes` (EGL_NONE-terminated here).
    static func dmaBufImage(attributes: [(Int32, Int)]) -> Creation {
        let list = attributes.flatMap { [EGLAttrib($0.0), EGLAttrib($0.1)] } + [EGLAttrib(EGL_NONE)]
        return Creation("eglCreateImage(EGL_LINUX_DMA_BUF_EXT)") { display in
            guard let image = eglCreateImage(display, cv_EGL_NO_CONTEXT, EGLenum(EGL_LINUX_DMA_BUF_EXT), nil, list) else {
                throw CameraViewError.egl(operation: "eglCreateImage(EGL_LINUX_DMA_BUF_EXT)", code: eglGetError())
            }
            return image
        }
    }
}

extension Creation where Kind == EGLSurfaceKind {
    static func windowSurface(config: EGLConfig, native: UnsafeMutableRawPointer) -> Creation {
        nonisolated(unsafe) let (config, native) = (config, native)
        return Creation("eglCreatePlatformWindowSurface") { display in
            guard let surface = eglCreatePlatformWindowSurface(display, config, native, nil) else {
                throw CameraViewError.egl(operation: "eglCreatePlatformWindowSurface", code: eglGetError())
            }
            return surface
        }
    }
}

extension HandleTable {
    /// Initializes a display EGL shares process-wide without reference counting. It is
    /// never terminated (that would end every other user's initialization too) and so is
    /// no object of any table: like the pinned DRI driver, it lives as long as the process.
    /// A failure goes through the fault-injection checkpoint like a creation.
    func initializeShared(_ display: EGLDisplay, file: String = #fileID, line: Int = #line, function: String = #function) throws {
        try FaultInjection.checkpoint(kind: .eglDisplay, operation: "eglInitialize", site: CreationSite(file: file, line: line, function: function))
        var major: EGLint = 0, minor: EGLint = 0
        guard eglInitialize(display, &major, &minor) == EGL_TRUE else {
            throw CameraViewError.egl(operation: "eglInitialize", code: eglGetError())
        }
    }
}

/// Keeps Mesa's DRI driver loaded for the life of the process. eglTerminate unloads it and
/// the next eglInitialize reloads it, which leaks a pthread_once block per cycle in Mesa
/// 22.3; re-opening the already loaded driver with RTLD_NODELETE makes that unload a no-op
/// (Weston's CI does the same).
enum DriverPin {
    private static let pinned = Locked<Set<String>>([])

    /// Pins every `*_dri.so` currently loaded. Call after eglInitialize.
    static func pinLoadedDrivers() {
        for path in loadedDriverPaths() {
            let isNew = pinned.withLock { $0.insert(path).inserted }
            guard isNew else { continue }
            // The handle is deliberately never closed: pinning is the point.
            if dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == nil {
                log.warning("could not pin DRI driver \(path)")
            }
        }
    }

    /// The DRI drivers mapped into this process, from /proc/self/maps.
    private static func loadedDriverPaths() -> Set<String> {
        guard let bytes = try? readFile("/proc/self/maps") else { return [] }
        let maps = String(decoding: bytes, as: UTF8.self)
        return Set(maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init)
        }.filter { $0.hasSuffix("_dri.so") })
    }
}

/// What is current on the calling thread besides EGL.
enum HostContext {
    typealias CurrentContext = @convention(c) () -> UnsafeMutableRawPointer?
    /// libGLX's glXGetCurrentContext, once a host has loaded libGLX (GLFW and SDL load it
    /// privately for an X11 window, so it is looked up in libGLX itself). The handle stays
    /// open for the process: a GLX host keeps libGLX loaded anyway.
    private static let getCurrent = Locked<CurrentContext?>(nil)

    /// The GLX context current on the calling thread, if any.
    static var currentGLXContext: UnsafeMutableRawPointer? {
        let function = getCurrent.withLock { cached -> CurrentContext? in
            if cached == nil, let library = dlopen("libGLX.so.0", RTLD_NOW | RTLD_NOLOAD),
               let symbol = dlsym(library, "glXGetCurrentContext") {
                cached = unsafeBitCast(symbol, to: CurrentContext.self)
            }
            return cached
        }
        return function?()
    }
}
