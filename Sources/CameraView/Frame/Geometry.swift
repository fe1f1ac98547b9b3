/// A size in pixels.
public struct PixelSize: Sendable, Hashable, Codable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }

    /// The 4:2:0 chroma plane of a frame this size: a sample per 2x2 luma block, a partial
    /// block at an odd edge counting whole. The one place that says so.
    package var chroma: PixelSize { PixelSize(width: Self.chromaSamples(width), height: Self.chromaSamples(height)) }

    /// ceil(luma / 2), without the overflow of `(luma + 1) / 2` at `Int.max`.
    package static func chromaSamples(_ luma: Int) -> Int { luma / 2 + luma % 2 }
}

/// A rectangle of pixels in a framebuffer.
public struct PixelRect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    public var size: PixelSize { PixelSize(width: width, height: height) }
}

/// A position in frame pixels (the frame's top-left corner is 0, 0).
public struct FramePoint: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
