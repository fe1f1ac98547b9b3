"""cameraview.h is the one source of the C API's codes: the binding's tables must say
exactly what the header says, and the default layout comes from the library."""
import re
from pathlib import Path

import cameraview

HEADER = Path(cameraview.__file__).parents[3] / "Sources/CCameraView/include/cameraview.h"


def header_constants():
    text = HEADER.read_text()
    constants = {}
    for body in re.findall(r"enum\s*\{([^}]*)\}", text):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        for name, value in re.findall(r"\b(CV_[A-Z0-9_]+)\s*=\s*(-?\d+)", body):
            constants[name] = int(value)
    return constants


def binding_constants():
    """The binding's codes, named as the header names them."""
    c = cameraview
    named = {f"CV_{name}": getattr(c, name) for name in ("OK", "EINVAL", "EGL", "EGLES", "ENOFRAME", "ECLOSED", "EOTHER", "EUNCLEAN",
                                                    "EBROKEN", "ETIMEOUT", "EPEER")}
    prefixes = {"_MATRICES": "CV_", "_RANGES": "CV_RANGE_", "_FITS": "CV_FIT_", "_FILTERS": "CV_FILTER_",
                "_CHROMA": "CV_CHROMA_", "_LETTERBOX": "CV_LETTERBOX_", "_ORIGINS": "CV_ORIGIN_"}
    for table, prefix in prefixes.items():
        for name, value in getattr(c, table).items():
            named[prefix + name.upper().replace("-", "_")] = value
    for value, name in c._IMPORT_PATHS.items():
        named["CV_IMPORT_" + (name or "none").upper().replace("-", "_")] = value
    for stream in c.VisionStreamType:
        named["CV_" + stream.name] = stream.value
    named.update(CV_FRAME_MEMORY=c._FRAME_MEMORY, CV_FRAME_DMABUF=c._FRAME_DMABUF,
                 CV_TARGET_RGBA=c._TARGET_RGBA, CV_TARGET_FBO=c._TARGET_FBO)
    return named


def test_the_binding_mirrors_every_code_of_the_header():
    assert binding_constants() == header_constants()


def test_a_drifted_code_is_caught(monkeypatch):
    monkeypatch.setitem(cameraview._FILTERS, "area", 4)
    assert binding_constants() != header_constants()


def test_the_default_layout_is_the_librarys():
    assert cameraview.default_layout(17, 8) == (17, 17 * 8, 17 * 8 + 18 * 3 + 18)
    assert cameraview.default_layout(16, 8, stride=32) == (32, 32 * 8, 32 * 8 + 32 * 3 + 16)
