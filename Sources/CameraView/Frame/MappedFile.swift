import Glibc

/// A whole file mapped read-only. The fd is closed as soon as the mapping exists (the
/// mapping keeps the file), and it is recorded in the host table while open. Sendable:
/// the mapping is read-only and immutable until deinit.
final class MappedFile: @unchecked Sendable {
    private let base: UnsafeRawPointer?
    let count: Int

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    init(path: String) throws {
        let fdRecord = try HostHandles.table.create(.fd, operation: "open", file: #fileID, line: #line, function: #function) {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw CameraViewError.io(operation: "open", path: path, errno: errno) }
            return UInt64(fd)
        }
        defer { HostHandles.table.release(fdRecord, using: HostHandles.destroyer) }
        let fd = Int32(fdRecord.raw)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CameraViewError.io(operation: "stat", path: path, errno: errno) }
        count = Int(info.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        let mapping = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapping, mapping != MAP_FAILED else { throw CameraViewError.io(operation: "mmap", path: path, errno: errno) }
        base = UnsafeRawPointer(mapping)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }
}

/// Host resources that belong to no GPU owner (the fds of mapped frame files).
enum HostHandles {
    static let table = HandleTable(owner: "host")
    static let destroyer = HandleDestroyer(display: nil)
}
