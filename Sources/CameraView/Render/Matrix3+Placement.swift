extension Matrix3 {
    /// The largest singular value of this map's Jacobian (frame pixels per output pixel
    /// along the most stretched direction), the maximum over the output's corners and
    /// centre: a projective map stretches most at an edge. Points behind the horizon
    /// (w <= 0) have no image and are skipped.
    func largestStretch(over size: PixelSize) -> Double {
        func stretch(_ x: Double, _ y: Double) -> Double {
            let point = SIMD3(x, y, 1)
            let w = (r2 * point).sum()
            guard w > 0 else { return 0 }
            let (fx, fy) = ((r0 * point).sum() / w, (r1 * point).sum() / w)
            // d(frame)/d(output) of (r0 . p / w, r1 . p / w).
            let a = (r0.x - fx * r2.x) / w, b = (r0.y - fx * r2.y) / w
            let c = (r1.x - fy * r2.x) / w, d = (r1.y - fy * r2.y) / w
            let squares = a * a + b * b + c * c + d * d, determinant = a * d - b * c
            let spread = max(0, squares * squares - 4 * determinant * determinant).squareRoot()
            return ((squares + spread) / 2).squareRoot()
        }
        let (width, height) = (Double(size.width), Double(size.height))
        // Two-argument max: the variadic one builds an array per render.
        let corners = max(max(stretch(0, 0), stretch(width, 0)), max(stretch(0, height), stretch(width, height)))
        return max(corners, stretch(width / 2, height / 2))
    }
}

extension Matrix3 {
    /// openpilot's road-camera view: the frame at `zoom` output pixels per frame pixel
    /// (1.1 for the road camera, 2.0 for the wide one), with the principal point at the
    /// output centre, shifted towards the vanishing point K · view_from_calib · (1000, 0, 0)
    /// but no further than keeps the frame covering the output (less a 5-pixel margin).
    /// Returns the frame-to-output transform for `RenderOptions.frameToOutput`.
    public static func openpilotRoadView(
        intrinsics: Matrix3, viewFromCalibration: Matrix3, output: PixelSize, zoom: Double = 1.1, margin: Double = 5
    ) -> Matrix3 {
        let calibration = intrinsics * viewFromCalibration
        // K · view_from_calib · (1000, 0, 0): a point far ahead, i.e. the first column.
        let ahead = (0..<3).map { calibration.rows[$0][0] * 1000 }
        let (cx, cy) = (intrinsics.rows[0][2], intrinsics.rows[1][2])
        let (width, height) = (Double(output.width), Double(output.height))
        // openpilot clamps with max(0, ...) since it zooms out to fit small outputs.
        let maxX = max(0, cx * zoom - width / 2 - margin)
        let maxY = max(0, cy * zoom - height / 2 - margin)
        var (offsetX, offsetY) = (0.0, 0.0)
        if abs(ahead[2]) > 1e-6 {
            offsetX = min(max((ahead[0] / ahead[2] - cx) * zoom, -maxX), maxX)
            offsetY = min(max((ahead[1] / ahead[2] - cy) * zoom, -maxY), maxY)
        }
        return Matrix3(rows: [
            [zoom, 0, width / 2 - offsetX - cx * zoom],
            [0, zoom, height / 2 - offsetY - cy * zoom],
            [0, 0, 1],
        ])
    }
}
