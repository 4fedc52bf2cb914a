"""Which found devices are this room's: what scenes, "All on/off" and the session's end may switch.

A broadcast search finds the neighbours' projectors on the same subnet too; switching every device found turned off
room 203's projector from room 204. ``RoomDevices`` judges each device and writes the judgement into its state
(``ROOM``, ``ROOM_SWITCHED``), so the room's side (scenes, the window, the command line) reads it from the
``DeviceInfo`` it already has, on whatever thread it runs. The lecturer's word is kept in the device's row
(``Store.choose_device``, by uid: it survives a restart and a DHCP move).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from devices.model import DeviceInfo

ROOM = "room"  # in a device's state: its Belonging value
ROOM_SWITCHED = "room_switched"  # in a device's state: scenes, All on/off and the session's end switch it


class Belonging(enum.StrEnum):
    CHOSEN = "chosen"  # the lecturer said it is this room's
    REFUSED = "refused"  # the lecturer said it is not: never switched by a scene, never asked about again
    LIKELY = "likely"  # not said, but the room's by evidence: an address the lecturer listed, a password of its own
    # typed for it, or marked the room's own (``ROOM_KNOWN``): the room's unless refused
    UNDECIDED = "undecided"  # not said, no evidence (a command from its card is none: ``RoomDevices.belonging``)


def judge(said: bool | None, evidence: bool) -> Belonging:
    """The lecturer's word first; without one, the evidence (``RoomDevices.belonging`` says what counts)."""
    if said is not None:
        return Belonging.CHOSEN if said else Belonging.REFUSED
    return Belonging.LIKELY if evidence else Belonging.UNDECIDED


def belonging(device: DeviceInfo) -> Belonging:
    """As ``RoomDevices`` last judged it; a device it never judged (a test's, a script's) is undecided."""
    try:
        return Belonging(str(device.state.get(ROOM, Belonging.UNDECIDED)))
    except ValueError:
        return Belonging.UNDECIDED


def switched(device: DeviceInfo) -> bool:
    """Whether a scene, All on/off or the session's end acts on it. Until the room has chosen (no device said yes or
    no) every device is, as before there was a choice: a fresh install and the demo room keep working."""
    return device.state.get(ROOM_SWITCHED, True) is not False


def answer(device: DeviceInfo) -> bool | None:
    """For scripts (``discover --json``'s "room"): True the room's, False not, None not decided."""
    return answer_of(belonging(device))


def answer_of(judged: Belonging) -> bool | None:
    if judged is Belonging.REFUSED:
        return False
    return True if judged in (Belonging.CHOSEN, Belonging.LIKELY) else None


def undecided(devices: Iterable[DeviceInfo]) -> list[DeviceInfo]:
    """The devices the lecturer is asked about: neither said nor the room's by evidence."""
    return [device for device in devices if belonging(device) is Belonging.UNDECIDED]


def pre_ticked(device: DeviceInfo) -> bool:
    """Ticked when the chooser opens: the room's by the evidence, or sent a command from its card by the lecturer
    (``room_devices.ROOM_USED``), which is a hint worth a tick the lecturer confirms, but not a choice by itself."""
    return answer(device) is True or device.state.get("room_used") is True
