import CEGL
import CV4L2
import Glibc

/// A GEM handle on one of our DRM fds.
struct GEMHandle: BitwiseCopyable {
    let drmFD: Int32
    let handle: UInt32
}

enum GEMHandleKind: UnboundKind {
    static let kind = HandleKind.gemHandle
    static let dependsOnDevice = true
    static func reported(_ raw: GEMHandle) -> UInt64 { UInt64(raw.handle) }
    static func destroy(_ raw: GEMHandle, display: EGLDisplay?) -> String? {
        var close = drm_gem_close(handle: raw.handle, pad: 0)
        return drmIoctl(raw.drmFD, cv_DRM_IOCTL_GEM_CLOSE, &close) == 0 ? nil : errnoReason("DRM_IOCTL_GEM_CLOSE")
    }
}
typealias OwnedGEMHandle = Owned<GEMHandleKind>

/// One V4L2 queue of a device fd: its buffer type and memory kind.
struct V4L2Queue: BitwiseCopyable, Equatable {
    let fd: Int32
    let type: UInt32
    let memory: UInt32
}

// A camera that went away (ENODEV) stopped its stream and frees its buffers with its
// file: there is nothing left to release.

/// A queue's buffers, freed by requesting 0.
enum V4L2BuffersKind: UnboundKind {
    static let kind = HandleKind.v4l2Buffers
    static func reported(_ queue: V4L2Queue) -> UInt64 { UInt64(queue.fd) }
    static func destroy(_ queue: V4L2Queue, display: EGLDisplay?) -> String? {
        var request = v4l2_requestbuffers()
        (request.count, request.type, request.memory) = (0, queue.type, queue.memory)
        return cv_v4l2_ioctl(queue.fd, cv_VIDIOC_REQBUFS, &request) == 0 || errno == ENODEV ? nil : errnoReason("VIDIOC_REQBUFS 0")
    }
}
typealias OwnedV4L2Buffers = Owned<V4L2BuffersKind>

/// A queue streaming, stopped with VIDIOC_STREAMOFF.
enum V4L2StreamingKind: UnboundKind {
    static let kind = HandleKind.v4l2Streaming
    static func reported(_ queue: V4L2Queue) -> UInt64 { UInt64(queue.fd) }
    static func destroy(_ queue: V4L2Queue, display: EGLDisplay?) -> String? {
        var type = Int32(bitPattern: queue.type)
        return cv_v4l2_ioctl(queue.fd, cv_VIDIOC_STREAMOFF, &type) == 0 || errno == ENODEV ? nil : errnoReason("VIDIOC_STREAMOFF")
    }
}
typealias OwnedV4L2Streaming = Owned<V4L2StreamingKind>

/// The only places GEM handles are imported, V4L2 buffers requested and exported, and
/// streams started.
extension HandleTable {
    /// The GEM handle `drmFD` gets for `dmaBuf` (a new one: `drmFD` must be a file of
    /// our own, or the handle would alias one that Mesa holds).
    func importGEMHandle(
        drmFD: Int32, dmaBuf: Int32, file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedGEMHandle {
        try create(GEMHandleKind.self, operation: "drmPrimeFDToHandle", file: file, line: line, function: function) {
            var handle: UInt32 = 0
            guard drmPrimeFDToHandle(drmFD, dmaBuf, &handle) == 0 else {
                throw CameraViewError.io(operation: "drmPrimeFDToHandle", path: "fd \(dmaBuf)", errno: errno)
            }
            return GEMHandle(drmFD: drmFD, handle: handle)
        }
    }

    /// A read-write dma-buf fd for `bo` (gbm_bo_get_fd's is read-only, and a camera
    /// writes into it).
    func exportWritableFD(
        of bo: OpaquePointer, what: String, file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedFD {
        try create(FDKind.self, operation: "drmPrimeHandleToFD", file: file, line: line, function: function) {
            var fd: Int32 = -1
            let device = gbm_device_get_fd(gbm_bo_get_device(bo))
            guard drmPrimeHandleToFD(device, gbm_bo_get_handle(bo).u32, UInt32(DRM_CLOEXEC | DRM_RDWR), &fd) == 0 else {
                throw CameraViewError.io(operation: "drmPrimeHandleToFD", path: what, errno: errno)
            }
            return fd
        }
    }

    /// Asks the driver for `count` buffers of `queue`; `granted` is how many it gave.
    func requestBuffers(
        _ queue: V4L2Queue, count: Int, granted: inout Int, device: String,
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedV4L2Buffers {
        var given = 0
        let buffers = try create(V4L2BuffersKind.self, operation: "VIDIOC_REQBUFS", file: file, line: line, function: function) {
            var request = v4l2_requestbuffers()
            (request.count, request.type, request.memory) = (UInt32(count), queue.type, queue.memory)
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_REQBUFS, &request) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_REQBUFS", path: device, errno: errno)
            }
            given = Int(request.count)
            return queue
        }
        granted = given
        return buffers
    }

    func startStreaming(
        _ queue: V4L2Queue, device: String, file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedV4L2Streaming {
        try create(V4L2StreamingKind.self, operation: "VIDIOC_STREAMON", file: file, line: line, function: function) {
            var type = Int32(queue.type)
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_STREAMON, &type) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_STREAMON", path: device, errno: errno)
            }
            return queue
        }
    }

    /// A dma-buf fd for plane `plane` of driver buffer `index` (VIDIOC_EXPBUF).
    func exportV4L2Buffer(
        _ queue: V4L2Queue, index: Int, plane: Int, device: String,
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedFD {
        try create(FDKind.self, operation: "VIDIOC_EXPBUF", file: file, line: line, function: function) {
            var export = v4l2_exportbuffer()
            (export.type, export.index, export.plane, export.flags) = (queue.type, UInt32(index), UInt32(plane), UInt32(O_RDONLY | O_CLOEXEC))
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_EXPBUF, &export) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_EXPBUF", path: device, errno: errno)
            }
            return export.fd
        }
    }
}
