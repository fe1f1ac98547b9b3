import Testing

/// The programs in Examples/ build with the package and run as a user would run them.
@Suite(.ledgerChecked) struct ExamplesTests {
    @Test func theSwiftHostExampleDrawsTwoViewsIntoItsFramebuffer() throws {
        let result = try TestProcess.capture(TestPaths.product("example-swift-host"), [])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "ok\n")
    }
}
