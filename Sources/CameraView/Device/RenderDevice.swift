/// One reference to the process-wide render device of a platform. Every `open()` and
/// every view holds its own reference; the EGL display and context are shared by all and
/// torn down when the last reference closes. `close()` is idempotent.
public final class RenderDevice: Sendable {
    let core: DeviceCore
    private let isOpen = Locked(true)

    /// Opens (or joins) the shared device: `platform` if given, else `CAMERAVIEW_PLATFORM`,
    /// else GBM on a DRM node when one initializes, else Mesa surfaceless.
    public static func open(platform: Platform? = nil) throws -> RenderDevice {
        RenderDevice(core: try DeviceRegistry.acquire(candidates: Platform.candidates(forced: platform)))
    }

    private init(core: DeviceCore) { self.core = core }

    /// Another reference to the same device, with its own `close()`.
    public func newReference() throws -> RenderDevice {
        guard isOpen.withLock({ $0 }) else { throw CameraViewError.closed }
        DeviceRegistry.retain(core)
        return RenderDevice(core: core)
    }

    public var platform: Platform { core.platform }
    public var info: DeviceInfo { core.info }
    /// The device's own objects: context, display, programs, DRM fd and GBM device.
    public var handles: HandleTable { core.table }

    public func close() {
        let wasOpen = isOpen.withLock { open in
            defer { open = false }
            return open
        }
        if wasOpen { DeviceRegistry.release(core) }
    }

    deinit {
        if isOpen.withLock({ $0 }) {
            log.error("RenderDevice reference dropped without close(); releasing it now (a bug in the caller)")
            DeviceRegistry.release(core)
        }
    }

    /// How many references to live devices exist in this process.
    public static var openReferenceCount: Int { DeviceRegistry.referenceCount }
}

/// The process-wide devices, one per platform, with their reference counts. Opening and
/// tearing down happen under the registry lock, so a device is never half-built or
/// half-destroyed while another thread joins it.
enum DeviceRegistry {
    private struct Entry {
        let core: DeviceCore
        var references: Int
    }

    private static let entries = Locked<[Platform: Entry]>([:])

    static func acquire(candidates: [Platform]) throws -> DeviceCore {
        try entries.withLock { entries in
            // Join an open device of an acceptable platform before opening a new one.
            for platform in candidates {
                if var entry = entries[platform] {
                    entry.references += 1
                    entries[platform] = entry
                    return entry.core
                }
            }
            let core = try DeviceCore.open(candidates: candidates)
            entries[core.platform] = Entry(core: core, references: 1)
            return core
        }
    }

    static func retain(_ core: DeviceCore) {
        entries.withLock { $0[core.platform]?.references += 1 }
    }

    static func release(_ core: DeviceCore) {
        entries.withLock { entries in
            guard var entry = entries[core.platform], entry.core === core else { return }
            entry.references -= 1
            if entry.references > 0 {
                entries[core.platform] = entry
            } else {
                entries[core.platform] = nil
                core.shutDown()
            }
        }
    }

    static var referenceCount: Int {
        entries.withLock { $0.values.reduce(0) { $0 + $1.references } }
    }
}
