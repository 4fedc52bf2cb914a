"""A scene's names, steps and reason codes in the user's language (the core speaks codes and English names)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from classroom_console.events import SceneStep
from classroom_console.scenes_apply import SceneReason
from devices.driver import Reason
from ui.reasons import reason_text


def _tr(text: str) -> str:
    return QCoreApplication.translate("Scenes", text)


def scene_name(name: str, builtin: bool = True) -> str:
    """The four scenes that ship are shown in the UI's language; a lecturer's own keep their name."""
    shipped = {
        "Lecture": _tr("Lecture"),
        "Discussion": _tr("Discussion"),
        "Group work": _tr("Group work"),
        "Recording only": _tr("Recording only"),
    }
    return shipped.get(name, name) if builtin else name


def target_name(step: SceneStep) -> str:
    """Who a step is about: the device's own name, or the studio's and tablets' parts in words."""
    parts = {"recording": _tr("Recording"), "streaming": _tr("Live stream"), "tablets": _tr("Tablets")}
    return parts.get(step.target, step.name)


def status_text(step: SceneStep) -> str:
    """ "Warming up…", "Switching input…", "Done", "Could not turn on" — short, for a chip."""
    if step.status == "done":
        return _tr("Done")
    if step.status == "skipped":
        return _tr("Skipped")
    if step.status == "waiting":
        return _tr("Warming up…")
    working = {
        "power": _tr("Switching power…"),
        "input": _tr("Switching input…"),
        "blank": _tr("Setting the picture…"),
        "preset": _tr("Moving to the preset…"),
        "recording": _tr("Starting…"),
        "streaming": _tr("Starting…"),
        "tablets": _tr("Opening…"),
    }
    failed = {
        "power": _tr("Power failed"),
        "warm-up": _tr("Did not come on"),
        "input": _tr("Input failed"),
        "blank": _tr("Picture failed"),
        "preset": _tr("Preset failed"),
        "recording": _tr("Failed"),
        "streaming": _tr("Failed"),
        "tablets": _tr("Failed"),
    }
    if step.status == "failed":
        return failed.get(step.step, _tr("Failed"))
    return working.get(step.step, _tr("Working…"))


def why_text(step: SceneStep) -> str:
    """Why a part did not follow, one plain sentence (device reasons come from ui/reasons.py)."""
    own = {
        SceneReason.NO_SOURCE: _tr("Nothing to record: add a source in the Studio or connect a camera."),
        SceneReason.NO_DESTINATION: _tr("No live destination is set up: add one in the Studio."),
        SceneReason.NOT_AVAILABLE: _tr("Not available in this console."),
        SceneReason.WARM_UP_TIMEOUT: _tr("It was asked to turn on but did not come on in time."),
        SceneReason.FAILED: _tr("Something went wrong; the details are in the log."),
    }
    if step.reason in own:
        return own[step.reason]
    if step.reason in {r.value for r in Reason}:
        return reason_text(step.reason)
    return own[SceneReason.FAILED]


def failure_line(step: SceneStep) -> str:
    """ "Projector 2: Power failed. The device reports a fault." """
    return (_tr("%1: %2.").replace("%1", target_name(step)).replace("%2", status_text(step))
            + " " + why_text(step))
