/// Why a frame description or its bytes were rejected, before any GL call.
public enum FrameLayoutError: Error, Equatable, Sendable {
    public enum Plane: String, Sendable { case luma = "Y", chroma = "UV" }

    case zeroSize(width: Int, height: Int)
    case negative(field: String, value: Int)
    case strideTooSmall(plane: Plane, stride: Int, minimum: Int)
    /// GL takes a row length in texels as a 32-bit GLint: a larger stride cannot be uploaded.
    case strideTooLarge(plane: Plane, stride: Int, maximum: Int)
    /// GL reads UV rows in whole two-byte texels, so an odd UV stride cannot be expressed.
    case oddChromaStride(Int)
    case chromaOverlapsLuma(uvOffset: Int, lumaEnd: Int)
    case planeOutOfBounds(plane: Plane, end: Int, bufferSize: Int)
    /// The bytes handed over are fewer than the layout's declared buffer size.
    case bufferShorterThanLayout(bytes: Int, bufferSize: Int)
    case arithmeticOverflow(field: String)
}

extension FrameLayoutError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .zeroSize(width, height): "frame size \(width)x\(height) has a zero side"
        case let .negative(field, value): "\(field) is negative (\(value))"
        case let .strideTooSmall(plane, stride, minimum): "\(plane.rawValue) stride \(stride) is less than the row's \(minimum) bytes"
        case let .strideTooLarge(plane, stride, maximum): "\(plane.rawValue) stride \(stride) is more than the \(maximum) bytes GL can step over"
        case .oddChromaStride(let stride): "UV stride \(stride) is odd; it must hold whole U,V pairs"
        case let .chromaOverlapsLuma(uvOffset, lumaEnd): "UV offset \(uvOffset) lies inside the Y plane, which ends at \(lumaEnd)"
        case let .planeOutOfBounds(plane, end, bufferSize): "\(plane.rawValue) plane ends at byte \(end), past the \(bufferSize)-byte buffer"
        case let .bufferShorterThanLayout(bytes, bufferSize): "\(bytes) bytes given for a layout of \(bufferSize) bytes"
        case .arithmeticOverflow(let field): "\(field) overflows"
        }
    }
}
