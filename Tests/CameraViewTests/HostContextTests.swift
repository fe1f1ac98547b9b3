import CEGL
import CameraView
import CameraViewTesting
import Glibc
import Testing

/// Views drawing into a host compositor's framebuffer on the host's own context.
@Suite(.ledgerChecked) struct HostContextTests {
    /// The viewport's pixels, top row first (the host reads GL's bottom row first).
    static func region(_ image: RGBAImage, _ rect: PixelRect) -> RGBAImage {
        var pixels: [UInt8] = []
        for row in (rect.y..<rect.y + rect.height).reversed() {
            let start = (row * image.width + rect.x) * 4
            pixels += image.pixels[start..<start + rect.width * 4]
        }
        return try! RGBAImage(width: rect.width, height: rect.height, pixels: pixels)
    }

    @Test func drawingIntoTheHostLeavesItsStateAndTheRestOfItsFramebuffer() throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 200, height: 120))
        defer { host.destroy() }
        let device = try RenderDevice.adopting(display: host.display, context: host.context)
        let view = try CameraView(device: device)
        let frame = try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
        let viewport = PixelRect(x: 40, y: 20, width: 128, height: 96)
        let options = RenderOptions(fit: .contain, mirror: true, filter: .nearest)

        host.clutterState()
        let before = host.stateSignature()
        try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport), options: options)
        #expect(host.stateSignature() == before, "the host's GL state changed")
        // The same again, now from the other thread-state: the host context is current.
        try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport), options: options)
        #expect(host.stateSignature() == before)

        let composed = host.readPixels()
        let expected = ExactModel.render(frame, size: viewport.size, options: RenderOptions(fit: .contain, mirror: true, filter: .nearest))
        let comparison = try ImageComparison(actual: Self.region(composed, viewport), expected: expected, tolerance: 1)
        #expect(comparison.passed, "\(comparison)")
        // Outside the viewport the host's clear colour (0.2, 0.4, 0.6) is untouched.
        #expect(composed[0, 0] == (51, 102, 153, 255) && composed[199, 119] == (51, 102, 153, 255))

        #expect(view.close().isClean)
        let table = device.handles
        #expect(table.liveCount(of: .program) == 3, "the two upload programs and the packed display one, compiled in the host's context")
        #expect(device.close().isClean)
        #expect(host.stateSignature() == before, "closing deleted only our objects")
    }

    @Test func topLeftOriginPutsTheFirstRowAtTheLowestY() throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 64, height: 48))
        defer { host.destroy() }
        let device = try RenderDevice.adopting(display: host.display, context: host.context)
        defer { device.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        let frame = try TestFrames.gradient(width: 64, height: 48)
        try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 64, height: 48), origin: .topLeft), options: .exact)
        let comparison = try ImageComparison(actual: host.readPixels(), expected: ExactModel.render(frame), tolerance: 1)
        #expect(comparison.passed, "\(comparison)")
    }

    @Test func viewsOnOneHostContextShareOneDevice() throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 8, height: 8))
        defer { host.destroy() }
        let first = try RenderDevice.adopting(display: host.display, context: host.context)
        let second = try RenderDevice.adopting(display: host.display, context: host.context)
        #expect(first.handles === second.handles)
        #expect(first.platform == .host)
        first.close()
        #expect(second.handles.liveCount(of: .program) == 2)
        #expect(second.close().isClean)
    }

    /// The context current on this thread is adopted as `adopting(display:context:)` would;
    /// with none current, a typed error.
    @Test func adoptingTheCurrentContextIsAdoptingItByName() throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 8, height: 8))
        defer { host.destroy() }
        host.makeCurrent()
        let current = try RenderDevice.adoptingCurrent()
        let named = try RenderDevice.adopting(display: host.display, context: host.context)
        #expect(current.handles === named.handles && current.platform == .host)
        named.close()
        #expect(current.close().isClean)
        eglMakeCurrent(host.display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT)
        #expect(throws: CameraViewError.noCurrentContext) { try RenderDevice.adoptingCurrent() }
    }

    /// A driver that gives OpenGL ES 2.0 only (Mesa told so): adopting a host's context is a
    /// typed error naming its version, before any shader is compiled; our own device asks
    /// for ES 3 and gets a typed EGL error. In a process of its own: the override holds for
    /// the whole process.
    @Test func anES2OnlyContextIsATypedErrorWhenAdopted() async {
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                setenv("MESA_GLES_VERSION_OVERRIDE", "2.0", 1)
                let opening = #expect(throws: CameraViewError.self) { try RenderDevice.open(platform: .surfaceless) }
                guard case .noUsablePlatform(let attempts)? = opening else { Issue.record("\(String(describing: opening))"); return }
                #expect(attempts.count == 1 && attempts.allSatisfy { $0.reason.contains("eglCreateContext failed") }, "\(attempts)")
                let display = try #require(eglGetPlatformDisplay(EGLenum(EGL_PLATFORM_SURFACELESS_MESA), nil, nil))
                #expect(eglInitialize(display, nil, nil) == EGL_TRUE)
                eglBindAPI(EGLenum(EGL_OPENGL_ES_API))
                let attributes: [EGLint] = [EGL_CONTEXT_CLIENT_VERSION, 2, EGL_NONE]
                let context = try #require(eglCreateContext(display, nil, cv_EGL_NO_CONTEXT, attributes))
                defer { eglDestroyContext(display, context) }
                #expect(eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, context) == EGL_TRUE)
                defer { eglMakeCurrent(display, cv_EGL_NO_SURFACE, cv_EGL_NO_SURFACE, cv_EGL_NO_CONTEXT) }
                let version = String(cString: glGetString(GLenum(GL_VERSION)))
                #expect(version.hasPrefix("OpenGL ES 2.0"), "the override took: \(version)")
                #expect(throws: CameraViewError.unsupportedContext(version: version)) { try RenderDevice.adoptingCurrent() }
                #expect(RenderDevice.openReferenceCount == 0)
            }
        }
    }

    /// A view on our own device must not bind a host's framebuffer name in our context.
    @Test func drawingIntoAHostFramebufferNeedsAnAdoptedDevice() throws {
        let view = try CameraView()
        defer { view.close() }
        let target = HostFramebuffer(framebuffer: 1, viewport: PixelRect(x: 0, y: 0, width: 8, height: 8))
        #expect(throws: CameraViewError.hostDrawNeedsAdoptedDevice) {
            try view.render(.memory(TestFrames.gradient(width: 8, height: 8)), into: target)
        }
        #expect(view.handles.liveCount == 1, "nothing but the vertex array")
    }

    /// Host draws take the filter too: a bilinear upscale into the host's viewport matches
    /// the bilinear model.
    @Test func hostDrawsTakeTheBilinearFilter() throws {
        try Self.withHostedView(size: PixelSize(width: 120, height: 80)) { host, view in
            let frame = try TestFrames.noise(layout: NV12Layout(width: 30, height: 20))
            let viewport = PixelRect(x: 10, y: 5, width: 90, height: 60)
            try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport),
                          options: RenderOptions(filter: .bilinear))
            let expected = ExactModel.renderBilinear(frame, size: viewport.size, options: RenderOptions(filter: .bilinear))
            let comparison = try ImageComparison(actual: Self.region(host.readPixels(), viewport), expected: expected, tolerance: 1)
            #expect(comparison.maxError <= 1 && Double(comparison.differingPixels) <= Double(comparison.pixelCount) * 0.001, "\(comparison)")
        }
    }
}

