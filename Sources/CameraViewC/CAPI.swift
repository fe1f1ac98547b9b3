import CameraView
import CameraViewStreams
import CCameraView
import Synchronization

// The C API of include/cameraview.h.

final class CDevice: Sendable {
    let device: RenderDevice
    init(_ device: RenderDevice) { self.device = device }
}

final class CView: Sendable {
    let view: CameraView
    let settings = Mutex(ViewSettings())
    /// The VisionIPC stream the view shows, once connected (cv_view_connect_visionipc).
    let vision = Mutex<VisionIPCSource?>(nil)
    init(_ view: CameraView) { self.view = view }
}

/// What a C view remembers between calls: the newest submitted frame, the chroma siting
/// of later submissions and the options of later renders.
struct ViewSettings: Sendable {
    var latest: Frame?
    /// The CV_CHROMA_* code of later submissions.
    var chromaLocation = Int32(CV_CHROMA_LEFT)
    var options = RenderOptions()
}

// The error codes are cameraview.h's (its enum imports as Int).
private let CV_OK = Int32(CCameraView.CV_OK), CV_EINVAL = Int32(CCameraView.CV_EINVAL)
private let CV_EGL = Int32(CCameraView.CV_EGL), CV_EGLES = Int32(CCameraView.CV_EGLES)
private let CV_ENOFRAME = Int32(CCameraView.CV_ENOFRAME), CV_ECLOSED = Int32(CCameraView.CV_ECLOSED)
private let CV_EOTHER = Int32(CCameraView.CV_EOTHER)
private let CV_EBROKEN = Int32(CCameraView.CV_EBROKEN), CV_ETIMEOUT = Int32(CCameraView.CV_ETIMEOUT)
private let CV_EPEER = Int32(CCameraView.CV_EPEER)

/// Runs `body`, turning errors into a code and the thread's last-error message (cleared
/// on success).
private func calling(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        cameraview_set_last_error(nil)
        return CV_OK
    } catch let error as CameraViewError {
        cameraview_set_last_error("\(error)")
        switch error {
        case .invalidFrame, .invalidOutputSize, .invalidImage, .exceedsDeviceLimit, .singularTransform: return CV_EINVAL
        case .egl, .noUsablePlatform, .unknownPlatform, .noCurrentContext: return CV_EGL
        case .gl, .shaderCompile, .programLink, .incompleteFramebuffer: return CV_EGLES
        case .closed: return CV_ECLOSED
        // A frame whose buffers went with their server or stream: there is no frame to show.
        case .staleFrame: return CV_ENOFRAME
        case .tornFrame, .bufferTruncated: return CV_EBROKEN
        case .peer: return CV_EPEER
        default: return CV_EOTHER
        }
    } catch let error as CAPIError {
        cameraview_set_last_error(error.message)
        return error.code
    } catch {
        cameraview_set_last_error("\(error)")
        return CV_EOTHER
    }
}

/// A close whose report is not clean: the handle is gone, and the caller hears of the bug.
private func unclean(_ report: CloseReport) throws {
    guard !report.isClean else { return }
    let parts = report.swept.map { "swept \($0)" } + report.failedDeletions.map(\.description)
    throw CAPIError(code: Int32(CV_EUNCLEAN), message: parts.joined(separator: "; "))
}

private struct CAPIError: Error {
    let code: Int32
    let message: String
}

/// The live C handles of one kind. A handle is an id, not a pointer: its slot's index and
/// the slot's generation, which closing bumps, so a closed handle (or any value never
/// issued) finds nothing and the call returns CV_ECLOSED instead of touching freed memory.
final class HandleRegistry<Object: AnyObject & Sendable>: Sendable {
    private struct Slot {
        var generation: UInt32 = 1
        var object: Object?
    }
    private struct Slots {
        var slots: [Slot] = []
        var free: [Int] = []
    }
    private let state = Mutex(Slots())
    private let kind: String

    init(kind: String) { self.kind = kind }

    func insert(_ object: Object) -> OpaquePointer {
        state.withLock { state in
            let index: Int
            if let reused = state.free.popLast() {
                index = reused
            } else {
                state.slots.append(Slot())
                index = state.slots.count - 1
            }
            state.slots[index].object = object
            return OpaquePointer(bitPattern: UInt(state.slots[index].generation) << 32 | UInt(index + 1))!
        }
    }

