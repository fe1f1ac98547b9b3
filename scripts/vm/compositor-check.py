#!/usr/bin/env python3
"""Inside the VM (scripts/check-compositor runs it there): the wlroots compositor of
Examples/compositor drawing camera views in its own render pass, checked by screenshots,
a VisionIPC server restarted under it and a create/close loop, the compositor built with
AddressSanitizer + LeakSanitizer for all of it (any leak not in .ci/lsan.supp fails its
exit).

1. Two views of the photograph fixture: 1:1 with the nearest filter at (100, 100), and
   scaled to a half with the automatic filter (area there) at (800, 100), chroma sited at
   the centre as ffmpeg assumes. grim takes a screenshot over wlr-screencopy; each view's
   rectangle is compared with swscale at exact flags (neighbor / area, accurate rounding,
   full chroma interpolation, bit-exact): within 1 on every pixel. The compositor's own
   draws around them are checked too: the background, the red rectangle drawn before the
   views (the first view covers its corner: those pixels are compared as the view's), the
   green one drawn after (over the first view's top rows).
2. A VisionIPC stream from openpilot's own VisionIpcServer (msgq-ipc, replay's padded
   layout at 320x240; 5 fps and 8 buffers, camerad's 20 fps and 4 buffers slowed for the
   emulated CPU and the sanitized debug library, where a read takes most of a frame's
   time) drawn 1:1 beside a file view: a screenshot must show one of the server's frames
   exactly (the double-precision model, within 1; a frame read while the server rewrote
   it, luma of one and chroma of another, fails it); the server is
   stopped (the compositor keeps rendering: a screenshot is taken meanwhile, the file view
   still exact, the stream's rectangle the last frame or nothing, never garbage) and
   started again, and the view must draw the new server's frames (more delivered, another
   connection, the restart or loss counted, a screenshot exact again).
3. The views (the two file views and a VisionIPC view) closed and made anew on every
   frame, 200 times while the compositor renders: its exit summary must count 0 live,
   swept, failed and dropped objects, no fd growth, and a heap slope under 16 bytes a
   cycle (sampled every 10 cycles after the first 50).
4. With --timing PLAIN (a compositor built without sanitizers): the median cost of the
   views' draws per output frame and of the whole frame, for 0, 1, 2 and 4 views of
   640x480 drawn at 320x240, each redrawing its frame and each given a new frame every
   output frame (printed; the VM's CPU is emulated, so ratios are what carry over), over
   --timing-frames frames (40; scripts/check-compositor passes $COMPOSITOR_TIMING_FRAMES).
usage: compositor-check.py COMPOSITOR [--timing PLAIN [--timing-frames N]]
"""
import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("compositor")
parser.add_argument("--timing", metavar="PLAIN")
parser.add_argument("--timing-frames", type=int, default=40)
arguments = parser.parse_args()
binary, plain, timed_frames = arguments.compositor, arguments.timing, arguments.timing_frames
sys.path.insert(0, "bindings/python/tests")
import model  # noqa: E402
import numpy  # noqa: E402
import vipc_frames  # noqa: E402

work = ".build/compositor"
fixture = "fixtures/astronaut-640x480.nv12"
size = (1280, 720)
views = [(100, 100, 640, 480, "neighbor", ":nearest:center"), (800, 100, 320, 240, "area", ":center")]
environment = dict(os.environ, XDG_RUNTIME_DIR="/run/user/0", WLR_RENDERER_ALLOW_SOFTWARE="1",
                   ASAN_OPTIONS="detect_leaks=1", LSAN_OPTIONS=f"suppressions={os.getcwd()}/.ci/lsan.supp")
