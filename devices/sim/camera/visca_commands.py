"""What a VISCA message does to the simulated head: the camera's side of the command list.

A command body (between ``8x`` and ``FF``) becomes an Outcome: an error byte (syntax, not executable),
the data of an inquiry, or a command done now or once the named axes have arrived.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices.sim.camera.head import AXES, SimulatedHead
from devices.visca.commands import to_nibbles
from devices.visca.replies import signed16
from devices.visca.units import ViscaRanges

SOCKETS = (1, 2)
VERSION = bytes([0x0C, 0x0C, 0x00, 0x01, 0x01, 0x00, len(SOCKETS)])  # vendor, model, ROM, sockets
SYNTAX, BUFFER_FULL, NOT_EXECUTABLE = 0x02, 0x03, 0x41


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a message did: an error byte, inquiry data, or a command done now / when the head arrives."""

    error: int | None = None
    data: bytes | None = None
    moving: tuple[str, ...] = ()  # the axes whose arrival completes the command



def inquire(head: SimulatedHead, r: ViscaRanges, body: bytes) -> Outcome:
    """An inquiry body (``09 …``) to its reply data, or a syntax error."""
    if body == b"\x09\x04\x00":
        return Outcome(data=b"\x02" if head.powered else b"\x03")
    if body == b"\x09\x00\x02":
        return Outcome(data=VERSION)
    position = head.position()
    if body == b"\x09\x04\x47":
        return Outcome(data=to_nibbles(r.zoom_to_visca(position.zoom)))
    if body == b"\x09\x06\x12":
        return Outcome(data=to_nibbles(r.pan_to_visca(position.pan)) + to_nibbles(r.tilt_to_visca(position.tilt)))
    return Outcome(error=SYNTAX)


def execute(head: SimulatedHead, r: ViscaRanges, body: bytes) -> Outcome:
    """Run a command body (``01 …``) on the head; in standby only power is executable."""
    if body[:3] == b"\x01\x04\x00" and len(body) == 4 and body[3] in (0x02, 0x03):
        head.set_power(body[3] == 0x02)
        return Outcome()
    parsed = _parse_command(body, r)
    if parsed is None:
        return Outcome(error=SYNTAX)
    if not head.powered:
        return Outcome(error=NOT_EXECUTABLE)
    return parsed(head)


Action = Callable[[SimulatedHead], Outcome]


def _parse_command(body: bytes, r: ViscaRanges) -> Action | None:
    """A command body (after 8x, before FF) to what it does to the head; None is a syntax error."""
    if body[:1] != b"\x01" or len(body) < 3:
        return None
    group, op, args = body[1], body[2], body[3:]
    if (group, op) == (0x04, 0x07) and len(args) == 1:
        return _zoom_drive(args[0], r)
    if (group, op) == (0x04, 0x47) and len(args) == 4 and max(args) <= 0x0F:
        zoom = r.zoom_from_visca(_nibbles(args))
        return _then(lambda h: h.go_to_axes(1.0, zoom=zoom), ("zoom",))
    if (group, op) == (0x04, 0x3F) and len(args) == 2 and args[0] <= 2:
        return _memory(args[0], args[1])
    if (group, op) == (0x06, 0x01) and len(args) == 4:
        return _pan_tilt_drive(args, r)
    if (group, op) == (0x06, 0x02) and len(args) == 10 and max(args[2:]) <= 0x0F:
        vv, ww = args[0], args[1]
        if not (1 <= vv <= r.pan_speed_max and 1 <= ww <= r.tilt_speed_max):
            return None
        pan = r.pan_from_visca(signed16(_nibbles(args[2:6])))
        tilt = r.tilt_from_visca(signed16(_nibbles(args[6:10])))
        speed = max(r.pan_speed_fraction(vv), r.tilt_speed_fraction(ww))
        return _then(lambda h: h.go_to_axes(speed, pan=pan, tilt=tilt), ("pan", "tilt"))
    if group == 0x06 and op in (0x04, 0x05) and not args:
        return _then(SimulatedHead.home, AXES)
    return None


def _then(run: Callable[[SimulatedHead], object], moving: tuple[str, ...] = ()) -> Action:
    def action(head: SimulatedHead) -> Outcome:
        run(head)
        return Outcome(moving=moving)

    return action


def _zoom_drive(arg: int, r: ViscaRanges) -> Action | None:
    if arg == 0x00:
        speed = 0.0
    elif arg in (0x02, 0x03):
        speed = 0.5 if arg == 0x02 else -0.5
    elif arg >> 4 in (0x2, 0x3) and arg & 0x0F <= r.zoom_speed_max:
        fraction = ((arg & 0x0F) + 1) / (r.zoom_speed_max + 1)
        speed = fraction if arg >> 4 == 0x2 else -fraction
    else:
        return None
    return _then(lambda h: h.drive_axes(zoom=speed))


def _pan_tilt_drive(args: bytes, r: ViscaRanges) -> Action | None:
    vv, ww, p, q = args
    if not (1 <= vv <= r.pan_speed_max and 1 <= ww <= r.tilt_speed_max and p in (1, 2, 3) and q in (1, 2, 3)):
        return None
    pan = {1: -1.0, 2: 1.0, 3: 0.0}[p] * r.pan_speed_fraction(vv)
    tilt = {1: 1.0, 2: -1.0, 3: 0.0}[q] * r.tilt_speed_fraction(ww)
    return _then(lambda h: h.drive_axes(pan=pan, tilt=tilt))


def _memory(action: int, number: int) -> Action:
    def run(h: SimulatedHead) -> Outcome:
        if action == 0:
            h.forget_preset(number)
        elif action == 1:
            h.store_preset(number)
        elif not h.recall_preset(number):
            return Outcome(error=NOT_EXECUTABLE)
        else:
            return Outcome(moving=AXES)
        return Outcome()

    return run


def _nibbles(data: bytes) -> int:
    value = 0
    for byte in data:
        value = value << 4 | byte
    return value
