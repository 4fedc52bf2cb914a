"""x264's own process lost mid-recording in the window's Studio (x264_apart, its default): another takes over and
the recording goes on (tests/test_media_x264_restart.py); the Studio says so on its status line, once, in the
window's words, and the Record button still says Stop. A real child killed with kill -9 on the real Qt loop."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from classroom_console.media import RecordingResult, RecordingStats
from classroom_console.media.encoder import LOSSES_TO_END, LostReason, StopReason
from tests.qt_helpers import run, wait_for
from tests.test_media_x264_apart import _helpers
from tests.test_ui_studio import add, russian, studio_workspace
from ui.reasons import encoder_restart_text

__all__ = ["russian"]  # the fixture, used by name


def test_a_replaced_encoder_process_is_a_notice_and_the_recording_goes_on(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            workspace.resize(1300, 760)
            workspace.show()
            add(workspace, qtbot, "test-pattern", "640x360")
            await wait_for(lambda: workspace.studio is not None and workspace.studio._x264_spare.ready(), within=60,
                           what="the x264 child waiting")
            workspace.toggle_recording()
            await wait_for(lambda: workspace.recording, within=30, what="recording to start")
            await wait_for(lambda: workspace.record_button.text().endswith("00:00:01"), within=30, what="a second")
            (child,) = _helpers()
            os.kill(child, signal.SIGKILL)
            await wait_for(lambda: "was replaced" in workspace.status_label.text() or not workspace.recording,
                           within=60, what="the notice")
            text = workspace.status_label.text()
            assert workspace.recording and "the recording goes on" in text and "x264" not in text, text
            await wait_for(lambda: workspace.record_button.text().endswith("00:00:03"), within=30, what="it goes on")
            workspace.toggle_recording()
            await wait_for(lambda: "Saved" in workspace.status_label.text(), within=60, what="the recording saved")

    run(qloop, scenario())


def test_a_recording_ended_by_children_lost_again_and_again_says_so(
    qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path
) -> None:
    """The third loss within minutes ends it (tests/test_media_x264_restart.py makes one): not 'a new recording can
    start at once', as after a single loss that no other child could take over."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            ended = RecordingResult("r1", tmp_path / "lecture.mp4", 95.0, 1_000_000, "", StopReason.ENCODER_LOST,
                                    "x264's process ended (exit status -9); 3 of x264's processes lost within 300 s",
                                    RecordingStats(frames=95 * 30), lost_reason=LostReason.AGAIN)
            workspace._stopped(ended)
            text = workspace.status_label.text()
            assert f"lost {LOSSES_TO_END} times within 5 minutes" in text and "lecture.mp4" in text, text
            assert "at once" not in text and "x264" not in text, text

    run(qloop, scenario())


@pytest.mark.parametrize(("reason", "said"), [(LostReason.ENDED, "завершился"),
                                              (LostReason.NOT_ANSWERING, "перестал отвечать")])
def test_the_notice_is_in_the_windows_language(qapp: QCoreApplication, russian: None, reason: str, said: str) -> None:
    text = encoder_restart_text(reason, "00:41:07", 0.4)
    assert said in text and "00:41:07" in text and "около 1 с" in text and "запись продолжается" in text, text


def test_a_recording_ended_by_children_lost_again_and_again_says_so_in_russian(
    qtbot: QtBot, qloop: qasync.QEventLoop, russian: None, tmp_path: Path
) -> None:
    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            ended = RecordingResult("r1", tmp_path / "lecture.mp4", 95.0, 1_000_000, "", StopReason.ENCODER_LOST,
                                    "x264's process ended (exit status -9)", RecordingStats(frames=95 * 30),
                                    lost_reason=LostReason.AGAIN)
            workspace._stopped(ended)
            text = workspace.status_label.text()
            assert "терялся 3 раза за 5 минут" in text and "lecture.mp4" in text and "95" in text, text

    run(qloop, scenario())
