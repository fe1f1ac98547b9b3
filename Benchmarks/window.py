"""openpilot's watch3 layout in one raylib-sdl window: our view against openpilot's own way of
drawing a camera (selfdrive/ui/onroad/cameraview.py on PC: a Y and a UV texture updated with
UpdateTexture when a new frame came, a BT.601 full-range shader, one DrawTexturePro, raylib's
default GL_NEAREST sampling), taking turns in one run.

A 2160x1080 window; three 1928x1208 NV12 streams (stride 2048, uv_offset 2048 * 1216) in
three 1080x540 cells (road top centre, driver and wide road below), each frame fitted into
its cell (861x540 panes). Per window frame (begin_drawing ... end_drawing, then glFinish):
  - new:     every stream has a new frame every window frame;
  - redraw:  no stream has a new frame;
  - cadence: openpilot's, a 60 Hz UI over 20 Hz cameras: a new frame every third window
             frame (the mean over whole cycles of three).
Sides: openpilot's drawing, ours with `nearest` (openpilot's quality) and with the default
filter. Each round runs every side in turn; the table gives medians over rounds and the
ratio to openpilot's. A zone plate drawn in the road pane is compared with an exact
double-precision box model of the pane (PSNR over the pixels the frame covers whole).

    swift build -c release --product CameraViewC
    SDL_VIDEODRIVER=offscreen CAMERAVIEW_LIB=.build/release/libCameraViewC.so \\
        .venv-raylib-sdl/bin/python Benchmarks/window.py [--rounds 5] [--frames 24] [--json]

llvmpipe uses every core unless LP_NUM_THREADS says otherwise; the run prints what it had
(both sides draw in the same process, so they run with the same threads)."""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bindings/python"), str(ROOT / "bindings/python/tests")]

import pyray as rl  # noqa: E402

import cameraview  # noqa: E402
from cameraview.raylib import render  # noqa: E402
from raylib_window import screen  # noqa: E402
from watch3 import (CELL, CELLS, HEIGHT, STRIDE, UV_OFFSET, WIDTH, WINDOW, exact_pane, fitted, noise_frame,  # noqa: E402
                    psnr, zone_plate)

GL = ctypes.CDLL("libGLESv2.so.2")

# openpilot's fragment shader (BT.601 full range); its header is the context's (GLES 3 on the
# device, GL 3.3 on a PC), as openpilot chooses it.
OPENPILOT_FRAGMENT = """
in vec2 fragTexCoord;
uniform sampler2D texture0;
uniform sampler2D texture1;
out vec4 fragColor;
void main() {
  float y = texture(texture0, fragTexCoord).r;
  vec2 uv = texture(texture1, fragTexCoord).ra - 0.5;
  vec3 rgb = vec3(y + 1.402 * uv.y, y - 0.344 * uv.x - 0.714 * uv.y, y + 1.772 * uv.x);
  fragColor = vec4(rgb, 1.0);
}
"""


