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
    /// Guards `range` (a mapping whose owner unmaps it after releasing the guard).
    static func guarding(_ range: UnsafeMutableRawBufferPointer, what: String) -> Creation {
        Creation("SIGBUS guard") { _ in
            let slot = cvipc_fault_guard_add(range.baseAddress, range.count)
            guard slot >= 0 else { throw CameraViewError.io(operation: "SIGBUS guard", path: what, errno: ENOSPC) }
            return slot
        }
    }
}

extension Creation where Kind == FDKind {
    /// A Unix seqpacket socket connected to `path` (a VisionIPC server's control socket).
    /// ENOENT (no server yet) and ECONNREFUSED (a socket file its killed server left) are
    /// thrown as `io` errors with that errno, for the caller to tell "absent" from "broken".
    static func seqpacketConnection(to path: String) -> Creation {
        Creation("connect \(path)") { _ in
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw CameraViewError.io(operation: "connect", path: path, errno: ENAMETOOLONG)
            }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw CameraViewError.io(operation: "socket", path: path, errno: errno) }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else {
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
/// adopted into `group` (recorded in `table`) before anything else can fail.
struct ReceivedMessage {
    let bytes: [UInt8]
    let fds: [Int32]
    /// The control data did not fit (more than the room asked for): fds were lost.
    let controlTruncated: Bool
}

/// Receives one message of at most `capacity` bytes with room for `maximumFDs` fds,
/// waiting at most `timeoutMilliseconds` (then ETIMEDOUT). A closed connection returns an
/// empty message.
func receiveMessage(
    on socket: Int32, capacity: Int, maximumFDs: Int, timeoutMilliseconds: Int32, table: HandleTable, group: OwnerGroup, what: String
) throws -> ReceivedMessage {
    var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
    var ready: Int32
    repeat { ready = poll(&poller, 1, timeoutMilliseconds) } while ready < 0 && errno == EINTR
    guard ready >= 0 else { throw CameraViewError.io(operation: "poll", path: what, errno: errno) }
    guard ready > 0 else { throw CameraViewError.io(operation: "poll (no answer)", path: what, errno: ETIMEDOUT) }
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
                repeat { result = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC)) } while result < 0 && errno == EINTR
                guard result >= 0 else { return (-Int(errno), 0, false) }
                let count = raw.withUnsafeMutableBufferPointer { Int(cvipc_scm_rights_fds(&message, $0.baseAddress, Int32(maximumFDs))) }
                return (result, count, cvipc_message_truncated_control(&message) != 0)
            }
        }
    }
    guard received >= 0 else {
        // ECONNRESET: the server went away mid-answer.
        throw CameraViewError.io(operation: "recvmsg", path: what, errno: Int32(-received))
    }
    var adopted: [Int32] = []
    for (position, fd) in raw.prefix(count).enumerated() {
        let taken = Locked(false)
        do {
            adopted.append(group.adopt(try table.create(.received(fd, taken: taken))))
        } catch {
            // The ledger closes what it took (a failure after admission released it).
            let unrecorded = raw[(taken.withLock { $0 } ? position + 1 : position)..<count]
            for fd in unrecorded { close(fd) }
            throw error
        }
    }
    return ReceivedMessage(bytes: Array(bytes.prefix(received)), fds: adopted, controlTruncated: truncated)
}

/// Sends `bytes` as one message (a VisionIPC request).
func sendMessage(_ bytes: [UInt8], on socket: Int32, what: String) throws {
    var sent: Int
    repeat { sent = bytes.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } } while sent < 0 && errno == EINTR
    guard sent == bytes.count else { throw CameraViewError.io(operation: "send", path: what, errno: sent < 0 ? errno : EMSGSIZE) }
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
