"""The pytest plugin's fixtures, each in a test session of its own (pytester)."""
import textwrap
from pathlib import Path

import pytest

import cameraview
from model import gradient


@pytest.fixture(autouse=True)
def binding_on_the_path(monkeypatch):
    """The sessions pytester starts import the binding from this folder too."""
    monkeypatch.setenv("PYTHONPATH", str(Path(cameraview.__file__).parents[1]))

TEST = textwrap.dedent("""
    import numpy, cameraview

    def test_render(assert_golden):
        frame = numpy.array({frame}, dtype=numpy.uint8)
        with cameraview.CameraView() as view:
            view.submit_nv12(frame, 16, 8)
            view.set_options(filter="nearest")
            image = view.render_rgba(16, 8)
        image[0, 0, 0] ^= {flip}
        assert_golden("g", image, directory="goldens-of-this-test")

    def test_leaky(no_gpu_leaks):
        global leaked
        leaked = cameraview.CameraView()
""")


def run(pytester, flip, *arguments):
    pytester.makepyfile(test_golden=TEST.format(frame=gradient(16, 8).tolist(), flip=flip))
    return pytester.runpytest_subprocess("-p", "cameraview.pytest_plugin", "-k", "render", *arguments)


def test_record_fails_then_verify_passes_then_a_change_fails_with_artifacts(pytester, monkeypatch):
    monkeypatch.setenv("CAMERAVIEW_ARTIFACTS", str(pytester.path / "artifacts"))
    recorded = run(pytester, 0, "--cameraview-record")
    recorded.assert_outcomes(failed=1)
    recorded.stdout.fnmatch_lines(["*recorded the golden*g.png*run again without it*"])
    run(pytester, 0).assert_outcomes(passed=1)
    changed = run(pytester, 64)
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(["*g does not match its golden: max error 64, 1 of 128 pixels*"])
    assert {path.name for path in (pytester.path / "artifacts").iterdir()} == {"g.actual.png", "g.expected.png", "g.diff.png"}
    run(pytester, 0).assert_outcomes(passed=1)
    assert not list((pytester.path / "artifacts").iterdir()), "a pass removes the stale artifacts"


def test_no_gpu_leaks_fails_a_leaking_test(pytester):
    pytester.makepyfile(test_golden=TEST.format(frame=gradient(16, 8).tolist(), flip=0))
    result = pytester.runpytest_subprocess("-p", "cameraview.pytest_plugin", "-k", "leaky", "-W", "ignore::ResourceWarning")
    result.assert_outcomes(passed=1, errors=1)  # the test body passes; its teardown reports the leak
    result.stdout.fnmatch_lines(["*live GPU objects left*"])
