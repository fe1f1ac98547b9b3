"""A camera view against a hostile, stalled or crowded VisionIPC server: it never crashes,
never hangs past its documented timeouts, never harms openpilot's own server or readers,
and reports the server's errors as the server's (PeerError). The attacks come from
vipc_hostile.HostileServer (our own protocol-breaking server) and from openpilot's own
server and client (msgq-ipc), stopped with SIGSTOP or crowded by 30 processes; the view
runs in a process of its own wherever the attack could take it down."""
import os
import signal
import struct
import subprocess
import sys
import time

import pytest

import cameraview
from cameraview import CameraView, VisionStreamType
from vipc_hostile import HostileServer, ViewProcess
from vipc_servers import HERE, Server, clean, queue_readers  # noqa: F401 (clean: a fixture)

DRIVER = VisionStreamType.VISION_STREAM_DRIVER


def connected_view(server):
    """A view process connected to `server`, with its first frame."""
    view = ViewProcess()
    view.call("device")
    view.call("open", name=server.name)
    server.publish()
    reply = view.call("wait", timeout=2.0)
    assert reply.get("frame") == 0, reply
    return view


def test_a_record_sized_past_int32_is_the_servers_error_not_a_trap():
    """Width 2^31, height 1, over a sparse 4 GiB buffer: it trapped converting the size to
    the C API's int in cv_view_wait_frame."""
    huge = 1 << 31
    with HostileServer(buffers=1, buffer_bytes=2 * huge + 8) as server, ViewProcess() as view:
        # A layout that holds together: Y 2^31 bytes, one UV row of 2^31 after it.
        server.records = lambda index: dict(width=huge, height=1, stride=huge, uv_offset=huge, length=2 * huge,
                                            mmap_len=2 * huge + 8)
        view.call("device")
        view.call("open", name=server.name)
        server.publish()
        reply = view.call("wait", timeout=0.5)
        assert reply.get("error") == "PeerError" and "out of range" in reply["message"], reply
        assert view.close()["swept"] == 0


def test_a_layout_the_library_refuses_is_the_servers_error_not_the_callers():
    with HostileServer() as server, ViewProcess() as view:
        server.records = lambda index: dict(uv_offset=server.length)  # the UV plane past len
        view.call("device")
        view.call("open", name=server.name)
        reply = view.call("wait", timeout=0.3)
        assert reply.get("error") == "PeerError", reply  # was InvalidArgument (CV_EINVAL)
        view.close()


@pytest.mark.parametrize("count", [2**64 - 1, 2**63, 26])
def test_a_reader_count_past_every_slot_is_a_full_queue_never_a_trap_or_an_eviction(count):
    with HostileServer() as server, ViewProcess() as view:
        for slot in range(3):
            server.put_reader(slot, 0xC0FFEE00 + slot)
        server.set_header(0, count)
        view.call("device")
        view.call("open", name=server.name)
        server.publish()
        assert view.call("wait", timeout=0.3).get("frame") is None
        statistics = view.call("stats")
        assert statistics["connected"] and statistics["no_slot"] == 1 and statistics["slot_refusals"] >= 1
        assert statistics["queue_readers"] == min(count, 2**63 - 1)
        assert [server.reader_uid(slot) for slot in range(3)] == [0xC0FFEE00, 0xC0FFEE01, 0xC0FFEE02]
        assert server.header(0) == count  # never cleared
        view.close()


def test_a_reader_count_broken_after_connecting_is_read_safely():
    with HostileServer() as server:
        view = connected_view(server)
        server.set_header(0, 2**63)
        statistics = view.call("stats")
        assert statistics["queue_readers"] == 2**63 - 1 and statistics["no_slot"] == 0
        view.close()


def test_a_queue_truncated_while_read_is_survived_and_nothing_is_written_into_it():
    with HostileServer() as server:
        view = connected_view(server)
        server.truncate_queue()
        for _ in range(5):
            reply = view.call("wait", timeout=0.1)
            assert reply.get("frame") is None and reply.get("error") in (None, "PeerError"), reply
        assert os.path.getsize(server.queue_path) == 0
        assert view.call("stats")["restarts"] >= 1
        counts = view.close()
        assert (counts["live"], counts["swept"], counts["dropped"]) == (0, 0, 0)


def test_wrap_markers_everywhere_are_the_servers_error_within_the_wait_not_a_spin():
    with HostileServer() as server:
        view = connected_view(server)
        server.fill_with_wrap_markers()
        reply = view.call("wait", timeout=0.1)
        assert reply.get("error") == "PeerError" and "does not lead" in reply["message"], reply
        assert reply["seconds"] < 0.5, reply
        view.close()


