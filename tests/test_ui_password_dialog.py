"""The password dialog names the devices new to the room that ask, and leaves them out unless ticked (R8: its one
box, ticked by default, sent the room password to every device asking, a laptop's hundreds of "projectors" too)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from ui.password_dialog import PasswordDialog


def chosen(qtbot: QtBot, dialog: PasswordDialog, tick_strangers: bool) -> tuple[str, bool, bool]:
    got: list[tuple[str, bool, bool]] = []
    dialog.sig_password.connect(lambda *args: got.append(args))
    dialog.field.setText("a-long-room-password")
    if tick_strangers:
        dialog.strangers.setChecked(True)
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    return got[0]


def test_strangers_are_named_and_not_sent_the_password_unless_ticked(qtbot: QtBot) -> None:
    strangers = [f"Projector {n} (127.0.46.{n})" for n in range(1, 8)]
    dialog = PasswordDialog("Board", "It is kept only until the console closes.", 2, strangers)
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.strangers_note.text()
    assert dialog.strangers.isVisible() and not dialog.strangers.isChecked()
    assert "7 device(s)" in text and "Projector 1 (127.0.46.1)" in text and "and 2 more" in text
    assert "Projector 6" not in text  # five named, the rest counted
    assert "2 device(s)" in dialog.room_note.text() and dialog.whole_room.isChecked()
    assert chosen(qtbot, dialog, tick_strangers=False) == ("a-long-room-password", True, False)

    again = PasswordDialog("Board", "", 0, strangers[:1])
    qtbot.addWidget(again)
    again.show()
    assert chosen(qtbot, again, tick_strangers=True) == ("a-long-room-password", True, True)


def test_no_stranger_no_box(qtbot: QtBot) -> None:
    dialog = PasswordDialog("Board", "", 0, [])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.strangers.isVisible() and not dialog.strangers_note.isVisible()
    assert "later" in dialog.room_note.text()
    assert chosen(qtbot, dialog, tick_strangers=False) == ("a-long-room-password", True, False)
