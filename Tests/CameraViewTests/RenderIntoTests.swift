import CameraView
import CameraViewTesting
import Testing

/// `render(_:into:)`: the steady-state API that reads back into a caller's image.
@Suite(.ledgerChecked) struct RenderIntoTests {
    /// Same pixels as `render(_:)`, into the same storage frame after frame.
    @Test func reusesTheImageStorageAndMatchesRender() throws {
        let view = try CameraView()
        defer { view.close() }
        let frames = [try TestFrames.noise(layout: NV12Layout(width: 96, height: 37)),
                      try TestFrames.noise(layout: NV12Layout(width: 96, height: 37), seed: 7)]
        var image = try RGBAImage(width: 96, height: 37)
        let storage = image.pixels.withUnsafeBytes { $0.baseAddress }
        for frame in frames {
            try view.render(frame, into: &image, options: .exact)
            #expect(image.pixels.withUnsafeBytes { $0.baseAddress } == storage, "the storage must be reused")
            #expect(try ImageComparison(actual: image, expected: ExactModel.render(frame), tolerance: 1).passed)
            #expect(image == (try view.render(frame, options: .exact)))
        }
        // Scaled output through the per-pixel path, into the same storage.
        let scaled = RenderOptions(outputSize: PixelSize(width: 96, height: 37), mirror: true, filter: .nearest)
        try view.render(frames[0], into: &image, options: scaled)
        #expect(image == (try view.render(frames[0], options: scaled)))
        #expect(image.pixels.withUnsafeBytes { $0.baseAddress } == storage)
    }

    /// An image of another size (or one whose pixels were resized by hand) is replaced by
    /// one of the output size.
    @Test func replacesAnImageOfTheWrongSize() throws {
        let view = try CameraView()
        defer { view.close() }
        let frame = try TestFrames.gradient(width: 40, height: 30)
        var image = try RGBAImage(width: 8, height: 8)
        try view.render(frame, into: &image, options: .exact)
        #expect(image.size == PixelSize(width: 40, height: 30))
        #expect(image == (try view.render(frame, options: .exact)))
        image.pixels.removeLast(4)
        try view.render(frame, into: &image, options: .exact)
        #expect(image == (try view.render(frame, options: .exact)))
    }

    @Test func blankImagesRejectImpossibleSizes() {
        #expect(throws: CameraViewError.self) { try RGBAImage(width: 0, height: 4) }
        #expect(throws: CameraViewError.self) { try RGBAImage(width: Int.max / 2, height: 3) }
        #expect((try? RGBAImage(width: 2, height: 1))?.pixels == [UInt8](repeating: 0, count: 8))
    }
}
