/// Where in the library an object was created: shown in leak reports.
public struct CreationSite: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let function: String

    public var description: String { "\(function) (\(file):\(line))" }
}

/// One live object in a handle table.
public struct HandleRecord: Sendable, Hashable, CustomStringConvertible {
    /// Creation order within the process; tables delete in reverse of it.
    public let serial: UInt64
    public let kind: HandleKind
    /// The GL name, fd number, mapping address, or pointer bits of the EGL/GBM object.
    public let raw: UInt64
    /// What deleting it needs besides `raw`: the EGL display of an EGL object, a mapping's
    /// length, the bo of a GBM mapping.
    let auxiliary: UInt64
    public let site: CreationSite

    public var description: String { "\(kind) \(raw) created at \(site)" }
}

/// An object whose deletion failed (or could not be attempted): it may still exist.
public struct FailedDeletion: Sendable, Hashable, CustomStringConvertible {
    public let record: HandleRecord
    public let reason: String

    public var description: String { "\(record): \(reason)" }
}
