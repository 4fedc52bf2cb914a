"""Ask a candidate over PJLink TCP who it is, so every discovery mechanism's hit becomes one identified device."""

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
)

log = logging.getLogger(__name__)


class _Gone(Exception):
    """The connection failed mid-identification; keep what was learnt."""


async def identify(host: str, port: int, password: str | None, step_timeout: float = 2.0) -> Identity:
    """CLSS, NAME, INF1, INF2, INFO in one round trip, then (class 2) SNUM; never raises, availability says why."""
    ident = Identity(Availability.UNKNOWN)
    garbled = 0
    client = PJLinkClient(host, port, password, step_timeout)

    async def ask(commands: Sequence[tuple[str, str, int]]) -> list[str]:
        """One round trip for several queries; ERR1 (class 1) or ERR3 (standby) on one is just not known."""
        nonlocal garbled
        try:
            results = await client.request_many(commands)
        except PJLinkAuthError:
            raise
        except PJLinkConnectionError as exc:
            raise _Gone(str(exc)) from None
        except PJLinkProtocolError as exc:
            garbled += 1
            log.info("%s:%d garbled identification: %s", host, port, exc)
            return [""] * len(commands)
        return ["" if isinstance(value, PJLinkCommandError) else value for value in results]

    try:
        async with asyncio.timeout(step_timeout * 8), client:
            asked = await ask([(cmd, "?", 1) for cmd in ("CLSS", "NAME", "INF1", "INF2", "INFO")])
            ident.protocol_class, ident.name, ident.manufacturer, ident.product, ident.info = asked
            if ident.protocol_class == "2":
                ident.serial = (await ask([("SNUM", "?", 2)]))[0]
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
