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
        // Each access that started is ended, then every mapping unmapped, however this ends.
        let mappings = OwnerGroup()
        var started: [Int32] = []
        defer {
            for fd in started.reversed() { endAccess(fd) }
            mappings.release(in: .contextLost)
        }
        let luma = try map(frame.luma, length: lumaLength, into: mappings, table: table)
        started.append(frame.luma.fd)
        var chromaBase = UnsafeRawPointer(luma.baseAddress!)
        if frame.chroma.fd != frame.luma.fd || chromaLength > luma.count {
            chromaBase = UnsafeRawPointer(try map(frame.chroma, length: chromaLength, into: mappings, table: table).baseAddress!)
            started.append(frame.chroma.fd)
        }
        return try body(UnsafeRawPointer(luma.baseAddress!) + frame.luma.offset, chromaBase + frame.chroma.offset)
    }

    /// Maps `length` bytes of the plane's buffer (validated to be that long) into
    /// `mappings` and starts the CPU access.
    private static func map(_ plane: DmaBufPlane, length: Int, into mappings: OwnerGroup, table: HandleTable) throws -> UnsafeMutableRawBufferPointer {
        let length = min(max(length, 1), try plane.bufferSize())
        let mapping = mappings.adopt(try table.create(.map(plane.fd, length: length, shared: true, what: "fd \(plane.fd)")))
        try FaultInjection.step(operation: "DMA_BUF_IOCTL_SYNC", kind: .memoryMapping)
        try sync(plane.fd, DMA_BUF_SYNC_START)
        return mapping
    }

    private static func endAccess(_ fd: Int32) {
        do {
            try sync(fd, DMA_BUF_SYNC_END)
        } catch {
            log.warning("ending the CPU access to a dma-buf: \(error)")
        }
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
