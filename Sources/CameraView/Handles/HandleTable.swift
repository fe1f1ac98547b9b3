import CEGL

/// The ledger of what an owner (the shared device, one view, the host) has created and not
/// yet deleted. It observes: typed owners (`Owned`) record every creation here and release
/// through it, and fault injection hooks in here. It tells an object released by its owner
/// from one swept up at `close()` (a leak by its owner: counted, logged, a failing
/// figure), and records every deletion that failed. Readable from any thread.
public final class HandleTable: Sendable {
    package let owner: String
    private struct State {
        var live: [UInt64: HandleRecord] = [:]
        var swept: [HandleKind: Int] = [:]
        var failed: [FailedDeletion] = []
        var droppedOwners = 0
    }
    private let state = Locked(State())

    package init(owner: String) {
        self.owner = owner
        LedgerAudit.noteTable(self)
    }

    // MARK: Inspection

    /// The live objects, oldest first.
    package var records: [HandleRecord] {
        state.withLock { $0.live.values.sorted { $0.serial < $1.serial } }
    }

    package var liveCount: Int { state.withLock { $0.live.count } }

    package func liveCount(of kind: HandleKind) -> Int {
        state.withLock { $0.live.values.count { $0.kind == kind } }
    }

    /// Live objects by kind; kinds with none are absent.
    package var liveCountsByKind: [HandleKind: Int] {
        state.withLock { Dictionary($0.live.values.map { ($0.kind, 1) }, uniquingKeysWith: +) }
    }

    /// Objects `close()` had to delete because their owner never released them, by kind.
    /// Every one is a bug in the library (an owner that forgot a release).
    package var sweptAtClose: [HandleKind: Int] { state.withLock { $0.swept } }
    package var sweptCount: Int { state.withLock { $0.swept.values.reduce(0, +) } }

    /// Deletions that failed, or were not attempted because the context could not be made
    /// current: those objects may still exist.
    package var failedDeletions: [FailedDeletion] { state.withLock { $0.failed } }

    /// Owners dropped without `release` (their objects stay live until swept).
    package var droppedOwnerCount: Int { state.withLock { $0.droppedOwners } }

    /// Across every table in the process: live objects (0 when everything is closed),
    /// sweeps, failed deletions and dropped owners or objects dropped without `close()`
    /// (0 in a correct program).
    public static var liveCountInProcess: Int { process.withLock { $0.live } }
    package static var sweptCountInProcess: Int { process.withLock { $0.swept } }
    package static var failedDeletionCountInProcess: Int { process.withLock { $0.failed } }
    package static var droppedOwnerCountInProcess: Int { process.withLock { $0.dropped } }
    private static let process = Locked((live: 0, swept: 0, failed: 0, dropped: 0))

    // MARK: Recording (for `Owned`)

    /// Runs `make`, which creates one object, and records it with its kind's deletion.
    /// The fault-injection hook sits here so every creation can be made to fail.
    func admit<Kind: TrackedKind>(
        _ kind: Kind.Type, display: EGLDisplay?, operation: String, site: CreationSite, _ make: () throws -> Kind.Raw
    ) throws -> (value: Kind.Raw, serial: UInt64) {
        try FaultInjection.checkpoint(kind: Kind.kind, operation: operation, site: site)
        let raw = try make()
        let record = HandleRecord(serial: SerialCounter.handles.next(), kind: kind, raw: raw, display: display, site: site)
        state.withLock { $0.live[record.serial] = record }
        Self.process.withLock { $0.live += 1 }
        return (raw, record.serial)
    }

    /// Deletes one object on its owner's behalf and removes its entry. A serial this table
    /// no longer holds (swept at close) does nothing, so nothing is deleted twice.
    func release(_ serial: UInt64, contextCurrent: Bool) {
        guard let record = state.withLock({ $0.live.removeValue(forKey: serial) }) else { return }
        if FaultInjection.skipsRelease(of: record.kind) {
            state.withLock { $0.live[serial] = record }
            return
        }
        Self.process.withLock { $0.live -= 1 }
        delete(record, contextCurrent: contextCurrent)
    }

