"""Cameras plugged into this PC (USB, capture cards): /dev/video* with the names their drivers give.

Blocking (it reads sysfs): call through ``offload``. A machine with no V4L2 devices (a VM, CI) has none, and
that is an empty list, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SYSFS = Path("/sys/class/video4linux")
_VIDEO = re.compile(r"video\d+")


@dataclass(frozen=True, slots=True)
class LocalCamera:
    device: str  # /dev/videoN: what the camera source opens
    name: str


def local_cameras(sysfs: Path = SYSFS, dev: Path = Path("/dev")) -> list[LocalCamera]:
    """Capture devices only: a USB camera also lists a metadata node (index 1), which cannot give pictures."""
    found: list[LocalCamera] = []
    if not sysfs.is_dir():
        return found
    for entry in sorted(sysfs.iterdir(), key=lambda p: int(p.name[5:]) if _VIDEO.fullmatch(p.name) else 1 << 30):
        if not _VIDEO.fullmatch(entry.name) or not (dev / entry.name).exists():
            continue
        index = _read(entry / "index")
        if index not in ("", "0"):  # the driver's second node of one camera: metadata, not pictures
            continue
        found.append(LocalCamera(str(dev / entry.name), _read(entry / "name") or entry.name))
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
