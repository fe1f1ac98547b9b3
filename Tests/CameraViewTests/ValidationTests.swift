import CameraView
import CameraViewStreams
import Foundation
import Testing

/// Bad input is a typed error before any GL call, and leaves no handle or fd behind.
@Suite(.ledgerChecked) struct ValidationTests {
    private func layoutError(_ make: () throws -> NV12Layout) -> CameraViewError? {
        do {
            _ = try make()
            return nil
        } catch {
            return error as? CameraViewError
        }
    }

    @Test func zeroSizes() {
        #expect(layoutError { try NV12Layout(width: 0, height: 10) } == .invalidFrame(.zeroSize(width: 0, height: 10)))
        #expect(layoutError { try NV12Layout(width: 10, height: 0) } == .invalidFrame(.zeroSize(width: 10, height: 0)))
        #expect(layoutError { try NV12Layout(width: -4, height: 10) } == .invalidFrame(.zeroSize(width: -4, height: 10)))
    }

    @Test func negativeFields() {
        #expect(layoutError { try NV12Layout(width: 4, height: 4, uvOffset: -1) } == .invalidFrame(.negative(field: "UV offset", value: -1)))
        #expect(layoutError { try NV12Layout(width: 4, height: 4, bufferSize: -8) } == .invalidFrame(.negative(field: "buffer size", value: -8)))
    }

