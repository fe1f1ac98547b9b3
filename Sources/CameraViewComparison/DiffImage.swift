import CameraView

extension ImageComparison {
    /// A picture of where two images differ: the expected image as dim grey where the
    /// pixels agree within `tolerance`, and red (brighter for larger errors) where they
    /// do not, so a glance shows the region and the size of a failure.
    public static func diffImage(actual: RGBAImage, expected: RGBAImage, tolerance: Int) throws(GoldenImageError) -> RGBAImage {
        guard actual.size == expected.size else {
            throw .sizeMismatch(actual: actual.size, expected: expected.size)
        }
        var pixels = [UInt8](repeating: 255, count: expected.pixels.count)
        for pixel in 0..<(expected.pixels.count / 4) {
            let base = pixel * 4
            var error = 0
            for channel in base..<base + 4 {
                error = max(error, abs(Int(actual.pixels[channel]) - Int(expected.pixels[channel])))
            }
            if error > tolerance {
                (pixels[base], pixels[base + 1], pixels[base + 2]) = (UInt8(min(255, 128 + error)), 0, 0)
            } else {
                let grey = (Int(expected.pixels[base]) + Int(expected.pixels[base + 1]) + Int(expected.pixels[base + 2])) / 12
                (pixels[base], pixels[base + 1], pixels[base + 2]) = (UInt8(grey), UInt8(grey), UInt8(grey))
            }
        }
        // Cannot fail: the pixels are exactly the expected image's size.
        return try! RGBAImage(width: expected.width, height: expected.height, pixels: pixels)
    }
}
