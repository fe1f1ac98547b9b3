import CEGL
import Glibc

/// The shared EGL display and GLES 3 context behind every `RenderDevice` reference of one
/// platform, and what the layers above keep for the device's lifetime (its compiled
/// programs, its import capabilities). All GL work in the process runs inside
/// `withContext`, which serializes it: one context, current on one thread at a time.
final class DeviceCore: @unchecked Sendable {
    // Immutable after init; `lock` serializes every use of the context.
    let platform: Platform
    /// nil for a host's GLX context, which has no EGL display.
    let display: EGLDisplay?
    let context: EGLContext
    let api: ContextAPI
    let table: HandleTable
    let info: DeviceInfo
    let extensions: EGLExtensions
    /// `info.packsPlacedConversions`, asked once (every host render needs it).
    let packsPlacedConversions: Bool
    /// The GBM device under a GBM-platform display (for test buffers and GBM surfaces).
    let gbmDevice: OpaquePointer?
    /// Whether our work must restore the context's GL state (an adopted host's).
    private let isolation: StateIsolation
    private let lock = Lock()
    private var isShutDown = false
    /// The DRM node's fd, GBM device, display initialization and context this device
    /// opened, adopted in that order and released the other way round (none when adopted:
    /// the host owns them); guarded by `lock`.
    private var objects: OwnerGroup?
    /// The layers' objects kept for the device's lifetime, one of each type (the compiled
    /// programs); guarded by `lock`.
    private var resources: [ObjectIdentifier: any GroupMember] = [:]
    /// Facts found once by the layers above, one of each type (the import capabilities);
    /// under a lock of their own because finding one renders through `withContext`.
    private let facts = Locked<[ObjectIdentifier: any Sendable]>([:])

    /// What the layers above do in a new device's context before anyone uses it (compile
    /// the programs every view needs); a device it fails for is shut down, not opened.
    typealias Preparation = (DeviceCore, borrowing ContextScope) throws -> Void

    /// Adopts a host's display and context (an EGL one, or with `api: .glx` a GLX context
    /// current on this thread, and no display): the host owns them (they are not in the
    /// table and never destroyed here); `prepare` runs in that context.
    static func adopting(display: EGLDisplay?, context: EGLContext, api: ContextAPI = .egl, prepare: Preparation) throws -> DeviceCore {
        let owner = api == .glx ? "RenderDevice(host GLX context)" : "RenderDevice(host context)"
        return try DeviceCore(adopting: display, context: context, api: api, table: HandleTable(owner: owner)).prepared(prepare)
    }

    private init(adopting display: EGLDisplay?, context: EGLContext, api: ContextAPI, table: HandleTable) throws {
        (self.platform, self.display, self.context, self.api, self.table) = (.host, display, context, api, table)
        gbmDevice = nil
        // Querying reads state only.
        info = try ContextScope.entering(display: display, context: context, api: api) { _ in
            Self.queryInfo(platform: .host, display: display, drmNode: nil)
        }
        try info.checkSupported()
        extensions = EGLExtensions(info: info)
        packsPlacedConversions = info.packsPlacedConversions
        isolation = .hostContext(externalTextures: extensions.externalImages)
    }

    /// The first of `candidates` that opens and prepares (a driver that cannot compile our
    /// programs is not usable: the next platform is tried).
    static func open(candidates: [Platform], prepare: Preparation) throws -> DeviceCore {
        var attempts: [PlatformAttempt] = []
        for platform in candidates {
            let table = HandleTable(owner: "RenderDevice(\(platform.rawValue))")
            do {
                return try DeviceCore(platform: platform, table: table).prepared(prepare)
            } catch {
                attempts.append(PlatformAttempt(platform: platform, reason: "\(error)"))
            }
        }
        throw CameraViewError.noUsablePlatform(attempts)
    }

