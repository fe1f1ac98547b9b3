/// The EGL platforms a device can be opened on.
public enum Platform: String, Sendable, CaseIterable, Codable {
    /// GBM on a DRM render node (a real or virtual GPU).
    case gbm
    /// Mesa's surfaceless platform: no window system, no DRM node needed.
    case surfaceless
    /// EGL_EXT_platform_device: the first enumerated EGL device (NVIDIA's headless path).
    case device
    /// A host's own display and context, adopted with `RenderDevice.adopting`; never
    /// chosen or opened by platform selection.
    case host

    /// The platforms `open()` can choose or be forced to.
    package static let selectable: [Platform] = [.gbm, .surfaceless, .device]

    /// The variable that forces a platform: `CAMERAVIEW_PLATFORM=gbm|surfaceless|device`.
    package static let environmentVariable = "CAMERAVIEW_PLATFORM"
}

/// One platform that was tried and why it could not be used.
public struct PlatformAttempt: Sendable, Equatable, CustomStringConvertible {
    package let platform: Platform
    package let reason: String

    package init(platform: Platform, reason: String) {
        self.platform = platform
        self.reason = reason
    }

    public var description: String { "\(platform.rawValue): \(reason)" }
}
