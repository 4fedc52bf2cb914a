"""The sync's state as one short line, printed by ``sync`` each time it changes (and usable by any UI)."""

from __future__ import annotations

import time

from classroom_console.sync.progress import OFFLINE, REFUSED, SENDING, SyncProgress


def clock(epoch_s: float) -> str:
    """Local wall-clock time, HH:MM:SS: what a person compares with the clock on the wall."""
    return time.strftime("%H:%M:%S", time.localtime(epoch_s))


def status_line(p: SyncProgress) -> str:
    """offline / retrying at HH:MM:SS / sending X of Y / up to date, or "" when there is nothing new to say.

    Byte counts stay out: they change many times a second.
    """
    if p.state == SENDING:
        return f"sending {p.index} of {p.total}: {p.item_kind} {p.item_id[:8]}"
    if p.state == REFUSED:
        return f"refused: {p.message}"
    if p.state == OFFLINE and p.retry_at is None:
        return f"offline: {p.message}"
    if p.retry_at is not None and (p.state == OFFLINE or p.pending):
        return f"retrying at {clock(p.retry_at)} ({p.pending} queued)"
    if p.pending:
        return ""  # between two passes, with nothing due yet: the next line says when
    failed = f" ({p.failed} failed: see 'classroom-console usage')" if p.failed else ""
    return "up to date" + failed
