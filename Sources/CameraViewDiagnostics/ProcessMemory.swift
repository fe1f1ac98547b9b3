import CameraView
import CEGL
import Glibc
import Foundation

/// Memory and fd figures of this process, for leak checks.
public enum ProcessMemory {
    /// Bytes the C heap has handed out and not freed, small blocks and mmapped ones (glibc
    /// mallinfo2 uordblks + hblkhd): exact, whatever the page layout. Nil when the allocator
    /// is not glibc's (AddressSanitizer's answers mallinfo2 with zeros), rather than a 0
    /// that would pass any check.
    public static var heapInUseBytes: Int? {
        let info = mallinfo2()
        guard info.arena != 0 || info.hblkhd != 0 else { return nil }
        return Int(info.uordblks) + Int(info.hblkhd)
    }

    /// Resident set size in bytes, from /proc/self/statm, read after glibc hands its free
    /// pages back (malloc_trim): else a block freed and allocated again elsewhere leaves its
    /// old pages resident, a one-off step that a slope reads as steady growth.
    public static var residentBytes: Int {
        malloc_trim(0)
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * pageBytes
    }

    /// The page size: what RSS moves by.
    public static var pageBytes: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    /// Open file descriptors, from /proc/self/fd.
    public static var openFDCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