def test_a_misaligned_write_pointer_is_refused_before_any_atomic_read_there():
    with HostileServer() as server:
        view = connected_view(server)
        server.set_header(8, 52)  # offset 52: not a multiple of 8
        reply = view.call("wait", timeout=0.1)
        assert reply.get("error") == "PeerError" and "aligned" in reply["message"], reply
        view.close()


def open_and_wait_within_the_timeouts(view, server, what):
    """The constructor within its 0.1 s and three wait_for_frame(0.1) within theirs (with
    room for a loaded machine), none with a frame."""
    opened = view.call("open", name=server.name)
    assert not opened["connected"] and opened["seconds"] < 0.3, opened
    waits = [view.call("wait", timeout=0.1) for _ in range(3)]
    assert all(w.get("frame") is None and w["seconds"] < 0.25 for w in waits), waits
    print(f"\n{what}: constructor {opened['seconds'] * 1000:.1f} ms, "
          f"wait_for_frame(0.1) {max(w['seconds'] for w in waits) * 1000:.1f} ms at most")


def test_a_server_that_never_accepts_costs_no_more_than_the_timeouts():
    """A listener whose backlog is full blocked connect() as long as the server stayed stuck."""
    with HostileServer(accepting=False) as server, ViewProcess() as view:
        view.call("device")
        open_and_wait_within_the_timeouts(view, server, "never accepting")
        view.close()


def test_a_server_that_never_answers_costs_no_more_than_the_timeouts_and_its_late_answer_is_read():
    """A server that accepts and never answers cost 1 s in the constructor and in every
    wait_for_frame(0.1); when it answers late, its answer is read, not refused."""
    with HostileServer() as server, ViewProcess() as view:
        server.answer = lambda request: "hold"
        view.call("device")
        before = view.call("counts")
        open_and_wait_within_the_timeouts(view, server, "never answering")
        # One request outstanding, however long the waits go on: a stalled server is not sent more.
        assert len(server.held) == 1
        server.answer = server.default_answer
        assert server.answer_held()  # the view's end was still open: the whole answer went
        deadline = time.monotonic() + 3
        while True:
            server.publish()
            reply = view.call("wait", timeout=0.1)
            assert reply.get("error") is None, reply
            if reply.get("frame") is not None:
                break
            assert time.monotonic() < deadline, "the late answer was not taken"
        assert view.call("stats")["connections"] == 1  # the held request's answer made it
        counts = view.close()
        assert (counts["live"], counts["swept"], counts["dropped"], counts["fds"]) == (0, 0, 0, before["fds"])


def test_openpilots_server_survives_a_stall_and_serves_the_view_again(clean):
    """Stopped for 3 s: our liveness probe's stream-list request was abandoned after 1 s and
    openpilot's server, resumed, asserted on its answer (visionipc_server.cc:117) and died."""
    server = Server(fps=20, width=320, height=240, stride=320, uv_offset=320 * 240)
    try:
        with CameraView(server.name, DRIVER) as view:
            deadline = time.monotonic() + 5
            while view.wait_for_frame(timeout=0.1) is None:
                assert time.monotonic() < deadline
            server.process.send_signal(signal.SIGSTOP)
            stalled = time.monotonic()
            longest = 0.0
            while time.monotonic() - stalled < 3:
                start = time.monotonic()
                assert view.wait_for_frame(timeout=0.1) is None
                longest = max(longest, time.monotonic() - start)
            assert longest < 0.25, f"a wait_for_frame(0.1) took {longest:.3f} s against the stopped server"
            assert not view.is_connected  # lost: no answer to the probe within 1 s
            server.process.send_signal(signal.SIGCONT)
            deadline = time.monotonic() + 5
            while view.wait_for_frame(timeout=0.1) is None:
                assert time.monotonic() < deadline, "no frame after the server resumed"
            time.sleep(0.5)
            assert server.process.poll() is None, f"openpilot's server died: exit {server.process.returncode}"
            print(f"\nstalled 3 s: longest wait_for_frame(0.1) {longest * 1000:.1f} ms; the server lives")
    finally:
        server.process.send_signal(signal.SIGCONT)
        server.stop()
        server.process.stdout.close()


def test_a_stream_list_answer_with_fds_is_refused_and_its_fds_closed(clean):
    with HostileServer() as server:
        server.answer = lambda request: (struct_ids(1), [server.buffers[0]]) if request == 0xFFFFFFFF else server.default_answer(request)
        with pytest.raises(cameraview.PeerError, match="fds"):
            cameraview.available_streams(server.name)
        # The liveness probe gets the same answer after silence: closed, never swept or dropped.
        with CameraView(server.name, DRIVER) as view:
            server.publish()
            deadline = time.monotonic() + 2
            while view.wait_for_frame(timeout=0.1) is None:
                assert time.monotonic() < deadline
            quiet = time.monotonic()
            while time.monotonic() - quiet < 1.5:
                view.wait_for_frame(timeout=0.1)
            assert view.is_connected


