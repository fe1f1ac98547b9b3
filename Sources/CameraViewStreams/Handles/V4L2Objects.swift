import CEGL
import CameraView
import CV4L2
import Glibc

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

/// The only places V4L2 buffers are requested and exported and streams started.
extension HandleTable {
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
