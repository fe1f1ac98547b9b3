"""Finds and declares libCameraViewC (the C API of cameraview.h) for ctypes: $CAMERAVIEW_LIB,
else the library a wheel ships beside this file, else a development tree's build, else an
installed libcameraview.so.0. The system's graphics stack is loaded first, by name and
into the global scope: the wheel's library does not name it (it is the user's driver, not
the wheel's to ship), and a missing piece is reported with the package that provides it."""
import ctypes
import ctypes.util
import os
from pathlib import Path

# The package root: bindings/python/cameraview -> the Swift package.
_PACKAGE_ROOT = Path(__file__).resolve().parents[3]
# Where a wheel puts the library it ships (setup.py): libcameraview.so.<major>.
_SHIPPED = next(iter(sorted((Path(__file__).resolve().parent / "lib").glob("libcameraview.so.*"))), None)


class LibraryNotFound(ImportError):
    pass


# The graphics stack, dependencies first, with the Debian/Ubuntu packages that provide it.
GRAPHICS_STACK = {"libdrm.so.2": "libdrm2", "libgbm.so.1": "libgbm1", "libEGL.so.1": "libegl1", "libGLESv2.so.2": "libgles2"}
# What those load in turn (glvnd's dispatch library).
_DEPENDENCIES = {"libGLdispatch.so.0": "libglvnd0"}


def _load_graphics_stack():
    for name, package in GRAPHICS_STACK.items():
        try:
            ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError as error:
            # The loader names the file it could not take, which may be a dependency.
            missing = next((known for known in (*_DEPENDENCIES, *GRAPHICS_STACK) if known in str(error)), name)
            package = {**GRAPHICS_STACK, **_DEPENDENCIES}[missing]
            raise LibraryNotFound(
                f"{missing} could not be loaded ({error}): cameraview draws through the system's OpenGL ES "
                f"driver; install it (Debian/Ubuntu: apt install {package}; the whole stack, with Mesa's "
                f"driver: apt install {' '.join(GRAPHICS_STACK.values())} libegl-mesa0)") from None


def _candidates():
    explicit = os.environ.get("CAMERAVIEW_LIB")
    if explicit:
        yield Path(explicit)
        return
    if _SHIPPED:
        yield _SHIPPED
        return
    for configuration in ("debug", "release"):
        yield _PACKAGE_ROOT / ".build" / configuration / "libCameraViewC.so"
    installed = ctypes.util.find_library("cameraview")
    if installed:
        yield Path(installed)


def load():
    _load_graphics_stack()
    tried = []
    for path in _candidates():
        tried.append(str(path))
        if path.name.startswith("libcameraview") or path.exists():
            try:
                return _declare(ctypes.CDLL(str(path)))
            except OSError as error:
                tried[-1] += f" ({error})"
    raise LibraryNotFound(
        "libCameraViewC.so not found; tried: " + ", ".join(tried) + ". Build it with "
        "`swift build --product CameraViewC` in the package, install it with "
        "`scripts/install-c --prefix DIR`, install the wheel (`scripts/build-wheel`), or set CAMERAVIEW_LIB to its path.")


class DmaBufPlane(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_int), ("offset", ctypes.c_uint32), ("pitch", ctypes.c_uint32)]


class RenderOptions(ctypes.Structure):
    _fields_ = [
        ("fit", ctypes.c_int), ("mirror", ctypes.c_int), ("filter", ctypes.c_int),
        ("zoom", ctypes.c_double), ("frame_to_output", ctypes.POINTER(ctypes.c_double)),
        ("letterbox", ctypes.c_int),
    ]


class Frame(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("matrix", ctypes.c_int), ("range", ctypes.c_int), ("chroma_location", ctypes.c_int),
        ("data", ctypes.c_void_p), ("size", ctypes.c_size_t), ("stride", ctypes.c_int), ("uv_offset", ctypes.c_size_t),
        ("luma", DmaBufPlane), ("chroma", DmaBufPlane), ("modifier", ctypes.c_uint64), ("buffer_index", ctypes.c_int),
    ]


