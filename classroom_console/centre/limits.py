"""Every bound the centre puts on one room, in one place, so that no single room can stall the others.

Sizes are what a real room sends with room to spare: a session that logged one event a second for a
whole day is about 16 MB of JSON; a recording's announcement is a few hundred bytes. Times are generous
for the slow links of the rooms (a body may trickle at 1 KB/s) but never unbounded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    session_bytes: int = 16 * MB  # PUT /sessions/{id}
    announce_bytes: int = 16 << 10  # POST /recordings
    header_timeout_s: float = 10.0  # from the first byte (or the connection) to a complete request head
    body_idle_s: float = 30.0  # no byte of a body for this long: the request is given up
    body_min_rate: float = 1024.0  # bytes/s on average once body_idle_s has passed
    keepalive_s: float = 60.0  # an idle kept-alive connection is closed after this
    lingering_s: float = 2.0  # unread body after an early answer (401, 413) is drained this long at most
    connections_per_client: int = 64  # concurrent connections from one address (a NAT may hide many rooms)
    inline_json_bytes: int = 32 << 10  # smaller bodies are decoded on the loop: a thread hop costs more
    fast_json_bytes: int = 256 << 10  # up to this, a compiled check (one C call, GIL held) is tried first
    heavy_decodes: int = 1  # larger bodies decoded at once (one core stays free for the loop)
    body_budget_bytes: int = 256 * MB  # JSON bodies held in memory at once, across all rooms
    budget_wait_s: float = 10.0  # a body that cannot get its share of that budget this soon is told 503
    lock_wait_s: float = 45.0  # a new PATCH waits this long for a stalled one (body_idle_s) to let go

    def with_overrides(self, **values: Any) -> Limits:
        """Only the values given (CLI flags left unset stay at their defaults)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})
