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
ROOM_NAMED = "room_named"  # in a device's state: at an address the lecturer named one by one (the chooser's tick)
ROOM_SAID_AS = "room_said_as"  # in a device's state: what answered at its address when the word was given (addr: uids)
# The room's judgement of a device, not the device's own state: `device … status` leaves them out (it reads the device,
# with the room running or not; `discover --json` says the room's word as its "room").
JUDGEMENT_KEYS = (ROOM, ROOM_SWITCHED, ROOM_NAMED, ROOM_SAID_AS)


class Belonging(enum.StrEnum):
    CHOSEN = "chosen"  # the lecturer said it is this room's
    REFUSED = "refused"  # the lecturer said it is not: never switched by a scene, never asked about again
    LIKELY = "likely"  # not said, but the room's by evidence: a password of its own typed for it, marked the room's
    # own (``ROOM_KNOWN``), or, until the room has chosen, an address the lecturer named one by one (not a range's)
    UNDECIDED = "undecided"  # not said, no evidence (a command from its card is none: ``RoomDevices.belonging``)


def judge(said: bool | None, evidence: bool) -> Belonging:
    """The lecturer's word first; without one, the evidence (``weigh`` says what counts)."""
    if said is not None:
        return Belonging.CHOSEN if said else Belonging.REFUSED
    return Belonging.LIKELY if evidence else Belonging.UNDECIDED


def weigh(said: bool | None, said_as: object, now: DeviceInfo | None, *, own_password: bool, marked_known: bool,
          named: bool, room_chose: bool) -> Belonging:
    """The one rule for the window (``RoomDevices.belonging``) and ``discover --json`` (``commands/discover.py``), so
    the two cannot drift: the lecturer's word, void on a device known by its address alone while another answers
    there (``said_as``, R11 F6); else the evidence: a password of its own (``own_password``), marked the room's own
    (``marked_known``: ``ROOM_KNOWN``, the room password's test), or, until the room has chosen (``room_chose``), an
    address the lecturer named one by one or typed a password for (``named``). Once it has, a device new to the room
    is asked about whatever its address (R11 F7: DHCP gives a listed address to a neighbour's projector). A range's
    hosts are no evidence (R11 F5), nor is a command from its card (``pre_ticked`` says why)."""
    if said is not None and now is not None and not same_device(said_as, now):
        said = None
    return judge(said, own_password or marked_known or (named and not room_chose))


def chose(words: Iterable[bool | int | None]) -> bool:
    """Whether the room has chosen: the lecturer said of some device that it is the room's (a refusal alone protects
    the refused device, not the rest too: R11 F9). ``words`` as kept, True/1 yes, False/0 no, None none."""
    return any(word for word in words)


def belonging(device: DeviceInfo) -> Belonging:
    """As ``RoomDevices`` last judged it; a device it never judged (a test's, a script's) is undecided."""
    try:
        return Belonging(str(device.state.get(ROOM, Belonging.UNDECIDED)))
    except ValueError:
        return Belonging.UNDECIDED


def switched(device: DeviceInfo) -> bool:
    """Whether a scene, All on/off or the session's end acts on it. Until the room has chosen (no device said to be
    the room's) every device not refused is, as before there was a choice: a fresh install and the demo room keep
    working, and refusing a neighbour from its Details protects that one device without leaving the rest alone."""
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
    (``room_devices.ROOM_USED``), or at an address the lecturer named (``ROOM_NAMED``: after the room chose, a device
    new to the room there is another one as often as not, DHCP having moved the room's own): hints worth a tick the
    lecturer confirms, not a choice by themselves. A word outweighs them: a neighbour's card pressed once to see
    which projector it is, then refused, came back ticked, and a Save for another device took the refusal back."""
    judged = belonging(device)
    if judged is Belonging.REFUSED:
        return False
    return (answer_of(judged) is True or device.state.get("room_used") is True
            or (judged is Belonging.UNDECIDED and device.state.get(ROOM_NAMED) is True))


def named_addresses(sweep: Iterable[str | tuple[str, int]], cameras: Iterable[str] = ()) -> frozenset[str]:
    """The addresses the lecturer named one by one: evidence a device there is the room's. A range's hosts are not
    (R11 F5): a room on its own VLAN lists the VLAN's range, which holds the neighbours' projectors too."""
    from devices.discovery.sweep import expand_targets

    single = [spec for spec in sweep if isinstance(spec, tuple) or "/" not in spec]
    return frozenset([*(host for host, _port in expand_targets(single)), *cameras])


def identity(device: DeviceInfo) -> dict[str, str]:
    """What a device answers as: the word on a device known by its address alone (``addr:`` uids, PJLink class 1
    without a MAC or serial) holds only while the device there answers as the one it was given to (R11 F6)."""
    said = {"name": device.name, "class": device.protocol_class,
            "manufacturer": str(device.state.get("manufacturer") or ""),
            "product": str(device.state.get("product") or "")}
    return {key: value for key, value in said.items() if value}


def known_by_address(device: DeviceInfo) -> bool:
    """No id of its own (PJLink class 1 without a MAC or serial: an ``addr:`` uid): the word is kept for its address,
    and void while another device answers there (``same_device``)."""
    return device.uid.startswith("addr:")


def same_device(said_as: object, now: DeviceInfo) -> bool:
    """Whether ``now`` answers as ``said_as`` did (fields both know only); unknown (no record, not read yet): yes."""
    if not isinstance(said_as, dict) or not known_by_address(now) or now.state.get("power") is None:
        return True
    current = identity(now)
    return all(current[key] == value for key, value in said_as.items() if key in current)
