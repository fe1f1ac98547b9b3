import CVisionIPC
import CameraView
import Glibc

/// A reader of one msgq queue (a VisionIPC stream's frame notifications), shared by every
/// source of this process on that stream: msgq readers never deregister, and the reader
/// that registers after the last free slot evicts every reader of the queue in every
/// process, so a process takes one slot per queue, not one per view, and keeps reusing
/// it across opens (see `MsgqQueues`). Registered with thread id 0: msgq's writer signals
/// each reader's thread with SIGUSR2 after every message, which kills a thread without a
/// handler; with 0 the signal fails and this reader polls.
final class MsgqQueue: @unchecked Sendable {
    let path: String
    /// The slot this process holds, and the queue's writer when it was taken.
    struct Registration: Equatable {
        let slot: Int
        let uid: UInt64
        let writeUID: UInt64
        let inode: UInt64
    }
    struct Counters {
        /// Packets skipped for a newer one (conflate), reader resets after the writer
        /// overran this reader, and times another reader's registration evicted ours.
        var skipped = 0
        var overruns = 0
        var evictions = 0
    }

    private let objects = OwnerGroup()
    private let header: UnsafeMutableRawPointer
    private let data: UnsafeMutableRawPointer
    private let segmentSize: Int
    private let readerSlots: Int
    private let fault: Int32
    private let inode: UInt64
    private struct State {
        var registration: Registration
        var sequence: UInt64 = 0
        var latest: [UInt8]?
        var counters = Counters()
        /// Bumped when the queue's writer changed (a restarted server).
        var writerEpoch = 0
    }
    private let state: Locked<State>

    /// msgq's header: three u64s, then `readerSlots` read pointers, valid flags and uids.
    static func headerSize(readerSlots: Int) -> Int { 24 + 24 * readerSlots }
    /// 25 slots in current msgq, 15 before 2026: the file's size tells which, since the ring
    /// after the header is a whole number of pages (1 MiB, 10 MiB).
    static let readerSlotLayouts = [25, 15]

    /// Maps the queue at `path` (it must exist: its server made it) and takes a slot,
    /// reusing `remembered` when it is still ours.
    init(path: String, remembered: Registration?, table: HandleTable) throws {
        self.path = path
        let fd: OwnedFD
        do {
            fd = try table.create(.open(path, flags: O_RDWR))
        } catch CameraViewError.io(_, _, let code) where code == ENOENT {
            throw CameraViewError.sourceUnavailable(name: path)
        }
        let size: Int, identity: UInt64
        do {
            (size, identity) = try fileIdentity(fd.raw, what: path)
        } catch {
            fd.release()
            throw error
        }
        guard let slots = Self.readerSlotLayouts.first(where: { size > Self.headerSize(readerSlots: $0) && (size - Self.headerSize(readerSlots: $0)) % 4096 == 0 }),
              size < Int(UInt32.max) else {
            fd.release()
            throw CameraViewError.visionIPC(server: path, problem: "a \(size)-byte queue is no msgq queue of \(Self.readerSlotLayouts) reader slots")
        }
        let mapping: UnsafeMutableRawBufferPointer
        do {
            mapping = objects.adopt(try table.create(.map(fd.raw, length: size, shared: true, writable: true, what: path)))
        } catch {
            fd.release()
            throw error
        }
        fd.release()  // the mapping keeps the file
        do {
            // A writer that truncates the file must not take the process down.
            fault = objects.adopt(try table.create(.guarding(mapping, what: path)))
        } catch {
            objects.release(in: .contextLost)
            throw error
        }
        (header, readerSlots, inode) = (mapping.baseAddress!, slots, identity)
        data = header + Self.headerSize(readerSlots: slots)
        segmentSize = size - Self.headerSize(readerSlots: slots)
        state = Locked(State(registration: Registration(slot: 0, uid: 0, writeUID: 0, inode: identity)))
        state.withLock { state in
            if let remembered, remembered.inode == identity, isStillOurs(remembered) {
                state.registration = remembered
                resetReader(remembered.slot)
            } else {
                state.registration = register()
            }
        }
    }

