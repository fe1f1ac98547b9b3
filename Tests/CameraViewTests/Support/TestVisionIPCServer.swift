@testable import CameraViewStreams
import CameraView
import Foundation
import Glibc

/// A VisionIPC server inside the test process, for tests that need one in Swift (the
/// Python suite runs openpilot's own): a control socket answered on a thread of its own
/// with 112-byte records and the buffers' fds in one SCM_RIGHTS message, buffers of
/// `layout` plus the frame-id trailer (shm files, or the caller's dma-bufs), and msgq's
/// queue (QueueWriter).
final class TestVisionIPCServer: @unchecked Sendable {
    let name: String
    let stream = VisionStreamType.driver
    let layout: NV12Layout
    private let fds: [Int32]
    /// The buffers' own files, when the server made them (kept open while it serves).
    private let files: [MemoryFile]
    /// Each buffer's last page mapped for its trailer (at `layout.bufferSize`), and where;
    /// read-only for buffers exported read-only (GBM's dma-bufs): their frames then carry
    /// the id their trailer already holds.
    private let mappings: [UnsafeMutableRawBufferPointer]
    private var writable = true
    private let trailerOffset: Int
    private let queue: QueueWriter
    private let listener: Int32
    private let serverID = UInt64.random(in: 1 ... .max)
    private var published = 0
    private let connectionsInFlight = Locked(0)

    /// Serves `count` shm buffers holding `frame`.
    convenience init(frame: NV12Frame, buffers count: Int = 3) throws {
        let bytes = frame.withOwnBytes { [UInt8]($0) } + [UInt8](repeating: 0, count: 8)
        try self.init(layout: frame.layout, files: (0..<count).map { _ in try MemoryFile(bytes) })
    }

    /// Serves the caller's buffers (dma-bufs, say): each fd at least `layout.bufferSize + 8`
    /// bytes, and open while the server runs.
    convenience init(layout: NV12Layout, dmaBufs fds: [Int32]) throws {
        try self.init(layout: layout, fds: fds, files: [])
    }

    private convenience init(layout: NV12Layout, files: [MemoryFile]) throws {
        try self.init(layout: layout, fds: files.map(\.fd), files: files)
    }

    private init(layout: NV12Layout, fds: [Int32], files: [MemoryFile]) throws {
        name = "cvswift\(getpid())x\(UUID().uuidString.prefix(8))"
        (self.layout, self.fds, self.files) = (layout, fds, files)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = layout.bufferSize / page * page
        trailerOffset = layout.bufferSize - start
        var writable = true
        mappings = try fds.map { fd in
            let length = layout.bufferSize + 8 - start
            var address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off_t(start))
            if address == MAP_FAILED && errno == EACCES {
                writable = false
                address = mmap(nil, length, PROT_READ, MAP_SHARED, fd, off_t(start))
            }
            guard let address, address != MAP_FAILED else { throw CameraViewError.io(operation: "mmap", path: "buffer", errno: errno) }
            return UnsafeMutableRawBufferPointer(start: address, count: length)
        }
        self.writable = writable
        queue = try QueueWriter(path: VisionIPCEndpoint(server: name, prefix: nil).queuePath(stream), slots: 25)
        let path = VisionIPCEndpoint(server: name, prefix: nil).controlSocketPath
        listener = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw CameraViewError.io(operation: "bind", path: path, errno: errno) }
        let thread = Thread { [listener, unowned self] in
            while true {
                var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&waiting, 1, -1) > 0, waiting.revents & Int16(POLLIN) != 0 else { return }
                // Counted before accept, so `waitUntilIdle` never sees the gap between a
                // connection leaving the backlog and its fd existing here.
                self.connectionsInFlight.withLock { $0 += 1 }
                let connection = accept(listener, nil, nil)
                if connection >= 0 {
                    self.answer(connection)
                    close(connection)
                }
                self.connectionsInFlight.withLock { $0 -= 1 }
                guard connection >= 0 else { return }
            }
        }
        thread.start()
    }

    /// Waits (up to a second) until no connection is waiting or being answered: the
    /// server's own fds are gone, for a caller that counts the process's fds.
    func waitUntilIdle() {
        for _ in 0..<1000 {
            var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let pending = poll(&waiting, 1, 0) > 0
            if !pending && connectionsInFlight.withLock({ $0 }) == 0 { return }
            usleep(1000)
        }
    }

    /// Stops answering and removes the socket and queue (its threads' accept fails).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(VisionIPCEndpoint(server: name, prefix: nil).controlSocketPath)
        queue.remove()
        for mapping in mappings { munmap(mapping.baseAddress, mapping.count) }
    }

    /// Publishes the buffers' frame (again): the next buffer, its trailer, a packet.
    func publish() {
        let index = published % fds.count
        var id = UInt64(published)
        if writable {
            mappings[index].storeBytes(of: id, toByteOffset: trailerOffset, as: UInt64.self)
        } else {
            id = mappings[index].loadUnaligned(fromByteOffset: trailerOffset, as: UInt64.self)
        }
        var packet = [UInt8](repeating: 0, count: 48)
        for (offset, value) in [(0, serverID), (8, UInt64(index)), (16, id)] {
            withUnsafeBytes(of: value) { packet.replaceSubrange(offset..<offset + 8, with: $0) }
        }
        queue.send(packet)
        published += 1
    }

    private func answer(_ connection: Int32) {
        var request: UInt32 = 0
        guard recv(connection, &request, 4, 0) == 4, request == stream.rawValue else { return }
        var records: [UInt8] = []
        for index in fds.indices {
            var record = [UInt8](repeating: 0, count: 112)
            let fields: [(Int, UInt64)] = [
                (0, UInt64(layout.bufferSize)), (8, UInt64(layout.bufferSize + 8)), (40, UInt64(layout.width)),
                (48, UInt64(layout.height)), (56, UInt64(layout.yStride)), (64, UInt64(layout.uvOffset)),
                (88, serverID), (96, UInt64(index)), (104, UInt64(stream.rawValue)),
            ]
            for (offset, value) in fields { withUnsafeBytes(of: value) { record.replaceSubrange(offset..<offset + 8, with: $0) } }
            records += record
        }
        // One SCM_RIGHTS control message (cmsghdr: len, level, type; then the fds).
        var control = [UInt8](repeating: 0, count: cvipc_scm_rights_space(Int32(fds.count)))
        withUnsafeBytes(of: MemoryLayout<cmsghdr>.size + 4 * fds.count) { control.replaceSubrange(0..<8, with: $0) }
        withUnsafeBytes(of: Int32(SOL_SOCKET)) { control.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: Int32(SCM_RIGHTS)) { control.replaceSubrange(12..<16, with: $0) }
        fds.withUnsafeBytes { control.replaceSubrange(16..<16 + $0.count, with: $0) }
        records.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { control in
                var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                var message = msghdr()
                withUnsafeMutablePointer(to: &vector) { vector in
                    (message.msg_iov, message.msg_iovlen) = (vector, 1)
                    (message.msg_control, message.msg_controllen) = (control.baseAddress, control.count)
                    _ = sendmsg(connection, &message, 0)
                }
            }
        }
    }
}

import CVisionIPC
