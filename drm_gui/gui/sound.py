"""Short tones for scan mode: a high short one for a good scan, a low longer one for a wrong
scan. The tones are made here (a sine in a WAV file) and played by the desktop's own player
(paplay or aplay) without waiting; with neither, the system bell stands in."""

from __future__ import annotations

import math
import shutil
import struct
import tempfile
import wave
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QApplication

RATE = 22050
TONES = {"good": (1320.0, 0.09), "bad": (220.0, 0.35)}  # Hz, seconds


def write_tone(path: Path, frequency: float, seconds: float, volume: float = 0.4) -> Path:
    """A mono 16-bit sine tone with soft ends (no click)."""
    count = int(RATE * seconds)
    fade = max(1, int(RATE * 0.01))
    frames = bytearray()
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        sample = volume * envelope * math.sin(2 * math.pi * frequency * i / RATE)
        frames += struct.pack("<h", int(sample * 32767))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    return path


class Tones:
    """Plays the scan tones; `player` is None where the machine has no sound player."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="drm-tones-")
        folder = Path(self._folder.name)
        self.files = {
            name: write_tone(folder / f"{name}.wav", freq, secs)
            for name, (freq, secs) in TONES.items()
        }
        self.player = shutil.which("paplay") or shutil.which("aplay")

    def play(self, name: str) -> bool:
        """Starts the tone and returns at once; False when only the bell could sound."""
        if self.player is None:
            if name == "bad":
                QApplication.beep()
            return False
        args = (
            [str(self.files[name])]
            if self.player.endswith("paplay")
            else ["-q", str(self.files[name])]
        )
        return QProcess.startDetached(self.player, args)[0]
