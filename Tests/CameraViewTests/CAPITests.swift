import Foundation
import Testing

/// The C API, driven by a C program (Tests/capi-smoke/main.c) built with the package.
@Suite(.ledgerChecked) struct CAPITests {
    @Test func cProgramRendersDrawsIntoItsFramebufferAndLeavesNothing() throws {
        let program = URL(fileURLWithPath: TestPaths.camview).deletingLastPathComponent().appendingPathComponent("capi-smoke").path
        let result = try TestProcess.capture(program, [])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "capi-smoke: ok\n")
    }
}
