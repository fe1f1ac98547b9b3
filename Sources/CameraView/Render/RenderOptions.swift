/// How a render places the frame in its target and samples it: fitted, then zoomed about
/// a point; or by an arbitrary frame-to-output transform. Mirroring applies to the frame
/// first in either case. The output's size is the target's (`RenderTarget`).
public struct RenderOptions: Sendable, Hashable {
    public var fit: FitMode
    /// Mirror horizontally (openpilot shows the driver camera mirrored).
    public var mirror: Bool
    /// Magnification after fitting (1: none), about `zoomCenter`.
    public var zoom: Double
    /// The frame point (pixels) that stays where fitting put it; nil: the frame's centre.
    public var zoomCenter: FramePoint?
    /// Maps frame pixel positions to output pixel positions (homogeneous, so projective
    /// transforms work). When set, `fit`, `zoom` and `zoomCenter` are ignored.
    public var frameToOutput: Matrix3?
    /// How frame samples become output pixels: by default chosen from the scale (see
    /// `SampleFilter.automatic`); `.nearest` gives exact codes.
    public var filter: SampleFilter
    /// What the parts of the output the frame does not cover get (contain's bars, outside
    /// a transformed frame).
    public var letterbox: Letterbox

    public init(fit: FitMode = .contain, mirror: Bool = false,
                zoom: Double = 1, zoomCenter: FramePoint? = nil, frameToOutput: Matrix3? = nil,
                filter: SampleFilter = .automatic, letterbox: Letterbox = .black) {
        self.fit = fit
        self.mirror = mirror
        self.zoom = zoom
        self.zoomCenter = zoomCenter
        self.frameToOutput = frameToOutput
        self.filter = filter
        self.letterbox = letterbox
    }

    /// No placement beyond the target's size: the frame drawn as it is.
    var placesFrame: Bool { mirror || zoom != 1 || frameToOutput != nil }
}

/// How a frame is placed in an output of another aspect ratio.
public enum FitMode: String, Sendable, CaseIterable, Codable {
    /// The whole frame, scaled to fit, centred, with black bars (letterbox / pillarbox).
    case contain
    /// The output fully covered, centred; what falls outside is cropped.
    case cover
    /// Scaled independently in x and y to fill the output.
    case stretch
}

/// What a render paints where the frame is not.
public enum Letterbox: String, Sendable, CaseIterable, Codable {
    /// Opaque black (the default).
    case black
    /// Transparent black (alpha 0), for a compositor that blends the view over its scene.
    case transparent
    /// Left as they were: a host's content shows through. Renders into CameraView's own
    /// targets (images, GBM surfaces) have nothing to keep and give transparent bars.
    case untouched
}
