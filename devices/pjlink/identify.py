"""Ask a candidate over PJLink TCP who it is, so every discovery mechanism's hit becomes one identified device."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

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
    """CLSS, NAME, INF1, INF2, INFO and (class 2) SNUM; never raises, availability says what went wrong."""
    ident = Identity(Availability.UNKNOWN)
    garbled = 0
    client = PJLinkClient(host, port, password, step_timeout)

    async def ask(call: Awaitable[object], what: str) -> str:
        nonlocal garbled
        try:
            return str(await call)
        except PJLinkCommandError as exc:  # ERR1 (class 1 device) or ERR3 (standby): just not known
            log.debug("%s:%d %s: %s", host, port, what, exc)
        except PJLinkAuthError:
            raise
        except PJLinkConnectionError as exc:
            raise _Gone(str(exc)) from None
        except PJLinkProtocolError as exc:
            garbled += 1
            log.info("%s:%d garbled %s: %s", host, port, what, exc)
        return ""

    try:
        async with asyncio.timeout(step_timeout * 8), client:
            ident.protocol_class = await ask(client.pjlink_class(), "CLSS")
            ident.name = await ask(client.name(), "NAME")
            ident.manufacturer = await ask(client.query("INF1"), "INF1")
            ident.product = await ask(client.query("INF2"), "INF2")
            ident.info = await ask(client.query("INFO"), "INFO")
            if ident.protocol_class == "2":
                ident.serial = await ask(client.serial_number(), "SNUM")
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