def struct_ids(*ids):
    return struct.pack(f"={len(ids)}I", *ids)


def test_more_streams_than_the_protocol_allows_is_the_servers_error(clean):
    with HostileServer() as server:
        server.answer = lambda request: (struct_ids(*range(5000)), [])
        with pytest.raises(cameraview.PeerError, match="at most 64"):
            cameraview.available_streams(server.name)


def test_the_sigbus_guard_survives_a_faulthandler_enabled_after_the_first_view():
    """faulthandler, enabled after our handler, saw the truncation first, re-raised, and the
    process died ("Fatal Python error: Bus error")."""
    with HostileServer() as server:
        view = connected_view(server)
        view.call("faulthandler")
        server.truncate_buffers()
        reply = view.call("render")
        assert reply.get("error") == "BrokenFrame" and "truncated" in reply["message"], reply
        assert view.call("stats")["truncated"] == 1
        view.close()


def test_a_frame_whose_buffer_the_server_writes_next_is_not_drawn():
    """The server fills its buffers round robin and writes a buffer's frame-id trailer only
    when the frame is complete: once every other buffer holds a newer frame, its next write
    goes to the frame's buffer and may be under way during a read, which no trailer shows.
    Found by the compositor in the VM: a frame drawn with the luma of one frame and the
    chroma of the frame four later."""
    with HostileServer(buffers=3) as server:
        view = connected_view(server)  # frame 0, buffer 0
        server.publish()  # frame 1 into buffer 1; buffer 2 is written next
        assert "error" not in view.call("render")
        server.publish()  # frame 2, buffer 2
        assert view.call("wait", timeout=2.0).get("frame") == 2
        server.publish()  # frame 3, buffer 0
        server.publish()  # frame 4, buffer 1: buffer 2 is written next
        reply = view.call("render")
        assert reply.get("error") == "BrokenFrame" and "every other buffer (up to frame 4)" in reply["message"], reply
        assert view.call("stats")["torn"] == 1
        assert view.close()["swept"] == 0


def test_a_sent_sigbus_goes_to_the_hosts_handler_and_the_guard_stays():
    with HostileServer() as server:
        view = ViewProcess()
        view.call("sigbus-handler")  # the host's, installed before ours
        view.call("device")
        view.call("open", name=server.name)
        server.publish()
        assert view.call("wait", timeout=2.0).get("frame") == 0
        assert view.call("kill-sigbus")["handled"] == 1
        server.truncate_buffers()
        reply = view.call("render")
        assert reply.get("error") == "BrokenFrame", reply
        view.close()


def test_thirty_processes_of_views_beside_openpilots_client_take_no_frame_from_it():
    """25 reader slots, openpilot's client in one, 30 processes each with a view: the views
    that find the queue full wait for a slot instead of clearing every slot (as msgq's own
    readers do), so openpilot's client misses nothing. It missed 275 of 672 frames in 8 s."""
    processes, seconds = 30, 8
    with Server(fps=20, width=320, height=240, stride=320, uv_offset=320 * 240) as server:
        openpilot = subprocess.Popen([sys.executable, str(HERE / "vipc_openpilot_client.py"), server.name],
                                     stdout=subprocess.PIPE, text=True)
        assert openpilot.stdout.readline().strip() == "connected"
        views = [ViewProcess() for _ in range(processes)]
        try:
            for view in views:
                view.call("device", within=60)
                view.call("open", name=server.name)
            for view in views:
                view.send("watch", seconds=seconds)
            received = [view.reply("watch", seconds + 30)["received"] for view in views]
            statistics = [view.call("stats") for view in views]
            readers = queue_readers(server.name, 1)
        finally:
            for view in views:
                if view.process.poll() is None:
                    view.close()
        openpilot.terminate()
        report = openpilot.communicate(timeout=10)[0].split()
        frames, missed = int(report[0]), int(report[1])
        waiting = sum(s["no_slot"] for s in statistics)
        print(f"\n{processes} processes: openpilot's client {frames} frames, {missed} missed; queue readers {readers}; "
              f"{waiting} views waiting for a slot ({sum(s['slot_refusals'] for s in statistics)} refusals), "
              f"{sum(s['evictions'] for s in statistics)} evictions; frames per view {min(received)}..{max(received)}")
        assert missed == 0 and frames >= seconds * 20 * 0.8
        assert readers == 25 and waiting == processes - 24
        assert sum(s["evictions"] for s in statistics) == 0

