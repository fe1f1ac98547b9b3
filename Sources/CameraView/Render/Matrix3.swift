/// A 3x3 matrix in double precision over homogeneous 2D points (x, y, 1): frame and view
/// transforms. Uploaded to GL as floats.
public struct Matrix3: Sendable, Hashable, CustomStringConvertible {
    /// Row-major.
    public var rows: [[Double]]

    public init(rows: [[Double]]) {
        precondition(rows.count == 3 && rows.allSatisfy { $0.count == 3 }, "Matrix3 needs 3 rows of 3")
        self.rows = rows
    }

    public static let identity = Matrix3(rows: [[1, 0, 0], [0, 1, 0], [0, 0, 1]])

    public static func translation(_ x: Double, _ y: Double) -> Matrix3 {
        Matrix3(rows: [[1, 0, x], [0, 1, y], [0, 0, 1]])
    }

    public static func scale(_ x: Double, _ y: Double) -> Matrix3 {
        Matrix3(rows: [[x, 0, 0], [0, y, 0], [0, 0, 1]])
    }

    public static func * (lhs: Matrix3, rhs: Matrix3) -> Matrix3 {
        Matrix3(rows: (0..<3).map { row in
            (0..<3).map { column in (0..<3).reduce(0) { $0 + lhs.rows[row][$1] * rhs.rows[$1][column] } }
        })
    }

    /// Applies the matrix to (x, y, 1) and divides by the third coordinate.
    public func apply(x: Double, y: Double) -> (x: Double, y: Double) {
        let h = (0..<3).map { rows[$0][0] * x + rows[$0][1] * y + rows[$0][2] }
        return (h[0] / h[2], h[1] / h[2])
    }

    public var determinant: Double {
        let m = rows
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }

    /// The inverse, or nil for a singular matrix.
    public var inverse: Matrix3? {
        let m = rows
        let det = determinant
        guard det != 0, det.isFinite else { return nil }
        func cofactor(_ r: Int, _ c: Int) -> Double {
            let rs = [0, 1, 2].filter { $0 != r }, cs = [0, 1, 2].filter { $0 != c }
            let minor = m[rs[0]][cs[0]] * m[rs[1]][cs[1]] - m[rs[0]][cs[1]] * m[rs[1]][cs[0]]
            return (r + c) % 2 == 0 ? minor : -minor
        }
        // inverse = adjugate / det, adjugate = transposed cofactors.
        return Matrix3(rows: (0..<3).map { row in (0..<3).map { column in cofactor(column, row) / det } })
    }

    /// Column-major floats, as glUniformMatrix3fv takes them without transposing.
    var columnMajorFloats: [Float] {
        (0..<3).flatMap { column in (0..<3).map { row in Float(rows[row][column]) } }
    }

    public var description: String { rows.map { "\($0)" }.joined(separator: "\n") }
}
