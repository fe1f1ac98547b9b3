import CEGL

/// How the conversion shader reads a frame; each is one compiled variant of nv12.frag.
enum SamplingMode: String, CaseIterable, Sendable {
    /// R8UI + RG8UI textures filled by upload: exact 8-bit codes.
    case integerPlanes = "INTEGER_PLANES"
    /// R8 + GR88 textures bound to per-plane dma-buf EGLImages.
    case normalizedPlanes = "NORMALIZED_PLANES"
    /// One NV12 EGLImage on GL_TEXTURE_EXTERNAL_OES, converted by the driver.
    case externalImage = "EXTERNAL_IMAGE"
    /// Four pixels per RGBA8UI texel, several rows per fragment, into RGBA32UI targets:
    /// untransformed 1:1 frames (nv12_packed.frag).
    case packedPlanes = "PACKED_PLANES"

    var textureTarget: GLenum {
        self == .externalImage ? GLenum(GL_TEXTURE_EXTERNAL_OES) : GLenum(GL_TEXTURE_2D)
    }
}

/// One compiled NV12 -> RGBA program, built once per device and sampling mode and shared
/// by the device's views. A final class that owns exactly one program object, so the
/// device can keep it in a dictionary.
final class NV12Program {
    let mode: SamplingMode
    private var program: GLProgram?
    let name: GLuint
    let outputToFrame: GLint
    let frameSize: GLint
    let outputSize: GLint
    /// Per-pixel variants: the matrix and offset.
    let yuvToRgb: GLint
    let yuvOffset: GLint
    let filter: GLint
    let chromaOrigin: GLint
    /// The packed variant: `OutputCodeCoefficients`.
    let lumaScale: GLint
    let cbScale: GLint
    let crScale: GLint
    let bias: GLint

    /// `packedRows`: rows per fragment of the packed program.
    init(mode: SamplingMode, packedRows: Int, table: HandleTable, in scope: borrowing ContextScope) throws {
        let source = mode == .packedPlanes
            ? Self.variant(ShaderSources.nv12PackedFrag, defining: "ROWS \(packedRows)")
            : Self.variant(ShaderSources.nv12Frag, defining: mode.rawValue)
        let vertex = try Self.compile(GLenum(GL_VERTEX_SHADER), "vertex", ShaderSources.fullscreenVert, table: table, in: scope)
        let fragment: GLShader
        do {
            fragment = try Self.compile(GLenum(GL_FRAGMENT_SHADER), "fragment (\(mode.rawValue))", source, table: table, in: scope)
        } catch {
            vertex.release(in: scope)
            throw error
        }
        let program: GLProgram
        do {
            program = try Self.link(vertex: vertex.raw, fragment: fragment.raw, mode: mode, table: table, in: scope)
        } catch {
            fragment.release(in: scope)
            vertex.release(in: scope)
            throw error
        }
        fragment.release(in: scope)
        vertex.release(in: scope)
        let name = program.raw
        self.mode = mode
        self.name = name
        self.program = consume program
        outputToFrame = glGetUniformLocation(name, "u_outputToFrame")
        frameSize = glGetUniformLocation(name, "u_frameSize")
        outputSize = glGetUniformLocation(name, "u_outputSize")
        yuvToRgb = glGetUniformLocation(name, "u_yuvToRgb")
        yuvOffset = glGetUniformLocation(name, "u_yuvOffset")
        filter = glGetUniformLocation(name, "u_filter")
        chromaOrigin = glGetUniformLocation(name, "u_chromaOrigin")
        lumaScale = glGetUniformLocation(name, "u_lumaScale")
        cbScale = glGetUniformLocation(name, "u_cbScale")
        crScale = glGetUniformLocation(name, "u_crScale")
        bias = glGetUniformLocation(name, "u_bias")
    }

    func release(in scope: borrowing ContextScope) { program.take()?.release(in: scope) }

    /// See `Owned.abandon`.
    func abandon() { program.take()?.abandon() }

    /// Links the two shaders into a new program with its samplers' units set.
    private static func link(
        vertex: GLuint, fragment: GLuint, mode: SamplingMode, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLProgram {
        let program = try table.makeProgram(in: scope)
        let name = program.raw
        glAttachShader(name, vertex)
        glAttachShader(name, fragment)
        glLinkProgram(name)
        var linked: GLint = 0
        glGetProgramiv(name, GLenum(GL_LINK_STATUS), &linked)
        do {
            try FaultInjection.step(operation: "glLinkProgram", kind: .program)
            guard linked == GL_TRUE else { throw CameraViewError.programLink(log: infoLog(name, glGetProgramiv, glGetProgramInfoLog)) }
            glUseProgram(name)
            for (unit, sampler) in ["u_luma", "u_chroma"].enumerated() {
                glUniform1i(glGetUniformLocation(name, sampler), GLint(unit))
            }
            glUniform1i(glGetUniformLocation(name, "u_image"), 0)
            glUseProgram(0)
            try GLCheck.noError("linking the NV12 program (\(mode.rawValue))")
        } catch {
            program.release(in: scope)
            throw error
        }
        return program
    }

    /// The source with `#define MACRO` inserted after its `#version` line.
    private static func variant(_ source: String, defining macro: String) -> String {
        guard let versionEnd = source.firstIndex(of: "\n") else { return source }
        return source[...versionEnd] + "#define \(macro)\n" + source[source.index(after: versionEnd)...]
    }

    private static func compile(
        _ type: GLenum, _ stage: String, _ source: String, table: HandleTable, in scope: borrowing ContextScope
    ) throws -> GLShader {
        let shader = try table.makeShader(type: type, in: scope)
        let name = shader.raw
        source.withCString { text in
            var pointer: UnsafePointer<GLchar>? = text
            glShaderSource(name, 1, &pointer, nil)
        }
        glCompileShader(name)
        var compiled: GLint = 0
        glGetShaderiv(name, GLenum(GL_COMPILE_STATUS), &compiled)
        do {
            try FaultInjection.step(operation: "glCompileShader", kind: .shader)
            guard compiled == GL_TRUE else { throw CameraViewError.shaderCompile(stage: stage, log: infoLog(name, glGetShaderiv, glGetShaderInfoLog)) }
        } catch {
            shader.release(in: scope)
            throw error
        }
        return shader
    }

    private static func infoLog(
        _ name: GLuint,
        _ getParameter: (GLuint, GLenum, UnsafeMutablePointer<GLint>?) -> Void,
        _ getLog: (GLuint, GLsizei, UnsafeMutablePointer<GLsizei>?, UnsafeMutablePointer<GLchar>?) -> Void
    ) -> String {
        var length: GLint = 0
        getParameter(name, GLenum(GL_INFO_LOG_LENGTH), &length)
        guard length > 0 else { return "(no log)" }
        var buffer = [GLchar](repeating: 0, count: Int(length))
        getLog(name, length, nil, &buffer)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
