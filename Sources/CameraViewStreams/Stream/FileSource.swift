import CameraView
import Glibc

/// Raw NV12 frames laid end to end in a file (each `layout.bufferSize` bytes), delivered
/// one per `receive()` through a ring of `ringSize` buffer indices; nil after the last.
public final class FileSource: FrameSource {
    public let name: String
    package let layout: NV12Layout
    package let color: ColorDescription
    package let ringSize: Int
    /// Whole frames in the file.
    public let frameCount: Int
    private let file: MappedFile
    private let next = Locked<(connected: Bool, index: Int)>((false, 0))

    public init(path: String, layout: NV12Layout, color: ColorDescription = .default, ringSize: Int = 4) throws {
        file = try MappedFile(path: path)
        guard file.count >= layout.bufferSize else {
            throw CameraViewError.invalidFrame(.bufferShorterThanLayout(bytes: file.count, bufferSize: layout.bufferSize))
        }
        (self.name, self.layout, self.color, self.ringSize) = (path, layout, color, max(1, ringSize))
        frameCount = file.count / layout.bufferSize
    }

    public func connect() throws { next.withLock { $0.connected = true } }

    public func receive() throws -> StreamFrame? {
        let index = try next.withLock { state -> Int? in
            guard state.connected else { throw CameraViewError.sourceUnavailable(name: name) }
            guard state.index < frameCount else { return nil }
            defer { state.index += 1 }
            return state.index
        }
        guard let index else { return nil }
        let start = index * layout.bufferSize
        let bytes = [UInt8](file.bytes[start..<start + layout.bufferSize])
        return StreamFrame(bufferIndex: index % ringSize, frameID: UInt64(index), timestampNanoseconds: 0,
                           frame: .memory(try NV12Frame(bytes: bytes, layout: layout, color: color)))
    }

    public func disconnect() { next.withLock { $0.connected = false } }
}
