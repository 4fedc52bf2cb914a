"""The Studio's source picker, its hints and the layout names are read whole at a lecturer PC's 1366x768, in English
and Russian.

Beside the Add button the picker showed "Испытательная" for "Испытательная таблица", and the size hint ended
"размер, например 1280x72…": a technician could not tell the test pattern from the test tone, nor what to type."""

from __future__ import annotations

import asyncio
from pathlib import Path

import qasync
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyle, QStyleOptionComboBox, QStyleOptionFrame, QWidget
from pytestqt.qtbot import QtBot

from tests.qt_helpers import run, wait_for
from tests.test_ui_studio import add, show_on_a_lecturer_screen, studio_workspace
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)

LINE_EDIT_MARGIN = 2  # QLineEdit keeps 2 px each side of its text inside the contents rect
SPARE_PX = 12  # a layout name's room to spare (see below)
LIST_MARGIN_PX = 8  # an item view keeps a few pixels of its row beside the text


def line_edit_room(edit: QLineEdit) -> int:
    """The width a line edit gives its text: the stylesheet's padding counts (its contentsRect does not know it)."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    field = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    return field.width() - margins.left() - margins.right() - 2 * LINE_EDIT_MARGIN


def picker_room(picker: QComboBox) -> int:
    """The width Qt gives the current item's text in a closed combo box."""
    option = QStyleOptionComboBox()
    picker.initStyleOption(option)
    field = picker.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                          QStyle.SubControl.SC_ComboBoxEditField, picker)
    return field.width()


def test_every_source_kind_and_its_hint_show_whole_at_1366x768(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            show_on_a_lecturer_screen(workspace, qtbot)
            sources = workspace.sources
            picker = sources.kind_picker
            cut = []
            for i in range(picker.count()):
                picker.setCurrentIndex(i)
                name = picker.itemText(i)
                if picker.fontMetrics().horizontalAdvance(name) > picker_room(picker):
                    cut.append(f"kind {name!r} in {picker_room(picker)} px")
                edit = sources.detail.lineEdit()
                assert edit is not None
                hint = edit.placeholderText()
                room = line_edit_room(edit)
                if hint and edit.fontMetrics().horizontalAdvance(hint) > room:
                    cut.append(f"hint {hint!r} in {room} px")
            for kind in ("test-pattern", "test-pattern", "tone"):  # as a technician's first steps leave it
                add(workspace, qtbot, kind)
            await wait_for(lambda: workspace.sources.list.count() == 3, within=30, what="three sources")
            await asyncio.sleep(0.5)  # the columns settle around the sources' names
            layouts = workspace.layout_picker  # the program's layout names, e.g. "Picture in picture", whole too
            for i in range(layouts.count()):
                layouts.setCurrentIndex(i)
                # With a little to spare: the demo's window gave this picker 6 px less than this test's workspace,
                # and "Картинка в картинке" (168 px in 168) was cut there.
                if layouts.fontMetrics().horizontalAdvance(layouts.itemText(i)) + SPARE_PX > picker_room(layouts):
                    cut.append(f"layout {layouts.itemText(i)!r} in {picker_room(layouts)} px")
            # The two test patterns in the main and inset pickers, and every source's line in the list: whole, or
            # the technician cannot tell "Test pattern" from "Test pattern 2" (both were "Испытател…").
            layouts.setCurrentIndex(layouts.findData("pip"))
            await wait_for(lambda: workspace.pickers.inset_picker.isEnabled(), within=30, what="the inset picker")
            for picker in (workspace.pickers.main_picker, workspace.pickers.inset_picker):
                for i in range(picker.count()):
                    picker.setCurrentIndex(i)
                    if picker.fontMetrics().horizontalAdvance(picker.itemText(i)) > picker_room(picker):
                        cut.append(f"source {picker.itemText(i)!r} in {picker_room(picker)} px")
            listing = workspace.sources.list
            for row in range(listing.count()):
                item = listing.item(row)
                shown = listing.visualItemRect(item)
                needs = listing.fontMetrics().boundingRect(
                    QRect(0, 0, shown.width() - LIST_MARGIN_PX, 10_000),
                    Qt.TextFlag.TextWordWrap.value, item.text())
                if needs.height() > shown.height():
                    cut.append(f"line {item.text()!r} in {shown.width()}x{shown.height()} px")
            assert cut == [], f"{language}: cut at 1366x768: {cut}"

    run(qloop, scenario())


def test_the_studios_pickers_are_tabbed_in_reading_order(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """Layout, corner, main, inset, swap, then the lower third: moved into the sources' grid, the layout's pickers
    came after the sources' in the Tab order (review R6)."""
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            show_on_a_lecturer_screen(workspace, qtbot)
            pickers = workspace.pickers
            expected = [workspace.layout_picker, workspace.corner_picker, pickers.main_picker, pickers.inset_picker,
                        pickers.swap_button, workspace.lower_third_edit]
            walked: list[QWidget] = []
            at: QWidget | None = expected[0]
            for _step in range(500):  # the chain passes every widget (labels too): these in the order met
                if at is None:
                    break
                if at in expected and at not in walked:
                    walked.append(at)
                at = at.nextInFocusChain()
            names = ["layout", "corner", "main", "inset", "swap", "lower third"]
            assert [names[expected.index(w)] for w in walked] == names

    run(qloop, scenario())
