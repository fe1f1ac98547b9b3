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
/// by the device's views.
struct NV12Program {
    let mode: SamplingMode
    let program: HandleRecord
    let outputToFrame: GLint
    let frameSize: GLint
    let outputSize: GLint
    /// Per-pixel variants: the matrix and offset.
    let yuvToRgb: GLint
    let yuvOffset: GLint
    /// The packed variant: `OutputCodeCoefficients`.
    let lumaScale: GLint
    let cbScale: GLint
    let crScale: GLint
    let bias: GLint

    var name: GLuint { GLuint(program.raw) }

    /// `packedRows`: rows per fragment of the packed program. Needs the device context current.
    init(mode: SamplingMode, packedRows: Int, table: HandleTable, destroyer: HandleDestroyer) throws {
        let vertex = try Self.compile(GLenum(GL_VERTEX_SHADER), "vertex", ShaderSources.fullscreenVert, table: table, destroyer: destroyer)
        defer { table.release(vertex, using: destroyer) }
        let source = mode == .packedPlanes
            ? Self.variant(ShaderSources.nv12PackedFrag, defining: "ROWS \(packedRows)")
            : Self.variant(ShaderSources.nv12Frag, defining: mode.rawValue)
        let fragment = try Self.compile(
            GLenum(GL_FRAGMENT_SHADER), "fragment (\(mode.rawValue))", source, table: table, destroyer: destroyer)
        defer { table.release(fragment, using: destroyer) }

        let program = try table.makeProgram()
        let name = GLuint(program.raw)
        glAttachShader(name, GLuint(vertex.raw))
        glAttachShader(name, GLuint(fragment.raw))
        glLinkProgram(name)
        var linked: GLint = 0
        glGetProgramiv(name, GLenum(GL_LINK_STATUS), &linked)
        guard linked == GL_TRUE else {
            let message = Self.infoLog(name, glGetProgramiv, glGetProgramInfoLog)
            table.release(program, using: destroyer)
            throw CameraViewError.programLink(log: message)
        }
        glUseProgram(name)
        for (unit, sampler) in ["u_luma", "u_chroma"].enumerated() {
            glUniform1i(glGetUniformLocation(name, sampler), GLint(unit))
        }
        glUniform1i(glGetUniformLocation(name, "u_image"), 0)
        glUseProgram(0)
        self.mode = mode
        self.program = program
        outputToFrame = glGetUniformLocation(name, "u_outputToFrame")
        frameSize = glGetUniformLocation(name, "u_frameSize")
        outputSize = glGetUniformLocation(name, "u_outputSize")
        yuvToRgb = glGetUniformLocation(name, "u_yuvToRgb")
        yuvOffset = glGetUniformLocation(name, "u_yuvOffset")
        lumaScale = glGetUniformLocation(name, "u_lumaScale")
        cbScale = glGetUniformLocation(name, "u_cbScale")
        crScale = glGetUniformLocation(name, "u_crScale")
        bias = glGetUniformLocation(name, "u_bias")
        do {
            try GLCheck.noError("linking the NV12 program (\(mode.rawValue))")
        } catch {
            table.release(program, using: destroyer)
            throw error
        }
    }

    func release(table: HandleTable, destroyer: HandleDestroyer) {
        table.release(program, using: destroyer)
    }

    /// The source with `#define MACRO` inserted after its `#version` line.
    private static func variant(_ source: String, defining macro: String) -> String {
        guard let versionEnd = source.firstIndex(of: "\n") else { return source }
        return source[...versionEnd] + "#define \(macro)\n" + source[source.index(after: versionEnd)...]
    }

    private static func compile(
        _ type: GLenum, _ stage: String, _ source: String, table: HandleTable, destroyer: HandleDestroyer
    ) throws -> HandleRecord {
        let shader = try table.makeShader(type: type)
        let name = GLuint(shader.raw)
        source.withCString { text in
            var pointer: UnsafePointer<GLchar>? = text
            glShaderSource(name, 1, &pointer, nil)
        }
        glCompileShader(name)
        var compiled: GLint = 0
        glGetShaderiv(name, GLenum(GL_COMPILE_STATUS), &compiled)
        guard compiled == GL_TRUE else {
            let message = infoLog(name, glGetShaderiv, glGetShaderInfoLog)
            table.release(shader, using: destroyer)
            throw CameraViewError.shaderCompile(stage: stage, log: message)
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
