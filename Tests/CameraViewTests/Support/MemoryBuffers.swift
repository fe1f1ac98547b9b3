import Foundation
import Glibc

/// An unlinked file holding bytes: a stand-in for a dma-buf where none can be made (it
/// maps and seeks like one, and lacks only DMA_BUF_IOCTL_SYNC).
final class MemoryFile {
    let fd: Int32

    init(_ bytes: [UInt8]) throws {
        let path = TestPaths.scratch + "/buffer-\(UUID().uuidString)"
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ProcessFailure(description: "open \(path): \(errno)") }
        unlink(path)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw ProcessFailure(description: "write: \(errno)") }
    }

    deinit { close(fd) }
}
