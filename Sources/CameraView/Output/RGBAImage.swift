/// An 8-bit RGBA image, rows top to bottom, no padding.
public struct RGBAImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) throws(CameraViewError) {
        guard width > 0, height > 0, pixels.count / 4 / width == height, pixels.count == width * height * 4 else {
            throw .invalidImage(width: width, height: height, byteCount: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A transparent black image: somewhere for `CameraView.render(_:into:)` to start.
    public init(width: Int, height: Int) throws(CameraViewError) {
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, count <= Int.max / 4 else {
            throw .invalidImage(width: width, height: height, byteCount: 0)
        }
        try self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: count * 4))
    }

    public var size: PixelSize { PixelSize(width: width, height: height) }

    /// The (r, g, b, a) of one pixel.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let index = (y * width + x) * 4
        return (pixels[index], pixels[index + 1], pixels[index + 2], pixels[index + 3])
    }
}
