"""A camera view in a process of its own, for vipc_hostile.ViewProcess: reads one JSON
command per line on stdin and answers one JSON line on stdout, with how long the call
took and the exception it raised, if any."""
import faulthandler
import json
import os
import signal
import sys
import time

import cameraview

sigbus_seen = []


def counts():
    return dict(live=cameraview.live_handles_in_process(), swept=cameraview.swept_in_process(),
                failed=cameraview.failed_deletions_in_process(), dropped=cameraview.dropped_in_process(),
                fds=len(os.listdir("/proc/self/fd")))


def main():
    device, view = None, None
    for line in sys.stdin:
        command = json.loads(line)
        do = command["do"]
        reply = {}
        start = time.monotonic()
        try:
            if do == "device":
                device = cameraview.Device()
            elif do == "open":
                view = cameraview.CameraView(command["name"], command.get("stream", 1), device=device)
                reply["connected"] = view.is_connected
            elif do == "wait":
                frame = view.wait_for_frame(timeout=command.get("timeout", 0.1))
                reply["frame"] = None if frame is None else frame.frame_id
            elif do == "watch":
                # Waits for frames for `seconds`, as a UI would, counting them.
                received, end = 0, time.monotonic() + command["seconds"]
                while time.monotonic() < end:
                    if view.wait_for_frame(timeout=0.05) is not None:
                        received += 1
                reply["received"] = received
            elif do == "render":
                view.render_rgba(command.get("width", 32), command.get("height", 24))
            elif do == "stats":
                reply.update(view.vision_statistics, connected=view.is_connected)
            elif do == "streams":
                reply["streams"] = sorted(int(s) for s in cameraview.available_streams(command["name"]))
            elif do == "faulthandler":
                faulthandler.enable()
            elif do == "sigbus-handler":
                signal.signal(signal.SIGBUS, lambda *_: sigbus_seen.append(True))
            elif do == "kill-sigbus":
                os.kill(os.getpid(), signal.SIGBUS)
                time.sleep(0.05)  # Python runs its handler between bytecodes
                reply["handled"] = len(sigbus_seen)
            elif do == "counts":
                reply.update(counts())
            elif do == "close":
                if view is not None:
                    view.close()
                if device is not None:
                    device.close()
                reply.update(counts())
        except cameraview.CameraViewError as error:
            reply.update(error=type(error).__name__, message=error.message)
        reply["seconds"] = time.monotonic() - start
        print(json.dumps(reply), flush=True)
        if do == "close":
            return


if __name__ == "__main__":
    main()
