import CEGL

/// The compiled NV12 -> RGBA program, built once per device and shared by its views.
struct NV12Program {
    let program: HandleRecord
    let outputToFrame: GLint
    let frameSize: GLint
    let outputSize: GLint
    let yuvToRgb: GLint
    let yuvOffset: GLint

    var name: GLuint { GLuint(program.raw) }

    /// Needs the device context current.
    init(table: HandleTable, destroyer: HandleDestroyer) throws {
        let vertex = try Self.compile(GLenum(GL_VERTEX_SHADER), "vertex", ShaderSources.fullscreenVert, table: table, destroyer: destroyer)
        defer { table.release(vertex, using: destroyer) }
        let fragment = try Self.compile(GLenum(GL_FRAGMENT_SHADER), "fragment", ShaderSources.nv12PlanesFrag, table: table, destroyer: destroyer)
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
        glUniform1i(glGetUniformLocation(name, "u_luma"), 0)
        glUniform1i(glGetUniformLocation(name, "u_chroma"), 1)
        glUseProgram(0)
        self.program = program
        outputToFrame = glGetUniformLocation(name, "u_outputToFrame")
        frameSize = glGetUniformLocation(name, "u_frameSize")
        outputSize = glGetUniformLocation(name, "u_outputSize")
        yuvToRgb = glGetUniformLocation(name, "u_yuvToRgb")
        yuvOffset = glGetUniformLocation(name, "u_yuvOffset")
        do {
            try GLCheck.noError("linking the NV12 program")
        } catch {
            table.release(program, using: destroyer)
            throw error
        }
    }

    func release(table: HandleTable, destroyer: HandleDestroyer) {
        table.release(program, using: destroyer)
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
