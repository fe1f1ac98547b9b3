/// One NV12 frame: its validated layout, its colour description and its bytes.
public struct NV12Frame: Sendable {
    public let layout: NV12Layout
    public var color: ColorDescription
    let bytes: FrameBytes

    /// A frame over caller memory; `bytes` must hold at least `layout.bufferSize` bytes.
    public init(bytes: [UInt8], layout: NV12Layout, color: ColorDescription = .default) throws(CameraViewError) {
        try self.init(storage: .array(bytes), layout: layout, color: color)
    }

    /// A frame over a memory-mapped file; the file must hold at least `layout.bufferSize` bytes.
    public init(contentsOf path: String, layout: NV12Layout, color: ColorDescription = .default) throws {
        try self.init(storage: .mapped(MappedFile(path: path)), layout: layout, color: color)
    }

    private init(storage: FrameBytes, layout: NV12Layout, color: ColorDescription) throws(CameraViewError) {
        guard storage.count >= layout.bufferSize else {
            throw .invalidFrame(.bufferShorterThanLayout(bytes: storage.count, bufferSize: layout.bufferSize))
        }
        self.init(unchecked: storage, layout: layout, color: color)
    }

    private init(unchecked storage: FrameBytes, layout: NV12Layout, color: ColorDescription) {
        (self.bytes, self.layout, self.color) = (storage, layout, color)
    }

    /// The raw bytes, for callers that inspect or copy a frame.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes(body)
    }
}
