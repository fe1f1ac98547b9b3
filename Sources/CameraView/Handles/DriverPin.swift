import CEGL
import Glibc

/// Keeps Mesa's DRI driver loaded for the life of the process. eglTerminate unloads it and
/// the next eglInitialize reloads it, which leaks a pthread_once block per cycle in Mesa
/// 22.3; re-opening the already loaded driver with RTLD_NODELETE makes that unload a no-op
/// (Weston's CI does the same).
enum DriverPin {
    private static let pinned = Locked<Set<String>>([])

    /// Pins every `*_dri.so` currently loaded. Call after eglInitialize.
    static func pinLoadedDrivers() {
        for path in loadedDriverPaths() {
            let isNew = pinned.withLock { $0.insert(path).inserted }
            guard isNew else { continue }
            // The handle is deliberately never closed: pinning is the point.
            if dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == nil {
                log.warning("could not pin DRI driver \(path)")
            }
        }
    }

    /// The DRI drivers mapped into this process, from /proc/self/maps.
    private static func loadedDriverPaths() -> Set<String> {
        guard let bytes = try? readFile("/proc/self/maps") else { return [] }
        let maps = String(decoding: bytes, as: UTF8.self)
        return Set(maps.split(separator: "\n").compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init)
        }.filter { $0.hasSuffix("_dri.so") })
    }
}
