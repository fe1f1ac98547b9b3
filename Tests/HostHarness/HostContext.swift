import CameraView
import CEGL

/// A compositor's side of an embedding, for the tests and the benchmarks alike: its own
/// GLES 3 context on a device's display and an RGBA8 framebuffer it composes into.
public final class HostContext {
    public let display: EGLDisplay
    public let context: EGLContext
    public let size: PixelSize
    public private(set) var framebuffer: GLuint = 0
    private var renderbuffer: GLuint = 0

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `displayOwner` must stay open while the host lives: it keeps the display initialized.
    /// The framebuffer starts cleared to (0.2, 0.4, 0.6, 1).
    public init(displayOwner: RenderDevice, size: PixelSize) throws {
        guard let display = displayOwner.eglDisplay else { throw Failure(description: "the device has no EGL display") }
        self.display = display
        self.size = size
        let attributes: [EGLint] = [EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE]
        guard let context = eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes) else {
            throw Failure(description: "host eglCreateContext: \(eglGetError())")
        }
        self.context = context
        makeCurrent()
        glGenRenderbuffers(1, &renderbuffer)
        glBindRenderbuffer(GLenum(GL_RENDERBUFFER), renderbuffer)
        glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(GL_RGBA8), GLsizei(size.width), GLsizei(size.height))
        glGenFramebuffers(1, &framebuffer)
        glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
        glFramebufferRenderbuffer(GLenum(GL_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_RENDERBUFFER), renderbuffer)
        glClearColor(0.2, 0.4, 0.6, 1)
        glClear(GLbitfield(GL_COLOR_BUFFER_BIT))
    }

    public func makeCurrent() {
        eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context)
    }

    /// The whole framebuffer.
    public var framebufferTarget: HostFramebuffer {
        HostFramebuffer(framebuffer: framebuffer, viewport: PixelRect(x: 0, y: 0, width: size.width, height: size.height))
    }

    /// The whole framebuffer as a render target.
    public var target: RenderTarget { .host(framebufferTarget) }

    /// The framebuffer's pixels, GL's bottom row first, with the host's state undisturbed.
    public func readPixels() -> RGBAImage {
        makeCurrent()
        // Every pack parameter, the read binding and the pack buffer, set for this read and put back.
        let plain: [(name: Int32, value: GLint)] = [(GL_PACK_ROW_LENGTH, 0), (GL_PACK_SKIP_ROWS, 0), (GL_PACK_SKIP_PIXELS, 0), (GL_PACK_ALIGNMENT, 4)]
        let saved = plain.map { name, value in
            var old: GLint = 0
            glGetIntegerv(GLenum(name), &old)
            glPixelStorei(GLenum(name), value)
            return (name: name, value: old)
        }
        var readBinding: GLint = 0, packBuffer: GLint = 0
        glGetIntegerv(GLenum(GL_READ_FRAMEBUFFER_BINDING), &readBinding)
        glGetIntegerv(GLenum(GL_PIXEL_PACK_BUFFER_BINDING), &packBuffer)
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebuffer)
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), 0)
        var pixels = [UInt8](repeating: 0, count: size.width * size.height * 4)
        glReadPixels(0, 0, GLsizei(size.width), GLsizei(size.height), GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), &pixels)
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), GLuint(readBinding))
        glBindBuffer(GLenum(GL_PIXEL_PACK_BUFFER), GLuint(packBuffer))
        for (name, value) in saved { glPixelStorei(GLenum(name), value) }
        return try! RGBAImage(width: size.width, height: size.height, pixels: pixels)
    }

    /// Deletes the framebuffer and the context (`beforeRelease` runs with it current,
    /// for the caller's own objects).
    public func destroy(beforeRelease: () -> Void = {}) {
        makeCurrent()
        beforeRelease()
        glDeleteFramebuffers(1, &framebuffer)
        glDeleteRenderbuffers(1, &renderbuffer)
        eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
        eglDestroyContext(display, context)
    }
}
