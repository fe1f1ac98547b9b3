import Glibc

/// A whole file mapped read-only, for frames read from files. A final class that owns
/// exactly one mapping (recorded in the host table): frames are values that share it, so
/// the last frame to let go unmaps it, here in `deinit`. The fd is closed as soon as the
/// mapping exists (the mapping keeps the file). Sendable: the mapping is read-only.
package final class MappedFile: @unchecked Sendable {
    private let mapping: Locked<OwnedMapping?>
    package let bytes: UnsafeRawBufferPointer
    package var count: Int { bytes.count }

    package init(path: String) throws {
        let fd = try HostHandles.table.openFile(path, flags: O_RDONLY)
        let number = fd.raw
        var mapped: OwnedMapping?
        do {
            var info = stat()
            guard fstat(number, &info) == 0 else { throw CameraViewError.io(operation: "stat", path: path, errno: errno) }
            let count = Int(info.st_size)
            mapped = count == 0 ? nil : try HostHandles.table.map(number, length: count, shared: false, what: path)
        } catch {
            fd.release()
            throw error
        }
        fd.release()
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
