import ArgumentParser
import CameraView

extension ColorMatrix: ExpressibleByArgument {}
extension ColorRange: ExpressibleByArgument {}
extension FitMode: ExpressibleByArgument {}
extension SampleFilter: ExpressibleByArgument {}

/// The spellings of `--chroma-location`.
public enum ChromaLocationArgument: String, ExpressibleByArgument, CaseIterable {
    case left, center
    case topLeft = "top-left"

    public var location: ChromaLocation {
        switch self {
        case .left: .left
        case .center: .center
        case .topLeft: .topLeft
        }
    }
}

extension PixelSize: ExpressibleByArgument {
    /// Parses "WIDTHxHEIGHT", e.g. "1928x1208".
    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            return nil
        }
        self.init(width: width, height: height)
    }
}

/// The spellings of `--import-path`.
public enum ImportPathArgument: String, ExpressibleByArgument, CaseIterable {
    case automatic
    case perPlane = "per-plane"
    case external
    case mappedUpload = "mapped-upload"

    public var preference: ImportPathPreference {
        switch self {
        case .automatic: .automatic
        case .perPlane: .forced(.perPlane)
        case .external: .forced(.external)
        case .mappedUpload: .forced(.mappedUpload)
        }
    }
}
