import CEGL
import Logging

/// Every failure the library reports. GPU failures carry the EGL or GL error code and the
/// operation that produced it.
public enum CameraViewError: Error, Equatable, Sendable {
    /// The frame description or its bytes are unusable; nothing was sent to the GPU.
    case invalidFrame(FrameLayoutError)
    /// An EGL call failed; `code` is eglGetError()'s value (e.g. 0x3003, EGL_BAD_ALLOC).
    case egl(operation: String, code: Int32)
    /// A GL call failed; `code` is glGetError()'s value (e.g. 0x0505, GL_OUT_OF_MEMORY).
    case gl(operation: String, code: UInt32)
    /// No EGL platform could be opened; one entry per platform tried, with the reason.
    case noUsablePlatform([PlatformAttempt])
    /// `CAMERAVIEW_PLATFORM` (or an explicit choice) names no known platform.
    case unknownPlatform(String)
    case shaderCompile(stage: String, log: String)
    case programLink(log: String)
    /// The frame or output is larger than the GPU's GL_MAX_TEXTURE_SIZE / renderbuffer size.
    case exceedsDeviceLimit(width: Int, height: Int, limit: Int)
    case invalidOutputSize(width: Int, height: Int)
    /// A frame transform (or zoom 0) that maps the frame to nothing.
    case singularTransform(Matrix3)
    /// RGBA pixels that do not match their stated size.
    case invalidImage(width: Int, height: Int, byteCount: Int)
    /// The view (or device reference) was closed; it cannot render any more.
    case closed
    /// A file operation failed with `errno`.
    case io(operation: String, path: String, errno: Int32)
    /// A frame source is not there (yet, or any more).
    case sourceUnavailable(name: String)
    /// Device buffers and GBM surfaces exist only on the GBM platform.
    case needsGBMPlatform(what: String, platform: Platform)
    /// A forced dma-buf import path does not work on this device.
    case importPathUnavailable(path: ImportPath, reason: String)
    /// `render(_:into:)` into a `HostFramebuffer` on a view whose device was not made with
    /// `RenderDevice.adopting`: the host's framebuffer name would be bound in our own context.
    case hostDrawNeedsAdoptedDevice
    /// The host's framebuffer cannot be drawn into: not a framebuffer in its context, or
    /// not complete (`status` names glCheckFramebufferStatus's answer).
    case incompleteFramebuffer(framebuffer: UInt32, status: String)
    case png(path: String, message: String)
    /// A camera cannot do what was asked (not a capture device, no NV12, a size or rate it
    /// refused, a buffer it reported broken).
    case camera(device: String, problem: String)
    /// No frame came from the camera within the wait.
    case cameraTimeout(device: String, milliseconds: Int)
    /// A frame of library-owned buffers (a camera's, a device buffer's) that were released
    /// since: its fds may name other buffers now, so it is not read.
    case staleFrame(bufferIndex: Int)
    /// The frame's buffer was rewritten by its producer while it was read (VisionIPC has no
    /// lock: the frame-id trailer changed from `frameID` to `found`); nothing was drawn.
    case tornFrame(bufferIndex: Int, frameID: UInt64, found: UInt64)
    /// By the end of the read every other buffer of the frame's producer held a newer frame
    /// (up to `newest`): it fills them round robin, so its next write went to this buffer
    /// and may have begun during the read, which no trailer shows yet; nothing was drawn.
    case overtakenFrame(bufferIndex: Int, frameID: UInt64, newest: UInt64)
    /// The file behind the frame's shared buffer shrank while it was mapped (its producer
    /// truncated it): the read faulted, zero pages stand in, and nothing was drawn.
    case bufferTruncated(bufferIndex: Int)
    /// `RenderDevice.adoptingCurrent()` found no EGL or GLX context current on the calling thread.
    case noCurrentContext
    /// The context is older than the library's shaders need (OpenGL ES 3.0; `version` is
    /// its GL_VERSION): a host whose driver gives an ES 2.0 context only, found when the
    /// context is adopted, not at a first frame's shader compile.
    case unsupportedContext(version: String)
    /// A VisionIPC server (a peer process: its answers, buffers and queue) sent something
    /// the protocol does not allow, or does not answer. The peer's fault, not the caller's:
    /// the connection it concerns is dropped and tried again later.
    case peer(server: String, problem: String)
}

