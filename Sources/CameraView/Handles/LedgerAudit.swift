/// Collects what the ledger flags — sweeps at close, failed deletions, owners dropped
/// without release — for the calling task and the tasks it starts, so a test (or a
/// harness wrapping every test) can assert that its own work left none, while other
/// tests run in parallel. The innermost `recording` collects.
package enum LedgerAudit {
    /// What a recorded piece of work left behind: all empty in a correct run.
    package struct Findings: Sendable, Equatable, CustomStringConvertible {
        package var swept: [HandleRecord] = []
        package var failedDeletions: [FailedDeletion] = []
        /// Descriptions of the objects whose owners were dropped without release.
        package var droppedOwners: [HandleRecord] = []
        /// Library objects (views, device references, cameras, buffers) dropped without
        /// `close()`, which their `deinit` then closed.
        package var unclosedObjects: [String] = []
        /// Objects still live, when the recording ended, in the tables (views, devices)
        /// created while it ran: empty once everything made there is closed.
        package var liveAfter: [HandleRecord] = []

        /// Every creation site a creation was attempted at (whether it succeeded): what a
        /// fault walk reached. Not a finding.
        package var sitesReached: Set<CreationSite> = []

        package var isClean: Bool { swept.isEmpty && failedDeletions.isEmpty && droppedOwners.isEmpty && unclosedObjects.isEmpty }

        /// Swept objects by kind.
        package var sweptByKind: [HandleKind: Int] {
            Dictionary(swept.map { ($0.kind, 1) }, uniquingKeysWith: +)
        }

        package var description: String {
            var parts: [String] = []
            if !swept.isEmpty { parts.append("\(swept.count) swept at close (\(swept.map(\.description).joined(separator: "; ")))") }
            if !failedDeletions.isEmpty { parts.append("\(failedDeletions.count) failed deletions (\(failedDeletions.map(\.description).joined(separator: "; ")))") }
            if !droppedOwners.isEmpty { parts.append("\(droppedOwners.count) owners dropped without release (\(droppedOwners.map(\.description).joined(separator: "; ")))") }
            if !unclosedObjects.isEmpty { parts.append("\(unclosedObjects.count) dropped without close() (\(unclosedObjects.joined(separator: "; ")))") }
            if !liveAfter.isEmpty { parts.append("\(liveAfter.count) still live (\(liveAfter.map(\.description).joined(separator: "; ")))") }
            return parts.isEmpty ? "clean" : parts.joined(separator: "; ")
        }
    }

    final class Collector: Sendable {
        let findings = Locked(Findings())
        let tables = Locked<[HandleTable]>([])

        var result: Findings {
            var findings = findings.withLock { $0 }
            findings.liveAfter = tables.withLock { $0.flatMap(\.records) }
            return findings
        }
    }

    @TaskLocal static var collector: Collector?

    /// Runs `body` and returns what the ledger flagged while it ran.
    package static func recording<Result>(_ body: () throws -> Result) rethrows -> (result: Result, findings: Findings) {
        let collector = Collector()
        let result = try $collector.withValue(collector) { try body() }
        return (result, collector.result)
    }

    /// `recording` for async work.
    package static func recording<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async rethrows -> (result: Result, findings: Findings) {
        let collector = Collector()
        let result = try await $collector.withValue(collector) { try await body() }
        return (result, collector.result)
    }

    static func noteTable(_ table: HandleTable) { collector?.tables.withLock { $0.append(table) } }
    static func noteSwept(_ record: HandleRecord) { collector?.findings.withLock { $0.swept.append(record) } }
    static func noteFailed(_ failed: FailedDeletion) { collector?.findings.withLock { $0.failedDeletions.append(failed) } }
    static func noteDropped(_ record: HandleRecord) { collector?.findings.withLock { $0.droppedOwners.append(record) } }
    static func noteUnclosed(_ what: String) { collector?.findings.withLock { $0.unclosedObjects.append(what) } }
    static func noteReached(_ site: CreationSite) { collector?.findings.withLock { _ = $0.sitesReached.insert(site) } }
}
