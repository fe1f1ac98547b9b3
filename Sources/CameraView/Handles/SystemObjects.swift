import Glibc

/// The only places tracked fds are opened or duplicated and files are mapped.
extension HandleTable {
    func openFile(_ path: String, flags: Int32, file: String = #fileID, line: Int = #line, function: String = #function) throws -> OwnedFD {
        try create(FDKind.self, operation: "open \(path)", file: file, line: line, function: function) {
            let fd = Glibc.open(path, flags | O_CLOEXEC)
            guard fd >= 0 else { throw CameraViewError.io(operation: "open", path: path, errno: errno) }
            return fd
        }
    }

    /// Our own copy of someone else's fd (close-on-exec).
    func duplicate(_ fd: Int32, file: String = #fileID, line: Int = #line, function: String = #function) throws -> OwnedFD {
        try create(FDKind.self, operation: "dup", file: file, line: line, function: function) {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw CameraViewError.io(operation: "dup", path: "fd \(fd)", errno: errno) }
            return copy
        }
    }

    /// Maps `length` bytes of `fd` read-only: shared (a dma-buf) or private (a file).
    func map(
        _ fd: Int32, length: Int, shared: Bool, what: String,
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> OwnedMapping {
        try create(MemoryMappingKind.self, operation: "mmap", file: file, line: line, function: function) {
            let address = mmap(nil, length, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE, fd, 0)
            guard let address, address != MAP_FAILED else { throw CameraViewError.io(operation: "mmap", path: what, errno: errno) }
            return UnsafeMutableRawBufferPointer(start: address, count: length)
        }
    }
}