    func lookup(_ handle: OpaquePointer?) throws -> Object {
        try state.withLock { state in try Self.find(handle, in: state, kind: kind).object }
    }

    /// Ends `handle`: later lookups of it fail.
    func remove(_ handle: OpaquePointer?) throws -> Object {
        try state.withLock { state in
            let (index, object) = try Self.find(handle, in: state, kind: kind)
            state.slots[index] = Slot(generation: state.slots[index].generation &+ 1, object: nil)
            state.free.append(index)
            return object
        }
    }

    private static func find(_ handle: OpaquePointer?, in state: Slots, kind: String) throws -> (index: Int, object: Object) {
        guard let handle else { throw CAPIError(code: CV_EINVAL, message: "null \(kind) handle") }
        let id = UInt(bitPattern: UnsafeRawPointer(handle))
        let index = Int(id & 0xffff_ffff) - 1, generation = UInt32(truncatingIfNeeded: id >> 32)
        guard index >= 0, index < state.slots.count, state.slots[index].generation == generation,
              let object = state.slots[index].object else {
            throw CAPIError(code: CV_ECLOSED, message: "the \(kind) handle was closed or never issued")
        }
        return (index, object)
    }
}

private let devices = HandleRegistry<CDevice>(kind: "device")
private let views = HandleRegistry<CView>(kind: "view")

@_cdecl("cv_device_open")
public func cv_device_open(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    calling {
        guard let out else { throw CAPIError(code: CV_EINVAL, message: "null output pointer") }
        out.pointee = devices.insert(CDevice(try RenderDevice.open()))
    }
}

@_cdecl("cv_device_adopt")
public func cv_device_adopt(_ display: UnsafeMutableRawPointer?, _ context: UnsafeMutableRawPointer?,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    calling {
        guard let display, let context, let out else { throw CAPIError(code: CV_EINVAL, message: "null display, context or output") }
        out.pointee = devices.insert(CDevice(try RenderDevice.adopting(display: display, context: context)))
    }
}

@_cdecl("cv_device_adopt_current")
public func cv_device_adopt_current(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    calling {
        guard let out else { throw CAPIError(code: CV_EINVAL, message: "null output pointer") }
        out.pointee = devices.insert(CDevice(try RenderDevice.adoptingCurrent()))
    }
}

@_cdecl("cv_device_egl_display")
public func cv_device_egl_display(_ device: OpaquePointer?) -> UnsafeMutableRawPointer? {
    (try? devices.lookup(device))?.device.eglDisplay
}

@_cdecl("cv_device_close")
public func cv_device_close(_ device: OpaquePointer?) -> Int32 {
    calling {
        try unclean(devices.remove(device).device.close())
    }
}

@_cdecl("cv_view_create")
public func cv_view_create(_ device: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    calling {
        guard let out else { throw CAPIError(code: CV_EINVAL, message: "null output pointer") }
        out.pointee = views.insert(CView(try CameraView(device: devices.lookup(device).device)))
    }
}

@_cdecl("cv_view_render")
public func cv_view_render(
    _ view: OpaquePointer?, _ frame: UnsafePointer<cv_frame>?, _ target: UnsafePointer<cv_target>?,
    _ options: UnsafePointer<cv_render_options>?
) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let frame, let target else { throw CAPIError(code: CV_EINVAL, message: "null frame or target") }
        try render(boxed, Frame(frame.pointee), into: target.pointee, options: options.map { try RenderOptions($0.pointee) } ?? RenderOptions())
    }
}

@_cdecl("cv_nv12_default_layout")
public func cv_nv12_default_layout(
    _ width: Int32, _ height: Int32, _ stride: UnsafeMutablePointer<Int32>?, _ uvOffset: UnsafeMutablePointer<Int>?,
    _ size: UnsafeMutablePointer<Int>?
) -> Int32 {
    calling {
        guard let stride, let uvOffset, let size else { throw CAPIError(code: CV_EINVAL, message: "null output pointer") }
        let layout = try NV12Layout(width: Int(width), height: Int(height), yStride: stride.pointee == 0 ? nil : Int(stride.pointee))
        guard let rowStride = Int32(exactly: layout.yStride) else { throw CAPIError(code: CV_EINVAL, message: "the stride overflows an int") }
        (stride.pointee, uvOffset.pointee, size.pointee) = (rowStride, layout.uvOffset, layout.bufferSize)
    }
}

