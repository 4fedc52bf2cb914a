"""The join link as a QR code picture, drawn by segno (pure Python, in memory: no file, no socket)."""

from __future__ import annotations

import io

import segno
from PySide6.QtGui import QPixmap


def qr_pixmap(url: str, size: int) -> QPixmap:
    """A square QR code about ``size`` pixels wide; medium error correction survives a dim projector."""
    code = segno.make(url, error="m")
    modules = code.symbol_size(scale=1, border=2)[0]
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=max(1, size // modules), border=2, dark="#000000", light="#ffffff")
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue())  # PNG, told by its signature
    return pixmap
