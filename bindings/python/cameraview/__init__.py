"""CameraView for Python: NV12 camera frames rendered by CameraView's headless EGL/GLES
renderer, through its C API (libCameraViewC, loaded with ctypes; no compiled extension).

    with cameraview.Device() as device, cameraview.CameraView(device) as view:
        frame = cameraview.Frame.nv12(data, 1928, 1208, stride=2048, uv_offset=2048 * 1216)
        rgba = view.render(frame, cameraview.ImageTarget(964, 604))   # a (604, 964, 4) uint8 array

openpilot's camera view, over VisionIPC, as openpilot writes it:

    from cameraview import CameraView, VisionStreamType
    view = CameraView("camerad", VisionStreamType.VISION_STREAM_DRIVER)
    if view.wait_for_frame(timeout=0.1):
        rgba = view.render_rgba(964, 604)
    view.close()

As in Swift and C: one frame (in memory or in dma-bufs), one target (an image, or a host
framebuffer) that owns the output size, and `Options` for placement and sampling.
`submit_nv12` / `set_options` / `render_rgba` / `render_to_fbo` are conveniences over it
(the view keeps the latest frame and the options).

Views and devices close with `close()` (idempotent) or a `with` block. One dropped
without closing is closed when its last reference goes (at once, by reference counting:
nothing here holds a view in a cycle) and warns with ResourceWarning, as Python's files do.
"""
from __future__ import annotations

import ctypes
import enum
import warnings
from typing import Any, Dict, NamedTuple, Optional, Sequence, Set, Tuple, Union

from . import _library
from ._library import LibraryNotFound

_lib = _library.load()
# The loaded library's version (VERSION at the package root, which the wheel's metadata
# also reads).
__version__ = _lib.cv_version().decode()

# cameraview.h's codes, mirrored (tests/test_header.py fails when they drift from it).
OK, EINVAL, EGL, EGLES, ENOFRAME, ECLOSED, EOTHER, EUNCLEAN, EBROKEN, ETIMEOUT, EPEER = 0, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10
_MATRICES = {"bt601": 0, "bt709": 1}
_RANGES = {"full": 0, "limited": 1}
_FITS = {"contain": 0, "cover": 1, "stretch": 2}
_FILTERS = {"automatic": 0, "nearest": 1, "bilinear": 2, "area": 3}
_CHROMA = {"left": 0, "center": 1, "top-left": 2}
_LETTERBOX = {"black": 0, "transparent": 1, "untouched": 2}
_IMPORT_PATHS = {0: None, 1: "per-plane", 2: "external", 3: "mapped-upload"}
_FRAME_MEMORY, _FRAME_DMABUF = 0, 1
_TARGET_RGBA, _TARGET_FBO = 0, 1
_ORIGINS = {"bottom-left": 0, "top-left": 1}


class CameraViewError(Exception):
    """A C API call failed: `code` is its CV_E* value, `message` cv_last_error()'s text."""

    def __init__(self, code, message):
        super().__init__(f"{message} (code {code})")
        self.code = code
        self.message = message


class InvalidArgument(CameraViewError, ValueError):
    pass


class EGLFailure(CameraViewError):
    pass


class GLESFailure(CameraViewError):
    pass


class NoFrame(CameraViewError):
    pass


class Closed(CameraViewError):
    pass


class UncleanClose(CameraViewError):
    """A close ended its handle but swept objects its owner never released, or a deletion
    failed: a bug in CameraView, named in `message`."""


class BrokenFrame(CameraViewError):
    """The frame's buffer was rewritten (torn) or truncated by its server while it was
    read: nothing was drawn. The next frame is fine."""


class PeerError(CameraViewError):
    """The VisionIPC server broke the protocol (its answer, buffer records or queue) or does
    not answer: the server's fault, not the caller's. The view dropped that connection and
    tries again at later waits."""


_ERRORS = {EINVAL: InvalidArgument, EGL: EGLFailure, EGLES: GLESFailure, ENOFRAME: NoFrame, ECLOSED: Closed,
           EUNCLEAN: UncleanClose, EBROKEN: BrokenFrame, EPEER: PeerError}


class VisionStreamType(enum.IntEnum):
    """openpilot's VisionIPC stream ids (msgq's VisionStreamType)."""
    VISION_STREAM_ROAD = 0
    VISION_STREAM_DRIVER = 1
    VISION_STREAM_WIDE_ROAD = 2
    VISION_STREAM_MAP = 3


