import CEGL

/// The only places EGL objects are created (or a display initialized).
extension HandleTable {
    /// Initializes `display`; its release terminates it.
    func initialize(_ display: EGLDisplay, file: String = #fileID, line: Int = #line, function: String = #function) throws -> OwnedEGLDisplay {
        try create(EGLDisplayKind.self, display: display, operation: "eglInitialize", file: file, line: line, function: function) {
            var major: EGLint = 0, minor: EGLint = 0
            guard eglInitialize(display, &major, &minor) == EGL_TRUE else {
                throw CameraViewError.egl(operation: "eglInitialize", code: eglGetError())
            }
            return display
        }
    }

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

    /// A GLES 3.0 context with no config (EGL_KHR_no_config_context: FBO rendering only).
    func createContext(on display: EGLDisplay, file: String = #fileID, line: Int = #line, function: String = #function) throws -> OwnedEGLContext {
        try create(EGLContextKind.self, display: display, operation: "eglCreateContext", file: file, line: line, function: function) {
            let attributes: [EGLint] = [EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE]
            guard let context = eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes) else {
                throw CameraViewError.egl(operation: "eglCreateContext", code: eglGetError())
            }
            return context
        }
    }

    /// A dma-buf EGLImage from `attributes` (EGL_NONE-terminated here).
    func createDmaBufImage(
        in scope: borrowing ContextScope, attributes: [(Int32, Int)],
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedEGLImage {
        let display = scope.display
        let list = attributes.flatMap { [EGLAttrib($0.0), EGLAttrib($0.1)] } + [EGLAttrib(EGL_NONE)]
        return try create(EGLImageKind.self, in: scope, operation: "eglCreateImage(EGL_LINUX_DMA_BUF_EXT)", file: file, line: line, function: function) {
            guard let image = eglCreateImage(display, cv_EGL_NO_CONTEXT, EGLenum(EGL_LINUX_DMA_BUF_EXT), nil, list) else {
                throw CameraViewError.egl(operation: "eglCreateImage(EGL_LINUX_DMA_BUF_EXT)", code: eglGetError())
            }
            return image
        }
    }

    func createWindowSurface(
        in scope: borrowing ContextScope, config: EGLConfig, native: UnsafeMutableRawPointer,
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedEGLSurface {
        let display = scope.display
        return try create(EGLSurfaceKind.self, in: scope, operation: "eglCreatePlatformWindowSurface", file: file, line: line, function: function) {
            guard let surface = eglCreatePlatformWindowSurface(display, config, native, nil) else {
                throw CameraViewError.egl(operation: "eglCreatePlatformWindowSurface", code: eglGetError())
            }
            return surface
        }
    }
}