    @Test func strideBelowWidth() {
        #expect(layoutError { try NV12Layout(width: 100, height: 10, yStride: 99) }
            == .invalidFrame(.strideTooSmall(plane: .luma, stride: 99, minimum: 100)))
        // An odd width needs ceil(w/2) U,V pairs per row: 102 bytes for 101 pixels.
        #expect(layoutError { try NV12Layout(width: 101, height: 10, yStride: 101, uvStride: 100) }
            == .invalidFrame(.strideTooSmall(plane: .chroma, stride: 100, minimum: 102)))
        #expect(layoutError { try NV12Layout(width: 100, height: 10, yStride: 128, uvStride: 129) }
            == .invalidFrame(.oddChromaStride(129)))
    }

    @Test func chromaOverlappingLuma() {
        // Y ends at 9 * 128 + 100 = 1252.
        #expect(layoutError { try NV12Layout(width: 100, height: 10, yStride: 128, uvOffset: 1251) }
            == .invalidFrame(.chromaOverlapsLuma(uvOffset: 1251, lumaEnd: 1252)))
        #expect(layoutError { try NV12Layout(width: 100, height: 10, yStride: 128, uvOffset: 1252) } == nil)
    }

    @Test func planesPastTheBuffer() {
        #expect(layoutError { try NV12Layout(width: 100, height: 10, bufferSize: 999) }
            == .invalidFrame(.planeOutOfBounds(plane: .luma, end: 1000, bufferSize: 999)))
        // UV: offset 1000, 4 full rows of 100 and a last row of 100 bytes -> ends at 1500.
        #expect(layoutError { try NV12Layout(width: 100, height: 10, bufferSize: 1499) }
            == .invalidFrame(.planeOutOfBounds(plane: .chroma, end: 1500, bufferSize: 1499)))
        #expect(layoutError { try NV12Layout(width: 100, height: 10, bufferSize: 1500) } == nil)
    }

    @Test func arithmeticOverflow() {
        #expect(layoutError { try NV12Layout(width: Int.max / 2, height: 4) } == .invalidFrame(.arithmeticOverflow(field: "UV offset")))
        #expect(layoutError { try NV12Layout(width: 4, height: 4, uvOffset: Int.max - 4) } == .invalidFrame(.arithmeticOverflow(field: "UV plane")))
    }

    @Test func bytesShorterThanTheLayout() throws {
        let layout = try NV12Layout(width: 16, height: 16)
        #expect(throws: CameraViewError.invalidFrame(.bufferShorterThanLayout(bytes: 383, bufferSize: 384))) {
            try NV12Frame(bytes: [UInt8](repeating: 0, count: 383), layout: layout)
        }
    }

    @Test func missingOrShortFilesCloseTheirFD() async {
        // In a process of its own: it counts process-wide fds, handles or device references.
        await #expect(processExitsWith: .success) {
            try await LedgerChecks.inChild {
                let fdsBefore = OpenFDs.current
                let layout = try NV12Layout(width: 640, height: 480)
                #expect(throws: CameraViewError.io(operation: "open", path: "/nonexistent.nv12", errno: ENOENT)) {
                    try NV12Frame(contentsOf: "/nonexistent.nv12", layout: layout)
                }
                let short = TestPaths.scratch + "/short-\(UUID().uuidString).nv12"
                #expect(FileManager.default.createFile(atPath: short, contents: Data(count: 1000)))
                defer { try? FileManager.default.removeItem(atPath: short) }
                #expect(throws: CameraViewError.invalidFrame(.bufferShorterThanLayout(bytes: 1000, bufferSize: 460_800))) {
                    try NV12Frame(contentsOf: short, layout: layout)
                }
                #expect(OpenFDs.opened(since: fdsBefore).isEmpty)
            }
        }
    }

    @Test func mappedFileFrameRendersLikeItsBytes() throws {
        let path = TestPaths.packageRoot + "/fixtures/astronaut-640x480.nv12"
        let layout = try NV12Layout(width: 640, height: 480)
        let mapped = try NV12Frame(contentsOf: path, layout: layout)
        let copied = try NV12Frame(bytes: [UInt8](FileManager.default.contents(atPath: path)!), layout: layout)
        #expect(try render(mapped) == render(copied))
    }

    @Test func invalidOutputSizesLeaveNoNewObjects() throws {
        let view = try CameraView()
        defer { view.close() }
        let before = view.handles.records
        let frame = try TestFrames.gradient(width: 16, height: 16)
        #expect(throws: CameraViewError.invalidOutputSize(width: 0, height: 10)) {
            try view.render(.memory(frame), size: PixelSize(width: 0, height: 10), options: RenderOptions())
        }
        let limit = min(view.device.info.maxTextureSize, view.device.info.maxRenderbufferSize)
        #expect(throws: CameraViewError.exceedsDeviceLimit(width: limit + 1, height: 8, limit: limit)) {
            try view.render(.memory(frame), size: PixelSize(width: limit + 1, height: 8), options: RenderOptions())
        }
        let tallLayout = try NV12Layout(width: 2, height: limit + 1)
        let tall = try NV12Frame(bytes: [UInt8](repeating: 0, count: tallLayout.bufferSize), layout: tallLayout)
        #expect(throws: CameraViewError.exceedsDeviceLimit(width: 2, height: limit + 1, limit: limit)) {
            try view.render(.memory(tall))
        }
        #expect(view.handles.records == before)
    }

    @Test func anUnavailablePlatformIsATypedErrorNamingWhy() throws {
        guard !FileManager.default.fileExists(atPath: "/dev/dri") else {
            // With a DRM node GBM may open; the error path is then covered by the VM suite.
            #expect(throws: Never.self) { try RenderDevice.open(platform: .gbm).close() }
            return
        }
        #expect(throws: CameraViewError.noUsablePlatform([PlatformAttempt(platform: .gbm, reason: "no DRM node in /dev/dri")])) {
            try RenderDevice.open(platform: .gbm)
        }
    }

    /// Camera configurations that V4L2's 32-bit fields cannot hold are typed errors when the
    /// source is made, before any device is touched (they used to trap in a conversion).
    @Test func cameraConfigurationsOutOfRangeAreTypedErrors() throws {
        let bad: [V4L2Source.Configuration] = [
            .init(device: "/dev/video0", size: PixelSize(width: -640, height: 480), buffers: .exported),
            .init(device: "/dev/video0", size: PixelSize(width: Int.max, height: 480), buffers: .exported),
            .init(device: "/dev/video0", size: PixelSize(width: 640, height: 0), buffers: .exported),
            .init(device: "/dev/video0", fps: 0, buffers: .exported),
            .init(device: "/dev/video0", fps: -30, buffers: .exported),
            .init(device: "/dev/video0", fps: Int.max, buffers: .exported),
            .init(device: "/dev/video0", buffers: .exported, bufferCount: 0),
            .init(device: "/dev/video0", buffers: .exported, bufferCount: -1),
            .init(device: "/dev/video0", buffers: .exported, bufferCount: Int.max),
        ]
        for configuration in bad {
            #expect {
                _ = try V4L2Source(configuration: configuration)
            } throws: { error in
                guard case .camera(let device, _) = error as? CameraViewError else { return false }
                return device == "/dev/video0"
            }
        }
    }
}
