"""Reason codes and the shipped scenes' names in the command line's words.

The window words them in ui/reasons.py and ui/scene_words.py, through Qt; the CLI cannot import the UI, so its
sentences are here, through ``cli_text.tr`` (Russian in cli_text_ru.py). A code the CLI has no sentence for reads
"Something went wrong" rather than English protocol text: the technical detail stays in the log or --verbose.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from typing import TYPE_CHECKING

from classroom_console.cli_text import tr
from classroom_console.scenes import DEFAULT_NAMES

if TYPE_CHECKING:
    from classroom_console.events import SceneStep
    from classroom_console.room_devices import DeviceCommandError
    from classroom_console.session_end import EndProblem

# Read from devices.driver.Reason's values and scenes_apply.SceneReason's; tests/test_cli_words.py keeps them equal.
_DEVICE_REASONS = {
    "not-checked": "Not checked yet.",
    "no-answer": "Not answering. Check that it is plugged in and on the network.",
    "unreachable": "Cannot connect to it. Check that it is on and on this network.",
    "password-needed": "This device asks for a password.",
    "password-wrong": "The password was not accepted.",
    "garbled": "It answers in a way the console does not understand.",
    "device-fault": "The device reports a fault.",
    "busy": "It cannot do that right now (warming up, cooling down or in standby).",
    "unsupported": "This device has no such function.",
    "bad-value": "The device does not accept that value.",
    "not-ready": "The console has not reached this device yet.",
}
_SCENE_REASONS = {
    "scene-no-source": "Nothing to record: add a source in the Studio or connect a camera.",
    "scene-no-destination": "No live destination is set up: add one in the Studio.",
    "scene-not-available": "Not available in this console.",
    "scene-warm-up-timeout": "It was asked to turn on but did not come on in time.",
    "scene-failed": "Something went wrong; the details are in the log.",
    "scene-not-this-rooms": "Not chosen as this room's device: scenes leave it alone.",
}


# devices.driver.ID_CONFLICT: two live addresses claim one device's id (one may be a laptop copying it)
_ID_CONFLICT = "Another device on this network claims to be this one: check the room's network."
_ID_CONFLICT_AT = "Another device at {address} claims to be this one: check the room's network."


def reason_text(reason: str, claimed_by: str = "") -> str:
    """Why a device or a scene's part did not follow: one plain sentence for its code. ``claimed_by``: the other
    address an id conflict names (``state["id_conflict"]``)."""
    from devices.driver import ID_CONFLICT  # here: devices.driver costs every command ~9 ms to import

    if reason == ID_CONFLICT:
        return tr(_ID_CONFLICT_AT).format(address=claimed_by) if claimed_by else tr(_ID_CONFLICT)
    sentence = _DEVICE_REASONS.get(reason) or _SCENE_REASONS.get(reason)
    return tr(sentence) if sentence else tr("Something went wrong.")


def with_detail(sentence: str, detail: str, verbose: bool) -> str:
    """The sentence, and the device's own words after it only when the user asked for them (--verbose)."""
    return f"{sentence} ({detail})" if verbose and detail else sentence


def words_for_codes() -> dict[str, str]:
    """Every code this module words, with its English sentence (for the test that keeps them complete)."""
    from devices.driver import ID_CONFLICT

    return {**_DEVICE_REASONS, **_SCENE_REASONS, ID_CONFLICT: _ID_CONFLICT}


def id_conflict_sentences() -> list[str]:
    return [_ID_CONFLICT, _ID_CONFLICT_AT]


def scene_name(name: str, builtin: bool = True) -> str:
    """The four scenes that ship in the user's language; a lecturer's own keep their name."""
    return tr(name) if builtin and name in DEFAULT_NAMES else name


def _target(step: SceneStep) -> str:
    parts = {"recording": tr("Recording"), "streaming": tr("Live stream"), "tablets": tr("Tablets")}
    return parts.get(step.target, step.name)


def _failed(step: str) -> str:
    words = {"power": tr("Power failed"), "warm-up": tr("Did not come on"), "input": tr("Input failed"),
             "blank": tr("Picture failed"), "preset": tr("Preset failed")}
    return words.get(step, tr("Failed"))


def failure_line(step: SceneStep) -> str:
    """ "Projector 2: Power failed. The device reports a fault." (the detail stays in the session log)."""
    return tr("{who}: {what}.").format(who=_target(step), what=_failed(step.step)) + " " + reason_text(step.reason)


