"""The core reports reason codes; here they become sentences in the user's language.

Every code a driver or the room can produce has a sentence, so no English protocol text reaches a
Russian window; the technical detail stays in the log and behind a Details view.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject

from classroom_console.events import ErrorCode
from classroom_console.media.encoder import LostReason
from classroom_console.room_devices import DeviceCommandError
from classroom_console.session_end import EndCode, EndProblem, EndUnlogged
from classroom_console.store.problem import StoreProblem, StoreReason
from devices.driver import ID_CONFLICT, Reason
from ui.widgets import plain_tip


def reason_text(reason: str, claimed_by: str = "") -> str:
    """Why a device is offline, locked or faulty, or why a command failed: one plain sentence. ``claimed_by``: the
    other address an id conflict names (``state["id_conflict"]``)."""
    if reason == ID_CONFLICT:
        if claimed_by:
            return QCoreApplication.translate(
                "Reasons", "Another device at %1 claims to be this one: check the room's network.").replace(
                "%1", claimed_by)
        return QCoreApplication.translate(
            "Reasons", "Another device on this network claims to be this one: check the room's network.")
    sentences = {
        Reason.NOT_CHECKED: QCoreApplication.translate("Reasons", "Not checked yet."),
        Reason.NO_ANSWER: QCoreApplication.translate(
            "Reasons", "Not answering. Check that it is plugged in and on the network."
        ),
        Reason.UNREACHABLE: QCoreApplication.translate(
            "Reasons", "Cannot connect to it. Check that it is on and on this network."
        ),
        Reason.PASSWORD_NEEDED: QCoreApplication.translate("Reasons", "This device asks for a password."),
        Reason.PASSWORD_WRONG: QCoreApplication.translate("Reasons", "The password was not accepted."),
        Reason.GARBLED: QCoreApplication.translate("Reasons", "It answers in a way the console does not understand."),
        Reason.DEVICE_FAULT: QCoreApplication.translate("Reasons", "The device reports a fault."),
        Reason.BUSY: QCoreApplication.translate(
            "Reasons", "It cannot do that right now (warming up, cooling down or in standby)."
        ),
        Reason.UNSUPPORTED: QCoreApplication.translate("Reasons", "This device has no such function."),
        Reason.BAD_VALUE: QCoreApplication.translate("Reasons", "The device does not accept that value."),
        Reason.NOT_READY: QCoreApplication.translate("Reasons", "The console has not reached this device yet."),
    }
    try:
        return sentences[Reason(reason)]
    except (KeyError, ValueError):
        return QCoreApplication.translate("Reasons", "Something went wrong.")


def command_text(name: str, value: object) -> str:
    """What the user asked for, in their words: "turn on", "switch input"."""
    if name == "power":
        return (
            QCoreApplication.translate("Reasons", "turn on")
            if value
            else QCoreApplication.translate("Reasons", "turn off")
        )
    if name == "input":
        return QCoreApplication.translate("Reasons", "switch input")
    if name == "blank":
        return (
            QCoreApplication.translate("Reasons", "blank the picture")
            if value
            else QCoreApplication.translate("Reasons", "show the picture")
        )
    if name == "freeze":
        return (
            QCoreApplication.translate("Reasons", "freeze the picture")
            if value
            else QCoreApplication.translate("Reasons", "unfreeze the picture")
        )
    return name


def failure_text(error: DeviceCommandError) -> str:
    """ "Projector 1: could not turn off. It cannot do that right now (…)"."""
    return (
        QCoreApplication.translate("Reasons", "%1: could not %2.")
        .replace("%1", error.device_name)
        .replace("%2", command_text(error.command.name, error.command.value))
        + " "
        + reason_text(error.reason)
    )


def error_text(code: str, who: str) -> str:
    """A room's error event in plain words; ``who`` is the device's name where a device is meant."""
    if code == ErrorCode.DISCOVERY_FAILED:
        return QCoreApplication.translate("Reasons", "Looking for devices failed; the console will try again.")
    if code in (ErrorCode.STORE_UNAVAILABLE, ErrorCode.STORE_WRITE_FAILED):
        return QCoreApplication.translate(
            "Reasons", "There is a problem with the session log on this PC: sessions may not be saved."
        )
    if code == ErrorCode.RECORDING_STOPPED:
        return QCoreApplication.translate("Reasons", "The recording stopped; what was recorded is kept.")
    if code == ErrorCode.DEVICE_COMMAND_FAILED:
        return QCoreApplication.translate("Reasons", "%1 did not follow a command.").replace("%1", who)
    return QCoreApplication.translate("Reasons", "Something went wrong.")


def encoder_restart_text(reason: str, at: str, gap_s: float) -> str:
    """The Studio's notice that x264's own process was lost mid-recording and another took over (the core's
    ``media.encoder.EncoderRestart``): the recording goes on, with a gap of about ``gap_s`` from ``at``."""
    if reason == LostReason.NOT_ANSWERING:
        sentence = QCoreApplication.translate(
            "Reasons", "At %1 the encoder's process stopped answering and was replaced: the recording goes on, "
            "about %2 s are missing from it.")
    else:
        sentence = QCoreApplication.translate(
            "Reasons", "At %1 the encoder's process ended and was replaced: the recording goes on, about %2 s are "
            "missing from it.")
    return sentence.replace("%1", at).replace("%2", f"{max(1, round(gap_s))}")


def store_problem_text(problem: StoreProblem) -> str:
    """What is wrong with the session log and where (store.problem.StoreReason), for the status bar and its dialog."""
    sentences = {
        StoreReason.READ_ONLY: QCoreApplication.translate(
            "Reasons", "The data folder %1 is read-only: sessions are not being saved. Make it writable, or start "
            "the console with another folder (--data-dir)."),
        StoreReason.DISK_FULL: QCoreApplication.translate(
            "Reasons", "The disk holding %1 is full: sessions are not being saved. Free some space (old "
            "recordings?)."),
        StoreReason.IO_ERROR: QCoreApplication.translate(
            "Reasons", "The disk holding %1 failed to read or write: sessions may not be saved."),
        StoreReason.CANNOT_OPEN: QCoreApplication.translate(
            "Reasons", "The session log in %1 cannot be opened: sessions are not being saved."),
        StoreReason.TOO_NEW: QCoreApplication.translate(
            "Reasons", "The session log in %1 was written by a newer Classroom Console: update this one. Sessions "
            "are not being saved; the file was left untouched."),
        StoreReason.DAMAGED: QCoreApplication.translate(
            "Reasons", "The session log in %1 was damaged. It was moved to %2 and kept, and a new one started; "
            "nothing was deleted."),
        StoreReason.NOT_A_FOLDER: QCoreApplication.translate(
            "Reasons", "The data folder %1 is a file, not a folder: sessions are not being saved. Start the console "
            "with another folder (--data-dir)."),
        StoreReason.NOT_ALLOWED: QCoreApplication.translate(
            "Reasons", "This user may not write to the data folder %1: sessions are not being saved. Change its "
            "permissions, or start the console with another folder (--data-dir)."),
    }
    part = problem.part
    if part is not None and part != problem.folder and problem.reason in _PART_REASONS:
        return _part_text(problem.reason).replace("%2", str(part)).replace("%1", str(problem.folder))
    sentence = sentences.get(problem.reason) or QCoreApplication.translate(
        "Reasons", "There is a problem with the session log in %1: sessions may not be saved.")
    if problem.reason == StoreReason.DAMAGED:
        sentence = _damaged_text(problem)
    return sentence.replace("%2", str(problem.moved_to)).replace("%1", str(problem.folder))


class Reasons(QObject):
    """Sentences with a count, in the "Reasons" context: Qt's plural forms ("1 занятие", "2 занятия", "5 занятий")
    come only with ``tr`` (lupdate takes no plurals from ``QCoreApplication.translate``)."""

    def damaged_saved(self, saved: int) -> str:
        return self.tr("The session log in %1 was damaged. It was moved to %2 and kept; a new one was started with "
                       "the %n session(s) that could be read from it. Nothing was deleted.", "", saved)

    def damaged_lost(self, lost: int) -> str:
        return self.tr("%n session(s) in it could not be read.", "", lost)


def _damaged_text(problem: StoreProblem) -> str:
    """What was saved from a damaged log: "a new one started" alone read as the term's sessions gone, where the
    salvage had carried them over (the command line said how many; the window did not)."""
    saved, lost = problem.saved_sessions, problem.lost_sessions
    counted = Reasons()
    if saved:
        sentence = counted.damaged_saved(saved)
    else:
        sentence = QCoreApplication.translate(
            "Reasons", "The session log in %1 was damaged. It was moved to %2 and kept, and a new one started; "
            "nothing was deleted.")
    if lost:
        sentence += " " + counted.damaged_lost(lost)
    return sentence


_PART_REASONS = (StoreReason.READ_ONLY, StoreReason.NOT_A_FOLDER, StoreReason.NOT_ALLOWED)


def _part_text(reason: str) -> str:
    """The same where the part of the path that is wrong (%2) is not the data folder (%1) itself: a folder above it
    read-only or closed to this user, a file in the path (it said the disk failed), the log itself not writable."""
    if reason == StoreReason.READ_ONLY:
        return QCoreApplication.translate(
            "Reasons", "%2 is read-only: the data folder %1 cannot be made there, so sessions are not being saved. "
            "Make it writable, or start the console with another folder (--data-dir).")
    if reason == StoreReason.NOT_A_FOLDER:
        return QCoreApplication.translate(
            "Reasons", "%2 is a file, not a folder: the data folder %1 cannot be made in it, so sessions are not "
            "being saved. Start the console with another folder (--data-dir).")
    return QCoreApplication.translate(
        "Reasons", "This user may not write to %2, so sessions cannot be saved in %1. Change its permissions, or "
        "start the console with another folder (--data-dir).")


def problem_text(component: str, level: str) -> str:
    """ERST in plain words: 'Lamp: replace soon', 'Fan: fault'."""
    part = {
        "fan": QCoreApplication.translate("DeviceCard", "Fan"),
        "lamp": QCoreApplication.translate("DeviceCard", "Lamp"),
        "temperature": QCoreApplication.translate("DeviceCard", "Temperature"),
        "cover": QCoreApplication.translate("DeviceCard", "Cover open"),
        "filter": QCoreApplication.translate("DeviceCard", "Filter"),
        "other": QCoreApplication.translate("DeviceCard", "Other"),
        "ptz": QCoreApplication.translate("DeviceCard", "Camera movement (PTZ)"),
        "picture": QCoreApplication.translate("DeviceCard", "Picture"),
    }.get(component, component)
    if level == "error":
        return QCoreApplication.translate("DeviceCard", "%1: fault").replace("%1", part)
    return QCoreApplication.translate("DeviceCard", "%1: needs attention soon").replace("%1", part)


def poll_problem_text(reason: str, value: str | int = "") -> str:
    """Why a poll cannot be asked as given (tablets.activities.PollProblem), for the lecturer's form."""
    sentences = {
        "question-empty": QCoreApplication.translate("Reasons", "Type the question first."),
        "open-has-options": QCoreApplication.translate("Reasons", "An open question has no options."),
        "too-few-options": QCoreApplication.translate("Reasons", "Give at least two options, one per line."),
        "too-many-options": QCoreApplication.translate("Reasons", "A poll has at most %1 options."),
        "option-empty": QCoreApplication.translate("Reasons", "An option is empty."),
        "same-options": QCoreApplication.translate("Reasons", "Two options are the same."),
        "correct-not-an-option": QCoreApplication.translate(
            "Reasons", "The right answer \u201c%1\u201d is not one of the options."),
        "one-correct-only": QCoreApplication.translate(
            "Reasons", "A single-choice quiz has one right answer: mark only one with *."),
    }
    return sentences.get(reason, QCoreApplication.translate("Reasons", "Something went wrong.")).replace(
        "%1", str(value))


