import CEGL

/// The typed kinds of every object the library creates (`Owned<Kind>`).
protocol GLNameKind: ContextBoundKind where Raw == GLuint {}
extension GLNameKind {
    static func ledgerValues(_ raw: GLuint, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64) { (UInt64(raw), 0) }
}

enum TextureKind: GLNameKind { static let kind = HandleKind.texture }
enum FramebufferKind: GLNameKind { static let kind = HandleKind.framebuffer }
enum RenderbufferKind: GLNameKind { static let kind = HandleKind.renderbuffer }
enum VertexArrayKind: GLNameKind { static let kind = HandleKind.vertexArray }
enum ShaderKind: GLNameKind { static let kind = HandleKind.shader }
enum ProgramKind: GLNameKind { static let kind = HandleKind.program }

typealias GLTexture = Owned<TextureKind>
typealias GLFramebuffer = Owned<FramebufferKind>
typealias GLRenderbuffer = Owned<RenderbufferKind>
typealias GLVertexArray = Owned<VertexArrayKind>
typealias GLShader = Owned<ShaderKind>
typealias GLProgram = Owned<ProgramKind>

/// EGL objects on the scope's display (recorded with it, for the destroy call).
protocol EGLObjectKind: TrackedKind where Raw == UnsafeMutableRawPointer {}
extension EGLObjectKind {
    static func ledgerValues(_ raw: UnsafeMutableRawPointer, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64) {
        (UInt64(pointer: raw), UInt64(pointer: display))
    }
}

enum EGLImageKind: EGLObjectKind, ContextBoundKind { static let kind = HandleKind.eglImage }
enum EGLSurfaceKind: EGLObjectKind, ContextBoundKind { static let kind = HandleKind.eglSurface }
enum EGLContextKind: EGLObjectKind, UnboundKind { static let kind = HandleKind.eglContext }
/// An initialized display (`eglInitialize`), terminated at release.
enum EGLDisplayKind: EGLObjectKind, UnboundKind { static let kind = HandleKind.eglDisplay }

typealias OwnedEGLImage = Owned<EGLImageKind>
typealias OwnedEGLSurface = Owned<EGLSurfaceKind>
typealias OwnedEGLContext = Owned<EGLContextKind>
typealias OwnedEGLDisplay = Owned<EGLDisplayKind>

protocol GBMObjectKind: UnboundKind where Raw == OpaquePointer {}
extension GBMObjectKind {
    static func ledgerValues(_ raw: OpaquePointer, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64) {
        (UInt64(pointer: raw), 0)
    }
}

enum GBMDeviceKind: GBMObjectKind { static let kind = HandleKind.gbmDevice }
enum GBMSurfaceKind: GBMObjectKind { static let kind = HandleKind.gbmSurface }
enum GBMBoKind: GBMObjectKind { static let kind = HandleKind.gbmBo }

typealias OwnedGBMDevice = Owned<GBMDeviceKind>
typealias OwnedGBMSurface = Owned<GBMSurfaceKind>
typealias OwnedGBMBo = Owned<GBMBoKind>

enum FDKind: UnboundKind {
    static let kind = HandleKind.fd
    static func ledgerValues(_ raw: Int32, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64) { (UInt64(raw), 0) }
}
typealias OwnedFD = Owned<FDKind>

/// An `mmap`ed range, unmapped at release.
enum MemoryMappingKind: UnboundKind {
    static let kind = HandleKind.memoryMapping
    static func ledgerValues(_ raw: UnsafeMutableRawBufferPointer, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64) {
        (UInt64(pointer: raw.baseAddress), UInt64(raw.count))
    }
}
typealias OwnedMapping = Owned<MemoryMappingKind>

/// A `gbm_bo_map` of a bo: where the pixels are, and what `gbm_bo_unmap` needs.
struct GBMBoMapping: BitwiseCopyable {
    let address: UnsafeMutableRawPointer
    let stride: Int
    let bo: OpaquePointer
    let mapData: UnsafeMutableRawPointer?
}

enum GBMMappingKind: UnboundKind {
    static let kind = HandleKind.gbmMapping
    static func ledgerValues(_ raw: GBMBoMapping, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64) {
        (UInt64(pointer: raw.mapData), UInt64(pointer: raw.bo))
    }
}
typealias OwnedGBMMapping = Owned<GBMMappingKind>
