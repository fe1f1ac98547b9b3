import CEGL
import Glibc

/// The fallback when a device cannot import dma-bufs: map each plane's buffer read-only,
/// bracket the CPU access with DMA_BUF_IOCTL_SYNC, and hand the addresses to an upload.
enum MappedDmaBuf {
    static func withPlanes<Result>(
        of frame: DmaBufFrame, _ body: (_ luma: UnsafeRawPointer, _ chroma: UnsafeRawPointer) throws -> Result
    ) throws -> Result {
        let luma = try Mapping(plane: frame.luma, length: frame.luma.offset + frame.luma.pitch * frame.height)
        defer { luma.unmap() }
        let chromaLength = frame.chroma.offset + frame.chroma.pitch * ((frame.height + 1) / 2)
        let chroma = frame.chroma.fd == frame.luma.fd && chromaLength <= luma.length
            ? nil : try Mapping(plane: frame.chroma, length: chromaLength)
        defer { chroma?.unmap() }
        let chromaBase = chroma?.base ?? luma.base
        return try body(luma.base + frame.luma.offset, chromaBase + frame.chroma.offset)
    }

    private struct Mapping {
        let fd: Int32
        let base: UnsafeRawPointer
        let length: Int

        init(plane: DmaBufPlane, length: Int) throws {
            // Validated: the buffer is at least this long (lseek), so the mapping is whole.
            let size = Int(lseek(plane.fd, 0, SEEK_END))
            let length = min(max(length, 1), size)
            guard let address = mmap(nil, length, PROT_READ, MAP_SHARED, plane.fd, 0), address != MAP_FAILED else {
                throw CameraViewError.io(operation: "mmap", path: "fd \(plane.fd)", errno: errno)
            }
            (self.fd, self.base, self.length) = (plane.fd, UnsafeRawPointer(address), length)
            try sync(DMA_BUF_SYNC_START)
        }

        func unmap() {
            try? sync(DMA_BUF_SYNC_END)
            munmap(UnsafeMutableRawPointer(mutating: base), length)
        }

        /// Tells the exporter the CPU reads now (or is done). Plain memory (a memfd) has no
        /// such ioctl and needs none: ENOTTY is fine.
        private func sync(_ phase: Int32) throws {
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
}
