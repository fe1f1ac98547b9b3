import CameraView
import Foundation
import Glibc

/// libFuzzer's entry point: frame layouts, dma-buf plane descriptions and PNG files built
/// from the input's bytes must give a typed error or a value that keeps its promises —
/// never a trap, an out-of-bounds read or a leaked fd. Built with
/// `-sanitize=fuzzer,address -DFUZZING` by scripts/fuzz; built normally it replays files.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(bytes: UnsafeRawBufferPointer(start: data, count: size))
    switch input.byte() % 3 {
    case 0: FrameInputFuzzer.layout(&input)
    case 1: FrameInputFuzzer.dmaBuf(&input)
    default: FrameInputFuzzer.png(input.rest)
    }
    return 0
}

enum FrameInputFuzzer {
    /// A layout from six numbers (each may be left to its default): a valid one must hold
    /// its planes inside its buffer, and a frame over that many bytes must be accepted.
    static func layout(_ input: inout FuzzInput) {
        let defaults = input.byte()
        let numbers = (0..<6).map { index in defaults & (1 << index) == 0 ? input.int() : nil }
        guard let layout = try? NV12Layout(
            width: numbers[0] ?? 0, height: numbers[1] ?? 0, yStride: numbers[2], uvOffset: numbers[3],
            uvStride: numbers[4], bufferSize: numbers[5])
        else { return }
        let lumaEnd = layout.yStride * (layout.height - 1) + layout.width
        let chromaEnd = layout.uvOffset + layout.uvStride * (layout.size.chroma.height - 1) + layout.size.chroma.width * 2
        guard lumaEnd <= layout.uvOffset, chromaEnd <= layout.bufferSize else { fatalError("\(layout) lets a plane out") }
        guard layout.bufferSize <= 1 << 16 else { return }
        do {
            _ = try NV12Frame(bytes: [UInt8](repeating: 0, count: layout.bufferSize), layout: layout)
        } catch {
            fatalError("\(layout) refuses its own bytes: \(error)")
        }
    }

    /// A dma-buf frame over an unlinked file of the input's length: validation accepts it
    /// only if both planes fit, and leaves the file offset alone.
    static func dmaBuf(_ input: inout FuzzInput) {
        let (width, height) = (input.int(), input.int())
        let luma = (offset: input.int(), pitch: input.int())
        let chroma = (offset: input.int(), pitch: input.int())
        let length = Int(input.byte()) << 8 | Int(input.byte())
        var template = Array("/tmp/camview-fuzz-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { fatalError("mkstemp: \(errno)") }
        unlink(template)
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { fatalError("ftruncate: \(errno)") }
        lseek(fd, 7, SEEK_SET)
        let frame = DmaBufFrame(
            width: width, height: height,
            luma: DmaBufPlane(fd: fd, offset: luma.offset, pitch: luma.pitch),
            chroma: DmaBufPlane(fd: fd, offset: chroma.offset, pitch: chroma.pitch))
        if (try? frame.validate()) != nil {
            let chromaRows = height / 2 + height % 2
            guard luma.offset + luma.pitch * (height - 1) + width <= length,
                  chroma.offset + chroma.pitch * (chromaRows - 1) + (width / 2 + width % 2) * 2 <= length
            else { fatalError("\(frame) accepted over \(length) bytes") }
        }
        guard lseek(fd, 0, SEEK_CUR) == 7 else { fatalError("validation moved the file offset") }
    }

    /// PNG bytes: a decoded image has exactly its stated size.
    static func png(_ bytes: UnsafeRawBufferPointer) {
        guard let image = try? PNGCodec.decode([UInt8](bytes)) else { return }
        guard image.pixels.count == image.width * image.height * 4 else { fatalError("PNG decoded to the wrong size") }
    }
}

/// Reads the fuzzer's bytes as numbers; past the end, zeros.
struct FuzzInput {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }

    /// A number near the edges arithmetic breaks at, or small, picked by the next byte.
    mutating func int() -> Int {
        let edges = [0, 1, 2, 3, -1, Int.max, Int.max - 1, Int.min, Int.max / 2, 1 << 31, 1 << 32, 16384]
        let selector = byte()
        if selector < UInt8(edges.count) { return edges[Int(selector)] }
        var value: UInt64 = 0
        for _ in 0..<(selector & 1 == 0 ? 2 : 8) { value = value << 8 | UInt64(byte()) }
        return Int(truncatingIfNeeded: value)
    }

    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[min(position, bytes.count)...]) }
}

#if FUZZING
/// SwiftPM links an executable's entry point under this name: hand the process to
/// libFuzzer's driver.
@_cdecl("camview_fuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, fuzzFrameInput)
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt
#else
/// Replays corpus files or folders through the fuzz entry point (what a normal build
/// runs, and how a crash the fuzzer found is reproduced).
@main
enum ReplayCorpus {
    static func main() throws {
        var count = 0
        for path in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let files = isDirectory.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                _ = data.withUnsafeBytes { fuzzFrameInput($0.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }
}
#endif
