import Glibc

/// One NV12 frame: its validated layout, its colour description and its bytes. A frame
/// value is one picture: a view converts it once, however often it is rendered, so new
/// bytes need a new frame.
public struct NV12Frame: Sendable {
    public let layout: NV12Layout
    public var color: ColorDescription
    let bytes: FrameBytes
    /// This picture's number in the process: a view's conversion cache is keyed by it.
    package let generation: UInt64

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

    private init(unchecked storage: FrameBytes, layout: NV12Layout, color: ColorDescription, generation: UInt64? = nil) {
        (self.bytes, self.layout, self.color) = (storage, layout, color)
        self.generation = generation ?? SerialCounter.frames.next()
    }

    /// A frame over memory that is the caller's only during one call (the C API's): it is
    /// read in place, never copied, and must not outlive the call; `uploaded()` is what may.
    package init(borrowing bytes: UnsafeRawBufferPointer, layout: NV12Layout, color: ColorDescription) throws(CameraViewError) {
        try self.init(storage: .borrowed(bytes), layout: layout, color: color)
    }

    /// The same picture without its bytes, once a view has uploaded it: renders of it use
    /// that view's textures, and a render that would read the bytes again throws
    /// `staleFrame`.
    package func uploaded() -> NV12Frame {
        NV12Frame(unchecked: .released, layout: layout, color: color, generation: generation)
    }

    /// A frame in a buffer the library maps and hands out (a VisionIPC buffer): read only
    /// while `shared.lease` lives, and checked by `shared.check` around every read.
    package init(shared: SharedFrameBytes, layout: NV12Layout, color: ColorDescription) throws(CameraViewError) {
        try self.init(storage: .shared(shared), layout: layout, color: color)
    }

    /// The raw bytes, for callers that inspect or copy a frame. Throws what a render of the
    /// frame would: `staleFrame` once shared buffers were released, `tornFrame` when the
    /// producer rewrote them during `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        try Frame.memory(self).withLiveBuffers { try bytes.withUnsafeBytes(body) }
    }
}

/// Where a frame's bytes live: caller memory (an array the frame keeps alive, or memory
/// borrowed for one call), a read-only memory-mapped file, a buffer the library maps and
/// another process writes, or nowhere any more (uploaded, then let go).
enum FrameBytes: @unchecked Sendable {
    case array([UInt8])
    case borrowed(UnsafeRawBufferPointer)
    case mapped(MappedFile)
    case shared(SharedFrameBytes)
    case released

    var count: Int {
        switch self {
        case .array(let bytes): bytes.count
        case .borrowed(let bytes): bytes.count
        case .mapped(let file): file.count
        case .shared(let shared): shared.bytes.count
        case .released: 0
        }
    }

    /// The bytes; a shared buffer's only inside `Frame.withLiveBuffers` (which holds its lease).
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        switch self {
        case .array(let bytes): try bytes.withUnsafeBytes(body)
        case .borrowed(let bytes): try body(bytes)
        case .mapped(let file): try body(file.bytes)
        case .shared(let shared): try body(shared.bytes)
        case .released: throw CameraViewError.staleFrame(bufferIndex: 0)
        }
    }
}

/// A frame's bytes in a mapping the library owns (a VisionIPC buffer's): valid while
/// `lease` lives, since the owner ends the lease before it unmaps. Sendable: the bytes
/// are only read.
package struct SharedFrameBytes: @unchecked Sendable {
    package let bytes: UnsafeRawBufferPointer
    package let lease: BufferLease
    package let bufferIndex: Int
    package let check: (any SharedBufferCheck)?

    package init(bytes: UnsafeRawBufferPointer, lease: BufferLease, bufferIndex: Int, check: (any SharedBufferCheck)?) {
        (self.bytes, self.lease, self.bufferIndex, self.check) = (bytes, lease, bufferIndex, check)
    }
}

/// How a frame in a buffer that its producer keeps rewriting (VisionIPC has no lock) is
/// told intact: asked before and after each read of the buffer, under its lease.
package protocol SharedBufferCheck: Sendable {
    func beforeRead() throws(CameraViewError)
    func afterRead() throws(CameraViewError)
}

/// A whole file mapped read-only, for frames read from files. A final class that owns
/// exactly one mapping (recorded in the host table): frames are values that share it, so
/// the last frame to let go unmaps it, here in `deinit`. The fd is closed as soon as the
/// mapping exists (the mapping keeps the file). Sendable: the mapping is read-only.
package final class MappedFile: @unchecked Sendable {
    private let mapping: Locked<OwnedMapping?>
    package let bytes: UnsafeRawBufferPointer
    package var count: Int { bytes.count }

    package init(path: String) throws {
        // The fd goes once the file is mapped, or fails to be: the mapping keeps the file.
        let opened = OwnerGroup()
        defer { opened.release(in: .contextLost) }
        let number = opened.adopt(try HostHandles.table.create(.open(path, flags: O_RDONLY)))
        var info = stat()
        guard fstat(number, &info) == 0 else { throw CameraViewError.io(operation: "stat", path: path, errno: errno) }
        let count = Int(info.st_size)
        var mapped: OwnedMapping?
        if count > 0 { mapped = try HostHandles.table.create(.map(number, length: count, shared: false, what: path)) }
        bytes = UnsafeRawBufferPointer(mapped?.raw ?? UnsafeMutableRawBufferPointer(start: nil, count: 0))
        mapping = Locked(mapped)
    }

    deinit {
        mapping.withLock { $0.take()?.release() }
    }
}

/// Host resources that belong to no GPU owner (the fds and mappings of frame files).
package enum HostHandles {
    package static let table = HandleTable(owner: "host")
}
