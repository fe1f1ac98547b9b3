/// The single ledger of what an owner (the shared device or one view) has created and not
/// yet deleted. Creation goes through `create`, deletion through `release`; `close`
/// deletes whatever is left in reverse creation order. Readable from any thread.
public final class HandleTable: Sendable {
    public let owner: String
    private let live = Locked<[UInt64: HandleRecord]>([:])

    init(owner: String) { self.owner = owner }

    // MARK: Inspection

    /// The live objects, oldest first.
    public var records: [HandleRecord] {
        live.withLock { $0.values.sorted { $0.serial < $1.serial } }
    }

    public var liveCount: Int { live.withLock { $0.count } }

    public func liveCount(of kind: HandleKind) -> Int {
        live.withLock { $0.values.count { $0.kind == kind } }
    }

    /// Live objects by kind; kinds with none are absent.
    public var liveCountsByKind: [HandleKind: Int] {
        live.withLock { Dictionary($0.values.map { ($0.kind, 1) }, uniquingKeysWith: +) }
    }

    /// Live objects across every table in the process: 0 when everything is closed.
    public static var liveCountInProcess: Int { processLive.withLock { $0 } }
    private static let processLive = Locked(0)

    // MARK: Creation and deletion

    /// Runs `make`, which creates one object and returns its raw value, and records it.
    /// The fault-injection hook sits here so every creation can be made to fail.
    func create(
        _ kind: HandleKind, operation: String,
        file: String, line: Int, function: String,
        _ make: () throws -> UInt64
    ) throws -> HandleRecord {
        try FaultInjection.checkpoint(kind: kind, operation: operation)
        let raw = try make()
        let record = HandleRecord(
            serial: SerialCounter.handles.next(), kind: kind, raw: raw,
            site: CreationSite(file: file, line: line, function: function))
        live.withLock { $0[record.serial] = record }
        Self.processLive.withLock { $0 += 1 }
        return record
    }

    /// Deletes one object and removes its entry. Releasing a record this table no longer
    /// holds does nothing, so a second release can never double-free.
    func release(_ record: HandleRecord, using destroyer: HandleDestroyer) {
        guard live.withLock({ $0.removeValue(forKey: record.serial) }) != nil else { return }
        Self.processLive.withLock { $0 -= 1 }
        destroyer.destroy(record)
    }

    /// Deletes everything left, newest first. Returns what it had to delete: for a view,
    /// anything here was not released by its owner and is logged as a bug.
    @discardableResult
    func close(using destroyer: HandleDestroyer, expectEmpty: Bool) -> [HandleRecord] {
        let leftovers = live.withLock { table in
            defer { table.removeAll() }
            return table.values.sorted { $0.serial > $1.serial }
        }
        Self.processLive.withLock { $0 -= leftovers.count }
        for record in leftovers {
            if expectEmpty {
                log.warning("\(owner): deleting \(record) at close; it should have been released earlier")
            }
            destroyer.destroy(record)
        }
        return leftovers
    }
}

/// A process-wide counter handing out 1, 2, 3, ...: creation order for handle records,
/// numbers for view names.
final class SerialCounter: Sendable {
    private let last = Locked<UInt64>(0)

    func next() -> UInt64 { last.withLock { $0 += 1; return $0 } }

    static let handles = SerialCounter()
    static let views = SerialCounter()
}
