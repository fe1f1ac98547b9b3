#!/usr/bin/env python3
"""Inside the VM (scripts/check-compositor runs it there): the wlroots compositor of
Examples/compositor drawing camera views in its own render pass, checked by screenshots
and by a create/close loop.

1. Two views of the photograph fixture: 1:1 with the nearest filter at (100, 100), and
   scaled to a half with the automatic filter (area there) at (800, 100), chroma sited at
   the centre as ffmpeg assumes. grim takes a screenshot over wlr-screencopy; each view's
   rectangle is compared with swscale at exact flags (neighbor / area, accurate rounding,
   full chroma interpolation, bit-exact): within 1 on every pixel. The compositor's own
   draws around them are checked too: the background, the red rectangle drawn before the
   views (the first view covers its corner: those pixels are compared as the view's), the
   green one drawn after (over the first view's top rows).
2. The same two views closed and made anew on every frame, 200 times while the compositor
   renders: its exit summary must count 0 live, swept, failed and dropped objects and no
   fd growth.
usage: compositor-check.py COMPOSITOR
"""
import json
import os
import signal
import subprocess
import sys
import time

binary = sys.argv[1]
work = ".build/compositor"
fixture = "fixtures/astronaut-640x480.nv12"
size = (1280, 720)
views = [(100, 100, 640, 480, "neighbor", ":nearest:center"), (800, 100, 320, 240, "area", ":center")]
environment = dict(os.environ, XDG_RUNTIME_DIR="/run/user/0", WLR_RENDERER_ALLOW_SOFTWARE="1")
os.makedirs(environment["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
failures = []


def start(*extra):
    command = [binary, "--size", f"{size[0]}x{size[1]}", *extra]
    for x, y, w, h, _, suffix in views:
        command += ["--view", f"{fixture}:640:480:{x}:{y}:{w}:{h}{suffix}"]
    return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def summary(process, timeout):
    out, err = process.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        failures.append(f"compositor exited {process.returncode}: {out}{err[-2000:]}")
        return {}
    return json.loads(lines[-1])


def rgb(command):
    """Raw RGB24 bytes from ffmpeg."""
    return subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *command, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                          check=True, capture_output=True).stdout


# 1. Screenshots.
process = start()
socket = process.stdout.readline().strip()
if not socket.startswith("WAYLAND_DISPLAY="):
    process.kill()
    sys.exit(f"compositor-check: no socket: {socket} {process.stderr.read()[-2000:]}")
time.sleep(2)  # frames drawn
shot = f"{work}/screenshot.png"
grim = subprocess.run(["grim", shot], env=dict(environment, WAYLAND_DISPLAY=socket.split("=", 1)[1]), capture_output=True, text=True)
process.send_signal(signal.SIGTERM)
counts = summary(process, 60)
if grim.returncode != 0:
    sys.exit(f"compositor-check: grim failed: {grim.stderr}")
screen = rgb(["-i", shot])
if len(screen) != size[0] * size[1] * 3:
    sys.exit(f"compositor-check: a screenshot of {len(screen)} bytes, not {size[0]}x{size[1]}")


def pixel(x, y):
    offset = (y * size[0] + x) * 3
    return tuple(screen[offset:offset + 3])


# The compositor's own rectangles (Examples/compositor/compositor.c): red before the views,
# green after them, over the first view's top rows.
red, green = (20, 20, 200, 100), (40, 60, 300, 50)


def inside(x, y, box):
    return box[0] <= x < box[0] + box[2] and box[1] <= y < box[1] + box[3]


for x, y, w, h, flags, _ in views:
    expected = rgb(["-f", "rawvideo", "-pix_fmt", "nv12", "-s", "640x480", "-i", fixture, "-vf",
                    f"scale={w}:{h}:flags={flags}+accurate_rnd+full_chroma_int+bitexact:in_color_matrix=bt601:in_range=pc:out_range=pc"])
    worst, over = 0, 0
    for row in range(h):
        for column in range(w):
            if inside(x + column, y + row, green):
                continue
            actual = pixel(x + column, y + row)
            offset = (row * w + column) * 3
            error = max(abs(a - b) for a, b in zip(actual, expected[offset:offset + 3]))
            worst = max(worst, error)
            over += error > 1
    print(f"compositor-check: view {w}x{h} at ({x}, {y}) against swscale {flags} (outside the green rectangle): "
          f"max error {worst}, {over} pixels over 1")
    if over:
        failures.append(f"view {w}x{h} at ({x}, {y}): {over} pixels more than 1 off swscale {flags} (max {worst})")
for (x, y), colour, what in [((30, 30), (255, 0, 0), "the red rectangle drawn before the views"),
                             ((60, 80), (0, 255, 0), "the green rectangle drawn after them"),
                             ((150, 105), (0, 255, 0), "the green rectangle over the first view"),
                             ((1200, 650), None, "the background")]:
    found = pixel(x, y)
    good = found == colour if colour else max(abs(value - 26) for value in found) <= 1
    print(f"compositor-check: {what} at ({x}, {y}): {found}")
    if not good:
        failures.append(f"{what} at ({x}, {y}) is {found}")

# 2. Views closed and made anew on every frame while the compositor renders.
cycles = 200
process = start("--churn", str(cycles), "--frames", str(cycles + 5))
process.stdout.readline()
counts = summary(process, 600)
print(f"compositor-check: create/close loop: {json.dumps(counts)}")
if counts.get("cycles") != cycles or any(counts.get(key) != 0 for key in ("live", "swept", "failed_deletions", "dropped", "fd_growth")):
    failures.append(f"the create/close loop left {counts}")

for failure in failures:
    print(f"compositor-check: FAILED: {failure}", file=sys.stderr)
sys.exit(1 if failures else 0)