extension HostContextTests {
    /// A framebuffer the host has not completed, or a name that is no framebuffer, is a
    /// typed error naming it and its status; the host's state is left as it was.
    @Test func incompleteOrForeignFramebuffersAreNamed() throws {
        try Self.withHostedView(size: PixelSize(width: 16, height: 16)) { host, view in
            let frame = try TestFrames.gradient(width: 8, height: 8)
            var empty: GLuint = 0
            host.makeCurrent()
            glGenFramebuffers(1, &empty)
            defer { glDeleteFramebuffers(1, &empty) }
            // Bound once (GLES makes the object then) and left without attachments.
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), empty)
            glBindFramebuffer(GLenum(GL_FRAMEBUFFER), host.framebuffer)
            let viewport = PixelRect(x: 0, y: 0, width: 8, height: 8)
            let state = host.stateSignature()
            #expect(throws: CameraViewError.incompleteFramebuffer(framebuffer: empty, status: "GL_FRAMEBUFFER_INCOMPLETE_MISSING_ATTACHMENT (0x8cd7)")) {
                try view.render(.memory(frame), into: HostFramebuffer(framebuffer: empty, viewport: viewport))
            }
            #expect(throws: CameraViewError.incompleteFramebuffer(framebuffer: 4242, status: "not a framebuffer in the current context")) {
                try view.render(.memory(frame), into: HostFramebuffer(framebuffer: 4242, viewport: viewport))
            }
            #expect(host.stateSignature() == state, "the host's GL state changed")
            try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport))
        }
    }
}

extension HostContextTests {
    /// Letterbox bars of a contained frame in a wider host viewport: opaque black,
    /// transparent, or the host's own clear colour left untouched.
    @Test(arguments: Letterbox.allCases)
    func letterboxBarsAreBlackTransparentOrTheHosts(letterbox: Letterbox) throws {
        try Self.withHostedView(size: PixelSize(width: 64, height: 16)) { host, view in
            let before = host.readPixels()
            try view.render(.memory(TestFrames.gradient(width: 16, height: 16)), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 64, height: 16)), options: RenderOptions(letterbox: letterbox))
            let after = host.readPixels()
            let bar = Array(after.pixels[0..<4])  // column 0: left of the centred frame
            switch letterbox {
            case .black: #expect(bar == [0, 0, 0, 255])
            case .transparent: #expect(bar == [0, 0, 0, 0])
            case .untouched: #expect(bar == Array(before.pixels[0..<4]) && bar != [0, 0, 0, 255])
            }
            #expect(after.pixels[32 * 4..<32 * 4 + 4] != before.pixels[32 * 4..<32 * 4 + 4], "the frame itself is drawn")
        }
    }
}