    private init(platform: Platform, table: HandleTable) throws {
        let (objects, (opened, context, info)) = try OwnerGroup.building(.contextLost) { objects in
            let opened = try DisplayOpener.open(platform, into: objects, table: table)
            let context = objects.adopt(try Self.makeContext(display: opened.display, table: table))
            let info = try ContextScope.entering(display: opened.display, context: context) { _ in
                Self.queryInfo(platform: platform, display: opened.display, drmNode: opened.drmNode)
            }
            return (opened, context, info)
        }
        (self.platform, self.display, self.context, self.api, self.table) = (platform, opened.display, context, .egl, table)
        (self.info, self.objects) = (info, objects)
        isolation = .ownContext
        extensions = EGLExtensions(info: info)
        packsPlacedConversions = info.packsPlacedConversions
        gbmDevice = opened.gbmDevice
    }

    /// This device once `prepare` ran in its context; shut down when it throws.
    private func prepared(_ prepare: Preparation) throws -> DeviceCore {
        try building(.contextLost) { try withContext { try prepare(self, $0) } }
        return self
    }

    /// A GLES context; the thread's bound API (per thread: a desktop-GL host's may be
    /// EGL_OPENGL_API) is put back afterwards.
    private static func makeContext(display: EGLDisplay, table: HandleTable) throws -> OwnedEGLContext {
        let previousAPI = eglQueryAPI()
        defer { if previousAPI != EGLenum(EGL_OPENGL_ES_API) { eglBindAPI(previousAPI) } }
        guard eglBindAPI(EGLenum(EGL_OPENGL_ES_API)) == EGL_TRUE else {
            throw CameraViewError.egl(operation: "eglBindAPI", code: eglGetError())
        }
        return try table.create(.context, on: display)
    }

    private static func queryInfo(platform: Platform, display: EGLDisplay?, drmNode: String?) -> DeviceInfo {
        func eglString(_ name: Int32) -> String {
            // No display (a GLX host): no EGL strings (EGL_NO_DISPLAY would answer the client's).
            display.flatMap { eglQueryString($0, name) }.map { String(cString: $0) } ?? ""
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
            // glGetString(GL_EXTENSIONS) is NULL in a desktop core profile (a host's context);
            // the indexed query works there and in GLES 3 alike.
            glExtensions: (0..<glInteger(GL_NUM_EXTENSIONS)).compactMap { index in
                glGetStringi(GLenum(GL_EXTENSIONS), GLuint(index)).map { String(cString: $0) }
            },
            maxTextureSize: glInteger(GL_MAX_TEXTURE_SIZE),
            maxRenderbufferSize: glInteger(GL_MAX_RENDERBUFFER_SIZE),
            maxDrawBuffers: min(glInteger(GL_MAX_DRAW_BUFFERS), glInteger(GL_MAX_COLOR_ATTACHMENTS)))
    }

    /// Runs `body` with the device context current on this thread (drawing to `surface`,
    /// or surfaceless) and the scope that proves it, then restores whatever the thread had
    /// current before. `failable: false` for teardown (see `ContextScope.entering`).
    func withContext<Result: ~Copyable>(
        surface: EGLSurface? = nil, failable: Bool = true, _ body: (borrowing ContextScope) throws -> Result
    ) throws -> Result {
        lock.lock()
        defer { lock.unlock() }
        guard !isShutDown else { throw CameraViewError.closed }
        return try ContextScope.entering(
            display: display, context: context, api: api, surface: surface, failable: failable, isolation: isolation, body)
    }

    /// Runs a teardown of `owner`'s objects in the device context (see `ContextScope.tearingDown`).
    func tearingDown<Result>(_ owner: String, _ body: (Teardown) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        guard !isShutDown else { return body(.contextLost) }
        return ContextScope.tearingDown(display: display, context: context, api: api, isolation: isolation, owner: owner, body)
    }

    /// The layers' object of `Resource`'s type, made by `make` on first use and kept until
    /// the device shuts down (released then, before the sweep). The scope proves `lock` is held.
    func resource<Resource: GroupMember>(in scope: borrowing ContextScope, _ make: () -> Resource) -> Resource {
        if let resource = resources[ObjectIdentifier(Resource.self)] as? Resource { return resource }
        let resource = make()
        resources[ObjectIdentifier(Resource.self)] = resource
        return resource
    }

