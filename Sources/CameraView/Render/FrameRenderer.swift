import CEGL

/// Carries out one render in a context already current: plans it, puts the frame into
/// textures, draws and finishes the target, with the objects in `state` and recorded in
/// `table`. A view renders through it under its lock.
struct FrameRenderer {
    let core: DeviceCore
    let table: HandleTable

    /// Plans the render, converts the frame (unless the target, or the view's display
    /// cache for it, holds this conversion already) and finishes the target.
    func render(
        _ frame: Frame, importing imports: ImportInputs, into target: inout RenderTarget, options: RenderOptions,
        state: inout ViewState, in scope: borrowing ContextScope
    ) throws {
        let clock = ContinuousClock()
        let start = clock.now
        var uploaded = start
        var imports = imports
        if case .dmaBuf(let dmaBuf) = frame { imports.denial = try accessDenial(of: dmaBuf, state: &state) }
        let resolved = target.resolved(frame: frame.size)
        let cache = try DisplayCache.key(for: resolved, info: core.info)
        let plan = try ConversionPlan(
            frame: frame, imports: imports, target: resolved, options: options, packedRows: core.info.packedRows, cache: cache,
            packsPlaced: core.packsPlacedConversions)
        if let decision = plan.importDecision {
            (state.lastImportPath, state.lastImportFallback) = (decision.path, decision.fallback)
        }
        let conversion = ConversionKey(generation: frame.generation, color: frame.color, plan: plan)
        if let (framebuffer, viewport) = plan.target.framebuffer {
            if let cacheKey = plan.displayCache {
                try state.prepareDisplay(cacheKey, table: table, in: scope)
                guard let name = state.display?.framebufferName else { throw CameraViewError.closed }
                if !conversion.isHeld(in: state.display!.converted) {
                    state.display!.converted = nil
                    if plan.targetPacking == .perPixel {
                        uploaded = try convert(frame, plan: plan, into: name, viewport: PixelRect(
                            x: 0, y: 0, width: viewport.width, height: viewport.height), state: &state, in: scope)
                    } else {
                        uploaded = try convertPacked(frame, plan: plan, state: &state, in: scope)
                    }
                    state.display!.converted = conversion
                }
                try state.display!.copy(into: framebuffer, at: viewport)
            } else {
                uploaded = try convert(frame, plan: plan, into: framebuffer, viewport: viewport, state: &state, in: scope)
            }
        } else {
            try state.prepareTarget(GPUObjectKey(size: plan.outputSize, packing: plan.targetPacking), table: table, in: scope)
            guard let name = state.target?.framebufferName else { throw CameraViewError.closed }
            if !conversion.isHeld(in: state.target!.converted) {
                state.target!.converted = nil
                uploaded = try convert(frame, plan: plan, into: name, viewport: PixelRect(
                    x: 0, y: 0, width: plan.viewportSize.width, height: plan.viewportSize.height), state: &state, in: scope)
                state.target!.converted = conversion
            }
        }
        // Our readbacks need the pixels now; a host presents on its own schedule, but a
        // dma-buf's producer (a camera's queue, a VisionIPC ring) may refill the buffer as
        // soon as the render returns.
        if plan.target.finish != .none || plan.importDecision != nil { glFinish() }
        let drawn = clock.now
        try finish(&target, plan: plan, state: &state, in: scope)
        state.lastTimings = FrameTimings(
            upload: uploaded - start, draw: drawn - uploaded, readback: clock.now - drawn,
            packed: plan.isPacked, filter: plan.variant.filter)
    }

    /// Puts the frame into textures and draws its conversion into `framebuffer`; returns
    /// when the upload ended.
    private func convert(
        _ frame: Frame, plan: ConversionPlan, into framebuffer: GLuint, viewport: PixelRect, state: inout ViewState,
        in scope: borrowing ContextScope
    ) throws -> ContinuousClock.Instant {
        let planes = try prepare(frame, plan: plan, state: &state, in: scope)
        let uploaded = ContinuousClock.now
        try NV12Renderer.draw(
            program: ProgramCache.of(core, in: scope).program(plan.variant, in: scope), planes: planes, uniforms: plan.uniforms,
            vertexArray: state.vertexArrayName, framebuffer: framebuffer, viewport: viewport)
        state.conversions += 1
        return uploaded
    }

    /// Draws the conversion packed into the view's offscreen target (whole texels wide) and
    /// fills the display cache from it through the view's pixel buffer; returns when the
    /// upload ended.
    private func convertPacked(
        _ frame: Frame, plan: ConversionPlan, state: inout ViewState, in scope: borrowing ContextScope
    ) throws -> ContinuousClock.Instant {
        let size = plan.outputSize
        let storage = PixelSize(width: plan.viewportSize.width * plan.targetPacking.pixelsPerTexel, height: size.height)
        try state.prepareTarget(GPUObjectKey(size: storage, packing: plan.targetPacking), table: table, in: scope)
        guard let name = state.target?.framebufferName else { throw CameraViewError.closed }
        state.target!.converted = nil
        let uploaded = try convert(frame, plan: plan, into: name, viewport: PixelRect(
            x: 0, y: 0, width: plan.viewportSize.width, height: plan.viewportSize.height), state: &state, in: scope)
        let count = storage.width * storage.height * 4
        if state.displayPixels.count != count { state.displayPixels = [UInt8](repeating: 0, count: count) }
        try state.displayPixels.withUnsafeMutableBytes { pixels in
            try state.target!.readPixels(into: pixels, in: scope)
            try state.display!.fill(from: UnsafeRawBufferPointer(pixels), rowLength: storage.width, in: scope)
        }
        return uploaded
    }

