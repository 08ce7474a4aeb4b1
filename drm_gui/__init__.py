"""drm-gui: off-site tape management and disaster recovery plans for a backup site."""

__version__ = "0.1.0"
APP_NAME = "drm-gui"
