"""x264's own process lost as Stop drains it, in the window's Studio: the recording stops as asked without its last
moments (tests/test_media_x264_drain.py), and the technician reads that under the saved file's name, in the
window's language, worded from the reason code (it was only in the session event and the log). A child stopped
(SIGSTOP) just before Stop holds Stop only for the drain's bound, the window turning meanwhile and saying it is
finishing. Real widgets on the real Qt loop, a real recording, the real child killed or stopped."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from classroom_console.media.encoder import LostReason, _VideoEncoder
from classroom_console.media.x264_apart import DRAIN_SILENT_S, RemoteX264
from tests.qt_helpers import run, wait_for
from tests.test_media_x264_apart import _helpers
from tests.test_ui_studio import MAX_STALL_S, StallMeter, add, russian, studio_workspace
from ui.workspaces.studio import StudioWorkspace

__all__ = ["russian"]  # the fixture, used by name

SAID = {  # the saved file's sentence, and the lost end's, by language
    "en": ("Saved ", "The encoder's process ended as the recording was finishing: less than a second at the end is "
                     "missing."),
    "ru": ("Сохранено: ", "Процесс кодировщика завершился, когда запись заканчивалась: в конце записи не хватает "
                          "меньше секунды."),
}


async def _recording(workspace: StudioWorkspace, qtbot: QtBot) -> None:
    workspace.resize(1300, 760)
    workspace.show()
    add(workspace, qtbot, "test-pattern", "640x360")
    await wait_for(lambda: workspace.studio is not None and workspace.studio._x264_spare.ready(), within=60,
                   what="the x264 child waiting")
    workspace.toggle_recording()
    await wait_for(lambda: workspace.recording, within=30, what="recording to start")
    await wait_for(lambda: workspace.record_button.text().endswith("00:00:02"), within=30, what="two seconds")


def _stopped(workspace: StudioWorkspace) -> bool:
    """Saved, and Stop's own step over too: the recording's watch may say it ended a moment before Stop returns,
    and the button comes back with Stop (CI saw it still greyed in that moment)."""
    studio = workspace.studio
    return (studio is not None and studio.last_result is not None and not workspace._watching
            and not workspace._busy)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_child_killed_in_stops_drain_is_said_under_the_saved_file(
        qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest, lang: str) -> None:
    if lang == "ru":
        request.getfixturevalue("russian")
    flush = _VideoEncoder.flush
    killed: list[int] = []

    def killed_then_flushed(video: _VideoEncoder) -> None:  # the real child, killed where x264's last are asked for
        assert isinstance(video.ctx, RemoteX264)
        process = video.ctx._child.process
        process.kill()
        process.wait(10)
        killed.append(video.encoder._held)
        flush(video)

    monkeypatch.setattr(_VideoEncoder, "flush", killed_then_flushed)

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            await _recording(workspace, qtbot)
            workspace.toggle_recording()
            await wait_for(lambda: _stopped(workspace), within=60, what="the recording saved")
            assert killed and killed[0] > 0, "x264 held no picture at the end: nothing to test"
            studio = workspace.studio
            assert studio is not None and studio.last_result is not None
            lost = studio.last_result.lost_at_end
            assert lost is not None and lost.reason == LostReason.ENDED and lost.seconds < 1.0, lost
            saved, said = SAID[lang]
            first, second = workspace.status_label.text().split("\n")
            assert first.startswith(saved) and studio.last_result.path.name in first, first
            assert second == said, second
            assert "x264" not in second and "exit status" not in second

    run(qloop, scenario())


def test_a_child_stopped_as_stop_is_pressed_holds_stop_only_for_the_drains_bound(
        qtbot: QtBot, qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    """It held Stop 30 s, then a new child encoded the end. Meanwhile the window keeps turning (the drain is the
    encoder thread's, the Stop a coroutine the bridge runs) and says it is finishing."""

    async def scenario() -> None:
        async with studio_workspace(qtbot, tmp_path) as (_core, workspace):
            await _recording(workspace, qtbot)
            (child,) = _helpers()
            os.kill(child, signal.SIGSTOP)
            stalls = StallMeter()
            stalls.start()
            shown: set[str] = set()
            asked = time.monotonic()
            workspace.toggle_recording()

            def saved() -> bool:
                shown.add(workspace.status_label.text())
                return _stopped(workspace)

            await wait_for(saved, within=60, what="the recording saved")
            took = time.monotonic() - asked
            stalls.timer.stop()
            assert took < DRAIN_SILENT_S + 12.0, f"Stop took {took:.1f} s"
            assert any(text.startswith("Finishing the recording") for text in shown), shown
            assert stalls.longest < MAX_STALL_S, f"the GUI thread was blocked for {stalls.longest * 1000:.0f} ms"
            first, second = workspace.status_label.text().split("\n")
            assert first.startswith("Saved "), first
            assert second.startswith("The encoder's process stopped answering as the recording was finishing"), second
            studio = workspace.studio
            assert studio is not None and studio.last_result is not None
            lost = studio.last_result.lost_at_end
            assert lost is not None and lost.reason == LostReason.NOT_ANSWERING, lost
            assert not workspace.recording and workspace.record_button.isEnabled()

    run(qloop, scenario())
