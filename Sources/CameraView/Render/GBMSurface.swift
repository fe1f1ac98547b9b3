import CEGL
import Glibc

/// A render target made of a gbm_surface and an EGL window surface on the GBM platform:
/// a render target (`RenderTarget.surface` reads the front buffer back,
/// `RenderTarget.exporting` hands it out as a dma-buf).
/// Its objects are owned by a `SurfaceObjects` that the view keeps (so the view's close
/// releases them too); `close()` releases them now. Holds its view strongly; the view
/// holds only the objects, so there is no cycle.
public final class GBMSurface: Sendable {
    public let size: PixelSize
    private let view: CameraView
    let objects: SurfaceObjects

    init(view: CameraView, size: PixelSize, objects: SurfaceObjects) {
        (self.view, self.size, self.objects) = (view, size, objects)
    }

    /// Destroys the EGL and GBM surfaces. Idempotent.
    public func close() { view.closeSurface(objects) }

    /// The locked front buffer as a dma-buf: the fd is recorded in the view's table until
    /// the returned buffer is closed.
    func export(_ bo: OpaquePointer, table: HandleTable) throws -> ExportedBuffer {
        let fd = try table.create(.export(of: bo, what: "front buffer"))
        return ExportedBuffer(fd: fd, stride: Int(gbm_bo_get_stride(bo)), size: size)
    }

    /// The locked front buffer's pixels.
    func read(_ bo: OpaquePointer, table: HandleTable) throws -> RGBAImage {
        let bgra = objects.bgra
        let mapping = try table.create(.mapping(of: bo, width: size.width, height: size.height, transfer: GBM_BO_TRANSFER_READ, what: "front buffer"))
        var pixels = [UInt8](repeating: 0, count: size.width * size.height * 4)
        let (map, rowPitch) = (mapping.raw.address, mapping.raw.stride)
        pixels.withUnsafeMutableBytes { out in
            for row in 0..<size.height {
                (out.baseAddress! + row * size.width * 4).copyMemory(from: map + row * rowPitch, byteCount: size.width * 4)
            }
        }
        mapping.release()
        if bgra {
            for index in stride(from: 0, to: pixels.count, by: 4) { pixels.swapAt(index, index + 2) }
        }
        return try RGBAImage(width: size.width, height: size.height, pixels: pixels)
    }
}

/// The gbm_surface and EGL window surface behind a `GBMSurface`, owned here and kept in
/// the view's state. Mutated only under the view's state lock.
final class SurfaceObjects: @unchecked Sendable {
    let eglSurface: EGLSurface
    let gbmSurface: OpaquePointer
    /// The buffer format: ABGR8888 is RGBA in memory; ARGB8888 is BGRA.
    let bgra: Bool
    /// The GBM surface, then the EGL surface that draws to it (released the other way round).
    private let objects: OwnerGroup

    /// Makes both surfaces of `size`; a failure releases what was made before it.
    init(on gbm: OpaquePointer, size: PixelSize, config: EGLConfig, format: UInt32, bgra: Bool, table: HandleTable,
         in scope: borrowing ContextScope) throws {
        let (objects, surfaces) = try OwnerGroup.building(scope.teardown) { objects in
            let gbmSurface = objects.adopt(try table.create(.gbmSurface(on: gbm, size: size, format: format, usage: UInt32(GBM_BO_USE_RENDERING.rawValue))))
            let eglSurface = objects.adopt(try table.create(.windowSurface(config: config, native: UnsafeMutableRawPointer(gbmSurface)), in: scope))
            return (gbm: gbmSurface, egl: eglSurface)
        }
        (eglSurface, gbmSurface, self.bgra, self.objects) = (surfaces.egl, surfaces.gbm, bgra, objects)
    }

    /// The EGL surface before the GBM surface it draws to.
    func release(in teardown: Teardown) { objects.release(in: teardown) }

