import CEGL

/// The only places GL names are generated: each goes through the table's `create`.
extension HandleTable {
    func makeTexture(file: String = #fileID, line: Int = #line, function: String = #function) throws -> HandleRecord {
        try create(.texture, operation: "glGenTextures", file: file, line: line, function: function) {
            try GLCheck.generated("glGenTextures") { glGenTextures(1, &$0) }
        }
    }

    func makeFramebuffer(file: String = #fileID, line: Int = #line, function: String = #function) throws -> HandleRecord {
        try create(.framebuffer, operation: "glGenFramebuffers", file: file, line: line, function: function) {
            try GLCheck.generated("glGenFramebuffers") { glGenFramebuffers(1, &$0) }
        }
    }

    func makeRenderbuffer(file: String = #fileID, line: Int = #line, function: String = #function) throws -> HandleRecord {
        try create(.renderbuffer, operation: "glGenRenderbuffers", file: file, line: line, function: function) {
            try GLCheck.generated("glGenRenderbuffers") { glGenRenderbuffers(1, &$0) }
        }
    }

    func makeVertexArray(file: String = #fileID, line: Int = #line, function: String = #function) throws -> HandleRecord {
        try create(.vertexArray, operation: "glGenVertexArrays", file: file, line: line, function: function) {
            try GLCheck.generated("glGenVertexArrays") { glGenVertexArrays(1, &$0) }
        }
    }

    func makeShader(type: GLenum, file: String = #fileID, line: Int = #line, function: String = #function) throws -> HandleRecord {
        try create(.shader, operation: "glCreateShader", file: file, line: line, function: function) {
            try GLCheck.generated("glCreateShader") { $0 = glCreateShader(type) }
        }
    }

    func makeProgram(file: String = #fileID, line: Int = #line, function: String = #function) throws -> HandleRecord {
        try create(.program, operation: "glCreateProgram", file: file, line: line, function: function) {
            try GLCheck.generated("glCreateProgram") { $0 = glCreateProgram() }
        }
    }
}

enum GLCheck {
    /// Throws the pending GL error, if any, attributed to `operation`.
    static func noError(_ operation: String) throws {
        let code = glGetError()
        guard code == GLenum(GL_NO_ERROR) else { throw CameraViewError.gl(operation: operation, code: code) }
    }

    /// Clears errors left by someone else so they are not blamed on our next call.
    static func discardPendingErrors() {
        var guardCount = 0
        while glGetError() != GLenum(GL_NO_ERROR), guardCount < 16 { guardCount += 1 }
    }

    /// Runs a glGen*/glCreate* call and returns the new name; name 0 is a failure.
    static func generated(_ operation: String, _ generate: (inout GLuint) -> Void) throws -> UInt64 {
        var name: GLuint = 0
        generate(&name)
        try noError(operation)
        guard name != 0 else { throw CameraViewError.gl(operation: operation, code: UInt32(GL_OUT_OF_MEMORY)) }
        return UInt64(name)
    }
}
