import CameraView
import CameraViewTesting
import Foundation
import Testing

/// The camview binary, as outside scripts call it.
@Suite(.ledgerChecked) struct CLITests {
    let fixture = TestPaths.packageRoot + "/fixtures/astronaut-640x480.nv12"

    private func temporary(_ name: String) -> String {
        TestPaths.scratch + "/cli-\(UUID().uuidString)-\(name)"
    }

    @Test func renderWritesAPNGEqualToTheLibrary() throws {
        let output = temporary("out.png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try TestProcess.capture(TestPaths.camview, [
            "render", "--input", fixture, "--width", "640", "--height", "480",
            "--output-size", "320x320", "--fit", "contain", "--mirror", "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let frame = try NV12Frame(contentsOf: fixture, layout: NV12Layout(width: 640, height: 480))
        let expected = try render(frame, size: PixelSize(width: 320, height: 320), options: RenderOptions(mirror: true))
        #expect(try PNGCodec.read(from: output) == expected)
    }

    @Test func renderTakesTheFilterAndTheChromaLocation() throws {
        let output = temporary("bilinear.png")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try TestProcess.capture(TestPaths.camview, [
            "render", "--input", fixture, "--width", "640", "--height", "480", "--output-size", "800x600",
            "--filter", "bilinear", "--chroma-location", "center", "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let frame = try NV12Frame(
            contentsOf: fixture, layout: NV12Layout(width: 640, height: 480), color: ColorDescription(chromaLocation: .center))
        let expected = ExactModel.renderBilinear(frame, size: PixelSize(width: 800, height: 600), options: RenderOptions(filter: .bilinear))
        let comparison = try ImageComparison(actual: PNGCodec.read(from: output), expected: expected, tolerance: 1)
        #expect(comparison.maxError <= 1 && Double(comparison.differingPixels) <= Double(comparison.pixelCount) * 0.001, "\(comparison)")
    }

    @Test func renderWritesRawRGBAWithMatrixAndRange() throws {
        let output = temporary("out.rgba")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try TestProcess.capture(TestPaths.camview, [
            "render", "--input", fixture, "--width", "640", "--height", "480",
            "--matrix", "bt709", "--range", "limited", "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let frame = try NV12Frame(contentsOf: fixture, layout: NV12Layout(width: 640, height: 480), color: .init(matrix: .bt709, range: .limited))
        let raw = try #require(FileManager.default.contents(atPath: output))
        // The default filter at 1:1: exact luma, chroma interpolated at its (left) siting.
        let expected = ExactModel.renderBilinear(frame, options: RenderOptions(filter: .bilinear))
        let difference = try ImageComparison(actual: RGBAImage(width: 640, height: 480, pixels: [UInt8](raw)), expected: expected, tolerance: 1)
        #expect(difference.differingPixels == 0, "\(difference)")
    }

    @Test func strideAndUVOffsetDescribePaddedFiles() throws {
        let photo = try TestFrames.photo(width: 1928, height: 1208, color: .default)
        let venus = try TestFrames.relayout(photo, to: .venus(width: 1928, height: 1208))
        let input = temporary("venus.nv12"), output = temporary("venus.png")
        defer { [input, output].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        #expect(venus.withOwnBytes { FileManager.default.createFile(atPath: input, contents: Data($0)) })
        let result = try TestProcess.capture(TestPaths.camview, [
            "render", "--input", input, "--width", "1928", "--height", "1208",
            "--stride", "2048", "--uv-offset", "\(2048 * 1216)", "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try PNGCodec.read(from: output) == render(photo))
    }

    @Test(arguments: [
        (["--stride", "100"], "Y stride 100 is less than the row's 640 bytes"),
        (["--uv-offset", "1"], "UV offset 1 lies inside the Y plane"),
        (["--uv-offset", "400000"], "UV plane ends at byte 553600, past the 460800-byte buffer"),
        (["--stride", "9223372036854775807"], "UV stride overflows"),
        (["--output-size", "100000x10"], "100000x10 exceeds the device limit"),
    ])
    func badLayoutsFailWithOneLineAndNoOutput(extra: [String], message: String) throws {
        let output = temporary("bad.png")
        let result = try TestProcess.capture(TestPaths.camview, [
            "render", "--input", fixture, "--width", "640", "--height", "480", "--output", output,
        ] + extra)
        #expect(result.status == 1)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// Sizes far past the device limit are refused before a frame of that size exists.
    @Test(arguments: [["leakcheck", "--iterations", "1", "--size", "100000x100000"]])
    func hugeSizesAreRefusedBeforeAllocating(arguments: [String]) throws {
        let result = try TestProcess.capture(TestPaths.camview, arguments)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("camview: error: 100000x100000 exceeds the device limit of "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test(arguments: [["render", "--width", "4"], ["render", "--input", "x.nv12", "--width", "four", "--height", "4", "--output", "x.png"], ["nonsense"]])
    func usageErrorsAreOneLineAndExitTwo(arguments: [String]) throws {
        let result = try TestProcess.capture(TestPaths.camview, arguments)
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("camview: "), "\(result.stderr)")
    }

    @Test func unknownPlatformIsReported() throws {
        let result = try TestProcess.capture(TestPaths.camview, ["info"], environment: ["CAMERAVIEW_PLATFORM": "vulkan"])
        #expect(result.status == 1)
        #expect(result.stderr == "camview: error: unknown platform 'vulkan' (expected one of: gbm, surfaceless, device)\n")
    }

    @Test func infoJSONDescribesTheDevice() throws {
        let result = try TestProcess.capture(TestPaths.camview, ["info", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        for key in ["platform", "eglVendor", "eglVersion", "glRenderer", "glVersion", "eglExtensions", "glExtensions", "dmaBufImport"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect((json["glVersion"] as? String)?.hasPrefix("OpenGL ES 3") == true)
        let extensions = json["eglExtensions"] as? [String] ?? []
        #expect(json["dmaBufImport"] as? Bool == extensions.contains("EGL_EXT_image_dma_buf_import"))
    }

    @Test func playRendersASequenceToNumberedPNGs() throws {
        let frames = [try TestFrames.gradient(width: 64, height: 48), try TestFrames.noise(layout: NV12Layout(width: 64, height: 48))]
        let input = temporary("sequence.nv12"), folder = temporary("frames")
        defer { [input, folder].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        #expect(FileManager.default.createFile(atPath: input, contents: Data(frames.flatMap { frame in frame.withOwnBytes { [UInt8]($0) } })))
        let result = try TestProcess.capture(TestPaths.camview, [
            "play", "--input", input, "--width", "64", "--height", "48", "--frames", "5",
            "--output-dir", folder, "--output-size", "32x32", "--fit", "cover",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "rendered 2 frames (the file holds 2)")
        #expect(lines.last?.hasPrefix("average ") == true && lines.last?.hasSuffix(" fps") == true)
        for (index, frame) in frames.enumerated() {
            let expected = try render(frame, size: PixelSize(width: 32, height: 32), options: RenderOptions(fit: .cover))
            #expect(try PNGCodec.read(from: folder + String(format: "/frame-%05d.png", index)) == expected)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 2)
    }

    /// camview itself runs on the system malloc and loads no CPU peer: the interposer and
    /// libyuv/swscale are camview-bench's alone (Benchmarks/, checked there).
    @Test func camviewLinksNeitherTheInterposerNorThePeers() throws {
        let result = try TestProcess.capture("/usr/bin/readelf", ["-d", TestPaths.camview])
        let needed = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").filter { $0.contains("(NEEDED)") }.joined(separator: "\n")
        #expect(needed.contains("libEGL"), "the check reads camview's needed libraries: \(needed)")
        for library in ["libMallocInterposer", "libyuv", "libswscale", "libavutil"] {
            #expect(!needed.contains(library), "camview needs \(library)")
        }
    }
}
