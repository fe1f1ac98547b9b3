import CameraView
import CPeerConverters
import Dispatch

/// The CPU converters users would pick instead, run on the same frame, on one thread or
/// with the frame's rows split into bands across `threads` threads (bands start on even
/// rows, so each has whole chroma rows): libyuv with the frame's own matrix and range,
/// and swscale with exact flags (the colour oracle) or its default flags.
enum PeerConverters {
    /// libyuv's NV12ToABGRMatrix (RGBA bytes in memory) with JPEG (BT.601 full), I601,
    /// F709 or H709 constants, as the frame says.
    static func libyuv(_ frame: NV12Frame, into output: inout [UInt8], threads: Int = 1) throws {
        let layout = frame.layout
        let (bt709, full) = (Int32(frame.color.matrix == .bt709 ? 1 : 0), Int32(frame.color.range == .full ? 1 : 0))
        try frame.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            output.withUnsafeMutableBufferPointer { out in
                let rgba = out.baseAddress!
                bands(bandSpans(height: layout.height, threads: threads)) { _, start, rows in
                    _ = cv_NV12ToABGR(base + start * layout.yStride, Int32(layout.yStride),
                                      base + layout.uvOffset + start / 2 * layout.uvStride, Int32(layout.uvStride),
                                      rgba + start * layout.width * 4, Int32(layout.width * 4),
                                      Int32(layout.width), Int32(rows), bt709, full)
                }
            }
        }
    }

    /// Runs `body(band, firstRow, rows)` for each span, all at once on as many threads.
    static func bands(_ spans: [(start: Int, rows: Int)], _ body: (Int, Int, Int) -> Void) {
        if spans.count == 1 { return body(0, spans[0].start, spans[0].rows) }
        withoutActuallyEscaping(body) { body in
            // The bands read shared input and write disjoint rows: no data is shared mutably.
            let concurrent = unsafeBitCast(body, to: (@Sendable (Int, Int, Int) -> Void).self)
            DispatchQueue.concurrentPerform(iterations: spans.count) { concurrent($0, spans[$0].start, spans[$0].rows) }
        }
    }

    /// `threads` bands of about equal height, each starting on an even row.
    static func bandSpans(height: Int, threads: Int) -> [(start: Int, rows: Int)] {
        let count = max(1, min(threads, height / 2))
        let starts = (0...count).map { min(height, ($0 * height / count) & ~1) }
        return (0..<count).map { (starts[$0], ($0 == count - 1 ? height : starts[$0 + 1]) - starts[$0]) }
    }

    /// swscale contexts for the frame's size and colour description, one per band.
    final class Swscale {
        private let contexts: [OpaquePointer]
        private let spans: [(start: Int, rows: Int)]
        let layout: NV12Layout

        init(layout: NV12Layout, color: ColorDescription, flags: Int32, threads: Int = 1) throws {
            spans = PeerConverters.bandSpans(height: layout.height, threads: threads)
            contexts = try spans.map { span in
                guard let context = sws_getContext(
                    Int32(layout.width), Int32(span.rows), AV_PIX_FMT_NV12,
                    Int32(layout.width), Int32(span.rows), AV_PIX_FMT_RGBA, flags, nil, nil, nil)
                else { throw CameraViewError.io(operation: "sws_getContext", path: "\(layout.width)x\(span.rows)", errno: 0) }
                let coefficients = sws_getCoefficients(color.matrix == .bt601 ? SWS_CS_ITU601 : SWS_CS_ITU709)
                _ = sws_setColorspaceDetails(context, coefficients, color.range == .full ? 1 : 0,
                                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
                return context
            }
            self.layout = layout
        }

        deinit { contexts.forEach { sws_freeContext($0) } }

        func convert(_ frame: NV12Frame, into output: inout [UInt8]) throws {
            try frame.withUnsafeBytes { bytes in
                let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                output.withUnsafeMutableBufferPointer { out in
                    let rgba = out.baseAddress!
                    PeerConverters.bands(spans) { band, start, rows in
                        var sources: [UnsafePointer<UInt8>?] = [
                            base + start * self.layout.yStride, base + self.layout.uvOffset + start / 2 * self.layout.uvStride, nil, nil,
                        ]
                        var sourceStrides: [Int32] = [Int32(self.layout.yStride), Int32(self.layout.uvStride), 0, 0]
                        var destinations: [UnsafeMutablePointer<UInt8>?] = [rgba + start * self.layout.width * 4, nil, nil, nil]
                        var destinationStrides: [Int32] = [Int32(self.layout.width * 4), 0, 0, 0]
                        _ = sws_scale(self.contexts[band], &sources, &sourceStrides, 0, Int32(rows), &destinations, &destinationStrides)
                    }
                }
            }
        }
    }
}
