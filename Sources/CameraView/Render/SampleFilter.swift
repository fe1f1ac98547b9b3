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