    /// Puts a frame in memory into the view's textures now, as any render of it would
    /// (the upload depends on the frame's layout alone): a render of it afterwards reads
    /// nothing of its memory.
    func upload(_ frame: NV12Frame, state: inout ViewState, in scope: borrowing ContextScope) throws {
        let key = GPUObjectKey(size: frame.layout.size, packing: PixelPacking.upload(of: frame.layout, packedRows: core.info.packedRows))
        if try state.uploadPlanes(key, generation: frame.generation, table: table, in: scope, fill: { try $0.upload(frame, in: scope) }).uploaded {
            state.uploadedBytes += frame.layout.bufferSize
        }
    }

    /// Puts the frame into textures along the plan's route.
    private func prepare(
        _ frame: Frame, plan: ConversionPlan, state: inout ViewState, in scope: borrowing ContextScope
    ) throws -> PlaneTextures {
        switch (frame, plan.route) {
        case (.memory(let nv12), .upload(let packing)):
            let planes = try state.uploadPlanes(
                GPUObjectKey(size: plan.frameSize, packing: packing), generation: nv12.generation, table: table, in: scope
            ) { try $0.upload(nv12, in: scope) }
            if planes.uploaded { state.uploadedBytes += nv12.layout.bufferSize }
            return planes.textures
        case (.dmaBuf(let dmaBuf), .upload(let packing)):
            let planes = try state.uploadPlanes(
                GPUObjectKey(size: plan.frameSize, packing: packing), generation: dmaBuf.generation, table: table, in: scope
            ) { planes in
                try MappedDmaBuf.withPlanes(of: dmaBuf, table: table) { luma, chroma in
                    try planes.upload(luma: luma, lumaPitch: dmaBuf.luma.pitch, chroma: chroma, chromaPitch: dmaBuf.chroma.pitch, in: scope)
                }
            }
            if planes.uploaded { state.uploadedBytes += try dmaBuf.planeBytes }
            return planes.textures
        case (.dmaBuf(let dmaBuf), .imported(let path)):
            return try state.withImporter { try $0.textures(for: dmaBuf, path: path, core: core, table: table, in: scope) }
        case (.memory, .imported):
            preconditionFailure("a frame in memory is never imported")
        }
    }

    /// Reads an image target back, or presents a surface and reads or exports its front buffer.
    private func finish(
        _ target: inout RenderTarget, plan: ConversionPlan, state: inout ViewState, in scope: borrowing ContextScope
    ) throws {
        switch plan.target.finish {
        case .readImage:
            guard state.target != nil else { throw CameraViewError.closed }
            let size = plan.outputSize
            if let pixels = target.callerPixels {
                try state.target!.readPixels(into: pixels.buffer, in: scope)
            } else if var image = target.image.take(), image.size == size, image.pixels.count == size.width * size.height * 4 {
                try image.pixels.withUnsafeMutableBytes { try state.target!.readPixels(into: $0, in: scope) }
                target.image = image
            } else {
                // Not zero-filled first: the readback writes every byte, and a failed one
                // throws the storage away.
                let pixels = try [UInt8](unsafeUninitializedCapacity: size.width * size.height * 4) { buffer, count in
                    try state.target!.readPixels(into: UnsafeMutableRawBufferPointer(buffer), in: scope)
                    count = buffer.count
                }
                target.image = try RGBAImage(width: size.width, height: size.height, pixels: pixels)
            }
        case .presentSurface(let exporting):
            guard let surface = target.surface else { throw CameraViewError.closed }
            target.exportedBuffer.take()?.close()
            // A surface exists only on a GBM device of our own, which has its display.
            guard let display = core.display else { throw CameraViewError.needsGBMPlatform(what: "GBM surfaces", platform: core.platform) }
            try surface.objects.presentFrontBuffer(display: display) { bo in
                if exporting {
                    target.exportedBuffer = try surface.export(bo, table: table)
                } else {
                    target.image = try surface.read(bo, table: table)
                }
            }
        case .none:
            break
        }
    }

    /// Why the device cannot import `frame`'s buffers, if it cannot (see
    /// `BufferAccessCheck`); verdicts are kept per buffer file.
    private func accessDenial(of frame: DmaBufFrame, state: inout ViewState) throws -> String? {
        let info = core.info
        guard BufferAccessCheck.applies(to: info), let node = info.drmNode else { return nil }
        for fd in Set([frame.luma.fd, frame.chroma.fd]) {
            let file = try BufferFile(fd)
            let verdict: BufferAccessVerdict
            if let known = state.withImporter({ $0.accessVerdicts.value(for: file) }) {
                verdict = known
            } else {
                verdict = BufferAccessCheck.denial(of: fd, node: node, table: table).map { .denied($0) } ?? .readable
                _ = state.withImporter { $0.accessVerdicts.insert(verdict, for: file) }
            }
            if case .denied(let reason) = verdict { return reason }
        }
        return nil
    }
}
