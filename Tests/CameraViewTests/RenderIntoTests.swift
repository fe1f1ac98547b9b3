import CameraView
import CameraViewTesting
import Testing

/// Image targets: the steady-state way to read back, into a caller's image or one the
/// target keeps frame after frame.
@Suite(.ledgerChecked) struct RenderIntoTests {
    /// Same pixels as `render(_:size:options:)`, into the caller's storage frame after frame.
    @Test func reusesTheImageStorageAndMatchesRender() throws {
        let view = try CameraView()
        defer { view.close() }
        let frames = [try TestFrames.noise(layout: NV12Layout(width: 96, height: 37)),
                      try TestFrames.noise(layout: NV12Layout(width: 96, height: 37), seed: 7)]
        var image = try RGBAImage(width: 96, height: 37)
        let storage = image.pixels.withUnsafeBytes { $0.baseAddress }
        var target = RenderTarget.image(reusing: consume image)
        for frame in frames {
            try view.render(.memory(frame), into: &target, options: .exact)
            let drawn = try #require(target.image)
            #expect(drawn.pixels.withUnsafeBytes { $0.baseAddress } == storage, "the storage must be reused")
            #expect(try ImageComparison(actual: drawn, expected: ExactModel.render(frame), tolerance: 1).passed)
            #expect(drawn == (try view.render(.memory(frame), options: .exact)))
        }
        // Placed output through the per-pixel path, into the same storage.
        let mirrored = RenderOptions(mirror: true, filter: .nearest)
        try view.render(.memory(frames[0]), into: &target, options: mirrored)
        #expect(target.image == (try view.render(.memory(frames[0]), options: mirrored)))
        #expect(target.image?.pixels.withUnsafeBytes { $0.baseAddress } == storage)
    }

    /// A target of the frame's size holding an image of another size (or one whose pixels
    /// were resized by hand) replaces it with one of the output size.
    @Test func replacesAnImageOfTheWrongSize() throws {
        let view = try CameraView()
        defer { view.close() }
        let frame = try TestFrames.gradient(width: 40, height: 30)
        var target = RenderTarget.image(reusing: try RGBAImage(width: 8, height: 8))
        try view.render(.memory(frame), into: &target, options: .exact)
        #expect(target.image?.size == PixelSize(width: 8, height: 8), "the caller's image sets the size")
        target = RenderTarget.image()
        try view.render(.memory(TestFrames.gradient(width: 8, height: 8)), into: &target, options: .exact)
        try view.render(.memory(frame), into: &target, options: .exact)
        #expect(target.image?.size == PixelSize(width: 40, height: 30))
        #expect(target.image == (try view.render(.memory(frame), options: .exact)))
        var shortened = try RGBAImage(width: 40, height: 30)
        shortened.pixels.removeLast(4)
        target = RenderTarget.image(reusing: shortened)
        try view.render(.memory(frame), into: &target, options: .exact)
        #expect(target.image == (try view.render(.memory(frame), options: .exact)))
    }

    @Test func blankImagesRejectImpossibleSizes() {
        #expect(throws: CameraViewError.self) { try RGBAImage(width: 0, height: 4) }
        #expect(throws: CameraViewError.self) { try RGBAImage(width: Int.max / 2, height: 3) }
        #expect((try? RGBAImage(width: 2, height: 1))?.pixels == [UInt8](repeating: 0, count: 8))
    }
}
