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
    package let handles: HandleTable
    let state: Locked<ViewState>

    /// How this view imports dma-buf frames.
    package let importPreference: ImportPathPreference

    /// Opens a view on `device` (taking its own reference) or on the shared default device.
    public init(device: RenderDevice? = nil, importPath: ImportPathPreference = .automatic) throws {
        let reference = try device?.newReference() ?? RenderDevice.open()
        let table = HandleTable(owner: "CameraView#\(SerialCounter.views.next())")
        let vertexArray = try reference.building(.contextLost) {
            try reference.core.withContext { try table.create(.vertexArray, in: $0) }
        }
        state = Locked(ViewState(vertexArray: vertexArray))
        self.device = reference
        self.handles = table
        self.importPreference = importPath
    }

    /// Converts `frame` to RGBA into `target`, placed and sampled by `options`: the one
    /// render. An image target's pixels are unspecified after an error.
    public func render(_ frame: Frame, into target: inout RenderTarget, options: RenderOptions = RenderOptions()) throws {
        let capabilities = if case .dmaBuf = frame { try device.importCapabilities() } else { ImportCapabilities?.none }
        try render(frame, into: &target, options: options, importing: ImportInputs(preference: importPreference, capabilities: capabilities))
    }

    /// Converts `frame` into a new image of `size` (nil: the frame's size).
    public func render(_ frame: Frame, size: PixelSize? = nil, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        var target = RenderTarget.image(size: size)
        try render(frame, into: &target, options: options)
        guard let image = target.image else { throw CameraViewError.closed }
        return image
    }

    /// Puts `frame` into the view's textures now, as a render of it would: later renders
    /// of the same frame value read none of its bytes (a frame over borrowed memory can
    /// be let go once this returns; see `NV12Frame.uploaded()`).
    package func upload(_ frame: NV12Frame) throws {
        try device.core.info.checkFits(frame.layout.size)
        let core = device.core
        try Frame.memory(frame).withLiveBuffers {
            try state.withLock { state in
                guard state.isOpen else { throw CameraViewError.closed }
                try core.withContext { scope in
                    try FrameRenderer(core: core, table: handles).upload(frame, state: &state, in: scope)
                }
            }
        }
    }

    /// The render: a dma-buf frame's buffers are checked to cover every plane before
    /// anything reads them, and held alive throughout; the plan decides the rest, the
    /// import path from `imports` (the device's own check passes its forced path with no
    /// capabilities yet).
    func render(_ frame: Frame, into target: inout RenderTarget, options: RenderOptions, importing imports: ImportInputs) throws {
        let core = device.core
        // A host's framebuffer name means something only in the host's context.
        let resolved = target.resolved(frame: frame.size)
        if resolved.isHosts, core.platform != .host { throw CameraViewError.hostDrawNeedsAdoptedDevice }
        try core.info.checkFits(resolved.outputSize)
        try core.info.checkFits(frame.size)
        if case .dmaBuf(let dmaBuf) = frame { try dmaBuf.validate() }
        try frame.withLiveBuffers {
            try state.withLock { state in
                guard state.isOpen else { throw CameraViewError.closed }
                // A surface of this view's, still open: its EGL surface is made current.
                if let surface = target.surface, state.surfaces[ObjectIdentifier(surface.objects)] == nil {
                    throw CameraViewError.closed
                }
                let surface = target.surface?.objects.eglSurface
                try core.withContext(surface: surface) { scope in
                    try FrameRenderer(core: core, table: handles).render(
                        frame, importing: imports, into: &target, options: options, state: &state, in: scope)
                }
            }
        }
    }

    /// Releases the textures and EGLImages kept for the current frames (a stream switch:
    /// the old buffers are gone). The next frame creates what it needs.
    public func releaseFrameObjects() {
        state.withLock { state in
            guard state.isOpen else { return }
            device.core.tearingDown(handles.owner) { state.releaseFrameObjects(in: $0) }
        }
    }

    /// EGLImages this view created and destroyed so far (the dma-buf cache at work).
    package var importStatistics: (imagesCreated: Int, imagesDestroyed: Int) {
        state.withLock { state in state.importer.map { ($0.imagesCreated, $0.imagesDestroyed) } ?? (0, 0) }
    }

    /// Frame bytes this view copied from CPU memory into textures (0 on zero-copy paths).
    package var uploadedByteCount: Int { state.withLock { $0.uploadedBytes } }

    /// Conversions this view drew: one per new frame, target size or option change; a
    /// render of the same frame into the same target draws none.
    package var conversionCount: Int { state.withLock { $0.conversions } }

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
            let swept = device.core.tearingDown(handles.owner) { teardown in
                state.releaseAll(in: teardown)
                return handles.close(in: teardown)
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
