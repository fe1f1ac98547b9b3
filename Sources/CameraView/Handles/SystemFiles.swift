import Glibc

// Files opened and closed within one call (a listing, a read, a write): no object outlives
// the call, so none is recorded, but the raw calls sit here with the owners' layer.

/// The names in a directory (no "." or ".."), unsorted; empty when it cannot be read.
package func directoryEntries(_ path: String) -> [String] {
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// An environment variable, or nil.
package func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

/// The whole file at `path`.
package func readFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rbe") else { throw CameraViewError.io(operation: "open", path: path, errno: errno) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        bytes.append(contentsOf: chunk[..<count])
        guard count == chunk.count else { break }
    }
    guard ferror(file) == 0 else { throw CameraViewError.io(operation: "read", path: path, errno: errno) }
    return bytes
}

/// Writes `bytes` to a new file at `path`; errors name `naming` (the file the caller means).
package func writeFile(_ bytes: [UInt8], to path: String, naming: String) throws {
    guard let file = fopen(path, "wbe") else { throw CameraViewError.io(operation: "open", path: naming, errno: errno) }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let failure = written == bytes.count ? 0 : errno
    guard fclose(file) == 0, failure == 0 else {
        throw CameraViewError.io(operation: "write", path: naming, errno: failure == 0 ? errno : failure)
    }
}
