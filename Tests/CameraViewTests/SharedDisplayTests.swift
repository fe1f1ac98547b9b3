import CameraView
import CEGL
import Testing

/// EGL hands one surfaceless display to every caller in the process, and eglInitialize is
/// not reference counted: a device that terminated it on its last close would end a host's
/// own use of it.
@Suite(.ledgerChecked) struct SharedDisplayTests {
    /// A host initializes the display itself and draws with its own context while our
    /// devices open and close 100 times: its context stays current-able and drawing.
    @Test func aHostsOwnInitializationOutlivesOurDevices() async {
        // In a process of its own: our devices must be the only ones, so each close is the last.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let display = try #require(eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_SURFACELESS_MESA), cv_EGL_DEFAULT_DISPLAY, nil))
                var major: EGLint = 0, minor: EGLint = 0
                try #require(eglInitialize(display, &major, &minor) == EGL_TRUE)
                try #require(eglBindAPI(EGLenum(EGL_OPENGL_ES_API)) == EGL_TRUE)
                let attributes: [EGLint] = [EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE]
                let context = try #require(eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes))
                var renderbuffer: GLuint = 0, framebuffer: GLuint = 0
                func hostDraws(_ value: UInt8) -> Bool {
                    guard eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context) == EGL_TRUE else { return false }
                    glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
                    glClearColor(GLfloat(value) / 255, 0, 0, 1)
                    glClear(GLbitfield(GL_COLOR_BUFFER_BIT))
                    var pixel: [UInt8] = [0, 0, 0, 0]
                    glReadPixels(0, 0, 1, 1, GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), &pixel)
                    let drawn = glGetError() == GLenum(GL_NO_ERROR) && pixel == [value, 0, 0, 255]
                    return eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT) == EGL_TRUE && drawn
                }
                try #require(eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context) == EGL_TRUE)
                glGenRenderbuffers(1, &renderbuffer)
                glBindRenderbuffer(GLenum(GL_RENDERBUFFER), renderbuffer)
                glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(GL_RGBA8), 4, 4)
                glGenFramebuffers(1, &framebuffer)
                glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
                glFramebufferRenderbuffer(GLenum(GL_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_RENDERBUFFER), renderbuffer)
                eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
                let frame = try TestFrames.gradient(width: 16, height: 16)
                for cycle in 0..<100 {
                    let device = try RenderDevice.open(platform: .surfaceless)
                    let view = try CameraView(device: device)
                    _ = try view.render(.memory(frame))
                    #expect(view.close().isClean)
                    #expect(device.close().isClean)
                    guard hostDraws(UInt8(cycle + 1)) else {
                        Issue.record("after our device's close \(cycle + 1) the host cannot draw (EGL error 0x\(String(eglGetError(), radix: 16)))")
                        return
                    }
                }
            }
        }
    }

    /// The bound client API is per thread: a desktop-GL host's thread keeps EGL_OPENGL_API
    /// after we make our GLES context on it. In a child process so that the device is
    /// opened (not joined) here.
    @Test func openingADeviceLeavesTheThreadsBoundAPI() async {
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                try #require(eglBindAPI(EGLenum(EGL_OPENGL_API)) == EGL_TRUE)
                let device = try RenderDevice.open(platform: .surfaceless)
                #expect(eglQueryAPI() == EGLenum(EGL_OPENGL_API), "bound API 0x\(String(eglQueryAPI(), radix: 16))")
                #expect(device.close().isClean)
            }
        }
    }
}
