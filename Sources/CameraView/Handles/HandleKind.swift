/// Every kind of object the library creates and must delete.
public enum HandleKind: String, CaseIterable, Sendable, Codable, Comparable {
    case fd
    case gbmDevice
    case gbmSurface
    case gbmBo
    case eglDisplay
    case eglContext
    case eglSurface
    case eglImage
    case texture
    case framebuffer
    case renderbuffer
    case buffer
    case vertexArray
    case shader
    case program
    case sync

    public static func < (lhs: HandleKind, rhs: HandleKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// GL objects need the owning context current to be deleted.
    var isGLObject: Bool {
        switch self {
        case .texture, .framebuffer, .renderbuffer, .buffer, .vertexArray, .shader, .program, .sync: true
        default: false
        }
    }
}
