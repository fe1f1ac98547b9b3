/// A 3x3 matrix in double precision, uploaded to GL as floats.
struct Matrix3: Equatable {
    /// Row-major.
    var rows: [[Double]]

    /// Column-major floats, as glUniformMatrix3fv takes them without transposing.
    var columnMajorFloats: [Float] {
        (0..<3).flatMap { column in (0..<3).map { row in Float(rows[row][column]) } }
    }
}
