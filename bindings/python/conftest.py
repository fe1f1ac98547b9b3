# The binding's own suite: the package from this folder, its pytest plugin, and pytester
# (to run the plugin's fixtures in a test session of their own).
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
pytest_plugins = ["cameraview.pytest_plugin", "pytester"]
