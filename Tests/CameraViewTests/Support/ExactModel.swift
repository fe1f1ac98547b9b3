import CameraView

/// An exact double-precision model of NV12 -> RGB, written from the textbook equations
/// (BT.601 / BT.709 luma weights, studio or full swing), independent of the renderer's
/// matrix code: R and B from luma plus scaled chroma, then G from the luma equation
/// Y = Kr R + Kg G + Kb B. Chroma is the nearest sample (x/2, y/2). Clamps to 0...255.
enum ExactModel {
    static func rgb(y: UInt8, cb: UInt8, cr: UInt8, color: ColorDescription) -> (UInt8, UInt8, UInt8) {
        let (kr, kb): (Double, Double) = color.matrix == .bt601 ? (0.299, 0.114) : (0.2126, 0.0722)
        let kg = 1 - kr - kb
        let luma, pb, pr: Double
        if color.range == .limited {
            luma = (Double(y) - 16) / 219
            (pb, pr) = ((Double(cb) - 128) / 224, (Double(cr) - 128) / 224)
        } else {
            luma = Double(y) / 255
            (pb, pr) = ((Double(cb) - 128) / 255, (Double(cr) - 128) / 255)
        }
        let red = luma + 2 * (1 - kr) * pr
        let blue = luma + 2 * (1 - kb) * pb
        let green = (luma - kr * red - kb * blue) / kg
        return (quantize(red), quantize(green), quantize(blue))
    }

    private static func quantize(_ value: Double) -> UInt8 {
        UInt8(max(0, min(255, (value * 255).rounded())))
    }

    /// The expected RGBA of a frame placed by `options`: each output pixel centre is mapped
    /// back into the frame in double precision (scale and centring per fit mode, then the
    /// mirror), sampled nearest (a position on a texel edge takes the texel to its
    /// right/below, as floor() does), and black outside the frame.
    static func render(_ frame: NV12Frame, options: RenderOptions) -> RGBAImage {
        let source = render(frame)
        let frameWidth = Double(source.width), frameHeight = Double(source.height)
        let output = options.outputSize ?? source.size
        let widthRatio = Double(output.width) / frameWidth, heightRatio = Double(output.height) / frameHeight
        let (scaleX, scaleY) = switch options.fit {
        case .contain: (min(widthRatio, heightRatio), min(widthRatio, heightRatio))
        case .cover: (max(widthRatio, heightRatio), max(widthRatio, heightRatio))
        case .stretch: (widthRatio, heightRatio)
        }
        let left = (Double(output.width) - frameWidth * scaleX) / 2
        let top = (Double(output.height) - frameHeight * scaleY) / 2
        var pixels = [UInt8](repeating: 0, count: output.width * output.height * 4)
        for y in 0..<output.height {
            for x in 0..<output.width {
                var frameX = (Double(x) + 0.5 - left) / scaleX
                let frameY = (Double(y) + 0.5 - top) / scaleY
                if options.mirror { frameX = frameWidth - frameX }
                let index = (y * output.width + x) * 4
                pixels[index + 3] = 255
                guard frameX >= 0, frameX < frameWidth, frameY >= 0, frameY < frameHeight else { continue }
                let from = (Int(frameY.rounded(.down)) * source.width + Int(frameX.rounded(.down))) * 4
                for channel in 0..<3 { pixels[index + channel] = source.pixels[from + channel] }
            }
        }
        return try! RGBAImage(width: output.width, height: output.height, pixels: pixels)
    }

    /// The expected RGBA of a whole frame at 1:1.
    static func render(_ frame: NV12Frame) -> RGBAImage {
        let layout = frame.layout
        var pixels = [UInt8](repeating: 255, count: layout.width * layout.height * 4)
        frame.withUnsafeBytes { bytes in
            for row in 0..<layout.height {
                for column in 0..<layout.width {
                    let luma = bytes[row * layout.yStride + column]
                    let chroma = layout.uvOffset + (row / 2) * layout.uvStride + (column / 2) * 2
                    let (r, g, b) = rgb(y: luma, cb: bytes[chroma], cr: bytes[chroma + 1], color: frame.color)
                    let index = (row * layout.width + column) * 4
                    (pixels[index], pixels[index + 1], pixels[index + 2]) = (r, g, b)
                }
            }
        }
        return try! RGBAImage(width: layout.width, height: layout.height, pixels: pixels)
    }
}