class OpenpilotDrawing:
    """openpilot's camera drawing on PC: two textures, UpdateTexture, its shader, DrawTexturePro."""

    def __init__(self):
        GL.glGetString.restype = ctypes.c_char_p
        header = "#version 300 es\nprecision mediump float;" if b"OpenGL ES" in GL.glGetString(0x1F02) else "#version 330 core"
        self.shader = rl.load_shader_from_memory(rl.ffi.NULL, header + OPENPILOT_FRAGMENT)
        self.uv_location = rl.get_shader_location(self.shader, "texture1")
        self.textures = []
        for _ in CELLS:
            luma = rl.Image(rl.ffi.NULL, STRIDE, HEIGHT, 1, rl.PixelFormat.PIXELFORMAT_UNCOMPRESSED_GRAYSCALE)
            chroma = rl.Image(rl.ffi.NULL, STRIDE // 2, HEIGHT // 2, 1, rl.PixelFormat.PIXELFORMAT_UNCOMPRESSED_GRAY_ALPHA)
            self.textures.append((rl.load_texture_from_image(luma), rl.load_texture_from_image(chroma)))

    def draw(self, index, frame, new):
        luma, chroma = self.textures[index]
        if new:
            rl.update_texture(luma, rl.ffi.cast("void *", frame.ctypes.data))
            rl.update_texture(chroma, rl.ffi.cast("void *", frame[UV_OFFSET:].ctypes.data))
        x, y, width, height = fitted(CELLS[index])
        rl.begin_shader_mode(self.shader)
        rl.set_shader_value_texture(self.shader, self.uv_location, chroma)
        rl.draw_texture_pro(luma, rl.Rectangle(0, 0, WIDTH, HEIGHT), rl.Rectangle(x, y, width, height), rl.Vector2(0, 0), 0, rl.WHITE)
        rl.end_shader_mode()

    def close(self):
        for luma, chroma in self.textures:
            rl.unload_texture(luma)
            rl.unload_texture(chroma)
        rl.unload_shader(self.shader)


class OurDrawing:
    """Our views in raylib's context: a new frame submitted (borrowed, uploaded at once),
    every window frame drawn with cameraview.raylib.render."""

    def __init__(self, device, filter):
        self.views = [cameraview.CameraView(device) for _ in CELLS]
        for view in self.views:
            view.set_options(filter=filter)

    def draw(self, index, frame, new):
        view = self.views[index]
        if new:
            view.submit_nv12(frame, WIDTH, HEIGHT, stride=STRIDE, uv_offset=UV_OFFSET)
        x, y = CELLS[index]
        render(view, (x, y, CELL[0], CELL[1]))

    def close(self):
        for view in self.views:
            view.close()


def window_frame(side, frames, new):
    rl.begin_drawing()
    rl.clear_background(rl.BLACK)
    for index in range(len(CELLS)):
        side.draw(index, frames[index], new)
    rl.end_drawing()
    GL.glFinish()


def timed(side, frames_by_turn, pattern, count):
    """Milliseconds of each of `count` window frames; `pattern(i)`: whether frame i is new."""
    times = []
    for index in range(count):
        start = time.perf_counter()
        window_frame(side, frames_by_turn[index % len(frames_by_turn)], pattern(index))
        times.append((time.perf_counter() - start) * 1e3)
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--frames", type=int, default=24, help="window frames per side and round (a multiple of 3)")
    parser.add_argument("--json", action="store_true")
    arguments = parser.parse_args()
    rl.set_trace_log_level(rl.TraceLogLevel.LOG_WARNING)
    rl.init_window(*WINDOW, "watch3")
    threads = os.environ.get("LP_NUM_THREADS", f"unset ({os.cpu_count()} cores)")
    device = cameraview.Device.adopt_current()
    sides = {"openpilot": OpenpilotDrawing(), "nearest": OurDrawing(device, "nearest"),
             "default": OurDrawing(device, "automatic")}
    # Two sets of three different frames, taken in turns, so a new frame is new content.
    frames_by_turn = [[noise_frame(turn * 3 + stream) for stream in range(3)] for turn in range(2)]
    modes = {"new": lambda i: True, "redraw": lambda i: i == 0, "cadence": lambda i: i % 3 == 0}
    results = {mode: {name: [] for name in sides} for mode in modes}
    for name, side in sides.items():  # warm-up: programs compiled, caches made
        timed(side, frames_by_turn, modes["new"], 3)
    for _ in range(arguments.rounds):
        for mode, pattern in modes.items():
            for name, side in sides.items():
                times = timed(side, frames_by_turn, pattern, arguments.frames)
                # redraw: the first frame brings the frame in; cadence: whole cycles of three.
                results[mode][name].append(statistics.median(times[1:]) if mode == "redraw" else statistics.mean(times)
                                           if mode == "cadence" else statistics.median(times))
    plate = zone_plate()
    quality = {}
    expected, rows, columns = exact_pane(plate, fitted(CELLS[0]))
    for name, side in sides.items():
        window_frame(side, [plate, plate, plate], True)
        quality[name] = psnr(screen()[rows.start:rows.stop, columns.start:columns.stop], expected)
    for side in sides.values():
        side.close()
    device.close()
    rl.close_window()

    medians = {mode: {name: statistics.median(values) for name, values in sides_.items()} for mode, sides_ in results.items()}
    summary = {"threads": threads, "cores": os.cpu_count(), "library": str(cameraview._lib.path),
               "rounds": arguments.rounds, "frames": arguments.frames, "ms": medians,
               "ratio": {mode: {name: values[name] / values["openpilot"] for name in values} for mode, values in medians.items()},
               "psnr_db": quality}
    if arguments.json:
        print(json.dumps(summary))
        return
    print(f"LP_NUM_THREADS {threads}; library {summary['library']}; {arguments.rounds} rounds x {arguments.frames} window frames")
    print(f"{'side':<10} {'new ms':>8} {'ratio':>6} {'redraw ms':>10} {'ratio':>6} {'cadence ms':>11} {'ratio':>6} {'zone plate':>11}")
    for name in sides:
        row = [f"{medians[mode][name]:>{width}.2f} {summary['ratio'][mode][name]:>6.2f}"
               for mode, width in (("new", 8), ("redraw", 10), ("cadence", 11))]
        print(f"{name:<10} " + " ".join(row) + f" {quality[name]:>8.1f} dB")


if __name__ == "__main__":
    main()
