# drm-gui: `make run` opens the app, `make test` runs the whole suite headless.
# Both install what is missing first: Debian packages (as root, or through sudo) and .venv.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

# Qt's system libraries (offscreen and X11/xcb), Xvfb for real-X tests and screenshots,
# poppler for rendering PDFs, fonts, the venv module of Debian's Python, PostgreSQL for the
# multi-workstation tests, and binutils (objdump, strip) for PyInstaller.
DEB_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
	libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-xfixes0 \
	xvfb xauth x11-utils xdotool poppler-utils zbar-tools fonts-dejavu-core python3-venv postgresql \
	binutils

.PHONY: run test bench lint format deps venv venv-dev clean package

deps:
	@./packaging/install-deps.sh $(DEB_PACKAGES)

$(VENV)/.stamp-run: requirements.txt | deps
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt $(VENV)/.stamp-run
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.stamp-run
venv-dev: $(VENV)/.stamp-dev

run: venv
	$(PY) main.py $(ARGS)

test: venv-dev
	$(PY) -m ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

bench: venv-dev
	$(PY) bench/run.py

# The PyInstaller bundle (packaging/drm_gui.spec): dist/drm-gui/drm-gui; DRM_GUI_ONEFILE=1 for
# the one-file variant (dist/drm-gui).
package: venv-dev
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build \
		packaging/drm_gui.spec
	@du -sh dist/drm-gui | sed 's/^/bundle size: /'

lint: venv-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv-dev
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) .pytest_cache build dist