# The words a device's plain state and kind are made of (devices.model, devices/pjlink/plain_state.py); anything
# else (an input's name, a URL) is the device's own and stays as it is.
_STATE_WORDS = frozenset({
    "online", "offline", "auth_failed", "fault", "unknown", "on", "off", "warming", "cooling",
    "projector", "display", "board", "camera", "microphone", "tablet",
    "fan", "lamp", "temperature", "cover", "filter", "other", "error", "warning",
})


def state_word(value: str) -> str:
    """A state's or kind's code ("warming", "board") in the user's words."""
    return tr(value) if value in _STATE_WORDS else value


def state_words() -> frozenset[str]:
    return _STATE_WORDS


# The keys of a projector's plain state (devices/pjlink/plain_state.py) as `device status` labels them; other
# families' keys stay as they are (--json gives them all, for scripts).
_STATE_KEYS = frozenset({
    "power", "input", "input_name", "inputs", "video_mute", "audio_mute", "lamp_hours", "errors", "manufacturer",
    "product", "info", "serial_number", "software_version", "filter_hours", "class", "resolution", "failed",
    "unavailable",
})


def state_label(key: str) -> str:
    """A state key ("lamp_hours") as a status line labels it in the user's language."""
    return tr(key) if key in _STATE_KEYS else key


def state_keys() -> frozenset[str]:
    return _STATE_KEYS


def command_text(name: str, value: object) -> str:
    """What the user asked a device for, in their words ("turn on", "recall preset 2"), not its log label."""
    if name == "power":
        return tr("turn on") if value else tr("turn off")
    if name == "input":
        return tr("switch input to {input}").format(input=value)
    if name == "blank":
        return tr("blank the picture") if value else tr("show the picture")
    if name == "ptz-goto":
        return tr("aim the camera")
    if name == "ptz-home":
        return tr("turn the camera home")
    if name == "preset-store":
        return tr("save preset {n}").format(n=value)
    if name == "preset-recall":
        return tr("recall preset {n}").format(n=value)
    return name


def refusal(exc: DeviceCommandError, verbose: bool = False) -> str:
    """A refused command in the user's words by its reason code; the device's own words only with --verbose."""
    return with_detail(tr("could not {what}. {why}").format(
        what=command_text(exc.command.name, exc.command.value), why=reason_text(exc.reason)), exc.detail, verbose)


# session_end.EndCode's codes; a device that would not turn off is said as `device` says a refusal.
_END_PROBLEMS = {
    "devices-too-slow": "not every device answered within {seconds:.0f} s: check that the room is off",
    "recording-not-stopped": "the recording did not stop cleanly; the details are in the log",
    "tablets-not-closed": "the tablets could not all be told that the session ended",
    "failed": "something did not end cleanly; the details are in the log",
}


def end_problem_line(problem: EndProblem, verbose: bool = False) -> str:
    """One thing that did not follow the session's end, in the user's words (the director's line with -v)."""
    if problem.refused is not None:
        return f"{problem.refused.device_name}: {refusal(problem.refused, verbose)}"
    sentence = _END_PROBLEMS.get(problem.code, _END_PROBLEMS["failed"])
    return with_detail(tr(sentence).format(seconds=problem.seconds), problem.detail, verbose)


def end_problem_sentences() -> dict[str, str]:
    return dict(_END_PROBLEMS)


_BIND_PROBLEMS = {
    errno.EADDRINUSE: "another program uses that port",
    errno.EADDRNOTAVAIL: "this PC has no such address",
    errno.EACCES: "this user may not listen on that port (ports below 1024 need the administrator)",
}


def bind_problem(exc: OSError, verbose: bool = False) -> str:
    """Why a server could not listen, in words by its errno (the system's English words only with -v)."""
    sentence = _BIND_PROBLEMS.get(exc.errno or 0)
    return with_detail(tr(sentence) if sentence else tr("Something went wrong."), str(exc), verbose)


def bind_sentences() -> list[str]:
    return list(_BIND_PROBLEMS.values())


@contextlib.contextmanager
def refused_as(sentence: str, value: str, verbose: bool = False) -> Iterator[None]:
    """A value a lower layer refuses with an English ValueError (for its log), said as the option's own sentence
    (``{value}`` in it); the English with --verbose. ``stream`` uses it for --size, --layout and --source."""
    try:
        yield
    except ValueError as exc:
        raise ValueError(with_detail(sentence.format(value=value), str(exc), verbose)) from exc
