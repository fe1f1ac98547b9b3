"""openpilot's camera view over VisionIPC, against openpilot's own server and client
(msgq-ipc, in a separate process as camerad is) and an older-layout server of ours:
renders checked against the exact model, restarts, kills, absent servers and streams,
slow servers, truncated buffers, reader slots, and the seed's create/close loop."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy
import pytest

import cameraview
import model
import vipc_frames
from cameraview import CameraView, VisionStreamType, png
from memory import heap_in_use_bytes, open_fds, slope
from vipc_servers import (HERE, Server, child_environment, clean, queue_readers, reader_thread_ids,  # noqa: F401 (clean)
                          remove_queues, unique_name)

DRIVER = VisionStreamType.VISION_STREAM_DRIVER
W, H = vipc_frames.REPLAY["width"], vipc_frames.REPLAY["height"]


def frame_of(view, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = view.wait_for_frame(timeout=0.2)
        if frame is not None:
            return frame
    raise AssertionError(f"no frame within {timeout} s")


def render_whole(view, width, height):
    """A render of the newest frame; a frame the server rewrote meanwhile (possible: the
    server reuses buffers with no lock) is retried with the next."""
    for _ in range(20):
        frame = frame_of(view)
        try:
            return frame, view.render_rgba(width, height)
        except cameraview.BrokenFrame:
            continue
    raise AssertionError("every frame was torn")


def test_replay_frames_render_within_one_of_the_exact_model(clean):
    with Server(fps=30) as server, CameraView(server.name, DRIVER) as view:
        view.set_options(filter="nearest")
        frame, image = render_whole(view, W, H)
        assert (frame.width, frame.height) == (W, H)
        expected = model.rgba(vipc_frames.tight(frame.frame_id, W, H), W, H)
        assert numpy.abs(image.astype(int) - expected).max() <= 1
        # The default filter at 964x604 (area, 2:1) against a box filter of the model.
        view.set_options()
        frame, image = render_whole(view, W // 2, H // 2)
        assert numpy.abs(image.astype(int) - model.rgba_half(*vipc_frames.planes(frame.frame_id, W, H))).max() <= 1


def test_streams_connection_and_frame_fields(clean):
    with Server(streams="0,1,2", fps=50) as server:
        assert cameraview.available_streams(server.name) == {
            VisionStreamType.VISION_STREAM_ROAD, DRIVER, VisionStreamType.VISION_STREAM_WIDE_ROAD}
        with CameraView(server.name, VisionStreamType.VISION_STREAM_WIDE_ROAD) as view:
            assert view.is_connected
            assert view.available_streams == {0, 1, 2}
            first, second = frame_of(view), frame_of(view)
            assert second.frame_id > first.frame_id and second.timestamp_sof == second.frame_id
            assert 0 <= second.buffer_index < 4 and second.timestamp_eof > 0
            statistics = view.vision_statistics
            assert statistics["delivered"] == 2 and statistics["torn"] == 0 and statistics["connections"] == 1


def test_no_server_then_one_appears(clean):
    name = unique_name()
    assert cameraview.available_streams(name) == set()
    with CameraView(name, DRIVER) as view:
        assert not view.is_connected
        assert view.wait_for_frame(timeout=0.3) is None
        with pytest.raises(cameraview.NoFrame):
            view.render_rgba(64, 48)
        with Server(name=name, fps=50):
            frame_of(view)
            assert view.is_connected


def test_openpilot_prefix_names_the_socket_and_queue(clean, monkeypatch):
    prefix = unique_name()
    os.makedirs(f"/dev/shm/msgq_{prefix}")  # msgq does not make it
    try:
        with Server(fps=50, environment={"OPENPILOT_PREFIX": prefix}) as server:
            assert os.path.exists(f"/tmp/{prefix}_visionipc_{server.name}")
            with CameraView(server.name, DRIVER) as unprefixed:
                assert unprefixed.wait_for_frame(timeout=0.3) is None and not unprefixed.is_connected
            monkeypatch.setenv("OPENPILOT_PREFIX", prefix)
            with CameraView(server.name, DRIVER) as view:
                frame_of(view)
                assert os.path.exists(f"/dev/shm/msgq_{prefix}/visionipc_{server.name}_1")
    finally:
        for entry in os.listdir(f"/dev/shm/msgq_{prefix}"):
            os.unlink(f"/dev/shm/msgq_{prefix}/{entry}")
        os.rmdir(f"/dev/shm/msgq_{prefix}")


def test_an_unknown_stream_is_not_connected(clean):
    with Server(streams="0", fps=50) as server, CameraView(server.name, VisionStreamType.VISION_STREAM_MAP) as view:
        assert view.wait_for_frame(timeout=0.5) is None
        assert not view.is_connected


def lose_then_resume(view, name):
    """After the server went away: the view notices, stops showing the old frame, and
    takes frames again from a new server."""
    deadline = time.monotonic() + 5
    while view.is_connected and time.monotonic() < deadline:
        view.wait_for_frame(timeout=0.1)
    assert not view.is_connected
    with pytest.raises(cameraview.NoFrame):
        view.render_rgba(64, 48)
    with Server(name=name, fps=50):
        frame, _ = render_whole(view, W // 4, H // 4)
        assert frame.frame_id < 1000


@pytest.mark.parametrize("end", ["stop", "kill"])
def test_a_server_stopped_or_killed_and_started_again(clean, end):
    server = Server(fps=50)
    with CameraView(server.name, DRIVER) as view:
        frame_of(view)
        view.render_rgba(W // 4, H // 4)
        getattr(server, end)()
        if end == "kill":
            assert os.path.exists(f"/tmp/visionipc_{server.name}")  # the socket file it left
        lose_then_resume(view, server.name)
        statistics = view.vision_statistics
        assert statistics["connections"] == 2 and statistics["losses"] + statistics["restarts"] >= 1
    server.process.stdout.close()


def test_a_restart_without_silence_is_seen_by_its_new_server_id(clean):
    server = Server(fps=100)
    with CameraView(server.name, DRIVER) as view:
        frame_of(view)
        server.stop()
        # The new server is up before the view reads again: the queue's new writer says so.
        with Server(name=server.name, fps=100):
            frame = frame_of(view)
            assert frame.frame_id < 1000
            assert view.vision_statistics["restarts"] + view.vision_statistics["losses"] >= 1
    server.process.stdout.close()


def test_a_server_slower_than_the_reader_stays_connected(clean):
    with Server(fps=2) as server, CameraView(server.name, DRIVER) as view:
        frame_of(view)
        received, start = 1, time.monotonic()
        while time.monotonic() - start < 2.5:
            if view.wait_for_frame(timeout=0.05) is not None:
                received += 1
            assert view.is_connected
            view.render_rgba(64, 48)  # the last frame stays shown between frames
        assert 4 <= received <= 8
        assert view.vision_statistics["losses"] == 0


def test_a_buffer_truncated_while_mapped_is_a_broken_frame_not_a_crash(clean):
    server = Server(fps=100)
    with CameraView(server.name, DRIVER) as view:
        frame_of(view)
        # Frozen, so that it writes no more (it would die of SIGBUS itself), the server's
        # buffers (unlinked /dev/shm files) shrink under both processes.
        server.process.send_signal(signal.SIGSTOP)
        for entry in os.listdir(f"/proc/{server.process.pid}/fd"):
            target = os.readlink(f"/proc/{server.process.pid}/fd/{entry}")
            if "visionbuf" in target:
                with open(f"/proc/{server.process.pid}/fd/{entry}", "r+b") as buffer:
                    buffer.truncate(0)
        with pytest.raises(cameraview.BrokenFrame, match="truncated"):
            view.render_rgba(64, 48)
        assert view.vision_statistics["truncated"] == 1
    server.kill()
    server.process.stdout.close()


def test_an_older_layout_server(clean):
    with Server(script="vipc_legacy_server.py", fps=30) as server, CameraView(server.name, DRIVER) as view:
        assert cameraview.available_streams(server.name) == {DRIVER}
        view.set_options(filter="nearest")
        frame, image = render_whole(view, W, H)
        assert frame.valid
        assert numpy.abs(image.astype(int) - model.rgba(vipc_frames.tight(frame.frame_id, W, H), W, H)).max() <= 1
        assert queue_readers(server.name, 1) == 1 and view.vision_statistics["queue_readers"] == 1


def test_our_reader_is_never_signalled_and_a_process_without_sigusr2_handler_survives():
    """msgq's writer sends SIGUSR2 to every registered reader's thread after each message;
    a process with no handler dies at the first. This one (no msgq imported, SIGUSR2 at
    its default) reads 100,000 small frames (1.4 hours of camerad at 20 fps)."""
    with Server(fps=100000, width=64, height=48, stride=64, uv_offset=64 * 48, buffers=8) as server:
        watcher = subprocess.run(
            [sys.executable, str(HERE / "vipc_reader_process.py"), server.name, "100000"],
            capture_output=True, text=True, timeout=300, env=child_environment())
        assert watcher.returncode == 0, watcher.stderr
        assert "sigusr2=default" in watcher.stdout
        print("\nreader process:", watcher.stdout.strip())
        assert 0 in reader_thread_ids(server.name, 1)


def test_ten_thousand_create_close_cycles_keep_slots_fds_and_heap_and_starve_no_one():
    """The seed's loop, `v = CameraView("camerad", ...); v.wait_for_frame(); v.close()`,
    10,000 times, with openpilot's own VisionIpcClient reading the same stream in another
    process, counting every frame id."""
    cycles, warmup, every = 10000, 1000, 10
    with Server(fps=1000, width=320, height=240, stride=320, uv_offset=320 * 240, buffers=8) as server:
        openpilot = subprocess.Popen([sys.executable, str(HERE / "vipc_openpilot_client.py"), server.name],
                                     stdout=subprocess.PIPE, text=True)
        assert openpilot.stdout.readline().strip() == "connected"
        with CameraView(server.name, DRIVER) as first:
            frame_of(first)
        readers = queue_readers(server.name, 1)
        shm, fds = set(os.listdir("/dev/shm")), open_fds()
        before = (cameraview.live_handles_in_process(), cameraview.swept_in_process(),
                  cameraview.failed_deletions_in_process(), cameraview.dropped_in_process())
        samples = numpy.zeros((cycles - warmup) // every, dtype=numpy.int64)
        for cycle in range(cycles):
            view = CameraView(server.name, DRIVER)
            assert view.wait_for_frame(timeout=2.0) is not None
            view.close()
            del view
            if cycle >= warmup and (cycle - warmup) % every == 0:
                samples[(cycle - warmup) // every] = heap_in_use_bytes()
        after = (cameraview.live_handles_in_process(), cameraview.swept_in_process(),
                 cameraview.failed_deletions_in_process(), cameraview.dropped_in_process())
        assert after == before
        # Nothing new in /dev/shm (other processes' entries may come and go meanwhile).
        assert open_fds() == fds and set(os.listdir("/dev/shm")) - shm == set()
        assert queue_readers(server.name, 1) == readers
        heap_slope = slope(numpy.arange(warmup, cycles, every), samples)
        assert heap_slope < 16, f"{heap_slope:.2f} bytes per cycle"
        openpilot.terminate()
        report = openpilot.communicate(timeout=10)[0].split()
        assert openpilot.returncode == 0, report
        received, gaps = int(report[0]), int(report[1])
        assert received > 1000 and gaps == 0, f"openpilot's client: {received} frames, {gaps} missed"
        print(f"\n10,000 cycles: heap {heap_slope:.2f} B/cycle, readers {readers} -> {queue_readers(server.name, 1)}, "
              f"openpilot's client {received} frames, {gaps} missed")


def teardown_module():
    # Queues of servers that a test killed stay in /dev/shm (msgq never removes them).
    for entry in os.listdir("/dev/shm"):
        if entry.startswith(f"msgq_visionipc_cvtest{os.getpid()}x"):
            remove_queues(entry[len("msgq_visionipc_"):].rsplit("_", 1)[0])


def test_camview_watch_renders_the_stream_to_pngs(tmp_path):
    camview = HERE.parents[2] / ".build" / "debug" / "camview"
    with Server(fps=30) as server:
        result = subprocess.run([str(camview), "watch", "--visionipc", f"{server.name}:driver", "--frames", "3",
                                 "--output-dir", str(tmp_path), "--filter", "nearest", "--json"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["frames"] == 3 and summary["size"] == {"width": W, "height": H} and summary["latency_ms"] > 0
        rgba, width, height = png.read(str(tmp_path / "frame-00002.png"))
        image = numpy.frombuffer(rgba, dtype=numpy.uint8).reshape(height, width, 4)
        # Which frame it was is not printed; it is one of the patterns, within 1.
        assert min(numpy.abs(image.astype(int) - model.rgba(vipc_frames.tight(k, W, H), W, H)).max()
                   for k in range(vipc_frames.PATTERNS)) <= 1
        missing = subprocess.run([str(camview), "watch", "--visionipc", f"{server.name}:map", "--frames", "1",
                                  "--output-dir", str(tmp_path), "--timeout-ms", "300"], capture_output=True, text=True)
        assert missing.returncode != 0 and "serves no stream map; it serves driver" in missing.stderr
