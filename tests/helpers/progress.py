"""A Progress that cancels itself, as an operator pressing Cancel mid-way."""

from __future__ import annotations

from drm_gui.core.progress import Progress


class CancellingProgress(Progress):
    """Records every report and cancels at the *after*th one, or at the first report whose
    text starts with *at*."""

    def __init__(self, *, after: int | None = None, at: str | None = None) -> None:
        super().__init__(self._reported)
        self.after = after
        self.at = at
        self.reports: list[tuple[int, int, str]] = []

    def _reported(self, done: int, total: int, text: str) -> None:
        self.reports.append((done, total, text))
        if (self.after is not None and len(self.reports) >= self.after) or (
            self.at is not None and text.startswith(self.at)
        ):
            self.cancel()
