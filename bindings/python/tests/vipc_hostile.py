"""A VisionIPC server that breaks the protocol on purpose, in the test's process, and a
camera view in a process of its own driven line by line (so that an attack that crashes
or hangs the view fails its test, not the suite).

HostileServer speaks the protocol from docs/visionipc.md by hand: its own control socket
(answers with SCM_RIGHTS built from whatever records a test gives, or none, or never),
buffers (memfds, sparse when huge) and msgq queue file (25 reader slots, a 1 MiB ring),
which a test corrupts, truncates or fills with wrap markers."""
import array
import json
import mmap
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from vipc_servers import HERE, child_environment, unique_name

SLOTS = 25
HEADER = 24 + 24 * SLOTS
SEGMENT = 1 << 20
STREAM_LIST = 0xFFFFFFFF


def pack_record(length, mmap_len, width, height, stride, uv_offset, server_id, index, stream):
    """A 112-byte buffer record (pointers and the server's own fd left 0)."""
    return struct.pack("=QQQQi4xQQQQQQQQIi", length, mmap_len, 0, 0, 0, width, height, stride, uv_offset, 0, 0,
                       server_id, index, stream, 0)


class HostileServer:
    """Serves stream `stream` as `buffers` memfds of a tight `width`x`height` NV12 frame,
    unless a test says otherwise: `records` (a function of the buffer index giving the
    record's fields), `answer` (a function of the request giving (bytes, fds), or None to
    close without an answer, or "hold" to never answer), or `accepting=False` (a listener
    whose backlog is full: connects get EAGAIN)."""

    def __init__(self, width=64, height=48, buffers=2, stream=1, accepting=True, buffer_bytes=None):
        self.name = unique_name()
        self.stream = stream
        self.path = f"/tmp/visionipc_{self.name}"
        self.queue_path = f"/dev/shm/msgq_visionipc_{self.name}_{stream}"
        self.server_id = random.getrandbits(64)
        self.layout = dict(width=width, height=height, stride=width, uv_offset=width * height)
        self.length = width * height * 3 // 2
        self.records = lambda index: {}
        self.answer = self.default_answer
        self.held = []
        self.buffers = []
        for index in range(buffers):
            fd = os.memfd_create(f"visionbuf_hostile_{index}")
            os.ftruncate(fd, buffer_bytes or self.length + 8)
            self.buffers.append(fd)
        fd = os.open(self.queue_path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        os.ftruncate(fd, HEADER + SEGMENT)
        self.queue = mmap.mmap(fd, HEADER + SEGMENT)
        os.close(fd)
        self.set_header(16, random.getrandbits(63) + 1)  # the writer's uid
        self.published = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.listener.bind(self.path)
        self.stopping = threading.Event()
        self.fillers = []
        if accepting:
            self.listener.listen(8)
            self.thread = threading.Thread(target=self.serve, daemon=True)
            self.thread.start()
        else:
            # Backlog 0 admits one waiting connection; ours takes it, and every later
            # connect finds the backlog full.
            self.listener.listen(0)
            self.thread = None
            for _ in range(2):
                filler = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                filler.setblocking(False)
                try:
                    filler.connect(self.path)
                except BlockingIOError:
                    pass
                self.fillers.append(filler)

    # The control socket.

    def default_answer(self, request):
        if request == STREAM_LIST:
            return struct.pack("=I", self.stream), []
        if request != self.stream:
            return None
        data = b"".join(self.record(index) for index in range(len(self.buffers)))
        return data, list(self.buffers)

    def record(self, index):
        fields = dict(length=self.length, mmap_len=self.length + 8, server_id=self.server_id, index=index,
                      stream=self.stream, **self.layout)
        fields.update(self.records(index))
        return pack_record(**fields)

    def serve(self):
        while not self.stopping.is_set():
            if not select.select([self.listener], [], [], 0.05)[0]:
                continue
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            request = connection.recv(4)
            reply = self.answer(struct.unpack("=I", request)[0]) if len(request) == 4 else None
            if reply == "hold":
                self.held.append((connection, struct.unpack("=I", request)[0]))
                continue
            with connection:
                if reply is not None:
                    data, fds = reply
                    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
                    connection.sendmsg([data], ancillary)

    def answer_held(self):
        """Answers, late, every request it held (as a server that resumes does): True when
        each was still open on the client's side, as openpilot's server asserts."""
        whole = True
        for connection, request in self.held:
            with connection:
                data, fds = self.default_answer(request) or (b"", [])
                ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else []
                try:
                    whole &= connection.sendmsg([data], ancillary) == len(data)
                except OSError:
                    whole = False
        self.held = []
        return whole

    # The queue.

    def set_header(self, offset, value):
        struct.pack_into("=Q", self.queue, offset, value)

    def header(self, offset):
        return struct.unpack_from("=Q", self.queue, offset)[0]

    def reader_uid(self, slot):
        return self.header(24 + 8 * (2 * SLOTS + slot))

    def put_reader(self, slot, uid):
        """A reader of another process registered in `slot`, as msgq's readers do."""
        self.set_header(24 + 8 * (2 * SLOTS + slot), uid)
        self.set_header(24 + 8 * (SLOTS + slot), 1)
        self.set_header(0, max(self.header(0), slot + 1))

    def publish(self, index=None):
        """Writes the next frame id into a buffer's trailer and sends its packet (no wraps:
        tests publish far fewer than a ring holds)."""
        index = self.published % len(self.buffers) if index is None else index
        frame_id = self.published
        with mmap.mmap(self.buffers[index], self.length + 8) as buffer:
            struct.pack_into("=Q", buffer, self.length, frame_id)
        packet = struct.pack("=QQI4xQQ?7x", self.server_id, index, frame_id, frame_id, time.clock_gettime_ns(time.CLOCK_BOOTTIME), True)
        pointer = self.header(8)
        cycle, offset = pointer >> 32, pointer & 0xFFFFFFFF
        struct.pack_into("=q", self.queue, HEADER + offset, len(packet))
        self.queue[HEADER + offset + 8:HEADER + offset + 8 + len(packet)] = packet
        self.set_header(8, cycle << 32 | (offset + 8 + len(packet)))
        self.published += 1

    def fill_with_wrap_markers(self, write_offset=2048):
        """-1 in every word of the ring and the writer somewhere else: each marker sends a
        reader to offset 0 of the next cycle, where the next marker waits."""
        self.queue[HEADER:HEADER + SEGMENT] = struct.pack("=q", -1) * (SEGMENT // 8)
        self.set_header(8, (self.header(8) >> 32) << 32 | write_offset)

    def truncate_queue(self):
        os.truncate(self.queue_path, 0)

    def truncate_buffers(self):
        for fd in self.buffers:
            os.ftruncate(fd, 0)

    def close(self):
        self.stopping.set()
        if self.thread:
            self.thread.join(5)
        for connection, _ in self.held:
            connection.close()
        for filler in self.fillers:
            filler.close()
        self.listener.close()
        for path in (self.path, self.queue_path):
            if os.path.exists(path):
                os.unlink(path)
        self.queue.close()
        for fd in self.buffers:
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class ViewProcess:
    """vipc_view_process.py, driven one JSON command at a time; a command that does not
    answer within its timeout (a hang) or a process that dies (a crash) fails the test
    with what happened."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, str(HERE / "vipc_view_process.py")], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_environment())

    def call(self, do, within=10.0, **arguments):
        """Runs command `do` with `arguments`; it must answer `within` seconds."""
        self.send(do, **arguments)
        return self.reply(do, within)

    def send(self, do, **arguments):
        self.process.stdin.write(json.dumps(dict(do=do, **arguments)) + "\n")
        self.process.stdin.flush()

    def reply(self, do, within):
        if not select.select([self.process.stdout], [], [], within)[0]:
            self.process.kill()
            raise AssertionError(f"the view's process hung in {do!r} for more than {within} s")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait(10)
            cause = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
            raise AssertionError(f"the view's process died ({cause}) in {do!r}: {self.process.stderr.read()[-2000:]}")
        return json.loads(line)

    def close(self):
        """Closes the view and ends the process; returns the process-wide counts it had left."""
        counts = self.call("close")
        self.process.stdin.close()
        assert self.process.wait(10) == 0, self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return counts

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if not stream.closed:
                stream.close()
