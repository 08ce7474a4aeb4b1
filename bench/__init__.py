"""drm-gui's benchmark suite: `make bench` runs every area (see README.md).

Importing the package makes the run headless and isolated before drm_gui or Qt is imported:
Qt offscreen unless the run sets QT_QPA_PLATFORM, user folders in a temporary directory.
"""

from bench.common import setup_environment

setup_environment()
