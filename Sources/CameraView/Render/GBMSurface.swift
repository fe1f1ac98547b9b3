import CEGL
import Glibc

/// A render target made of a gbm_surface and an EGL window surface on the GBM platform:
/// render, swap, lock the front buffer, then read it back or hand it out as a dma-buf.
/// Its objects live in the owning view's table; `close()` (or the view's close) destroys
/// them. Holds its view strongly; the view holds only the records, so there is no cycle.
public final class GBMSurface: Sendable {
    public let size: PixelSize
    private let view: CameraView
    let records: SurfaceRecords

    struct SurfaceRecords: Sendable, Hashable {
        let gbmSurface: HandleRecord
        let eglSurface: HandleRecord
        /// The buffer format: ABGR8888 is RGBA in memory; ARGB8888 is BGRA.
        let bgra: Bool
    }

    init(view: CameraView, size: PixelSize, records: SurfaceRecords) {
        (self.view, self.size, self.records) = (view, size, records)
    }

    /// Renders `frame` into the surface and reads the front buffer back.
    public func render(_ frame: NV12Frame, options: RenderOptions = RenderOptions()) throws -> RGBAImage {
        try view.renderToSurface(self, frame: frame, options: options) { bo in
            try Self.read(bo, size: size, bgra: records.bgra)
        }
    }

    /// Renders `frame` and hands the front buffer out as a dma-buf: the fd is recorded in
    /// the view's table until the returned buffer is closed. Its content is valid until the
    /// next render to this surface.
    public func renderAndExport(_ frame: NV12Frame, options: RenderOptions = RenderOptions()) throws -> ExportedBuffer {
        try view.renderToSurface(self, frame: frame, options: options) { bo in
            let record = try view.handles.create(.fd, operation: "gbm_bo_get_fd", file: #fileID, line: #line, function: #function) {
                let fd = gbm_bo_get_fd(bo)
                guard fd >= 0 else { throw CameraViewError.io(operation: "gbm_bo_get_fd", path: "front buffer", errno: errno) }
                return UInt64(fd)
            }
            return ExportedBuffer(record: record, stride: Int(gbm_bo_get_stride(bo)), size: size, view: view)
        }
    }

    /// Destroys the EGL and GBM surfaces. Idempotent.
    public func close() { view.closeSurface(records) }

    private static func read(_ bo: OpaquePointer, size: PixelSize, bgra: Bool) throws -> RGBAImage {
        var rowPitch: UInt32 = 0
        var mapData: UnsafeMutableRawPointer?
        guard let map = gbm_bo_map(bo, 0, 0, UInt32(size.width), UInt32(size.height), UInt32(GBM_BO_TRANSFER_READ.rawValue), &rowPitch, &mapData) else {
            throw CameraViewError.io(operation: "gbm_bo_map", path: "front buffer", errno: errno)
        }
        defer { gbm_bo_unmap(bo, mapData) }
        var pixels = [UInt8](repeating: 0, count: size.width * size.height * 4)
        pixels.withUnsafeMutableBytes { out in
            for row in 0..<size.height {
                (out.baseAddress! + row * size.width * 4).copyMemory(from: map + row * Int(rowPitch), byteCount: size.width * 4)
            }
        }
        if bgra {
            for index in stride(from: 0, to: pixels.count, by: 4) { pixels.swapAt(index, index + 2) }
        }
        return try RGBAImage(width: size.width, height: size.height, pixels: pixels)
    }
}

/// A rendered front buffer handed out as a dma-buf fd (owned by the view's table until
/// `close()`).
public final class ExportedBuffer: Sendable {
    public let stride: Int
    public let size: PixelSize
    private let record: HandleRecord
    private let view: CameraView

    public var fd: Int32 { Int32(record.raw) }

    init(record: HandleRecord, stride: Int, size: PixelSize, view: CameraView) {
        (self.record, self.stride, self.size, self.view) = (record, stride, size, view)
    }

    /// Closes the fd. Idempotent.
    public func close() { view.handles.release(record, using: view.device.core.destroyer) }
}

extension CameraView {
    /// Makes a GBM render target of `size` on this view's device (the GBM platform only).
    public func makeGBMSurface(size: PixelSize) throws -> GBMSurface {
        let core = device.core
        guard let gbm = core.gbmDevice else {
            throw CameraViewError.needsGBMPlatform(what: "GBM surfaces", platform: device.platform)
        }
        guard size.width > 0, size.height > 0 else { throw CameraViewError.invalidOutputSize(width: size.width, height: size.height) }
        let (config, format, bgra) = try Self.windowConfig(display: core.display)
        let gbmSurface = try handles.create(.gbmSurface, operation: "gbm_surface_create", file: #fileID, line: #line, function: #function) {
            guard let surface = gbm_surface_create(gbm, UInt32(size.width), UInt32(size.height), format, UInt32(GBM_BO_USE_RENDERING.rawValue)) else {
                throw CameraViewError.io(operation: "gbm_surface_create", path: "\(size)", errno: errno)
            }
            return UInt64(pointer: surface)
        }
        do {
            let eglSurface = try handles.create(.eglSurface, operation: "eglCreatePlatformWindowSurface", file: #fileID, line: #line, function: #function) {
                let native = UnsafeMutableRawPointer(bitPattern: UInt(gbmSurface.raw))
                guard let surface = eglCreatePlatformWindowSurface(core.display, config, native, nil) else {
                    throw CameraViewError.egl(operation: "eglCreatePlatformWindowSurface", code: eglGetError())
                }
                return UInt64(pointer: surface)
            }
            let records = GBMSurface.SurfaceRecords(gbmSurface: gbmSurface, eglSurface: eglSurface, bgra: bgra)
            try registerSurface(records)
            return GBMSurface(view: self, size: size, records: records)
        } catch {
            handles.release(gbmSurface, using: core.destroyer)
            throw error
        }
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

    private func registerSurface(_ records: GBMSurface.SurfaceRecords) throws {
        try state.withLock { state in
            guard state.vertexArray != nil else { throw CameraViewError.closed }
            state.surfaces.insert(records)
        }
    }

    func closeSurface(_ records: GBMSurface.SurfaceRecords) {
        let wasOpen = state.withLock { $0.surfaces.remove(records) != nil }
        if wasOpen { ViewState.release(records, table: handles, destroyer: device.core.destroyer) }
    }

    /// Draws into the surface, swaps, and hands the locked front buffer to `use` before
    /// releasing it back to the surface.
    func renderToSurface<Result>(
        _ surface: GBMSurface, frame: NV12Frame, options: RenderOptions, use: (OpaquePointer) throws -> Result
    ) throws -> Result {
        let eglSurface = UnsafeMutableRawPointer(bitPattern: UInt(surface.records.eglSurface.raw))!
        let gbmSurface = OpaquePointer(bitPattern: UInt(surface.records.gbmSurface.raw))
        let size = PixelSize(width: frame.layout.width, height: frame.layout.height)
        return try render(
            size: size, color: frame.color, options: options,
            destination: .window(surface.records, size: surface.size),
            prepare: { try upload(frame, into: &$0) },
            finish: { _, _ in
                guard eglSwapBuffers(device.core.display, eglSurface) == EGL_TRUE else {
                    throw CameraViewError.egl(operation: "eglSwapBuffers", code: eglGetError())
                }
                guard let bo = gbm_surface_lock_front_buffer(gbmSurface) else {
                    throw CameraViewError.io(operation: "gbm_surface_lock_front_buffer", path: "\(surface.size)", errno: errno)
                }
                defer { gbm_surface_release_buffer(gbmSurface, bo) }
                return try use(bo)
            })
    }
}
