"""What did not follow a session's end, as codes the command line and the window word in the reader's language.

``SessionDirector.end`` returns English lines for the log ("recording: …", "devices: not all answered within 20 s")
and keeps the devices' refusals with their reason codes (``refused_at_end``). Here each line becomes a code, the
device or the figure it names, and its English detail, which a reader sees only with --verbose or after "Details:".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from classroom_console.room_devices import DeviceCommandError


class EndCode:
    DEVICE_REFUSED = "device-refused"  # a device would not turn off (``refused`` holds its reason code)
    DEVICES_TOO_SLOW = "devices-too-slow"  # not every device answered in time (``seconds``)
    RECORDING = "recording-not-stopped"
    TABLETS = "tablets-not-closed"
    OTHER = "failed"


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
