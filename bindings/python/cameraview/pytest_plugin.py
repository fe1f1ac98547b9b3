"""pytest fixtures for CameraView renders (load with `-p cameraview.pytest_plugin`):

- `assert_golden(name, image, tolerance=1, directory=None)`: compares an RGBA image (a
  (h, w, 4) uint8 array) with `DIRECTORY/NAME.png` (default: `goldens/` beside the test
  module); `--cameraview-record` writes the
  golden instead and fails the test, saying which file it wrote. On a mismatch,
  NAME.actual.png, NAME.expected.png and NAME.diff.png go to `.test-artifacts/golden`
  (or $CAMERAVIEW_ARTIFACTS).
- `no_gpu_leaks`: fails a test that leaves live handles, sweeps, failed deletions, dropped views or open
  fds behind.
"""
import os
from pathlib import Path

import pytest

import cameraview
from cameraview import png


def pytest_addoption(parser):
    parser.addoption("--cameraview-record", action="store_true", help="(re)write CameraView goldens; the checks fail")


def _open_fds():
    return set(os.listdir("/proc/self/fd"))


@pytest.fixture
def no_gpu_leaks():
    def counts():
        return (cameraview.live_handles_in_process(), cameraview.swept_in_process(),
                cameraview.failed_deletions_in_process(), _open_fds(), cameraview.dropped_in_process())
    before = counts()
    yield
    after = counts()
    problems = []
    if after[0] != before[0]:
        problems.append(f"{after[0] - before[0]} live GPU objects left")
    if after[1] != before[1]:
        problems.append(f"{after[1] - before[1]} objects swept at close (leaked by their owner)")
    if after[2] != before[2]:
        problems.append(f"{after[2] - before[2]} failed deletions")
    if after[4] != before[4]:
        problems.append(f"{after[4] - before[4]} views or devices dropped without close()")
    opened = after[3] - before[3]
    if opened:
        problems.append(f"fds left open: {sorted(opened)}")
    if problems:
        pytest.fail("; ".join(problems))


def pixel_errors(actual, expected):
    """Each pixel's largest channel difference, for two equal-size RGBA byte strings."""
    for pixel in range(0, len(actual), 4):
        yield pixel, max(abs(a - e) for a, e in zip(actual[pixel:pixel + 4], expected[pixel:pixel + 4]))


def compare(actual, expected, tolerance):
    """(differing pixels, max error) of two equal-size RGBA byte strings."""
    errors = [error for _, error in pixel_errors(actual, expected)]
    return sum(error > tolerance for error in errors), max(errors, default=0)


def diff_image(actual, expected, tolerance):
    """Agreeing pixels in dim grey, differing ones in red, brighter for larger errors."""
    out = bytearray(len(actual))
    for pixel, error in pixel_errors(actual, expected):
        if error > tolerance:
            out[pixel:pixel + 4] = bytes((min(255, 128 + error), 0, 0, 255))
        else:
            grey = expected[pixel] // 4 + 32
            out[pixel:pixel + 4] = bytes((grey, grey, grey, 255))
    return bytes(out)


@pytest.fixture
def assert_golden(request):
    record = request.config.getoption("--cameraview-record")
    folder = Path(request.node.fspath).parent / "goldens"
    artifacts = Path(os.environ.get("CAMERAVIEW_ARTIFACTS", Path.cwd() / ".test-artifacts" / "golden"))

    def check(name, image, tolerance=1, directory=None):
        height, width = image.shape[0], image.shape[1]
        actual = image.tobytes() if hasattr(image, "tobytes") else bytes(image)
        goldens = Path(directory) if directory is not None else folder
        golden = goldens / f"{name}.png"
        if record:
            goldens.mkdir(parents=True, exist_ok=True)
            png.write(golden, actual, width, height)
            pytest.fail(f"recorded the golden {golden} (--cameraview-record); run again without it to verify")
        if not golden.exists():
            pytest.fail(f"no golden {golden}; run with --cameraview-record to record it")
        expected, golden_width, golden_height = png.read(golden)
        for kind in ("actual", "expected", "diff"):
            (artifacts / f"{name}.{kind}.png").unlink(missing_ok=True)
        if (golden_width, golden_height) != (width, height):
            artifacts.mkdir(parents=True, exist_ok=True)
            png.write(artifacts / f"{name}.actual.png", actual, width, height)
            pytest.fail(f"{name} is {width}x{height}, its golden {golden_width}x{golden_height}; actual image in {artifacts}")
        differing, worst = compare(actual, expected, tolerance)
        if differing:
            artifacts.mkdir(parents=True, exist_ok=True)
            png.write(artifacts / f"{name}.actual.png", actual, width, height)
            png.write(artifacts / f"{name}.expected.png", expected, width, height)
            png.write(artifacts / f"{name}.diff.png", diff_image(actual, expected, tolerance), width, height)
            pytest.fail(f"{name} does not match its golden: max error {worst}, {differing} of {width * height} pixels "
                        f"over tolerance {tolerance}; actual, expected and diff images in {artifacts}")

    return check
