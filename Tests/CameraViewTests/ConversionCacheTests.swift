@testable import CameraView
import CameraViewTesting
import Testing

/// A frame is uploaded and converted once, however often it is rendered: image targets keep
/// their conversion, host framebuffers and surfaces are copied from the view's display cache.
@Suite(.ledgerChecked) struct ConversionCacheTests {
    @Test func imageTargetsConvertAFrameOnce() throws {
        let view = try CameraView()
        defer { view.close() }
        let frame = try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
        let size = PixelSize(width: 40, height: 30)
        let first = try view.render(.memory(frame), size: size)
        let (conversions, uploaded) = (view.conversionCount, view.uploadedByteCount)
        #expect(try view.render(.memory(frame), size: size) == first)
        #expect(view.conversionCount == conversions && view.uploadedByteCount == uploaded, "the same frame again: nothing converted")

        // The same bytes in a new frame value are a new picture; so is another size or filter.
        let again = try NV12Frame(bytes: frame.withUnsafeBytes { [UInt8]($0) }, layout: frame.layout)
        #expect(try view.render(.memory(again), size: size) == first)
        #expect(view.conversionCount == conversions + 1 && view.uploadedByteCount == uploaded + frame.layout.bufferSize)
        let smaller = PixelSize(width: 32, height: 24)
        let nearest = try view.render(.memory(again), size: smaller, options: RenderOptions(filter: .nearest))
        _ = try view.render(.memory(again), size: smaller, options: RenderOptions(filter: .area))
        #expect(view.conversionCount == conversions + 3, "a new size, then a new filter")
        #expect(view.uploadedByteCount == uploaded + frame.layout.bufferSize, "uploaded once for all three")
        let comparison = try ImageComparison(
            actual: nearest, expected: ExactModel.render(again, size: smaller, options: RenderOptions(filter: .nearest)), tolerance: 1)
        #expect(comparison.passed, "\(comparison)")
    }

    /// A frame uploaded ahead of its render (what the C API's submit does with borrowed
    /// memory) renders from the view's textures; the frame without its bytes cannot be
    /// uploaded again once they are gone.
    @Test func anUploadedFrameRendersWithoutItsBytes() throws {
        let view = try CameraView()
        defer { view.close() }
        let frame = try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
        try view.upload(frame)
        let image = try view.render(.memory(frame.uploaded()), size: PixelSize(width: 32, height: 24))
        let comparison = try ImageComparison(
            actual: image, expected: ExactModel.renderArea(frame, size: PixelSize(width: 32, height: 24), options: RenderOptions()), tolerance: 1)
        #expect(comparison.passed, "\(comparison)")
        view.releaseFrameObjects()
        #expect(throws: CameraViewError.self) { try view.render(.memory(frame.uploaded()), size: PixelSize(width: 16, height: 12)) }
    }

    /// On a software rasterizer a nearest display conversion is drawn packed, 32 pixels a
    /// fragment, and read into the cache: exact against the model (within float precision
    /// on texel edges) at scaled, mirrored and letterboxed placements, outputs whose width is not whole texels, and both bar kinds.
    @Test func packedPlacedConversionsAreExact() throws {
        try HostContextTests.withHostedView(size: PixelSize(width: 140, height: 80)) { host, view in
            let frame = try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
            let cases: [(PixelRect, RenderOptions)] = [
                (PixelRect(x: 3, y: 5, width: 61, height: 37), RenderOptions(filter: .nearest)),
                (PixelRect(x: 0, y: 0, width: 137, height: 43), RenderOptions(fit: .contain, mirror: true, filter: .nearest)),
                (PixelRect(x: 10, y: 2, width: 90, height: 70), RenderOptions(fit: .cover, zoom: 1.5, filter: .nearest, letterbox: .transparent)),
                (PixelRect(x: 1, y: 1, width: 100, height: 30), RenderOptions(fit: .stretch, filter: .nearest)),
            ]
            for (viewport, options) in cases {
                try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: viewport), options: options)
                #expect(view.lastFrameTimings?.packed == (view.device.core.packsPlacedConversions), "\(viewport)")
                // Points on texel edges may fall either way (see `ExactModel.mismatches`).
                let drawn = HostContextTests.region(host.readPixels(), viewport)
                #expect(ExactModel.mismatches(drawn, frame, options) == 0, "\(viewport) \(options)")
            }
        }
    }

    /// A host redraw of the same frame copies the display cache, at any place in the
    /// framebuffer, pixel for pixel what a draw gives; untouched bars are drawn each time.
    @Test func hostRedrawsCopyTheDisplayCache() throws {
        try HostContextTests.withHostedView(size: PixelSize(width: 140, height: 80)) { host, view in
            let frame = try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
            let options = RenderOptions(filter: .nearest)
            let first = PixelRect(x: 4, y: 6, width: 64, height: 48)
            try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: first), options: options)
            let conversions = view.conversionCount
            let second = PixelRect(x: 70, y: 20, width: 64, height: 48)
            try view.render(.memory(frame), into: HostFramebuffer(framebuffer: host.framebuffer, viewport: second), options: options)
            #expect(view.conversionCount == conversions, "copied, not converted")
            let composed = host.readPixels()
            let expected = ExactModel.render(frame, size: second.size, options: options)
            for rect in [first, second] {
                let comparison = try ImageComparison(actual: HostContextTests.region(composed, rect), expected: expected, tolerance: 1)
                #expect(comparison.passed, "\(rect): \(comparison)")
            }

            let untouched = RenderOptions(filter: .nearest, letterbox: .untouched)
            let wide = HostFramebuffer(framebuffer: host.framebuffer, viewport: PixelRect(x: 0, y: 0, width: 120, height: 48))
            try view.render(.memory(frame), into: wide, options: untouched)
            try view.render(.memory(frame), into: wide, options: untouched)
            #expect(view.conversionCount == conversions + 2, "untouched bars: drawn, never copied over")
        }
    }
}