    /// The fact of `Fact`'s type, found by `find` once and then kept; a failure is not kept.
    func fact<Fact: Sendable>(_ find: () throws -> Fact) rethrows -> Fact {
        try facts.withLock { facts in
            if let fact = facts[ObjectIdentifier(Fact.self)] as? Fact { return fact }
            let fact = try find()
            facts[ObjectIdentifier(Fact.self)] = fact
            return fact
        }
    }

    /// The dma-buf formats the display imports (empty without the query extension).
    func importableFormats(in scope: borrowing ContextScope) -> Set<UInt32> {
        guard let query = extensions.queryDmaBufFormats, let display else { return [] }
        var count: EGLint = 0
        guard query(display, 0, nil, &count) == EGL_TRUE, count > 0 else { return [] }
        var formats = [EGLint](repeating: 0, count: Int(count))
        guard query(display, count, &formats, &count) == EGL_TRUE else { return [] }
        return Set(formats.prefix(Int(count)).map { UInt32(bitPattern: $0) })
    }

    /// Deletes every object of the device and terminates the display. The layers' objects
    /// (programs) are released with the context current; anything else left in the table is swept (a
    /// bug, counted). When the context cannot be made current (a host thread holds it), GL
    /// objects are reported as failed deletions, never deleted in another context.
    @discardableResult
    func shutDown() -> CloseReport {
        lock.lock()
        defer { lock.unlock() }
        guard !isShutDown else { return .clean }
        isShutDown = true
        let resources = self.resources
        self.resources.removeAll()
        let report = ContextScope.tearingDown(display: display, context: context, api: api, isolation: isolation, owner: table.owner) { teardown in
            for resource in resources.values { resource.release(in: teardown) }
            // Whatever depends on the display, the GBM device or the DRM fd goes before them.
            return teardown.contextCurrent ? table.sweep(in: teardown) { $0.needsCurrentContext || $0.dependsOnDevice } : .clean
        }
        objects.take()?.release(in: .contextLost)
        // Every deletion of the device that failed: its programs', its context's, its
        // display's, its GBM device's and fd's, not only the sweeps'.
        let swept = report.merged(with: table.close(in: .contextLost)).swept
        return CloseReport(swept: swept, failedDeletions: table.failedDeletions)
    }
}

/// A device that failed its preparation is shut down as a whole.
extension DeviceCore: GroupMember {
    func release(in _: Teardown) { shutDown() }
}

/// The display an opened platform gives (its objects are in the device's group).
struct OpenedDisplay {
    let display: EGLDisplay
    /// The GBM device under a GBM display.
    let gbmDevice: OpaquePointer?
    /// The DRM node under a GBM display.
    let drmNode: String?
}

