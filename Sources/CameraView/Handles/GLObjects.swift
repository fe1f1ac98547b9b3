import CEGL

/// The only places GL names are generated: each becomes an owner recorded in the table.
extension HandleTable {
    func makeTexture(in scope: borrowing ContextScope, file: String = #fileID, line: Int = #line, function: String = #function) throws -> GLTexture {
        try create(TextureKind.self, in: scope, operation: "glGenTextures", file: file, line: line, function: function) {
            try GLCheck.generated("glGenTextures") { glGenTextures(1, &$0) }
        }
    }

    func makeFramebuffer(in scope: borrowing ContextScope, file: String = #fileID, line: Int = #line, function: String = #function) throws -> GLFramebuffer {
        try create(FramebufferKind.self, in: scope, operation: "glGenFramebuffers", file: file, line: line, function: function) {
            try GLCheck.generated("glGenFramebuffers") { glGenFramebuffers(1, &$0) }
        }
    }

    func makeRenderbuffer(in scope: borrowing ContextScope, file: String = #fileID, line: Int = #line, function: String = #function) throws -> GLRenderbuffer {
        try create(RenderbufferKind.self, in: scope, operation: "glGenRenderbuffers", file: file, line: line, function: function) {
            try GLCheck.generated("glGenRenderbuffers") { glGenRenderbuffers(1, &$0) }
        }
    }

    func makeVertexArray(in scope: borrowing ContextScope, file: String = #fileID, line: Int = #line, function: String = #function) throws -> GLVertexArray {
        try create(VertexArrayKind.self, in: scope, operation: "glGenVertexArrays", file: file, line: line, function: function) {
            try GLCheck.generated("glGenVertexArrays") { glGenVertexArrays(1, &$0) }
        }
    }

    func makeShader(type: GLenum, in scope: borrowing ContextScope, file: String = #fileID, line: Int = #line, function: String = #function) throws -> GLShader {
        try create(ShaderKind.self, in: scope, operation: "glCreateShader", file: file, line: line, function: function) {
            try GLCheck.generated("glCreateShader") { $0 = glCreateShader(type) }
        }
    }

    func makeProgram(in scope: borrowing ContextScope, file: String = #fileID, line: Int = #line, function: String = #function) throws -> GLProgram {
        try create(ProgramKind.self, in: scope, operation: "glCreateProgram", file: file, line: line, function: function) {
            try GLCheck.generated("glCreateProgram") { $0 = glCreateProgram() }
        }
    }
}

enum GLCheck {
    /// Throws the pending GL error, if any, attributed to `operation` (the step that
    /// filled, attached or linked an object: fault injection can fail it here).
    static func noError(_ operation: String) throws {
        try FaultInjection.step(operation: operation)
        let code = glGetError()
        guard code == GLenum(GL_NO_ERROR) else { throw CameraViewError.gl(operation: operation, code: code) }
    }

    /// Clears errors left by someone else so they are not blamed on our next call.
    static func discardPendingErrors() {
        var guardCount = 0
        while glGetError() != GLenum(GL_NO_ERROR), guardCount < 16 { guardCount += 1 }
    }

    /// Runs a glGen*/glCreate* call and returns the new name. Only name 0 is a failure: an
    /// error left pending by an earlier call must not throw away a real name (it would
    /// exist unrecorded), so pending errors are cleared first and a name is always kept.
    static func generated(_ operation: String, _ generate: (inout GLuint) -> Void) throws -> GLuint {
        discardPendingErrors()
        var name: GLuint = 0
        generate(&name)
        guard name != 0 else {
            let code = glGetError()
            throw CameraViewError.gl(operation: operation, code: code == GLenum(GL_NO_ERROR) ? UInt32(GL_OUT_OF_MEMORY) : code)
        }
        return name
    }
}
