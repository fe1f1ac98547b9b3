import Foundation
import Glibc

/// The process's open fds, to check that a piece of work closes every fd it opens. Sets
/// rather than counts: fds inherited from the parent process may close meanwhile (an exit
/// test's child inherits the test runner's), and that is no leak. The runtime's own timer,
/// event and epoll fds (Dispatch and the test runner make them lazily, on their own
/// threads) are not counted: the library never makes such fds.
enum OpenFDs {
    static var current: Set<Int32> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(names.compactMap(Int32.init).filter { fd in
            guard let target = target(of: fd) else { return false }  // closed while listing
            // The listing's own directory fd is not ours to count either.
            return !target.hasSuffix("/fd") && !runtimeKinds.contains(target)
        })
    }

    /// fds open now that were not open at `before`.
    static func opened(since before: Set<Int32>) -> Set<Int32> { current.subtracting(before) }

    private static let runtimeKinds: Set = ["anon_inode:[timerfd]", "anon_inode:[eventfd]", "anon_inode:[eventpoll]"]

    private static func target(of fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
