import CEGL

/// One reference to the process-wide render device of a platform. Every `open()` and
/// every view holds its own reference; the EGL display and context are shared by all and
/// torn down when the last reference closes. `close()` is idempotent.
public final class RenderDevice: Sendable {
    let core: DeviceCore
    private let isOpen = Locked(true)

    /// A reference to `core`, already counted by the registry. The public ways to open or
    /// adopt a device are in RenderDevice+Open.swift, which prepares each new one.
    init(core: DeviceCore) { self.core = core }

    /// The EGL display, for a host that creates its own context beside ours. A surfaceless
    /// or device-platform display is the one EGL hands every caller and stays initialized
    /// for the process (without EGL_KHR_display_reference nothing can end our use of it
    /// alone); a GBM display is our own GBM device's, terminated with the last reference,
    /// so a host must hold a reference while it uses that one.
    public var eglDisplay: UnsafeMutableRawPointer? { core.display }

    /// Another reference to the same device, with its own `close()`.
    /// Checking that this reference is open and retaining the device are one step (under
    /// this reference's lock), and the registry retains only this very device: a close
    /// racing this call can never raise the count of a newer device of the same platform.
    public func newReference() throws -> RenderDevice {
        try isOpen.withLock { open in
            guard open, DeviceRegistry.retain(core) else { throw CameraViewError.closed }
        }
        return RenderDevice(core: core)
    }

    /// Throws unless a frame or output of `size` fits this device (positive sides, each at
    /// most GL_MAX_TEXTURE_SIZE and GL_MAX_RENDERBUFFER_SIZE): check before allocating a
    /// frame of a size someone else chose.
    public func checkFits(_ size: PixelSize) throws(CameraViewError) {
        try core.info.checkFits(size)
    }

    public var platform: Platform { core.platform }
    /// The GBM device of a GBM-platform device (camera buffers are allocated on it).
    package var gbmDevice: OpaquePointer? { core.gbmDevice }
    package var info: DeviceInfo { core.info }
    /// The device's own objects: context, display, programs, DRM fd and GBM device.
    package var handles: HandleTable { core.table }

    /// Releases this reference. Closing the last one tears the device down and returns
    /// what its owners left for the sweep and every failed deletion (both empty in a
    /// correct run); other closes return an empty report. Idempotent.
    @discardableResult
    public func close() -> CloseReport {
        let wasOpen = isOpen.withLock { open in
            defer { open = false }
            return open
        }
        return wasOpen ? DeviceRegistry.release(core) : .clean
    }

    deinit {
        if isOpen.withLock({ $0 }) {
            HandleTable.noteDroppedWithoutClose("RenderDevice reference")
            DeviceRegistry.release(core)
        }
    }

    /// How many references to live devices exist in this process.
    package static var openReferenceCount: Int { DeviceRegistry.referenceCount }
}

/// A reference an object keeps in its group (a device buffer's), closed in the group's order.
extension RenderDevice: GroupMember {
    package func release(in teardown: Teardown) { close() }
}

/// The process-wide devices, one per platform, with their reference counts. Opening and
/// tearing down happen under the registry lock, so a device is never half-built or
/// half-destroyed while another thread joins it.
enum DeviceRegistry {
    private struct Entry {
        let core: DeviceCore
        var references: Int
    }

    /// Our own devices by platform; adopted host contexts by display and context (a
    /// context pointer alone may be reused by another display's context once destroyed).
    private enum Key: Hashable {
        case platform(Platform)
        case host(display: UInt, context: UInt)

        init(_ core: DeviceCore) {
            self = core.platform == .host ? .host(display: core.display, context: core.context) : .platform(core.platform)
        }

        static func host(display: EGLDisplay?, context: EGLContext) -> Key {
            .host(display: UInt(bitPattern: display), context: UInt(bitPattern: context))
        }
    }

    private static let entries = Locked<[Key: Entry]>([:])

    static func acquire(candidates: [Platform], prepare: DeviceCore.Preparation) throws -> DeviceCore {
        try entries.withLock { entries in
            // Join an open device of an acceptable platform before opening a new one.
            for platform in candidates {
                if let core = join(.platform(platform), in: &entries) { return core }
            }
            let core = try DeviceCore.open(candidates: candidates, prepare: prepare)
            entries[Key(core)] = Entry(core: core, references: 1)
            return core
        }
    }

    static func acquireHost(
        display: EGLDisplay?, context: EGLContext, api: ContextAPI = .egl, prepare: DeviceCore.Preparation
    ) throws -> DeviceCore {
        try entries.withLock { entries in
            if let core = join(.host(display: display, context: context), in: &entries) { return core }
            let core = try DeviceCore.adopting(display: display, context: context, api: api, prepare: prepare)
            entries[Key(core)] = Entry(core: core, references: 1)
            return core
        }
    }

    private static func join(_ key: Key, in entries: inout [Key: Entry]) -> DeviceCore? {
        guard var entry = entries[key] else { return nil }
        entry.references += 1
        entries[key] = entry
        return entry.core
    }

    /// Adds a reference to `core` if it is still the registered device; false once it was
    /// torn down (its key may name a newer device by then).
    static func retain(_ core: DeviceCore) -> Bool {
        entries.withLock { entries in
            let key = Key(core)
            guard entries[key]?.core === core else { return false }
            entries[key]?.references += 1
            return true
        }
    }

    @discardableResult
    static func release(_ core: DeviceCore) -> CloseReport {
        entries.withLock { entries in
            let key = Key(core)
            guard var entry = entries[key], entry.core === core else { return .clean }
            entry.references -= 1
            if entry.references > 0 {
                entries[key] = entry
                return .clean
            }
            entries[key] = nil
            return core.shutDown()
        }
    }

    static var referenceCount: Int {
        entries.withLock { $0.values.reduce(0) { $0 + $1.references } }
    }
}