    /// Unmaps the queue. The slot stays registered (msgq has no way to give it back) and is
    /// reused by the next open.
    func release() -> Registration {
        objects.release(in: .contextLost)
        return state.withLock { $0.registration }
    }

    var counters: Counters { state.withLock { $0.counters } }
    /// The number of the newest packet delivered so far.
    var sequence: UInt64 { state.withLock { $0.sequence } }
    var writerEpoch: Int { state.withLock { $0.writerEpoch } }
    /// How many readers the queue has registered (all processes).
    var readerCount: Int { Int(load(0)) }
    var registration: Registration { state.withLock { $0.registration } }
    /// The fault guard saw the file shrink under the mapping.
    var faulted: Bool { cvipc_fault_guard_faulted(fault) != 0 }

    /// Whether the file at the queue's path is still the one mapped (a server restarted
    /// with the file removed makes a new one).
    var isCurrentFile: Bool {
        guard let (_, identity) = try? pathIdentity(path) else { return false }
        return identity == inode
    }

    /// The newest packet after `sequence` (each delivered packet gets the next number), or
    /// nil when none came. Conflates: older packets are skipped, as openpilot's UI reads.
    func newest(after sequence: UInt64) -> (sequence: UInt64, bytes: [UInt8])? {
        state.withLock { state in
            if let bytes = drain(&state) {
                state.sequence += 1
                state.latest = bytes
            }
            guard state.sequence > sequence, let latest = state.latest else { return nil }
            return (state.sequence, latest)
        }
    }

    // MARK: msgq's reader protocol (msgq.cc), with thread id 0.

    private func pointer(_ offset: Int) -> UnsafeMutablePointer<UInt64> {
        (header + offset).assumingMemoryBound(to: UInt64.self)
    }
    private func load(_ offset: Int) -> UInt64 { cvipc_atomic_load_u64(pointer(offset)) }
    private func store(_ offset: Int, _ value: UInt64) { cvipc_atomic_store_u64(pointer(offset), value) }
    private var writePointer: Int { 8 }
    private var writeUID: Int { 16 }
    private func readPointer(_ slot: Int) -> Int { 24 + 8 * slot }
    private func readValid(_ slot: Int) -> Int { 24 + 8 * (readerSlots + slot) }
    private func readUID(_ slot: Int) -> Int { 24 + 8 * (2 * readerSlots + slot) }

    private func isStillOurs(_ registration: Registration) -> Bool {
        registration.slot < readerSlots && load(writeUID) == registration.writeUID
            && Int(load(0)) > registration.slot && load(readUID(registration.slot)) == registration.uid
    }

    /// Takes the next slot (compare-and-swap on the reader count); when all are taken,
    /// clears them all first, as msgq's readers do (without signalling: the other readers
    /// notice at their next read).
    private func register() -> Registration {
        let uid = UInt64(UInt32.random(in: .min ... .max)) << 32  // thread id 0: never signalled
        while true {
            let current = load(0)
            guard current + 1 <= UInt64(readerSlots) else {
                store(0, 0)
                for slot in 0..<readerSlots {
                    store(readValid(slot), 0)
                    store(readUID(slot), 0)
                }
                continue
            }
            guard cvipc_atomic_cas_u64(pointer(0), current, current + 1) != 0 else { continue }
            let slot = Int(current)
            store(readValid(slot), 0)
            store(readPointer(slot), 0)
            store(readUID(slot), uid)
            resetReader(slot)
            return Registration(slot: slot, uid: uid, writeUID: load(writeUID), inode: inode)
        }
    }

    private func resetReader(_ slot: Int) {
        store(readValid(slot), 1)
        store(readPointer(slot), load(writePointer))
    }

