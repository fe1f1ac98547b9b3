import CEGL
import Glibc

/// The one place recorded objects are deleted, with the call that matches their kind, and
/// the result of that call checked. GL kinds need the owner's context current, which the
/// ledger guarantees (it runs them only for a `ContextScope` holder).
enum HandleDestroyer {
    /// Deletes `record`; returns why it failed, or nil.
    static func destroy(_ record: HandleRecord) -> String? {
        let pointer = UnsafeMutableRawPointer(bitPattern: UInt(record.raw))
        let display = UnsafeMutableRawPointer(bitPattern: UInt(record.auxiliary))
        var name = GLuint(truncatingIfNeeded: record.raw)
        switch record.kind {
        case .fd:
            // On Linux the fd is gone even when close reports EINTR.
            return close(Int32(truncatingIfNeeded: record.raw)) == 0 || errno == EINTR ? nil : errnoReason("close")
        case .memoryMapping:
            return munmap(pointer, Int(record.auxiliary)) == 0 ? nil : errnoReason("munmap")
        case .gbmMapping:
            gbm_bo_unmap(OpaquePointer(display), pointer)
        case .gbmDevice: gbm_device_destroy(OpaquePointer(pointer))
        case .gbmSurface: gbm_surface_destroy(OpaquePointer(pointer))
        case .gbmBo: gbm_bo_destroy(OpaquePointer(pointer))
        case .eglDisplay: return eglResult("eglTerminate", eglTerminate(pointer))
        case .eglContext:
            if eglGetCurrentContext() == pointer {
                eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
            }
            return eglResult("eglDestroyContext", eglDestroyContext(display, pointer))
        case .eglSurface: return eglResult("eglDestroySurface", eglDestroySurface(display, pointer))
        case .eglImage: return eglResult("eglDestroyImage", eglDestroyImage(display, pointer))
        case .texture: glDeleteTextures(1, &name)
        case .framebuffer: glDeleteFramebuffers(1, &name)
        case .renderbuffer: glDeleteRenderbuffers(1, &name)
        case .buffer: glDeleteBuffers(1, &name)
        case .vertexArray: glDeleteVertexArrays(1, &name)
        case .shader: glDeleteShader(name)
        case .program: glDeleteProgram(name)
        case .sync: glDeleteSync(OpaquePointer(pointer))
        }
        guard record.kind.needsCurrentContext else { return nil }
        let code = glGetError()
        return code == GLenum(GL_NO_ERROR) ? nil : "glDelete failed: \(GLErrorName.name(of: code))"
    }

    private static func eglResult(_ operation: String, _ result: EGLBoolean) -> String? {
        result == EGL_TRUE ? nil : "\(operation) failed: \(EGLErrorName.name(of: eglGetError()))"
    }

    private static func errnoReason(_ operation: String) -> String {
        "\(operation) failed: \(String(cString: strerror(errno)))"
    }
}

extension UInt64 {
    /// The bits of an EGL/GBM pointer, as a handle table stores them.
    init(pointer: UnsafeRawPointer?) { self.init(UInt(bitPattern: pointer)) }
    init(pointer: OpaquePointer?) { self.init(UInt(bitPattern: UnsafeRawPointer(pointer))) }
}
