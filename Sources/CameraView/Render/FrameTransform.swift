/// Maps output pixel positions to frame pixel positions. Output row 0 is the top row of
/// the image (and the first row glReadPixels returns), so no vertical flip is needed.
struct FrameTransform: Equatable {
    /// Over homogeneous (x, y, 1).
    let matrix: Matrix3

    /// `flipVertically` is for window surfaces, whose first scanout row is GL's top row.
    static func fitting(
        frame: PixelSize, into output: PixelSize, fit: FitMode, mirror: Bool, flipVertically: Bool = false
    ) -> FrameTransform {
        let frameWidth = Double(frame.width), frameHeight = Double(frame.height)
        let outputWidth = Double(output.width), outputHeight = Double(output.height)
        let scaleX, scaleY: Double
        switch fit {
        case .stretch:
            (scaleX, scaleY) = (outputWidth / frameWidth, outputHeight / frameHeight)
        case .contain:
            let scale = min(outputWidth / frameWidth, outputHeight / frameHeight)
            (scaleX, scaleY) = (scale, scale)
        case .cover:
            let scale = max(outputWidth / frameWidth, outputHeight / frameHeight)
            (scaleX, scaleY) = (scale, scale)
        }
        // The scaled frame is centred: output = scale * frame + origin.
        let originX = (outputWidth - frameWidth * scaleX) / 2
        let originY = (outputHeight - frameHeight * scaleY) / 2
        var rows: [[Double]] = [
            [1 / scaleX, 0, -originX / scaleX],
            [0, 1 / scaleY, -originY / scaleY],
            [0, 0, 1],
        ]
        if mirror {
            // frameX -> frameWidth - frameX
            rows[0] = [-rows[0][0], 0, frameWidth - rows[0][2]]
        }
        if flipVertically {
            // outputY -> outputHeight - outputY
            rows[1] = [0, -rows[1][1], rows[1][1] * outputHeight + rows[1][2]]
        }
        return FrameTransform(matrix: Matrix3(rows: rows))
    }
}
