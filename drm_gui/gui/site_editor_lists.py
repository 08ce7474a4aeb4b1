"""The Machines and Recovery media tabs of the site editor: a list beside a form, with Add,
Delete and Save. Each save or deletion is one core call (one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from drm_gui.core import site
from drm_gui.core.plan_model import Machine, MediaType, RecoveryMedia
from drm_gui.core.site import SiteError
from drm_gui.gui.site_editor_common import (
    ErrorLabel,
    confirm,
    lines_editor,
    non_blank_lines,
    text_lines,
)

T = TypeVar("T", Machine, RecoveryMedia)


class ListFormTab(QWidget, Generic[T]):
    """A list of named entries beside the form of the selected one.

    Signals:
        saved(str): an entry was stored or deleted; the argument says what happened.
        changed(): the stored entries changed (other tabs may show them).
    """

    saved = Signal(str)
    changed = Signal()

    kind = "entry"  # what one entry is called in messages

    def __init__(self, prefix: str, list_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.old_name: str | None = None  # the stored entry shown in the form, None = new
        self.entries: dict[str, T] = {}
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName(f"{prefix}_list")
        self.list.setAccessibleName(list_title)
        self.list.currentItemChanged.connect(self._current_changed)
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName(f"{prefix}_add")
        self.add_button.clicked.connect(self.add)
        self.delete_button = QPushButton("&Delete")
        self.delete_button.setObjectName(f"{prefix}_delete")
        self.delete_button.clicked.connect(self.delete)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.delete_button)
        left.addLayout(buttons)
        outer.addLayout(left, 1)

        right = QVBoxLayout()
        self.form = QFormLayout()
        right.addLayout(self.form)
        self.error = ErrorLabel(f"{prefix}_error")
        right.addWidget(self.error)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        self.save_button = QPushButton("Sa&ve")
        self.save_button.setObjectName(f"{prefix}_save")
        self.save_button.clicked.connect(self.save)
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)
        right.addStretch(1)
        outer.addLayout(right, 2)

    # --- for subclasses ---

    def load_entries(self) -> Sequence[T]:
        raise NotImplementedError

    def label(self, entry: T) -> str:
        return entry.name

    def show_entry(self, entry: T | None) -> None:
        raise NotImplementedError

    def entry(self) -> T:
        raise NotImplementedError

    def store(self, entry: T, old_name: str | None) -> None:
        raise NotImplementedError

    def remove(self, name: str) -> None:
        raise NotImplementedError

    # --- shared ---

    def reload(self, select: str | None = None) -> None:
        """Reads the entries again and shows *select* (or the first one)."""
        self.entries = {e.name: e for e in self.load_entries()}
        self.list.blockSignals(True)
        self.list.clear()
        chosen: QListWidgetItem | None = None
        for entry in self.entries.values():
            item = QListWidgetItem(self.label(entry))
            item.setData(Qt.ItemDataRole.UserRole, entry.name)
            self.list.addItem(item)
            if entry.name == select:
                chosen = item
        self.list.blockSignals(False)
        if chosen is None and self.list.count():
            chosen = self.list.item(0)
        if chosen is not None:
            self.list.setCurrentItem(chosen)  # shows it through _current_changed
        else:
            self._show(None)

    def _current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        name = None if current is None else current.data(Qt.ItemDataRole.UserRole)
        self._show(self.entries.get(name) if name is not None else None)

    def _show(self, entry: T | None) -> None:
        self.old_name = None if entry is None else entry.name
        self.show_entry(entry)
        self.error.clear_error()
        self.delete_button.setEnabled(entry is not None)

    def add(self) -> None:
        """Clears the form for a new entry."""
        self.list.blockSignals(True)
        self.list.setCurrentItem(None)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self._show(None)
        self.first_field().setFocus()

    def first_field(self) -> QWidget:
        return self.form.itemAt(0, QFormLayout.ItemRole.FieldRole).widget()

    def save(self) -> bool:
        try:
            entry = self.entry()
            name = entry.name.strip()
            self.store(entry, self.old_name)  # the core refuses a new entry's taken name
        except SiteError as exc:
            self.error.show_error(str(exc))  # the form keeps what the user typed
            return False
        verb = "Created" if self.old_name is None else "Saved"
        self.reload(select=name)
        self.changed.emit()
        self.saved.emit(f"{verb} {self.kind} {name}.")
        return True

    def delete(self) -> bool:
        name = self.old_name
        if name is None:
            return False
        if not confirm(self, f"Delete {self.kind}", f"Delete the {self.kind} {name}?"):
            return False
        try:
            self.remove(name)
        except SiteError as exc:
            self.error.show_error(str(exc))
            return False
        self.reload()
        self.changed.emit()
        self.saved.emit(f"Deleted {self.kind} {name}.")
        return True


class MachinesTab(ListFormTab[Machine]):
    """The machines to rebuild, highest priority first, with their linked recovery media."""

    kind = "machine"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("machine", "Machines", parent)
        self.name = self._line("machine_name", "Machine name, no blanks")
        self.building = self._line("machine_building", "")
        self.floor = self._line("machine_floor", "")
        self.room = self._line("machine_room", "")
        self.priority = QSpinBox()
        self.priority.setObjectName("machine_priority")
        self.priority.setRange(1, 99)
        self.priority.setToolTip("1 is rebuilt first, 99 last")
        self.description = self._line("machine_description", "What this machine does")
        self.server = QCheckBox("This machine runs the storage server")
        self.server.setObjectName("machine_server")
        self.instructions = lines_editor(
            "machine_instructions", "Recovery instructions", "How to rebuild this machine"
        )
        self.characteristics = lines_editor(
            "machine_characteristics",
            "Characteristics",
            "Hardware and software: model, CPU, memory, disks, network",
        )
        self.nodes = lines_editor(
            "machine_nodes", "Associated nodes", "Client nodes of this machine, one a line"
        )
        for editor in (self.instructions, self.characteristics, self.nodes):
            editor.setMaximumHeight(80)
        self.media = QListWidget()
        self.media.setObjectName("machine_media")
        self.media.setAccessibleName("Linked recovery media")
        self.media.setToolTip("Tick the recovery media this machine needs (Space ticks)")
        self.media.setMaximumHeight(80)
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Building:", self.building)
        self.form.addRow("&Floor:", self.floor)
        self.form.addRow("&Room:", self.room)
        self.form.addRow("&Priority:", self.priority)
        self.form.addRow("Descr&iption:", self.description)
        self.form.addRow("", self.server)
        self.form.addRow("Recovery ins&tructions:", self.instructions)
        self.form.addRow("&Characteristics:", self.characteristics)
        self.form.addRow("Associated n&odes:", self.nodes)
        self.form.addRow("Recovery &media:", self.media)
        self.reload()

    @staticmethod
    def _line(name: str, tip: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(tip)
        return edit

    def load_entries(self) -> Sequence[Machine]:
        return site.list_machines()

    def label(self, entry: Machine) -> str:
        server = " · server" if entry.server else ""
        return f"{entry.priority:>2}  {entry.name}{server}"

    def refresh_media(self) -> None:
        """Lists the recovery media again, keeping the ticks the user made."""
        ticked = set(self.ticked_media())
        self._fill_media(ticked)

    def _fill_media(self, ticked: set[str]) -> None:
        self.media.clear()
        for media in site.list_recovery_media():
            item = QListWidgetItem(f"{media.name} ({media.media_type.value})")
            item.setData(Qt.ItemDataRole.UserRole, media.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = media.name in ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.media.addItem(item)

    def ticked_media(self) -> list[str]:
        names = []
        for row in range(self.media.count()):
            item = self.media.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                names.append(item.data(Qt.ItemDataRole.UserRole))
        return names

    def set_ticked_media(self, names: Sequence[str]) -> None:
        self._fill_media(set(names))

    def show_entry(self, entry: Machine | None) -> None:
        value = entry or Machine(name="")
        self.name.setText(value.name)
        self.building.setText(value.building)
        self.floor.setText(value.floor)
        self.room.setText(value.room)
        self.priority.setValue(value.priority)
        self.description.setText(value.description)
        self.server.setChecked(value.server)
        self.instructions.setPlainText("\n".join(value.recovery_instructions))
        self.characteristics.setPlainText("\n".join(value.characteristics))
        self.nodes.setPlainText("\n".join(value.nodes))
        self._fill_media({m.name for m in value.media})

    def entry(self) -> Machine:
        media = {m.name: m for m in site.list_recovery_media()}
        linked = tuple(
            media.get(name, RecoveryMedia(name, MediaType.OTHER, ()))
            for name in self.ticked_media()
        )
        return Machine(
            name=self.name.text(),
            building=self.building.text(),
            floor=self.floor.text(),
            room=self.room.text(),
            priority=self.priority.value(),
            description=self.description.text(),
            server=self.server.isChecked(),
            recovery_instructions=text_lines(self.instructions.toPlainText()),
            characteristics=text_lines(self.characteristics.toPlainText()),
            nodes=non_blank_lines(self.nodes.toPlainText()),
            media=linked,
        )

    def store(self, entry: Machine, old_name: str | None) -> None:
        site.save_machine(entry, old_name=old_name)

    def remove(self, name: str) -> None:
        site.delete_machine(name)


class MediaTab(ListFormTab[RecoveryMedia]):
    """The recovery media: boot media and other media a machine needs, volumes in load order."""

    kind = "recovery media"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("media", "Recovery media", parent)
        self.name = QLineEdit()
        self.name.setObjectName("media_name")
        self.name.setPlaceholderText("Recovery media name, no blanks")
        self.media_type = QComboBox()
        self.media_type.setObjectName("media_type")
        self.media_type.addItem("BOOT: boot media of a machine", MediaType.BOOT.value)
        self.media_type.addItem("OTHER: other media needed to rebuild", MediaType.OTHER.value)
        self.volumes = lines_editor(
            "media_volumes", "Volumes in load order", "One volume a line, in load order"
        )
        self.location = QLineEdit()
        self.location.setObjectName("media_location")
        self.location.setPlaceholderText("Where the media are kept")
        self.product = QLineEdit()
        self.product.setObjectName("media_product")
        self.product.setPlaceholderText("Product name and version on the media")
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Type:", self.media_type)
        self.form.addRow("V&olumes:", self.volumes)
        self.form.addRow("&Location:", self.location)
        self.form.addRow("P&roduct:", self.product)
        self.reload()

    def load_entries(self) -> Sequence[RecoveryMedia]:
        return site.list_recovery_media()

    def label(self, entry: RecoveryMedia) -> str:
        return f"{entry.name} ({entry.media_type.value}, {len(entry.volumes)} volumes)"

    def show_entry(self, entry: RecoveryMedia | None) -> None:
        value = entry or RecoveryMedia("", MediaType.BOOT, ())
        self.name.setText(value.name)
        self.media_type.setCurrentIndex(self.media_type.findData(value.media_type.value))
        self.volumes.setPlainText("\n".join(value.volumes))
        self.location.setText(value.location)
        self.product.setText(value.product)

    def entry(self) -> RecoveryMedia:
        return RecoveryMedia(
            name=self.name.text(),
            media_type=MediaType(self.media_type.currentData()),
            volumes=non_blank_lines(self.volumes.toPlainText()),
            location=self.location.text(),
            product=self.product.text(),
        )

    def store(self, entry: RecoveryMedia, old_name: str | None) -> None:
        site.save_recovery_media(entry, old_name=old_name)

    def remove(self, name: str) -> None:
        site.delete_recovery_media(name)
