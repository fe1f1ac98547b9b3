/// What a device is: reported by `camview info`.
public struct DeviceInfo: Sendable, Codable, Equatable {
    public let platform: Platform
    /// The DRM node, for the GBM platform.
    public let drmNode: String?
    public let eglVendor: String
    public let eglVersion: String
    public let glRenderer: String
    public let glVersion: String
    public let eglExtensions: [String]
    public let glExtensions: [String]
    public let maxTextureSize: Int
    public let maxRenderbufferSize: Int

    /// Whether frames can be imported from dma-bufs as EGLImages on this display.
    public var dmaBufImport: Bool { eglExtensions.contains("EGL_EXT_image_dma_buf_import") }

    /// The largest frame or output side this device renders.
    var maxImageSide: Int { min(maxTextureSize, maxRenderbufferSize) }
}
