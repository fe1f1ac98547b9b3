/// One NV12 frame to render: its bytes in memory, or its planes in dma-bufs (a camera's,
/// a decoder's, a VisionIPC buffer). Stream and camera frames carry one.
public enum Frame: Sendable {
    case memory(NV12Frame)
    case dmaBuf(DmaBufFrame)

    public var size: PixelSize {
        switch self {
        case .memory(let frame): frame.layout.size
        case .dmaBuf(let frame): frame.size
        }
    }

    /// The picture's number in the process, which a view's conversion cache is keyed by.
    package var generation: UInt64 {
        switch self {
        case .memory(let frame): frame.generation
        case .dmaBuf(let frame): frame.generation
        }
    }

    public var color: ColorDescription {
        switch self {
        case .memory(let frame): frame.color
        case .dmaBuf(let frame): frame.color
        }
    }

    /// Runs `body` (a render of the frame) with its buffers alive throughout; throws
    /// `staleFrame` when the library has released them, and what the buffers' check
    /// (`SharedBufferCheck`) finds before or after `body`: a torn or truncated buffer.
    func withLiveBuffers<Result>(_ body: () throws -> Result) throws -> Result {
        guard let claim else { return try body() }
        return try claim.lease.whileLive(bufferIndex: claim.bufferIndex) {
            try claim.check?.beforeRead()
            let result = try body()
            try claim.check?.afterRead()
            return result
        }
    }

    /// The lease and check of library-owned buffers; nil for the caller's own.
    private var claim: (lease: BufferLease, bufferIndex: Int, check: (any SharedBufferCheck)?)? {
        switch self {
        case .memory(let frame):
            guard case .shared(let shared) = frame.bytes else { return nil }
            return (shared.lease, shared.bufferIndex, shared.check)
        case .dmaBuf(let frame):
            return frame.lease.map { ($0, frame.bufferIndex, frame.check) }
        }
    }

    /// False once a frame's library-owned buffers were released (see `BufferLease`).
    package var isLive: Bool { claim?.lease.isLive ?? true }
}

/// A size in pixels.
public struct PixelSize: Sendable, Hashable, Codable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var description: String { "\(width)x\(height)" }

    /// The 4:2:0 chroma plane of a frame this size: a sample per 2x2 luma block, a partial
    /// block at an odd edge counting whole. The one place that says so.
    package var chroma: PixelSize { PixelSize(width: Self.chromaSamples(width), height: Self.chromaSamples(height)) }

    /// ceil(luma / 2), without the overflow of `(luma + 1) / 2` at `Int.max`.
    package static func chromaSamples(_ luma: Int) -> Int { luma / 2 + luma % 2 }
}

/// A rectangle of pixels in a framebuffer.
public struct PixelRect: Sendable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    public var size: PixelSize { PixelSize(width: width, height: height) }
}

/// A position in frame pixels (the frame's top-left corner is 0, 0).
public struct FramePoint: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// The YCbCr matrix of a frame.
public enum ColorMatrix: String, Sendable, CaseIterable, Codable {
    case bt601
    case bt709

    /// Luma weights (Kr, Kb) from ITU-R BT.601 and BT.709.
    var lumaWeights: (red: Double, blue: Double) {
        switch self {
        case .bt601: (0.299, 0.114)
        case .bt709: (0.2126, 0.0722)
        }
    }
}

/// Full range: Y and C use 0...255. Limited ("TV") range: Y 16...235, C 16...240.
public enum ColorRange: String, Sendable, CaseIterable, Codable {
    case full
    case limited
}

/// Where 4:2:0 chroma samples sit relative to luma (what the bilinear filter interpolates
/// from; nearest sampling takes chroma sample x/2, y/2 whatever the siting).
public enum ChromaLocation: String, Sendable, CaseIterable, Codable {
    /// Co-sited with the left luma column, vertically between two rows: MPEG-2 and H.264's
    /// default, what cameras and decoders produce and ffmpeg assumes when unspecified.
    case left
    /// Centred between four luma samples: JPEG and MPEG-1.
    case center
    /// Co-sited with the top-left luma sample.
    case topLeft

    /// The frame position (pixels, luma sample centres at i + 0.5) of chroma sample (0, 0).
    var origin: (x: Double, y: Double) {
        switch self {
        case .left: (0.5, 1)
        case .center: (1, 1)
        case .topLeft: (0.5, 0.5)
        }
    }
}

/// How to turn a frame's code values into RGB. The default, BT.601 full range with chroma
/// sited left, is what openpilot's camera ISP produces.
public struct ColorDescription: Sendable, Hashable, Codable {
    public var matrix: ColorMatrix
    public var range: ColorRange
    public var chromaLocation: ChromaLocation

    public init(matrix: ColorMatrix = .bt601, range: ColorRange = .full, chromaLocation: ChromaLocation = .left) {
        self.matrix = matrix
        self.range = range
        self.chromaLocation = chromaLocation
    }

    public static let `default` = ColorDescription()

    /// The four matrix and range pairs (chroma sited left).
    package static let allCases = ColorMatrix.allCases.flatMap { matrix in
        ColorRange.allCases.map { ColorDescription(matrix: matrix, range: $0) }
    }
}
