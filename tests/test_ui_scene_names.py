"""Two scenes never go by one name the lecturer reads (review finding 8: in Russian, «Обсуждение» renamed «Лекция»
was saved, and the scene picker listed «Лекция» twice: the check compared the shipped scene's English key). Names
are compared as shown, in either language, case and spacing aside. The real editor in the real window."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from classroom_console.scenes import RoomScenes, Scene
from tests.qt_helpers import run, wait_for, window_on_a_quiet_core
from tests.test_ui_tab_names import language  # noqa: F401  (the fixture: English, then Russian)
from ui.scene_editor import SceneEditor
from ui.workspaces.lecturer import LecturerWorkspace

SHIPPED = ["Lecture", "Discussion", "Group work", "Recording only"]
SHOWN = {"en": SHIPPED, "ru": ["Лекция", "Обсуждение", "Работа в группах", "Только запись"]}
TAKEN = {"en": "There is already a scene with this name.", "ru": "Сцена с таким названием уже есть."}
OTHER = {"en": "Lecture", "ru": "Лекция"}  # the shipped scene's name in the other language than the typed one


def picker(lecturer: LecturerWorkspace) -> list[str]:
    """The scenes it offers (its last line is "No scene")."""
    box = lecturer.scene_picker
    return [box.itemText(i) for i in range(box.count()) if box.itemData(i)]


def editor_of(lecturer: LecturerWorkspace) -> SceneEditor:
    lecturer.edit_scenes()
    editor = lecturer.scene_editor
    assert editor is not None and editor.isVisible()
    return editor


def save_as(qtbot: QtBot, editor: SceneEditor, row: int, typed: str) -> None:
    editor.list.setCurrentRow(row)
    editor.name_edit.setText(typed)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def test_a_scene_cannot_take_a_name_another_is_shown_by(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, language: str  # noqa: F811
) -> None:
    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            editor = editor_of(lecturer)
            shown = SHOWN[language]
            assert [editor.list.item(i).text() for i in range(editor.list.count())] == shown
            # «Обсуждение» renamed «Лекция», as the list shows the shipped one; then lower case and padded
            for typed in (shown[0], f"  {shown[0].lower()} ", shown[0].upper()):
                save_as(qtbot, editor, 1, typed)
                assert editor.problem.text() == TAKEN[language], typed
                assert editor.name_edit.text() == typed  # nothing typed is lost
            # By the shipped scene's name in the other language: the list there would show it twice too
            other = OTHER["ru" if language == "en" else "en"]
            save_as(qtbot, editor, 1, other)
            said = editor.problem.text()
            assert shown[0] in said and said != TAKEN[language], said
            await asyncio.sleep(0.3)  # nothing was saved: no save is on its way
            assert [s.name for s in core.scenes.scenes.scenes] == SHIPPED
            assert picker(lecturer) == shown
            # A shipped scene re-cased as shown stays the shipped one (its name in the other language too)
            saved: list[str] = []
            editor.sig_saved.connect(saved.append)
            save_as(qtbot, editor, 0, shown[0].lower())
            await wait_for(lambda: saved == ["Lecture"], what="the shipped scene saved")
            assert editor.problem.text() == ""
            lecture = core.scenes.scenes.find("Lecture")
            assert lecture is not None and lecture.builtin and lecture.name == "Lecture"
            # A copy gets a name nothing is shown by; a new name is taken as typed
            qtbot.mouseClick(editor.copy_button, Qt.MouseButton.LeftButton)
            copy = f"{shown[0]} (2)"
            await wait_for(lambda: saved[-1:] == [copy], what="the copy saved")  # and the editor's list with it
            assert editor.list.currentRow() == 4 and editor.name_edit.text() == copy
            save_as(qtbot, editor, 4, "Lab")
            await wait_for(lambda: saved[-1:] == ["Lab"], what="the renamed copy")
            assert picker(lecturer) == [*shown, "Lab"]
            save_as(qtbot, editor, 4, shown[2])
            assert editor.problem.text() == TAKEN[language]

    run(qloop, scenario())


@pytest.mark.parametrize("typed", ["Лекция", " lecture", "ЛЕКЦИЯ", "Discussion", "обсуждение"])
def test_the_core_refuses_a_name_a_shipped_scene_goes_by_in_either_language(typed: str) -> None:
    """Whatever the window: a scene saved by the core (scenes.json) never takes a shipped one's name."""
    room = RoomScenes()
    mine = room.save_scene(Scene(room.copy_name("Лекция")))
    assert mine.name == "Лекция (2)"
    with pytest.raises(ValueError, match="already a scene"):
        room.save_scene(Scene(typed), replacing=mine.name)
    if typed.strip().casefold() not in ("lecture", "discussion"):  # by its own name it is that scene, replaced
        with pytest.raises(ValueError, match="already a scene"):
            room.save_scene(Scene(typed))
    assert room.save_scene(Scene("Лекция (2) "), replacing=mine.name).name == "Лекция (2)"  # its own name: kept
