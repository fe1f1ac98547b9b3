import Foundation

/// The EGL platforms a device can be opened on.
public enum Platform: String, Sendable, CaseIterable, Codable {
    /// GBM on a DRM render node (a real or virtual GPU).
    case gbm
    /// Mesa's surfaceless platform: no window system, no DRM node needed.
    case surfaceless
    /// EGL_EXT_platform_device: the first enumerated EGL device (NVIDIA's headless path).
    case device

    /// The variable that forces a platform: `CAMERAVIEW_PLATFORM=gbm|surfaceless|device`.
    public static let environmentVariable = "CAMERAVIEW_PLATFORM"

    /// The platforms to try, in order: the forced one, or GBM then surfaceless.
    static func candidates(forced: Platform?) throws(CameraViewError) -> [Platform] {
        if let forced { return [forced] }
        if let name = ProcessInfo.processInfo.environment[environmentVariable], !name.isEmpty {
            guard let platform = Platform(rawValue: name) else { throw .unknownPlatform(name) }
            return [platform]
        }
        return [.gbm, .surfaceless]
    }
}

/// One platform that was tried and why it could not be used.
public struct PlatformAttempt: Sendable, Equatable, CustomStringConvertible {
    public let platform: Platform
    public let reason: String

    public init(platform: Platform, reason: String) {
        self.platform = platform
        self.reason = reason
    }

    public var description: String { "\(platform.rawValue): \(reason)" }
}
