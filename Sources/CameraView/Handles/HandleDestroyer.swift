import CEGL
import Glibc

/// Deletes one recorded object with the call that matches its kind. GL kinds need the
/// owner's context current, which every caller guarantees by running inside
/// `DeviceCore.withContext`. Sendable: the display pointer is immutable.
struct HandleDestroyer: @unchecked Sendable {
    let display: EGLDisplay?

    func destroy(_ record: HandleRecord) {
        let pointer = UnsafeMutableRawPointer(bitPattern: UInt(record.raw))
        var name = GLuint(truncatingIfNeeded: record.raw)
        switch record.kind {
        case .fd: close(Int32(truncatingIfNeeded: record.raw))
        case .gbmDevice: gbm_device_destroy(OpaquePointer(pointer))
        case .gbmSurface: gbm_surface_destroy(OpaquePointer(pointer))
        case .gbmBo: gbm_bo_destroy(OpaquePointer(pointer))
        case .eglDisplay: eglTerminate(pointer)
        case .eglContext:
            if eglGetCurrentContext() == pointer {
                eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
            }
            eglDestroyContext(display, pointer)
        case .eglSurface: eglDestroySurface(display, pointer)
        case .eglImage: eglDestroyImage(display, pointer)
        case .texture: glDeleteTextures(1, &name)
        case .framebuffer: glDeleteFramebuffers(1, &name)
        case .renderbuffer: glDeleteRenderbuffers(1, &name)
        case .buffer: glDeleteBuffers(1, &name)
        case .vertexArray: glDeleteVertexArrays(1, &name)
        case .shader: glDeleteShader(name)
        case .program: glDeleteProgram(name)
        case .sync: glDeleteSync(OpaquePointer(pointer))
        }
    }
}

extension UInt64 {
    /// The bits of an EGL/GBM pointer, as a handle table stores them.
    init(pointer: UnsafeRawPointer?) { self.init(UInt(bitPattern: pointer)) }
    init(pointer: OpaquePointer?) { self.init(UInt(bitPattern: UnsafeRawPointer(pointer))) }
}
