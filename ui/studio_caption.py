"""The lower third drawn with Qt's fonts, so Cyrillic and Kazakh names come out right in the recording.

The core's own caption uses OpenCV's Hershey font, which has ASCII only; the UI hands it this picture.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from classroom_console.media import LowerThird, lower_third_rect

BAND_RGB = (20, 40, 90)


def caption_picture(lower: LowerThird, width: int, height: int) -> np.ndarray:
    """An RGB array of the band's size (for an output of ``width`` x ``height``) with the caption's lines."""
    _, _, band_w, band_h = lower_third_rect(width, height)
    image = QImage(band_w, band_h, QImage.Format.Format_RGB888)
    image.fill(QColor(*BAND_RGB))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(QColor("white"))
        margin = round(band_h * 0.22)
        sizes = (round(band_h * 0.30), round(band_h * 0.21))
        top = round(band_h * 0.12)
        for line, size in zip(lower.lines[:2], sizes, strict=False):
            font = QFont()
            font.setPixelSize(max(8, size))
            font.setBold(size == sizes[0])
            painter.setFont(font)
            box = QRect(margin, top, band_w - 2 * margin, round(size * 1.5))
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
            top += round(size * 1.6)
    finally:
        painter.end()
    stride = image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), np.uint8, count=stride * band_h).reshape(band_h, stride)
    return raw[:, : band_w * 3].reshape(band_h, band_w, 3).copy()