class VisionFrame(NamedTuple):
    """What `wait_for_frame` returns: the frame's packet, as openpilot's client has it."""
    frame_id: int
    timestamp_sof: int
    timestamp_eof: int
    buffer_index: int
    width: int
    height: int
    valid: bool


def _stream(value):
    try:
        return VisionStreamType(value)
    except ValueError:
        return value


def available_streams(name: str) -> Set[Union[VisionStreamType, int]]:
    """The streams VisionIPC server `name` serves (empty when it is not there). Waits at most
    1 s for its answers; raises `PeerError` when none came or they broke the protocol."""
    capacity = 64
    streams, count = (ctypes.c_uint32 * capacity)(), ctypes.c_int()
    _check(_lib.cv_visionipc_available_streams(name.encode(), streams, capacity, ctypes.byref(count)))
    return {_stream(value) for value in streams[:min(count.value, capacity)]}


def last_error() -> str:
    """The calling thread's last failure message ("" after a success)."""
    return _lib.cv_last_error().decode()


def _check(code):
    if code != OK:
        raise _ERRORS.get(code, CameraViewError)(code, last_error())


def _choice(table, value, what):
    try:
        return table[value]
    except KeyError:
        raise ValueError(f"unknown {what} {value!r}; one of {', '.join(table)}") from None


def default_layout(width: int, height: int, stride: Optional[int] = None) -> Tuple[int, int, int]:
    """(stride, uv_offset, size) of a width x height NV12 frame: the library's defaults
    (stride: width; UV rows right after the Y rows)."""
    row_stride, uv_offset, size = ctypes.c_int(stride or 0), ctypes.c_size_t(), ctypes.c_size_t()
    _check(_lib.cv_nv12_default_layout(width, height, ctypes.byref(row_stride), ctypes.byref(uv_offset), ctypes.byref(size)))
    return row_stride.value, uv_offset.value, size.value


class Frame:
    """One NV12 frame: in memory (`Frame.nv12`) or in dma-bufs (`Frame.dmabuf`)."""

    def __init__(self, structure, keep=None):
        self._structure = structure
        self._keep = keep  # the memory `structure` points into

    @classmethod
    def nv12(cls, data: Any, width: int, height: int, stride: Optional[int] = None, uv_offset: Optional[int] = None,
             matrix: str = "bt601", range: str = "full", chroma_location: str = "left") -> Frame:
        """A frame in memory: `data` is bytes, a buffer or a NumPy array, read in place when
        contiguous. Y rows, then UV rows at `uv_offset`, both `stride` apart (defaults:
        `default_layout`)."""
        address, size, keep = _buffer_address(data)
        structure = _library.Frame(
            kind=_FRAME_MEMORY, width=width, height=height, matrix=_choice(_MATRICES, matrix, "matrix"),
            range=_choice(_RANGES, range, "range"), chroma_location=_choice(_CHROMA, chroma_location, "chroma location"),
            data=address, size=size, stride=stride or 0, uv_offset=uv_offset or 0)
        return cls(structure, keep)

    @classmethod
    def dmabuf(cls, width: int, height: int, luma: Tuple[int, int, int], chroma: Tuple[int, int, int], modifier: int = 0,
               matrix: str = "bt601", range: str = "full", chroma_location: str = "left", buffer_index: int = 0) -> Frame:
        """A frame in dma-bufs: `luma` and `chroma` are (fd, offset, pitch); the fds stay the
        caller's."""
        structure = _library.Frame(
            kind=_FRAME_DMABUF, width=width, height=height, matrix=_choice(_MATRICES, matrix, "matrix"),
            range=_choice(_RANGES, range, "range"), chroma_location=_choice(_CHROMA, chroma_location, "chroma location"),
            luma=_library.DmaBufPlane(*luma), chroma=_library.DmaBufPlane(*chroma), modifier=modifier,
            buffer_index=buffer_index)
        return cls(structure)


class ImageTarget:
    """A width x height RGBA8 image: a (height, width, 4) uint8 NumPy array (`out` when
    given, reused frame after frame), or bytes without NumPy."""

    def __init__(self, width: int, height: int, out: Any = None):
        self.width, self.height, self.out = width, height, out

    def _prepare(self):
        size = self.width * self.height * 4
        try:
            import numpy
        except ImportError:
            buffer = ctypes.create_string_buffer(size)
            return _library.Target(kind=_TARGET_RGBA, width=self.width, height=self.height,
                                   rgba=ctypes.addressof(buffer), size=size), lambda: buffer.raw
        image = self.out if self.out is not None else numpy.empty((self.height, self.width, 4), dtype=numpy.uint8)
        if image.shape != (self.height, self.width, 4) or image.dtype != numpy.uint8 or not image.flags.c_contiguous:
            raise ValueError("out must be a C-contiguous uint8 array of shape (height, width, 4)")
        return _library.Target(kind=_TARGET_RGBA, width=self.width, height=self.height,
                               rgba=image.ctypes.data, size=size), lambda: image


