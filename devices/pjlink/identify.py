"""Ask a candidate over PJLink TCP who it is, so every discovery mechanism's hit becomes one identified device.

It reads the device in full while it is at it, for the driver's first poll to take (``recent.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from devices.driver import Identity, Reason
from devices.model import Availability
from devices.pjlink import (
    PJLinkAuthError,
    PJLinkClient,
    PJLinkCommandError,
    PJLinkConnectionError,
    PJLinkProtocolError,
    recent,
)
from devices.pjlink.reader import _reading
from devices.pjlink.state import ProjectorState

log = logging.getLogger(__name__)


class _Gone(Exception):
    """The connection failed mid-identification; keep what was learnt."""


async def identify(host: str, port: int, password: str | None, step_timeout: float = 2.0) -> Identity:
    """CLSS, NAME, INF1, INF2, INFO in one round trip, then the rest of a full read (``reader._reading``: SNUM
    among it), kept for the driver's first poll (``recent.py``); never raises, availability says why."""
    ident = Identity(Availability.UNKNOWN)
    garbled = 0
    client = PJLinkClient(host, port, password, step_timeout)

    async def ask(commands: Sequence[tuple[str, str, int]]) -> list[str | PJLinkCommandError] | None:
        """One round trip for several queries; None when the answers were garbled."""
        nonlocal garbled
        try:
            return await client.request_many(commands)
        except PJLinkAuthError:
            raise
        except PJLinkConnectionError as exc:
            raise _Gone(str(exc)) from None
        except PJLinkProtocolError as exc:
            garbled += 1
            log.info("%s:%d garbled identification: %s", host, port, exc)
            return None

    try:
        async with asyncio.timeout(step_timeout * 8), client:
            steps = _reading(None)
            commands = next(steps)
            first = await ask(commands)
            # ERR1 (class 1) or ERR3 (standby) on one is just not known
            asked = ["" if isinstance(v, PJLinkCommandError) else v for v in first] if first else [""] * len(commands)
            ident.protocol_class, ident.name, ident.manufacturer, ident.product, ident.info = asked
            results = first
            try:
                while results is not None:
                    commands = steps.send(results)
                    results = await ask(commands) if commands else []
            except StopIteration as done:
                state: ProjectorState = done.value
                ident.serial = state.serial_number or ""
                recent.keep(host, port, password, state)
    except PJLinkAuthError as exc:
        ident.availability, ident.error = Availability.AUTH_FAILED, str(exc)
        ident.reason = Reason.PASSWORD_WRONG if password else Reason.PASSWORD_NEEDED
        return ident
    except (_Gone, TimeoutError) as exc:
        ident.error = str(exc) or "identification timed out"
    answered = any((ident.protocol_class, ident.name, ident.manufacturer, ident.product, ident.info))
    if answered:
        ident.availability = Availability.ONLINE
    elif garbled:
        ident.availability, ident.error = Availability.FAULT, "answers that are not PJLink"
        ident.reason = Reason.GARBLED
    else:
        ident.availability = Availability.OFFLINE
        ident.reason = Reason.NO_ANSWER if "timed out" in ident.error or not ident.error else Reason.UNREACHABLE
    return ident
