import CameraView
import CEGL
import Glibc
import Foundation

/// Memory and fd figures of this process, for leak checks.
public enum ProcessMemory {
    /// Bytes the C heap has handed out and not freed (glibc mallinfo2 uordblks).
    public static var heapInUseBytes: Int { Int(mallinfo2().uordblks) }

    /// Resident set size in bytes, from /proc/self/statm.
    public static var residentBytes: Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Open file descriptors, from /proc/self/fd.
    public static var openFDCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
