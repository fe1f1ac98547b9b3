"""Test servers as separate processes (a camera daemon is one): openpilot's own
VisionIpcServer (vipc_publisher.py) or the older-layout one (vipc_legacy_server.py), each
under a name of its own, stopped (SIGTERM) or killed (SIGKILL) as a test says."""
import itertools
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cameraview
from memory import open_fds

HERE = Path(__file__).parent
_names = itertools.count()


def child_environment():
    """The environment of the tests' helper processes: this binding importable."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent), environment.get("PYTHONPATH")]))
    return environment


def unique_name():
    return f"cvtest{os.getpid()}x{next(_names)}"


class Server:
    def __init__(self, name=None, script="vipc_publisher.py", environment=None, **options):
        self.name = name or unique_name()
        arguments = [sys.executable, str(HERE / script), "--name", self.name]
        for key, value in options.items():
            arguments += ["--" + key.replace("_", "-"), str(value)]
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True, cwd=HERE,
                                        env={**child_environment(), **(environment or {})})
        if not self.wait_for("ready"):
            self.process.kill()
            raise RuntimeError(f"{script} did not start (exit {self.process.wait()})")

    def wait_for(self, word):
        """Reads the server's output up to a line `word` (msgq prints its own lines too)."""
        while line := self.process.stdout.readline():
            if line.strip() == word:
                return True
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)

    def kill(self):
        self.process.kill()
        self.process.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.process.stdout.close()


def queue_readers(name, stream):
    """How many reader slots stream's msgq queue has registered (num_readers)."""
    with open(f"/dev/shm/msgq_visionipc_{name}_{stream}", "rb") as queue:
        return struct.unpack("=Q", queue.read(8))[0]


def reader_thread_ids(name, stream, slots=25):
    """The thread ids in the queue's registered reader uids (low 32 bits)."""
    with open(f"/dev/shm/msgq_visionipc_{name}_{stream}", "rb") as queue:
        header = queue.read(24 + 24 * slots)
    count = struct.unpack_from("=Q", header, 0)[0]
    return [struct.unpack_from("=Q", header, 24 + 8 * (2 * slots + slot))[0] & 0xFFFFFFFF for slot in range(count)]


def remove_queues(name):
    for entry in os.listdir("/dev/shm"):
        if entry.startswith(f"msgq_visionipc_{name}_"):
            os.unlink("/dev/shm/" + entry)


def process_counts():
    return (cameraview.live_handles_in_process(), cameraview.swept_in_process(), cameraview.failed_deletions_in_process(),
            cameraview.dropped_in_process(), open_fds())


@pytest.fixture
def clean():
    """The test's VisionIPC work leaves nothing: no live objects, sweeps, failed deletions,
    drops or fds more. A request a view stopped waiting for is read to its end on a thread
    of its own (LateAnswers): its socket is given a moment to close."""
    before = process_counts()
    yield
    deadline = time.monotonic() + 5
    while process_counts() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process_counts() == before, "(live, swept, failed, dropped, fds) before and after"
