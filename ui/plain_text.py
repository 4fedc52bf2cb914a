"""Others' words shown as they came: a label that never reads a device's, a camera's or a file's text as markup.

A QLabel's text format is AutoText: whatever looks like HTML is drawn as HTML. A PJLink projector on the LAN
that named an input "<b>Input</b><i>Evil</i>" had its row drawn bold and italic in Details, and could have faked
rows there. Labels that show such text are plain; tooltips go through ``widgets.plain_tip``.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox

Shown = TypeVar("Shown", QLabel, QMessageBox)


def plain(widget: Shown) -> Shown:
    """``widget`` (a label, a message box) set to show its text as text; returned, to wrap a constructor."""
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget
