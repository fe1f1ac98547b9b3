// A host that embeds CameraView in its own EGL context: it makes a GLES 3 context beside
// CameraView's on the same display and a framebuffer of its own, adopts them, draws two
// camera views side by side, reads back and checks a pixel of each. Prints "ok".
import CameraView
import CameraViewGL

struct Failure: Error, CustomStringConvertible { let description: String }

/// A flat NV12 frame: Y everywhere, neutral chroma (grey `luma` in BT.601 full range).
func flatFrame(width: Int, height: Int, luma: UInt8) throws -> NV12Frame {
    let layout = try NV12Layout(width: width, height: height)
    var bytes = [UInt8](repeating: 128, count: layout.bufferSize)
    for index in 0..<width * height { bytes[index] = luma }
    return try NV12Frame(bytes: bytes, layout: layout)
}

let (width, height) = (128, 48)
let device = try RenderDevice.open()                     // CameraView's display (GBM or surfaceless)
guard let display = device.eglDisplay else { fatalError("an own device always has its EGL display") }
let attributes: [EGLint] = [EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE]
guard let context = eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes) else {
    throw Failure(description: "eglCreateContext failed: \(eglGetError())")
}
eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context)
var renderbuffer: GLuint = 0, framebuffer: GLuint = 0
glGenRenderbuffers(1, &renderbuffer)
glBindRenderbuffer(GLenum(GL_RENDERBUFFER), renderbuffer)
glRenderbufferStorage(GLenum(GL_RENDERBUFFER), GLenum(GL_RGBA8), GLsizei(width), GLsizei(height))
glGenFramebuffers(1, &framebuffer)
glBindFramebuffer(GLenum(GL_FRAMEBUFFER), framebuffer)
glFramebufferRenderbuffer(GLenum(GL_FRAMEBUFFER), GLenum(GL_COLOR_ATTACHMENT0), GLenum(GL_RENDERBUFFER), renderbuffer)

// The host's context, adopted: CameraView draws into the host's framebuffer in it.
let host = try RenderDevice.adopting(display: display, context: context)
let left = try CameraView(device: host), right = try CameraView(device: host)
var leftHalf = RenderTarget.host(HostFramebuffer(framebuffer: framebuffer, viewport: PixelRect(x: 0, y: 0, width: 64, height: 48)))
var rightHalf = RenderTarget.host(HostFramebuffer(framebuffer: framebuffer, viewport: PixelRect(x: 64, y: 0, width: 64, height: 48)))
try left.render(.memory(flatFrame(width: 64, height: 48, luma: 60)), into: &leftHalf)
try right.render(.memory(flatFrame(width: 64, height: 48, luma: 200)), into: &rightHalf)

var pixels = [UInt8](repeating: 0, count: width * height * 4)
glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), framebuffer)
glReadPixels(0, 0, GLsizei(width), GLsizei(height), GLenum(GL_RGBA), GLenum(GL_UNSIGNED_BYTE), &pixels)
let (leftPixel, rightPixel) = (Array(pixels[0..<4]), Array(pixels[64 * 4..<65 * 4]))
guard leftPixel == [60, 60, 60, 255], rightPixel == [200, 200, 200, 255] else {
    throw Failure(description: "left pixel \(leftPixel), right pixel \(rightPixel)")
}

for view in [left, right] { view.close() }
host.close()
glDeleteFramebuffers(1, &framebuffer)
glDeleteRenderbuffers(1, &renderbuffer)
eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
eglDestroyContext(display, context)
device.close()
print("ok")
