import CEGL
import CV4L2
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
        // Programs, shaders and syncs exist from their creation on: one that the current
        // context does not know is another context's (or gone), and is not deleted here.
        if [.program, .shader, .sync].contains(record.kind), !exists(record.kind, name: name, sync: OpaquePointer(pointer)) {
            return "not deleted: \(record.kind) \(name) is no object of the current context"
        }
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
        case .gemHandle:
            var close = drm_gem_close(handle: UInt32(truncatingIfNeeded: record.raw), pad: 0)
            return drmIoctl(Int32(truncatingIfNeeded: record.auxiliary), cv_DRM_IOCTL_GEM_CLOSE, &close) == 0 ? nil : errnoReason("DRM_IOCTL_GEM_CLOSE")
        // A camera that went away (ENODEV) stopped its stream and frees its buffers with
        // the file; there is nothing left to release.
        case .v4l2Buffers:
            // auxiliary: the buffer type in the low 32 bits, the memory kind in the high.
            var request = v4l2_requestbuffers()
            (request.count, request.type, request.memory) = (0, UInt32(truncatingIfNeeded: record.auxiliary), UInt32(truncatingIfNeeded: record.auxiliary >> 32))
            return cv_v4l2_ioctl(Int32(truncatingIfNeeded: record.raw), cv_VIDIOC_REQBUFS, &request) == 0 || errno == ENODEV ? nil : errnoReason("VIDIOC_REQBUFS 0")
        case .v4l2Streaming:
            var type = Int32(truncatingIfNeeded: record.auxiliary)
            return cv_v4l2_ioctl(Int32(truncatingIfNeeded: record.raw), cv_VIDIOC_STREAMOFF, &type) == 0 || errno == ENODEV ? nil : errnoReason("VIDIOC_STREAMOFF")
        }
        guard record.kind.needsCurrentContext else { return nil }
        let code = glGetError()
        guard code == GLenum(GL_NO_ERROR) else { return "glDelete failed: \(GLErrorName.name(of: code))" }
        // glDelete* reports nothing for a name it ignored: ask whether the object is gone
        // (shaders attached to a program and programs in use are only flagged for deletion,
        // GL_DELETE_STATUS, and go with their user).
        guard exists(record.kind, name: name, sync: OpaquePointer(pointer)) else { return nil }
        let flagged: Bool = switch record.kind {
        case .shader: deleteStatus(glGetShaderiv, name)
        case .program: deleteStatus(glGetProgramiv, name)
        default: false
        }
        return flagged ? nil : "glDelete left the object in place"
    }

    private static func exists(_ kind: HandleKind, name: GLuint, sync: OpaquePointer?) -> Bool {
        let answer: GLboolean = switch kind {
        case .texture: glIsTexture(name)
        case .framebuffer: glIsFramebuffer(name)
        case .renderbuffer: glIsRenderbuffer(name)
        case .buffer: glIsBuffer(name)
        case .vertexArray: glIsVertexArray(name)
        case .sync: glIsSync(sync)
        case .shader: glIsShader(name)
        case .program: glIsProgram(name)
        default: GLboolean(GL_FALSE)
        }
        return answer == GLboolean(GL_TRUE)
    }

    private static func deleteStatus(_ query: (GLuint, GLenum, UnsafeMutablePointer<GLint>?) -> Void, _ name: GLuint) -> Bool {
        var status: GLint = 0
        query(name, GLenum(GL_DELETE_STATUS), &status)
        return status == GL_TRUE
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
