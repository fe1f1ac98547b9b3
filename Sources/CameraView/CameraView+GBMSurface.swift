import CEGL

extension CameraView: SurfaceKeeper {
    /// Makes a GBM render target of `size` on this view's device (the GBM platform only).
    /// Nothing is created for a closed view; a failure releases what was made before it.
    public func makeGBMSurface(size: PixelSize) throws -> GBMSurface {
        let core = device.core
        guard let gbm = core.gbmDevice, let display = core.display else {
            throw CameraViewError.needsGBMPlatform(what: "GBM surfaces", platform: device.platform)
        }
        // Positive and within the device's limits, so every conversion to GBM's 32 bits holds.
        try core.info.checkFits(size)
        let objects = try state.withLock { state in
            guard state.isOpen else { throw CameraViewError.closed }
            let (config, format, bgra) = try Self.windowConfig(display: display)
            return try core.withContext { scope in
                let objects = try SurfaceObjects(on: gbm, size: size, config: config, format: format, bgra: bgra, table: handles, in: scope)
                state.surfaces[ObjectIdentifier(objects)] = objects
                return objects
            }
        }
        return GBMSurface(keeper: self, size: size, objects: objects)
    }

    /// A window config whose native visual is a 32-bit GBM format: ABGR8888 (RGBA bytes)
    /// preferred, ARGB8888 (BGRA bytes) accepted.
    private static func windowConfig(display: EGLDisplay) throws -> (EGLConfig, UInt32, Bool) {
        let attributes: [EGLint] = [
            EGL_SURFACE_TYPE, EGL_WINDOW_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT,
            EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8, EGL_NONE,
        ]
        var count: EGLint = 0
        guard eglChooseConfig(display, attributes, nil, 0, &count) == EGL_TRUE, count > 0 else {
            throw CameraViewError.egl(operation: "eglChooseConfig (window)", code: eglGetError())
        }
        var configs = [EGLConfig?](repeating: nil, count: Int(count))
        eglChooseConfig(display, attributes, &configs, count, &count)
        func visual(_ config: EGLConfig) -> UInt32 {
            var id: EGLint = 0
            eglGetConfigAttrib(display, config, EGL_NATIVE_VISUAL_ID, &id)
            return UInt32(bitPattern: id)
        }
        let candidates = configs.prefix(Int(count)).compactMap { $0 }
        if let config = candidates.first(where: { visual($0) == cv_GBM_FORMAT_ABGR8888 }) {
            return (config, cv_GBM_FORMAT_ABGR8888, false)
        }
        if let config = candidates.first(where: { visual($0) == cv_GBM_FORMAT_ARGB8888 }) {
            return (config, cv_GBM_FORMAT_ARGB8888, true)
        }
        throw CameraViewError.egl(operation: "eglChooseConfig: no ABGR8888/ARGB8888 window config", code: EGL_BAD_MATCH)
    }

    func closeSurface(_ objects: SurfaceObjects) {
        state.withLock { state in
            guard state.surfaces.removeValue(forKey: ObjectIdentifier(objects)) != nil else { return }
            device.core.tearingDown(handles.owner) { objects.release(in: $0) }
        }
    }
}
