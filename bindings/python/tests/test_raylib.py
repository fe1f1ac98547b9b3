"""A camera view inside a pyray (raylib) window, as openpilot's UI draws one, in the three
window setups openpilot's UI meets: raylib-sdl with SDL's offscreen driver (EGL, no X),
the stock raylib wheel under a headless Wayland compositor (weston: EGL), and the stock
wheel under Xvfb (GLX), each adopted as it is. Each runs in its own process with its own venv (the two wheels
both install `pyray`; scripts/install-deps makes .venv-raylib-sdl and .venv-raylib), where
raylib_window.py checks the window and prints what it found; the example program runs
too. The figures (per-frame cost of a 1928x1208 frame drawn at 964x604) print with -s."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy
import pytest

import model
import vipc_frames
from cameraview import png
from vipc_servers import HERE, Server, child_environment

ROOT = HERE.parents[2]
SDL = ROOT / ".venv-raylib-sdl" / "bin" / "python"
STOCK = ROOT / ".venv-raylib" / "bin" / "python"


@pytest.fixture(scope="module")
def weston():
    """A headless weston for the module: the environment its clients need."""
    runtime = tempfile.mkdtemp(prefix="cameraview-weston-")
    os.chmod(runtime, 0o700)
    environment = {"XDG_RUNTIME_DIR": runtime, "WAYLAND_DISPLAY": "cameraview-test"}
    compositor = subprocess.Popen(["weston", "--backend=headless-backend.so", "--socket=cameraview-test", "--idle-time=0"],
                                  env={**os.environ, **environment}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(os.path.join(runtime, "cameraview-test")):
        assert compositor.poll() is None and time.monotonic() < deadline, "weston did not start"
        time.sleep(0.05)
    yield environment
    compositor.terminate()
    compositor.wait(10)
    shutil.rmtree(runtime, ignore_errors=True)


def window(python, environment, wrapper=()):
    result = subprocess.run([*wrapper, str(python), str(HERE / "raylib_window.py")], capture_output=True, text=True,
                            timeout=600, env={**child_environment(), **environment})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def check_window(found, setup, context):
    assert found["context"] == context and found["drawn"]
    for scene in ("window", "scaled", "texture"):
        assert found[scene + "_error"] <= 1, (scene, found)
        assert found[scene + "_raylib_before"] and found[scene + "_raylib_after"], (scene, found)
    assert found["state_changed"] == {}
    assert found["counts_before_after"][0] == found["counts_before_after"][1] == [0, 0, 0, 0]
    assert found["loop_heap_slope"] < 16, found["loop_heap_slope"]
    assert found["dmabuf_error"] <= 1
    if context == "glx":
        assert found["dmabuf_path"] == "mapped-upload"  # no EGL to import it with
    print(f"\n{setup}: 1928x1208 into 964x604, upload + draw {found['frame_cost_ms']:.2f} ms (median of 40); "
          f"loop in the window {found['loop_heap_slope']:.2f} B/cycle")


def test_raylib_sdl_offscreen_egl():
    check_window(window(SDL, {"SDL_VIDEODRIVER": "offscreen"}), "raylib-sdl offscreen (EGL)", "egl")


def test_stock_raylib_under_weston_egl(weston):
    check_window(window(STOCK, weston), "raylib under weston (EGL)", "egl")


def test_stock_raylib_under_xvfb_glx():
    check_window(window(STOCK, {}, wrapper=("xvfb-run", "-a", "-s", "-screen 0 640x480x24")), "raylib under Xvfb (GLX)", "glx")


def example(arguments, tmp_path):
    shot = tmp_path / "shot.png"
    result = subprocess.run([str(SDL), str(ROOT / "Examples/python/camera_window.py"), *arguments, "--frames", "3",
                             "--screenshot", str(shot)], capture_output=True, text=True, timeout=300,
                            env={**child_environment(), "SDL_VIDEODRIVER": "offscreen"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rgba, width, height = png.read(str(shot))
    image = numpy.frombuffer(rgba, dtype=numpy.uint8).reshape(height, width, 4).astype(int)
    image[:40, :200] = -1000  # raylib's text over the frame
    return image


def within(image, expected):
    return numpy.abs(image - expected)[image >= 0].max()


def test_the_example_plays_a_file(tmp_path):
    fixture = ROOT / "fixtures/astronaut-640x480.nv12"
    image = example(["--file", str(fixture), "--size", "640x480", "--window", "640x480", "--filter", "nearest"], tmp_path)
    assert within(image, model.rgba(numpy.fromfile(fixture, dtype=numpy.uint8), 640, 480)) <= 1


def test_the_example_shows_a_visionipc_stream(tmp_path):
    W, H = vipc_frames.REPLAY["width"], vipc_frames.REPLAY["height"]
    with Server(fps=30) as server:
        image = example(["--visionipc", f"{server.name}:driver"], tmp_path)
    # Which frame was last is not printed: it is one of the patterns, through the 2:1 area filter.
    assert min(within(image, model.rgba_half(*vipc_frames.planes(k, W, H))) for k in range(vipc_frames.PATTERNS)) <= 1
