import CEGL

/// What an opened platform owns, in the order it is torn down: the context, the
/// initialized display, the GBM device and the DRM node's fd under it.
struct DeviceObjects: ~Copyable {
    var drmFD: OwnedFD?
    var gbmDevice: OwnedGBMDevice?
    var display: OwnedEGLDisplay?
    var context: OwnedEGLContext?
    /// The DRM node under a GBM display.
    let drmNode: String?

    init(drmNode: String? = nil) { self.drmNode = drmNode }

    /// Destroys the context, terminates the display, destroys the GBM device, closes the fd.
    consuming func release() {
        context.take()?.release()
        display.take()?.release()
        gbmDevice.take()?.release()
        drmFD.take()?.release()
    }
}
