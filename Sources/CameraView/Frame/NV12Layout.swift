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

    public var size: PixelSize { PixelSize(width: width, height: height) }

    /// `yStride` defaults to `width`, `uvOffset` to `yStride * height`, `uvStride` to
    /// `yStride` rounded up to even (odd widths need one more byte per UV row: ffmpeg's
    /// rawvideo layout), and `bufferSize` to the end of the UV plane. Every sum and
    /// product of these numbers is checked: an overflow is `arithmeticOverflow`.
    public init(
        width: Int, height: Int, yStride: Int? = nil, uvOffset: Int? = nil,
        uvStride: Int? = nil, bufferSize: Int? = nil
    ) throws(CameraViewError) {
        guard width > 0, height > 0 else { throw .invalidFrame(.zeroSize(width: width, height: height)) }
        // One by one, not over an array: a layout is made per submitted frame (the C API),
        // and that allocates nothing.
        func nonNegative(_ field: String, _ value: Int?) throws(CameraViewError) {
            if let value, value < 0 { throw .invalidFrame(.negative(field: field, value: value)) }
        }
        try nonNegative("Y stride", yStride)
        try nonNegative("UV stride", uvStride)
        try nonNegative("UV offset", uvOffset)
        try nonNegative("buffer size", bufferSize)
        let yStride = yStride ?? width
        let evenStride = try Self.checked("UV stride", yStride.addingReportingOverflow(yStride % 2))
        let uvStride = uvStride ?? evenStride
        let defaultUVOffset = try Self.checked("UV offset", yStride.multipliedReportingOverflow(by: height))
        let uvOffset = uvOffset ?? defaultUVOffset
        let chromaRowBytes = try Self.checked("UV row", PixelSize.chromaSamples(width).multipliedReportingOverflow(by: 2))
        guard yStride >= width else { throw .invalidFrame(.strideTooSmall(plane: .luma, stride: yStride, minimum: width)) }
        guard uvStride >= chromaRowBytes else {
            throw .invalidFrame(.strideTooSmall(plane: .chroma, stride: uvStride, minimum: chromaRowBytes))
        }
        guard uvStride % 2 == 0 else { throw .invalidFrame(.oddChromaStride(uvStride)) }

        // A plane spans full strides except its last row, which needs only its own bytes.
        let lumaEnd = try Self.planeEnd("Y plane", offset: 0, stride: yStride, rows: height, rowBytes: width)
        let chromaEnd = try Self.planeEnd(
            "UV plane", offset: uvOffset, stride: uvStride, rows: PixelSize.chromaSamples(height), rowBytes: chromaRowBytes)
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
        guard width > 0, height > 0 else { throw .invalidFrame(.zeroSize(width: width, height: height)) }
        func align(_ value: Int, _ to: Int) throws(CameraViewError) -> Int {
            let remainder = value % to
            return remainder == 0 ? value : try checked("Venus alignment", value.addingReportingOverflow(to - remainder))
        }
        let stride = try align(width, 128)
        let uvOffset = try align(checked("UV offset", stride.multipliedReportingOverflow(by: align(height, 32))), 4096)
        let chroma = try checked("UV plane", stride.multipliedReportingOverflow(by: align(PixelSize.chromaSamples(height), 16)))
        let size = try align(checked("buffer size", uvOffset.addingReportingOverflow(chroma)), 4096)
        return try NV12Layout(width: width, height: height, yStride: stride, uvOffset: uvOffset, uvStride: stride, bufferSize: size)
    }

    private static func planeEnd(_ field: String, offset: Int, stride: Int, rows: Int, rowBytes: Int) throws(CameraViewError) -> Int {
        let fullRows = try checked(field, stride.multipliedReportingOverflow(by: rows - 1))
        let span = try checked(field, fullRows.addingReportingOverflow(rowBytes))
        return try checked(field, offset.addingReportingOverflow(span))
    }

    static func checked(_ field: String, _ result: (partialValue: Int, overflow: Bool)) throws(CameraViewError) -> Int {
        guard !result.overflow else { throw .invalidFrame(.arithmeticOverflow(field: field)) }
        return result.partialValue
    }
}
