"""What a loop measures: the heap in use (exact, mallinfo2), the resident set (malloc_trim'd
first), open fds, and least-squares slopes. test_loop.py says why each."""
import ctypes
import os

import numpy

PAGE = os.sysconf("SC_PAGE_SIZE")


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _MallInfo2


def heap_in_use_bytes():
    info = _libc.mallinfo2()
    return info.uordblks + info.hblkhd


def resident_bytes():
    _libc.malloc_trim(0)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def slope(cycles, values):
    return numpy.polyfit(cycles.astype(numpy.float64), values.astype(numpy.float64), 1)[0]


def open_fds():
    return len(os.listdir("/proc/self/fd"))