    /// An owner's `deinit` ran before its `release`: the object stays recorded (and is
    /// swept at close); the drop itself is a bug, counted and logged where it was created.
    func ownerDropped(_ serial: UInt64) {
        guard let record = state.withLock({ state -> HandleRecord? in
            guard let record = state.live[serial] else { return nil }
            state.droppedOwners += 1
            return record
        }) else { return }
        Self.process.withLock { $0.dropped += 1 }
        LedgerAudit.noteDropped(record)
        log.error("\(owner): the owner of \(record) was dropped without release")
    }

    /// A library object (a view, a device reference, a camera, a buffer) dropped without
    /// `close()`: its `deinit` closes it; the drop itself is a caller's bug, counted with
    /// the dropped owners (what C and Python callers read) and logged.
    package static func noteDroppedWithoutClose(_ what: String) {
        process.withLock { $0.dropped += 1 }
        LedgerAudit.noteUnclosed(what)
        log.error("\(what) dropped without close(); closing it now (a bug in the caller)")
    }

    /// Deletes whatever is left, newest first, counting each as a sweep. GL objects are
    /// deleted only when `contextCurrent`; otherwise they are reported as failed deletions
    /// (never deleted in someone else's context, where the names may mean other objects).
    @discardableResult
    package func close(in teardown: Teardown) -> CloseReport { sweep(in: teardown) { _ in true } }

    /// `close()` for the records `matching` only (a device sweeps its GL objects and what
    /// depends on it while its context is current, the rest after its display is gone).
    @discardableResult
    func sweep(in teardown: Teardown, matching: (HandleRecord) -> Bool) -> CloseReport {
        let leftovers = state.withLock { state in
            let swept = state.live.values.filter { matching($0) }.sorted { $0.serial > $1.serial }
            for record in swept {
                state.live[record.serial] = nil
                state.swept[record.kind, default: 0] += 1
            }
            return swept
        }
        Self.process.withLock { $0.live -= leftovers.count; $0.swept += leftovers.count }
        let failedBefore = state.withLock { $0.failed.count }
        for record in leftovers {
            LedgerAudit.noteSwept(record)
            log.error("\(owner): swept \(record) at close; its owner never released it")
            delete(record, contextCurrent: teardown.contextCurrent)
        }
        return CloseReport(swept: leftovers, failedDeletions: Array(state.withLock { $0.failed[failedBefore...] }))
    }

    private func delete(_ record: HandleRecord, contextCurrent: Bool) {
        let failure = record.needsCurrentContext && !contextCurrent
            ? "not deleted: the owning context could not be made current"
            : FaultInjection.failedDeletion(of: record.kind) ?? record.destroy()
        guard let failure else { return }
        let failed = FailedDeletion(record: record, reason: failure)
        state.withLock { $0.failed.append(failed) }
        Self.process.withLock { $0.failed += 1 }
        LedgerAudit.noteFailed(failed)
        log.error("\(owner): \(failed)")
    }
}

/// What a table's `close()` did beyond the owners' own releases.
public struct CloseReport: Sendable, Equatable, CustomStringConvertible {
    /// Objects nobody released (each a leak by its owner, now deleted).
    package let swept: [HandleRecord]
    /// Deletions at this close that failed or could not run.
    package let failedDeletions: [FailedDeletion]

    public var isClean: Bool { swept.isEmpty && failedDeletions.isEmpty }

    /// "clean", or each swept object and failed deletion.
    public var description: String {
        isClean ? "clean" : (swept.map { "swept \($0)" } + failedDeletions.map(\.description)).joined(separator: "; ")
    }

    package static let clean = CloseReport(swept: [], failedDeletions: [])

