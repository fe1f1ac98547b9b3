import CameraView

/// How far two RGBA images are apart, channel by channel.
struct ImageDifference: CustomStringConvertible {
    let maxError: Int
    let differingPixels: Int
    let firstDifference: (x: Int, y: Int)?

    init(_ actual: RGBAImage, _ expected: RGBAImage, tolerance: Int = 0) {
        precondition(actual.size == expected.size, "compared images differ in size")
        var maxError = 0, differing = 0
        var first: (Int, Int)?
        actual.pixels.withUnsafeBufferPointer { a in
            expected.pixels.withUnsafeBufferPointer { e in
                for pixel in 0..<(a.count / 4) {
                    var pixelError = 0
                    for channel in 0..<4 {
                        pixelError = max(pixelError, abs(Int(a[pixel * 4 + channel]) - Int(e[pixel * 4 + channel])))
                    }
                    maxError = max(maxError, pixelError)
                    if pixelError > tolerance {
                        differing += 1
                        if first == nil { first = (pixel % actual.width, pixel / actual.width) }
                    }
                }
            }
        }
        self.maxError = maxError
        self.differingPixels = differing
        self.firstDifference = first
    }

    var description: String {
        "max error \(maxError), \(differingPixels) pixels over tolerance"
            + (firstDifference.map { ", first at (\($0.x), \($0.y))" } ?? "")
    }
}
