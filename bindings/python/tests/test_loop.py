"""openpilot's loop, `while 1: v = CameraView(...); v.close(); del v`, as a test: 20,000
create / submit / render / close / del cycles on a warm device and 1,000 with the device
reopened each time. Nothing live, nothing swept, no fd left, and the resident set flat:
its least-squares slope over the cycles after a warm-up under 16 bytes per cycle."""
import os
import time

import numpy

import cameraview
from model import gradient

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def slope(samples):
    x = numpy.array([cycle for cycle, _ in samples], dtype=numpy.float64)
    y = numpy.array([rss for _, rss in samples], dtype=numpy.float64)
    return numpy.polyfit(x, y, 1)[0]


def loop(cycles, reopen, warmup):
    frame = gradient(64, 48)
    device = None if reopen else cameraview.Device()
    samples, fds = [], None
    start = None
    for cycle in range(cycles):
        if cycle == warmup:
            fds, start = set(os.listdir("/proc/self/fd")), time.perf_counter()
        view = cameraview.CameraView(device)  # with device None: a device of its own, reopened
        view.submit_nv12(frame, 64, 48)
        view.render_rgba(64, 48)
        view.close()
        del view
        if cycle >= warmup and cycle % 50 == 0:
            samples.append((cycle, resident_bytes()))
    seconds = time.perf_counter() - start
    if device is not None:
        device.close()
    opened = set(os.listdir("/proc/self/fd")) - fds
    result = {"cycles": cycles, "slope": slope(samples), "fds": len(opened), "ms_per_cycle": seconds * 1000 / (cycles - warmup),
              "live": cameraview.live_handles_in_process(), "swept": cameraview.swept_in_process(),
              "failed": cameraview.failed_deletions_in_process()}
    print(f"loop {'reopen' if reopen else 'warm'}: {result}")
    return result


def test_twenty_thousand_cycles_on_a_warm_device():
    result = loop(20_000, reopen=False, warmup=4_000)
    assert (result["live"], result["swept"], result["failed"], result["fds"]) == (0, 0, 0, 0)
    assert result["slope"] < 16, f"RSS grows {result['slope']:.2f} bytes per cycle"


def test_a_thousand_cycles_reopening_the_device():
    result = loop(1_000, reopen=True, warmup=200)
    assert (result["live"], result["swept"], result["failed"], result["fds"]) == (0, 0, 0, 0)
    assert result["slope"] < 16, f"RSS grows {result['slope']:.2f} bytes per cycle"
