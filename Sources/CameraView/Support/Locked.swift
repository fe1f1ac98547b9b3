/// A value guarded by a lock. The one audited `@unchecked Sendable` for plain state:
/// every access to `value` goes through `withLock`. The value may be non-copyable (a
/// view's owned GPU objects).
package final class Locked<Value: ~Copyable>: @unchecked Sendable {
    private let lock = Lock()
    private var value: Value

    package init(_ value: consuming Value) { self.value = value }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