class FramebufferTarget:
    """Framebuffer `fbo` of the current (adopted) context at (x, y), width x height; the
    host's GL state is left as it was. `origin` says where the frame's first row goes:
    "bottom-left" (GL's convention, upright on a window) at the viewport's top, "top-left"
    at its lowest y, for a framebuffer stored top row first."""

    def __init__(self, fbo: int, x: int, y: int, width: int, height: int, origin: str = "bottom-left"):
        self.fbo, self.x, self.y, self.width, self.height = fbo, x, y, width, height
        self.origin = _choice(_ORIGINS, origin, "origin")

    def _prepare(self):
        return _library.Target(kind=_TARGET_FBO, width=self.width, height=self.height, fbo=self.fbo,
                               x=self.x, y=self.y, origin=self.origin), lambda: None


class Options:
    """Placement and sampling; `frame_to_output` is a 3x3 matrix (nested sequences,
    row-major) mapping frame pixels to output pixels."""

    def __init__(self, fit: str = "contain", mirror: bool = False, filter: str = "automatic", zoom: float = 1.0,
                 letterbox: str = "black", frame_to_output: Optional[Sequence[Sequence[float]]] = None):
        self._matrix = None
        if frame_to_output is not None:
            values = [float(value) for row in frame_to_output for value in row]
            if len(values) != 9:
                raise ValueError("frame_to_output must be 3x3")
            self._matrix = (ctypes.c_double * 9)(*values)
        self._structure = _library.RenderOptions(
            _choice(_FITS, fit, "fit"), int(bool(mirror)), _choice(_FILTERS, filter, "filter"), float(zoom),
            ctypes.cast(self._matrix, ctypes.POINTER(ctypes.c_double)) if self._matrix is not None else None,
            _choice(_LETTERBOX, letterbox, "letterbox"))


def live_handles_in_process() -> int:
    return _lib.cv_live_handles_in_process()


def swept_in_process() -> int:
    """Objects a close had to sweep because their owner never released them (0 in a correct program)."""
    return _lib.cv_swept_in_process()


def failed_deletions_in_process() -> int:
    return _lib.cv_failed_deletions_in_process()


_dropped_here = 0


def dropped_in_process() -> int:
    """Views and devices dropped without close() (this binding's safety net closed them),
    and the library's own objects dropped unreleased: 0 in a correct program."""
    return _dropped_here + _lib.cv_dropped_in_process()


class _Handle:
    """A C handle closed exactly once, by close(), a with block or, as a safety net, __del__."""

    _close_function = None
    _handle = None

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            _check(type(self)._close_function(handle))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if self._handle is not None:
            global _dropped_here
            _dropped_here += 1
            warnings.warn(f"unclosed {type(self).__name__}; close it or use a with block", ResourceWarning, stacklevel=2)
            self.close()

    def _require(self):
        if self._handle is None:
            raise Closed(ECLOSED, f"the {type(self).__name__} is closed")
        return self._handle


class Device(_Handle):
    """The render device (GBM, else Mesa surfaceless; CAMERAVIEW_PLATFORM overrides)."""

    _close_function = staticmethod(_lib.cv_device_close)

    def __init__(self):
        handle = ctypes.c_void_p()
        _check(_lib.cv_device_open(ctypes.byref(handle)))
        self._handle = handle.value

    @classmethod
    def adopt(cls, egl_display: int, egl_context: int) -> Device:
        """A device over a host's own EGL display and context (addresses as ints): views on it
        draw in that context and leave its GL state as it was. The host keeps owning both."""
        device = cls.__new__(cls)
        handle = ctypes.c_void_p()
        _check(_lib.cv_device_adopt(egl_display, egl_context, ctypes.byref(handle)))
        device._handle = handle.value
        return device

    @classmethod
    def adopt_current(cls) -> Device:
        """A device over the context current on this thread (a raylib, SDL or GLFW window's,
        EGL or GLX): views on it draw in the window's context, and use a GLX one only while
        it is current on the calling thread. Raises EGLFailure when neither is current."""
        device = cls.__new__(cls)
        handle = ctypes.c_void_p()
        _check(_lib.cv_device_adopt_current(ctypes.byref(handle)))
        device._handle = handle.value
        return device

    @property
    def live_handles(self) -> int:
        return _lib.cv_device_live_handles(self._require())

    @property
    def egl_display(self) -> Optional[int]:
        return _lib.cv_device_egl_display(self._require())


