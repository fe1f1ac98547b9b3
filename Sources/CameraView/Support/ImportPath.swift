/// How a view gets a dma-buf frame into textures.
public enum ImportPath: String, Sendable, Codable, CaseIterable {
    /// Y as an R8 and UV as a GR88 EGLImage, converted in our shader (zero copy).
    case perPlane
    /// One NV12 EGLImage on GL_TEXTURE_EXTERNAL_OES, converted by the driver (zero copy).
    case external
    /// No dma-buf import on this device: the buffer is mapped (with DMA_BUF_IOCTL_SYNC)
    /// and uploaded like any frame in memory.
    case mappedUpload
}
