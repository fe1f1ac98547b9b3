import CameraView
import Foundation
import Testing

@Suite(.ledgerChecked) struct OutputTests {
    @Test func pngRoundTripsExactly() throws {
        let image = ExactModel.render(try TestFrames.noise(layout: NV12Layout(width: 37, height: 21)))
        let path = TestPaths.scratch + "/roundtrip-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGCodec.write(image, to: path)
        #expect(try PNGCodec.read(from: path) == image)
    }

    /// libpng writes what ffmpeg (a separate decoder) reads back identically.
    @Test func pngIsReadableByFFmpeg() throws {
        let image = ExactModel.render(try TestFrames.gradient(width: 40, height: 30))
        let path = TestPaths.scratch + "/ffmpeg-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGCodec.write(image, to: path)
        let decoded = try TestProcess.capture("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgba", "-"])
        #expect([UInt8](decoded.stdout) == image.pixels)
    }

    @Test func unreadablePNGIsATypedError() throws {
        let path = TestPaths.scratch + "/not-a-png-\(UUID().uuidString).png"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("hello".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try PNGCodec.read(from: path)
        } throws: { error in
            if case .png(path, _) = error as? CameraViewError { return true }
            return false
        }
    }

    @Test func failedWritesLeaveNoFile() throws {
        let image = try RGBAImage(width: 1, height: 1, pixels: [1, 2, 3, 4])
        let folder = TestPaths.scratch + "/nofolder-\(UUID().uuidString)"
        #expect(throws: CameraViewError.self) { try PNGCodec.write(image, to: folder + "/out.png") }
        #expect(throws: CameraViewError.self) { try image.writeRaw(to: folder + "/out.rgba") }
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    @Test func imagesRejectMismatchedPixels() {
        #expect(throws: CameraViewError.invalidImage(width: 2, height: 2, byteCount: 15)) {
            try RGBAImage(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 15))
        }
    }
}
