/// A 3x3 matrix in double precision over homogeneous 2D points (x, y, 1): frame and view
/// transforms. Uploaded to GL as floats.
/// Stored as three SIMD rows, so building and combining transforms per frame allocates
/// nothing.
public struct Matrix3: Sendable, Hashable, CustomStringConvertible {
    private var r0, r1, r2: SIMD3<Double>

    /// Row-major; traps unless 3 rows of 3 (a programming error, like an index).
    public init(rows: [[Double]]) {
        precondition(rows.count == 3 && rows.allSatisfy { $0.count == 3 }, "Matrix3 needs 3 rows of 3")
        (r0, r1, r2) = (SIMD3(rows[0]), SIMD3(rows[1]), SIMD3(rows[2]))
    }

    init(_ r0: SIMD3<Double>, _ r1: SIMD3<Double>, _ r2: SIMD3<Double>) {
        (self.r0, self.r1, self.r2) = (r0, r1, r2)
    }

    /// Row-major.
    package var rows: [[Double]] { [r0, r1, r2].map { [$0.x, $0.y, $0.z] } }

    /// Whether the last row is (0, 0, 1): no projective division.
    var isAffine: Bool { r2.x == 0 && r2.y == 0 && r2.z == 1 }

    /// `==` element by element, allocation-free in unspecialized builds.
    func sameElements(as other: Matrix3) -> Bool {
        r0.x == other.r0.x && r0.y == other.r0.y && r0.z == other.r0.z && r1.x == other.r1.x && r1.y == other.r1.y
            && r1.z == other.r1.z && r2.x == other.r2.x && r2.y == other.r2.y && r2.z == other.r2.z
    }

    public static let identity = Matrix3(SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))

    public static func translation(_ x: Double, _ y: Double) -> Matrix3 {
        Matrix3(SIMD3(1, 0, x), SIMD3(0, 1, y), SIMD3(0, 0, 1))
    }

    public static func scale(_ x: Double, _ y: Double) -> Matrix3 {
        Matrix3(SIMD3(x, 0, 0), SIMD3(0, y, 0), SIMD3(0, 0, 1))
    }

    public static func * (lhs: Matrix3, rhs: Matrix3) -> Matrix3 {
        func row(_ r: SIMD3<Double>) -> SIMD3<Double> { r.x * rhs.r0 + r.y * rhs.r1 + r.z * rhs.r2 }
        return Matrix3(row(lhs.r0), row(lhs.r1), row(lhs.r2))
    }

    /// Applies the matrix to (x, y, 1) and divides by the third coordinate.
    package func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        let point = SIMD3(x, y, 1)
        let w = (r2 * point).sum()
        return ((r0 * point).sum() / w, (r1 * point).sum() / w)
    }

    package var determinant: Double {
        (r0 * cross(r1, r2)).sum()
    }

    /// The inverse, or nil for a singular matrix: the adjugate (cross products of the
    /// rows, as columns) over the determinant.
    package var inverse: Matrix3? {
        let det = determinant
        guard det != 0, det.isFinite else { return nil }
        let (c0, c1, c2) = (cross(r1, r2) / det, cross(r2, r0) / det, cross(r0, r1) / det)
        return Matrix3(SIMD3(c0.x, c1.x, c2.x), SIMD3(c0.y, c1.y, c2.y), SIMD3(c0.z, c1.z, c2.z))
    }

    private func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    /// Column-major floats, as glUniformMatrix3fv takes them without transposing.
    func withColumnMajorFloats<Result>(_ body: (UnsafePointer<Float>) -> Result) -> Result {
        var columns = (Float(r0.x), Float(r1.x), Float(r2.x), Float(r0.y), Float(r1.y), Float(r2.y),
                       Float(r0.z), Float(r1.z), Float(r2.z))
        return withUnsafePointer(to: &columns) { $0.withMemoryRebound(to: Float.self, capacity: 9, body) }
    }

    public var description: String { rows.map { "\($0)" }.joined(separator: "\n") }
}

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
