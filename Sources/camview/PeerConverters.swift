import CameraView
import CPeerConverters

/// The CPU converters users would pick instead, run on the same frame: libyuv (single
/// threaded by nature) and swscale with exact flags (nearest chroma, accurate rounding,
/// full chroma interpolation, bit-exact; one thread).
enum PeerConverters {
    /// libyuv's NV12ToABGR (RGBA bytes in memory). It knows only BT.601 limited range.
    static func libyuv(_ frame: NV12Frame, into output: inout [UInt8]) {
        let layout = frame.layout
        frame.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            output.withUnsafeMutableBufferPointer { out in
                _ = NV12ToABGR(base, Int32(layout.yStride), base + layout.uvOffset, Int32(layout.uvStride),
                               out.baseAddress, Int32(layout.width * 4), Int32(layout.width), Int32(layout.height))
            }
        }
    }

    /// A swscale context for the frame's size and colour description.
    final class Swscale {
        private let context: OpaquePointer
        let layout: NV12Layout

        init(layout: NV12Layout, color: ColorDescription) throws {
            guard let context = sws_getContext(
                Int32(layout.width), Int32(layout.height), AV_PIX_FMT_NV12,
                Int32(layout.width), Int32(layout.height), AV_PIX_FMT_RGBA, cv_SWS_EXACT, nil, nil, nil)
            else { throw CameraViewError.io(operation: "sws_getContext", path: "\(layout.width)x\(layout.height)", errno: 0) }
            let coefficients = sws_getCoefficients(color.matrix == .bt601 ? SWS_CS_ITU601 : SWS_CS_ITU709)
            _ = sws_setColorspaceDetails(context, coefficients, color.range == .full ? 1 : 0,
                                         sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
            self.context = context
            self.layout = layout
        }

        deinit { sws_freeContext(context) }

        func convert(_ frame: NV12Frame, into output: inout [UInt8]) {
            frame.withUnsafeBytes { bytes in
                let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                output.withUnsafeMutableBufferPointer { out in
                    var sources: [UnsafePointer<UInt8>?] = [base, base + layout.uvOffset, nil, nil]
                    var sourceStrides: [Int32] = [Int32(layout.yStride), Int32(layout.uvStride), 0, 0]
                    var destinations: [UnsafeMutablePointer<UInt8>?] = [out.baseAddress, nil, nil, nil]
                    var destinationStrides: [Int32] = [Int32(layout.width * 4), 0, 0, 0]
                    _ = sws_scale(context, &sources, &sourceStrides, 0, Int32(layout.height), &destinations, &destinationStrides)
                }
            }
        }
    }
}
