import CEGL

/// The one owner of one created object: it holds the raw value and the object's ledger
/// entry. Not copyable, so the object has exactly one owner at a time; released only by
/// the consuming `release`, after which the value is gone. An owner that is dropped
/// without release reports itself (its object stays in the ledger and is swept and
/// counted at close).
struct Owned<Kind: TrackedKind>: ~Copyable {
    let raw: Kind.Raw
    private let ledger: HandleTable
    private let serial: UInt64
    private var unreleased = true

    fileprivate init(raw: Kind.Raw, ledger: HandleTable, serial: UInt64) {
        (self.raw, self.ledger, self.serial) = (raw, ledger, serial)
    }

    fileprivate consuming func release(contextCurrent: Bool) {
        unreleased = false
        ledger.release(serial, contextCurrent: contextCurrent)
    }

    deinit {
        if unreleased { ledger.ownerDropped(serial) }
    }
}

extension Owned where Kind: ContextBoundKind {
    /// Deletes the object; its context is current (the scope proves it).
    consuming func release(in scope: borrowing ContextScope) { release(contextCurrent: true) }

    /// Gives the object up when its context cannot be made current: a GL object is not
    /// deleted (that would hit another context's names) and is recorded as a failed
    /// deletion; EGL images and surfaces need only the display and are destroyed.
    consuming func abandon() { release(contextCurrent: false) }
}

extension Owned where Kind: UnboundKind {
    /// Deletes (closes, unmaps, destroys) the object.
    consuming func release() { release(contextCurrent: false) }
}

/// What an `Owned` holds, as a type: its raw value and how the ledger records it.
protocol TrackedKind {
    associatedtype Raw: BitwiseCopyable
    static var kind: HandleKind { get }
    /// The raw value as the ledger stores it; `display` is the scope's, for EGL objects.
    static func ledgerValues(_ raw: Raw, display: EGLDisplay?) -> (raw: UInt64, auxiliary: UInt64)
}

/// Objects made and deleted with a device context current: GL names, EGL images and
/// window surfaces. Created and released only with a `ContextScope`.
protocol ContextBoundKind: TrackedKind {}

/// Objects that need no context: fds, mappings, GBM objects, the EGL display and context.
protocol UnboundKind: TrackedKind {}

extension HandleTable {
    /// Creates a context-bound object with `make` and records it.
    func create<Kind: ContextBoundKind>(
        _ kind: Kind.Type, in scope: borrowing ContextScope, operation: String,
        file: String = #fileID, line: Int = #line, function: String = #function,
        _ make: () throws -> Kind.Raw
    ) throws -> Owned<Kind> {
        let display = scope.display
        let owned = try admitted(kind, display: display, operation: operation, site: CreationSite(file: file, line: line, function: function), make)
        if let failure = FaultInjection.failureAfterCreation(kind: Kind.kind, operation: operation) {
            owned.release(in: scope)
            throw failure
        }
        return owned
    }

    /// Creates an object that needs no context with `make` and records it.
    func create<Kind: UnboundKind>(
        _ kind: Kind.Type, display: EGLDisplay? = nil, operation: String,
        file: String = #fileID, line: Int = #line, function: String = #function,
        _ make: () throws -> Kind.Raw
    ) throws -> Owned<Kind> {
        let owned = try admitted(kind, display: display, operation: operation, site: CreationSite(file: file, line: line, function: function), make)
        if let failure = FaultInjection.failureAfterCreation(kind: Kind.kind, operation: operation) {
            owned.release()
            throw failure
        }
        return owned
    }

    private func admitted<Kind: TrackedKind>(
        _ kind: Kind.Type, display: EGLDisplay?, operation: String, site: CreationSite, _ make: () throws -> Kind.Raw
    ) throws -> Owned<Kind> {
        var raw: Kind.Raw?
        let record = try admit(Kind.kind, operation: operation, site: site) {
            let made = try make()
            raw = made
            return Kind.ledgerValues(made, display: display)
        }
        return Owned(raw: raw!, ledger: self, serial: record.serial)
    }
}

/// A final class that owns exactly one object, for collections and caches (which cannot
/// hold non-copyable values). Its one owner releases it in one place; a box dropped
/// unreleased reports its object like a dropped `Owned`.
final class OwnerBox<Kind: TrackedKind> {
    let raw: Kind.Raw
    private var owned: Owned<Kind>?

    init(_ owned: consuming Owned<Kind>) {
        raw = owned.raw
        self.owned = consume owned
    }
}

extension OwnerBox where Kind: ContextBoundKind {
    func release(in scope: borrowing ContextScope) { owned.take()?.release(in: scope) }
    func abandon() { owned.take()?.abandon() }
}

extension OwnerBox where Kind: UnboundKind {
    func release() { owned.take()?.release() }
}
