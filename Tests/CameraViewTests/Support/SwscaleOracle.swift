import CameraView
import Foundation

/// ffmpeg's swscale with exact flags (nearest chroma, accurate rounding, bit-exact):
/// within 1 of the exact model on natural images, so an oracle made by other hands.
enum SwscaleOracle {
    static func convert(nv12File path: String, layout: NV12Layout, color: ColorDescription) throws -> RGBAImage {
        let range = color.range == .full ? "pc" : "tv"
        let output = try TestProcess.capture("/usr/bin/ffmpeg", [
            "-nostdin", "-v", "error", "-f", "rawvideo", "-pix_fmt", "nv12",
            "-s", "\(layout.width)x\(layout.height)", "-i", path,
            "-vf", "scale=flags=neighbor+accurate_rnd+full_chroma_int+bitexact:in_color_matrix=\(color.matrix.rawValue):in_range=\(range):out_range=pc,format=rgba",
            "-f", "rawvideo", "-",
        ])
        guard output.status == 0 else { throw ProcessFailure(description: "ffmpeg: \(output.stderr)") }
        return try RGBAImage(width: layout.width, height: layout.height, pixels: [UInt8](output.stdout))
    }
}
