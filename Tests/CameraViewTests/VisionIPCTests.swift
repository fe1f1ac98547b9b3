import CameraView
@testable import CameraViewStreams
import Foundation
import Glibc
import Testing

/// VisionIPC's wire formats and msgq's queue as our reader sees them, against bytes laid
/// out here from the protocol's offsets (docs/visionipc.md) and a queue written here by
/// msgq's writer rules. The Python suite runs the same client against openpilot's own
/// server and client.
@Suite(.ledgerChecked) struct VisionIPCTests {
    /// A buffer record as a server sends it: `size` 112 (current) or 136 (before 2026-02).
    static func record(size: Int, index: Int, serverID: UInt64, stream: UInt32 = 1, length: Int = 2048 * 1216 * 3 / 2,
                       mappedLength: Int? = nil) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xAB, count: size)  // pointers and padding: garbage to a client
        func put(_ value: UInt64, at offset: Int) { withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 8, with: $0) } }
        put(UInt64(length), at: 0)
        put(UInt64(mappedLength ?? length + 8), at: 8)
        for (offset, value) in [(40, 1928), (48, 1208), (56, 2048), (64, 2048 * 1216), (96, index)] { put(UInt64(value), at: offset) }
        put(serverID, at: 88)
        withUnsafeBytes(of: stream.littleEndian) { bytes.replaceSubrange(104..<108, with: $0) }
        return bytes
    }

    @Test(arguments: [112, 136]) func recordsOfBothLayoutsParse(size: Int) throws {
        let id: UInt64 = 0xDEAD_BEEF_0123_4567
        let bytes = (0..<3).flatMap { Self.record(size: size, index: $0, serverID: id) }
        let records = try VisionBufferRecord.parse(bytes, fdCount: 3, server: "test")
        #expect(records.map(\.index) == [0, 1, 2])
        let first = try #require(records.first)
        #expect((first.width, first.height, first.stride, first.uvOffset, first.serverID) == (1928, 1208, 2048, 2048 * 1216, id))
        #expect(first.stream == .driver && first.trailerOffset == first.length && first.mappedLength == first.length + 8)
        let layout = try first.layout(server: "test")
        #expect((layout.yStride, layout.uvOffset) == (2048, 2048 * 1216))
    }

    @Test func recordsThatBreakTheProtocolAreTypedErrors() throws {
        let record = Self.record(size: 112, index: 0, serverID: 1)
        #expect(throws: CameraViewError.self) { try VisionBufferRecord.parse(record + [0], fdCount: 1, server: "s") }
        #expect(throws: CameraViewError.self) { try VisionBufferRecord.parse(record, fdCount: 2, server: "s") }
        #expect(throws: CameraViewError.self) { try VisionBufferRecord.parse(record, fdCount: 0, server: "s") }
        // No room for the frame-id trailer, and a UV plane past len.
        let noTrailer = try VisionBufferRecord.parse(Self.record(size: 112, index: 0, serverID: 1, mappedLength: 3_735_552), fdCount: 1, server: "s")
        #expect(throws: CameraViewError.self) { try noTrailer[0].layout(server: "s") }
        let short = try VisionBufferRecord.parse(Self.record(size: 112, index: 0, serverID: 1, length: 2048 * 1216), fdCount: 1, server: "s")
        #expect(throws: CameraViewError.self) { try short[0].layout(server: "s") }
        // Sizes past what an Int, or the C API's and GL's 32-bit ints, hold: the server's
        // errors, refused where the record is parsed (width 2^31 trapped in the C API).
        for (offset, value) in [(0, UInt64.max), (40, 1 << 31), (48, 1 << 31), (56, 1 << 40), (64, UInt64(Int32.max) + 1)] {
            var huge = record
            withUnsafeBytes(of: value) { huge.replaceSubrange(offset..<offset + 8, with: $0) }
            #expect { try VisionBufferRecord.parse(huge, fdCount: 1, server: "s") } throws: { error in
                if case CameraViewError.peer(server: "s", _) = error { true } else { false }
            }
        }
        // A layout the library refuses is the server's error too, not the caller's invalidFrame.
        #expect { try short[0].layout(server: "s") } throws: { error in
            if case CameraViewError.peer(server: "s", _) = error { true } else { false }
        }
    }

    @Test func packetsAndNames() throws {
        var bytes = [UInt8](repeating: 0, count: 48)
        func put(_ value: UInt64, at offset: Int) { withUnsafeBytes(of: value) { bytes.replaceSubrange(offset..<offset + 8, with: $0) } }
        put(7, at: 0); put(2, at: 8); put(0xFFFF_FFFF_0000_0042, at: 16); put(11, at: 24); put(12, at: 32); bytes[40] = 1
        let packet = try #require(VisionIPCPacket(bytes))
        #expect(packet.serverID == 7 && packet.index == 2 && packet.frameID == 0x42)  // the id is 32 bits: padding after it
        #expect(packet.timestampSOF == 11 && packet.timestampEOF == 12 && packet.valid)
        #expect(VisionIPCPacket(Array(bytes.prefix(47))) == nil)
        #expect(VisionStreamType(name: "wide-road") == .wideRoad && VisionStreamType(name: "9")?.rawValue == 9)
        #expect(VisionStreamType(name: "nope") == nil && VisionStreamType.driver.description == "driver")
        let prefixed = VisionIPCEndpoint(server: "camerad", prefix: "p")
        #expect(prefixed.controlSocketPath == "/tmp/p_visionipc_camerad")
        #expect(prefixed.queuePath(.driver) == "/dev/shm/msgq_p/visionipc_camerad_1")
        #expect(VisionIPCEndpoint(server: "camerad", prefix: nil).controlSocketPath.hasSuffix("visionipc_camerad"))
    }

    // (#expect reflects the values it is given; a queue holds a lock over noncopyable
    // state, which reflection cannot copy: its answers go through plain locals.)
    @Test(arguments: [25, 15]) func theQueueReaderConflatesFollowsWrapsAndOverrunsAndKeepsItsSlot(slots: Int) throws {
        let writer = try QueueWriter(slots: slots)
        defer { writer.remove() }
        let queue = try MsgqQueues.open(writer.path, server: "s")
        let (readers, uid) = (writer.readers, writer.readerUID(0))
        #expect(readers == 1 && uid & 0xFFFF_FFFF == 0)  // thread id 0: never signalled
        let nothing = try queue.newest(after: 0, server: "s") == nil
        #expect(nothing)
        for value in 1...3 { writer.send(value) }
        var (read, skipped) = (try queue.newest(after: 0, server: "s"), queue.counters.skipped)
        #expect(read.map { QueueWriter.value(of: $0.bytes) } == 3 && skipped == 2)
        // 4 KiB ring of 56-byte messages: 200 of them wrap it twice, read one by one.
        var sequence = read?.sequence ?? 0
        for value in 4...204 {
            writer.send(value)
            read = try queue.newest(after: sequence, server: "s")
            let got = read.map { QueueWriter.value(of: $0.bytes) }
            #expect(got == value)
            sequence = read?.sequence ?? sequence
        }
        // The writer laps the reader: as msgq's readers, it starts again at the write
        // pointer (where the newest message starts is not recorded), and reads from there.
        for value in 205...500 { writer.send(value) }
        let lapped = try queue.newest(after: sequence, server: "s") == nil, overruns = queue.counters.overruns
        #expect(lapped && overruns == 1)
        writer.send(501)
        let resumed = try queue.newest(after: sequence, server: "s").map { QueueWriter.value(of: $0.bytes) }
        #expect(resumed == 501)
        // Closed and opened again: the same slot, no new reader.
        MsgqQueues.close(queue)
        let again = try MsgqQueues.open(writer.path, server: "s")
        let (readersAgain, slot) = (writer.readers, again.registration?.slot)
        #expect(readersAgain == 1 && slot == 0)
        writer.send(502)
        let after = try again.newest(after: again.sequence, server: "s").map { QueueWriter.value(of: $0.bytes) }
        #expect(after == 502)
        MsgqQueues.close(again)
    }

    @Test func evictionIsNoticedAndAnsweredWithBackoffAndANewWriterAtOnce() throws {
        let writer = try QueueWriter(slots: 25)
        defer { writer.remove() }
        let queue = try MsgqQueues.open(writer.path, server: "s")
        defer { MsgqQueues.close(queue) }
        // Another reader registered past the last slot: every slot was cleared, and that
        // reader took slot 0.
        writer.clearReaders()
        writer.register(uid: 0xAAAA)
        writer.send(1)
        _ = try queue.newest(after: queue.sequence, server: "s")
        let (evictions, readers, holds) = (queue.counters.evictions, writer.readers, queue.holdsSlot)
        // Not straight back: openpilot's readers re-register first.
        #expect(evictions == 1 && readers == 1 && !holds)
        #expect(MsgqQueue.evicted == .milliseconds(250))
        usleep(520_000)  // the wait and its jitter: at most twice `evicted`
        writer.send(2)
        let read = try queue.newest(after: queue.sequence, server: "s").map { QueueWriter.value(of: $0.bytes) }
        let (readersNow, slot) = (writer.readers, queue.registration?.slot)
        #expect(read == nil && readersNow == 2 && slot == 1)  // registered at the write pointer
        writer.send(3)
        let next = try queue.newest(after: queue.sequence, server: "s").map { QueueWriter.value(of: $0.bytes) }
        #expect(next == 3)
        // A restarted publisher (a new write uid) cleared every slot: all register again now.
        let epoch = queue.writerEpoch
        writer.restart()
        writer.send(4)
        _ = try queue.newest(after: queue.sequence, server: "s")
        let (newEpoch, readersAfter) = (queue.writerEpoch, writer.readers)
        #expect(newEpoch == epoch + 1 && readersAfter == 1)
    }

    @Test func aFullQueueIsNeverClearedAndItsCountIsNeverTrusted() throws {
        let writer = try QueueWriter(slots: 15)
        defer { writer.remove() }
        for uid in 1...15 { writer.register(uid: UInt64(uid)) }
        let queue = try MsgqQueues.open(writer.path, server: "s")
        let (readers, firstUID, holds, refusals) = (writer.readers, writer.readerUID(0), queue.holdsSlot, queue.counters.slotRefusals)
        #expect(readers == 15 && firstUID == 1 && !holds && refusals == 1)
        writer.send(1)
        let nothing = try queue.newest(after: 0, server: "s") == nil
        #expect(nothing)
        MsgqQueues.close(queue)
        // A count past every slot (and past what an Int holds) is a full queue, not a trap.
        for count in [UInt64.max, 1 << 63, 16] {
            writer.setHeader(0, count)
            let broken = try MsgqQueues.open(writer.path, server: "s")
            let (held, reported) = (broken.holdsSlot, broken.readerCount)
            #expect(!held && reported == Int(clamping: count))
            MsgqQueues.close(broken)
            #expect(writer.readerUID(14) == 15)
        }
    }

    @Test func aFullQueueIsTriedAgainAfterTheFirstRefusalsWait() throws {
        let writer = try QueueWriter(slots: 15)
        defer { writer.remove() }
        for uid in 1...15 { writer.register(uid: UInt64(uid)) }
        let queue = try MsgqQueues.open(writer.path, server: "s")
        defer { MsgqQueues.close(queue) }
        // A slot frees (as after a publisher's restart): taken at the next try, `firstRefusal`
        // after the refusal, not later.
        writer.setHeader(0, 14)
        #expect(MsgqQueue.firstRefusal == .milliseconds(100))
        usleep(150_000)
        _ = try queue.newest(after: 0, server: "s")
        let (slot, refusals) = (queue.registration?.slot, queue.counters.slotRefusals)
        #expect(slot == 14 && refusals == 1)
    }

    @Test func aRingThatNeverLeadsToTheWriterIsThePeersErrorNotASpin() throws {
        let writer = try QueueWriter(slots: 25)
        defer { writer.remove() }
        let queue = try MsgqQueues.open(writer.path, server: "s")
        defer { MsgqQueues.close(queue) }
        // Wrap markers everywhere and the writer somewhere else: each marker sends the reader
        // to offset 0 of the next cycle, forever.
        for offset in stride(from: 0, to: 4096, by: 8) { writer.putData(-1, at: offset) }
        writer.setHeader(8, 2048)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(throws: CameraViewError.self) { try queue.newest(after: 0, server: "s") }
        #expect(clock.now - start < .seconds(1))
        // A write pointer that is not 8-byte aligned: refused before any atomic read there.
        writer.setHeader(8, 12)
        #expect(throws: CameraViewError.self) { _ = try queue.newest(after: 0, server: "s"); _ = try queue.newest(after: 0, server: "s") }
    }

    @Test func aQueueTruncatedWhileReadIsNotWrittenAfterwards() throws {
        let writer = try QueueWriter(slots: 25)
        defer { writer.remove() }
        let queue = try MsgqQueues.open(writer.path, server: "s")
        defer { MsgqQueues.close(queue) }
        writer.send(1)
        writer.truncate()
        // Reading faults into writable zero pages (our reader's place is written there):
        // no SIGSEGV, no SIGBUS, and the queue says it faulted.
        let read = try queue.newest(after: queue.sequence, server: "s")
        let faulted = queue.faulted
        #expect(read == nil && faulted)
    }

    @Test func aTruncatedMappingFaultsIntoZeroPagesNotSIGBUS() throws {
        let path = "/dev/shm/cameraview-test-guard-\(getpid())"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 8192)))
        defer { unlink(path) }
        let table = HandleTable(owner: "guard test")
        let fd = try table.create(.open(path, flags: O_RDWR))
        let mapping = try table.create(.map(fd.raw, length: 8192, shared: true, what: path))
        let fault = try table.create(.guarding(mapping.raw, what: path))
        // (Owners are noncopyable: #expect sees plain values only.)
        let (bytes, slot, file) = (UnsafeRawBufferPointer(mapping.raw), fault.raw, fd.raw)
        #expect(cvipc_fault_guard_faulted(slot) == 0 && bytes.load(fromByteOffset: 4096, as: UInt8.self) == 7)
        #expect(ftruncate(file, 0) == 0)
        #expect(bytes.load(fromByteOffset: 4096, as: UInt8.self) == 0)
        #expect(cvipc_fault_guard_faulted(slot) == 1)
        fault.release()
        mapping.release()
        fd.release()
        #expect(table.close(in: .contextLost).isClean)
    }
}

