"""A camera daemon for the tests, on openpilot's own VisionIpcServer (msgq-ipc): serves
the given streams and publishes vipc_frames' patterns at `--fps` (frame ids from 0, the
send time in CLOCK_BOOTTIME nanoseconds as timestamp_eof, as camerad stamps) until
SIGTERM. Prints "ready" once its listener is up.

    python vipc_publisher.py --name camerad --streams 0,1,2 --fps 100 [--width W --height H
                             --stride S --uv-offset O] [--buffers N]"""
import signal
import sys
import time

from msgq.visionipc import VisionIpcServer

import vipc_frames


def main():
    arguments, layout, streams = vipc_frames.server_arguments()
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
    for frame_id in vipc_frames.paced(arguments.fps, lambda: stopping):
        for stream in streams:
            server.send(stream, patterns[frame_id % vipc_frames.PATTERNS], frame_id=frame_id, timestamp_sof=frame_id,
                        timestamp_eof=time.clock_gettime_ns(time.CLOCK_BOOTTIME))
    del server
    sys.exit(0)


if __name__ == "__main__":
    main()
