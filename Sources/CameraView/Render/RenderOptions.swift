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

/// How a render samples the frame's planes.
public enum SampleFilter: String, Sendable, CaseIterable, Codable {
    /// What a compositor expects, chosen per render from how the placement scales the
    /// frame: `area` where an output pixel covers more than one frame pixel along some
    /// direction (the transform's largest frame-per-output stretch, anywhere in the
    /// output, exceeds 1), else `bilinear` (enlarged, rotated or 1:1; at 1:1 that keeps
    /// every luma code exact and interpolates chroma at its siting). `nearest` is the one
    /// setting that gives exact codes everywhere.
    case automatic
    /// The nearest luma and the nearest chroma sample: exact 8-bit codes.
    case nearest
    /// Luma and chroma each interpolated bilinearly at their true sample positions (chroma
    /// by `ColorDescription.chromaLocation`), edges clamped: for upscaling and small
    /// transforms. Uploaded and per-plane imported frames; the external NV12 path samples
    /// nearest.
    case bilinear
    /// Each output pixel averages the frame's sample boxes under its footprint (the
    /// bounding box of its image in the frame), weighted by overlap: a box filter at any
    /// ratio, per axis, for downscaling without aliasing.
    case area

    /// The filter a render with this setting uses for `outputToFrame` over an output of
    /// `size` (never `.automatic`).
    func resolved(outputToFrame: Matrix3, output size: PixelSize) -> SampleFilter {
        guard self == .automatic else { return self }
        return outputToFrame.largestStretch(over: size) > 1 + 1e-9 ? .area : .bilinear
    }
}

/// Maps output pixel positions to frame pixel positions, for the shader. Output row 0 is
/// the top row of the image (and the first row glReadPixels returns) unless
/// `flipVertically` is asked for (window surfaces, host framebuffers).
struct FrameTransform: Equatable {
    /// Output position (homogeneous) -> frame position.
    let matrix: Matrix3

    static func make(
        frame: PixelSize, output: PixelSize, options: RenderOptions, flipVertically: Bool = false
    ) throws(CameraViewError) -> FrameTransform {
        var frameToOutput = options.frameToOutput ?? fitted(frame: frame, output: output, options: options)
        if options.mirror {
            frameToOutput = frameToOutput * Matrix3(SIMD3(-1, 0, Double(frame.width)), SIMD3(0, 1, 0), SIMD3(0, 0, 1))
        }
        if flipVertically {
            frameToOutput = Matrix3(SIMD3(1, 0, 0), SIMD3(0, -1, Double(output.height)), SIMD3(0, 0, 1)) * frameToOutput
        }
        guard let inverse = frameToOutput.inverse else { throw .singularTransform(frameToOutput) }
        return FrameTransform(matrix: inverse)
    }

    /// Scale and centre for the fit mode, then the zoom about its point.
    private static func fitted(frame: PixelSize, output: PixelSize, options: RenderOptions) -> Matrix3 {
        let frameWidth = Double(frame.width), frameHeight = Double(frame.height)
        let widthRatio = Double(output.width) / frameWidth, heightRatio = Double(output.height) / frameHeight
        let (scaleX, scaleY) = switch options.fit {
        case .stretch: (widthRatio, heightRatio)
        case .contain: (min(widthRatio, heightRatio), min(widthRatio, heightRatio))
        case .cover: (max(widthRatio, heightRatio), max(widthRatio, heightRatio))
        }
        // The scaled frame is centred: output = scale * frame + origin.
        let fit = Matrix3.translation((Double(output.width) - frameWidth * scaleX) / 2,
                                      (Double(output.height) - frameHeight * scaleY) / 2)
            * Matrix3.scale(scaleX, scaleY)
        guard options.zoom != 1 else { return fit }
        let center = options.zoomCenter ?? FramePoint(x: frameWidth / 2, y: frameHeight / 2)
        let anchor = fit.apply(x: center.x, y: center.y)
        return Matrix3.translation(anchor.x, anchor.y) * Matrix3.scale(options.zoom, options.zoom)
            * Matrix3.translation(-anchor.x, -anchor.y) * fit
    }
}
