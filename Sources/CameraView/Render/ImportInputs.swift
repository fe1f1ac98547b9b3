/// What a dma-buf frame's import path is decided from, gathered before the plan decides it
/// (`ConversionPlan.importDecision`): the view's preference, the device's capabilities
/// (nil while the device checks itself: its forced path is taken as it is) and why the
/// device cannot read the frame's buffers, when it cannot (`BufferAccessCheck`).
struct ImportInputs {
    let preference: ImportPathPreference
    let capabilities: ImportCapabilities?
    var denial: String?

    init(preference: ImportPathPreference, capabilities: ImportCapabilities?, denial: String? = nil) {
        (self.preference, self.capabilities, self.denial) = (preference, capabilities, denial)
    }
}