os.makedirs(environment["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
failures = []


def start(*extra, program=None, views=views):
    command = [program or binary, "--size", f"{size[0]}x{size[1]}", *extra]
    for x, y, w, h, _, suffix in views:
        command += ["--view", f"{fixture}:640:480:{x}:{y}:{w}:{h}{suffix}"]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    socket = process.stdout.readline().strip()
    if not socket.startswith("WAYLAND_DISPLAY="):
        process.kill()
        sys.exit(f"compositor-check: no socket: {socket} {process.stderr.read()[-4000:]}")
    process.socket = socket.split("=", 1)[1]
    return process


def summary(process, timeout):
    out, err = process.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        failures.append(f"compositor exited {process.returncode}: {out[-2000:]}{err[-4000:]}")
        return {}
    return json.loads(lines[-1])


def status(process):
    """The running compositor's counts (its SIGUSR1 line, within 30 s)."""
    process.send_signal(signal.SIGUSR1)
    if not select.select([process.stdout], [], [], 30)[0]:
        process.kill()
        sys.exit("compositor-check: the compositor did not answer SIGUSR1 within 30 s")
    return json.loads(process.stdout.readline())


def rgb(command):
    """Raw RGB24 bytes from ffmpeg."""
    return subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *command, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                          check=True, capture_output=True).stdout


def screenshot(process, name):
    """The output as a height x width x 3 array, through grim (wlr-screencopy)."""
    shot = f"{work}/{name}.png"
    grim = subprocess.run(["grim", shot], env=dict(environment, WAYLAND_DISPLAY=process.socket), capture_output=True, text=True)
    if grim.returncode != 0:
        process.kill()
        sys.exit(f"compositor-check: grim failed: {grim.stderr}")
    screen = numpy.frombuffer(rgb(["-i", shot]), numpy.uint8)
    if screen.size != size[0] * size[1] * 3:
        sys.exit(f"compositor-check: a screenshot of {screen.size} bytes, not {size[0]}x{size[1]}")
    return screen.reshape(size[1], size[0], 3).astype(int)


def swscale(w, h, flags):
    expected = rgb(["-f", "rawvideo", "-pix_fmt", "nv12", "-s", "640x480", "-i", fixture, "-vf",
                    f"scale={w}:{h}:flags={flags}+accurate_rnd+full_chroma_int+bitexact:in_color_matrix=bt601:in_range=pc:out_range=pc"])
    return numpy.frombuffer(expected, numpy.uint8).reshape(h, w, 3).astype(int)


# The compositor's own rectangles (Examples/compositor/compositor.c): red before the views,
# green after them, over the first view's top rows.
red, green = (20, 20, 200, 100), (40, 60, 300, 50)
BACKGROUND = 26


def view_error(screen, x, y, expected):
    """Max error and pixels over 1 of the view at (x, y), outside the green rectangle."""
    h, w = expected.shape[:2]
    error = numpy.abs(screen[y:y + h, x:x + w] - expected).max(axis=2)
    rows, columns = numpy.mgrid[y:y + h, x:x + w]
    covered = (rows >= green[1]) & (rows < green[1] + green[3]) & (columns >= green[0]) & (columns < green[0] + green[2])
    error = error[~covered]
    return int(error.max()), int((error > 1).sum())


def check_file_views(screen, label, checked=views):
    for x, y, w, h, flags, _ in checked:
        worst, over = view_error(screen, x, y, swscale(w, h, flags))
        print(f"compositor-check: {label}: view {w}x{h} at ({x}, {y}) against swscale {flags} (outside the green "
              f"rectangle): max error {worst}, {over} pixels over 1")
        if over:
            failures.append(f"{label}: view {w}x{h} at ({x}, {y}): {over} pixels more than 1 off swscale {flags} (max {worst})")


def check_own_draws(screen, label):
    for (x, y), colour, what in [((30, 30), (255, 0, 0), "the red rectangle drawn before the views"),
                                 ((60, 80), (0, 255, 0), "the green rectangle drawn after them"),
                                 ((150, 105), (0, 255, 0), "the green rectangle over the first view"),
                                 ((1200, 650), None, "the background")]:
        found = tuple(screen[y, x])
        good = found == colour if colour else max(abs(value - BACKGROUND) for value in found) <= 1
        print(f"compositor-check: {label}: {what} at ({x}, {y}): {found}")
        if not good:
            failures.append(f"{label}: {what} at ({x}, {y}) is {found}")


# 1. Screenshots.
process = start()
time.sleep(2)  # frames drawn
screen = screenshot(process, "screenshot")
process.send_signal(signal.SIGTERM)
summary(process, 120)
check_file_views(screen, "files")
check_own_draws(screen, "files")

# 2. A VisionIPC stream, its server stopped and started again under the compositor.
SERVER, VW, VH = "cvcompositor", 320, 240
vision_at = (800, 400)
patterns = [model.rgba(vipc_frames.tight(k, VW, VH), VW, VH)[..., :3].astype(int) for k in range(vipc_frames.PATTERNS)]
vision = f"{SERVER}:0:{vision_at[0]}:{vision_at[1]}:{VW}:{VH}:nearest"


def publisher():
    """openpilot's VisionIpcServer publishing the test patterns (replay's padding)."""
    server = subprocess.Popen([".venv/bin/python", "bindings/python/tests/vipc_publisher.py", "--name", SERVER, "--streams", "0",
                               "--fps", "5", "--buffers", "8", "--width", str(VW), "--height", str(VH), "--stride", "384",
                               "--uv-offset", str(384 * 256)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if server.stdout.readline().strip() != "ready":
        sys.exit(f"compositor-check: the VisionIPC server did not start: {server.stderr.read()[-2000:]}")
    return server


def stream_shows(screen, label):
    """Which of the server's frames the stream's rectangle shows (None: nothing drawn)."""
    x, y = vision_at
    area = screen[y:y + VH, x:x + VW]
    errors = [int(numpy.abs(area - pattern).max()) for pattern in patterns]
    best = min(range(len(errors)), key=errors.__getitem__)
    if errors[best] <= 1:
        print(f"compositor-check: {label}: the stream shows pattern {best}, max error {errors[best]}")
        return best
    if int(numpy.abs(area - BACKGROUND).max()) <= 1:
        print(f"compositor-check: {label}: the stream shows nothing (background)")
        return None
    failures.append(f"{label}: the stream's rectangle is no frame of the server's (nearest max error {errors[best]})")
    return None


server = publisher()
process = start("--vision", vision, views=views[:1])
time.sleep(4)
if stream_shows(screenshot(process, "stream"), "stream") is None:
    failures.append("stream: no frame drawn while the server runs")
before = status(process)["vision"][0]
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)
time.sleep(2)
outage = screenshot(process, "outage")  # the compositor still renders
check_file_views(outage, "server stopped", views[:1])
stream_shows(outage, "server stopped")
server = publisher()
time.sleep(4)
if stream_shows(screenshot(process, "restarted"), "server restarted") is None:
    failures.append("server restarted: no frame drawn after the restart")
after = status(process)["vision"][0]
process.send_signal(signal.SIGTERM)
counts = summary(process, 120)
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)
print(f"compositor-check: stream counts before the stop {json.dumps(before)}, after the restart {json.dumps(after)}")
if not (after["delivered"] > before["delivered"] and after["connections"] > before["connections"]
        and after["restarts"] + after["losses"] > before["restarts"] + before["losses"] and after["drawn"] > before["drawn"]):
    failures.append(f"the view did not follow the restarted server: {before} -> {after}")

# 3. Views closed and made anew on every frame while the compositor renders.
cycles = 200
server = publisher()
# A second of frames after the last cycle: its stream view must receive from the server.
process = start("--churn", str(cycles), "--frames", str(cycles + 60), "--vision", vision)
counts = summary(process, 900)
server.send_signal(signal.SIGTERM)
server.wait(timeout=30)
print(f"compositor-check: create/close loop: {json.dumps(counts)}")
if counts.get("cycles") != cycles or any(counts.get(key) != 0 for key in ("live", "swept", "failed_deletions", "dropped", "fd_growth")):
    failures.append(f"the create/close loop left {counts}")
stream = (counts.get("vision") or [{}])[0]
if not stream.get("delivered") or stream.get("slot_refusals") or stream.get("evictions"):
    failures.append(f"the last stream view of the loop: {stream} (frames from the server, no reader slot refused or evicted)")
if not counts.get("heap_samples") or counts.get("heap_slope", 1e9) >= 16:
    failures.append(f"the heap grew over the create/close loop: {counts.get('heap_slope')} bytes a cycle")

# 4. The views' cost per output frame.
if plain:
    grid = [(40 + 330 * (i % 4), 150 + 260 * (i // 4), 320, 240, "", "") for i in range(4)]
    for count in (0, 1, 2, 4):
        for mode in ((), ("--resubmit",)) if count else ((),):
            process = start("--timing", "--frames", str(timed_frames), *mode, program=plain, views=grid[:count])
            found = summary(process, 600)
            print(f"compositor-check: timing: {count} views of 640x480 at 320x240, "
                  f"{'a new frame each' if mode else 'redrawn'}: views {found.get('views_ms')} ms, "
                  f"frame {found.get('frame_ms')} ms (medians of {timed_frames} frames)")

for failure in failures:
    print(f"compositor-check: FAILED: {failure}", file=sys.stderr)
sys.exit(1 if failures else 0)
