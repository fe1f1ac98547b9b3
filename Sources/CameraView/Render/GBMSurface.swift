import CEGL
import Glibc

/// A render target made of a gbm_surface and an EGL window surface on the GBM platform:
/// a render target (`RenderTarget.surface` reads the front buffer back,
/// `RenderTarget.exporting` hands it out as a dma-buf).
/// Its objects are owned by a `SurfaceObjects` that the view keeps (so the view's close
/// releases them too); `close()` releases them now. Holds its keeper (the view) strongly;
/// the view holds only the objects, so there is no cycle.
public final class GBMSurface: Sendable {
    public let size: PixelSize
    private let keeper: any SurfaceKeeper
    let objects: SurfaceObjects

    init(keeper: any SurfaceKeeper, size: PixelSize, objects: SurfaceObjects) {
        (self.keeper, self.size, self.objects) = (keeper, size, objects)
    }

    /// Destroys the EGL and GBM surfaces. Idempotent.
    public func close() { keeper.closeSurface(objects) }

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

/// What keeps a surface's objects (a view, which releases them at its close too): a
/// surface's own `close()` goes back to it.
protocol SurfaceKeeper: AnyObject, Sendable {
    func closeSurface(_ objects: SurfaceObjects)
}
