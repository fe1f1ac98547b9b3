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
    let state: Locked<ViewState>

    /// How this view imports dma-buf frames.
    public let importPreference: ImportPathPreference

    /// Opens a view on `device` (taking its own reference) or on the shared default device.
    public init(device: RenderDevice? = nil, importPath: ImportPathPreference = .automatic) throws {
        let reference = try device?.newReference() ?? RenderDevice.open()
        let table = HandleTable(owner: "CameraView#\(SerialCounter.views.next())")
        do {
            state = Locked(ViewState(vertexArray: try reference.core.withContext { try table.makeVertexArray(in: $0) }))
        } catch {
            reference.close()
            throw error
        }
        self.device = reference
        self.handles = table
        self.importPreference = importPath
    }

    /// Converts `frame` to RGBA at `options.outputSize` (default: the frame's size) and
    /// reads it back into a new image.
    public func render(_ frame: NV12Frame, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        try render(frame, options: options, finish: Self.readBack)
    }

    /// Converts `frame` like `render(_:options:)`, reading it back into `image`: its pixel
    /// storage is reused when it already has the output size (a steady stream of frames
    /// then allocates nothing in Swift), else replaced. After an error its pixels are
    /// unspecified.
    public func render(_ frame: NV12Frame, into image: inout RGBAImage, options: RenderOptions = RenderOptions()) throws {
        try render(frame, options: options) { try Self.readBack(&$0, $1, into: &image, in: $2) }
    }

    private func render<Result>(_ frame: NV12Frame, options: RenderOptions, finish: Finish<Result>) throws -> Result {
        let size = PixelSize(width: frame.layout.width, height: frame.layout.height)
        let packedMode = Self.packedMode(frame.layout, options: options)
        return try render(size: size, color: frame.color, options: options, prepare: { state, scope in
            let planes = try upload(frame, into: &state, packed: packedMode != nil, in: scope)
            return packedMode.map { SampledPlanes(mode: $0, size: planes.size, luma: planes.luma, chroma: planes.chroma) } ?? planes
        }, finish: finish)
    }

    /// Reads the drawn result (or presents it) with the context current.
    typealias Finish<Result> = (inout ViewState, PixelSize, borrowing ContextScope) throws -> Result

    /// The packed upload (four pixels per texel), when a frame's width and strides are whole
    /// texels and no placement is to be done, and how it is drawn:
    /// - `.packedPlanes`, four pixels per fragment into a packed target: a frame read back at
    ///   its own size, sampled nearest or bilinearly (at 1:1 bilinear keeps luma and
    ///   interpolates chroma only, with fixed weights); or `area` (or the automatic filter,
    ///   which picks it there) at exactly half the frame's size in both axes, each output
    ///   texel averaging two luma texels of two rows with fixed chroma weights, the output's
    ///   width whole texels too.
    /// - `.packedInput`, a pixel per fragment: `area` (or automatic) at exactly a quarter of
    ///   the frame's size in both axes, a pixel's 4x4 luma block being one texel of each of
    ///   four rows.
    static func packedMode(_ layout: NV12Layout, options: RenderOptions) -> SamplingMode? {
        guard !options.mirror, options.zoom == 1, options.frameToOutput == nil,
              layout.width % 4 == 0, layout.yStride % 4 == 0, layout.uvStride % 4 == 0 else { return nil }
        let size = PixelSize(width: layout.width, height: layout.height)
        let output = options.outputSize ?? size
        if output == size { return options.filter != .area ? .packedPlanes : nil }
        guard options.filter == .area || options.filter == .automatic else { return nil }
        if output == PixelSize(width: size.width / 2, height: size.height / 2) && size.height % 2 == 0 && output.width % 4 == 0 {
            return .packedPlanes
        }
        let quarter = output == PixelSize(width: size.width / 4, height: size.height / 4) && size.height % 4 == 0
        return quarter ? .packedInput : nil
    }

    /// Uploads a frame in memory into the view's reusable plane textures.
    func upload(
        _ frame: NV12Frame, into state: inout ViewState, packed: Bool = false, in scope: borrowing ContextScope
    ) throws -> SampledPlanes {
        let key = GPUObjectKey(size: PixelSize(width: frame.layout.width, height: frame.layout.height), packing: packing(packed))
        let sampled = try state.uploadPlanes(key, table: handles, in: scope) { try $0.upload(frame, in: scope) }
        state.uploadedBytes += frame.layout.bufferSize
        return sampled
    }

    /// Converts a dma-buf frame: imported as EGLImages (cached per ring buffer) where the
    /// device can, else mapped and uploaded. The buffers are checked to cover every plane
    /// before anything is imported.
    public func render(_ frame: DmaBufFrame, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        try frame.withLiveBuffers {
            try frame.validate()
            return try render(frame, path: importPath(), options: options, finish: Self.readBack)
        }
    }

    /// Converts a dma-buf frame like `render(_:options:)`, reading it back into `image`
    /// (its storage reused when the size fits; unspecified after an error).
    public func render(_ frame: DmaBufFrame, into image: inout RGBAImage, options: RenderOptions = RenderOptions()) throws {
        try frame.withLiveBuffers {
            try frame.validate()
            try render(frame, path: importPath(), options: options) { try Self.readBack(&$0, $1, into: &image, in: $2) }
        }
    }

    /// The path this view's dma-buf frames take on its device.
    public func importPath() throws -> ImportPath {
        let capabilities = try device.importCapabilities()
        switch importPreference {
        case .automatic:
            return capabilities.workingPaths[0]
        case .forced(let path):
            guard capabilities.workingPaths.contains(path) else {
                let reason = path == .external
                    ? capabilities.externalNote ?? "not verified"
                    : "the device cannot import dma-bufs as R8/GR88 images"
                throw CameraViewError.importPathUnavailable(path: path, reason: reason)
            }
            return path
        }
    }

    /// Renders a validated dma-buf frame through `path`, whatever the device's check said
    /// (the check itself uses this).
    func render<Result>(_ frame: DmaBufFrame, path: ImportPath, options: RenderOptions, finish: Finish<Result>) throws -> Result {
        try render(size: frame.size, color: frame.color, options: options,
                   prepare: { try prepare(frame, path: path, into: &$0, in: $1) }, finish: finish)
    }

    /// Puts a validated dma-buf frame into textures along `path`.
    func prepare(
        _ frame: DmaBufFrame, path requested: ImportPath, into state: inout ViewState, in scope: borrowing ContextScope
    ) throws -> SampledPlanes {
        var path = requested
        state.lastImportFallback = nil
        if path != .mappedUpload, let denial = try accessDenial(of: frame, state: &state) {
            (path, state.lastImportFallback) = (.mappedUpload, denial)
        }
        state.lastImportPath = path
        guard path == .mappedUpload else {
            return try state.importer.textures(for: frame, path: path, core: device.core, table: handles, in: scope)
        }
        let key = GPUObjectKey(size: frame.size, packing: .perPixel)
        let sampled = try state.uploadPlanes(key, table: handles, in: scope) { planes in
            try MappedDmaBuf.withPlanes(of: frame, table: handles) { luma, chroma in
                try planes.upload(luma: luma, lumaPitch: frame.luma.pitch, chroma: chroma, chromaPitch: frame.chroma.pitch, in: scope)
            }
        }
        state.uploadedBytes += try frame.planeBytes
        return sampled
    }

    /// Why the device cannot import `frame`'s buffers, if it cannot (see
    /// `BufferAccessCheck`); verdicts are kept per buffer file.
    private func accessDenial(of frame: DmaBufFrame, state: inout ViewState) throws -> String? {
        let info = device.core.info
        guard BufferAccessCheck.applies(to: info), let node = info.drmNode else { return nil }
        for fd in Set([frame.luma.fd, frame.chroma.fd]) {
            let file = try BufferFile(fd)
            let verdict: BufferAccessVerdict
            if let known = state.accessVerdicts.value(for: file) {
                verdict = known
            } else {
                verdict = BufferAccessCheck.denial(of: fd, node: node, table: handles).map { .denied($0) } ?? .readable
                _ = state.accessVerdicts.insert(verdict, for: file)
            }
            if case .denied(let reason) = verdict { return reason }
        }
        return nil
    }

    /// The shared part of every render: checks sizes, lets `prepare` put the frame into
    /// textures, draws into the offscreen target or a window surface, and lets `finish`
    /// read the result.
    func render<Result>(
        size frameSize: PixelSize, color: ColorDescription, options: RenderOptions,
        destination: RenderDestination = .offscreen,
        prepare: (inout ViewState, borrowing ContextScope) throws -> SampledPlanes,
        finish: Finish<Result>
    ) throws -> Result {
        let core = device.core
        // A host's framebuffer name means something only in the host's context.
        if destination.isHost, core.platform != .host { throw CameraViewError.hostDrawNeedsAdoptedDevice }
        let outputSize = destination.fixedSize ?? options.outputSize ?? frameSize
        try core.info.checkFits(outputSize)
        try core.info.checkFits(frameSize)
        return try state.withLock { state in
            guard state.isOpen else { throw CameraViewError.closed }
            let vertexArray = state.vertexArrayName
            if let surface = destination.surfaceObjects, state.surfaces[ObjectIdentifier(surface)] == nil {
                throw CameraViewError.closed
            }
            return try core.withContext(surface: destination.surface) { scope in
                let clock = ContinuousClock()
                let start = clock.now
                let planes = try prepare(&state, scope)
                let uploaded = clock.now
                let framebuffer: GLuint
                var viewport = PixelRect(x: 0, y: 0, width: outputSize.width, height: outputSize.height)
                switch destination {
                case .offscreen:
                    let key = GPUObjectKey(size: outputSize, packing: packing(planes.mode == .packedPlanes))
                    try state.prepareTarget(key, table: handles, in: scope)
                    guard let storage = state.target?.storageSize, let name = state.target?.framebufferName else {
                        throw CameraViewError.closed
                    }
                    (framebuffer, viewport) = (name, PixelRect(x: 0, y: 0, width: storage.width, height: storage.height))
                case .window:
                    framebuffer = 0
                case .host(let target):
                    (framebuffer, viewport) = (GLuint(target.framebuffer), target.viewport)
                }
                let transform = try FrameTransform.make(
                    frame: frameSize, output: outputSize, options: options, flipVertically: destination.flipsVertically)
                let filter = options.filter.resolved(outputToFrame: transform.matrix, output: outputSize)
                let variant = ProgramVariant(mode: planes.mode, filter: filter)
                try NV12Renderer.draw(
                    program: core.program(variant, in: scope), planes: planes, vertexArray: vertexArray,
                    color: color, transform: transform,
                    // Our own targets hold nothing of a host's to keep: untouched bars are transparent.
                    bars: options.letterbox == .untouched && !destination.isHost ? .transparent : options.letterbox,
                    framebuffer: framebuffer, viewport: viewport)
                // A host presents on its own schedule; our readbacks need the pixels now.
                if !destination.isHost { glFinish() }
                let drawn = clock.now
                let result = try finish(&state, outputSize, scope)
                state.lastTimings = FrameTimings(
                    upload: uploaded - start, draw: drawn - uploaded, readback: clock.now - drawn,
                    packed: planes.mode == .packedPlanes || planes.mode == .packedInput, filter: variant.filter)
                return result
            }
        }
    }

    private func packing(_ packed: Bool) -> PixelPacking {
        packed ? .packed(rows: device.core.info.packedRows) : .perPixel
    }

    /// Reads the offscreen target back into a new image (not zero-filled first: the
    /// readback writes every byte, and a failed one throws the storage away).
    static func readBack(_ state: inout ViewState, _ size: PixelSize, in scope: borrowing ContextScope) throws -> RGBAImage {
        guard state.target != nil else { throw CameraViewError.closed }
        let pixels = try [UInt8](unsafeUninitializedCapacity: size.width * size.height * 4) { buffer, count in
            try state.target!.readPixels(into: UnsafeMutableRawBufferPointer(buffer), in: scope)
            count = buffer.count
        }
        return try RGBAImage(width: size.width, height: size.height, pixels: pixels)
    }

    /// Reads the offscreen target back into `image`'s storage when it has the size, else
    /// into a new image.
    private static func readBack(
        _ state: inout ViewState, _ size: PixelSize, into image: inout RGBAImage, in scope: borrowing ContextScope
    ) throws {
        guard image.size == size, image.pixels.count == size.width * size.height * 4 else {
            image = try readBack(&state, size, in: scope)
            return
        }
        guard state.target != nil else { throw CameraViewError.closed }
        try image.pixels.withUnsafeMutableBytes { try state.target!.readPixels(into: $0, in: scope) }
    }

    /// Releases the textures and EGLImages kept for the current frames (a stream switch:
    /// the old buffers are gone). The next frame creates what it needs.
    public func releaseFrameObjects() {
        state.withLock { state in
            guard state.isOpen else { return }
            do {
                try device.core.withContext(failable: false) { state.releaseFrameObjects(in: $0) }
            } catch {
                log.error("\(handles.owner): cannot make the device current to release frame objects (\(error))")
            }
        }
    }

    /// EGLImages this view created and destroyed so far (the dma-buf cache at work).
    public var importStatistics: (imagesCreated: Int, imagesDestroyed: Int) {
        state.withLock { ($0.importer.imagesCreated, $0.importer.imagesDestroyed) }
    }

    /// Frame bytes this view copied from CPU memory into textures (0 on zero-copy paths).
    public var uploadedByteCount: Int { state.withLock { $0.uploadedBytes } }

    /// The path the last dma-buf frame took.
    public var lastImportPath: ImportPath? { state.withLock { $0.lastImportPath } }

    /// Why the last dma-buf frame was mapped and uploaded instead of imported (a buffer
    /// the device cannot read; see `BufferAccessCheck`), or nil when it took the view's path.
    public var lastImportFallback: String? { state.withLock { $0.lastImportFallback } }

    /// How long the last `render` spent in each stage.
    public var lastFrameTimings: FrameTimings? { state.withLock { $0.lastTimings } }

    public var isClosed: Bool { state.withLock { !$0.isOpen } }

    /// Deletes every object of the view and releases its device reference. Idempotent.
    /// Returns what the owners did not release themselves (swept: a bug, also counted on
    /// `handles.sweptAtClose`) and every deletion of the view that failed; both are empty
    /// in a correct run. When the device's context cannot be made current, GL objects are
    /// not deleted (never in another context) and come back as failed deletions.
    @discardableResult
    public func close() -> CloseReport {
        state.withLock { state in
            guard state.isOpen else { return .clean }
            let swept: CloseReport
            do {
                swept = try device.core.withContext(failable: false) { scope in
                    state.releaseAll(in: scope)
                    return handles.close(contextCurrent: true)
                }
            } catch {
                log.error("\(handles.owner): cannot make the device current (\(error)); GL objects are not deleted")
                state.abandonAll()
                swept = handles.close(contextCurrent: false)
            }
            device.close()
            return CloseReport(swept: swept.swept, failedDeletions: handles.failedDeletions)
        }
    }

    deinit {
        if !isClosed {
            HandleTable.noteDroppedWithoutClose(handles.owner)
            close()
        }
    }
}

/// Time spent per stage of one `render`, whether it took a packed fast path (the frame
/// uploaded four pixels per texel: untransformed frames at their own size, and area at
/// exactly half or a quarter of it; see README), and the filter it used
/// (`RenderOptions.filter` resolved; never `.automatic`).
public struct FrameTimings: Sendable, Equatable {
    public let upload: Duration
    public let draw: Duration
    public let readback: Duration
    public let packed: Bool
    public let filter: SampleFilter
}