class CameraView(_Handle):
    """A view on `device` (a new Device of its own when None, closed with the view).

    `CameraView(name, stream_type)` is openpilot's view: a client of stream `stream_type`
    of VisionIPC server `name` ("camerad"). It waits at most 0.1 s for the server's answer
    and never more: it connects when the server is there, and again after the server
    restarts, stalls or goes away, while `wait_for_frame` is called."""

    _close_function = staticmethod(_lib.cv_view_close)

    def __init__(self, name: Union[str, Device, None] = None, stream_type: Optional[int] = None,
                 device: Optional[Device] = None):
        if isinstance(name, Device):
            name, device = None, name
        if (name is None) != (stream_type is None):
            raise TypeError("a VisionIPC view needs both a server name and a stream type")
        self._name = name
        self._own_device = device is None
        # The view keeps its device alive; the device holds nothing of the view.
        self.device = Device() if device is None else device
        handle = ctypes.c_void_p()
        try:
            _check(_lib.cv_view_create(self.device._require(), ctypes.byref(handle)))
        except BaseException:
            if self._own_device:
                self.device.close()
            raise
        self._handle = handle.value
        if name is not None:
            try:
                _check(_lib.cv_view_connect_visionipc(self._handle, name.encode(), int(stream_type)))
            except BaseException:
                self.close()
                raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._own_device:
                self.device.close()

    def wait_for_frame(self, timeout: float = 0.1) -> Optional[VisionFrame]:
        """Waits up to `timeout` seconds for a new frame of the VisionIPC stream (the newest,
        when several came) and makes it the one `render_rgba` and `render_to_fbo` draw.
        Returns its `VisionFrame`, or None when none came (or the server is not there), within
        `timeout` whatever the server does. Raises `PeerError` when the server broke the
        protocol (the view reconnects at later waits)."""
        info = _library.VisionFrame()
        code = _lib.cv_view_wait_frame(self._require(), max(0, int(timeout * 1000)), ctypes.byref(info))
        if code == ETIMEOUT:
            return None
        _check(code)
        return VisionFrame(info.frame_id, info.timestamp_sof, info.timestamp_eof, info.buffer_index, info.width,
                           info.height, bool(info.valid))

    @property
    def is_connected(self) -> bool:
        """Whether the view is connected to its VisionIPC server now."""
        code = _lib.cv_view_visionipc_connected(self._require())
        if code < 0:
            _check(code)
        return code == 1

    @property
    def available_streams(self) -> Set[Union[VisionStreamType, int]]:
        """The streams the view's VisionIPC server serves, as `VisionStreamType`s."""
        if self._name is None:
            raise InvalidArgument(EINVAL, "the view is not a VisionIPC view")
        return available_streams(self._name)

    @property
    def vision_statistics(self) -> Dict[str, int]:
        """Counts since the view first connected: delivered, skipped, torn, truncated,
        connections, restarts, losses, evictions, the queue's reader slots in use,
        slot_refusals (registrations that found the queue full: the view waited, evicting
        no one), and no_slot (1 while connected without a slot: no frames come)."""
        statistics = _library.VisionStatistics()
        _check(_lib.cv_view_visionipc_statistics(self._require(), ctypes.byref(statistics)))
        return {name: getattr(statistics, name) for name, _ in statistics._fields_}

    def render(self, frame: Frame, target: Union[ImageTarget, FramebufferTarget], options: Optional[Options] = None) -> Any:
        """Renders `frame` (a `Frame`) into `target` (an `ImageTarget`: returns the image; a
        `FramebufferTarget`: returns None), placed and sampled by `options` (an `Options`)."""
        structure, result = target._prepare()
        _check(_lib.cv_view_render(self._require(), ctypes.byref(frame._structure), ctypes.byref(structure),
                                   ctypes.byref(options._structure) if options is not None else None))
        return result()

    def submit_nv12(self, data: Any, width: int, height: int, stride: Optional[int] = None, uv_offset: Optional[int] = None,
                    matrix: str = "bt601", range: str = "full") -> None:
        """Uploads one NV12 frame into the view now: `data` is bytes, a buffer (memoryview,
        bytearray) or a NumPy array, read in place during the call (never copied when
        contiguous); stride and UV offset default as in `default_layout`. Later renders
        draw it, converting it once per target size and options."""
        address, size, keep = _buffer_address(data)
        _check(_lib.cv_view_submit_nv12(self._require(), address, size, width, height, stride or 0, uv_offset or 0,
                                        _choice(_MATRICES, matrix, "matrix"), _choice(_RANGES, range, "range")))
        del keep

    def submit_dmabuf(self, width: int, height: int, luma: Tuple[int, int, int], chroma: Tuple[int, int, int], modifier: int = 0,
                      matrix: str = "bt601", range: str = "full", buffer_index: int = 0) -> None:
        """An NV12 frame in dma-bufs: `luma` and `chroma` are (fd, offset, pitch). The fds stay
        the caller's and must stay open until the frame is replaced or the view closed."""
        planes = [_library.DmaBufPlane(*plane) for plane in (luma, chroma)]
        _check(_lib.cv_view_submit_dmabuf(self._require(), width, height, ctypes.byref(planes[0]), ctypes.byref(planes[1]),
                                          modifier, _choice(_MATRICES, matrix, "matrix"), _choice(_RANGES, range, "range"),
                                          buffer_index))

    def set_options(self, fit: str = "contain", mirror: bool = False, filter: str = "automatic", zoom: float = 1.0,
                    letterbox: str = "black", frame_to_output: Optional[Sequence[Sequence[float]]] = None) -> None:
        """The `Options` of later `render_rgba` / `render_to_fbo` calls."""
        options = Options(fit, mirror, filter, zoom, letterbox, frame_to_output)
        _check(_lib.cv_view_set_render_options(self._require(), ctypes.byref(options._structure)))

    def set_chroma_location(self, location: str) -> None:
        _check(_lib.cv_view_set_chroma_location(self._require(), _choice(_CHROMA, location, "chroma location")))

    def render_rgba(self, width: int, height: int, out: Any = None) -> Any:
        """Renders the latest submitted frame into an `ImageTarget(width, height, out)`."""
        structure, result = ImageTarget(width, height, out)._prepare()
        _check(_lib.cv_view_render_rgba(self._require(), structure.rgba, structure.size, width, height))
        return result()

    def render_to_fbo(self, framebuffer: int, x: int, y: int, width: int, height: int) -> None:
        """Draws into a host framebuffer in the current (adopted) context."""
        _check(_lib.cv_view_render_to_fbo(self._require(), framebuffer, x, y, width, height))

    @property
    def last_import_path(self) -> Optional[str]:
        return _IMPORT_PATHS[_lib.cv_view_last_import_path(self._require())]

    @property
    def live_handles(self) -> int:
        return _lib.cv_view_live_handles(self._require())


