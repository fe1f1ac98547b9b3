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
    /// The GL name, fd number, or pointer bits of the EGL/GBM object.
    public let raw: UInt64
    public let site: CreationSite

    public var description: String { "\(kind) \(raw) created at \(site)" }
}
