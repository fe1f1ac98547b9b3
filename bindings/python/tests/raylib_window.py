"""A pyray window with a camera view in it, checked, in the process of one window setup
(raylib-sdl offscreen, the stock wheel under weston or Xvfb): test_raylib.py runs it with
that setup's venv and display and reads the JSON it prints last.

In every setup (raylib's context EGL or GLX, adopted as it is): raylib draws before and after the view; the window is read
back and compared with the exact model (within 1 at 1:1 nearest, and at 2:1 with the
default filter); raylib's GL state is compared before and after; the same into a
RenderTexture; openpilot's create/close loop runs inside the running window; and the cost
of a 1928x1208 frame drawn at 964x604 (upload + draw, glFinish'd) is measured; and a
dma-buf frame renders (under GLX, which has no EGL to import it, mapped and uploaded).

    python raylib_window.py"""
import ctypes
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

import numpy  # noqa: E402
import pyray as rl  # noqa: E402

import cameraview  # noqa: E402
import model  # noqa: E402
import vipc_frames  # noqa: E402
from cameraview.raylib import render  # noqa: E402
from memory import heap_in_use_bytes, slope  # noqa: E402

W, H = 320, 240
GL = ctypes.CDLL("libGLESv2.so.2")
GL.glGetIntegerv.argtypes = [ctypes.c_uint, ctypes.POINTER(ctypes.c_int)]
GL.glIsEnabled.argtypes = [ctypes.c_uint]
# What a draw of ours could leave changed in raylib's context.
STATE = {
    "program": (0x8B8D, 1), "texture_2d": (0x8069, 1), "active_texture": (0x84E0, 1), "array_buffer": (0x8894, 1),
    "element_buffer": (0x8895, 1), "vertex_array": (0x85B5, 1), "framebuffer": (0x8CA6, 1), "viewport": (0x0BA2, 4),
    "scissor_box": (0x0C10, 4), "blend_src_rgb": (0x80C9, 1), "blend_dst_rgb": (0x80C8, 1), "unpack_alignment": (0x0CF5, 1),
    "unpack_row_length": (0x0CF2, 1), "pack_alignment": (0x0D05, 1), "color_writemask": (0x0C23, 4),
    "pixel_unpack_buffer": (0x88EF, 1),
}
CAPABILITIES = {"blend": 0x0BE2, "depth_test": 0x0B71, "scissor_test": 0x0C11, "cull_face": 0x0B44, "stencil_test": 0x0B90}


def gl_state():
    state = {}
    for name, (enum, count) in STATE.items():
        values = (ctypes.c_int * count)()
        GL.glGetIntegerv(enum, values)
        state[name] = list(values)
    state.update({name: GL.glIsEnabled(enum) for name, enum in CAPABILITIES.items()})
    return state


def gradient(width, height):
    """Tight NV12 planes (vipc_frames' pattern 0) and the frame they make."""
    luma, uv = vipc_frames.planes(0, width, height)
    return luma, uv, vipc_frames.tight(0, width, height)


def screen():
    image = rl.load_image_from_screen()
    pixels = numpy.frombuffer(rl.ffi.buffer(image.data, image.width * image.height * 4), numpy.uint8)
    pixels = pixels.reshape(image.height, image.width, 4).copy()
    rl.unload_image(image)
    return pixels


def texture_pixels(texture):
    image = rl.load_image_from_texture(texture)
    pixels = numpy.frombuffer(rl.ffi.buffer(image.data, image.width * image.height * 4), numpy.uint8)
    pixels = pixels.reshape(image.height, image.width, 4).copy()
    rl.unload_image(image)
    return pixels


def draw_scene(view, rect):
    """raylib's background and a rectangle, the view at `rect`, then a rectangle on top."""
    rl.clear_background(rl.Color(0, 0, 255, 255))
    rl.draw_rectangle(0, 0, 40, 40, rl.Color(255, 0, 0, 255))
    drawn = render(view, rect)
    rl.draw_rectangle(rect[0] + 4, rect[1] + 4, 6, 6, rl.Color(0, 255, 0, 255))
    return drawn


def check_scene(pixels, rect, expected, results, label):
    x, y, width, height = rect
    inside = pixels[y:y + height, x:x + width].astype(int)
    mask = numpy.ones((height, width), bool)
    mask[4:10, 4:10] = False  # raylib's rectangle drawn after the view
    results[label + "_error"] = int(numpy.abs(inside - expected)[mask].max())
    results[label + "_raylib_after"] = bool((pixels[y + 5, x + 5] == [0, 255, 0, 255]).all())
    results[label + "_raylib_before"] = bool((pixels[5, 5] == [255, 0, 0, 255]).all() and (pixels[H - 5, W - 5] == [0, 0, 255, 255]).all())


