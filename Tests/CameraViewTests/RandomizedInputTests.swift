import CameraView
import CameraViewTesting
import Foundation
import Testing

/// Bad input never traps: layouts, dma-buf plane descriptions and render options drawn
/// from the numbers that break arithmetic (zero, negative, one, odd, `Int.max`-adjacent,
/// strides and offsets past the buffer) either give a typed error or render correctly.
/// A trap would kill the test process; leaked objects fail the suite's ledger check.
@Suite(.ledgerChecked) struct RandomizedInputTests {
    /// SplitMix64: the same sequence on every run, so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let edges = [0, -1, 1, 2, 3, 7, 8, 31, 64, 127, 4096, Int.max, Int.max - 1, Int.max / 2, Int.max / 2 + 1,
                        Int.min, Int.min + 1, 1 << 31, (1 << 31) - 1, 1 << 32, 16384, 16385]

    static func number(_ random: inout Generator, small: ClosedRange<Int>) -> Int {
        random.next() % 3 == 0 ? edges.randomElement(using: &random)! : Int.random(in: small, using: &random)
    }

    static func optional(_ random: inout Generator, small: ClosedRange<Int>) -> Int? {
        random.next() % 3 == 0 ? nil : number(&random, small: small)
    }

    @Test func layoutsAndOptionsGiveATypedErrorOrACorrectRender() throws {
        var random = Generator(state: 0xC0FFEE)
        let view = try CameraView()
        defer { view.close() }
        var (rejected, rendered, refused) = (0, 0, 0)
        for _ in 0..<3000 {
            let width = Self.number(&random, small: 1...48), height = Self.number(&random, small: 1...40)
            let layout: NV12Layout
            do {
                layout = try NV12Layout(
                    width: width, height: height, yStride: Self.optional(&random, small: 0...64),
                    uvOffset: Self.optional(&random, small: 0...4000), uvStride: Self.optional(&random, small: 0...64),
                    bufferSize: Self.optional(&random, small: 0...6000))
            } catch {
                rejected += 1
                continue
            }
            // Valid layouts of sane size render; their bytes are the caller's allocation.
            guard layout.bufferSize <= 1 << 20 else { continue }
            let bytes = (0..<layout.bufferSize).map { _ in UInt8.random(in: 0...255, using: &random) }
            let frame = try NV12Frame(bytes: bytes, layout: layout)
            var options = RenderOptions(fit: FitMode.allCases.randomElement(using: &random)!, mirror: Bool.random(using: &random))
            if Bool.random(using: &random) {
                options.outputSize = PixelSize(width: Self.number(&random, small: 1...64), height: Self.number(&random, small: 1...64))
            }
            do {
                let image = try view.render(frame, options: options)
                // Outputs up to 512 per side are checked against the model (larger ones only
                // for getting here: the model is slow, and nearest upscales of thousands of
                // pixels per texel meet the interpolation limit above).
                if max(image.width, image.height) <= 512 {
                    let mismatches = Self.mismatches(image, frame, options)
                    #expect(mismatches == 0, "\(layout) \(options): \(mismatches) pixels match no sample point near theirs")
                }
                rendered += 1
            } catch let error as CameraViewError {
                switch error {
                case .invalidOutputSize, .exceedsDeviceLimit, .invalidFrame(.strideTooLarge): refused += 1
                default: Issue.record("\(layout) \(options): unexpected \(error)")
                }
            }
        }
        #expect(rejected > 1000 && rendered > 200 && refused > 20, "rejected \(rejected), rendered \(rendered), refused \(refused)")
    }

    /// The fuzzer's seed inputs (one of which trapped before overflow checks) replay
    /// cleanly through its entry point.
    @Test func fuzzCorpusReplaysWithoutATrap() throws {
        let result = try TestProcess.capture(TestPaths.product("camview-fuzz"), [TestPaths.packageRoot + "/fuzz/corpus"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(String(decoding: result.stdout, as: UTF8.self).hasPrefix("replayed 10 inputs"))
    }

    /// Pixels within 1 of neither the exact model nor the model with its sample points
    /// nudged by a little: scaling by odd ratios puts some points on texel edges, where the
    /// GPU's interpolation and the model's double may fall to either side. llvmpipe's
    /// interpolated frame position is off by up to ~2e-4 of its value (measured: 17 px
    /// stretched to 4096, the centre of pixel 1204 maps to texel 4.99915 and samples texel
    /// 5), so the nudge grows with the output: 0.001 px plus 1e-4 of its larger side.
    static func mismatches(_ image: RGBAImage, _ frame: NV12Frame, _ options: RenderOptions) -> Int {
        func differing(_ model: RGBAImage) -> [Int] {
            guard model.size == image.size else { return Array(0..<image.width * image.height) }
            return (0..<image.width * image.height).filter { pixel in
                (0..<4).contains { abs(Int(model.pixels[pixel * 4 + $0]) - Int(image.pixels[pixel * 4 + $0])) > 1 }
            }
        }
        var left = Set(differing(ExactModel.render(frame, options: options)))
        let e = 1e-3 + 1e-4 * Double(max(image.width, image.height))
        for nudge in [(-e, 0), (e, 0), (0, -e), (0, e), (-e, -e), (e, e), (-e, e), (e, -e)] where !left.isEmpty {
            left.formIntersection(differing(ExactModel.render(frame, options: options, nudge: nudge)))
        }
        return left.count
    }

    @Test func dmaBufPlaneDescriptionsGiveATypedErrorOrARender() throws {
        var random = Generator(state: 0xD3AB_0F)
        let view = try CameraView()
        defer { view.close() }
        let file = try MemoryFile((0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        var (rejected, rendered) = (0, 0)
        for _ in 0..<2000 {
            func plane() -> DmaBufPlane {
                DmaBufPlane(fd: file.fd, offset: Self.number(&random, small: 0...5000), pitch: Self.number(&random, small: 0...80))
            }
            let frame = DmaBufFrame(
                width: Self.number(&random, small: 1...48), height: Self.number(&random, small: 1...40),
                luma: plane(), chroma: plane(), bufferIndex: Int.random(in: 0...3, using: &random))
            do {
                _ = try view.render(frame)
                rendered += 1
            } catch is CameraViewError {
                rejected += 1
            }
        }
        #expect(lseek(file.fd, 0, SEEK_CUR) == 5000, "validation puts the caller's file offset back")
        #expect(rejected > 1000 && rendered > 20, "rejected \(rejected), rendered \(rendered)")
    }
}

