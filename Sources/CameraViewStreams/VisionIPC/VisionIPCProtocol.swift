import CameraView

// openpilot's VisionIPC wire formats (commaai/msgq, msgq/visionipc), as measured against
// its own server: docs/visionipc.md.

/// A VisionIPC stream id. Ids are opaque to the protocol; openpilot's four are named.
public struct VisionStreamType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let road = VisionStreamType(rawValue: 0)
    public static let driver = VisionStreamType(rawValue: 1)
    public static let wideRoad = VisionStreamType(rawValue: 2)
    public static let map = VisionStreamType(rawValue: 3)

    /// openpilot's names for its streams (as `camview watch --visionipc camerad:driver` takes them).
    public static let named: [String: VisionStreamType] = ["road": .road, "driver": .driver, "wide-road": .wideRoad, "map": .map]

    /// "driver", or the number of an id without a name.
    public var description: String { Self.named.first { $0.value == self }?.key ?? String(rawValue) }

    /// A name of `named` or a number.
    public init?(name: String) {
        if let known = Self.named[name] {
            self = known
        } else if let number = UInt32(name) {
            self.init(rawValue: number)
        } else {
            return nil
        }
    }
}

/// Where a server's sockets and queues are: `/tmp/visionipc_<name>` and
/// `/dev/shm/msgq_visionipc_<name>_<stream>`, under `OPENPILOT_PREFIX` when it is set.
public struct VisionIPCEndpoint: Sendable, Hashable {
    public let server: String
    public let prefix: String?

    /// `prefix`: nil takes the process's `OPENPILOT_PREFIX`, as openpilot does.
    public init(server: String, prefix: String? = nil) {
        self.server = server
        self.prefix = prefix ?? environment("OPENPILOT_PREFIX")
    }

    public var controlSocketPath: String { "/tmp/" + (prefix.map { "\($0)_" } ?? "") + "visionipc_\(server)" }

    public func queuePath(_ stream: VisionStreamType) -> String {
        "/dev/shm/msgq_" + (prefix.map { "\($0)/" } ?? "") + "visionipc_\(server)_\(stream.rawValue)"
    }
}

/// The requests a control socket takes: a stream id (answered with its buffers), or the
/// list of streams, asked as 0xffffffff (servers since 2026-08) or 4 (before).
enum VisionIPCRequest {
    static let streamList: UInt32 = 0xffff_ffff
    static let legacyStreamList: UInt32 = 4
    static let maximumStreams = 64
    static let maximumBuffers = 128
    /// Room for one stream id more than allowed, so that a longer list is seen as such.
    static let listCapacity = (maximumStreams + 1) * 4

    static func bytes(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    /// The stream ids of a stream-list answer: at most `maximumStreams` 4-byte ids, no fds.
    static func streams(in answer: ReceivedMessage, server: String) throws(CameraViewError) -> Set<VisionStreamType> {
        guard answer.fds.isEmpty, !answer.truncated, answer.bytes.count % 4 == 0, answer.bytes.count / 4 <= maximumStreams else {
            throw .peer(server: server, problem: "a stream list of \(answer.bytes.count) bytes\(answer.truncated ? " or more" : "") and \(answer.fds.count) fds (at most \(maximumStreams) 4-byte ids, no fds)")
        }
        return Set(stride(from: 0, to: answer.bytes.count, by: 4).map { offset in
            VisionStreamType(rawValue: answer.bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
        })
    }
}

/// One buffer as the server describes it (its `VisionBuf`, sent by value). 112 bytes on
/// 64-bit servers since 2026-02, 136 before; the first 112 agree.
struct VisionBufferRecord: Equatable, Sendable {
    static let layouts = [112, 136]

    let length: Int
    let mappedLength: Int
    let width: Int
    let height: Int
    let stride: Int
    let uvOffset: Int
    let serverID: UInt64
    let index: Int
    let stream: VisionStreamType

    /// The records of one answer: `bytes.count / fdCount` must be one of `layouts`.
    static func parse(_ bytes: [UInt8], fdCount: Int, server: String) throws(CameraViewError) -> [VisionBufferRecord] {
        guard fdCount > 0, bytes.count % fdCount == 0, layouts.contains(bytes.count / fdCount) else {
            throw .peer(server: server, problem: "\(bytes.count) bytes of buffer records for \(fdCount) fds: not \(layouts.map(String.init).joined(separator: " or ")) bytes each")
        }
        let size = bytes.count / fdCount
        return try (0..<fdCount).map { (position) throws(CameraViewError) in
            let base = position * size
            func u64(_ offset: Int) -> UInt64 { bytes.loadLittleEndian(at: base + offset) }
            // Every size must fit what the rest of the library can represent: GL's and the C
            // API's sizes are 32-bit ints.
            func field(_ offset: Int, _ name: String) throws(CameraViewError) -> Int {
                guard let value = Int32(exactly: u64(offset)) else {
                    throw .peer(server: server, problem: "buffer \(position): \(name) \(u64(offset)) is out of range (at most \(Int32.max))")
                }
                return Int(value)
            }
            return VisionBufferRecord(
                length: try field(0, "len"), mappedLength: try field(8, "mmap_len"), width: try field(40, "width"),
                height: try field(48, "height"), stride: try field(56, "stride"), uvOffset: try field(64, "uv_offset"),
                serverID: u64(88), index: try field(96, "idx"),
                stream: VisionStreamType(rawValue: UInt32(truncatingIfNeeded: u64(104))))
        }
    }

    /// The frame layout, checked (sizes, strides, the UV plane inside `len`), and that the
    /// mapping holds the frame and its 8-byte frame-id trailer.
    /// A layout the library refuses is the server's error here, not the caller's.
    func layout(server: String) throws(CameraViewError) -> NV12Layout {
        let layout: NV12Layout
        do {
            layout = try NV12Layout(width: width, height: height, yStride: stride, uvOffset: uvOffset, bufferSize: length)
        } catch {
            throw .peer(server: server, problem: "buffer \(index): \(error)")
        }
        guard mappedLength - 8 >= length else {
            throw .peer(server: server, problem: "buffer \(index): mmap_len \(mappedLength) leaves no frame-id trailer after len \(length)")
        }
        return layout
    }

    /// Where the frame-id trailer is: right after the frame (`VisionBuf::frame_id`).
    var trailerOffset: Int { length }
}

/// The 48-byte notification of one frame (`VisionIpcPacket`).
struct VisionIPCPacket: Equatable, Sendable {
    static let size = 48

    let serverID: UInt64
    let index: UInt64
    let frameID: UInt32
    let timestampSOF: UInt64
    let timestampEOF: UInt64
    let valid: Bool

    init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.size else { return nil }
        serverID = bytes.loadLittleEndian(at: 0)
        index = bytes.loadLittleEndian(at: 8)
        frameID = UInt32(truncatingIfNeeded: bytes.loadLittleEndian(at: 16) as UInt64)
        timestampSOF = bytes.loadLittleEndian(at: 24)
        timestampEOF = bytes.loadLittleEndian(at: 32)
        valid = bytes[40] != 0
    }
}

extension [UInt8] {
    /// The little-endian (native, on every platform openpilot runs on) u64 at `offset`.
    func loadLittleEndian(at offset: Int) -> UInt64 {
        withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    }
}
