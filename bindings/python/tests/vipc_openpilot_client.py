"""openpilot's own VisionIpcClient (msgq-ipc) reading a stream without conflate, as a
second consumer beside ours: prints "connected", then on SIGTERM how many frames it
received and how many frame ids it missed (an eviction of its reader slot loses some).

    python vipc_openpilot_client.py SERVER"""
import signal
import sys

from msgq.visionipc import VisionIpcClient


def main():
    client = VisionIpcClient(sys.argv[1], 1, False)
    while not client.connect(False):
        pass
    print("connected", flush=True)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    received, missed, last = 0, 0, None
    while not stopping:
        if client.recv(timeout_ms=50) is None:
            continue
        if last is not None and client.frame_id != last + 1:
            missed += client.frame_id - last - 1
        last = client.frame_id
        received += 1
    print(received, missed, flush=True)


if __name__ == "__main__":
    main()
