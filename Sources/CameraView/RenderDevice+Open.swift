import CEGL

extension RenderDevice {
    /// Opens (or joins) the shared device: `platform` if given, else `CAMERAVIEW_PLATFORM`,
    /// else GBM on a DRM node when one initializes, else Mesa surfaceless. A new device
    /// compiles the upload path's programs as it opens (the first frame does not pay for
    /// them; a platform whose driver cannot compile them is not usable).
    public static func open(platform: Platform? = nil) throws -> RenderDevice {
        RenderDevice(core: try DeviceRegistry.acquire(candidates: Platform.candidates(forced: platform), prepare: prepare))
    }

    /// A device over a host's own EGL display and context (a compositor embedding views).
    /// Views on it draw in that context, into the host's framebuffers (`CameraView.draw`),
    /// and never disturb its GL state. The host keeps owning the display and context, and
    /// must keep them alive until every view and this reference are closed. References to
    /// the same context share one device (and its compiled programs).
    public static func adopting(display: UnsafeMutableRawPointer, context: UnsafeMutableRawPointer) throws -> RenderDevice {
        RenderDevice(core: try DeviceRegistry.acquireHost(display: display, context: context, prepare: prepare))
    }

    /// A device over the context current on the calling thread: a UI toolkit's (raylib,
    /// SDL, GLFW), EGL (adopted as `adopting(display:context:)` does) or GLX (desktop GL
    /// through X11). A GLX context is only ever used while it is current on the thread that
    /// calls, and has no EGL display: frames upload (dma-bufs are mapped and uploaded; a
    /// forced EGLImage path is `importPathUnavailable`). Throws `noCurrentContext` when
    /// neither is current.
    public static func adoptingCurrent() throws -> RenderDevice {
        if let context = eglGetCurrentContext(), let display = eglGetCurrentDisplay() {
            return try adopting(display: display, context: context)
        }
        guard let glx = HostContext.currentGLXContext else { throw CameraViewError.noCurrentContext }
        return RenderDevice(core: try DeviceRegistry.acquireHost(display: nil, context: glx, api: .glx, prepare: prepare))
    }

    /// A new device's preparation: the upload path's exact programs.
    private static func prepare(_ core: DeviceCore, in scope: borrowing ContextScope) throws {
        let programs = ProgramCache.of(core, in: scope)
        for variant in ProgramCache.uploadVariants { _ = try programs.program(variant, in: scope) }
    }
}
