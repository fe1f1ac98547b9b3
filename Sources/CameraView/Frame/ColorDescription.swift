/// The YCbCr matrix of a frame.
public enum ColorMatrix: String, Sendable, CaseIterable, Codable {
    case bt601
    case bt709

    /// Luma weights (Kr, Kb) from ITU-R BT.601 and BT.709.
    var lumaWeights: (red: Double, blue: Double) {
        switch self {
        case .bt601: (0.299, 0.114)
        case .bt709: (0.2126, 0.0722)
        }
    }
}

/// Full range: Y and C use 0...255. Limited ("TV") range: Y 16...235, C 16...240.
public enum ColorRange: String, Sendable, CaseIterable, Codable {
    case full
    case limited
}

/// Where 4:2:0 chroma samples sit relative to luma (what the bilinear filter interpolates
/// from; nearest sampling takes chroma sample x/2, y/2 whatever the siting).
public enum ChromaLocation: String, Sendable, CaseIterable, Codable {
    /// Co-sited with the left luma column, vertically between two rows: MPEG-2 and H.264's
    /// default, what cameras and decoders produce and ffmpeg assumes when unspecified.
    case left
    /// Centred between four luma samples: JPEG and MPEG-1.
    case center
    /// Co-sited with the top-left luma sample.
    case topLeft

    /// The frame position (pixels, luma sample centres at i + 0.5) of chroma sample (0, 0).
    var origin: (x: Double, y: Double) {
        switch self {
        case .left: (0.5, 1)
        case .center: (1, 1)
        case .topLeft: (0.5, 0.5)
        }
    }
}

/// How to turn a frame's code values into RGB. The default, BT.601 full range with chroma
/// sited left, is what openpilot's camera ISP produces.
public struct ColorDescription: Sendable, Hashable, Codable {
    public var matrix: ColorMatrix
    public var range: ColorRange
    public var chromaLocation: ChromaLocation

    public init(matrix: ColorMatrix = .bt601, range: ColorRange = .full, chromaLocation: ChromaLocation = .left) {
        self.matrix = matrix
        self.range = range
        self.chromaLocation = chromaLocation
    }

    public static let `default` = ColorDescription()

    /// The four matrix and range pairs (chroma sited left).
    package static let allCases = ColorMatrix.allCases.flatMap { matrix in
        ColorRange.allCases.map { ColorDescription(matrix: matrix, range: $0) }
    }
}
