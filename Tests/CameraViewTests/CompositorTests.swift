import CameraView
import CameraViewStreams
import CameraViewTesting
import Testing

/// The embedding scenario end to end: a compositor with its own context draws two views
/// from two streams into one framebuffer, switches one stream mid-run, and checks the
/// picture against a golden, its GL state, and the tables after close.
@Suite(.ledgerChecked) struct CompositorTests {
    @Test func twoStreamsIntoOneHostFramebufferWithASwitch() throws {
        let owner = try RenderDevice.open()
        defer { owner.close() }
        let host = try TestHost(displayOwner: owner, size: PixelSize(width: 256, height: 96))
        defer { host.destroy() }
        let device = try RenderDevice.adopting(display: host.display, context: host.context)
        let roadView = try CameraView(device: device), driverView = try CameraView(device: device)
        let road = InProcessSource(name: "road"), wide = InProcessSource(name: "wide"), driver = InProcessSource(name: "driver")
        let left = StreamView(view: roadView, source: road), right = StreamView(view: driverView, source: driver)
        let leftTarget = HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 128, height: 96))
        let rightTarget = HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 128, y: 0, width: 128, height: 96))
        let driverOptions = RenderOptions(fit: .cover, mirror: true, filter: .nearest)

        let roadFrames = try (0..<6).map { try TestFrames.noise(layout: NV12Layout(width: 64, height: 48), seed: UInt64(100 + $0)) }
        let wideFrames = try (0..<6).map { try TestFrames.noise(layout: NV12Layout(width: 96, height: 40), seed: UInt64(200 + $0)) }
        let driverFrames = try (0..<6).map { try TestFrames.noise(layout: NV12Layout(width: 40, height: 40), seed: UInt64(300 + $0)) }
        host.clutterState()
        let hostState = host.stateSignature()
        for tick in 0..<6 {
            road.publish(roadFrames[tick])
            driver.publish(driverFrames[tick])
            if tick == 2 { left.switchTo(wide) }
            if tick >= 4 { wide.publish(wideFrames[tick]) }  // the wide stream starts late
            if let frame = left.update() { try left.view.render(frame.frame, into: leftTarget, options: RenderOptions(filter: .nearest)) }
            if let frame = right.update() { try right.view.render(frame.frame, into: rightTarget, options: driverOptions) }
            #expect(left.swapCount == (tick >= 4 ? 1 : 0), "tick \(tick)")
        }
        #expect(host.stateSignature() == hostState, "the host's GL state changed")

        // Expected: the last wide frame contained on the left, the last driver frame
        // covered and mirrored on the right, both from the exact model.
        let expectedLeft = ExactModel.render(wideFrames[5], size: leftTarget.viewport.size, options: RenderOptions(filter: .nearest))
        let expectedRight = ExactModel.render(driverFrames[5], size: rightTarget.viewport.size, options: RenderOptions(fit: .cover, mirror: true, filter: .nearest))
        var expectedPixels: [UInt8] = []
        for row in 0..<96 {
            let rowRange = row * 512..<(row + 1) * 512
            expectedPixels.append(contentsOf: expectedLeft.pixels[rowRange])
            expectedPixels.append(contentsOf: expectedRight.pixels[rowRange])
        }
        let model = try RGBAImage(width: 256, height: 96, pixels: expectedPixels)
        let golden = TestPaths.packageRoot + "/fixtures/goldens/compositor-two-streams.png"
        if GoldenImage.isRecording { GoldenImage.expect(model, matches: golden) }  // fails: a recording run
        #expect(try PNGCodec.read(from: golden) == model, "the golden is the model's image")
        let composed = HostContextTests.region(host.readPixels(), PixelRect(x: 0, y: 0, width: 256, height: 96))
        GoldenImage.expect(composed, matches: golden, tolerance: 1, record: false)

        for view in [roadView, driverView] {
            #expect(view.close().isClean)
        }
        #expect(device.close().isClean)
        #expect(host.stateSignature() == hostState)
    }
}
