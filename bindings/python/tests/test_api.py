"""Every C function and every error code, through the binding."""
import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy
import pytest

import cameraview
from cameraview import _lib
from model import gradient, rgba

W, H = 64, 48


@pytest.fixture
def device():
    with cameraview.Device() as device:
        yield device


def test_renders_like_the_exact_model(device, no_gpu_leaks):
    for matrix in ("bt601", "bt709"):
        for value_range in ("full", "limited"):
            with cameraview.CameraView(device) as view:
                frame = gradient(W, H)
                view.submit_nv12(frame, W, H, matrix=matrix, range=value_range)
                view.set_options(filter="nearest")
                image = view.render_rgba(W, H)
                error = numpy.abs(image.astype(int) - rgba(frame, W, H, matrix, value_range).astype(int)).max()
                assert error <= 1, f"{matrix} {value_range}: max error {error}"


def test_inputs_bytes_memoryview_and_arrays_alike(device):
    frame = gradient(W, H)
    with cameraview.CameraView(device) as view:
        view.set_options(filter="nearest")
        images = []
        for data in (frame.tobytes(), bytearray(frame.tobytes()), memoryview(frame.tobytes()), frame,
                     numpy.repeat(frame, 2)[::2]):  # the last one the same bytes, not contiguous
            view.submit_nv12(data, W, H)
            images.append(view.render_rgba(W, H))
        assert all((image == images[0]).all() for image in images)
        out = numpy.zeros((H, W, 4), numpy.uint8)
        assert view.render_rgba(W, H, out=out) is out and (out == images[0]).all()


