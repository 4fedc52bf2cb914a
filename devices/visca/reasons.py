"""A VISCA failure as the driver interface's Reason, so a camera's card words it like any device's."""

from __future__ import annotations

from devices.driver import Reason
from devices.visca.errors import ViscaError

_REASONS: dict[str, Reason] = {
    "no-answer": Reason.NO_ANSWER,
    "no-ack": Reason.NO_ANSWER,
    "no-completion": Reason.NO_ANSWER,
    "unreachable": Reason.UNREACHABLE,
    "garbled": Reason.GARBLED,
    "sequence": Reason.GARBLED,
    "message-type": Reason.GARBLED,
    "message-length": Reason.GARBLED,
    "syntax": Reason.UNSUPPORTED,  # the camera does not know the command
    "no-socket": Reason.UNSUPPORTED,
    "buffer-full": Reason.BUSY,
    "cancelled": Reason.BUSY,
    "not-executable": Reason.BUSY,  # standby, or a preset that was never stored
    "device-fault": Reason.DEVICE_FAULT,
}


def reason(error: ViscaError) -> Reason:
    """The Reason for a ViscaError's code; an unknown code is the camera talking nonsense."""
    return _REASONS.get(error.code, Reason.GARBLED)
