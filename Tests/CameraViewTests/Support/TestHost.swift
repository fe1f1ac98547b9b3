import CameraView
import CEGL
import HostHarness

/// A stand-in compositor: a `HostContext` with deliberately unusual GL state that a view
/// must leave untouched.
final class TestHost {
    private let host: HostContext
    private var clutter: (program: GLuint, vertexArray: GLuint, textures: [GLuint], sampler: GLuint, buffers: [GLuint], renderbuffer: GLuint) = (0, 0, [], 0, [], 0)

    /// Every pixel-store parameter, each at a value that moves or cuts a transfer: a view
    /// that relied on GL's defaults would read or write outside its buffers.
    static let hostilePixelStore: [(name: Int32, value: GLint)] = [
        (GL_UNPACK_ROW_LENGTH, 13), (GL_UNPACK_IMAGE_HEIGHT, 7), (GL_UNPACK_SKIP_ROWS, 3), (GL_UNPACK_SKIP_PIXELS, 5),
        (GL_UNPACK_SKIP_IMAGES, 2), (GL_UNPACK_ALIGNMENT, 8), (GL_PACK_ROW_LENGTH, 17), (GL_PACK_SKIP_ROWS, 4),
        (GL_PACK_SKIP_PIXELS, 6), (GL_PACK_ALIGNMENT, 2),
    ]

    var display: EGLDisplay { host.display }
    var context: EGLContext { host.context }
    var size: PixelSize { host.size }
    var framebuffer: GLuint { host.framebuffer }

    /// `displayOwner` must stay open while the host lives: it keeps the display initialized.
    init(displayOwner: RenderDevice, size: PixelSize) throws {
        host = try HostContext(displayOwner: displayOwner, size: size)
    }

    func makeCurrent() { host.makeCurrent() }
    func readPixels() -> RGBAImage { host.readPixels() }

    /// Binds and enables things a compositor might have in place mid-frame; with
    /// `pixelBuffers`, pixel buffers of both directions too (a transfer under them goes to
    /// the buffer, so the pixel-store values alone are tested without them).
    func clutterState(pixelBuffers: Bool = true) {
        makeCurrent()
        var textures = [GLuint](repeating: 0, count: 3)
        glGenTextures(3, &textures)
        for (unit, texture) in textures.enumerated() {
            glActiveTexture(GLenum(GL_TEXTURE0) + GLenum(unit))
            glBindTexture(GLenum(GL_TEXTURE_2D), texture)
        }
        var vertexArray: GLuint = 0, sampler: GLuint = 0, buffers: [GLuint] = [0, 0], renderbuffer: GLuint = 0
        glGenVertexArrays(1, &vertexArray)
        glBindVertexArray(vertexArray)
        glGenSamplers(1, &sampler)
        glBindSampler(0, sampler)
        glBindSampler(1, sampler)
        glGenBuffers(2, &buffers)
        for (target, buffer) in zip([GL_PIXEL_UNPACK_BUFFER, GL_PIXEL_PACK_BUFFER], buffers) {
            glBindBuffer(GLenum(target), buffer)
            glBufferData(GLenum(target), 64, nil, GLenum(GL_STATIC_DRAW))
            if !pixelBuffers { glBindBuffer(GLenum(target), 0) }
        }
        glGenRenderbuffers(1, &renderbuffer)
        glBindRenderbuffer(GLenum(GL_RENDERBUFFER), renderbuffer)
        let program = Self.linkedProgram()
        glUseProgram(program)
        glActiveTexture(GLenum(GL_TEXTURE2))
        glEnable(GLenum(GL_BLEND))
        glBlendFunc(GLenum(GL_ZERO), GLenum(GL_ONE))
        glEnable(GLenum(GL_SCISSOR_TEST))
        glScissor(0, 0, 1, 1)
        glEnable(GLenum(GL_CULL_FACE))
        glCullFace(GLenum(GL_FRONT_AND_BACK))
        glColorMask(GLboolean(GL_TRUE), GLboolean(GL_FALSE), GLboolean(GL_TRUE), GLboolean(GL_TRUE))
        glViewport(3, 5, 7, 11)
        for (name, value) in Self.hostilePixelStore { glPixelStorei(GLenum(name), value) }
        glBindFramebuffer(GLenum(GL_READ_FRAMEBUFFER), 0)
        glBindFramebuffer(GLenum(GL_DRAW_FRAMEBUFFER), framebuffer)
        clutter = (program, vertexArray, textures, sampler, buffers, renderbuffer)
    }

