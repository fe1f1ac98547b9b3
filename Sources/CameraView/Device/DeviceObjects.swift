import CEGL

/// What an opened platform owns, in the order it is torn down: the context, the
/// initialized display (when the device owns it), the GBM device and the DRM node's fd.
struct DeviceObjects: ~Copyable {
    var drmFD: OwnedFD?
    var gbmDevice: OwnedGBMDevice?
    /// The display the device draws on.
    var display: EGLDisplay?
    /// Its initialization, when this device may end it (a display of its own GBM device,
    /// or one EGL reference-counts); nil for a display EGL shares process-wide, which
    /// stays initialized (see `HandleTable.initializeShared`).
    var displayInitialization: OwnedEGLDisplay?
    var context: OwnedEGLContext?
    /// The DRM node under a GBM display.
    let drmNode: String?

    init(drmNode: String? = nil) { self.drmNode = drmNode }

    /// Destroys the context, terminates an owned display, destroys the GBM device, closes the fd.
    consuming func release() {
        context.take()?.release()
        displayInitialization.take()?.release()
        gbmDevice.take()?.release()
        drmFD.take()?.release()
    }
}
