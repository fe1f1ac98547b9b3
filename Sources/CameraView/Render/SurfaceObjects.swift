import CEGL
import Glibc

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
            let gbmSurface = objects.adopt(try table.create(.gbmSurface(on: gbm, width: size.width, height: size.height, format: format, usage: UInt32(GBM_BO_USE_RENDERING.rawValue))))
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