    /// A linked (so bindable) program of the host's own: a view must put it back.
    private static func linkedProgram() -> GLuint {
        func shader(_ type: Int32, _ source: String) -> GLuint {
            let shader = glCreateShader(GLenum(type))
            source.withCString { text in
                var pointer: UnsafePointer<GLchar>? = text
                glShaderSource(shader, 1, &pointer, nil)
            }
            glCompileShader(shader)
            return shader
        }
        let vertex = shader(GL_VERTEX_SHADER, "#version 300 es\nvoid main() { gl_Position = vec4(0.0); }\n")
        let fragment = shader(GL_FRAGMENT_SHADER, "#version 300 es\nprecision mediump float;\nout vec4 c;\nvoid main() { c = vec4(1.0); }\n")
        let program = glCreateProgram()
        glAttachShader(program, vertex)
        glAttachShader(program, fragment)
        glLinkProgram(program)
        glDeleteShader(vertex)
        glDeleteShader(fragment)
        var linked: GLint = 0
        glGetProgramiv(program, GLenum(GL_LINK_STATUS), &linked)
        precondition(linked == GL_TRUE, "the test host's program did not link")
        return program
    }

    /// Everything `clutterState` set, read back.
    func stateSignature() -> [String: [Int32]] {
        func integers(_ name: Int32, _ count: Int = 1) -> [Int32] {
            var values = [GLint](repeating: -1, count: count)
            glGetIntegerv(GLenum(name), &values)
            return values
        }
        var signature: [String: [Int32]] = [
            "draw framebuffer": integers(GL_DRAW_FRAMEBUFFER_BINDING), "read framebuffer": integers(GL_READ_FRAMEBUFFER_BINDING),
            "viewport": integers(GL_VIEWPORT, 4), "scissor box": integers(GL_SCISSOR_BOX, 4),
            "program": integers(GL_CURRENT_PROGRAM), "vertex array": integers(GL_VERTEX_ARRAY_BINDING),
            "active texture": integers(GL_ACTIVE_TEXTURE), "unpack buffer": integers(GL_PIXEL_UNPACK_BUFFER_BINDING),
            "pack buffer": integers(GL_PIXEL_PACK_BUFFER_BINDING), "renderbuffer": integers(GL_RENDERBUFFER_BINDING),
            "blend dst": integers(GL_BLEND_DST_RGB),
        ]
        for (name, _) in Self.hostilePixelStore { signature["pixel store \(name)"] = integers(name) }
        for name in [GL_BLEND, GL_SCISSOR_TEST, GL_CULL_FACE, GL_DEPTH_TEST] {
            signature["enabled \(name)"] = [Int32(glIsEnabled(GLenum(name)))]
        }
        var mask = [GLboolean](repeating: 0, count: 4)
        glGetBooleanv(GLenum(GL_COLOR_WRITEMASK), &mask)
        signature["color mask"] = mask.map { Int32($0) }
        let active = integers(GL_ACTIVE_TEXTURE)[0]
        for unit in 0..<3 {
            glActiveTexture(GLenum(GL_TEXTURE0) + GLenum(unit))
            signature["texture unit \(unit)"] = integers(GL_TEXTURE_BINDING_2D) + integers(GL_SAMPLER_BINDING)
        }
        glActiveTexture(GLenum(active))
        return signature
    }

    /// Deletes the clutter, then the host's framebuffer and context.
    func destroy() {
        host.destroy {
            var textures = clutter.textures
            glDeleteTextures(GLsizei(textures.count), &textures)
            glDeleteVertexArrays(1, &clutter.vertexArray)
            glDeleteSamplers(1, &clutter.sampler)
            glDeleteBuffers(GLsizei(clutter.buffers.count), &clutter.buffers)
            glDeleteRenderbuffers(1, &clutter.renderbuffer)
            glUseProgram(0)
            glDeleteProgram(clutter.program)
        }
    }
}
