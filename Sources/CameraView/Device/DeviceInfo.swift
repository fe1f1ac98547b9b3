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

    /// Whether dma-bufs are checked before import (see `BufferAccessCheck`): buffers the
    /// device cannot read are mapped and uploaded instead.
    package var checksBufferAccess: Bool { BufferAccessCheck.applies(to: self) }

    /// The largest frame or output side this device renders.
    var maxImageSide: Int { min(maxTextureSize, maxRenderbufferSize) }

    func checkFits(_ size: PixelSize) throws(CameraViewError) {
        guard size.width > 0, size.height > 0 else { throw .invalidOutputSize(width: size.width, height: size.height) }
        guard max(size.width, size.height) <= maxImageSide else {
            throw .exceedsDeviceLimit(width: size.width, height: size.height, limit: maxImageSide)
        }
    }

    /// Rows each fragment of the packed fast path converts, one draw buffer per row.
    package var packedRows: Int { maxDrawBuffers >= 8 ? 8 : 4 }
}
