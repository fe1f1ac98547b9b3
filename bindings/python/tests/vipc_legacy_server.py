"""A VisionIPC server of the older layout, written for the tests from msgq's protocol
(docs/visionipc.md): 136-byte buffer records, a queue of 15 reader slots, the stream list
asked as 4 (0xffffffff is an unknown stream to it). Pure Python: its own control socket,
shm buffers and msgq writer (size tags, wraps, reader invalidation; SIGUSR2 to readers'
thread ids, as msgq's writer sends). Publishes vipc_frames' patterns like
vipc_publisher.py and takes the same arguments."""
import array
import mmap
import os
import random
import select
import signal
import socket
import struct
import sys
import threading
import time

import vipc_frames

READERS = 15
HEADER = 24 + 24 * READERS
SEGMENT = 1 << 20
RECORD = 136
LEGACY_LIST = 4


class Queue:
    """msgq's writer side over /dev/shm/msgq_<endpoint>."""

    def __init__(self, endpoint):
        path = "/dev/shm/msgq_" + endpoint
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o664)
        os.ftruncate(fd, HEADER + SEGMENT)
        self.map = mmap.mmap(fd, HEADER + SEGMENT)
        os.close(fd)
        self.write_uid = random.getrandbits(32) << 32 | threading.get_native_id()
        self.put(16, self.write_uid)
        self.put(0, 0)
        for slot in range(READERS):
            self.put(self.valid(slot), 0)
            self.put(self.uid(slot), 0)

    def get(self, offset):
        return struct.unpack_from("=Q", self.map, offset)[0]

    def put(self, offset, value):
        struct.pack_into("=Q", self.map, offset, value)

    @staticmethod
    def pointer(slot):
        return 24 + 8 * slot

    @staticmethod
    def valid(slot):
        return 24 + 8 * (READERS + slot)

    @staticmethod
    def uid(slot):
        return 24 + 8 * (2 * READERS + slot)

    def send(self, payload):
        total = (len(payload) + 8 + 7) & ~7
        readers = self.get(0)
        packed = self.get(8)
        cycle, offset = packed >> 32, packed & 0xFFFFFFFF
        if SEGMENT - offset - total - 8 <= 0:
            struct.pack_into("=q", self.map, HEADER + offset, -1)
            for slot in range(readers):
                read = self.get(self.pointer(slot))
                if (read & 0xFFFFFFFF) > offset and read >> 32 != cycle:
                    self.put(self.valid(slot), 0)
            cycle, offset = cycle + 1, 0
            self.put(8, cycle << 32)
        end = offset + total
        for slot in range(readers):
            read = self.get(self.pointer(slot))
            if offset <= (read & 0xFFFFFFFF) < end and read >> 32 != cycle:
                self.put(self.valid(slot), 0)
        struct.pack_into("=q", self.map, HEADER + offset, len(payload))
        self.map[HEADER + offset + 8:HEADER + offset + 8 + len(payload)] = payload
        self.put(8, cycle << 32 | end)
        for slot in range(readers):
            thread = self.get(self.uid(slot)) & 0xFFFFFFFF
            if thread:
                try:
                    os.kill(thread, signal.SIGUSR2)  # msgq uses tkill; a thread id is a pid to kill()
                except (ProcessLookupError, PermissionError):
                    pass


def main():
    arguments, layout, stream_ids = vipc_frames.server_arguments()
    length = vipc_frames.buffer_size(**layout)
    server_id = random.getrandbits(64)
    streams = {}
    for stream in stream_ids:
        buffers = []
        for index in range(arguments.buffers):
            fd = os.memfd_create(f"visionbuf_{stream}_{index}")
            os.ftruncate(fd, length + 8)
            buffers.append((fd, mmap.mmap(fd, length + 8)))
        streams[stream] = (buffers, Queue(f"visionipc_{arguments.name}_{stream}"))

    def record(stream, index):
        fd = streams[stream][0][index][0]
        # len, mmap_len, addr, y, fd, width, height, stride, uv_offset, uv, frame_id ptr,
        # server_id, idx, type, handle; then the older layout's 24 bytes of OpenCL fields.
        fields = struct.pack("=QQQQi4xQQQQQQQQIi", length, length + 8, 0, 0, fd, layout["width"], layout["height"],
                             layout["stride"], layout["uv_offset"], 0, 0, server_id, index, stream, 0)
        return fields + bytes(RECORD - len(fields))

    path = "/tmp/visionipc_" + arguments.name
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(8)
    stopping = threading.Event()

    def serve():
        while not stopping.is_set():
            if not select.select([listener], [], [], 0.1)[0]:
                continue
            connection, _ = listener.accept()
            with connection:
                request = struct.unpack("=I", connection.recv(4))[0]
                if request == LEGACY_LIST:
                    connection.send(struct.pack(f"={len(streams)}I", *streams))
                elif request in streams:
                    buffers = streams[request][0]
                    data = b"".join(record(request, index) for index in range(len(buffers)))
                    fds = array.array("i", [fd for fd, _ in buffers])
                    connection.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])

    threading.Thread(target=serve, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    patterns = [vipc_frames.laid_out(k, **layout).tobytes() for k in range(vipc_frames.PATTERNS)]
    print("ready", flush=True)
    for frame_id in vipc_frames.paced(arguments.fps, stopping.is_set):
        for stream, (buffers, queue) in streams.items():
            index = frame_id % len(buffers)
            mapping = buffers[index][1]
            mapping[:length] = patterns[frame_id % vipc_frames.PATTERNS]
            struct.pack_into("=Q", mapping, length, frame_id)
            queue.send(struct.pack("=QQI4xQQ?7x", server_id, index, frame_id, frame_id,
                                   time.clock_gettime_ns(time.CLOCK_BOOTTIME), True))
    os.unlink(path)
    sys.exit(0)


if __name__ == "__main__":
    main()