/// Renders `frame` into a C target: the one path of cv_view_render, cv_view_render_rgba and
/// cv_view_render_to_fbo.
private func render(_ boxed: CView, _ frame: Frame, into target: cv_target, options: RenderOptions) throws {
    guard target.width > 0, target.height > 0 else { throw CAPIError(code: CV_EINVAL, message: "the target's size must be positive") }
    let size = PixelSize(width: Int(target.width), height: Int(target.height))
    switch Int(target.kind) {
    case CV_TARGET_RGBA:
        guard let rgba = target.rgba, target.size >= size.width * size.height * 4 else {
            throw CAPIError(code: CV_EINVAL, message: "the output buffer is missing or smaller than width * height * 4")
        }
        // Read back straight into the caller's memory.
        var image = RenderTarget.image(into: UnsafeMutableRawBufferPointer(start: rgba, count: size.width * size.height * 4), size: size)
        try boxed.view.render(frame, into: &image, options: options)
    case CV_TARGET_FBO:
        var host = RenderTarget.host(HostFramebuffer(
            framebuffer: target.fbo, viewport: PixelRect(x: Int(target.x), y: Int(target.y), width: size.width, height: size.height)))
        try boxed.view.render(frame, into: &host, options: options)
    default:
        throw CAPIError(code: CV_EINVAL, message: "unknown target kind \(target.kind)")
    }
}

extension Frame {
    /// The Swift frame of a C caller's, checked. A frame in memory borrows the caller's
    /// memory, valid during the call only: it is read in place and must not be kept.
    init(_ frame: cv_frame) throws {
        let color = try ColorDescription(matrix: frame.matrix, range: frame.range, chromaLocation: frame.chroma_location)
        switch Int(frame.kind) {
        case CV_FRAME_MEMORY:
            guard let data = frame.data, frame.size > 0 else { throw CAPIError(code: CV_EINVAL, message: "no frame data") }
            let layout = try NV12Layout(
                width: Int(frame.width), height: Int(frame.height), yStride: frame.stride == 0 ? nil : Int(frame.stride),
                uvOffset: frame.uv_offset == 0 ? nil : frame.uv_offset, bufferSize: frame.size)
            self = .memory(try NV12Frame(borrowing: UnsafeRawBufferPointer(start: data, count: frame.size), layout: layout, color: color))
        case CV_FRAME_DMABUF:
            guard frame.modifier == 0 else {
                throw CAPIError(code: CV_EINVAL, message: "modifier \(frame.modifier): only DRM_FORMAT_MOD_LINEAR (0) buffers are supported")
            }
            guard frame.buffer_index >= 0 else { throw CAPIError(code: CV_EINVAL, message: "negative buffer index") }
            func plane(_ plane: cv_dmabuf_plane) -> DmaBufPlane { DmaBufPlane(fd: plane.fd, offset: Int(plane.offset), pitch: Int(plane.pitch)) }
            self = .dmaBuf(DmaBufFrame(width: Int(frame.width), height: Int(frame.height), luma: plane(frame.luma),
                                       chroma: plane(frame.chroma), color: color, bufferIndex: Int(frame.buffer_index)))
        default:
            throw CAPIError(code: CV_EINVAL, message: "unknown frame kind \(frame.kind)")
        }
    }
}

extension ColorDescription {
    /// cameraview.h's matrix, range and chroma siting codes.
    init(matrix: Int32, range: Int32, chromaLocation: Int32) throws {
        // Switches, not dictionaries: a frame's colour is read at every submit, which
        // allocates nothing.
        let colorMatrix: ColorMatrix? = switch Int(matrix) {
        case CV_BT601: .bt601
        case CV_BT709: .bt709
        default: nil
        }
        let colorRange: ColorRange? = switch Int(range) {
        case CV_RANGE_FULL: .full
        case CV_RANGE_LIMITED: .limited
        default: nil
        }
        guard let colorMatrix, let colorRange else { throw CAPIError(code: CV_EINVAL, message: "unknown matrix \(matrix) or range \(range)") }
        self.init(matrix: colorMatrix, range: colorRange, chromaLocation: try ChromaLocation(code: chromaLocation))
    }
}