/// What a device is: reported by `camview info`.
package struct DeviceInfo: Sendable, Codable, Equatable {
    package let platform: Platform
    /// The DRM node, for the GBM platform.
    package let drmNode: String?
    package let eglVendor: String
    package let eglVersion: String
    package let glRenderer: String
    package let glVersion: String
    package let eglExtensions: [String]
    package let glExtensions: [String]
    package let maxTextureSize: Int
    package let maxRenderbufferSize: Int
    /// Color attachments a fragment shader can write at once (GL_MAX_DRAW_BUFFERS, capped by
    /// GL_MAX_COLOR_ATTACHMENTS; at least 4 in GLES 3).
    package let maxDrawBuffers: Int

    /// Whether frames can be imported from dma-bufs as EGLImages on this display.
    package var dmaBufImport: Bool { eglExtensions.contains("EGL_EXT_image_dma_buf_import") }

    /// Whether a GLES context can store textures as BGRA (EXT_texture_format_BGRA8888): the
    /// window format Mesa's EGL surfaces use, which a display cache matches.
    var bgraTextures: Bool { glVersion.contains("OpenGL ES") && glExtensions.contains("GL_EXT_texture_format_BGRA8888") }

    /// Whether nearest conversions at an affine placement are drawn packed, 32 pixels a
    /// fragment, and read back (`SamplingMode.packedPlaced`): on a software rasterizer,
    /// where a fragment costs far more than a copy (llvmpipe, 2026-12-06: an 861x540
    /// nearest conversion took 8-9 ms a pixel at a time; docs/performance.md), not on a
    /// GPU, where reading a display cache's conversion back would stall it.
    var packsPlacedConversions: Bool { ["llvmpipe", "softpipe"].contains { glRenderer.contains($0) } }

    /// The largest frame or output side this device renders.
    var maxImageSide: Int { min(maxTextureSize, maxRenderbufferSize) }

    /// Throws `unsupportedContext` for an OpenGL ES context older than 3.0 (our shaders are
    /// GLSL ES 3.00): a host's, adopted (our own contexts are asked for as ES 3). Desktop GL
    /// contexts (a GLX host's) are taken as they come.
    func checkSupported() throws(CameraViewError) {
        let prefix = "OpenGL ES "
        guard glVersion.hasPrefix(prefix) else { return }
        let major = glVersion.dropFirst(prefix.count).prefix { $0.isNumber }
        guard let number = Int(major), number >= 3 else { throw .unsupportedContext(version: glVersion) }
    }

    func checkFits(_ size: PixelSize) throws(CameraViewError) {
        guard size.width > 0, size.height > 0 else { throw .invalidOutputSize(width: size.width, height: size.height) }
        guard max(size.width, size.height) <= maxImageSide else {
            throw .exceedsDeviceLimit(width: size.width, height: size.height, limit: maxImageSide)
        }
    }

    /// Rows each fragment of the packed fast path converts, one draw buffer per row.
    package var packedRows: Int { maxDrawBuffers >= 8 ? 8 : 4 }
}

/// Extension entry points, loaded with eglGetProcAddress (the headers' prototypes are not
/// enabled), and what the display supports of them.
struct EGLExtensions: @unchecked Sendable {
    let imageTargetTexture2D: PFNGLEGLIMAGETARGETTEXTURE2DOESPROC?
    let queryDmaBufFormats: PFNEGLQUERYDMABUFFORMATSEXTPROC?
    let dmaBufImport: Bool
    let externalImages: Bool

    init(info: DeviceInfo) {
        func load<Function>(_ name: String, as type: Function.Type) -> Function? {
            eglGetProcAddress(name).map { unsafeBitCast($0, to: type) }
        }
        imageTargetTexture2D = load("glEGLImageTargetTexture2DOES", as: PFNGLEGLIMAGETARGETTEXTURE2DOESPROC.self)
        let hasModifiers = info.eglExtensions.contains("EGL_EXT_image_dma_buf_import_modifiers")
        queryDmaBufFormats = hasModifiers ? load("eglQueryDmaBufFormatsEXT", as: PFNEGLQUERYDMABUFFORMATSEXTPROC.self) : nil
        dmaBufImport = info.dmaBufImport && info.glExtensions.contains("GL_OES_EGL_image") && imageTargetTexture2D != nil
        externalImages = info.glExtensions.contains("GL_OES_EGL_image_external_essl3")
    }
}

/// Client extensions (those of EGL_NO_DISPLAY), read once per process.
enum EGLClientExtensions {
    private static let names: Set<Substring> = {
        Set((eglQueryString(cv_EGL_NO_DISPLAY, EGL_EXTENSIONS).map { String(cString: $0) } ?? "").split(separator: " "))
    }()

    /// EGL_KHR_display_reference: displays asked for with EGL_TRACK_REFERENCES_KHR count
    /// their initializations, so terminating ours leaves other users' in place.
    static var displayReference: Bool { names.contains("EGL_KHR_display_reference") }
}
