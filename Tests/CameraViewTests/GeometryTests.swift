import CameraView
import Testing

/// Fit modes and mirroring, checked pixel by pixel against the exact model placed by
/// integer arithmetic (sizes chosen so every scale is exact).
@Suite(.ledgerChecked) struct GeometryTests {
    let frame: NV12Frame
    let model: RGBAImage

    init() throws {
        frame = try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))
        model = ExactModel.render(frame)
    }

    private static let black: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 255)

    @Test func containLetterboxesWithBlackBars() throws {
        // 64x48 into 128x128: scale 2, image 128x96, bars of 16 rows above and below.
        let image = try render(frame, size: PixelSize(width: 128, height: 128), options: RenderOptions(fit: .contain, filter: .nearest))
        expectPixels(image) { x, y in
            (16..<112).contains(y) ? model[x / 2, (y - 16) / 2] : Self.black
        }
    }

    @Test func containPillarboxesWithBlackBars() throws {
        // 64x48 into 96x24: scale 0.5, image 32x24, bars of 32 columns left and right.
        let image = try render(frame, size: PixelSize(width: 96, height: 24), options: RenderOptions(fit: .contain, filter: .nearest))
        expectPixels(image) { x, y in
            (32..<64).contains(x) ? model[(x - 32) * 2 + 1, y * 2 + 1] : Self.black
        }
    }

    @Test func coverCropsTheCentre() throws {
        // 64x48 into 48x48: scale 1, the centre 48 columns (8...55).
        let image = try render(frame, size: PixelSize(width: 48, height: 48), options: RenderOptions(fit: .cover, filter: .nearest))
        expectPixels(image) { x, y in model[x + 8, y] }
    }

    @Test func stretchScalesEachAxis() throws {
        let image = try render(frame, size: PixelSize(width: 128, height: 24), options: RenderOptions(fit: .stretch, filter: .nearest))
        expectPixels(image) { x, y in model[x / 2, y * 2 + 1] }
    }

    @Test func mirrorFlipsColumns() throws {
        let image = try render(frame, options: RenderOptions(mirror: true, filter: .nearest))
        expectPixels(image) { x, y in model[63 - x, y] }
    }

    @Test func mirrorComposesWithContain() throws {
        let image = try render(frame, size: PixelSize(width: 128, height: 128), options: RenderOptions(fit: .contain, mirror: true, filter: .nearest))
        expectPixels(image) { x, y in
            (16..<112).contains(y) ? model[63 - x / 2, (y - 16) / 2] : Self.black
        }
    }

    @Test func paddedLayoutsRenderLikeTightOnes() throws {
        let photo = try TestFrames.photo(width: 1928, height: 1208, color: .default)
        let venus = try TestFrames.relayout(photo, to: .venus(width: 1928, height: 1208))
        #expect(venus.layout.yStride == 2048 && venus.layout.uvOffset == 2048 * 1216)
        #expect(try render(venus) == render(photo))
    }
}

/// Tuples of four are not Equatable; this lets pixels compare with != and ==.
func != (lhs: (UInt8, UInt8, UInt8, UInt8), rhs: (UInt8, UInt8, UInt8, UInt8)) -> Bool { !(lhs == rhs) }