extension ChromaLocation {
    /// cameraview.h's CV_CHROMA_* code.
    init(code: Int32) throws {
        switch Int(code) {
        case CV_CHROMA_LEFT: self = .left
        case CV_CHROMA_CENTER: self = .center
        case CV_CHROMA_TOP_LEFT: self = .topLeft
        default: throw CAPIError(code: CV_EINVAL, message: "unknown chroma location \(code)")
        }
    }
}

@_cdecl("cv_view_submit_nv12")
public func cv_view_submit_nv12(
    _ view: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ size: Int, _ width: Int32, _ height: Int32,
    _ stride: Int32, _ uvOffset: Int, _ matrix: Int32, _ range: Int32
) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        try boxed.settings.withLock { settings in
            var frame = cv_frame()
            (frame.kind, frame.width, frame.height, frame.matrix, frame.range) = (Int32(CV_FRAME_MEMORY), width, height, matrix, range)
            (frame.chroma_location, frame.data, frame.size, frame.stride, frame.uv_offset) = (settings.chromaLocation, data, size, stride, uvOffset)
            // Uploaded now, from the caller's memory: what is kept is the frame without it.
            guard case .memory(let borrowed) = try Frame(frame) else { return }
            try boxed.view.upload(borrowed)
            settings.latest = .memory(borrowed.uploaded())
        }
    }
}

@_cdecl("cv_view_submit_dmabuf")
public func cv_view_submit_dmabuf(
    _ view: OpaquePointer?, _ width: Int32, _ height: Int32, _ luma: UnsafePointer<cv_dmabuf_plane>?,
    _ chroma: UnsafePointer<cv_dmabuf_plane>?, _ modifier: UInt64, _ matrix: Int32, _ range: Int32, _ bufferIndex: Int32
) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let luma, let chroma else { throw CAPIError(code: CV_EINVAL, message: "null plane") }
        try boxed.settings.withLock { settings in
            var frame = cv_frame()
            (frame.kind, frame.width, frame.height, frame.matrix, frame.range) = (Int32(CV_FRAME_DMABUF), width, height, matrix, range)
            (frame.chroma_location, frame.luma, frame.chroma) = (settings.chromaLocation, luma.pointee, chroma.pointee)
            (frame.modifier, frame.buffer_index) = (modifier, bufferIndex)
            let converted = try Frame(frame)
            if case .dmaBuf(let dmaBuf) = converted { try dmaBuf.validate() }
            settings.latest = converted
        }
    }
}

@_cdecl("cv_view_set_chroma_location")
public func cv_view_set_chroma_location(_ view: OpaquePointer?, _ location: Int32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        _ = try ChromaLocation(code: location)  // checked now; kept as the code later frames carry
        boxed.settings.withLock { $0.chromaLocation = location }
    }
}

@_cdecl("cv_view_set_render_options")
public func cv_view_set_render_options(_ view: OpaquePointer?, _ options: UnsafePointer<cv_render_options>?) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        let converted = try options.map { try RenderOptions($0.pointee) } ?? RenderOptions()
        boxed.settings.withLock { $0.options = converted }
    }
}

extension RenderOptions {
    /// The Swift options for a C caller's struct (the output size comes with each render).
    init(_ options: cv_render_options) throws {
        let fits: [Int32: FitMode] = [Int32(CV_FIT_CONTAIN): .contain, Int32(CV_FIT_COVER): .cover, Int32(CV_FIT_STRETCH): .stretch]
        let filters: [Int32: SampleFilter] = [
            Int32(CV_FILTER_AUTOMATIC): .automatic, Int32(CV_FILTER_NEAREST): .nearest,
            Int32(CV_FILTER_BILINEAR): .bilinear, Int32(CV_FILTER_AREA): .area,
        ]
        guard let fit = fits[options.fit] else { throw CAPIError(code: CV_EINVAL, message: "unknown fit \(options.fit)") }
        guard let filter = filters[options.filter] else { throw CAPIError(code: CV_EINVAL, message: "unknown filter \(options.filter)") }
        let bars: [Int32: Letterbox] = [
            Int32(CV_LETTERBOX_BLACK): .black, Int32(CV_LETTERBOX_TRANSPARENT): .transparent, Int32(CV_LETTERBOX_UNTOUCHED): .untouched,
        ]
        guard let letterbox = bars[options.letterbox] else { throw CAPIError(code: CV_EINVAL, message: "unknown letterbox \(options.letterbox)") }
        guard options.zoom.isFinite, options.zoom >= 0 else { throw CAPIError(code: CV_EINVAL, message: "zoom must be finite and not negative") }
        let transform = options.frame_to_output.map { matrix in
            Matrix3(rows: (0..<3).map { row in (0..<3).map { matrix[row * 3 + $0] } })
        }
        if let transform, !transform.rows.joined().allSatisfy(\.isFinite) {
            throw CAPIError(code: CV_EINVAL, message: "frame_to_output has a value that is not finite")
        }
        self.init(fit: fit, mirror: options.mirror != 0, zoom: options.zoom == 0 ? 1 : options.zoom,
                  frameToOutput: transform, filter: filter, letterbox: letterbox)
    }
}