def end_problem_text(problem: EndProblem) -> str:
    """One thing that did not follow the session's end (session_end.EndCode), in the window's words."""
    if problem.refused is not None:
        return failure_text(problem.refused)
    if problem.code == EndCode.DEVICES_TOO_SLOW:
        return QCoreApplication.translate(
            "Reasons", "Not every device answered within %1 s: check that the room is off.").replace(
            "%1", f"{problem.seconds:.0f}")
    if problem.code == EndCode.RECORDING:
        return QCoreApplication.translate("Reasons", "The recording did not stop cleanly; the details are in the log.")
    if problem.code == EndCode.TABLETS:
        return QCoreApplication.translate("Reasons", "The tablets could not all be told that the session ended.")
    return QCoreApplication.translate("Reasons", "Something did not end cleanly; the details are in the log.")


def unlogged_end_text(unlogged: EndUnlogged) -> tuple[str, str]:
    """A session that ended with its end not logged (session_end.EndUnlogged): one short line by its code, and the
    whole of it (the line, where, what to do) for its tooltip: the line is cut to its room at 1366x768."""
    problem = unlogged.problem
    if unlogged.code == EndCode.LOG_CLOSED:
        line = QCoreApplication.translate("Reasons", "The session ended as the log was closing; its end was not "
                                                     "written.")
        cause = ""
    elif problem is not None and problem.reason == StoreReason.DISK_FULL:
        line = QCoreApplication.translate("Reasons", "The session ended; the disk is full, so the log could not "
                                                     "write its end.")
        cause = store_problem_text(problem)
    elif problem is not None and problem.reason == StoreReason.READ_ONLY:
        line = QCoreApplication.translate("Reasons", "The session ended; the data folder is read-only, so the log "
                                                     "could not write its end.")
        cause = store_problem_text(problem)
    elif problem is not None:
        line = QCoreApplication.translate("Reasons", "The session ended; the log could not write its end.")
        cause = store_problem_text(problem)
    else:  # not the log's disk: a failure the details name
        line = QCoreApplication.translate("Reasons", "The session ended, but something failed as it closed.")
        cause = QCoreApplication.translate("Reasons", "Its end may be missing from the session log.")
    kept = QCoreApplication.translate("Reasons", "What was logged is kept, and the console closes the session at its "
                                                 "next start.")
    return line, with_details([sentence for sentence in (line, cause, kept) if sentence], [unlogged.detail])


def with_details(sentences: list[str], details: list[str]) -> str:
    """A tooltip: the sentences, then the technical words on one "Details:" line, as the Studio shows them; as
    text, whatever a device's name or a reply holds (``widgets.plain_tip``)."""
    lines = list(sentences)
    if details:
        lines.append(QCoreApplication.translate("Reasons", "Details: %1").replace("%1", "; ".join(details)))
    return plain_tip("\n".join(lines))
