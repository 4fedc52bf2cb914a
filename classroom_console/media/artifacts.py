"""Files beside a finished recording: its SHA-256 for the store, and a WebVTT chapter list."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Marker:
    at_s: float
    label: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def size_and_sha256(path: Path) -> tuple[int, str]:
    """What the store keeps of a recording's file: (0, "") when there is no file (never written, or not a file)."""
    if not path.is_file():
        return 0, ""
    return path.stat().st_size, sha256_file(path)


def chapters_path(recording: Path) -> Path:
    return recording.with_name(recording.stem + ".chapters.vtt")


def _stamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def chapters_vtt(markers: Sequence[Marker], duration_s: float) -> str:
    """WebVTT chapters: each marker runs to the next one, the last to the end (players list them)."""
    ordered = sorted((m for m in markers if 0 <= m.at_s < duration_s), key=lambda m: m.at_s)
    lines = ["WEBVTT", ""]
    for i, marker in enumerate(ordered):
        end = ordered[i + 1].at_s if i + 1 < len(ordered) else duration_s
        label = " ".join(marker.label.split()) or f"Chapter {i + 1}"
        lines += [f"chapter-{i + 1}", f"{_stamp(marker.at_s)} --> {_stamp(end)}", label.replace("-->", "→"), ""]
    return "\n".join(lines)
