"""drm-gui entry point."""

from drm_gui.app import main

raise SystemExit(main())
