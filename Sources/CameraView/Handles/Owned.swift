import CEGL

/// The one owner of one created object: it holds the raw value and the object's ledger
/// entry. Not copyable, so the object has exactly one owner at a time; released only by
/// the consuming `release`, after which the value is gone. An owner that is dropped
/// without release reports itself (its object stays in the ledger and is swept and
/// counted at close).
package struct Owned<Kind: TrackedKind>: ~Copyable {
    package let raw: Kind.Raw
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

    /// Deletes the object now, on whatever path its owner is tearing down (see `Teardown`).
    package consuming func release(in teardown: Teardown) { release(contextCurrent: teardown.contextCurrent) }

    deinit {
        if unreleased { ledger.ownerDropped(serial) }
    }
}

extension Owned where Kind: UnboundKind {
    /// Deletes (closes, unmaps, destroys) the object: it needs no context.
    package consuming func release() { release(contextCurrent: false) }
}

/// How an owner is tearing its objects down: with their context current (from a
/// `ContextScope`, and used only inside it), or `contextLost`, when it could not be made
/// current: a GL object is then not deleted (that would hit another context's names) and
/// is recorded as a failed deletion; everything else (EGL images and surfaces need only
/// the display) is released. The one path every owner's teardown takes.
package struct Teardown {
    package let contextCurrent: Bool

    package static let contextLost = Teardown(contextCurrent: false)

    fileprivate init(contextCurrent: Bool) { self.contextCurrent = contextCurrent }
}

extension ContextScope {
    /// The teardown of objects in this scope's context (valid only inside the scope).
    var teardown: Teardown { Teardown(contextCurrent: true) }
}

/// What an `Owned` holds, as a type: its raw value, how the ledger shows it, and how it is
/// deleted. Each kind's deletion lives with the kind.
package protocol TrackedKind {
    associatedtype Raw: BitwiseCopyable
    static var kind: HandleKind { get }
    /// The raw value as reports show it (a GL name, an fd, pointer bits).
    static func reported(_ raw: Raw) -> UInt64
    /// Deletes the object; why it failed, or nil. `display`: the scope's at creation (EGL
    /// objects are destroyed on it). GL kinds run with their context current.
    static func destroy(_ raw: Raw, display: EGLDisplay?) -> String?
    /// GL names: deleted only with their context current on this thread.
    static var needsCurrentContext: Bool { get }
    /// Made on a device's display, GBM device or DRM fd: a device's sweep deletes them
    /// while those still exist (destroying a bo after its GBM device is a use after free).
    static var dependsOnDevice: Bool { get }
}

extension TrackedKind {
    package static var needsCurrentContext: Bool { false }
    package static var dependsOnDevice: Bool { false }
}

/// Objects made and deleted with a device context current: GL names, EGL images and
/// window surfaces. Created only with a `ContextScope`, released with a `Teardown`.
package protocol ContextBoundKind: TrackedKind {}

/// Objects that need no context: fds, mappings, GBM objects, the EGL display and context.
package protocol UnboundKind: TrackedKind {}

/// One way to create an object of `Kind`: the operation (as fault injection and errors
/// name it) and the call, given the display (the scope's, for EGL objects). A kind's ways
/// are static members of `Creation where Kind == ...` beside the kind, and `create` is the
/// one call that makes them and records where.
package struct Creation<Kind: TrackedKind> {
    let operation: String
    let make: (EGLDisplay?) throws -> Kind.Raw

    package init(_ operation: String, _ make: @escaping (EGLDisplay?) throws -> Kind.Raw) {
        (self.operation, self.make) = (operation, make)
    }
}

