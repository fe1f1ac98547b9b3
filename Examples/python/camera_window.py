"""openpilot's camera view in a pyray window: a VisionIPC stream (camerad, or replay on a PC)
or an NV12 file played in a loop, drawn each frame with raylib's own draws around it.

    python camera_window.py --visionipc camerad:driver
    python camera_window.py --file fixtures/astronaut-640x480.nv12 --size 640x480

raylib's context is adopted as it is: EGL (raylib-sdl, where SDL_VIDEODRIVER=offscreen works
headless; the stock raylib wheel under Wayland) or GLX (the stock wheel on X11). --frames N stops after N frames; --screenshot F saves the
last one."""
import argparse

import numpy
import pyray as rl

from cameraview import CameraView, Device, VisionStreamType
from cameraview.raylib import render

STREAMS = {"road": VisionStreamType.VISION_STREAM_ROAD, "driver": VisionStreamType.VISION_STREAM_DRIVER,
           "wide-road": VisionStreamType.VISION_STREAM_WIDE_ROAD, "map": VisionStreamType.VISION_STREAM_MAP}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visionipc", help="SERVER:STREAM, e.g. camerad:driver")
    parser.add_argument("--file", help="an NV12 file of frames end to end")
    parser.add_argument("--size", default="1928x1208", help="the file's frame size WxH")
    parser.add_argument("--window", default="964x604", help="the window's size WxH")
    parser.add_argument("--filter", default="automatic")
    parser.add_argument("--frames", type=int, default=0)
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    width, height = (int(value) for value in arguments.window.split("x"))

    rl.set_trace_log_level(rl.LOG_WARNING)
    rl.init_window(width, height, "CameraView")
    device = Device.adopt_current()                      # draw in raylib's own context
    if arguments.visionipc:
        server, stream = arguments.visionipc.split(":")
        view = CameraView(server, STREAMS[stream], device=device)
        frames = None
    else:
        frame_width, frame_height = (int(value) for value in arguments.size.split("x"))
        frames = numpy.fromfile(arguments.file, dtype=numpy.uint8).reshape(-1, frame_width * frame_height * 3 // 2)
        view = CameraView(device)
    view.set_options(filter=arguments.filter)

    shown = 0
    while not rl.window_should_close() and (arguments.frames == 0 or shown < arguments.frames):
        if frames is not None:
            view.submit_nv12(frames[shown % len(frames)], frame_width, frame_height)
        rl.begin_drawing()
        rl.clear_background(rl.BLACK)
        drawn = render(view, rl.Rectangle(0, 0, width, height), wait=0.05)
        rl.draw_text("no frame" if not drawn else f"frame {shown}", 10, 10, 20, rl.GREEN)
        rl.end_drawing()
        shown += drawn
    if arguments.screenshot:
        rl.take_screenshot(arguments.screenshot)
    view.close()
    device.close()
    rl.close_window()


if __name__ == "__main__":
    main()
