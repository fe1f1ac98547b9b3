import CEGL
import Glibc

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
package struct ImportCapabilities: Sendable, Equatable, Codable {
    /// EGL_EXT_image_dma_buf_import and glEGLImageTargetTexture2DOES are present.
    package let dmaBufImport: Bool
    /// R8 and GR88 are importable (eglQueryDmaBufFormatsEXT, or assumed without it).
    package let perPlane: Bool
    /// NV12 is importable and samplable as an external image.
    package let externalListed: Bool
    /// The external path rendered a known frame correctly (nil: not checked, e.g. no GBM
    /// device to make a test buffer on). Mesa 22.3.6's llvmpipe creates NV12 images that
    /// sample black, which this check catches.
    package let externalVerified: Bool?
    /// Why the external check failed or was not run.
    package let externalNote: String?

    /// The paths that work, best first.
    package var workingPaths: [ImportPath] {
        var paths: [ImportPath] = []
        if externalListed && externalVerified == true { paths.append(.external) }
        if perPlane { paths.append(.perPlane) }
        paths.append(.mappedUpload)
        return paths
    }
}

extension RenderDevice {
    /// What this device can do with dma-bufs: the formats it lists and whether the external
    /// NV12 path renders a known frame correctly. Found on first use, then kept.
    package func importCapabilities() throws -> ImportCapabilities {
        try core.capabilities.withLock { cached in
            if let cached { return cached }
            let found = try ImportCapabilityCheck.run(on: self)
            cached = found
            return found
        }
    }
}

/// Finds a device's import capabilities, rendering a known 16x16 NV12 frame through the
/// external path when the device lists NV12.
enum ImportCapabilityCheck {
    static func run(on device: RenderDevice) throws -> ImportCapabilities {
        let core = device.core
        guard core.api == .egl else {
            return ImportCapabilities(dmaBufImport: false, perPlane: false, externalListed: false, externalVerified: nil,
                                      externalNote: "the host's context is GLX: importing dma-bufs as EGLImages needs EGL (they are mapped and uploaded)")
        }
        guard core.extensions.dmaBufImport else {
            return ImportCapabilities(dmaBufImport: false, perPlane: false, externalListed: false, externalVerified: nil,
                                      externalNote: "the display has no EGL_EXT_image_dma_buf_import")
        }
        let formats = try core.withContext { core.importableFormats(in: $0) }
        // Without the query extension, per-plane R8/GR88 is the format every importer has.
        let perPlane = formats.isEmpty || (formats.contains(cv_DRM_FORMAT_R8) && formats.contains(cv_DRM_FORMAT_GR88))
        let externalListed = formats.contains(cv_DRM_FORMAT_NV12) && core.extensions.externalImages
        guard externalListed else {
            return ImportCapabilities(dmaBufImport: true, perPlane: perPlane, externalListed: false, externalVerified: nil,
                                      externalNote: "NV12 is not listed as importable")
        }
        guard let gbm = core.gbmDevice else {
            return ImportCapabilities(dmaBufImport: true, perPlane: perPlane, externalListed: true, externalVerified: nil,
                                      externalNote: "no GBM device to make a known test frame on")
        }
        // A probe that cannot even run (no memory for its test buffer) leaves the external
        // path unverified; the per-plane path does not depend on it.
        let verified: Bool, note: String?
        do {
            (verified, note) = try verifyExternal(device: device, gbm: gbm)
        } catch {
            (verified, note) = (false, "the known-frame check could not run: \(error)")
        }
        return ImportCapabilities(dmaBufImport: true, perPlane: perPlane, externalListed: true,
                                  externalVerified: verified, externalNote: note)
    }

    /// Renders a known frame through the external path and compares it with the same
    /// frame uploaded (a driver converts with its own rounding: allow 4 steps).
    private static func verifyExternal(device: RenderDevice, gbm: OpaquePointer) throws -> (Bool, String?) {
        let size = 16
        let layout = try NV12Layout(width: size, height: size)
        let bytes = (0..<layout.bufferSize).map { index in
            UInt8(truncatingIfNeeded: index < size * size ? 40 + index % size * 10 : 90 + index * 37 % 80)
        }
        let source = try NV12Frame(bytes: bytes, layout: layout)
        let buffer = try DeviceBuffer(copying: source, gbm: gbm, device: device)
        defer { buffer.close() }
        try buffer.frame.validate()
        // The device probes itself before any view can use the answer: the probe's objects
        // are a view's, recorded in a table of its own and released before it returns.
        let core = device.core
        let table = HandleTable(owner: "import probe")
        defer { table.close(in: .contextLost) }
        var expected = RenderTarget.image(), target = RenderTarget.image()
        let imported: Result<Void, any Error> = try core.withContext { scope in
            var state = ViewState(vertexArray: try table.create(.vertexArray, in: scope))
            defer { state.releaseAll(in: scope.teardown) }
            let renderer = FrameRenderer(core: core, table: table)
            try renderer.render(.memory(source), requestedPath: nil, into: &expected, options: RenderOptions(), state: &state, in: scope)
            return Result {
                try renderer.render(.dmaBuf(buffer.frame), requestedPath: .external, into: &target, options: RenderOptions(), state: &state, in: scope)
            }
        }
        if case .failure(let error) = imported { return (false, "importing a known NV12 frame failed: \(error)") }
        guard let actual = target.image, let expected = expected.image else { throw CameraViewError.closed }
        let maxError = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        if actual.pixels.enumerated().allSatisfy({ $0.offset % 4 == 3 || $0.element == 0 }) {
            return (false, "the NV12 image samples black (a known Mesa 22.3 llvmpipe bug)")
        }
        return maxError <= 4 ? (true, nil) : (false, "a known NV12 frame came out up to \(maxError) steps off")
    }
}
