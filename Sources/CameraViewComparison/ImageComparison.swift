import CameraView
import Foundation

/// How far a rendering is from its expected image, channel by channel (alpha included).
public struct ImageComparison: Sendable, Equatable, CustomStringConvertible {
    /// The largest difference of any channel of any pixel, 0...255.
    public let maxError: Int
    /// Pixels with any channel more than `tolerance` off.
    public let differingPixels: Int
    /// Peak signal-to-noise ratio over all channels, in dB; infinity for identical images.
    public let psnr: Double
    public let tolerance: Int
    public let pixelCount: Int
    /// The first differing pixel, row by row.
    public let firstDifference: PixelPosition?

    public var passed: Bool { differingPixels == 0 }

    /// Compares two images of the same size.
    public init(actual: RGBAImage, expected: RGBAImage, tolerance: Int) throws(GoldenImageError) {
        guard actual.size == expected.size else {
            throw .sizeMismatch(actual: actual.size, expected: expected.size)
        }
        var maxError = 0, differing = 0, squaredErrorSum = 0.0
        var first: PixelPosition?
        actual.pixels.withUnsafeBufferPointer { a in
            expected.pixels.withUnsafeBufferPointer { e in
                for pixel in 0..<(a.count / 4) {
                    var pixelError = 0
                    for channel in pixel * 4..<pixel * 4 + 4 {
                        let error = abs(Int(a[channel]) - Int(e[channel]))
                        pixelError = max(pixelError, error)
                        squaredErrorSum += Double(error * error)
                    }
                    maxError = max(maxError, pixelError)
                    if pixelError > tolerance {
                        differing += 1
                        if first == nil { first = PixelPosition(x: pixel % actual.width, y: pixel / actual.width) }
                    }
                }
            }
        }
        let meanSquaredError = squaredErrorSum / Double(actual.pixels.count)
        self.maxError = maxError
        self.differingPixels = differing
        self.psnr = meanSquaredError == 0 ? .infinity : 10 * log10(255 * 255 / meanSquaredError)
        self.tolerance = tolerance
        self.pixelCount = actual.width * actual.height
        self.firstDifference = first
    }

    public var description: String {
        let psnrText = psnr.isInfinite ? "inf" : String(format: "%.2f", psnr)
        return "max error \(maxError), \(differingPixels) of \(pixelCount) pixels over tolerance \(tolerance), PSNR \(psnrText) dB"
            + (firstDifference.map { ", first at (\($0.x), \($0.y))" } ?? "")
    }
}

public struct PixelPosition: Sendable, Equatable {
    public let x: Int
    public let y: Int

    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}