extension CameraViewError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidFrame(let error): "invalid frame: \(error)"
        case let .egl(operation, code): "\(operation) failed: \(EGLErrorName.name(of: code))"
        case let .gl(operation, code): "\(operation) failed: \(GLErrorName.name(of: code))"
        case .noUsablePlatform(let attempts):
            "no usable EGL platform: " + attempts.map(\.description).joined(separator: "; ")
        case .unknownPlatform(let name):
            "unknown platform '\(name)' (expected one of: \(Platform.selectable.map(\.rawValue).joined(separator: ", ")))"
        case let .shaderCompile(stage, log): "\(stage) shader failed to compile: \(log)"
        case .programLink(let log): "shader program failed to link: \(log)"
        case let .exceedsDeviceLimit(width, height, limit): "\(width)x\(height) exceeds the device limit of \(limit) pixels per side"
        case let .invalidOutputSize(width, height): "invalid output size \(width)x\(height)"
        case .singularTransform(let matrix): "the frame transform is singular: \(matrix.rows)"
        case let .invalidImage(width, height, byteCount): "\(byteCount) bytes is not a \(width)x\(height) RGBA image"
        case .closed: "the view or device was already closed"
        case let .io(operation, path, errno): "\(operation) \(path): \(String(cString: strerror(errno)))"
        case .sourceUnavailable(let name): "frame source \(name) is unavailable"
        case let .needsGBMPlatform(what, platform): "\(what) need the GBM platform; this device is \(platform.rawValue)"
        case let .importPathUnavailable(path, reason): "the \(path.rawValue) import path is unavailable: \(reason)"
        case .hostDrawNeedsAdoptedDevice: "drawing into a host framebuffer needs a device adopting the host's context (RenderDevice.adopting)"
        case let .png(path, message): "PNG \(path): \(message)"
        case let .incompleteFramebuffer(framebuffer, status): "framebuffer \(framebuffer) cannot be drawn into: \(status)"
        case let .camera(device, problem): "camera \(device): \(problem)"
        case let .cameraTimeout(device, milliseconds): "camera \(device): no frame within \(milliseconds) ms"
        case .staleFrame(let index): "the frame's buffers (buffer \(index)) were released with their stream or owner; take a new frame"
        case let .tornFrame(index, frameID, found): "buffer \(index) was rewritten while it was read (frame \(frameID), now \(found)): torn, not drawn"
        case let .overtakenFrame(index, frameID, newest):
            "buffer \(index) (frame \(frameID)) was read after the server had filled every other buffer (up to frame \(newest)): its next frame may have been written into it meanwhile; not drawn"
        case .bufferTruncated(let index): "buffer \(index) was truncated by its producer while it was mapped: not drawn"
        case let .peer(server, problem): "VisionIPC server \(server): \(problem)"
        case .noCurrentContext: "no EGL or GLX context is current on the calling thread"
        case .unsupportedContext(let version): "the context is \(version); CameraView needs OpenGL ES 3.0 or later"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Names for EGL error codes, so messages read "EGL_BAD_ALLOC (0x3003)".
enum EGLErrorName {
    static func name(of code: Int32) -> String {
        let names: [Int32: String] = [
            EGL_SUCCESS: "EGL_SUCCESS", EGL_NOT_INITIALIZED: "EGL_NOT_INITIALIZED",
            EGL_BAD_ACCESS: "EGL_BAD_ACCESS", EGL_BAD_ALLOC: "EGL_BAD_ALLOC",
            EGL_BAD_ATTRIBUTE: "EGL_BAD_ATTRIBUTE", EGL_BAD_CONFIG: "EGL_BAD_CONFIG",
            EGL_BAD_CONTEXT: "EGL_BAD_CONTEXT", EGL_BAD_CURRENT_SURFACE: "EGL_BAD_CURRENT_SURFACE",
            EGL_BAD_DISPLAY: "EGL_BAD_DISPLAY", EGL_BAD_MATCH: "EGL_BAD_MATCH",
            EGL_BAD_NATIVE_PIXMAP: "EGL_BAD_NATIVE_PIXMAP", EGL_BAD_NATIVE_WINDOW: "EGL_BAD_NATIVE_WINDOW",
            EGL_BAD_PARAMETER: "EGL_BAD_PARAMETER", EGL_BAD_SURFACE: "EGL_BAD_SURFACE",
            EGL_CONTEXT_LOST: "EGL_CONTEXT_LOST",
        ]
        return "\(names[code] ?? "EGL error") (0x\(String(code, radix: 16)))"
    }
}

/// Names for GL error codes, so messages read "GL_OUT_OF_MEMORY (0x505)".
enum FramebufferStatusName {
    static func name(of status: UInt32) -> String {
        let names: [Int32: String] = [
            GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT: "GL_FRAMEBUFFER_INCOMPLETE_ATTACHMENT",
            GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT: "GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT",
            GL_FRAMEBUFFER_INCOMPLETE_DIMENSIONS: "GL_FRAMEBUFFER_INCOMPLETE_DIMENSIONS",
            GL_FRAMEBUFFER_UNSUPPORTED: "GL_FRAMEBUFFER_UNSUPPORTED",
            GL_FRAMEBUFFER_INCOMPLETE_MULTISAMPLE: "GL_FRAMEBUFFER_INCOMPLETE_MULTISAMPLE",
            GL_FRAMEBUFFER_UNDEFINED: "GL_FRAMEBUFFER_UNDEFINED",
        ]
        return "\(names[Int32(bitPattern: status)] ?? "status") (0x\(String(status, radix: 16)))"
    }
}

enum GLErrorName {
    static func name(of code: UInt32) -> String {
        let names: [Int32: String] = [
            GL_NO_ERROR: "GL_NO_ERROR", GL_INVALID_ENUM: "GL_INVALID_ENUM",
            GL_INVALID_VALUE: "GL_INVALID_VALUE", GL_INVALID_OPERATION: "GL_INVALID_OPERATION",
            GL_OUT_OF_MEMORY: "GL_OUT_OF_MEMORY",
            GL_INVALID_FRAMEBUFFER_OPERATION: "GL_INVALID_FRAMEBUFFER_OPERATION",
        ]
        return "\(names[Int32(bitPattern: code)] ?? "GL error") (0x\(String(code, radix: 16)))"
    }
}

/// The library's logger, made at each use so a host's `LoggingSystem.bootstrap` applies
/// whenever it happens (logging here is rare: caller bugs and cleanup failures).
package var log: Logger { Logger(label: "CameraView") }
