"""A VisionIPC reader in a process of its own that never imports msgq (which would
install a SIGUSR2 handler): SIGUSR2 stays at its default, so a signal from msgq's writer
would kill it. Reads the server's stream until frame id N, rendering every 1000th frame.

    python vipc_reader_process.py SERVER N"""
import signal
import sys

import cameraview


def main():
    name, last = sys.argv[1], int(sys.argv[2]) - 1
    assert signal.getsignal(signal.SIGUSR2) == signal.SIG_DFL
    received = 0
    with cameraview.CameraView(name, cameraview.VisionStreamType.VISION_STREAM_DRIVER) as view:
        while True:
            frame = view.wait_for_frame(timeout=5)
            if frame is None:
                sys.exit("no frame within 5 s")
            received += 1
            if received % 1000 == 0:
                try:
                    view.render_rgba(32, 24)
                except cameraview.BrokenFrame:
                    pass  # rewritten meanwhile at this rate: counted as torn
            if frame.frame_id >= last:
                break
        statistics = view.vision_statistics
    print("sigusr2=default" if signal.getsignal(signal.SIGUSR2) == signal.SIG_DFL else "sigusr2=handled",
          received, statistics["delivered"], statistics["skipped"], statistics["torn"])


if __name__ == "__main__":
    main()
