"""What a read came to, in the words every caller shares: availability, reason code and a detail line.

Kept apart from the poller (asyncio) so that a single blocking read (``blocking.py``) words its outcome
exactly as the console's poller does.
"""

from __future__ import annotations

from devices.driver import Reason
from devices.model import Availability
from devices.pjlink.errors import (
    ErrorCode,
    PJLinkAuthError,
    PJLinkCommandError,
    PJLinkConnectionError,
    PJLinkParamError,
    PJLinkProtocolError,
    PJLinkTimeout,
)
from devices.pjlink.state import ProjectorState
from devices.pjlink.values import ErrorLevel

NOT_POLLED = "not polled yet"  # a driver's detail until its first read ends


def describe(state: ProjectorState) -> str:
    """A short human line for a device card, e.g. 'on, DIGITAL 1, filter warning'."""
    parts = [state.power.label if state.power is not None else "power unknown"]
    if state.input is not None:
        parts.append(state.input_names.get(state.input.code) or state.input.name)
    if state.errors is not None:
        for component, level in state.errors.problems():
            parts.append(f"{component} {'error' if level is ErrorLevel.ERROR else 'warning'}")
    parts += [f"device failure on {f}" for f in sorted(state.failed)]
    return ", ".join(parts)


def reason_of(exc: BaseException, had_password: bool) -> Reason:
    """The code the UI words for a PJLink failure."""
    if isinstance(exc, PJLinkAuthError):
        return Reason.PASSWORD_WRONG if had_password else Reason.PASSWORD_NEEDED
    if isinstance(exc, PJLinkCommandError):
        return {
            ErrorCode.UNDEFINED: Reason.UNSUPPORTED,
            ErrorCode.BAD_PARAMETER: Reason.BAD_VALUE,
            ErrorCode.UNAVAILABLE: Reason.BUSY,
            ErrorCode.DEVICE_FAILURE: Reason.DEVICE_FAULT,
        }[exc.code]
    if isinstance(exc, PJLinkParamError):
        return Reason.BAD_VALUE
    if isinstance(exc, PJLinkProtocolError):
        return Reason.GARBLED
    if isinstance(exc, (PJLinkTimeout, TimeoutError)):
        return Reason.NO_ANSWER
    return Reason.UNREACHABLE


def read_succeeded(state: ProjectorState) -> tuple[Availability, str, Reason]:
    """A whole read came back: online, or at fault when the device reports one."""
    if state.fault:
        return Availability.FAULT, describe(state), Reason.DEVICE_FAULT
    return Availability.ONLINE, describe(state), Reason.NONE


def read_failed(exc: BaseException, had_password: bool) -> tuple[Availability, str, Reason] | None:
    """A read that raised: what the device is now, or None for an error that says nothing about it."""
    if isinstance(exc, PJLinkAuthError):
        word, detail = Availability.AUTH_FAILED, f"authentication failed: {exc}"
    elif isinstance(exc, PJLinkProtocolError):
        word, detail = Availability.FAULT, f"unexpected reply: {exc}"
    elif isinstance(exc, (PJLinkConnectionError, TimeoutError)):
        word, detail = Availability.OFFLINE, str(exc) or "no answer"
    else:
        return None
    return word, detail, reason_of(exc, had_password)