/// The newest frame and the options to render it with.
private func latestFrame(_ boxed: CView) throws -> (Frame, RenderOptions) {
    try boxed.settings.withLock { settings in
        guard let frame = settings.latest else { throw CAPIError(code: CV_ENOFRAME, message: "no frame submitted") }
        return (frame, settings.options)
    }
}

@_cdecl("cv_view_render_to_fbo")
public func cv_view_render_to_fbo(_ view: OpaquePointer?, _ fbo: UInt32, _ x: Int32, _ y: Int32, _ width: Int32, _ height: Int32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        var target = cv_target()
        (target.kind, target.fbo, target.x, target.y, target.width, target.height) = (Int32(CV_TARGET_FBO), fbo, x, y, width, height)
        let (frame, options) = try latestFrame(boxed)
        try render(boxed, frame, into: target, options: options)
    }
}

@_cdecl("cv_view_render_rgba")
public func cv_view_render_rgba(_ view: OpaquePointer?, _ rgba: UnsafeMutablePointer<UInt8>?, _ size: Int, _ width: Int32, _ height: Int32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        var target = cv_target()
        (target.kind, target.rgba, target.size, target.width, target.height) = (Int32(CV_TARGET_RGBA), rgba, size, width, height)
        let (frame, options) = try latestFrame(boxed)
        try render(boxed, frame, into: target, options: options)
    }
}

@_cdecl("cv_view_last_import_path")
public func cv_view_last_import_path(_ view: OpaquePointer?) -> Int32 {
    guard let boxed = try? views.lookup(view) else { return CV_ECLOSED }
    return switch boxed.view.lastImportPath {
    case nil: Int32(CV_IMPORT_NONE)
    case .perPlane: Int32(CV_IMPORT_PER_PLANE)
    case .external: Int32(CV_IMPORT_EXTERNAL)
    case .mappedUpload: Int32(CV_IMPORT_MAPPED_UPLOAD)
    }
}

@_cdecl("cv_view_live_handles")
public func cv_view_live_handles(_ view: OpaquePointer?) -> Int {
    (try? views.lookup(view)).map { $0.view.handles.liveCount } ?? -1
}

@_cdecl("cv_device_live_handles")
public func cv_device_live_handles(_ device: OpaquePointer?) -> Int {
    (try? devices.lookup(device)).map { $0.device.handles.liveCount } ?? -1
}

@_cdecl("cv_live_handles_in_process")
public func cv_live_handles_in_process() -> Int { HandleTable.liveCountInProcess }

@_cdecl("cv_swept_in_process")
public func cv_swept_in_process() -> Int { HandleTable.sweptCountInProcess }

@_cdecl("cv_failed_deletions_in_process")
public func cv_failed_deletions_in_process() -> Int { HandleTable.failedDeletionCountInProcess }

@_cdecl("cv_dropped_in_process")
public func cv_dropped_in_process() -> Int { HandleTable.droppedOwnerCountInProcess }

@_cdecl("cv_view_close")
public func cv_view_close(_ view: OpaquePointer?) -> Int32 {
    calling {
        let boxed = try views.remove(view)
        let source = boxed.vision.withLock { $0.take() }
        let report = source?.close() ?? .clean
        try unclean(boxed.view.close().merged(with: report))
    }
}

