"""What did not follow a session's end, as codes the command line and the window word in the reader's language.

``SessionDirector.end`` returns English lines for the log ("recording: …", "devices: not all answered within 20 s")
and keeps the devices' refusals with their reason codes (``refused_at_end``). Here each line becomes a code, the
device or the figure it names, and its English detail, which a reader sees only with --verbose or after "Details:".
A session can also end with its end unwritten (``Room.end_session`` lets it go before the log writes its end): the
error is read for its code (``EndUnlogged``), so the window says a full disk, a closed log or a failure as each is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from classroom_console.store.errors import StoreClosedError, StoreError
from classroom_console.store.problem import StoreProblem, problem_of

if TYPE_CHECKING:
    from classroom_console.room import Room
    from classroom_console.room_devices import DeviceCommandError

log = logging.getLogger(__name__)


class EndCode:
    DEVICE_REFUSED = "device-refused"  # a device would not turn off (``refused`` holds its reason code)
    DEVICES_TOO_SLOW = "devices-too-slow"  # not every device answered in time (``seconds``)
    RECORDING = "recording-not-stopped"
    TABLETS = "tablets-not-closed"
    OTHER = "failed"
    # The session ended but the log did not write its end (EndUnlogged): why.
    LOG_UNWRITABLE = "log-unwritable"  # the disk or the folder (``problem`` says which, and where)
    LOG_CLOSED = "log-closed"  # the log was closing (the console quitting) as the session ended


@dataclass(frozen=True, slots=True)
class EndProblem:
    code: str
    detail: str  # the director's own line: English, technical
    refused: DeviceCommandError | None = None
    seconds: float = 0.0


_TOO_SLOW = re.compile(r"devices: not all answered within (\d+(?:\.\d+)?) s")
_PARTS = (("recording: ", EndCode.RECORDING), ("tablets: ", EndCode.TABLETS))


def end_problems(refused: Sequence[DeviceCommandError], lines: Sequence[str]) -> list[EndProblem]:
    """``SessionDirector.end``'s lines, in their order, each with its code."""
    devices = {str(f): f for f in refused}
    problems = []
    for line in lines:
        slow = _TOO_SLOW.fullmatch(line)
        if line in devices:
            problems.append(EndProblem(EndCode.DEVICE_REFUSED, line, devices[line]))
        elif slow:
            problems.append(EndProblem(EndCode.DEVICES_TOO_SLOW, line, seconds=float(slow.group(1))))
        else:
            code = next((c for prefix, c in _PARTS if line.startswith(prefix)), EndCode.OTHER)
            problems.append(EndProblem(code, line))
    return problems


@dataclass(frozen=True, slots=True)
class EndUnlogged:
    """The session ended (the room is free for the next) but its end is not in the log; the console marks it
    interrupted at its next start. ``code`` is EndCode.LOG_UNWRITABLE, LOG_CLOSED or OTHER (anything else: a bug)."""

    code: str
    detail: str  # English, technical
    problem: StoreProblem | None = None  # LOG_UNWRITABLE: the store's reason and folder


def unlogged(exc: BaseException, db_path: Path) -> EndUnlogged:
    """What an error raised after the session let go says about its end."""
    if isinstance(exc, StoreClosedError):
        return EndUnlogged(EndCode.LOG_CLOSED, str(exc))
    problem = problem_of(exc, db_path) if isinstance(exc, StoreError) else None
    if problem is not None:
        return EndUnlogged(EndCode.LOG_UNWRITABLE, str(exc), problem)
    return EndUnlogged(EndCode.OTHER, f"{type(exc).__name__}: {exc}")


async def end_told(end: Awaitable[list[str]], room: Room, db_path: Path) -> list[str] | EndUnlogged:
    """``end`` (``SessionDirector.end``): what did not follow, or, when it failed after the session let go, why
    its end is not logged. While the session still runs its error is raised: it did not end, and may be tried
    again."""
    try:
        return await end
    except Exception as exc:
        if room.session is not None:
            raise
        log.warning("the session ended, but its end was not logged: %s", exc, exc_info=not isinstance(exc, StoreError))
        return unlogged(exc, db_path)
