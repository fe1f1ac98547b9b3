"""The offscreen part of openpilot's watch3 workload (Benchmarks/watch3.py), for machines
without a window system (an NVIDIA GPU on the EGL device platform, CI on llvmpipe): three
1928x1208 streams, each rendered into its own 861x540 RGBA image (the pane) through the C API,
as `cameraview.CameraView.render_rgba` does:
  - new:    every stream submits a new frame (borrowed, uploaded at once) and renders;
  - redraw: no new frame: each view reads back the conversion it kept.
Milliseconds per round of three, medians, for `nearest` and the default filter; and the zone
plate's PSNR in the pane against the exact box model. No raylib, no openpilot peer.

    swift build -c release --product CameraViewC
    CAMERAVIEW_LIB=.build/release/libCameraViewC.so python3 Benchmarks/offscreen.py [--rounds 30] [--json]"""
import argparse
import json
import os
import statistics
import time

from watch3 import HEIGHT, STRIDE, UV_OFFSET, WIDTH, exact_pane, noise_frame, psnr, zone_plate  # sets sys.path first

import cameraview  # noqa: E402

PANE = (861, 540)


def round_ms(views, frames, new, images):
    start = time.perf_counter()
    for index, view in enumerate(views):
        if new:
            view.submit_nv12(frames[index], WIDTH, HEIGHT, stride=STRIDE, uv_offset=UV_OFFSET)
        images[index] = view.render_rgba(*PANE, out=images[index])
    return (time.perf_counter() - start) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    frames_by_turn = [[noise_frame(turn * 3 + stream) for stream in range(3)] for turn in range(2)]
    summary = {"threads": os.environ.get("LP_NUM_THREADS", f"unset ({os.cpu_count()} cores)"),
               "library": str(cameraview._lib.path), "rounds": arguments.rounds, "ms": {}, "psnr_db": {}}
    with cameraview.Device() as device:
        for name, filter in (("nearest", "nearest"), ("default", "automatic")):
            views = [cameraview.CameraView(device) for _ in range(3)]
            for view in views:
                view.set_options(filter=filter)
            images = [None] * 3
            round_ms(views, frames_by_turn[0], True, images)  # programs compiled, objects made
            new = [round_ms(views, frames_by_turn[turn % 2], True, images) for turn in range(arguments.rounds)]
            redraw = [round_ms(views, frames_by_turn[0], False, images) for _ in range(arguments.rounds)]
            summary["ms"][name] = {"new": statistics.median(new), "redraw": statistics.median(redraw)}
            # The pane's own frame of reference: the image is the fitted frame, 0.5 px bars at most.
            plate = zone_plate()
            views[0].submit_nv12(plate, WIDTH, HEIGHT, stride=STRIDE, uv_offset=UV_OFFSET)
            image = views[0].render_rgba(*PANE)
            scale = min(PANE[0] / WIDTH, PANE[1] / HEIGHT)
            pane = ((PANE[0] - WIDTH * scale) / 2, (PANE[1] - HEIGHT * scale) / 2, WIDTH * scale, HEIGHT * scale)
            expected, rows, columns = exact_pane(plate, pane)
            summary["psnr_db"][name] = psnr(image[rows.start:rows.stop, columns.start:columns.stop], expected)
            for view in views:
                view.close()
    if arguments.json:
        print(json.dumps(summary))
        return
    print(f"LP_NUM_THREADS {summary['threads']}; library {summary['library']}; {arguments.rounds} rounds")
    for name, values in summary["ms"].items():
        print(f"{name:<8} new {values['new']:7.2f} ms  redraw {values['redraw']:6.2f} ms  "
              f"zone plate {summary['psnr_db'][name]:5.1f} dB  (per round of three 861x540 panes)")


if __name__ == "__main__":
    main()
