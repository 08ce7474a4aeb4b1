"""Where things live: bundled resources and the user's data and config folders."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from drm_gui import APP_NAME


def resource_path(*parts: str) -> Path:
    """Path of a file under resources/, in the source tree or in a frozen bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath("resources", *parts)


# The DejaVu fonts of the PDFs, and of the window on a machine without fonts: in the bundle
# under resources/fonts/dejavu (packaging/drm_gui.spec), else Debian's fonts-dejavu-core.
SYSTEM_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def font_dir() -> Path:
    bundled = resource_path("fonts", "dejavu")
    return bundled if bundled.is_dir() else SYSTEM_FONT_DIR


def data_dir() -> Path:
    """The user's data folder (created on demand). DRM_GUI_DATA_DIR overrides it."""
    override = os.environ.get("DRM_GUI_DATA_DIR")
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """The user's config folder (created on demand). DRM_GUI_CONFIG_DIR overrides it."""
    override = os.environ.get("DRM_GUI_CONFIG_DIR")
    path = Path(override) if override else user_config_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'drm.db'}"
