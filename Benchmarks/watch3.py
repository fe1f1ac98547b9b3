"""openpilot's watch3 layout, shared by the window and offscreen benchmarks: a 2160x1080
window, three 1928x1208 NV12 streams (stride 2048, uv_offset 2048 * 1216) in three 1080x540
cells (road top centre, driver and wide road below), each frame fitted into its cell (an
861x540 pane); test frames; and an exact double-precision box model of a pane, for the zone
plate's PSNR."""
import math
import sys
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bindings/python"), str(ROOT / "bindings/python/tests")]

import model  # noqa: E402

WINDOW = (2160, 1080)
WIDTH, HEIGHT, STRIDE = 1928, 1208, 2048
UV_OFFSET = STRIDE * 1216
FRAME_BYTES = UV_OFFSET + STRIDE * (HEIGHT // 2)
CELLS = [(WINDOW[0] // 4, 0), (0, WINDOW[1] // 2), (WINDOW[0] // 2, WINDOW[1] // 2)]
CELL = (WINDOW[0] // 2, WINDOW[1] // 2)


def fitted(cell):
    """The pane a frame fills inside `cell` (x, y), its aspect kept: raylib's x, y, w, h."""
    scale = min(CELL[0] / WIDTH, CELL[1] / HEIGHT)
    width, height = WIDTH * scale, HEIGHT * scale
    return cell[0] + (CELL[0] - width) / 2, cell[1] + (CELL[1] - height) / 2, width, height


def noise_frame(seed):
    generator = numpy.random.default_rng(seed)
    return generator.integers(16, 236, FRAME_BYTES, dtype=numpy.uint8)


def zone_plate():
    """A luma zone plate reaching the frame's Nyquist limit in its corners, on smooth chroma
    ramps, in the streams' padded layout."""
    frame = numpy.zeros(FRAME_BYTES, numpy.uint8)
    y, x = numpy.mgrid[0:HEIGHT, 0:WIDTH].astype(numpy.float64)
    radius2 = (x - WIDTH / 2 + 0.5) ** 2 + (y - HEIGHT / 2 + 0.5) ** 2
    k = math.pi / (2 * math.hypot(WIDTH / 2, HEIGHT / 2))
    luma = numpy.round(128 + 100 * numpy.cos(k * radius2)).astype(numpy.uint8)
    frame[:UV_OFFSET].reshape(1216, STRIDE)[:HEIGHT, :WIDTH] = luma
    uv = frame[UV_OFFSET:].reshape(HEIGHT // 2, STRIDE)
    cw, ch = WIDTH // 2, HEIGHT // 2
    uv[:, 0:WIDTH:2] = (64 + numpy.arange(cw) * 128 // cw)[None, :]
    uv[:, 1:WIDTH:2] = (64 + numpy.arange(ch) * 128 // ch)[:, None]
    return frame


def box_weights(count, size, scale, offset, origin=0.5, step=1.0):
    """Rows of the overlap weights of `count` output pixels' footprints over `size` samples:
    output pixel i covers frame [(i - offset) / scale, (i + 1 - offset) / scale); samples are
    boxes [origin + step * j - step / 2 ... ) in frame units, j = 0 ... size - 1 (luma: origin
    0.5, step 1), clamped to the plane and renormalised."""
    low = (numpy.arange(count) - offset) / scale
    high = low + 1 / scale
    to_sample = lambda position: (position - origin) / step + 0.5  # noqa: E731
    low, high = numpy.clip(to_sample(low), 0, size), numpy.clip(to_sample(high), 0, size)
    edges = numpy.arange(size + 1, dtype=numpy.float64)
    overlap = numpy.clip(numpy.minimum(high[:, None], edges[None, 1:]) - numpy.maximum(low[:, None], edges[None, :-1]), 0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def exact_pane(frame, pane):
    """The exact box-filtered RGBA of `frame` in the window at `pane` (raylib coordinates),
    rows top-down, over the window pixels whose footprints lie inside the frame."""
    x, y, width, height = pane
    scale = width / WIDTH
    columns = range(math.ceil(x) + 1, math.floor(x + width) - 1)
    rows = range(math.ceil(y) + 1, math.floor(y + height) - 1)
    luma = frame[:UV_OFFSET].reshape(1216, STRIDE)[:HEIGHT, :WIDTH].astype(numpy.float64)
    uv = frame[UV_OFFSET:].reshape(HEIGHT // 2, STRIDE)[:, :WIDTH].astype(numpy.float64)
    lx = box_weights(len(columns), WIDTH, scale, x - columns[0])
    ly = box_weights(len(rows), HEIGHT, scale, y - rows[0])
    # Left siting: chroma sample j sits at frame x = 2j + 0.5, y = 2j + 1 (two luma wide).
    cx = box_weights(len(columns), WIDTH // 2, scale, x - columns[0], origin=0.5, step=2)
    cy = box_weights(len(rows), HEIGHT // 2, scale, y - rows[0], origin=1.0, step=2)
    y_out = ly @ luma @ lx.T
    cb, cr = (cy @ uv[:, channel::2] @ cx.T for channel in (0, 1))
    return model.rgba_of_samples(y_out, cb, cr), rows, columns


def psnr(actual, expected):
    error = numpy.mean((actual[..., :3].astype(numpy.float64) - expected[..., :3]) ** 2)
    return float("inf") if error == 0 else 10 * math.log10(255 ** 2 / error)
