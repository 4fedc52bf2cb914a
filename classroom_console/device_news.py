"""What of a device's new reading is news, and what the session log keeps of it.

The room logs a device's change of availability or state in the running session (``Room.update_device``);
`device … status` read without the event loop (``commands/device_status.py``) logs the same event in the same
words, so both take them from here. No asyncio here: the loop-free read imports this on its own.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from classroom_console.room_choice import JUDGEMENT_KEYS
from devices.model import DeviceInfo

JUDGED = "room"  # a change of the room's judgement alone (``room_choice.JUDGEMENT_KEYS``): shown, not logged


def changed_fields(old: DeviceInfo, new: DeviceInfo) -> set[str]:
    """What differs between two readings of a device (how it was found is detail, not news). A state that differs
    only in the room's judgement of the device (which devices are the room's, ``room_choice``) is ``JUDGED``, not
    ``state``: the window shows it, the session log keeps the device's own state."""
    changed = {
        f.name
        for f in dataclasses.fields(DeviceInfo)
        if f.name != "found_by" and getattr(old, f.name) != getattr(new, f.name)
    }
    if "state" in changed and own_state(old.state) == own_state(new.state):
        changed.discard("state")
        changed.add(JUDGED)
    return changed


def own_state(state: dict[str, Any]) -> dict[str, Any]:
    """A device's state without the room's judgement of it."""
    return {k: v for k, v in state.items() if k not in JUDGEMENT_KEYS}


def state_event(changed: set[str], device: DeviceInfo) -> dict[str, Any] | None:
    """The payload of the session's ``state`` event for these changes, or None when they are not logged."""
    if "availability" not in changed and "state" not in changed:
        return None
    return {"changed": sorted(changed), "availability": str(device.availability), "address": device.address,
            "state": own_state(device.state)}
