import CameraView
import Testing

/// Every pixel of `image` equals `expected(x, y)`; reports how many do not.
func expectPixels(
    _ image: RGBAImage, sourceLocation: SourceLocation = #_sourceLocation,
    _ expected: (Int, Int) -> (UInt8, UInt8, UInt8, UInt8)
) {
    var wrong = 0
    for y in 0..<image.height {
        for x in 0..<image.width where image[x, y] != expected(x, y) { wrong += 1 }
    }
    #expect(wrong == 0, "\(wrong) of \(image.width * image.height) pixels differ", sourceLocation: sourceLocation)
}
