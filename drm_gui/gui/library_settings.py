"""The library settings of this workstation: backend, devices, I/O slots, timeouts. Checked
as the administrator types; each problem is shown next to its field."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from drm_gui.library.config import Backend, ConfigError, LibraryConfig, config_with


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _number(text: str) -> Any:
    """A number when the text is one; else the text itself, for the check to name."""
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class LibrarySettingsDialog(QDialog):
    def __init__(self, config: LibraryConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Library settings")
        self.base = config
        self.result_config: LibraryConfig | None = config
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "Settings of the tape library attached to this workstation. Changes take "
                "effect when you press OK."
            )
        )
        form = QFormLayout()
        self.backend = QComboBox()
        self.backend.addItem("Simulated library (demo, training)", Backend.SIMULATED.value)
        self.backend.addItem("SCSI changer through mtx", Backend.MTX.value)
        self.backend.setCurrentIndex(self.backend.findData(config.backend.value))
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        form.addRow("Backend:", self.backend)
        sim = config.simulated
        rows: list[tuple[str, str, str]] = [
            ("changer_device", "Changer device:", config.changer_device),
            ("mtx_path", "mtx command:", config.mtx_path),
            ("drive_devices", "Drive devices:", ", ".join(config.drive_devices)),
            ("io_slots", "I/O station slots:", ", ".join(str(n) for n in config.io_slots)),
            ("status_timeout", "Status timeout (s):", f"{config.status_timeout:g}"),
            ("move_timeout", "Move timeout (s):", f"{config.move_timeout:g}"),
            ("simulated.drives", "Simulated drives:", str(sim.drives)),
            ("simulated.slots", "Simulated slots:", str(sim.slots)),
            ("simulated.io_slots", "Simulated I/O slots:", str(sim.io_slots)),
            ("simulated.move_delay", "Simulated move time (s):", f"{sim.move_delay:g}"),
        ]
        tips = {
            "io_slots": "For libraries that do not report their mail slots: the slot numbers "
            "that form the I/O station, e.g. 41, 42, 43",
            "drive_devices": "Non-rewinding tape devices in drive order, e.g. /dev/nst0",
        }
        for name, label, value in rows:
            edit = QLineEdit(value)
            edit.setObjectName(name)
            edit.setToolTip(tips.get(name, ""))
            edit.textChanged.connect(self.validate)
            error = QLabel()
            error.setStyleSheet("color: #D55E00;")
            error.setWordWrap(True)
            error.hide()
            holder = QWidget()
            holder_layout = QVBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            holder_layout.addWidget(edit)
            holder_layout.addWidget(error)
            form.addRow(label, holder)
            self.fields[name] = edit
            self.errors[name] = error
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.backend.currentIndexChanged.connect(self.validate)
        self.validate()

    def changes(self) -> dict[str, Any]:
        text = {name: edit.text().strip() for name, edit in self.fields.items()}
        return {
            "backend": self.backend.currentData(),
            "changer_device": text["changer_device"],
            "mtx_path": text["mtx_path"],
            "drive_devices": _split(text["drive_devices"]),
            "io_slots": [_number(p) for p in _split(text["io_slots"])],
            "status_timeout": _number(text["status_timeout"]),
            "move_timeout": _number(text["move_timeout"]),
            "simulated": {
                "drives": _number(text["simulated.drives"]),
                "slots": _number(text["simulated.slots"]),
                "io_slots": _number(text["simulated.io_slots"]),
                "move_delay": _number(text["simulated.move_delay"]),
            },
        }

    def validate(self) -> bool:
        for error in self.errors.values():
            error.hide()
        try:
            self.result_config = config_with(self.base, **self.changes())
        except ConfigError as exc:
            self.result_config = None
            for name, why in exc.problems:
                label = self.errors.get(name) or self.errors.get(name.split("[")[0])
                if label is None:
                    label = self.errors["changer_device"]
                label.setText(why)
                label.show()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.result_config is not None)
        return self.result_config is not None
