@testable import CameraView
import CEGL
import Foundation
import Testing

/// Ledger defects that only internal calls can reach.
@Suite(.ledgerChecked) struct LedgerInternalsTests {
    /// An error left pending by an earlier unchecked call must not make a name generation
    /// throw: the name exists, so it must be recorded (and released), not lost.
    @Test func aStaleGLErrorDoesNotThrowAwayAGeneratedName() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let table = HandleTable(owner: "test")
        try device.core.withContext { scope in
            glBindTexture(0xFFFF, 0)  // GL_INVALID_ENUM, left pending
            let texture = try table.create(.texture, in: scope)
            #expect(texture.raw != 0)
            #expect(table.liveCount == 1)
            texture.release(in: scope.teardown)
        }
        #expect(table.liveCount == 0)
        #expect(table.close(in: .contextLost).isClean)
    }

    /// An owner dropped without release is reported where it was created, and its object
    /// stays recorded until a close sweeps it.
    @Test func aDroppedOwnerIsReportedAndSwept() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let table = HandleTable(owner: "test")
        let (_, findings) = try LedgerAudit.recording {
            try device.core.withContext { scope in
                _ = try table.create(.texture, in: scope)
                #expect(table.droppedOwnerCount == 1)
                #expect(table.liveCount == 1)
                #expect(table.close(in: scope.teardown).swept.map(\.kind) == [.texture])
            }
        }
        #expect(findings.droppedOwners.map(\.kind) == [.texture])
        #expect(findings.droppedOwners.first?.site.function == "aDroppedOwnerIsReportedAndSwept()")
        #expect(findings.sweptByKind == [.texture: 1])
    }

    /// A failed DMA_BUF_IOCTL_SYNC after the mmap unmaps again (it used to leak the mapping).
    @Test func aFailedSyncAfterMmapUnmaps() throws {
        let source = try TestFrames.gradient(width: 32, height: 16)
        let file = try MemoryFile(source.withUnsafeBytes { [UInt8]($0) })
        let frame = DmaBufFrame(fd: file.fd, layout: source.layout)
        let table = HandleTable(owner: "test")
        let mappingsBefore = try ProcessMaps.count(containing: "buffer-")
        let (_, injected) = FaultInjection.failing(step: 1) {
            #expect(throws: CameraViewError.self) {
                try MappedDmaBuf.withPlanes(of: frame, table: table) { _, _ in Issue.record("the body ran after a failed sync") }
            }
        }
        #expect(injected)
        #expect(table.liveCount == 0)
        #expect(try ProcessMaps.count(containing: "buffer-") == mappingsBefore, "the mapping is gone from the process")
    }

    /// A deletion that glDelete* would ignore silently (run where the current context does
    /// not know the object, a bug of the caller's scope) is reported as failed, not as done.
    @Test func aDeletionInAContextThatDoesNotKnowTheObjectIsAFailure() throws {
        let device = try RenderDevice.open()
        defer { device.close() }
        let host = try TestHost(displayOwner: device, size: PixelSize(width: 4, height: 4))
        defer { host.destroy() }
        let table = HandleTable(owner: "test")
        let (_, findings) = try LedgerAudit.recording {
            try device.core.withContext { scope in
                let program = try table.create(.program, in: scope)
                host.makeCurrent()  // the scope's context is no longer the current one
                program.release(in: scope.teardown)
            }
        }
        #expect(findings.failedDeletions.map(\.record.kind) == [.program])
        #expect(findings.failedDeletions.first?.reason.contains("is no object of the current context") == true, "\(findings)")
    }

    /// The cache behind the dma-buf importer and the buffer-access verdicts, fed 10,000
    /// distinct buffer indices as a producer with an ever-growing index would: each new
    /// index dups an fd as the importer does, and what is kept (fds, live handles) never
    /// exceeds the cache's capacity; the least recently used entry goes first.
    @Test func tenThousandDistinctBufferIndicesKeepABoundedSet() throws {
        let table = HandleTable(owner: "test")
        var cache = RecentlyUsedCache<Int, OwnerBox<FDKind>>(capacity: DmaBufImporter.capacity)
        var mostLive = 0
        for index in 0..<10_000 {
            if index % 3 == 0 { _ = cache.value(for: 0) }  // buffer 0 keeps being drawn
            if cache.value(for: index) == nil {
                for evicted in cache.insert(OwnerBox(try table.create(.duplicate(STDIN_FILENO))), for: index) { evicted.release() }
            }
            mostLive = max(mostLive, table.liveCount)
        }
        #expect(mostLive == DmaBufImporter.capacity, "at most one fd per cached buffer")
        #expect(cache.value(for: 0) != nil, "the buffer in steady use is never the one evicted")
        #expect(cache.value(for: 9_999) != nil && cache.value(for: 1) == nil)
        for entry in cache.removeAll() { entry.release() }
        #expect(table.close(in: .contextLost).isClean)
    }
}

/// Lines of /proc/self/maps: an independent view of what is mapped.
enum ProcessMaps {
    static func count(containing text: String) throws -> Int {
        try String(contentsOfFile: "/proc/self/maps", encoding: .utf8).split(separator: "\n").count { $0.contains(text) }
    }
}