import CVisionIPC

/// msgq's writer (msgq.cc's publisher rules), over a queue file of its own with a 4 KiB
/// ring: size tags, -1 at a wrap, readers invalidated where it writes.
final class QueueWriter {
    let path: String
    let slots: Int
    private let base: UnsafeMutableRawPointer
    private let size: Int
    private let segment = 4096
    nonisolated(unsafe) private static var count = 0  // tests of one process name their queues apart

    convenience init(slots: Int) throws {
        Self.count += 1
        try self.init(path: "/dev/shm/msgq_cameraview-test-\(getpid())-\(Self.count)-\(slots)", slots: slots)
    }

    init(path: String, slots: Int) throws {
        self.path = path
        self.slots = slots
        size = 24 + 24 * slots + segment
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0, ftruncate(fd, off_t(size)) == 0 else { throw CameraViewError.io(operation: "create", path: path, errno: errno) }
        base = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        close(fd)
        restart()
    }

    func remove() {
        munmap(base, size)
        unlink(path)
    }

    private func word(_ offset: Int) -> UnsafeMutablePointer<UInt64> { (base + offset).assumingMemoryBound(to: UInt64.self) }
    private func get(_ offset: Int) -> UInt64 { cvipc_atomic_load_u64(word(offset)) }
    private func set(_ offset: Int, _ value: UInt64) { cvipc_atomic_store_u64(word(offset), value) }
    var readers: Int { Int(get(0)) }
    func readerUID(_ slot: Int) -> UInt64 { get(24 + 8 * (2 * slots + slot)) }