@_cdecl("cv_view_connect_visionipc")
public func cv_view_connect_visionipc(_ view: OpaquePointer?, _ server: UnsafePointer<CChar>?, _ stream: UInt32) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        guard let server, server.pointee != 0 else { throw CAPIError(code: CV_EINVAL, message: "null or empty server name") }
        let source = VisionIPCSource(server: String(cString: server), stream: VisionStreamType(rawValue: stream))
        // One attempt now, waiting at most connectTimeout; waits retry while the server is absent.
        try? source.connect()
        let previous = boxed.vision.withLock { current in defer { current = source }; return current }
        if let previous {
            boxed.view.releaseFrameObjects()
            try unclean(previous.close())
        }
    }
}

@_cdecl("cv_view_wait_frame")
public func cv_view_wait_frame(_ view: OpaquePointer?, _ timeoutMilliseconds: Int32, _ info: UnsafeMutablePointer<cv_vision_frame>?) -> Int32 {
    calling {
        let boxed = try views.lookup(view)
        let source = try visionSource(boxed)
        let generation = source.connectionGeneration
        let received = try source.nextFrame(timeout: .milliseconds(max(0, Int(timeoutMilliseconds))))
        if source.connectionGeneration != generation {
            // A new connection: the textures and images of the old buffers go first.
            boxed.view.releaseFrameObjects()
        }
        guard let received else { throw CAPIError(code: CV_ETIMEOUT, message: "no frame from \(source.name) within \(timeoutMilliseconds) ms") }
        boxed.settings.withLock { $0.latest = received.frame }
        if let info {
            info.pointee = cv_vision_frame(
                frame_id: received.frameID, timestamp_sof: received.timestampSOF, timestamp_eof: received.timestampEOF,
                // Sizes from the server were checked to fit an int where its records were parsed.
                buffer_index: Int32(clamping: received.bufferIndex), width: Int32(clamping: received.size.width),
                height: Int32(clamping: received.size.height),
                valid: received.valid ? 1 : 0)
        }
    }
}

private func visionSource(_ boxed: CView) throws -> VisionIPCSource {
    guard let source = boxed.vision.withLock({ $0 }) else {
        throw CAPIError(code: CV_EINVAL, message: "the view is not connected to a VisionIPC server (cv_view_connect_visionipc)")
    }
    return source
}

@_cdecl("cv_view_visionipc_connected")
public func cv_view_visionipc_connected(_ view: OpaquePointer?) -> Int32 {
    var connected: Int32 = 0
    let code = calling { connected = try visionSource(views.lookup(view)).isConnected ? 1 : 0 }
    return code == CV_OK ? connected : code
}

@_cdecl("cv_visionipc_available_streams")
public func cv_visionipc_available_streams(
    _ server: UnsafePointer<CChar>?, _ streams: UnsafeMutablePointer<UInt32>?, _ capacity: Int32, _ count: UnsafeMutablePointer<Int32>?
) -> Int32 {
    calling {
        guard let server, let count, capacity >= 0, capacity == 0 || streams != nil else {
            throw CAPIError(code: CV_EINVAL, message: "null server, streams or count, or a negative capacity")
        }
        let found: [UInt32]
        do {
            found = try VisionIPCSource.availableStreams(server: String(cString: server)).map(\.rawValue).sorted()
        } catch CameraViewError.sourceUnavailable {
            found = []
        }
        for (index, stream) in found.prefix(Int(capacity)).enumerated() { streams![index] = stream }
        count.pointee = Int32(found.count)
    }
}

@_cdecl("cv_view_visionipc_statistics")
public func cv_view_visionipc_statistics(_ view: OpaquePointer?, _ statistics: UnsafeMutablePointer<cv_vision_statistics>?) -> Int32 {
    calling {
        guard let statistics else { throw CAPIError(code: CV_EINVAL, message: "null statistics") }
        let source = try visionSource(views.lookup(view))
        let counts = source.statistics
        statistics.pointee = cv_vision_statistics(
            delivered: counts.delivered, skipped: counts.skipped, torn: counts.torn, truncated: counts.truncated,
            connections: counts.connections, restarts: counts.restarts, losses: counts.losses, evictions: counts.evictions,
            queue_readers: source.queueReaderCount ?? -1, slot_refusals: counts.slotRefusals, no_slot: counts.noSlot ? 1 : 0)
    }
}
