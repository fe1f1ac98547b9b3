/// Where a frame's bytes live: caller memory (an array the frame keeps alive) or a
/// read-only memory-mapped file.
enum FrameBytes: Sendable {
    case array([UInt8])
    case mapped(MappedFile)

    var count: Int {
        switch self {
        case .array(let bytes): bytes.count
        case .mapped(let file): file.count
        }
    }

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        switch self {
        case .array(let bytes): try bytes.withUnsafeBytes(body)
        case .mapped(let file): try body(file.bytes)
        }
    }
}