    /// msgq_init_publisher: a new write uid, every slot cleared.
    func restart() {
        set(16, UInt64.random(in: 1 ... .max))
        clearReaders()
    }

    /// Takes the next slot as msgq's readers do (no clearing here: the queue must have room).
    func register(uid: UInt64) {
        let slot = readers
        set(24 + 8 * (2 * slots + slot), uid)
        set(24 + 8 * (slots + slot), 1)
        set(0, UInt64(slot + 1))
    }

    /// Writes a header field as a hostile writer might.
    func setHeader(_ offset: Int, _ value: UInt64) { set(offset, value) }

    /// Writes a size tag into the ring at `offset`.
    func putData(_ value: Int64, at offset: Int) {
        (base + 24 + 24 * slots + offset).storeBytes(of: value, as: Int64.self)
    }

    /// Truncates the queue file to nothing under its readers.
    func truncate() {
        _ = Glibc.truncate(path, 0)
    }

    func clearReaders() {
        set(0, 0)
        for slot in 0..<slots {
            set(24 + 8 * (slots + slot), 0)
            set(24 + 8 * (2 * slots + slot), 0)
        }
    }

    /// Sends a 48-byte packet carrying `value`.
    func send(_ value: Int) {
        var payload = [UInt8](repeating: 0, count: 48)
        withUnsafeBytes(of: UInt64(value)) { payload.replaceSubrange(0..<8, with: $0) }
        send(payload)
    }

