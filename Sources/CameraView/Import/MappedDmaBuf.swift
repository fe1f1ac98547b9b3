import CEGL
import Glibc

/// The fallback when a device cannot import dma-bufs: map each plane's buffer read-only
/// (each mapping an owner in the view's table), bracket the CPU access with
/// DMA_BUF_IOCTL_SYNC, and hand the addresses to an upload.
enum MappedDmaBuf {
    static func withPlanes<Result>(
        of frame: DmaBufFrame, table: HandleTable,
        _ body: (_ luma: UnsafeRawPointer, _ chroma: UnsafeRawPointer) throws -> Result
    ) throws -> Result {
        let (lumaLength, chromaLength) = try frame.planeEnds()
        let luma = try map(frame.luma, length: lumaLength, table: table)
        let lumaBase = UnsafeRawPointer(luma.raw.baseAddress!)
        var chroma: OwnedMapping?
        do {
            if frame.chroma.fd != frame.luma.fd || chromaLength > luma.raw.count {
                chroma = try map(frame.chroma, length: chromaLength, table: table)
            }
        } catch {
            unmap(luma, fd: frame.luma.fd)
            throw error
        }
        let chromaBase = chroma?.raw.baseAddress.map(UnsafeRawPointer.init) ?? lumaBase
        let result: Result
        do {
            result = try body(lumaBase + frame.luma.offset, chromaBase + frame.chroma.offset)
        } catch {
            if let chroma = chroma.take() { unmap(chroma, fd: frame.chroma.fd) }
            unmap(luma, fd: frame.luma.fd)
            throw error
        }
        if let chroma = chroma.take() { unmap(chroma, fd: frame.chroma.fd) }
        unmap(luma, fd: frame.luma.fd)
        return result
    }

    /// Maps `length` bytes of the plane's buffer (validated to be that long) and starts
    /// the CPU access; a failed start unmaps again.
    private static func map(_ plane: DmaBufPlane, length: Int, table: HandleTable) throws -> OwnedMapping {
        let length = min(max(length, 1), try plane.bufferSize())
        let mapping = try table.create(.map(plane.fd, length: length, shared: true, what: "fd \(plane.fd)"))
        do {
            try FaultInjection.step(operation: "DMA_BUF_IOCTL_SYNC", kind: .memoryMapping)
            try sync(plane.fd, DMA_BUF_SYNC_START)
        } catch {
            mapping.release()
            throw error
        }
        return mapping
    }

    private static func unmap(_ mapping: consuming OwnedMapping, fd: Int32) {
        do {
            try sync(fd, DMA_BUF_SYNC_END)
        } catch {
            log.warning("ending the CPU access to a dma-buf: \(error)")
        }
        mapping.release()
    }

    /// Tells the exporter the CPU reads now (or is done). Plain memory (a memfd) has no
    /// such ioctl and needs none: ENOTTY is fine.
    private static func sync(_ fd: Int32, _ phase: Int32) throws {
        var request = dma_buf_sync(flags: UInt64(phase | DMA_BUF_SYNC_READ))
        var result: Int32
        repeat {
            result = ioctl(fd, cv_DMA_BUF_IOCTL_SYNC, &request)
        } while result != 0 && (errno == EINTR || errno == EAGAIN)
        guard result == 0 || errno == ENOTTY else {
            throw CameraViewError.io(operation: "DMA_BUF_IOCTL_SYNC", path: "fd \(fd)", errno: errno)
        }
    }
}
