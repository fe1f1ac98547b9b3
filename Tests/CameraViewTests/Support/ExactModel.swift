import CameraView

/// An exact double-precision model of NV12 -> RGB, written from the textbook equations
/// (BT.601 / BT.709 luma weights, studio or full swing), independent of the renderer's
/// matrix code: R and B from luma plus scaled chroma, then G from the luma equation
/// Y = Kr R + Kg G + Kb B. Chroma is the nearest sample (x/2, y/2). Clamps to 0...255.
enum ExactModel {
    static func rgb(y: UInt8, cb: UInt8, cr: UInt8, color: ColorDescription) -> (UInt8, UInt8, UInt8) {
        rgb(interpolatedY: Double(y), cb: Double(cb), cr: Double(cr), color: color)
    }

    /// The same for code values that may lie between codes (interpolated samples).
    static func rgb(interpolatedY y: Double, cb: Double, cr: Double, color: ColorDescription) -> (UInt8, UInt8, UInt8) {
        let (kr, kb): (Double, Double) = color.matrix == .bt601 ? (0.299, 0.114) : (0.2126, 0.0722)
        let kg = 1 - kr - kb
        let luma, pb, pr: Double
        if color.range == .limited {
            luma = (y - 16) / 219
            (pb, pr) = ((cb - 128) / 224, (cr - 128) / 224)
        } else {
            luma = y / 255
            (pb, pr) = ((cb - 128) / 255, (cr - 128) / 255)
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
    /// back into the frame in double precision (the placement written out per mode and
    /// inverted by Cramer's rule), sampled nearest (a position on a texel edge takes the
    /// texel to its right/below, as floor() does), and black outside the frame.
    /// `nudge` moves every sample point by a fraction of an output pixel: where a point
    /// falls within float precision of a texel edge, either texel is a right answer.
    static func render(_ frame: NV12Frame, size: PixelSize? = nil, options: RenderOptions, nudge: (x: Double, y: Double) = (0, 0)) -> RGBAImage {
        let source = render(frame)
        let output = size ?? source.size
        let toOutput = frameToOutput(frame: source.size, output: output, options: options)
        var pixels = [UInt8](repeating: 0, count: output.width * output.height * 4)
        for y in 0..<output.height {
            for x in 0..<output.width {
                let index = (y * output.width + x) * 4
                pixels[index + 3] = 255
                guard let (frameX, frameY) = solve(toOutput, x: Double(x) + 0.5 + nudge.x, y: Double(y) + 0.5 + nudge.y),
                      frameX >= 0, frameX < Double(source.width), frameY >= 0, frameY < Double(source.height)
                else { continue }
                let from = (Int(frameY.rounded(.down)) * source.width + Int(frameX.rounded(.down))) * 4
                for channel in 0..<3 { pixels[index + channel] = source.pixels[from + channel] }
            }
        }
        return try! RGBAImage(width: output.width, height: output.height, pixels: pixels)
    }

    /// Row-major frame -> output matrix for the options, built from first principles.
    static func frameToOutput(frame: PixelSize, output: PixelSize, options: RenderOptions) -> [[Double]] {
        let (fw, fh) = (Double(frame.width), Double(frame.height))
        var m: [[Double]]
        if let custom = options.frameToOutput {
            m = custom.rows
        } else {
            let (rw, rh) = (Double(output.width) / fw, Double(output.height) / fh)
            let (sx, sy) = switch options.fit {
            case .contain: (min(rw, rh), min(rw, rh))
            case .cover: (max(rw, rh), max(rw, rh))
            case .stretch: (rw, rh)
            }
            let (ox, oy) = ((Double(output.width) - fw * sx) / 2, (Double(output.height) - fh * sy) / 2)
            // Zoom keeps the centre point's fitted position: out = a + z (fit(p) - a).
            let center = options.zoomCenter ?? FramePoint(x: fw / 2, y: fh / 2)
            let (ax, ay) = (ox + sx * center.x, oy + sy * center.y)
            let z = options.zoom
            m = [[z * sx, 0, ax + z * (ox - ax)], [0, z * sy, ay + z * (oy - ay)], [0, 0, 1]]
        }
        if options.mirror {
            // Frame x -> fw - x before placing: negate column 0, fold fw into column 2.
            for row in 0..<3 { (m[row][0], m[row][2]) = (-m[row][0], m[row][2] + m[row][0] * fw) }
        }
        return m
    }

    /// The frame point whose image is (x, y): solves M (u, v, 1) ∝ (x, y, 1) by Cramer's rule.
    static func solve(_ m: [[Double]], x: Double, y: Double) -> (Double, Double)? {
        // (m00 - x m20) u + (m01 - x m21) v = x m22 - m02, likewise for y.
        let (a, b, c) = (m[0][0] - x * m[2][0], m[0][1] - x * m[2][1], x * m[2][2] - m[0][2])
        let (d, e, f) = (m[1][0] - y * m[2][0], m[1][1] - y * m[2][1], y * m[2][2] - m[1][2])
        let determinant = a * e - b * d
        guard determinant != 0 else { return nil }
        let (u, v) = ((c * e - b * f) / determinant, (a * f - c * d) / determinant)
        // Behind a projective transform's horizon there is nothing.
        guard m[2][0] * u + m[2][1] * v + m[2][2] > 0 else { return nil }
        return (u, v)
    }

    /// The expected RGBA of a whole frame at 1:1.
    static func render(_ frame: NV12Frame) -> RGBAImage {
        let layout = frame.layout
        var pixels = [UInt8](repeating: 255, count: layout.width * layout.height * 4)
        frame.withOwnBytes { bytes in
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

    /// Pixels within 1 of neither the exact model nor the model with its sample points
    /// nudged by a little: scaling by odd ratios puts some points on texel edges, where the
    /// GPU's interpolation and the model's double may fall to either side. llvmpipe's
    /// interpolated frame position is off by up to ~2e-4 of its value (measured: 17 px
    /// stretched to 4096, the centre of pixel 1204 maps to texel 4.99915 and samples texel
    /// 5), so the nudge grows with the output: 0.001 px plus 1e-4 of its larger side.
    static func mismatches(_ image: RGBAImage, _ frame: NV12Frame, _ options: RenderOptions) -> Int {
        func differing(_ model: RGBAImage) -> [Int] {
            guard model.size == image.size else { return Array(0..<image.width * image.height) }
            return (0..<image.width * image.height).filter { pixel in
                (0..<4).contains { abs(Int(model.pixels[pixel * 4 + $0]) - Int(image.pixels[pixel * 4 + $0])) > 1 }
            }
        }
        var left = Set(differing(ExactModel.render(frame, size: image.size, options: options)))
        let e = 1e-3 + 1e-4 * Double(max(image.width, image.height))
        for nudge in [(-e, 0), (e, 0), (0, -e), (0, e), (-e, -e), (e, e), (-e, e), (e, -e)] where !left.isEmpty {
            left.formIntersection(differing(ExactModel.render(frame, size: image.size, options: options, nudge: nudge)))
        }
        return left.count
    }

    /// The expected RGBA with bilinear sampling: each output pixel centre mapped back into
    /// the frame (as `render(_:options:)` does), luma interpolated between the four samples
    /// around it (sample i at i + 0.5) and chroma likewise (sample i at the siting's origin
    /// + 2i), edges clamped, then converted in double precision.
    static func renderBilinear(_ frame: NV12Frame, size: PixelSize? = nil, options: RenderOptions) -> RGBAImage {
        renderFiltered(frame, size: size, options: options) { planes, position, _ in
            func bilinear(_ x: Double, _ y: Double, width: Int, height: Int, _ sample: (Int, Int) -> Double) -> Double {
                let (x0, y0) = (Int(x.rounded(.down)), Int(y.rounded(.down)))
                let (wx, wy) = (x - x.rounded(.down), y - y.rounded(.down))
                func at(_ column: Int, _ row: Int) -> Double {
                    sample(min(max(column, 0), width - 1), min(max(row, 0), height - 1))
                }
                let top = at(x0, y0) * (1 - wx) + at(x0 + 1, y0) * wx
                let bottom = at(x0, y0 + 1) * (1 - wx) + at(x0 + 1, y0 + 1) * wx
                return top * (1 - wy) + bottom * wy
            }
            let layout = planes.layout
            let luma = bilinear(position.x - 0.5, position.y - 0.5, width: layout.width, height: layout.height, planes.luma)
            let (cx, cy) = ((position.x - planes.chromaOrigin.x) / 2, (position.y - planes.chromaOrigin.y) / 2)
            let chroma = (0..<2).map { channel in
                bilinear(cx, cy, width: layout.size.chroma.width, height: layout.size.chroma.height) { planes.chroma($0, $1, channel) }
            }
            return (luma, chroma[0], chroma[1])
        }
    }

    /// The expected RGBA with the area (box) filter: each output pixel's footprint is the
    /// bounding box of its image in the frame (its Jacobian from central differences of
    /// the inverse mapping, exact for affine placements); every luma sample box [i, i + 1)
    /// and chroma sample box (2 pixels about its site) under it counts by its overlap, the
    /// footprint clamped to the plane; then converted in double precision.
    static func renderArea(_ frame: NV12Frame, size: PixelSize? = nil, options: RenderOptions) -> RGBAImage {
        renderFiltered(frame, size: size, options: options) { planes, position, footprint in
            /// The overlap-weighted mean of samples (boxes [i, i + 1)) over [low, high), clamped to the plane.
            func box(_ low: (Double, Double), _ high: (Double, Double), width: Int, height: Int, _ sample: (Int, Int) -> Double) -> Double {
                let (x0, x1) = (min(max(low.0, 0), Double(width)), min(max(high.0, 0), Double(width)))
                let (y0, y1) = (min(max(low.1, 0), Double(height)), min(max(high.1, 0), Double(height)))
                var (sum, area) = (0.0, 0.0)
                for row in Int(y0.rounded(.down))..<Int(y1.rounded(.up)) {
                    let wy = min(y1, Double(row + 1)) - max(y0, Double(row))
                    for column in Int(x0.rounded(.down))..<Int(x1.rounded(.up)) {
                        let weight = (min(x1, Double(column + 1)) - max(x0, Double(column))) * wy
                        sum += weight * sample(column, row)
                        area += weight
                    }
                }
                return sum / area
            }
            guard let (hx, hy) = footprint() else { return nil }
            let layout = planes.layout, origin = planes.chromaOrigin
            let (low, high) = ((position.x - hx, position.y - hy), (position.x + hx, position.y + hy))
            let luma = box(low, high, width: layout.width, height: layout.height, planes.luma)
            let chromaLow = ((low.0 - origin.x) / 2 + 0.5, (low.1 - origin.y) / 2 + 0.5)
            let chromaHigh = ((high.0 - origin.x) / 2 + 0.5, (high.1 - origin.y) / 2 + 0.5)
            let chroma = (0..<2).map { channel in
                box(chromaLow, chromaHigh, width: layout.size.chroma.width, height: layout.size.chroma.height) { planes.chroma($0, $1, channel) }
            }
            return (luma, chroma[0], chroma[1])
        }
    }

    /// A frame's samples as doubles, and where its chroma sample (0, 0) sits.
    struct Planes {
        let bytes: UnsafeRawBufferPointer
        let layout: NV12Layout
        /// In frame pixels (luma centres at i + 0.5), from the siting's definition: left =
        /// co-sited with luma column 0, between rows 0 and 1 (MPEG-2); center = between four
        /// luma samples (JPEG); topLeft = on luma sample (0, 0).
        let chromaOrigin: (x: Double, y: Double)

        func luma(_ column: Int, _ row: Int) -> Double { Double(bytes[row * layout.yStride + column]) }
        func chroma(_ column: Int, _ row: Int, _ channel: Int) -> Double {
            Double(bytes[layout.uvOffset + row * layout.uvStride + column * 2 + channel])
        }
    }

    /// What the filtered models share: each output pixel centre mapped into the frame (black
    /// outside it), where `sample` gives (Y, Cb, Cr) from the planes, the frame position
    /// and the pixel's half footprint (the bounding box of its image, from central
    /// differences of the inverse mapping; nil behind a projective horizon); then
    /// converted in double precision.
    private static func renderFiltered(
        _ frame: NV12Frame, size: PixelSize?, options: RenderOptions,
        sample: (Planes, (x: Double, y: Double), () -> (Double, Double)?) -> (Double, Double, Double)?
    ) -> RGBAImage {
        let layout = frame.layout
        let output = size ?? PixelSize(width: layout.width, height: layout.height)
        let toOutput = frameToOutput(frame: PixelSize(width: layout.width, height: layout.height), output: output, options: options)
        let origin: (x: Double, y: Double) = switch frame.color.chromaLocation {
        case .left: (0.5, 1)
        case .center: (1, 1)
        case .topLeft: (0.5, 0.5)
        }
        var pixels = [UInt8](repeating: 0, count: output.width * output.height * 4)
        frame.withOwnBytes { bytes in
            let planes = Planes(bytes: bytes, layout: layout, chromaOrigin: origin)
            for y in 0..<output.height {
                for x in 0..<output.width {
                    let index = (y * output.width + x) * 4
                    pixels[index + 3] = 255
                    let (cx, cy) = (Double(x) + 0.5, Double(y) + 0.5)
                    guard let (fx, fy) = solve(toOutput, x: cx, y: cy),
                          fx >= 0, fx < Double(layout.width), fy >= 0, fy < Double(layout.height)
                    else { continue }
                    let footprint = { () -> (Double, Double)? in
                        guard let right = solve(toOutput, x: cx + 0.5, y: cy), let left = solve(toOutput, x: cx - 0.5, y: cy),
                              let down = solve(toOutput, x: cx, y: cy + 0.5), let up = solve(toOutput, x: cx, y: cy - 0.5)
                        else { return nil }
                        let (dxx, dxy) = (right.0 - left.0, right.1 - left.1)
                        let (dyx, dyy) = (down.0 - up.0, down.1 - up.1)
                        return ((abs(dxx) + abs(dyx)) / 2, (abs(dxy) + abs(dyy)) / 2)
                    }
                    guard let (luma, cb, cr) = sample(planes, (fx, fy), footprint) else { continue }
                    let (r, g, b) = rgb(interpolatedY: luma, cb: cb, cr: cr, color: frame.color)
                    (pixels[index], pixels[index + 1], pixels[index + 2]) = (r, g, b)
                }
            }
        }
        return try! RGBAImage(width: output.width, height: output.height, pixels: pixels)
    }
}

extension RenderOptions {
    /// Nearest sampling at the frame's size: the exact codes `ExactModel.render` gives.
    static let exact = RenderOptions(filter: .nearest)
}