    /// Reads up to the newest message; returns it (a copy) or nil when there was none new.
    private func drain(_ state: inout State) -> [UInt8]? {
        if load(writeUID) != state.registration.writeUID {
            // A new writer cleared every slot: register under it.
            state.writerEpoch += 1
            state.latest = nil
            state.registration = register()
        } else if load(readUID(state.registration.slot)) != state.registration.uid {
            state.counters.evictions += 1
            state.registration = register()
        }
        let slot = state.registration.slot
        var newest: [UInt8]?
        while !faulted {
            if load(readValid(slot)) == 0 {
                state.counters.overruns += 1
                resetReader(slot)
            }
            let (readCycle, readOffset) = Self.unpack(load(readPointer(slot)))
            let (_, writeOffset) = Self.unpack(load(writePointer))
            guard readOffset != writeOffset else { break }
            guard readOffset + 8 <= segmentSize else { resetReader(slot); break }
            let size = Int64(bitPattern: cvipc_atomic_load_u64((data + readOffset).assumingMemoryBound(to: UInt64.self)))
            guard load(readValid(slot)) != 0 else { continue }
            if size == -1 {
                // The writer wrapped: the next message is at the start of the next cycle.
                store(readPointer(slot), Self.pack(readCycle &+ 1, 0))
                continue
            }
            guard size > 0, Int(size) <= segmentSize - readOffset - 8 else {
                // Not a message: the writer overran us between our reads. Start again at its pointer.
                resetReader(slot)
                continue
            }
            let next = (readOffset + 8 + Int(size) + 7) & ~7
            if next != writeOffset {
                state.counters.skipped += 1
                store(readPointer(slot), Self.pack(readCycle, next))
                continue
            }
            cvipc_atomic_fence()
            let bytes = [UInt8](UnsafeRawBufferPointer(start: data + readOffset + 8, count: Int(size)))
            cvipc_atomic_fence()
            store(readPointer(slot), Self.pack(readCycle, next))
            // Overwritten while copied: drop the copy and catch up.
            guard load(readValid(slot)) != 0 else { continue }
            newest = bytes
            break
        }
        return newest
    }

    private static func unpack(_ value: UInt64) -> (cycle: UInt32, offset: Int) {
        (UInt32(truncatingIfNeeded: value >> 32), Int(value & 0xffff_ffff))
    }

    private static func pack(_ cycle: UInt32, _ offset: Int) -> UInt64 { UInt64(cycle) << 32 | UInt64(offset) }
}

/// The process's queue readers: one per queue path while any source uses it, and the slot
/// each had, reused when the queue is opened again (so 10,000 views opened and closed in
/// turn hold one slot, not 10,000).
enum MsgqQueues {
    /// The queues' mappings, fds and fault guards.
    static let table = HandleTable(owner: "VisionIPC queues")
    private struct Entry {
        var queue: MsgqQueue?
        var users = 0
        var remembered: MsgqQueue.Registration?
    }
    private static let entries = Locked<[String: Entry]>([:])

    static func open(_ path: String) throws -> MsgqQueue {
        try entries.withLock { entries in
            var entry = entries[path] ?? Entry()
            let queue = try entry.queue ?? MsgqQueue(path: path, remembered: entry.remembered, table: table)
            (entry.queue, entry.users) = (queue, entry.users + 1)
            entries[path] = entry
            return queue
        }
    }

    /// One user is done with `queue`; the last unmaps it.
    static func close(_ queue: MsgqQueue) {
        entries.withLock { entries in
            guard var entry = entries[queue.path], entry.queue === queue else { return }
            entry.users -= 1
            if entry.users == 0 {
                entry.remembered = queue.release()
                entry.queue = nil
            }
            entries[queue.path] = entry
        }
    }
}

/// The size and inode of the file behind `fd`.
func fileIdentity(_ fd: Int32, what: String) throws -> (size: Int, inode: UInt64) {
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw CameraViewError.io(operation: "fstat", path: what, errno: errno) }
    return (Int(info.st_size), UInt64(info.st_ino))
}

private func pathIdentity(_ path: String) throws -> (size: Int, inode: UInt64) {
    var info = stat()
    guard stat(path, &info) == 0 else { throw CameraViewError.io(operation: "stat", path: path, errno: errno) }
    return (Int(info.st_size), UInt64(info.st_ino))
}
