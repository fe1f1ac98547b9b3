"""A camera daemon for the tests, on openpilot's own VisionIpcServer (msgq-ipc): serves
the given streams and publishes vipc_frames' patterns at `--fps` (frame ids from 0, the
send time in CLOCK_BOOTTIME nanoseconds as timestamp_eof, as camerad stamps) until
SIGTERM. Prints "ready" once its listener is up.

    python vipc_publisher.py --name camerad --streams 0,1,2 --fps 100 [--width W --height H
                             --stride S --uv-offset O] [--buffers N]"""
import argparse
import signal
import sys
import time

from msgq.visionipc import VisionIpcServer

import vipc_frames


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="camerad")
    parser.add_argument("--streams", default="1")
    parser.add_argument("--fps", type=float, default=100)
    parser.add_argument("--buffers", type=int, default=4)
    for name, value in vipc_frames.REPLAY.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int, default=value)
    arguments = parser.parse_args()
    layout = dict(width=arguments.width, height=arguments.height, stride=arguments.stride, uv_offset=arguments.uv_offset)
    streams = [int(stream) for stream in arguments.streams.split(",")]
    size = vipc_frames.buffer_size(**layout)
    server = VisionIpcServer(arguments.name)
    for stream in streams:
        server.create_buffers_with_sizes(stream, arguments.buffers, layout["width"], layout["height"], size,
                                         layout["stride"], layout["uv_offset"])
    server.start_listener()
    patterns = [vipc_frames.laid_out(k, **layout).tobytes() for k in range(vipc_frames.PATTERNS)]
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    print("ready", flush=True)
    period, frame_id, start = 1 / arguments.fps, 0, time.monotonic()
    while not stopping:
        for stream in streams:
            server.send(stream, patterns[frame_id % vipc_frames.PATTERNS], frame_id=frame_id, timestamp_sof=frame_id,
                        timestamp_eof=time.clock_gettime_ns(time.CLOCK_BOOTTIME))
        frame_id += 1
        pause = start + frame_id * period - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    del server
    sys.exit(0)


if __name__ == "__main__":
    main()