def _buffer_address(data):
    """(address, size, object keeping the memory alive) of `data`, without copying when
    it is contiguous."""
    if isinstance(data, bytes):
        return ctypes.cast(ctypes.c_char_p(data), ctypes.c_void_p).value, len(data), data
    try:
        import numpy
        if isinstance(data, numpy.ndarray):
            array = data if data.flags.c_contiguous else numpy.ascontiguousarray(data)
            return array.ctypes.data, array.nbytes, array
    except ImportError:
        pass
    view = memoryview(data).cast("B")
    if view.readonly:
        try:  # NumPy reads a read-only buffer in place; ctypes cannot
            import numpy
            array = numpy.frombuffer(view, dtype=numpy.uint8)
            return array.ctypes.data, array.nbytes, (array, view)
        except ImportError:
            copy = bytes(view)
            return ctypes.cast(ctypes.c_char_p(copy), ctypes.c_void_p).value, len(copy), copy
    holder = (ctypes.c_char * view.nbytes).from_buffer(view)
    return ctypes.addressof(holder), view.nbytes, holder


__all__ = [
    "CameraView", "Device", "Frame", "ImageTarget", "FramebufferTarget", "Options", "default_layout", "CameraViewError", "InvalidArgument", "EGLFailure", "GLESFailure", "NoFrame", "Closed",
    "LibraryNotFound", "UncleanClose", "BrokenFrame", "PeerError", "VisionStreamType", "VisionFrame", "available_streams", "last_error", "live_handles_in_process", "swept_in_process",
    "failed_deletions_in_process", "dropped_in_process",
]
