"""VisionIPC figures against openpilot's own VisionIpcServer (msgq-ipc, another process):
  - latency from the server's send (timestamp_eof, stamped just before it) to
    wait_for_frame returning in this process: median and p99 over --frames frames of one
    1928x1208 stream at 20 fps (camerad's rate);
  - three 1928x1208 streams (road, driver, wide road) at 20 fps, each newest frame rendered
    to 964x604 RGBA: milliseconds per round of three renders (median, p99).
Run with the test venv and the release library:

    swift build -c release --product CameraViewC
    CAMERAVIEW_LIB=.build/release/libCameraViewC.so .venv/bin/python Benchmarks/visionipc.py [--frames 400]

llvmpipe uses every core unless LP_NUM_THREADS says otherwise; the run prints what it had."""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bindings/python"), str(ROOT / "bindings/python/tests")]

import cameraview  # noqa: E402
from cameraview import CameraView, VisionStreamType  # noqa: E402
from vipc_servers import Server  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(fraction * len(ordered) + 0.999999) - 1))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=400)
    arguments = parser.parse_args()
    print(f"cores {os.cpu_count()}, LP_NUM_THREADS={os.environ.get('LP_NUM_THREADS', 'unset (all cores)')}, "
          f"library {cameraview._lib.path}")
    with Server(fps=20) as server, CameraView(server.name, VisionStreamType.VISION_STREAM_DRIVER) as view:
        latencies = []
        while len(latencies) < arguments.frames:
            frame = view.wait_for_frame(timeout=1)
            if frame is not None:
                latencies.append((time.clock_gettime_ns(time.CLOCK_BOOTTIME) - frame.timestamp_eof) / 1e6)
        latencies = latencies[10:]  # the server's first touches of its buffers
        print(f"latency send -> wait_for_frame: median {statistics.median(latencies):.3f} ms, "
              f"p99 {percentile(latencies, 0.99):.3f} ms ({len(latencies)} frames)")
    with Server(streams="0,1,2", fps=20) as server, cameraview.Device() as device:
        views = [CameraView(server.name, VisionStreamType(stream), device=device) for stream in (0, 1, 2)]
        out = [None] * 3
        rounds = []
        for round in range(arguments.frames // 4 + 5):
            frames = [view.wait_for_frame(timeout=1) for view in views]
            start = time.perf_counter()
            for index, view in enumerate(views):
                try:
                    out[index] = view.render_rgba(964, 604, out=out[index])
                except cameraview.BrokenFrame:
                    pass
            if round >= 5 and all(frames):
                rounds.append((time.perf_counter() - start) * 1000)
        torn = sum(view.vision_statistics["torn"] for view in views)
        for view in views:
            view.close()
        print(f"three 1928x1208 streams -> 964x604: median {statistics.median(rounds):.2f} ms per round, "
              f"p99 {percentile(rounds, 0.99):.2f} ms ({len(rounds)} rounds, {torn} torn)")


if __name__ == "__main__":
    main()
