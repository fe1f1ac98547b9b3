import Foundation

enum ProcessResources {
    /// Open file descriptors of this process.
    static var openFDCount: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }
}