    package init(swept: [HandleRecord], failedDeletions: [FailedDeletion]) {
        (self.swept, self.failedDeletions) = (swept, failedDeletions)
    }

    package func merged(with other: CloseReport) -> CloseReport {
        CloseReport(swept: swept + other.swept, failedDeletions: failedDeletions + other.failedDeletions)
    }
}

/// A process-wide counter handing out 1, 2, 3, ...: creation order for handle records,
/// numbers for view names.
final class SerialCounter: Sendable {
    private let last = Locked<UInt64>(0)

    func next() -> UInt64 { last.withLock { $0 += 1; return $0 } }

    static let handles = SerialCounter()
    static let views = SerialCounter()
    static let frames = SerialCounter()
}

/// Where in the library an object was created: shown in leak reports.
package struct CreationSite: Sendable, Hashable, CustomStringConvertible {
    package let file: String
    package let line: Int
    package let function: String

    package var description: String { "\(function) (\(file):\(line))" }
}

/// One live object in a handle table, and how to delete it (its kind's `destroy`).
package struct HandleRecord: Sendable, Hashable, CustomStringConvertible {
    /// Creation order within the process; tables delete in reverse of it.
    package let serial: UInt64
    package let kind: HandleKind
    /// The GL name, fd number, mapping address, or pointer bits of the EGL/GBM object.
    package let raw: UInt64
    package let site: CreationSite
    let needsCurrentContext: Bool
    let dependsOnDevice: Bool
    /// Deletes the object with its typed value; why it failed, or nil.
    let destroy: @Sendable () -> String?

    init<Kind: TrackedKind>(serial: UInt64, kind: Kind.Type, raw: Kind.Raw, display: EGLDisplay?, site: CreationSite) {
        (self.serial, self.kind, self.raw, self.site) = (serial, Kind.kind, Kind.reported(raw), site)
        (needsCurrentContext, dependsOnDevice) = (Kind.needsCurrentContext, Kind.dependsOnDevice)
        // The raw pointers are the ledger's to delete, once, from whichever thread closes.
        nonisolated(unsafe) let (value, display) = (raw, display)
        destroy = { Kind.destroy(value, display: display) }
    }

    package var description: String { "\(kind) \(raw) created at \(site)" }

    package static func == (lhs: HandleRecord, rhs: HandleRecord) -> Bool {
        (lhs.serial, lhs.kind, lhs.raw, lhs.site) == (rhs.serial, rhs.kind, rhs.raw, rhs.site)
    }

    package func hash(into hasher: inout Hasher) { hasher.combine(serial) }
}

/// An object whose deletion failed (or could not be attempted): it may still exist.
package struct FailedDeletion: Sendable, Hashable, CustomStringConvertible {
    package let record: HandleRecord
    package let reason: String

    package var description: String { "\(record): \(reason)" }
}

/// Every kind of object the library creates and must delete.
package enum HandleKind: String, CaseIterable, Sendable, Codable, Comparable {
    case fd
    /// An `mmap` of a file or dma-buf.
    case memoryMapping
    /// A `gbm_bo_map` of a buffer object.
    case gbmMapping
    case gbmDevice
    case gbmSurface
    case gbmBo
    case eglDisplay
    case eglContext
    case eglSurface
    case eglImage
    case texture
    case framebuffer
    case renderbuffer
    case buffer
    case vertexArray
    case shader
    case program
    case sync
    /// A GEM handle on a DRM fd of ours (from a dma-buf), closed with DRM_IOCTL_GEM_CLOSE.
    case gemHandle
    /// A V4L2 queue's buffers (VIDIOC_REQBUFS), freed by requesting 0.
    case v4l2Buffers
    /// A V4L2 queue streaming (VIDIOC_STREAMON), stopped with VIDIOC_STREAMOFF.
    case v4l2Streaming
    /// A SIGBUS guard over a mapping another process may truncate (a VisionIPC buffer).
    case faultGuard

    package static func < (lhs: HandleKind, rhs: HandleKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
