/// How a frame is placed in an output of another aspect ratio.
public enum FitMode: String, Sendable, CaseIterable, Codable {
    /// The whole frame, scaled to fit, centred, with black bars (letterbox / pillarbox).
    case contain
    /// The output fully covered, centred; what falls outside is cropped.
    case cover
    /// Scaled independently in x and y to fill the output.
    case stretch
}

/// What one render produces and how the frame is placed in it.
public struct RenderOptions: Sendable, Hashable {
    /// The output size; nil renders at the frame's own size.
    public var outputSize: PixelSize?
    public var fit: FitMode
    /// Mirror horizontally (openpilot shows the driver camera mirrored).
    public var mirror: Bool

    public init(outputSize: PixelSize? = nil, fit: FitMode = .contain, mirror: Bool = false) {
        self.outputSize = outputSize
        self.fit = fit
        self.mirror = mirror
    }
}

public struct PixelSize: Sendable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }
}
