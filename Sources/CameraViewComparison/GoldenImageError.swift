import CameraView

/// Why a golden-image check did not pass.
public enum GoldenImageError: Error, Equatable, Sendable, CustomStringConvertible {
    case sizeMismatch(actual: PixelSize, expected: PixelSize)
    /// No golden at `path`; run with the record variable set to create it.
    case missingGolden(path: String)
    /// Outside tolerance; `artifacts` holds actual, expected and diff PNGs.
    case mismatch(name: String, comparison: ImageComparison, artifacts: String)
    /// The rendering's size is not the golden's; `artifacts` holds the actual image.
    case goldenSizeMismatch(name: String, actual: PixelSize, expected: PixelSize, artifacts: String)
    /// Record mode wrote the golden at `path`; the check cannot pass while recording.
    case recorded(path: String)

    /// The variable that makes golden checks record instead of compare (`GoldenImage`'s).
    public static let recordVariable = "CAMERAVIEW_RECORD_GOLDENS"

    public var description: String {
        switch self {
        case let .sizeMismatch(actual, expected): "image is \(actual), expected \(expected)"
        case .missingGolden(let path):
            "no golden image at \(path) (set \(Self.recordVariable)=1 to record it)"
        case let .mismatch(name, comparison, artifacts):
            "\(name) does not match its golden: \(comparison); actual, expected and diff images in \(artifacts)"
        case let .goldenSizeMismatch(name, actual, expected, artifacts):
            "\(name) is \(actual), its golden \(expected); the actual image is in \(artifacts)"
        case .recorded(let path):
            "recorded the golden \(path) (\(Self.recordVariable)=1); run again without it to verify"
        }
    }
}
