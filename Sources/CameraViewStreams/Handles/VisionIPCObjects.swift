import CEGL
import CVisionIPC
import CameraView
import Glibc

/// A SIGBUS guard over a mapping another process may truncate (see visionipc_shim.h):
/// its slot in the guard table, freed at release.
enum FaultGuardKind: UnboundKind {
    static let kind = HandleKind.faultGuard
    static func reported(_ slot: Int32) -> UInt64 { UInt64(slot) }
    static func destroy(_ slot: Int32, display: EGLDisplay?) -> String? {
        cvipc_fault_guard_remove(slot)
        return nil
    }
}
typealias OwnedFaultGuard = Owned<FaultGuardKind>

extension Creation where Kind == FaultGuardKind {
    /// Guards `range` (a mapping whose owner unmaps it after releasing the guard); after a
    /// fault its zero pages are `writable` when the mapping was.
    static func guarding(_ range: UnsafeMutableRawBufferPointer, writable: Bool = false, what: String) -> Creation {
        Creation("SIGBUS guard") { _ in
            let slot = cvipc_fault_guard_add(range.baseAddress, range.count, writable ? 1 : 0)
            guard slot >= 0 else { throw CameraViewError.io(operation: "SIGBUS guard", path: what, errno: ENOSPC) }
            return slot
        }
    }
}

extension Creation where Kind == FDKind {
    /// A non-blocking Unix seqpacket socket connecting to `path` (a VisionIPC server's
    /// control socket): connected, or (EINPROGRESS) on its way. ENOENT (no server yet),
    /// ECONNREFUSED (a socket file its killed server left) and EAGAIN (a server that does
    /// not accept: its backlog is full) are thrown as `io` errors with that errno, for the
    /// caller to tell "absent" from "busy" from "broken"; nothing was sent then.
    static func seqpacketConnection(to path: String) -> Creation {
        Creation("connect \(path)") { _ in
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw CameraViewError.io(operation: "connect", path: path, errno: ENAMETOOLONG)
            }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let flags = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
            let fd = socket(AF_UNIX, flags, 0)
            guard fd >= 0 else { throw CameraViewError.io(operation: "socket", path: path, errno: errno) }
            var connected: Int32
            repeat {
                connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
            } while connected != 0 && errno == EINTR
            guard connected == 0 || errno == EINPROGRESS else {
                let error = errno
                close(fd)
                throw CameraViewError.io(operation: "connect", path: path, errno: error)
            }
            return fd
        }
    }

    /// An fd that arrived in an SCM_RIGHTS message: it is ours from the moment recvmsg
    /// returned, and recorded as such. `taken` says whether the ledger took it (a creation
    /// that failed before that leaves the fd to the caller to close).
    fileprivate static func received(_ fd: Int32, taken: Locked<Bool>) -> Creation {
        Creation("SCM_RIGHTS") { _ in
            taken.withLock { $0 = true }
            return fd
        }
    }
}

/// One message from a seqpacket socket: its bytes and the fds that came with it, each
/// adopted into `objects` (recorded in the table given) before anything else can fail.
/// Whoever takes the message takes `objects` over (or releases it).
struct ReceivedMessage {
    let bytes: [UInt8]
    let fds: [Int32]
    let objects: OwnerGroup
    /// The message or its control data did not fit the room asked for (bytes or fds lost).
    let truncated: Bool
}

/// Receives one message of at most `capacity` bytes with room for `maximumFDs` fds, from
/// a socket that poll() says is readable. A closed connection returns an empty message.
func receiveMessage(on socket: Int32, capacity: Int, maximumFDs: Int, table: HandleTable, what: String) throws -> ReceivedMessage {
    var bytes = [UInt8](repeating: 0, count: capacity)
    var control = [UInt8](repeating: 0, count: cvipc_scm_rights_space(Int32(maximumFDs)))
    var raw = [Int32](repeating: -1, count: maximumFDs)
    let (received, count, truncated): (Int, Int, Bool) = bytes.withUnsafeMutableBytes { data in
        control.withUnsafeMutableBytes { control in
            var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
            return withUnsafeMutablePointer(to: &vector) { vector in
                var message = msghdr()
                (message.msg_iov, message.msg_iovlen) = (vector, 1)
                (message.msg_control, message.msg_controllen) = (control.baseAddress, control.count)
                var result: Int
                repeat { result = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC) | Int32(MSG_DONTWAIT)) } while result < 0 && errno == EINTR
                guard result >= 0 else { return (-Int(errno), 0, false) }
                let count = raw.withUnsafeMutableBufferPointer { Int(cvipc_scm_rights_fds(&message, $0.baseAddress, Int32(maximumFDs))) }
                return (result, count, cvipc_message_truncated(&message) != 0)
            }
        }
    }
    guard received >= 0 else {
        // ECONNRESET: the server went away mid-answer.
        throw CameraViewError.io(operation: "recvmsg", path: what, errno: Int32(-received))
    }
    // Each fd is ours from recvmsg on: recorded one by one, and those a failed recording
    // leaves unrecorded closed here (the ledger closes what it took, even when a failure
    // after admission released it).
    var unrecorded = raw.prefix(count)
    defer { unrecorded.forEach { close($0) } }
    let (objects, adopted) = try OwnerGroup.building(.contextLost) { objects in
        var adopted: [Int32] = []
        while let fd = unrecorded.first {
            let taken = Locked(false)
            defer { if taken.withLock({ $0 }) { unrecorded.removeFirst() } }
            adopted.append(objects.adopt(try table.create(.received(fd, taken: taken))))
        }
        return adopted
    }
    return ReceivedMessage(bytes: Array(bytes.prefix(received)), fds: adopted, objects: objects, truncated: truncated)
}

/// Sends `bytes` as one message (a VisionIPC request) without waiting: false when the
/// socket cannot take it yet (EAGAIN: nothing was sent).
func sendMessage(_ bytes: [UInt8], on socket: Int32, what: String) throws -> Bool {
    var sent: Int
    repeat {
        sent = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
    } while sent < 0 && errno == EINTR
    if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return false }
    guard sent == bytes.count else { throw CameraViewError.io(operation: "send", path: what, errno: sent < 0 ? errno : EMSGSIZE) }
    return true
}

/// What an fd is, read off /proc/self/fd: dma-bufs link to "/dmabuf:..." (or
/// "anon_inode:dmabuf"), shm files to their /dev/shm path.
func isDmaBuf(_ fd: Int32) -> Bool {
    var target = [CChar](repeating: 0, count: 256)
    let length = readlink("/proc/self/fd/\(fd)", &target, target.count - 1)
    guard length > 0 else { return false }
    let name = String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.hasPrefix("/dmabuf:") || name.hasPrefix("anon_inode:dmabuf")
}
