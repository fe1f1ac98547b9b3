"""The frames the test servers publish: frame k of a stream is pattern k % PATTERNS, a
function of the frame id alone, so a test rebuilds what any frame it received holds (and
the exact model what it must look like). Laid out as openpilot's replay lays 1928x1208:
stride 2048, UV at 2048 * 1216 (Venus alignment), padding 0xEE so a read of it shows."""
import argparse
import time

import numpy

PATTERNS = 8
REPLAY = dict(width=1928, height=1208, stride=2048, uv_offset=2048 * 1216)


def buffer_size(width, height, stride, uv_offset):
    return uv_offset + stride * ((height + 1) // 2)


def planes(k, width, height):
    """Tight Y and UV planes of pattern k: luma varies pixel to pixel; chroma slowly (a
    step of one code per 16 samples), so scaled renders sit close to a box filter of the
    1:1 model whatever the chroma siting."""
    k %= PATTERNS
    luma = ((numpy.arange(width)[None, :] * 3 + numpy.arange(height)[:, None] * 5 + k * 29) % 220 + 16).astype(numpy.uint8)
    cw, ch = (width + 1) // 2, (height + 1) // 2
    u = 64 + ((numpy.arange(cw)[None, :] + numpy.arange(ch)[:, None] * 2) // 16 + k * 9) % 128
    v = 190 - ((numpy.arange(cw)[None, :] * 2 + numpy.arange(ch)[:, None]) // 16 + k * 5) % 128
    uv = numpy.stack([u, v], axis=-1).reshape(ch, cw * 2).astype(numpy.uint8)
    return luma, uv


def tight(k, width, height):
    """Pattern k as a tight NV12 frame (what model.rgba takes)."""
    luma, uv = planes(k, width, height)
    return numpy.concatenate([luma.ravel(), uv.ravel()])


def laid_out(k, width, height, stride, uv_offset):
    """Pattern k in a server buffer of that layout."""
    luma, uv = planes(k, width, height)
    buffer = numpy.full(buffer_size(width, height, stride, uv_offset), 0xEE, dtype=numpy.uint8)
    buffer[:stride * height].reshape(height, stride)[:, :width] = luma
    buffer[uv_offset:uv_offset + stride * uv.shape[0]].reshape(uv.shape[0], stride)[:, :uv.shape[1]] = uv
    return buffer


def server_arguments():
    """The test servers' command line: (arguments, layout, streams)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="camerad")
    parser.add_argument("--streams", default="1")
    parser.add_argument("--fps", type=float, default=100)
    parser.add_argument("--buffers", type=int, default=4)
    for name, value in REPLAY.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int, default=value)
    arguments = parser.parse_args()
    layout = {name: getattr(arguments, name) for name in REPLAY}
    return arguments, layout, [int(stream) for stream in arguments.streams.split(",")]


def paced(fps, stopped):
    """Frame ids 0, 1, ... at `fps` frames per second, until `stopped()`."""
    period, frame_id, start = 1 / fps, 0, time.monotonic()
    while not stopped():
        yield frame_id
        frame_id += 1
        pause = start + frame_id * period - time.monotonic()
        if pause > 0:
            time.sleep(pause)
