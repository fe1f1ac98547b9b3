"""Views on a host's own EGL context (Device.adopt), against a host whose GL state would
move or cut every pixel transfer: render_rgba writes exactly its image and the host's state
is as it was."""
import ctypes

import numpy
import pytest

import cameraview
from model import gradient, rgba

EGL_NONE, EGL_CONTEXT_MAJOR_VERSION = 0x3038, 0x3098
GL_PIXEL_PACK_BUFFER, GL_PIXEL_UNPACK_BUFFER, GL_STATIC_DRAW = 0x88EB, 0x88EC, 0x88E4
GL_PIXEL_PACK_BUFFER_BINDING, GL_PIXEL_UNPACK_BUFFER_BINDING = 0x88ED, 0x88EF
# Every pixel-store parameter, at a value that moves or cuts a transfer.
HOSTILE = {
    0x0CF2: 13, 0x806E: 7, 0x0CF3: 3, 0x0CF4: 5, 0x806D: 2, 0x0CF5: 8,  # UNPACK_ROW_LENGTH ... UNPACK_ALIGNMENT
    0x0D02: 17, 0x0D03: 4, 0x0D04: 6, 0x0D05: 2,  # PACK_ROW_LENGTH, SKIP_ROWS, SKIP_PIXELS, ALIGNMENT
}
W, H = 16, 16


@pytest.fixture
def host():
    """A host context of our own on the device's display, current on this thread."""
    egl = ctypes.CDLL("libEGL.so.1")
    gl = ctypes.CDLL("libGLESv2.so.2")
    egl.eglCreateContext.restype = ctypes.c_void_p
    egl.eglCreateContext.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    egl.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
    egl.eglDestroyContext.argtypes = [ctypes.c_void_p] * 2
    with cameraview.Device() as owner:
        display = owner.egl_display
        attributes = (ctypes.c_int * 3)(EGL_CONTEXT_MAJOR_VERSION, 3, EGL_NONE)
        context = egl.eglCreateContext(display, None, None, attributes)
        assert context, "host eglCreateContext failed"
        assert egl.eglMakeCurrent(display, None, None, context)
        yield gl, display, context
        egl.eglMakeCurrent(display, None, None, None)
        egl.eglDestroyContext(display, context)


def host_state(gl):
    def integer(name):
        value = ctypes.c_int(-1)
        gl.glGetIntegerv(name, ctypes.byref(value))
        return value.value
    return {name: integer(name) for name in (*HOSTILE, GL_PIXEL_PACK_BUFFER_BINDING, GL_PIXEL_UNPACK_BUFFER_BINDING)}


def test_render_rgba_in_a_hostile_host_writes_only_its_image(host, no_gpu_leaks):
    gl, display, context = host
    buffers = (ctypes.c_uint * 2)()
    gl.glGenBuffers(2, buffers)
    for target, buffer in zip((GL_PIXEL_UNPACK_BUFFER, GL_PIXEL_PACK_BUFFER), buffers):
        gl.glBindBuffer(target, buffer)
        gl.glBufferData(target, ctypes.c_ssize_t(64), None, GL_STATIC_DRAW)
    for name, value in HOSTILE.items():
        gl.glPixelStorei(name, value)
    before = host_state(gl)
    try:
        frame = gradient(W, H)
        # The image, then a guard region that must stay as it was.
        storage = numpy.full((H + 4, W, 4), 0xA5, dtype=numpy.uint8)
        with cameraview.Device.adopt(display, context) as device, cameraview.CameraView(device) as view:
            view.submit_nv12(frame, W, H)
            view.set_options(filter="nearest")
            image = view.render_rgba(W, H, out=storage[:H])
            assert host_state(gl) == before, "render_rgba changed the host's GL state"
        assert numpy.abs(image.astype(int) - rgba(frame, W, H, "bt601", "full").astype(int)).max() <= 1
        assert (storage[H:] == 0xA5).all(), "render_rgba wrote past its image"
        assert host_state(gl) == before, "closing changed the host's GL state"
    finally:
        gl.glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0)
        gl.glBindBuffer(GL_PIXEL_PACK_BUFFER, 0)
        gl.glDeleteBuffers(2, buffers)


def test_a_framebuffer_target_puts_the_first_row_where_its_origin_says(host, no_gpu_leaks):
    """GL reads a framebuffer bottom row first: at the bottom-left origin the frame reads
    back upside down (upright on a window), at the top-left origin as it is stored."""
    gl, display, context = host
    GL_TEXTURE_2D, GL_RGBA, GL_UNSIGNED_BYTE, GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0 = 0x0DE1, 0x1908, 0x1401, 0x8D40, 0x8CE0
    texture, framebuffer = ctypes.c_uint(), ctypes.c_uint()
    gl.glGenTextures(1, ctypes.byref(texture))
    gl.glBindTexture(GL_TEXTURE_2D, texture)
    gl.glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, W, H, 0, GL_RGBA, GL_UNSIGNED_BYTE, None)
    gl.glGenFramebuffers(1, ctypes.byref(framebuffer))
    gl.glBindFramebuffer(GL_FRAMEBUFFER, framebuffer)
    gl.glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0)
    try:
        frame = gradient(W, H)
        expected = rgba(frame, W, H, "bt601", "full").astype(int)
        read = {}
        with cameraview.Device.adopt(display, context) as device, cameraview.CameraView(device) as view:
            for origin in ("bottom-left", "top-left"):
                view.render(cameraview.Frame.nv12(frame, W, H),
                            cameraview.FramebufferTarget(framebuffer.value, 0, 0, W, H, origin=origin),
                            cameraview.Options(filter="nearest"))
                pixels = numpy.zeros((H, W, 4), numpy.uint8)
                gl.glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE, pixels.ctypes.data_as(ctypes.c_void_p))
                read[origin] = pixels.astype(int)
        assert numpy.abs(read["bottom-left"][::-1] - expected).max() <= 1
        assert numpy.abs(read["top-left"] - expected).max() <= 1
        with pytest.raises(ValueError, match="origin"):
            cameraview.FramebufferTarget(framebuffer.value, 0, 0, W, H, origin="top-right")
    finally:
        gl.glBindFramebuffer(GL_FRAMEBUFFER, 0)
        gl.glDeleteFramebuffers(1, ctypes.byref(framebuffer))
        gl.glDeleteTextures(1, ctypes.byref(texture))
