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

/// A queue's buffers: as many as the driver granted.
struct V4L2Buffers: BitwiseCopyable {
    let queue: V4L2Queue
    let granted: Int
}

/// A queue's buffers, freed by requesting 0.
enum V4L2BuffersKind: UnboundKind {
    static let kind = HandleKind.v4l2Buffers
    static func reported(_ buffers: V4L2Buffers) -> UInt64 { UInt64(buffers.queue.fd) }
    static func destroy(_ buffers: V4L2Buffers, display: EGLDisplay?) -> String? {
        let queue = buffers.queue
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

/// The only ways V4L2 buffers are requested and exported and streams started.
extension Creation where Kind == V4L2BuffersKind {
    /// `count` buffers of `queue` asked of the driver (`granted`: how many it gave).
    static func buffers(_ queue: V4L2Queue, count: Int, device: String) -> Creation {
        Creation("VIDIOC_REQBUFS") { _ in
            var request = v4l2_requestbuffers()
            (request.count, request.type, request.memory) = (UInt32(count), queue.type, queue.memory)
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_REQBUFS, &request) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_REQBUFS", path: device, errno: errno)
            }
            return V4L2Buffers(queue: queue, granted: Int(request.count))
        }
    }
}

extension Creation where Kind == V4L2StreamingKind {
    static func streaming(_ queue: V4L2Queue, device: String) -> Creation {
        Creation("VIDIOC_STREAMON") { _ in
            var type = Int32(queue.type)
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_STREAMON, &type) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_STREAMON", path: device, errno: errno)
            }
            return queue
        }
    }
}

extension Creation where Kind == FDKind {
    /// A dma-buf fd for plane `plane` of driver buffer `index` (VIDIOC_EXPBUF).
    static func export(_ queue: V4L2Queue, index: Int, plane: Int, device: String) -> Creation {
        Creation("VIDIOC_EXPBUF") { _ in
            var export = v4l2_exportbuffer()
            (export.type, export.index, export.plane, export.flags) = (queue.type, UInt32(index), UInt32(plane), UInt32(O_RDONLY | O_CLOEXEC))
            guard cv_v4l2_ioctl(queue.fd, cv_VIDIOC_EXPBUF, &export) == 0 else {
                throw CameraViewError.io(operation: "VIDIOC_EXPBUF", path: device, errno: errno)
            }
            return export.fd
        }
    }
}
