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
            var options = RenderOptions(fit: FitMode.allCases.randomElement(using: &random)!, mirror: Bool.random(using: &random), filter: .nearest)
            var size: PixelSize?
            if Bool.random(using: &random) {
                size = PixelSize(width: Self.number(&random, small: 1...64), height: Self.number(&random, small: 1...64))
            }
            do {
                let image = try view.render(.memory(frame), size: size, options: options)
                // Outputs up to 512 per side are checked against the model (larger ones only
                // for getting here: the model is slow, and nearest upscales of thousands of
                // pixels per texel meet the interpolation limit above).
                if max(image.width, image.height) <= 512 {
                    let mismatches = ExactModel.mismatches(image, frame, options)
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

    @Test func dmaBufPlaneDescriptionsGiveATypedErrorOrARender() throws {
        var random = Generator(state: 0xD3AB_0F)
        let view = try CameraView()
        defer { view.close() }
        let file = try MemoryFile((0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        lseek(file.fd, 123, SEEK_SET)
        var (rejected, rendered) = (0, 0)
        for _ in 0..<2000 {
            func plane() -> DmaBufPlane {
                DmaBufPlane(fd: file.fd, offset: Self.number(&random, small: 0...5000), pitch: Self.number(&random, small: 0...80))
            }
            let frame = DmaBufFrame(
                width: Self.number(&random, small: 1...48), height: Self.number(&random, small: 1...40),
                luma: plane(), chroma: plane(), bufferIndex: Int.random(in: 0...3, using: &random))
            do {
                _ = try view.render(.dmaBuf(frame))
                rendered += 1
            } catch is CameraViewError {
                rejected += 1
            }
        }
        #expect(lseek(file.fd, 0, SEEK_CUR) == 123, "validation puts the caller's file offset back")
        #expect(rejected > 1000 && rendered > 20, "rejected \(rejected), rendered \(rendered)")
    }

    /// Frames of one or two rows pass validation with any pitch (only the last row must fit),
    /// so every edge pitch and offset meets the mapped upload: each is a typed error or a
    /// render, never an overflow trap (height 1, offset 1, pitch Int.max once trapped).
    @Test func fewRowFramesWithEdgePitchesAndOffsetsNeverTrap() throws {
        let view = try CameraView()
        defer { view.close() }
        let file = try MemoryFile([UInt8](repeating: 90, count: 256))
        var (rejected, rendered) = (0, 0)
        for height in [1, 2] {
            for pitch in Self.edges {
                for offset in Self.edges {
                    let plane = DmaBufPlane(fd: file.fd, offset: offset, pitch: pitch)
                    let chroma = DmaBufPlane(fd: file.fd, offset: 64, pitch: 8)
                    for frame in [DmaBufFrame(width: 8, height: height, luma: plane, chroma: chroma),
                                  DmaBufFrame(width: 8, height: height, luma: chroma, chroma: plane)] {
                        do {
                            _ = try view.render(.dmaBuf(frame))
                            rendered += 1
                        } catch is CameraViewError {
                            rejected += 1
                        }
                    }
                }
            }
        }
        #expect(rendered > 0 && rejected > 0, "rejected \(rejected), rendered \(rendered)")
    }
}

