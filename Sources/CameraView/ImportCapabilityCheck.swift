import CEGL

extension RenderDevice {
    /// What this device can do with dma-bufs: the formats it lists and whether the external
    /// NV12 path renders a known frame correctly. Found on first use, then kept.
    public func importCapabilities() throws -> ImportCapabilities {
        try core.fact { try ImportCapabilityCheck.run(on: self) }
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
        // The device checks itself through a view of its own, before any view uses the
        // answer: the external path forced (the answer is not there yet to choose it).
        let view = try CameraView(device: device)
        defer { view.close() }
        let expected = try view.render(.memory(source))
        var target = RenderTarget.image()
        do {
            try view.render(.dmaBuf(buffer.frame), into: &target, options: RenderOptions(),
                            importing: ImportInputs(preference: .forced(.external), capabilities: nil))
        } catch {
            return (false, "importing a known NV12 frame failed: \(error)")
        }
        guard let actual = target.image else { throw CameraViewError.closed }
        let maxError = zip(actual.pixels, expected.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        if actual.pixels.enumerated().allSatisfy({ $0.offset % 4 == 3 || $0.element == 0 }) {
            return (false, "the NV12 image samples black (a known Mesa 22.3 llvmpipe bug)")
        }
        return maxError <= 4 ? (true, nil) : (false, "a known NV12 frame came out up to \(maxError) steps off")
    }
}