def counts():
    return [cameraview.live_handles_in_process(), cameraview.swept_in_process(),
            cameraview.failed_deletions_in_process(), cameraview.dropped_in_process()]


def window_checks(results):
    start = counts()
    device = cameraview.Device.adopt_current()
    luma, uv, frame = gradient(64, 48)
    rect = (100, 30, 64, 48)
    with cameraview.CameraView(device) as view:
        view.submit_nv12(frame, 64, 48)
        view.set_options(filter="nearest", fit="stretch")
        for _ in range(2):  # raylib swaps buffers: read the frame just drawn
            rl.begin_drawing()
            before = gl_state()
            results["drawn"] = draw_scene(view, rect)
            rl.rl_draw_render_batch_active()
            after = gl_state()
            pixels = screen()
            rl.end_drawing()
        results["state_changed"] = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
        check_scene(pixels, rect, model.rgba(frame, 64, 48).astype(int), results, "window")
        # 2:1 with the default filter: 128x96 into 64x48.
        luma2, uv2, frame2 = gradient(128, 96)
        view.submit_nv12(frame2, 128, 96)
        view.set_options(fit="stretch")
        rl.begin_drawing()
        draw_scene(view, rect)
        rl.rl_draw_render_batch_active()
        pixels = screen()
        rl.end_drawing()
        check_scene(pixels, rect, model.rgba_half(luma2, uv2).astype(int), results, "scaled")
        # Into a RenderTexture (raylib's textures are stored bottom-up: read back flipped).
        view.submit_nv12(frame, 64, 48)
        view.set_options(filter="nearest", fit="stretch")
        target = rl.load_render_texture(W, H)
        rl.begin_texture_mode(target)
        draw_scene(view, rect)
        rl.end_texture_mode()
        check_scene(texture_pixels(target.texture)[::-1], rect, model.rgba(frame, 64, 48).astype(int), results, "texture")
        rl.unload_render_texture(target)
    seed_loop_in_window(device, frame, rect, results)
    results["frame_cost_ms"] = frame_cost(device)
    device.close()
    results["counts_before_after"] = [start, counts()]


def seed_loop_in_window(device, frame, rect, results, cycles=2000, warmup=200):
    """openpilot's loop inside the running window: a view made, drawn and closed per frame."""
    samples = []
    for cycle in range(cycles):
        rl.begin_drawing()
        view = cameraview.CameraView(device)
        view.submit_nv12(frame, 64, 48)
        draw_scene(view, rect)
        view.close()
        del view
        rl.end_drawing()
        if cycle >= warmup and cycle % 10 == 0:
            samples.append((cycle, heap_in_use_bytes()))
    cycles_sampled, heap = numpy.array(samples).T
    results["loop_heap_slope"] = float(slope(cycles_sampled, heap))


def frame_cost(device, frames=40):
    """A 1928x1208 frame (replay's layout) uploaded and drawn at 964x604 in the window."""
    GL.glFinish.argtypes = []
    data = numpy.random.default_rng(1).integers(0, 256, 2048 * 1216 * 3 // 2, dtype=numpy.uint8)
    times = []
    with cameraview.CameraView(device) as view:
        for index in range(frames + 5):
            rl.begin_drawing()
            rl.clear_background(rl.Color(0, 0, 0, 255))
            GL.glFinish()
            start = time.perf_counter()
            view.submit_nv12(data, 1928, 1208, stride=2048, uv_offset=2048 * 1216)
            render(view, (0, 0, 964, 604))
            GL.glFinish()
            if index >= 5:
                times.append((time.perf_counter() - start) * 1000)
            rl.end_drawing()
    return statistics.median(times)


def dma_buf_checks(results):
    """A dma-buf frame (a memfd stands in: what matters is the path taken) in raylib's context."""
    luma, uv, frame = gradient(64, 48)
    descriptor = os.memfd_create("frame")
    os.write(descriptor, frame.tobytes())
    with cameraview.Device.adopt_current() as device, cameraview.CameraView(device) as view:
        view.set_options(filter="nearest")
        image = view.render(cameraview.Frame.dmabuf(64, 48, (descriptor, 0, 64), (descriptor, 64 * 48, 64)),
                            cameraview.ImageTarget(64, 48))
        results["dmabuf_error"] = int(numpy.abs(image.astype(int) - model.rgba(frame, 64, 48)).max())
        results["dmabuf_path"] = view.last_import_path
    os.close(descriptor)


def main():
    rl.set_trace_log_level(rl.LOG_WARNING)
    rl.init_window(W, H, "cameraview")
    egl = ctypes.CDLL("libEGL.so.1")
    egl.eglGetCurrentContext.restype = ctypes.c_void_p
    results = {"context": "egl" if egl.eglGetCurrentContext() else "glx"}
    try:
        window_checks(results)
        dma_buf_checks(results)
    finally:
        rl.close_window()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
