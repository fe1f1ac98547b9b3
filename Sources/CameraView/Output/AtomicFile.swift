import Foundation

/// Writes a file under a temporary name beside it and renames it into place, so a
/// failed write never leaves a partial output behind.
enum AtomicFile {
    static func write(to path: String, _ produce: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial").path
        do {
            try produce(temporary)
            guard rename(temporary, path) == 0 else {
                throw CameraViewError.io(operation: "rename", path: path, errno: errno)
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `bytes` to `path` atomically.
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { temporaryPath in
            guard FileManager.default.createFile(atPath: temporaryPath, contents: Data(bytes)) else {
                throw CameraViewError.io(operation: "write", path: path, errno: errno)
            }
        }
    }
}

extension RGBAImage {
    /// Writes the raw RGBA8 rows, top to bottom, atomically.
    public func writeRaw(to path: String) throws {
        try AtomicFile.write(pixels, to: path)
    }
}
