import CEGL

/// Renders NV12 frames to RGBA on the shared render device. Every GPU object the view
/// creates is recorded in `handles`; after `close()` that table is empty.
///
/// Threading: a view may be used from any thread; its calls are serialized (a view lock,
/// then the device's context lock), so `close()` from another thread is safe and waits
/// for a render in progress. `close()` is idempotent; `deinit` only backs it up and logs
/// the missing `close()` as a caller bug.
public final class CameraView: Sendable {
    /// This view's own reference to the device, closed with the view.
    public let device: RenderDevice
    /// Every object this view owns.
    public let handles: HandleTable
    private let state: Locked<ViewState>

    /// Opens a view on `device` (taking its own reference) or on the shared default device.
    public init(device: RenderDevice? = nil) throws {
        let reference = try device?.newReference() ?? RenderDevice.open()
        let table = HandleTable(owner: "CameraView#\(ViewSerial.next())")
        do {
            let vertexArray = try reference.core.withContext { try table.makeVertexArray() }
            state = Locked(ViewState(vertexArray: vertexArray))
        } catch {
            reference.close()
            throw error
        }
        self.device = reference
        self.handles = table
    }

    /// Converts `frame` to RGBA at `options.outputSize` (default: the frame's size) and
    /// reads it back.
    public func render(_ frame: NV12Frame, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        let core = device.core
        let frameSize = PixelSize(width: frame.layout.width, height: frame.layout.height)
        let outputSize = options.outputSize ?? frameSize
        guard outputSize.width > 0, outputSize.height > 0 else {
            throw CameraViewError.invalidOutputSize(width: outputSize.width, height: outputSize.height)
        }
        let limit = core.info.maxImageSide
        for size in [frameSize, outputSize] where max(size.width, size.height) > limit {
            throw CameraViewError.exceedsDeviceLimit(width: size.width, height: size.height, limit: limit)
        }
        return try state.withLock { state in
            guard let vertexArray = state.vertexArray else { throw CameraViewError.closed }
            return try core.withContext {
                let destroyer = core.destroyer
                let clock = ContinuousClock()
                let start = clock.now
                let planes = try state.planes(of: frameSize, table: handles, destroyer: destroyer)
                try planes.upload(frame)
                let uploaded = clock.now
                let target = try state.target(of: outputSize, table: handles, destroyer: destroyer)
                let transform = FrameTransform.fitting(
                    frame: frameSize, into: outputSize, fit: options.fit, mirror: options.mirror)
                try NV12Renderer.draw(
                    program: core.nv12Program, planes: planes, vertexArray: vertexArray,
                    color: frame.color, transform: transform,
                    framebuffer: GLuint(target.framebuffer.raw), viewport: outputSize)
                glFinish()
                let drawn = clock.now
                var pixels = [UInt8](repeating: 0, count: outputSize.width * outputSize.height * 4)
                try target.readPixels(into: &pixels)
                state.lastTimings = FrameTimings(
                    upload: uploaded - start, draw: drawn - uploaded, readback: clock.now - drawn)
                return try RGBAImage(width: outputSize.width, height: outputSize.height, pixels: pixels)
            }
        }
    }

    /// How long the last `render` spent in each stage.
    public var lastFrameTimings: FrameTimings? { state.withLock { $0.lastTimings } }

    public var isClosed: Bool { state.withLock { $0.vertexArray == nil } }

    /// Deletes every object of the view and releases its device reference. Idempotent.
    public func close() {
        state.withLock { state in
            guard state.vertexArray != nil else { return }
            do {
                try device.core.withContext {
                    state.releaseAll(table: handles, destroyer: device.core.destroyer)
                    handles.close(using: device.core.destroyer, expectEmpty: true)
                }
            } catch {
                log.error("\(handles.owner): cannot make the device current (\(error)); leaking \(handles.liveCount) objects")
            }
            state.vertexArray = nil
            device.close()
        }
    }

    deinit {
        if !isClosed {
            log.error("\(handles.owner) dropped without close(); closing it now (a bug in the caller)")
            close()
        }
    }
}

/// Time spent per stage of one `render`.
public struct FrameTimings: Sendable, Equatable {
    public let upload: Duration
    public let draw: Duration
    public let readback: Duration
}

/// A view's GPU objects, reused frame to frame while sizes stay the same.
struct ViewState {
    /// Nil once the view is closed.
    var vertexArray: HandleRecord?
    var planes: UploadedPlanes?
    var target: OffscreenTarget?
    var lastTimings: FrameTimings?

    init(vertexArray: HandleRecord) { self.vertexArray = vertexArray }

    mutating func planes(of size: PixelSize, table: HandleTable, destroyer: HandleDestroyer) throws -> UploadedPlanes {
        if let planes, planes.size == size { return planes }
        planes?.release(table: table, destroyer: destroyer)
        planes = nil
        let fresh = try UploadedPlanes(size: size, table: table, destroyer: destroyer)
        planes = fresh
        return fresh
    }

    mutating func target(of size: PixelSize, table: HandleTable, destroyer: HandleDestroyer) throws -> OffscreenTarget {
        if let target, target.size == size { return target }
        target?.release(table: table, destroyer: destroyer)
        target = nil
        let fresh = try OffscreenTarget(size: size, table: table, destroyer: destroyer)
        target = fresh
        return fresh
    }

    mutating func releaseAll(table: HandleTable, destroyer: HandleDestroyer) {
        target?.release(table: table, destroyer: destroyer)
        planes?.release(table: table, destroyer: destroyer)
        if let vertexArray { table.release(vertexArray, using: destroyer) }
        (target, planes) = (nil, nil)
    }
}

enum ViewSerial {
    private static let counter = Locked(0)
    static func next() -> Int { counter.withLock { $0 += 1; return $0 } }
}
