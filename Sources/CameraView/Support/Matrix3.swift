/// A 3x3 matrix in double precision over homogeneous 2D points (x, y, 1): frame and view
/// transforms. Uploaded to GL as floats.
/// Stored as three SIMD rows, so building and combining transforms per frame allocates
/// nothing.
public struct Matrix3: Sendable, Hashable, CustomStringConvertible {
    /// The rows (read by the placement maths in Render/).
    private(set) var r0, r1, r2: SIMD3<Double>

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