class Target(ctypes.Structure):
    _fields_ = [
        ("kind", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("rgba", ctypes.c_void_p), ("size", ctypes.c_size_t), ("fbo", ctypes.c_uint32), ("x", ctypes.c_int), ("y", ctypes.c_int),
        ("origin", ctypes.c_int),
    ]


class VisionFrame(ctypes.Structure):
    _fields_ = [
        ("frame_id", ctypes.c_uint32), ("timestamp_sof", ctypes.c_uint64), ("timestamp_eof", ctypes.c_uint64),
        ("buffer_index", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int), ("valid", ctypes.c_int),
    ]


class VisionStatistics(ctypes.Structure):
    _fields_ = [(name, ctypes.c_long) for name in (
        "delivered", "skipped", "torn", "truncated", "connections", "restarts", "losses", "evictions", "queue_readers",
        "slot_refusals", "no_slot")]


def _declare(lib):
    handle = ctypes.c_void_p
    out = ctypes.POINTER(ctypes.c_void_p)
    signatures = {
        "cv_version": (ctypes.c_char_p, []),
        "cv_device_open": (ctypes.c_int, [out]),
        "cv_device_adopt": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, out]),
        "cv_device_adopt_current": (ctypes.c_int, [out]),
        "cv_device_egl_display": (ctypes.c_void_p, [handle]),
        "cv_device_close": (ctypes.c_int, [handle]),
        "cv_view_create": (ctypes.c_int, [handle, out]),
        "cv_view_submit_nv12": (ctypes.c_int, [handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                                               ctypes.c_int, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]),
        "cv_view_submit_dmabuf": (ctypes.c_int, [handle, ctypes.c_int, ctypes.c_int, ctypes.POINTER(DmaBufPlane),
                                                 ctypes.POINTER(DmaBufPlane), ctypes.c_uint64, ctypes.c_int, ctypes.c_int,
                                                 ctypes.c_int]),
        "cv_view_render": (ctypes.c_int, [handle, ctypes.POINTER(Frame), ctypes.POINTER(Target), ctypes.POINTER(RenderOptions)]),
        "cv_nv12_default_layout": (ctypes.c_int, [ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int),
                                                  ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)]),
        "cv_view_last_import_path": (ctypes.c_int, [handle]),
        "cv_view_set_render_options": (ctypes.c_int, [handle, ctypes.POINTER(RenderOptions)]),
        "cv_view_set_chroma_location": (ctypes.c_int, [handle, ctypes.c_int]),
        "cv_view_draw": (ctypes.c_int, [handle, ctypes.POINTER(Target)]),
        "cv_view_render_to_fbo": (ctypes.c_int, [handle, ctypes.c_uint32, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int]),
        "cv_view_render_rgba": (ctypes.c_int, [handle, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]),
        "cv_view_live_handles": (ctypes.c_long, [handle]),
        "cv_device_live_handles": (ctypes.c_long, [handle]),
        "cv_live_handles_in_process": (ctypes.c_long, []),
        "cv_swept_in_process": (ctypes.c_long, []),
        "cv_failed_deletions_in_process": (ctypes.c_long, []),
        "cv_dropped_in_process": (ctypes.c_long, []),
        "cv_view_close": (ctypes.c_int, [handle]),
        "cv_last_error": (ctypes.c_char_p, []),
        "cv_view_connect_visionipc": (ctypes.c_int, [handle, ctypes.c_char_p, ctypes.c_uint32]),
        "cv_view_wait_frame": (ctypes.c_int, [handle, ctypes.c_int, ctypes.POINTER(VisionFrame)]),
        "cv_view_visionipc_connected": (ctypes.c_int, [handle]),
        "cv_visionipc_available_streams": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint32), ctypes.c_int,
                                                          ctypes.POINTER(ctypes.c_int)]),
        "cv_view_visionipc_statistics": (ctypes.c_int, [handle, ctypes.POINTER(VisionStatistics)]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(lib, name)
        function.restype = result
        function.argtypes = arguments
    lib.declared = tuple(signatures)
    lib.path = lib._name
    return lib