    func send(_ payload: [UInt8]) {
        let total = (payload.count + 8 + 7) & ~7
        var (cycle, offset) = (get(8) >> 32, Int(get(8) & 0xFFFF_FFFF))
        let data = base + 24 + 24 * slots
        if segment - offset - total - 8 <= 0 {
            data.storeBytes(of: Int64(-1), toByteOffset: offset, as: Int64.self)
            invalidate { readOffset, readCycle in readOffset > offset && readCycle != cycle }
            (cycle, offset) = (cycle + 1, 0)
            set(8, cycle << 32)
        }
        invalidate { readOffset, readCycle in readOffset >= offset && readOffset < offset + total && readCycle != cycle }
        data.storeBytes(of: Int64(payload.count), toByteOffset: offset, as: Int64.self)
        payload.withUnsafeBytes { (data + offset + 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        set(8, cycle << 32 | UInt64(offset + total))
    }

    private func invalidate(_ overwritten: (Int, UInt64) -> Bool) {
        for slot in 0..<readers {
            let pointer = get(24 + 8 * slot)
            if overwritten(Int(pointer & 0xFFFF_FFFF), pointer >> 32) { set(24 + 8 * (slots + slot), 0) }
        }
    }

    static func value(of packet: [UInt8]) -> Int { Int(packet.loadLittleEndian(at: 0)) }
}
