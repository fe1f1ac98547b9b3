import CameraView
import Foundation
import Glibc

/// NV12 test content: synthetic patterns and a real photograph.
enum TestFrames {
    /// Y ramps left to right, U top to bottom, V left to right across chroma: every
    /// region of code space, including out-of-gamut corners that must clamp.
    static func gradient(width: Int, height: Int, color: ColorDescription = .default) throws -> NV12Frame {
        let layout = try NV12Layout(width: width, height: height)
        var bytes = [UInt8](repeating: 0, count: layout.bufferSize)
        for row in 0..<height {
            for column in 0..<width {
                bytes[row * layout.yStride + column] = UInt8(column * 255 / max(width - 1, 1))
            }
        }
        for row in 0..<layout.size.chroma.height {
            for column in 0..<layout.size.chroma.width {
                let index = layout.uvOffset + row * layout.uvStride + column * 2
                bytes[index] = UInt8(row * 255 / max(layout.size.chroma.height - 1, 1))
                bytes[index + 1] = UInt8((column * 255 / max(layout.size.chroma.width - 1, 1) + row * 7) % 256)
            }
        }
        return try NV12Frame(bytes: bytes, layout: layout, color: color)
    }

    /// Uniform random bytes from a fixed seed, padding included.
    static func noise(layout: NV12Layout, seed: UInt64 = 0x9E37_79B9_7F4A_7C15, color: ColorDescription = .default) throws -> NV12Frame {
        var state = seed
        let bytes = (0..<layout.bufferSize).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        return try NV12Frame(bytes: bytes, layout: layout, color: color)
    }

    /// The astronaut photograph (fixtures/astronaut.png) scaled and converted to NV12 by
    /// ffmpeg (scripts/make-nv12) with the frame's own matrix and range.
    static func photo(width: Int, height: Int, color: ColorDescription) throws -> NV12Frame {
        let path = try photoFile(width: width, height: height, color: color)
        return try NV12Frame(contentsOf: path, layout: try NV12Layout(width: width, height: height), color: color)
    }

    static func photoFile(width: Int, height: Int, color: ColorDescription) throws -> String {
        let path = TestPaths.scratch + "/astronaut-\(width)x\(height)-\(color.matrix)-\(color.range).nv12"
        if !FileManager.default.fileExists(atPath: path) {
            let temporary = path + ".\(UUID().uuidString)"
            try TestProcess.run(TestPaths.packageRoot + "/scripts/make-nv12", [
                TestPaths.packageRoot + "/fixtures/astronaut.png", "\(width)", "\(height)",
                color.matrix.rawValue, color.range.rawValue, temporary,
            ])
            // rename(2) replaces atomically: tests running in parallel may make the same
            // file at once, and each makes the same bytes.
            guard rename(temporary, path) == 0 else { throw ProcessFailure(description: "rename \(temporary): \(errno)") }
        }
        return path
    }

    /// The same frame's pixels copied into another layout (padding filled with 0xEE, so
    /// a renderer that reads padding shows it).
    static func relayout(_ frame: NV12Frame, to layout: NV12Layout) throws -> NV12Frame {
        let source = frame.layout
        var bytes = [UInt8](repeating: 0xEE, count: layout.bufferSize)
        frame.withOwnBytes { from in
            for row in 0..<source.height {
                for column in 0..<source.width {
                    bytes[row * layout.yStride + column] = from[row * source.yStride + column]
                }
            }
            for row in 0..<source.size.chroma.height {
                for byte in 0..<(source.size.chroma.width * 2) {
                    bytes[layout.uvOffset + row * layout.uvStride + byte] = from[source.uvOffset + row * source.uvStride + byte]
                }
            }
        }
        return try NV12Frame(bytes: bytes, layout: layout, color: frame.color)
    }
}

extension NV12Frame {
    /// The bytes of a frame the test made itself (an array or a file: never a shared
    /// buffer, so the read has no lease to lose and no trailer to check, and cannot throw).
    func withOwnBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        do {
            return try withUnsafeBytes(body)
        } catch {
            fatalError("a test's own frame cannot be stale or torn: \(error)")
        }
    }
}