extension HostContextTests {
    /// A view on an adopted device over a cluttered test host of `size`, all closed after `body`.
    static func withHostedView(size: PixelSize, _ body: (TestHost, CameraView) throws -> Void) throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: size)
        defer { host.destroy() }
        let device = try RenderDevice.adopting(display: host.display, context: host.context)
        defer { device.close() }
        let view = try CameraView(device: device)
        defer { view.close() }
        try body(host, view)
    }
}

extension HostContextTests {
    /// Every entry point that runs GL in a host's context, against a host whose pixel store
    /// would move or cut every transfer (skip rows and pixels, row lengths, alignments),
    /// with pixel buffers bound for both directions, another texture unit active and its own
    /// renderbuffer bound: each renders exactly what the model says, reads and writes only
    /// its own buffers (AddressSanitizer runs this in `scripts/sanitize-leaks`), and leaves
    /// every piece of the host's state as it found it.
    @Test(arguments: [PixelSize(width: 16, height: 16), PixelSize(width: 18, height: 10)], [true, false])
    func everyEntryPointLeavesAHostileHostIntactAndRendersExactly(size: PixelSize, pixelBuffers: Bool) throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 40, height: 30))
        defer { host.destroy() }
        host.clutterState(pixelBuffers: pixelBuffers)
        let before = host.stateSignature()
        func expectHostIntact(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) {
            host.makeCurrent()
            let after = host.stateSignature()
            let changed = before.keys.filter { before[$0] != after[$0] }.sorted()
            #expect(changed.isEmpty, "\(step) changed the host's \(changed.map { "\($0): \(before[$0]!) -> \(after[$0]!)" })", sourceLocation: sourceLocation)
        }
        let frame = try TestFrames.noise(layout: NV12Layout(width: size.width, height: size.height))
        let expected = ExactModel.render(frame)
        func expectExact(_ image: RGBAImage, _ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let comparison = try ImageComparison(actual: image, expected: expected, tolerance: 1)
            #expect(comparison.passed, "\(step): \(comparison)", sourceLocation: sourceLocation)
        }

        let device = try RenderDevice.adopting(display: host.display, context: host.context)
        expectHostIntact("adopting the context")
        let view = try CameraView(device: device)
        expectHostIntact("creating a view")
        try expectExact(view.render(.memory(frame), options: .exact), "render")
        expectHostIntact("render")
        var target = RenderTarget.image(reusing: try RGBAImage(
            width: size.width, height: size.height, pixels: [UInt8](repeating: 7, count: size.width * size.height * 4)))
        try view.render(.memory(frame), into: &target, options: .exact)
        try expectExact(try #require(target.image), "render(into:)")
        expectHostIntact("render(into:)")
        let file = try MemoryFile(frame.withUnsafeBytes { [UInt8]($0) })
        let dmaBuf = DmaBufFrame(fd: file.fd, layout: frame.layout, bufferIndex: 0)
        try expectExact(view.render(.dmaBuf(dmaBuf), options: .exact), "render(dma-buf)")
        expectHostIntact("render(dma-buf)")
        try view.render(.dmaBuf(dmaBuf), into: &target, options: .exact)
        try expectExact(try #require(target.image), "render(dma-buf, into:)")
        expectHostIntact("render(dma-buf, into:)")
        let viewport = PixelRect(x: 2, y: 3, width: size.width, height: size.height)
        let conversions = view.conversionCount
        try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport, origin: .topLeft), options: .exact)
        expectHostIntact("draw")
        try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport, origin: .topLeft), options: .exact)
        #expect(view.conversionCount == conversions + 1, "the redraw copied the display cache")
        expectHostIntact("redraw (the display cache copied)")
        try view.render(.dmaBuf(dmaBuf), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport, origin: .topLeft), options: .exact)
        expectHostIntact("draw(dma-buf)")
        let drawn = host.readPixels()
        var region: [UInt8] = []
        for row in viewport.y..<viewport.y + viewport.height {
            let start = (row * host.size.width + viewport.x) * 4
            region += drawn.pixels[start..<start + viewport.width * 4]
        }
        try expectExact(RGBAImage(width: size.width, height: size.height, pixels: region), "draw")
        view.releaseFrameObjects()
        expectHostIntact("releaseFrameObjects")
        #expect(view.close().isClean)
        expectHostIntact("closing the view")
        #expect(device.close().isClean)
        expectHostIntact("closing the device")
    }
}
