import CEGL

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
