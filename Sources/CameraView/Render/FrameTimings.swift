/// Time spent per stage of one `render`, whether it took a packed fast path (the frame
/// uploaded four pixels per texel: untransformed frames at their own size, and area at
/// exactly half or a quarter of it; see docs/library.md), and the filter it used
/// (`RenderOptions.filter` resolved; never `.automatic`).
public struct FrameTimings: Sendable, Equatable {
    public let upload: Duration
    public let draw: Duration
    public let readback: Duration
    public let packed: Bool
    public let filter: SampleFilter
}