def test_submitted_frames_are_uploaded_at_once(device):
    """submit_nv12 uploads from the caller's memory during the call: the caller may change
    or free the memory straight after, and the view draws what was submitted."""
    width, height, stride = 1928, 1208, 2048
    uv_offset = stride * 1216
    frame = numpy.random.default_rng(1).integers(0, 256, uv_offset + stride * height // 2, dtype=numpy.uint8)
    with cameraview.CameraView(device) as view:
        view.set_options(filter="nearest")
        for data in (frame, memoryview(frame.tobytes())):
            view.submit_nv12(data, width, height, stride=stride, uv_offset=uv_offset)
            expected = view.render_rgba(width // 2, height // 2)
            scratch = numpy.array(frame)
            view.submit_nv12(scratch, width, height, stride=stride, uv_offset=uv_offset)
            scratch[:] = 0
            del scratch
            assert (view.render_rgba(width // 2, height // 2) == expected).all()


def test_options_and_chroma_location(device):
    frame = gradient(W, H)
    with cameraview.CameraView(device) as view:
        view.submit_nv12(frame, W, H)
        view.set_options(filter="nearest", mirror=True)
        mirrored = view.render_rgba(W, H)
        assert (mirrored == rgba(frame, W, H)[:, ::-1]).all()
        view.set_options(filter="nearest", frame_to_output=[[1, 0, W / 2], [0, 1, 0], [0, 0, 1]], letterbox="transparent")
        shifted = view.render_rgba(W, H)
        assert (shifted[:, :W // 2] == 0).all()
        view.set_options(filter="area")
        half = view.render_rgba(W // 2, H // 2)
        assert half.shape == (H // 2, W // 2, 4)
        view.set_chroma_location("center")
        view.submit_nv12(frame, W, H)
        view.set_options(filter="bilinear")
        centred = view.render_rgba(W, H)
        view.set_chroma_location("left")
        view.submit_nv12(frame, W, H)
        assert (view.render_rgba(W, H) != centred).any(), "the siting moves the chroma"
        with pytest.raises(ValueError):
            view.set_options(filter="lanczos")
        with pytest.raises(ValueError):
            view.set_chroma_location("right")


def test_dmabuf_frames(device):
    frame = gradient(W, H)
    fd = os.memfd_create("frame")
    try:
        os.write(fd, frame.tobytes())
        with cameraview.CameraView(device) as view:
            view.set_options(filter="nearest")
            view.submit_dmabuf(W, H, (fd, 0, W), (fd, W * H, W))
            image = view.render_rgba(W, H)
            assert view.last_import_path in ("mapped-upload", "per-plane")
            assert (image == rgba(frame, W, H)).all()
            with pytest.raises(cameraview.InvalidArgument, match="modifier"):
                view.submit_dmabuf(W, H, (fd, 0, W), (fd, W * H, W), modifier=5)
    finally:
        os.close(fd)


def test_counts_and_handles(device):
    assert device.live_handles > 0 and device.egl_display
    with cameraview.CameraView(device) as warm:  # the device compiles the programs it needs on first use
        warm.submit_nv12(gradient(W, H), W, H)
        warm.render_rgba(W, H)
    before = cameraview.live_handles_in_process()
    view = cameraview.CameraView(device)
    assert view.last_import_path is None
    view.submit_nv12(gradient(W, H), W, H)
    view.render_rgba(W, H)
    assert view.live_handles > 0 and cameraview.live_handles_in_process() > before
    view.close()
    view.close()  # idempotent
    assert cameraview.live_handles_in_process() == before
    assert cameraview.swept_in_process() == 0 and cameraview.failed_deletions_in_process() == 0


def test_every_error_code(device):
    view = cameraview.CameraView(device)
    # CV_ENOFRAME: nothing submitted yet.
    with pytest.raises(cameraview.NoFrame) as raised:
        view.render_rgba(W, H)
    assert raised.value.code == cameraview.ENOFRAME and "no frame" in raised.value.message
    # CV_EINVAL: a frame shorter than its layout.
    with pytest.raises(cameraview.InvalidArgument) as raised:
        view.submit_nv12(b"\0" * 10, W, H)
    assert raised.value.code == cameraview.EINVAL and cameraview.last_error() == raised.value.message
    view.submit_nv12(gradient(W, H), W, H)
    view.render_rgba(W, H)
    assert cameraview.last_error() == "", "a success clears the message"
    # CV_EOTHER: a host framebuffer on a device that did not adopt the host's context.
    with pytest.raises(cameraview.CameraViewError) as raised:
        view.render_to_fbo(1, 0, 0, W, H)
    assert raised.value.code == cameraview.EOTHER and "adopting" in raised.value.message
    # CV_ECLOSED from the C side: a stale handle.
    handle = view._handle
    view.close()
    assert _lib.cv_view_close(handle) == cameraview.ECLOSED
    assert _lib.cv_view_render_rgba(handle, None, 0, W, H) == cameraview.ECLOSED
    with pytest.raises(cameraview.Closed):
        view.render_rgba(W, H)


def test_adopted_context_and_gles_errors(device):
    """cv_device_adopt on a context of our own; a framebuffer name that is none in it is
    CV_EGLES."""
    egl = ctypes.CDLL("libEGL.so.1")
    egl.eglCreateContext.restype = ctypes.c_void_p
    egl.eglCreateContext.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    egl.eglDestroyContext.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    egl.eglBindAPI(0x30A0)  # EGL_OPENGL_ES_API
    attributes = (ctypes.c_int * 3)(0x3098, 3, 0x3038)  # EGL_CONTEXT_MAJOR_VERSION 3, EGL_NONE
    context = egl.eglCreateContext(device.egl_display, None, None, attributes)
    assert context
    try:
        adopted = ctypes.c_void_p()
        assert _lib.cv_device_adopt(None, None, ctypes.byref(adopted)) == cameraview.EINVAL
        assert _lib.cv_device_adopt(device.egl_display, context, ctypes.byref(adopted)) == cameraview.OK
        view_handle = ctypes.c_void_p()
        assert _lib.cv_view_create(adopted, ctypes.byref(view_handle)) == cameraview.OK
        frame = gradient(W, H).tobytes()
        assert _lib.cv_view_submit_nv12(view_handle, frame, len(frame), W, H, W, W * H, 0, 0) == cameraview.OK
        assert _lib.cv_view_render_to_fbo(view_handle, 4242, 0, 0, W, H) == cameraview.EGLES
        assert "4242" in cameraview.last_error()
        assert _lib.cv_view_close(view_handle) == cameraview.OK
        assert _lib.cv_device_close(adopted) == cameraview.OK
    finally:
        egl.eglDestroyContext(device.egl_display, context)


def test_egl_error_code():
    """CV_EGL: a platform that does not exist, in a process of its own (the device is
    shared process-wide)."""
    script = ("import cameraview, sys\n"
              "try:\n    cameraview.Device()\nexcept cameraview.EGLFailure as e:\n    print(e.code)\n")
    environment = dict(os.environ, CAMERAVIEW_PLATFORM="nonsense", PYTHONPATH=str(Path(cameraview.__file__).parents[1]))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment)
    assert result.stdout.strip() == str(cameraview.EGL), result.stderr


def test_a_missing_library_says_how_to_get_one():
    script = "import cameraview"
    environment = dict(os.environ, CAMERAVIEW_LIB="/nonexistent/libCameraViewC.so",
                       PYTHONPATH=str(Path(cameraview.__file__).parents[1]))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment)
    assert result.returncode != 0
    assert "LibraryNotFound" in result.stderr and "swift build --product CameraViewC" in result.stderr and "CAMERAVIEW_LIB" in result.stderr


def test_every_declared_function_is_in_the_header():
    header = (Path(cameraview.__file__).parents[3] / "Sources/CCameraView/include/cameraview.h").read_text()
    import re
    declared = set(re.findall(r"\b(cv_[a-z_0-9]+)\(", header))
    assert declared == set(_lib.declared)


def test_render_takes_a_frame_a_target_and_options_as_swift_and_c_do(no_gpu_leaks, device):
    frame = gradient(W, H)
    with cameraview.CameraView(device) as view:
        options = cameraview.Options(filter="bilinear", mirror=True)
        direct = view.render(cameraview.Frame.nv12(frame, W, H, matrix="bt709", chroma_location="center"),
                             cameraview.ImageTarget(W // 2, H // 2), options)
        assert direct.shape == (H // 2, W // 2, 4)
        view.set_options(filter="bilinear", mirror=True)
        view.set_chroma_location("center")
        view.submit_nv12(frame, W, H, matrix="bt709")
        assert (view.render_rgba(W // 2, H // 2) == direct).all(), "the conveniences are the same render"
        out = numpy.zeros((H, W, 4), dtype=numpy.uint8)
        same = view.render(cameraview.Frame.nv12(frame, W, H), cameraview.ImageTarget(W, H, out=out),
                           cameraview.Options(filter="nearest"))
        assert same is out and (out == rgba(frame, W, H)).all()
        with pytest.raises(cameraview.InvalidArgument):
            view.render(cameraview.Frame.nv12(frame[:10], W, H), cameraview.ImageTarget(W, H))
        with pytest.raises(ValueError):
            cameraview.Frame.nv12(frame, W, H, chroma_location="middle")
