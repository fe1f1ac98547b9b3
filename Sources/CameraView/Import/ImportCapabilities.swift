/// Which import path a view should use for dma-buf frames.
public enum ImportPathPreference: Sendable, Hashable {
    /// The external path if the device lists NV12 and passes the known-frame check,
    /// else per-plane if it lists R8 and GR88, else mapping and uploading.
    case automatic
    /// This path or a typed error (`CameraViewError.importPathUnavailable`): to pin the
    /// path a deployment validated on its driver, or to compare paths on one device
    /// (`camview render --dmabuf --import-path per-plane`; docs/dmabuf.md).
    case forced(ImportPath)
}

/// What a device can do with dma-bufs, found once per device.
public struct ImportCapabilities: Sendable, Equatable, Codable {
    /// EGL_EXT_image_dma_buf_import and glEGLImageTargetTexture2DOES are present.
    public let dmaBufImport: Bool
    /// R8 and GR88 are importable (eglQueryDmaBufFormatsEXT, or assumed without it).
    public let perPlane: Bool
    /// NV12 is importable and samplable as an external image.
    public let externalListed: Bool
    /// The external path rendered a known frame correctly (nil: not checked, e.g. no GBM
    /// device to make a test buffer on). Mesa 22.3.6's llvmpipe creates NV12 images that
    /// sample black, which this check catches.
    public let externalVerified: Bool?
    /// Why the external check failed or was not run.
    public let externalNote: String?

    /// The paths that work, best first.
    public var workingPaths: [ImportPath] {
        var paths: [ImportPath] = []
        if externalListed && externalVerified == true { paths.append(.external) }
        if perPlane { paths.append(.perPlane) }
        paths.append(.mappedUpload)
        return paths
    }
}
