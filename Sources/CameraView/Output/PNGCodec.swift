import CPNG
import Glibc

/// PNG through libpng's simplified API (png_image), which reports errors as return
/// values and messages rather than longjmp.
public enum PNGCodec {
    /// Writes `image` to `path` atomically: a failure leaves no file behind.
    public static func write(_ image: RGBAImage, to path: String) throws {
        try AtomicFile.write(to: path) { temporaryPath in
            var png = Self.header(width: image.width, height: image.height)
            let ok = image.pixels.withUnsafeBytes { pixels in
                png_image_write_to_file(&png, temporaryPath, 0, pixels.baseAddress, 0, nil)
            }
            defer { png_image_free(&png) }
            guard ok != 0 else { throw CameraViewError.png(path: path, message: message(of: png)) }
        }
    }

    /// The largest side `read` accepts: llvmpipe's GL_MAX_TEXTURE_SIZE (a 1 GiB RGBA image
    /// at most), far beyond any camera frame.
    package static let maxSide = 16384

    /// Reads any PNG as 8-bit RGBA (grey, palette and 16-bit inputs are converted).
    public static func read(from path: String) throws -> RGBAImage {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch CameraViewError.io(_, _, let code) {
            throw CameraViewError.png(path: path, message: String(cString: strerror(code)))
        }
        return try decode(bytes, name: path)
    }

    /// Decodes PNG bytes (`name` says where they came from, in errors).
    package static func decode(_ data: [UInt8], name: String = "(memory)") throws -> RGBAImage {
        // libpng reads the bytes until finish_read: both inside one access to them.
        try data.withUnsafeBytes { bytes in
            var png = png_image()
            png.version = UInt32(PNG_IMAGE_VERSION)
            defer { png_image_free(&png) }
            guard png_image_begin_read_from_memory(&png, bytes.baseAddress, bytes.count) != 0 else {
                throw CameraViewError.png(path: name, message: message(of: png))
            }
            png.format = cv_PNG_FORMAT_RGBA
            let width = Int(png.width), height = Int(png.height)
            // The header's size is someone else's number: refuse it before allocating.
            guard width <= maxSide, height <= maxSide else {
                throw CameraViewError.png(path: name, message: "\(width)x\(height) is larger than \(maxSide) pixels per side")
            }
            var pixels = [UInt8](repeating: 0, count: width * height * 4)
            let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&png, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw CameraViewError.png(path: name, message: message(of: png)) }
            return try RGBAImage(width: width, height: height, pixels: pixels)
        }
    }

    private static func header(width: Int, height: Int) -> png_image {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(width)
        png.height = UInt32(height)
        png.format = cv_PNG_FORMAT_RGBA
        return png
    }

    private static func message(of png: png_image) -> String {
        withUnsafeBytes(of: png.message) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// Writes a file under a temporary name beside it and renames it into place, so a
/// failed write never leaves a partial output behind.
enum AtomicFile {
    static func write(to path: String, _ produce: (String) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = folder + ".\(name).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).partial"
        do {
            try produce(temporary)
            guard rename(temporary, path) == 0 else {
                throw CameraViewError.io(operation: "rename", path: path, errno: errno)
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `bytes` to `path` atomically.
    static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try writeFile(bytes, to: $0, naming: path) }
    }
}

extension RGBAImage {
    /// Writes the raw RGBA8 rows, top to bottom, atomically.
    package func writeRaw(to path: String) throws {
        try AtomicFile.write(pixels, to: path)
    }
}
