import CameraView
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
    /// No sweeps, failed deletions or dropped owners.
    static func expectClean(_ findings: LedgerAudit.Findings, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(findings.isClean, "the ledger flagged: \(findings)", sourceLocation: sourceLocation)
    }

    /// `expectClean`, and nothing left live in the tables made during the recording.
    static func expectNothingLeft(_ findings: LedgerAudit.Findings, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(findings.isClean && findings.liveAfter.isEmpty, "\(context): \(findings)", sourceLocation: sourceLocation)
    }
}
