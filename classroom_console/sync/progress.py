"""Sync progress as plain data (bytes, rate, ETA, queue), for the status bar, the sync panel and the CLI."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

IDLE, SENDING, WAITING, OFFLINE, REFUSED = "idle", "sending", "waiting", "offline", "refused"


@dataclass(frozen=True, slots=True)
class SyncProgress:
    state: str = IDLE
    item_kind: str = ""
    item_id: str = ""
    bytes_done: int = 0
    bytes_total: int = 0
    rate_bps: float = 0.0
    eta_s: float | None = None
    pending: int = 0
    failed: int = 0
    uploaded: int = 0
    message: str = ""
    reason: str = ""  # a code for the UI to word (offline, stalled, refused, ...)
    status: int = 0  # the centre's HTTP status behind ``reason`` (500, 401, ...), 0 when it answered none
    index: int = 0  # the item being sent is ``index`` of ``total`` in this pass
    total: int = 0
    retry_at: float | None = None  # epoch seconds of the next try while waiting or offline
    kept_unproven: int = 0  # recordings --delete-uploaded-media kept: the centre could not prove it holds them


Listener = Callable[[SyncProgress], None]


class ProgressMeter:
    """Smooths the rate (EWMA) and rate-limits updates to about five a second."""

    EVERY_S = 0.2

    def __init__(self, emit: Listener) -> None:
        self._emit = emit
        self.current = SyncProgress()
        self._last_emit = 0.0
        self._mark_at = 0.0
        self._mark_bytes = 0

    def set(self, force: bool = True, **changes: object) -> None:
        self.current = replace(self.current, **changes)  # type: ignore[arg-type]
        now = time.monotonic()
        if force or now - self._last_emit >= self.EVERY_S:
            self._last_emit = now
            self._emit(self.current)

    def quiet(self, **changes: object) -> None:
        """Change fields without telling anyone (the next real change carries them)."""
        self.current = replace(self.current, **changes)  # type: ignore[arg-type]

    def start_item(self, kind: str, item_id: str, total: int, done: int = 0) -> None:
        self._mark_at, self._mark_bytes = time.monotonic(), done
        self.set(state=SENDING, item_kind=kind, item_id=item_id, bytes_total=total, bytes_done=done, eta_s=None)

    def advance(self, done: int) -> None:
        now = time.monotonic()
        elapsed = now - self._mark_at
        rate = self.current.rate_bps
        if elapsed >= 0.25:
            sample = (done - self._mark_bytes) / elapsed
            rate = sample if rate == 0 else 0.7 * rate + 0.3 * sample
            self._mark_at, self._mark_bytes = now, done
        left = max(0, self.current.bytes_total - done)
        eta = left / rate if rate > 0 else None
        self.set(force=False, bytes_done=done, rate_bps=rate, eta_s=eta)
