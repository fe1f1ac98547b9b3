"""The wheel ships the C library it loads: libcameraview.so.0 as scripts/install-c builds it
(the Swift runtime linked in statically, only the header's functions exported), copied into
cameraview/lib/ at build time. $CAMERAVIEW_WHEEL_LIBRARY names an already built one; else
the package's scripts/install-c builds it (a Swift toolchain is needed to build the wheel,
not to install or use it). The wheel is tagged for this platform, not pure Python."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from wheel.bdist_wheel import bdist_wheel

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
LIBRARY = "libcameraview.so.0"


class BuildWithLibrary(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "cameraview" / "lib" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        built = os.environ.get("CAMERAVIEW_WHEEL_LIBRARY")
        if built:
            shutil.copy2(built, target)
            return
        install = PACKAGE_ROOT / "scripts" / "install-c"
        if not install.exists():
            raise SystemExit(f"no {install}: build the wheel from the CameraView package, or set CAMERAVIEW_WHEEL_LIBRARY")
        with tempfile.TemporaryDirectory() as prefix:
            subprocess.run([str(install), "--prefix", prefix], check=True)
            shutil.copy2(Path(prefix) / "lib" / LIBRARY, target)


class PlatformWheel(bdist_wheel):
    """py3-none-linux_x86_64 (or this machine's platform): ctypes, no extension module."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
