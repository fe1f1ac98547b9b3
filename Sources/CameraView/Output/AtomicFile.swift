import Glibc

/// Writes a file under a temporary name beside it and renames it into place, so a
/// failed write never leaves a partial output behind.
enum AtomicFile {
    static func write(to path: String, _ produce: (String) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = folder + ".\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).partial"
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
        try write(to: path) { try writeFile(bytes, to: $0, naming: path) }
    }
}

extension RGBAImage {
    /// Writes the raw RGBA8 rows, top to bottom, atomically.
    package func writeRaw(to path: String) throws {
        try AtomicFile.write(pixels, to: path)
    }
}
