import CameraView
import Foundation

/// ffmpeg's swscale with exact flags (nearest chroma, accurate rounding, bit-exact):
/// within 1 of the exact model on natural images, so an oracle made by other hands.
enum SwscaleOracle {
    static func convert(nv12File path: String, layout: NV12Layout, color: ColorDescription) throws -> RGBAImage {
        try convert(nv12File: path, layout: layout, color: color, flags: "neighbor", output: PixelSize(width: layout.width, height: layout.height))
    }

    /// Scaled to `output` with swscale's `flags` filter (plus accurate rounding, full
    /// chroma interpolation, bit-exact). This ffmpeg sites NV12 chroma at the centre.
    static func convert(nv12File path: String, layout: NV12Layout, color: ColorDescription, flags: String, output: PixelSize) throws -> RGBAImage {
        let range = color.range == .full ? "pc" : "tv"
        let result = try TestProcess.capture("/usr/bin/ffmpeg", [
            "-nostdin", "-v", "error", "-f", "rawvideo", "-pix_fmt", "nv12",
            "-s", "\(layout.width)x\(layout.height)", "-i", path,
            "-vf", "scale=\(output.width):\(output.height):flags=\(flags)+accurate_rnd+full_chroma_int+bitexact:in_color_matrix=\(color.matrix.rawValue):in_range=\(range):out_range=pc,format=rgba",
            "-f", "rawvideo", "-",
        ])
        guard result.status == 0 else { throw ProcessFailure(description: "ffmpeg: \(result.stderr)") }
        return try RGBAImage(width: output.width, height: output.height, pixels: [UInt8](result.stdout))
    }
}
