import Testing

/// The programs in Examples/ build with the package and run as a user would run them.
@Suite(.ledgerChecked) struct ExamplesTests {
    @Test func theSwiftHostExampleDrawsTwoViewsIntoItsFramebuffer() throws {
        let result = try TestProcess.capture(TestPaths.product("example-swift-host"), [])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "ok\n")
    }

    /// A compositor that links only the core carries none of the camera and stream layer
    /// (CameraViewStreams), which camview, linking both, does.
    @Test func theCoreLinksWithoutTheCameraAndStreamLayer() throws {
        func symbols(_ binary: String) throws -> String {
            let demangled = try TestProcess.capture("/bin/sh", ["-c", "nm '\(binary)' | swift demangle --simplified"])
            return String(decoding: demangled.stdout, as: UTF8.self)
        }
        let host = try symbols(TestPaths.product("example-swift-host")), camview = try symbols(TestPaths.camview)
        #expect(host.contains("RenderTarget"), "the example links the core")
        for module in ["V4L2Source", "StreamView", "CaptureStream"] {
            #expect(!host.contains(module), "the host example links \(module)")
            #expect(camview.contains(module), "camview should link \(module)")
        }
    }
}
