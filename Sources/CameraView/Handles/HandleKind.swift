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
}
