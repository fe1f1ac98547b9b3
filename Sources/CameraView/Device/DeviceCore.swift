import CEGL
import Foundation

/// The shared EGL display, GLES 3 context and compiled programs behind every
/// `RenderDevice` reference of one platform. All GL work in the process runs inside
/// `withContext`, which serializes it: one context, current on one thread at a time.
final class DeviceCore: @unchecked Sendable {
    // Immutable after init; `lock` serializes every use of the context.
    let platform: Platform
    let display: EGLDisplay
    let context: EGLContext
    let table: HandleTable
    let info: DeviceInfo
    let extensions: EGLExtensions
    /// The GBM device under a GBM-platform display (for test buffers and GBM surfaces).
    let gbmDevice: OpaquePointer?
    let destroyer: HandleDestroyer
    private let lock = NSLock()
    private var isShutDown = false
    /// Compiled on first use of each sampling mode; guarded by `lock`.
    private var programs: [SamplingMode: NV12Program]

    /// Adopts a host's display and context: the host owns them (they are not in the table
    /// and never destroyed here); our programs are created in that context.
    static func adopting(display: EGLDisplay, context: EGLContext) throws -> DeviceCore {
        let table = HandleTable(owner: "RenderDevice(host context)")
        let destroyer = HandleDestroyer(display: display)
        let core = try DeviceCore(adopting: display, context: context, table: table, destroyer: destroyer)
        return core
    }

