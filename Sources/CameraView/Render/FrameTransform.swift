/// Maps output pixel positions to frame pixel positions, for the shader. Output row 0 is
/// the top row of the image (and the first row glReadPixels returns) unless
/// `flipVertically` is asked for (window surfaces, host framebuffers).
struct FrameTransform: Equatable {
    /// Output position (homogeneous) -> frame position.
    let matrix: Matrix3

    static func make(
        frame: PixelSize, output: PixelSize, options: RenderOptions, flipVertically: Bool = false
    ) throws(CameraViewError) -> FrameTransform {
        var frameToOutput = options.frameToOutput ?? fitted(frame: frame, output: output, options: options)
        if options.mirror {
            frameToOutput = frameToOutput * Matrix3(SIMD3(-1, 0, Double(frame.width)), SIMD3(0, 1, 0), SIMD3(0, 0, 1))
        }
        if flipVertically {
            frameToOutput = Matrix3(SIMD3(1, 0, 0), SIMD3(0, -1, Double(output.height)), SIMD3(0, 0, 1)) * frameToOutput
        }
        guard let inverse = frameToOutput.inverse else { throw .singularTransform(frameToOutput) }
        return FrameTransform(matrix: inverse)
    }

    /// Scale and centre for the fit mode, then the zoom about its point.
    private static func fitted(frame: PixelSize, output: PixelSize, options: RenderOptions) -> Matrix3 {
        let frameWidth = Double(frame.width), frameHeight = Double(frame.height)
        let widthRatio = Double(output.width) / frameWidth, heightRatio = Double(output.height) / frameHeight
        let (scaleX, scaleY) = switch options.fit {
        case .stretch: (widthRatio, heightRatio)
        case .contain: (min(widthRatio, heightRatio), min(widthRatio, heightRatio))
        case .cover: (max(widthRatio, heightRatio), max(widthRatio, heightRatio))
        }
        // The scaled frame is centred: output = scale * frame + origin.
        let fit = Matrix3.translation((Double(output.width) - frameWidth * scaleX) / 2,
                                      (Double(output.height) - frameHeight * scaleY) / 2)
            * Matrix3.scale(scaleX, scaleY)
        guard options.zoom != 1 else { return fit }
        let center = options.zoomCenter ?? FramePoint(x: frameWidth / 2, y: frameHeight / 2)
        let anchor = fit.apply(x: center.x, y: center.y)
        return Matrix3.translation(anchor.x, anchor.y) * Matrix3.scale(options.zoom, options.zoom)
            * Matrix3.translation(-anchor.x, -anchor.y) * fit
    }
}
