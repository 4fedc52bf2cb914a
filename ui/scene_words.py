"""A scene's names, steps and reason codes in the user's language (the core speaks codes and English names)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from classroom_console.events import SceneStep
from classroom_console.scenes_apply import SceneReason
from devices.driver import Reason
from ui.reasons import reason_text


def scene_name(name: str, builtin: bool = True) -> str:
    """The four scenes that ship are shown in the UI's language; a lecturer's own keep their name."""
    shipped = {
        "Lecture": QCoreApplication.translate("Scenes", "Lecture"),
        "Discussion": QCoreApplication.translate("Scenes", "Discussion"),
        "Group work": QCoreApplication.translate("Scenes", "Group work"),
        "Recording only": QCoreApplication.translate("Scenes", "Recording only"),
    }
    return shipped.get(name, name) if builtin else name


def target_name(step: SceneStep) -> str:
    """Who a step is about: the device's own name, or the studio's and tablets' parts in words."""
    parts = {
        "recording": QCoreApplication.translate("Scenes", "Recording"),
        "streaming": QCoreApplication.translate("Scenes", "Live stream"),
        "tablets": QCoreApplication.translate("Scenes", "Tablets"),
    }
    return parts.get(step.target, step.name)


def _working(step: str) -> str:
    words = {
        "power": QCoreApplication.translate("Scenes", "Switching power…"),
        "input": QCoreApplication.translate("Scenes", "Switching input…"),
        "blank": QCoreApplication.translate("Scenes", "Setting the picture…"),
        "preset": QCoreApplication.translate("Scenes", "Moving to the preset…"),
        "recording": QCoreApplication.translate("Scenes", "Starting…"),
        "streaming": QCoreApplication.translate("Scenes", "Starting…"),
        "tablets": QCoreApplication.translate("Scenes", "Opening…"),
    }
    return words.get(step, QCoreApplication.translate("Scenes", "Working…"))


def _failed(step: str) -> str:
    words = {
        "power": QCoreApplication.translate("Scenes", "Power failed"),
        "warm-up": QCoreApplication.translate("Scenes", "Did not come on"),
        "input": QCoreApplication.translate("Scenes", "Input failed"),
        "blank": QCoreApplication.translate("Scenes", "Picture failed"),
        "preset": QCoreApplication.translate("Scenes", "Preset failed"),
    }
    return words.get(step, QCoreApplication.translate("Scenes", "Failed"))


def status_text(step: SceneStep) -> str:
    """ "Warming up…", "Switching input…", "Done", "Power failed" — short, for a chip."""
    if step.status == "done":
        return QCoreApplication.translate("Scenes", "Done")
    if step.status == "skipped" and step.reason == SceneReason.NOT_THIS_ROOMS:
        return QCoreApplication.translate("Scenes", "Left alone: not this room's")
    if step.status == "skipped":
        return QCoreApplication.translate("Scenes", "Skipped")
    if step.status == "waiting":
        return QCoreApplication.translate("Scenes", "Warming up…")
    if step.status == "failed":
        return _failed(step.step)
    return _working(step.step)


def why_text(step: SceneStep) -> str:
    """Why a part did not follow, one plain sentence (device reasons come from ui/reasons.py)."""
    own = {
        SceneReason.NO_SOURCE: QCoreApplication.translate(
            "Scenes", "Nothing to record: add a source in the Studio or connect a camera."),
        SceneReason.NO_DESTINATION: QCoreApplication.translate(
            "Scenes", "No live destination is set up: add one in the Studio."),
        SceneReason.NOT_AVAILABLE: QCoreApplication.translate("Scenes", "Not available in this console."),
        SceneReason.WARM_UP_TIMEOUT: QCoreApplication.translate(
            "Scenes", "It was asked to turn on but did not come on in time."),
        SceneReason.FAILED: QCoreApplication.translate(
            "Scenes", "Something went wrong; the details are in the log."),
        SceneReason.NOT_THIS_ROOMS: QCoreApplication.translate(
            "Scenes", "Not chosen as this room's device: scenes leave it alone."),
    }
    if step.reason in own:
        return own[step.reason]
    if step.reason in {r.value for r in Reason}:
        return reason_text(step.reason)
    return own[SceneReason.FAILED]


def failure_line(step: SceneStep) -> str:
    """ "Projector 2: Power failed. The device reports a fault." """
    return (QCoreApplication.translate("Scenes", "%1: %2.").replace("%1", target_name(step))
            .replace("%2", status_text(step)) + " " + why_text(step))