    private init(adopting display: EGLDisplay, context: EGLContext, table: HandleTable, destroyer: HandleDestroyer) throws {
        (self.platform, self.display, self.context, self.table, self.destroyer) = (.host, display, context, table, destroyer)
        gbmDevice = nil
        let previous = CurrentEGLState.capture()
        if previous.context != context {
            guard eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context) == EGL_TRUE else {
                throw CameraViewError.egl(operation: "eglMakeCurrent (host context)", code: eglGetError())
            }
        }
        defer { if previous.context != context { previous.restore(releasing: display) } }
        info = Self.queryInfo(platform: .host, display: display, drmNode: nil)
        extensions = EGLExtensions(info: info)
        do {
            programs = try Self.uploadPrograms(packedRows: info.packedRows, table: table, destroyer: destroyer)
        } catch {
            table.close(using: destroyer, expectEmpty: false)
            throw error
        }
    }

    static func open(candidates: [Platform]) throws -> DeviceCore {
        var attempts: [PlatformAttempt] = []
        for platform in candidates {
            let table = HandleTable(owner: "RenderDevice(\(platform.rawValue))")
            do {
                return try DeviceCore(platform: platform, table: table)
            } catch {
                table.close(using: HandleDestroyer(display: nil), expectEmpty: false)
                attempts.append(PlatformAttempt(platform: platform, reason: "\(error)"))
            }
        }
        throw CameraViewError.noUsablePlatform(attempts)
    }

    private init(platform: Platform, table: HandleTable) throws {
        let opened = try DisplayOpener.open(platform, table: table)
        let destroyer = HandleDestroyer(display: opened.display)
        do {
            let context = try Self.makeContext(display: opened.display, table: table)
            guard eglMakeCurrent(opened.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context) == EGL_TRUE else {
                throw CameraViewError.egl(operation: "eglMakeCurrent", code: eglGetError())
            }
            defer { eglMakeCurrent(opened.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT) }
            let info = Self.queryInfo(platform: platform, display: opened.display, drmNode: opened.drmNode)
            (self.platform, self.display, self.context, self.table) = (platform, opened.display, context, table)
            (self.info, self.destroyer) = (info, destroyer)
            programs = try Self.uploadPrograms(packedRows: info.packedRows, table: table, destroyer: destroyer)
            extensions = EGLExtensions(info: info)
            gbmDevice = opened.gbmDevice
        } catch {
            // Make the context current so GL objects can be deleted, then delete all.
            if let context = table.records.first(where: { $0.kind == .eglContext }) {
                eglMakeCurrent(opened.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE,
                               UnsafeMutableRawPointer(bitPattern: UInt(context.raw)))
            }
            table.close(using: destroyer, expectEmpty: false)
            throw error
        }
    }

    private static func makeContext(display: EGLDisplay, table: HandleTable) throws -> EGLContext {
        guard eglBindAPI(EGLenum(EGL_OPENGL_ES_API)) == EGL_TRUE else {
            throw CameraViewError.egl(operation: "eglBindAPI", code: eglGetError())
        }
        let record = try table.create(.eglContext, operation: "eglCreateContext", file: #fileID, line: #line, function: #function) {
            let attributes: [EGLint] = [EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE]
            // EGL_KHR_no_config_context: no config needed for FBO rendering.
            guard let context = eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes) else {
                throw CameraViewError.egl(operation: "eglCreateContext", code: eglGetError())
            }
            return UInt64(pointer: context)
        }
        return UnsafeMutableRawPointer(bitPattern: UInt(record.raw))!
    }

    private static func queryInfo(platform: Platform, display: EGLDisplay, drmNode: String?) -> DeviceInfo {
        func eglString(_ name: Int32) -> String {
            eglQueryString(display, name).map { String(cString: $0) } ?? ""
        }
        func glString(_ name: Int32) -> String {
            glGetString(GLenum(name)).map { String(cString: $0) } ?? ""
        }
        func glInteger(_ name: Int32) -> Int {
            var value: GLint = 0
            glGetIntegerv(GLenum(name), &value)
            return Int(value)
        }
        return DeviceInfo(
            platform: platform, drmNode: drmNode,
            eglVendor: eglString(EGL_VENDOR), eglVersion: eglString(EGL_VERSION),
            glRenderer: glString(GL_RENDERER), glVersion: glString(GL_VERSION),
            eglExtensions: eglString(EGL_EXTENSIONS).split(separator: " ").map(String.init),
            glExtensions: glString(GL_EXTENSIONS).split(separator: " ").map(String.init),
            maxTextureSize: glInteger(GL_MAX_TEXTURE_SIZE),
            maxRenderbufferSize: glInteger(GL_MAX_RENDERBUFFER_SIZE),
            maxDrawBuffers: min(glInteger(GL_MAX_DRAW_BUFFERS), glInteger(GL_MAX_COLOR_ATTACHMENTS)))
    }

    /// Runs `body` with the device context current on this thread (drawing to `surface`,
    /// or surfaceless), then restores whatever the thread had current before (a host's
    /// own context, or none).
    func withContext<Result>(surface: EGLSurface? = nil, _ body: () throws -> Result) throws -> Result {
        lock.lock()
        defer { lock.unlock() }
        guard !isShutDown else { throw CameraViewError.closed }
        let previous = CurrentEGLState.capture()
        // A context already current here (a host drawing with its own surface) stays as it is.
        let switching = previous.context != context || (surface != nil && previous.draw != surface)
        if switching {
            guard eglMakeCurrent(display, surface, surface, context) == EGL_TRUE else {
                throw CameraViewError.egl(operation: "eglMakeCurrent", code: eglGetError())
            }
        }
        defer { if switching { previous.restore(releasing: display) } }
        GLCheck.discardPendingErrors()
        return try body()
    }

    /// The upload path's programs (per pixel and packed), compiled when the device opens:
    /// the first frame should not pay for them. Needs the context current.
    private static func uploadPrograms(packedRows: Int, table: HandleTable, destroyer: HandleDestroyer) throws -> [SamplingMode: NV12Program] {
        let perPixel = try NV12Program(mode: .integerPlanes, packedRows: packedRows, table: table, destroyer: destroyer)
        do {
            let packed = try NV12Program(mode: .packedPlanes, packedRows: packedRows, table: table, destroyer: destroyer)
            return [.integerPlanes: perPixel, .packedPlanes: packed]
        } catch {
            perPixel.release(table: table, destroyer: destroyer)
            throw error
        }
    }

    /// The program for `mode`, compiled on first use. Call inside `withContext`.
    func program(_ mode: SamplingMode) throws -> NV12Program {
        if let program = programs[mode] { return program }
        let program = try NV12Program(mode: mode, packedRows: info.packedRows, table: table, destroyer: destroyer)
        programs[mode] = program
        return program
    }

    /// The dma-buf formats the display imports (empty without the query extension).
    /// Call inside `withContext`.
    func importableFormats() -> Set<UInt32> {
        guard let query = extensions.queryDmaBufFormats else { return [] }
        var count: EGLint = 0
        guard query(display, 0, nil, &count) == EGL_TRUE, count > 0 else { return [] }
        var formats = [EGLint](repeating: 0, count: Int(count))
        guard query(display, count, &formats, &count) == EGL_TRUE else { return [] }
        return Set(formats.prefix(Int(count)).map { UInt32(bitPattern: $0) })
    }

    /// Found once per device (see `RenderDevice.importCapabilities`); guarded by its own
    /// lock because finding it renders through `withContext`.
    let capabilities = Locked<ImportCapabilities?>(nil)

    /// Deletes every object of the device, newest first, and terminates the display.
    func shutDown() {
        lock.lock()
        defer { lock.unlock() }
        guard !isShutDown else { return }
        isShutDown = true
        let previous = CurrentEGLState.capture()
        if previous.context != context {
            eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context)
        }
        for program in programs.values { program.release(table: table, destroyer: destroyer) }
        programs.removeAll()
        table.close(using: destroyer, expectEmpty: false)
        // A host's context is restored; our own was destroyed with the table.
        if previous.context != context { previous.restore(releasing: platform == .host ? display : nil) }
    }
}

/// What a thread had current before the device borrowed it.
struct CurrentEGLState {
    let display: EGLDisplay?
    let draw: EGLSurface?
    let read: EGLSurface?
    let context: EGLContext?

    static func capture() -> CurrentEGLState {
        CurrentEGLState(
            display: eglGetCurrentDisplay(), draw: eglGetCurrentSurface(EGL_DRAW),
            read: eglGetCurrentSurface(EGL_READ), context: eglGetCurrentContext())
    }

    /// Makes the captured state current again; with none captured, releases `display`'s
    /// context from this thread so another thread can take it.
    func restore(releasing display: EGLDisplay?) {
        if let context, let capturedDisplay = self.display {
            eglMakeCurrent(capturedDisplay, draw, read, context)
        } else if let display {
            eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
        }
    }
}
