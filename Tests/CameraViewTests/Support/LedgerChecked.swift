import CameraView
import Glibc
import Testing

/// Every suite runs under this trait: each test's own work (and the tasks it starts) must
/// leave the ledger nothing to flag — no object swept up at a close, no failed deletion,
/// no owner dropped without release. Tests that plant such bugs record them in a nested
/// `LedgerAudit.recording`, which keeps them from this check.
struct LedgerCheckedTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard testCase != nil else { return try await function() }
        let (_, findings) = try await LedgerAudit.recording { try await function() }
        LedgerChecks.expectClean(findings)
    }
}

extension Trait where Self == LedgerCheckedTrait {
    static var ledgerChecked: Self { Self() }
}

enum LedgerChecks {
    /// The `.ledgerChecked` trait for the body of an exit test: the child process runs the
    /// body alone, outside the trait's scope (its task-local collector does not exist
    /// there), so every exit test wraps its body in this. It records the body's work and,
    /// when the ledger flagged anything or the tables made there still hold objects,
    /// prints the findings and exits 1, failing the parent's `processExitsWith: .success`.
    static func inChild(_ body: () async throws -> Void) async throws {
        let (_, findings) = try await LedgerAudit.recording { try await body() }
        guard findings.isClean && findings.liveAfter.isEmpty else {
            let message = "the ledger flagged, in the exit test's child: \(findings)\n"
            _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            exit(EXIT_FAILURE)
        }
    }

    /// No sweeps, failed deletions or dropped owners.
    static func expectClean(_ findings: LedgerAudit.Findings, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(findings.isClean, "the ledger flagged: \(findings)", sourceLocation: sourceLocation)
    }

    /// `expectClean`, and nothing left live in the tables made during the recording.
    static func expectNothingLeft(_ findings: LedgerAudit.Findings, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(findings.isClean && findings.liveAfter.isEmpty, "\(context): \(findings)", sourceLocation: sourceLocation)
    }
}
