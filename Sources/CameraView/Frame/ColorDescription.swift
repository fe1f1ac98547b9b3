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

/// How to turn a frame's code values into RGB. The default, BT.601 full range, is what
/// openpilot's camera ISP produces.
public struct ColorDescription: Sendable, Hashable, Codable, CaseIterable {
    public var matrix: ColorMatrix
    public var range: ColorRange

    public init(matrix: ColorMatrix = .bt601, range: ColorRange = .full) {
        self.matrix = matrix
        self.range = range
    }

    public static let `default` = ColorDescription()

    /// The four matrix and range pairs.
    public static let allCases = ColorMatrix.allCases.flatMap { matrix in
        ColorRange.allCases.map { ColorDescription(matrix: matrix, range: $0) }
    }
}