    /// Swaps, and hands the locked front buffer to `use` before releasing it back to the
    /// surface. The surface's context is current.
    func presentFrontBuffer(display: EGLDisplay, _ use: (OpaquePointer) throws -> Void) throws {
        try FaultInjection.step(operation: "eglSwapBuffers", kind: .eglSurface)
        guard eglSwapBuffers(display, eglSurface) == EGL_TRUE else {
            throw CameraViewError.egl(operation: "eglSwapBuffers", code: eglGetError())
        }
        try FaultInjection.step(operation: "gbm_surface_lock_front_buffer", kind: .gbmSurface)
        guard let bo = gbm_surface_lock_front_buffer(gbmSurface) else {
            throw CameraViewError.io(operation: "gbm_surface_lock_front_buffer", path: "GBM surface", errno: errno)
        }
        defer { gbm_surface_release_buffer(gbmSurface, bo) }
        try use(bo)
    }
}

/// A rendered front buffer handed out as a dma-buf fd (recorded in the view's table until
/// `close()`).
public final class ExportedBuffer: Sendable {
    public let stride: Int
    public let size: PixelSize
    private let owner: Locked<OwnedFD?>

    init(fd: consuming OwnedFD, stride: Int, size: PixelSize) {
        (self.stride, self.size) = (stride, size)
        owner = Locked(Optional(fd))
    }

    /// The dma-buf's fd while open; -1 once closed (the number may name another file then).
    public var fd: Int32 { owner.withLock { $0?.raw ?? -1 } }

    /// Closes the fd. Idempotent.
    public func close() { owner.withLock { $0.take()?.release() } }
}

extension CameraView {
    /// Makes a GBM render target of `size` on this view's device (the GBM platform only).
    /// Nothing is created for a closed view; a failure releases what was made before it.
    public func makeGBMSurface(size: PixelSize) throws -> GBMSurface {
        let core = device.core
        guard let gbm = core.gbmDevice, let display = core.display else {
            throw CameraViewError.needsGBMPlatform(what: "GBM surfaces", platform: device.platform)
        }
        // Positive and within the device's limits, so every conversion to GBM's 32 bits holds.
        try core.info.checkFits(size)
        let objects = try state.withLock { state in
            guard state.isOpen else { throw CameraViewError.closed }
            let (config, format, bgra) = try Self.windowConfig(display: display)
            return try core.withContext { scope in
                let objects = try SurfaceObjects(on: gbm, size: size, config: config, format: format, bgra: bgra, table: handles, in: scope)
                state.surfaces[ObjectIdentifier(objects)] = objects
                return objects
            }
        }
        return GBMSurface(view: self, size: size, objects: objects)
    }

    /// A window config whose native visual is a 32-bit GBM format: ABGR8888 (RGBA bytes)
    /// preferred, ARGB8888 (BGRA bytes) accepted.
    private static func windowConfig(display: EGLDisplay) throws -> (EGLConfig, UInt32, Bool) {
        let attributes: [EGLint] = [
            EGL_SURFACE_TYPE, EGL_WINDOW_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_ES3_BIT,
            EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8, EGL_NONE,
        ]
        var count: EGLint = 0
        guard eglChooseConfig(display, attributes, nil, 0, &count) == EGL_TRUE, count > 0 else {
            throw CameraViewError.egl(operation: "eglChooseConfig (window)", code: eglGetError())
        }
        var configs = [EGLConfig?](repeating: nil, count: Int(count))
        eglChooseConfig(display, attributes, &configs, count, &count)
        func visual(_ config: EGLConfig) -> UInt32 {
            var id: EGLint = 0
            eglGetConfigAttrib(display, config, EGL_NATIVE_VISUAL_ID, &id)
            return UInt32(bitPattern: id)
        }
        let candidates = configs.prefix(Int(count)).compactMap { $0 }
        if let config = candidates.first(where: { visual($0) == cv_GBM_FORMAT_ABGR8888 }) {
            return (config, cv_GBM_FORMAT_ABGR8888, false)
        }
        if let config = candidates.first(where: { visual($0) == cv_GBM_FORMAT_ARGB8888 }) {
            return (config, cv_GBM_FORMAT_ARGB8888, true)
        }
        throw CameraViewError.egl(operation: "eglChooseConfig: no ABGR8888/ARGB8888 window config", code: EGL_BAD_MATCH)
    }

    func closeSurface(_ objects: SurfaceObjects) {
        state.withLock { state in
            guard state.surfaces.removeValue(forKey: ObjectIdentifier(objects)) != nil else { return }
            device.core.tearingDown(handles.owner) { objects.release(in: $0) }
        }
    }
}
