"""No reference cycles: a view dropped without close() is freed at once by reference
counting, closes itself and warns, as Python's files do."""
import gc
import weakref

import pytest

import cameraview
from model import gradient


def test_a_dropped_view_is_freed_at_once_warns_and_is_counted():
    dropped = cameraview.dropped_in_process()
    with cameraview.Device() as device:
        gc.disable()
        try:
            view = cameraview.CameraView(device)
            view.submit_nv12(gradient(32, 16), 32, 16)
            view.render_rgba(32, 16)
            reference = weakref.ref(view)
            before = cameraview.live_handles_in_process()
            with pytest.warns(ResourceWarning, match="unclosed CameraView"):
                del view
            assert reference() is None, "something still holds the view"
            assert cameraview.live_handles_in_process() < before, "its objects were released"
            assert cameraview.dropped_in_process() == dropped + 1, "the drop is a bug, and counted"
        finally:
            gc.enable()


def test_close_is_idempotent_and_with_blocks_close():
    with cameraview.CameraView() as view:
        pass
    assert view.closed
    view.close()
    with pytest.raises(cameraview.Closed):
        view.render_rgba(8, 8)