extension HandleTable {
    /// Creates a context-bound object in `scope`'s context and records it, with the caller
    /// as its creation site.
    func create<Kind: ContextBoundKind>(
        _ creation: Creation<Kind>, in scope: borrowing ContextScope,
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> Owned<Kind> {
        let owned = try admitted(creation, display: scope.display, site: CreationSite(file: file, line: line, function: function))
        if let failure = FaultInjection.failureAfterCreation(kind: Kind.kind, operation: creation.operation) {
            owned.release(in: scope.teardown)
            throw failure
        }
        return owned
    }

    /// Creates an object that needs no context (on `display`, for EGL objects) and records
    /// it, with the caller as its creation site.
    package func create<Kind: UnboundKind>(
        _ creation: Creation<Kind>, on display: EGLDisplay? = nil,
        file: String = #fileID, line: Int = #line, function: String = #function
    ) throws -> Owned<Kind> {
        let owned = try admitted(creation, display: display, site: CreationSite(file: file, line: line, function: function))
        if let failure = FaultInjection.failureAfterCreation(kind: Kind.kind, operation: creation.operation) {
            owned.release()
            throw failure
        }
        return owned
    }

    private func admitted<Kind: TrackedKind>(_ creation: Creation<Kind>, display: EGLDisplay?, site: CreationSite) throws -> Owned<Kind> {
        let raw = try admit(Kind.self, display: display, operation: creation.operation, site: site) { try creation.make(display) }
        return Owned(raw: raw.value, ledger: self, serial: raw.serial)
    }
}

/// A final class that owns exactly one object, for collections and caches (which cannot
/// hold non-copyable values). Its one owner releases it in one place; a box dropped
/// unreleased reports its object like a dropped `Owned`.
package final class OwnerBox<Kind: TrackedKind> {
    package let raw: Kind.Raw
    private var owned: Owned<Kind>?

    package init(_ owned: consuming Owned<Kind>) {
        raw = owned.raw
        self.owned = consume owned
    }
}

extension OwnerBox {
    package func release(in teardown: Teardown) { owned.take()?.release(in: teardown) }
}

extension OwnerBox where Kind: UnboundKind {
    package func release() { owned.take()?.release() }
}

/// Objects made together and released together, newest first: a composite object's one
/// destroy, which accepts it half built. A constructor adopts each object as it makes it
/// and, if a later step fails, releases the group; a finished object releases the same
/// group when its owner is done with it.
package final class OwnerGroup {
    fileprivate var members: [any GroupMember] = []

    package init() {}

    /// Takes `owned` into the group; returns its raw value.
    @discardableResult
    package func adopt<Kind: TrackedKind>(_ owned: consuming Owned<Kind>) -> Kind.Raw {
        let box = OwnerBox(owned)
        members.append(box)
        return box.raw
    }

    /// Builds a composite object: `body` adopts each object into a new group as it makes
    /// it and returns what the object keeps of them. When `body` throws, the half-built
    /// group is released (newest first, on `teardown`'s path) before the error goes on:
    /// the one place a half-built object is unwound, instead of a catch in each constructor.
    package static func building<Value>(_ teardown: Teardown, _ body: (OwnerGroup) throws -> Value) throws -> (group: OwnerGroup, value: Value) {
        let group = OwnerGroup()
        return (group, try group.building(teardown, body))
    }

    /// Fills this group (an object's own, made empty) the same way: released if `body` throws.
    package func building<Value: ~Copyable>(_ teardown: Teardown, _ body: (OwnerGroup) throws -> Value) throws -> Value {
        do {
            return try body(self)
        } catch {
            release(in: teardown)
            throw error
        }
    }

    /// Takes over every member of `other` (left empty): released with this group's.
    package func take(from other: OwnerGroup) {
        members += other.members
        other.members.removeAll()
    }

    package func release(in teardown: Teardown) {
        for member in members.reversed() { member.release(in: teardown) }
        members.removeAll()
    }
}

/// What a group holds: owners (in boxes) and library objects that end with one call.
package protocol GroupMember: AnyObject {
    func release(in teardown: Teardown)
}

extension OwnerBox: GroupMember {}

extension GroupMember {
    /// Finishes building this object (made first, then filled by `body`): when `body`
    /// throws, the object's own release, which accepts it half built, runs before the
    /// error goes on (a group of one; see `OwnerGroup.building`).
    package func building<Value: ~Copyable>(_ teardown: Teardown, _ body: () throws -> Value) throws -> Value {
        let unwinding = OwnerGroup()
        unwinding.adopt(self)
        return try unwinding.building(teardown) { _ in try body() }
    }
}

extension OwnerGroup {
    /// Takes a library object that ends with one call (a device reference a buffer keeps)
    /// into the group, released in the group's order like an owner.
    package func adopt(_ member: some GroupMember) { members.append(member) }
}

