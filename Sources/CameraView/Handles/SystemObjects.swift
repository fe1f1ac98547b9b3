import CEGL
import Glibc

package enum FDKind: UnboundKind {
    package static let kind = HandleKind.fd
    package static func reported(_ fd: Int32) -> UInt64 { UInt64(fd) }
    package static func destroy(_ fd: Int32, display: EGLDisplay?) -> String? {
        // On Linux the fd is gone even when close reports EINTR.
        close(fd) == 0 || errno == EINTR ? nil : errnoReason("close")
    }
}
package typealias OwnedFD = Owned<FDKind>

/// An `mmap`ed range, unmapped at release.
package enum MemoryMappingKind: UnboundKind {
    package static let kind = HandleKind.memoryMapping
    package static func reported(_ range: UnsafeMutableRawBufferPointer) -> UInt64 { UInt64(pointer: range.baseAddress) }
    package static func destroy(_ range: UnsafeMutableRawBufferPointer, display: EGLDisplay?) -> String? {
        munmap(range.baseAddress, range.count) == 0 ? nil : errnoReason("munmap")
    }
}
package typealias OwnedMapping = Owned<MemoryMappingKind>

/// Why a system call failed, for a failed deletion.
package func errnoReason(_ operation: String) -> String {
    "\(operation) failed: \(String(cString: strerror(errno)))"
}

extension UInt64 {
    /// The bits of an EGL/GBM pointer, as reports show them.
    package init(pointer: UnsafeRawPointer?) { self.init(UInt(bitPattern: pointer)) }
    package init(pointer: OpaquePointer?) { self.init(UInt(bitPattern: UnsafeRawPointer(pointer))) }
}

/// The only ways tracked fds are opened or duplicated and files are mapped.
extension Creation where Kind == FDKind {
    package static func open(_ path: String, flags: Int32) -> Creation {
        Creation("open \(path)") { _ in
            let fd = Glibc.open(path, flags | O_CLOEXEC)
            guard fd >= 0 else { throw CameraViewError.io(operation: "open", path: path, errno: errno) }
            return fd
        }
    }

    /// Our own copy of someone else's fd (close-on-exec).
    package static func duplicate(_ fd: Int32) -> Creation {
        Creation("dup") { _ in
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw CameraViewError.io(operation: "dup", path: "fd \(fd)", errno: errno) }
            return copy
        }
    }
}

extension Creation where Kind == MemoryMappingKind {
    /// `length` bytes of `fd`: shared (a dma-buf, a VisionIPC buffer) or private (a file),
    /// read-only unless `writable` (a shared queue that readers write their place into).
    package static func map(_ fd: Int32, length: Int, shared: Bool, writable: Bool = false, what: String) -> Creation {
        Creation("mmap") { _ in
            let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
            let address = mmap(nil, length, protection, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0)
            guard let address, address != MAP_FAILED else { throw CameraViewError.io(operation: "mmap", path: what, errno: errno) }
            return UnsafeMutableRawBufferPointer(start: address, count: length)
        }
    }
}

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
