import CameraView
import CameraViewStreams
import CCameraView
import Synchronization

// The C API of include/cameraview.h: its handles (devices and views, ids checked at every
// call), the error codes and the last-error message, the process-wide counts.

final class CDevice: Sendable {
    let device: RenderDevice
    init(_ device: RenderDevice) { self.device = device }
}

/// A C view: a stream view (the frame shown: submitted, or the newest of its VisionIPC
/// stream once connected) and what later calls use.
final class CView: Sendable {
    let stream: StreamView
    let settings = Mutex(ViewSettings())
    var view: CameraView { stream.view }
    init(_ view: CameraView) { stream = StreamView(view: view) }
}

/// What a C view remembers between calls: the chroma siting of later submissions and the
/// options of later renders.
struct ViewSettings: Sendable {
    /// The CV_CHROMA_* code of later submissions.
    var chromaLocation = Int32(CV_CHROMA_LEFT)
    var options = RenderOptions()
}

// The error codes are cameraview.h's (its enum imports as Int).
let CV_OK = Int32(CCameraView.CV_OK), CV_EINVAL = Int32(CCameraView.CV_EINVAL)
let CV_EGL = Int32(CCameraView.CV_EGL), CV_EGLES = Int32(CCameraView.CV_EGLES)
let CV_ENOFRAME = Int32(CCameraView.CV_ENOFRAME), CV_ECLOSED = Int32(CCameraView.CV_ECLOSED)
let CV_EOTHER = Int32(CCameraView.CV_EOTHER)
let CV_EBROKEN = Int32(CCameraView.CV_EBROKEN), CV_ETIMEOUT = Int32(CCameraView.CV_ETIMEOUT)
let CV_EPEER = Int32(CCameraView.CV_EPEER)

/// Runs `body`, turning errors into a code and the thread's last-error message (cleared
/// on success).
func calling(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        cameraview_set_last_error(nil)
        return CV_OK
    } catch let error as CameraViewError {
        cameraview_set_last_error("\(error)")
        switch error {
        case .invalidFrame, .invalidOutputSize, .invalidImage, .exceedsDeviceLimit, .singularTransform: return CV_EINVAL
        case .egl, .noUsablePlatform, .unknownPlatform, .noCurrentContext: return CV_EGL
        case .gl, .shaderCompile, .programLink, .incompleteFramebuffer, .unsupportedContext: return CV_EGLES
        case .closed: return CV_ECLOSED
        // A frame whose buffers went with their server or stream: there is no frame to show.
        case .staleFrame: return CV_ENOFRAME
        case .tornFrame, .overtakenFrame, .bufferTruncated: return CV_EBROKEN
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
func unclean(_ report: CloseReport) throws {
    guard !report.isClean else { return }
    let parts = report.swept.map { "swept \($0)" } + report.failedDeletions.map(\.description)
    throw CAPIError(code: Int32(CV_EUNCLEAN), message: parts.joined(separator: "; "))
}

struct CAPIError: Error {
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

let devices = HandleRegistry<CDevice>(kind: "device")
let views = HandleRegistry<CView>(kind: "view")

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
        let report = (boxed.stream.replaceSource(nil) as? VisionIPCSource)?.close() ?? .clean
        try unclean(boxed.view.close().merged(with: report))
    }
}
