"""A camera view drawn inside a pyray (raylib) window, as openpilot's UI widget draws one:

    import pyray as rl
    from cameraview import CameraView, Device, VisionStreamType
    from cameraview.raylib import render

    rl.init_window(1280, 720, "camera")          # EGL (raylib-sdl, GLFW on Wayland) or GLX (X11)
    view = CameraView("camerad", VisionStreamType.VISION_STREAM_DRIVER, device=Device.adopt_current())
    while not rl.window_should_close():
        rl.begin_drawing()
        render(view, rl.Rectangle(0, 0, 1280, 720))
        rl.end_drawing()

pyray is imported only when `render` is first called, so importing this module costs
nothing where raylib is absent."""
from __future__ import annotations

import ctypes
from typing import Any, Optional

from . import NoFrame

_GL_VIEWPORT = 0x0BA2
_GL_FRAMEBUFFER_BINDING = 0x8CA6
_gl: Optional[ctypes.CDLL] = None


def _integers(name: int, count: int) -> list:
    """glGetIntegerv through libGLESv2, which reaches the host's context (libglvnd's dispatch)."""
    global _gl
    if _gl is None:
        _gl = ctypes.CDLL("libGLESv2.so.2")
        _gl.glGetIntegerv.argtypes = [ctypes.c_uint, ctypes.POINTER(ctypes.c_int)]
    values = (ctypes.c_int * count)()
    _gl.glGetIntegerv(name, values)
    return list(values)


def render(view: Any, rect: Any, wait: float = 0.0) -> bool:
    """Draws `view`'s newest frame into raylib's current target (the window, or a
    RenderTexture between begin/end_texture_mode) at `rect` (raylib's coordinates: x, y
    from the top-left, width, height; a `Rectangle` or a 4-tuple), placed by the view's
    options (fit, zoom, mirror). A VisionIPC view first takes a frame newer than the last,
    if one came (waiting up to `wait` seconds). raylib's batch is flushed first, so its
    earlier draws stay under the frame, and its GL state is left as it was. Returns False
    when there is no frame to draw (none yet, or the server went away)."""
    import pyray as rl

    if getattr(view, "_name", None) is not None:
        view.wait_for_frame(timeout=wait)
    x, y, width, height = (rect.x, rect.y, rect.width, rect.height) if hasattr(rect, "x") else rect
    rl.rl_draw_render_batch_active()
    framebuffer = _integers(_GL_FRAMEBUFFER_BINDING, 1)[0]
    origin_x, origin_y, _, target_height = _integers(_GL_VIEWPORT, 4)
    try:
        # GL's origin is the target's bottom-left; raylib's the top-left.
        view.render_to_fbo(framebuffer, origin_x + int(x), origin_y + target_height - int(y) - int(height),
                           int(width), int(height))
    except NoFrame:
        return False
    return True
