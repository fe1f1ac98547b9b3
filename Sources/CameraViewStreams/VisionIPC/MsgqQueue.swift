import CVisionIPC
import CameraView
import Glibc

/// A reader of one msgq queue (a VisionIPC stream's frame notifications), shared by every
/// source of this process on that stream: msgq readers never deregister, so a process takes
/// one slot per queue, not one per view, and keeps reusing it across opens (see
/// `MsgqQueues`). Registered with thread id 0: msgq's writer signals each reader's thread
/// with SIGUSR2 after every message, which kills a thread without a handler; with 0 the
/// signal fails and this reader polls.
///
/// The most polite reader on the queue: msgq's own readers clear every slot when they find
/// the queue full (evicting every other reader, openpilot's included); this one never
/// does. With no slot free it waits, without frames, and tries again with backoff, and
/// after another reader's registration evicted it, it registers again with backoff too, so
/// openpilot's readers get the slots first. The queue is the server's: every field read
/// from it is checked before use (counts, offsets, alignment), and a ring that does not
/// advance is a peer error, not a spin.
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
        /// overran this reader, times another reader's registration evicted ours, and
        /// registrations that found every slot taken (and waited instead of evicting).
        var skipped = 0
        var overruns = 0
        var evictions = 0
        var slotRefusals = 0
    }

    /// How long a reader without a slot waits before it tries again: after an eviction
    /// `evicted` plus up to as much again at random (openpilot's readers re-register at
    /// their next read, before ours), and `firstRefusal` doubling to `longestRefusal` while
    /// the queue stays full.
    static let evicted = Duration.milliseconds(250)
    static let firstRefusal = Duration.milliseconds(100)
    static let longestRefusal = Duration.seconds(2)

    private let objects = OwnerGroup()
    private let header: UnsafeMutableRawPointer
    private let data: UnsafeMutableRawPointer
    private let segmentSize: Int
    private let readerSlots: Int
    private let fault: Int32
    private let inode: UInt64
    private enum Slot {
        case held(Registration)
        /// No slot (the queue was full, or ours was cleared): the next try is at `retry`;
        /// `refusedFor`: how long this wait is, when a full queue caused it (else zero).
        case waiting(retry: ContinuousClock.Instant, refusedFor: Duration)
    }
    private struct State {
        var slot: Slot
        /// The queue's writer as last seen: a new one (a restarted server) cleared every slot.
        var writeUID: UInt64
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
    init(path: String, remembered: Registration?, table: HandleTable, server: String) throws {
        self.path = path
        let (slots, identity, mapping, fault) = try objects.building(.contextLost) { objects in
            // The fd goes once the file is mapped, or fails to be: the mapping keeps the file.
            let opened = OwnerGroup()
            defer { opened.release(in: .contextLost) }
            let fd: Int32
            do {
                fd = opened.adopt(try table.create(.open(path, flags: O_RDWR)))
            } catch CameraViewError.io(_, _, let code) where code == ENOENT {
                throw CameraViewError.sourceUnavailable(name: path)
            }
            let (size, identity) = try fileIdentity(fd, what: path)
            guard let slots = Self.readerSlotLayouts.first(where: { size > Self.headerSize(readerSlots: $0) && (size - Self.headerSize(readerSlots: $0)) % 4096 == 0 }),
                  size < Int(UInt32.max) else {
                throw CameraViewError.peer(server: server, problem: "the queue \(path) of \(size) bytes is no msgq queue of \(Self.readerSlotLayouts) reader slots")
            }
            let mapping = objects.adopt(try table.create(.map(fd, length: size, shared: true, writable: true, what: path)))
            // A writer that truncates the file must not take the process down; the zero
            // pages that stand in are writable, as the queue was.
            let fault = objects.adopt(try table.create(.guarding(mapping, writable: true, what: path)))
            return (slots, identity, mapping, fault)
        }
        self.fault = fault
        (header, readerSlots, inode) = (mapping.baseAddress!, slots, identity)
        data = header + Self.headerSize(readerSlots: slots)
        segmentSize = mapping.count - Self.headerSize(readerSlots: slots)
        let writeUID = cvipc_atomic_load_u64(header.advanced(by: 16).assumingMemoryBound(to: UInt64.self))
        state = Locked(State(slot: .waiting(retry: .now, refusedFor: .zero), writeUID: writeUID))
        state.withLock { state in
            if let remembered, remembered.inode == identity, isStillOurs(remembered) {
                state.slot = .held(remembered)
                resetReader(remembered.slot)
            } else {
                register(&state)
            }
        }
    }

    /// Unmaps the queue. The slot stays registered (msgq has no way to give it back) and is
    /// reused by the next open.
    func release() -> Registration? {
        objects.release(in: .contextLost)
        return registration
    }

    var counters: Counters { state.withLock { $0.counters } }
    /// The number of the newest packet delivered so far.
    var sequence: UInt64 { state.withLock { $0.sequence } }
    var writerEpoch: Int { state.withLock { $0.writerEpoch } }
    /// How many readers the queue says it has registered (all processes), as written there.
    var readerCount: Int { faulted ? 0 : Int(clamping: load(0)) }
    /// The slot this process holds now, nil while it has none (the queue is full, or
    /// another reader's registration cleared it and ours waits to register again).
    var registration: Registration? {
        state.withLock { state in
            guard case .held(let registration) = state.slot else { return nil }
            return registration
        }
    }
    var holdsSlot: Bool { registration != nil }
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
    /// Throws `peer` when the queue's contents break msgq's rules.
    func newest(after sequence: UInt64, server: String) throws -> (sequence: UInt64, bytes: [UInt8])? {
        try state.withLock { state in
            if let bytes = try drain(&state, server: server) {
                state.sequence += 1
                state.latest = bytes
            }
            guard state.sequence > sequence, let latest = state.latest else { return nil }
            return (state.sequence, latest)
        }
    }

    // MARK: msgq's reader protocol (msgq.cc), with thread id 0.

    // Every offset below is a multiple of 8 from a page-aligned mapping: aligned for the
    // 64-bit atomics (which fault on aarch64 when misaligned).
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
            && load(0) > UInt64(registration.slot) && load(readUID(registration.slot)) == registration.uid
    }

    /// Takes the next slot (compare-and-swap on the reader count, as msgq's readers do);
    /// when every slot is taken (or the count is past them: a broken header) it takes none
    /// and waits, doubling the wait while the queue stays full.
    private func register(_ state: inout State) {
        let uid = UInt64(UInt32.random(in: .min ... .max)) << 32  // thread id 0: never signalled
        while !faulted {
            let current = load(0)
            guard current < UInt64(readerSlots) else {
                state.counters.slotRefusals += 1
                let last = if case .waiting(_, let refusedFor) = state.slot { refusedFor } else { Duration.zero }
                let wait = max(Self.firstRefusal, min(last * 2, Self.longestRefusal))
                state.slot = .waiting(retry: .now + wait, refusedFor: wait)
                return
            }
            guard cvipc_atomic_cas_u64(pointer(0), current, current + 1) != 0 else { continue }
            let slot = Int(current)
            store(readValid(slot), 0)
            store(readPointer(slot), 0)
            store(readUID(slot), uid)
            resetReader(slot)
            state.slot = .held(Registration(slot: slot, uid: uid, writeUID: load(writeUID), inode: inode))
            return
        }
    }

    private func resetReader(_ slot: Int) {
        store(readValid(slot), 1)
        store(readPointer(slot), load(writePointer))
    }

    /// The slot to read with, after noticing a new writer (which cleared every slot: all
    /// readers register again) or an eviction (another reader cleared every slot: ours
    /// registers again after a while), or nil while there is none.
    private func readingSlot(_ state: inout State) -> Int? {
        let writer = load(writeUID)
        if writer != state.writeUID {
            state.writeUID = writer
            state.writerEpoch += 1
            state.latest = nil
            state.slot = .waiting(retry: .now, refusedFor: .zero)
        }
        switch state.slot {
        case .held(let registration):
            guard load(readUID(registration.slot)) == registration.uid else {
                state.counters.evictions += 1
                state.slot = .waiting(retry: .now + Self.evicted * (1 + Double.random(in: 0...1)), refusedFor: .zero)
                return nil
            }
            return registration.slot
        case .waiting(let retry, _):
            guard ContinuousClock.now >= retry else { return nil }
            register(&state)
            guard case .held(let registration) = state.slot else { return nil }
            return registration.slot
        }
    }

    /// Reads up to the newest message; returns it (a copy) or nil when there was none new.
    /// Nothing is written once the guard saw the file truncated (the caller then drops
    /// the queue), and at most one pass over the ring is read: a writer's pointers that
    /// never lead to its write position are a peer error.
    private func drain(_ state: inout State, server: String) throws(CameraViewError) -> [UInt8]? {
        // A host's handler installed since (faulthandler) must not see a truncation first.
        cvipc_fault_guard_rearm()
        guard !faulted, let slot = readingSlot(&state) else { return nil }
        var newest: [UInt8]?
        // Each step moves at least 8 bytes on, wraps once, or resets to the writer.
        var steps = 0
        let limit = segmentSize / 8 + 4
        while !faulted {
            steps += 1
            guard steps <= limit else {
                resetReader(slot)
                throw .peer(server: server, problem: "its queue \(path) does not lead to the writer's position in \(limit) steps (wrap markers or sizes that loop)")
            }
            if load(readValid(slot)) == 0 {
                state.counters.overruns += 1
                resetReader(slot)
            }
            let (readCycle, readOffset) = Self.unpack(load(readPointer(slot)))
            let (_, writeOffset) = Self.unpack(load(writePointer))
            guard readOffset != writeOffset else { break }
            guard readOffset & 7 == 0, writeOffset & 7 == 0 else {
                throw .peer(server: server, problem: "its queue \(path) has a pointer that is not 8-byte aligned (read \(readOffset), write \(writeOffset))")
            }
            guard readOffset + 8 <= segmentSize else { resetReader(slot); break }
            let size = Int64(bitPattern: cvipc_atomic_load_u64((data + readOffset).assumingMemoryBound(to: UInt64.self)))
            guard load(readValid(slot)) != 0 else { continue }
            if size == -1 {
                // The writer wrapped: the next message is at the start of the next cycle.
                store(readPointer(slot), Self.pack(readCycle &+ 1, 0))
                continue
            }
            guard size > 0, size <= Int64(segmentSize - readOffset - 8) else {
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
            guard !faulted else { return nil }
            store(readPointer(slot), Self.pack(readCycle, next))
            // Overwritten while copied: drop the copy and catch up.
            guard load(readValid(slot)) != 0 else { continue }
            newest = bytes
            break
        }
        return faulted ? nil : newest
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

    static func open(_ path: String, server: String) throws -> MsgqQueue {
        try entries.withLock { entries in
            var entry = entries[path] ?? Entry()
            let queue = try entry.queue ?? MsgqQueue(path: path, remembered: entry.remembered, table: table, server: server)
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
