/// Every kind of object the library creates and must delete.
package enum HandleKind: String, CaseIterable, Sendable, Codable, Comparable {
    case fd
    /// An `mmap` of a file or dma-buf.
    case memoryMapping
    /// A `gbm_bo_map` of a buffer object.
    case gbmMapping
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
    /// A GEM handle on a DRM fd of ours (from a dma-buf), closed with DRM_IOCTL_GEM_CLOSE.
    case gemHandle
    /// A V4L2 queue's buffers (VIDIOC_REQBUFS), freed by requesting 0.
    case v4l2Buffers
    /// A V4L2 queue streaming (VIDIOC_STREAMON), stopped with VIDIOC_STREAMOFF.
    case v4l2Streaming

    package static func < (lhs: HandleKind, rhs: HandleKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
