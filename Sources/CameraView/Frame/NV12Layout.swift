/// Where the planes of one NV12 frame lie in its buffer. Only constructible valid:
/// every plane lies inside `bufferSize`, UV does not overlap Y, and no size overflows.
/// Chroma is ceil(width/2) x ceil(height/2) interleaved U,V pairs.
public struct NV12Layout: Sendable, Hashable {
    public let width: Int
    public let height: Int
    public let yStride: Int
    public let uvOffset: Int
    public let uvStride: Int
    public let bufferSize: Int

    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    /// `yStride` defaults to `width`, `uvOffset` to `yStride * height`, `uvStride` to
    /// `yStride` rounded up to even (odd widths need one more byte per UV row: ffmpeg's
    /// rawvideo layout), and `bufferSize` to the end of the UV plane.
    public init(
        width: Int, height: Int, yStride: Int? = nil, uvOffset: Int? = nil,
        uvStride: Int? = nil, bufferSize: Int? = nil
    ) throws(CameraViewError) {
        guard width > 0, height > 0 else { throw .invalidFrame(.zeroSize(width: width, height: height)) }
        for (field, value) in [("Y stride", yStride), ("UV stride", uvStride), ("UV offset", uvOffset), ("buffer size", bufferSize)]
        where (value ?? 0) < 0 {
            throw .invalidFrame(.negative(field: field, value: value ?? 0))
        }
        let yStride = yStride ?? width
        let uvStride = uvStride ?? (yStride + yStride % 2)
        let defaultUVOffset = try Self.checked("UV offset", yStride.multipliedReportingOverflow(by: height))
        let uvOffset = uvOffset ?? defaultUVOffset
        let chromaRowBytes = try Self.checked("UV row", ((width + 1) / 2).multipliedReportingOverflow(by: 2))
        guard yStride >= width else { throw .invalidFrame(.strideTooSmall(plane: .luma, stride: yStride, minimum: width)) }
        guard uvStride >= chromaRowBytes else {
            throw .invalidFrame(.strideTooSmall(plane: .chroma, stride: uvStride, minimum: chromaRowBytes))
        }
        guard uvStride % 2 == 0 else { throw .invalidFrame(.oddChromaStride(uvStride)) }

        // A plane spans full strides except its last row, which needs only its own bytes.
        let lumaEnd = try Self.planeEnd("Y plane", offset: 0, stride: yStride, rows: height, rowBytes: width)
        let chromaEnd = try Self.planeEnd(
            "UV plane", offset: uvOffset, stride: uvStride, rows: (height + 1) / 2, rowBytes: chromaRowBytes)
        guard uvOffset >= lumaEnd else { throw .invalidFrame(.chromaOverlapsLuma(uvOffset: uvOffset, lumaEnd: lumaEnd)) }
        let bufferSize = bufferSize ?? chromaEnd
        guard lumaEnd <= bufferSize else {
            throw .invalidFrame(.planeOutOfBounds(plane: .luma, end: lumaEnd, bufferSize: bufferSize))
        }
        guard chromaEnd <= bufferSize else {
            throw .invalidFrame(.planeOutOfBounds(plane: .chroma, end: chromaEnd, bufferSize: bufferSize))
        }
        (self.width, self.height, self.yStride) = (width, height, yStride)
        (self.uvOffset, self.uvStride, self.bufferSize) = (uvOffset, uvStride, bufferSize)
    }

    /// openpilot's device layout (Qualcomm Venus NV12): stride aligned to 128, Y scanlines
    /// to 32, UV scanlines to 16, and the UV plane on a 4096-byte boundary.
    public static func venus(width: Int, height: Int) throws(CameraViewError) -> NV12Layout {
        func align(_ value: Int, _ to: Int) -> Int { (value + to - 1) / to * to }
        let stride = align(width, 128)
        let uvOffset = align(stride * align(height, 32), 4096)
        let size = align(uvOffset + stride * align((height + 1) / 2, 16), 4096)
        return try NV12Layout(width: width, height: height, yStride: stride, uvOffset: uvOffset, uvStride: stride, bufferSize: size)
    }

    private static func planeEnd(_ field: String, offset: Int, stride: Int, rows: Int, rowBytes: Int) throws(CameraViewError) -> Int {
        let fullRows = try checked(field, stride.multipliedReportingOverflow(by: rows - 1))
        let span = try checked(field, fullRows.addingReportingOverflow(rowBytes))
        return try checked(field, offset.addingReportingOverflow(span))
    }

    private static func checked(_ field: String, _ result: (partialValue: Int, overflow: Bool)) throws(CameraViewError) -> Int {
        guard !result.overflow else { throw .invalidFrame(.arithmeticOverflow(field: field)) }
        return result.partialValue
    }
}
