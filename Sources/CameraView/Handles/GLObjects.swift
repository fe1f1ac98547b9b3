import CEGL

/// GL names: generated and deleted with their context current. After a delete, GL is
/// asked whether the object is gone (glDelete* reports nothing for a name it ignored);
/// shaders attached to a program and programs in use are only flagged for deletion
/// (GL_DELETE_STATUS) and go with their user.
protocol GLNameKind: ContextBoundKind where Raw == GLuint {
    static func delete(_ name: GLuint)
    static func exists(_ name: GLuint) -> Bool
    /// Exists from its creation on (programs, shaders): one the current context does not
    /// know is another context's, and is not deleted.
    static var checkedBeforeDeletion: Bool { get }
    /// Only flagged by its delete while something still uses it.
    static func flaggedForDeletion(_ name: GLuint) -> Bool
}

extension GLNameKind {
    static var needsCurrentContext: Bool { true }
    static var checkedBeforeDeletion: Bool { false }
    static func flaggedForDeletion(_ name: GLuint) -> Bool { false }
    static func reported(_ raw: GLuint) -> UInt64 { UInt64(raw) }

    static func destroy(_ name: GLuint, display: EGLDisplay?) -> String? {
        if checkedBeforeDeletion, !exists(name) { return "not deleted: \(kind) \(name) is no object of the current context" }
        delete(name)
        let code = glGetError()
        guard code == GLenum(GL_NO_ERROR) else { return "glDelete failed: \(GLErrorName.name(of: code))" }
        guard exists(name), !flaggedForDeletion(name) else { return nil }
        return "glDelete left the object in place"
    }

    /// GL_DELETE_STATUS of a shader or program.
    fileprivate static func deleteStatus(_ query: (GLuint, GLenum, UnsafeMutablePointer<GLint>?) -> Void, _ name: GLuint) -> Bool {
        var status: GLint = 0
        query(name, GLenum(GL_DELETE_STATUS), &status)
        return status == GL_TRUE
    }
}

enum TextureKind: GLNameKind {
    static let kind = HandleKind.texture
    static func delete(_ name: GLuint) { withUnsafePointer(to: name) { glDeleteTextures(1, $0) } }
    static func exists(_ name: GLuint) -> Bool { glIsTexture(name) == GLboolean(GL_TRUE) }
}

enum FramebufferKind: GLNameKind {
    static let kind = HandleKind.framebuffer
    static func delete(_ name: GLuint) { withUnsafePointer(to: name) { glDeleteFramebuffers(1, $0) } }
    static func exists(_ name: GLuint) -> Bool { glIsFramebuffer(name) == GLboolean(GL_TRUE) }
}

enum RenderbufferKind: GLNameKind {
    static let kind = HandleKind.renderbuffer
    static func delete(_ name: GLuint) { withUnsafePointer(to: name) { glDeleteRenderbuffers(1, $0) } }
    static func exists(_ name: GLuint) -> Bool { glIsRenderbuffer(name) == GLboolean(GL_TRUE) }
}

enum VertexArrayKind: GLNameKind {
    static let kind = HandleKind.vertexArray
    static func delete(_ name: GLuint) { withUnsafePointer(to: name) { glDeleteVertexArrays(1, $0) } }
    static func exists(_ name: GLuint) -> Bool { glIsVertexArray(name) == GLboolean(GL_TRUE) }
}

enum ShaderKind: GLNameKind {
    static let kind = HandleKind.shader
    static let checkedBeforeDeletion = true
    static func delete(_ name: GLuint) { glDeleteShader(name) }
    static func exists(_ name: GLuint) -> Bool { glIsShader(name) == GLboolean(GL_TRUE) }
    static func flaggedForDeletion(_ name: GLuint) -> Bool { deleteStatus(glGetShaderiv, name) }
}

enum ProgramKind: GLNameKind {
    static let kind = HandleKind.program
    static let checkedBeforeDeletion = true
    static func delete(_ name: GLuint) { glDeleteProgram(name) }
    static func exists(_ name: GLuint) -> Bool { glIsProgram(name) == GLboolean(GL_TRUE) }
    static func flaggedForDeletion(_ name: GLuint) -> Bool { deleteStatus(glGetProgramiv, name) }
}

typealias GLTexture = Owned<TextureKind>
typealias GLFramebuffer = Owned<FramebufferKind>
typealias GLRenderbuffer = Owned<RenderbufferKind>
typealias GLVertexArray = Owned<VertexArrayKind>
typealias GLShader = Owned<ShaderKind>
typealias GLProgram = Owned<ProgramKind>

/// The only ways GL names are generated (`HandleTable.create`).
extension Creation where Kind == TextureKind {
    static var texture: Creation { Creation("glGenTextures") { _ in try GLCheck.generated("glGenTextures") { glGenTextures(1, &$0) } } }
}

extension Creation where Kind == FramebufferKind {
    static var framebuffer: Creation { Creation("glGenFramebuffers") { _ in try GLCheck.generated("glGenFramebuffers") { glGenFramebuffers(1, &$0) } } }
}

extension Creation where Kind == RenderbufferKind {
    static var renderbuffer: Creation { Creation("glGenRenderbuffers") { _ in try GLCheck.generated("glGenRenderbuffers") { glGenRenderbuffers(1, &$0) } } }
}

extension Creation where Kind == VertexArrayKind {
    static var vertexArray: Creation { Creation("glGenVertexArrays") { _ in try GLCheck.generated("glGenVertexArrays") { glGenVertexArrays(1, &$0) } } }
}

extension Creation where Kind == ShaderKind {
    static func shader(_ type: GLenum) -> Creation {
        Creation("glCreateShader") { _ in try GLCheck.generated("glCreateShader") { $0 = glCreateShader(type) } }
    }
}

extension Creation where Kind == ProgramKind {
    static var program: Creation { Creation("glCreateProgram") { _ in try GLCheck.generated("glCreateProgram") { $0 = glCreateProgram() } } }
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
