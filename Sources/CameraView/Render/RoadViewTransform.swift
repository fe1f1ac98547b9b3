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
