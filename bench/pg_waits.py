"""What the centre's PostgreSQL backends were doing while rooms sent: pg_stat_activity sampled every 20 ms.

Why: pg_stat_statements says how long each kind of statement took, not whether that time was work or a wait, nor
for what (an advisory lock another process held, a lightweight lock on a hot buffer, a disk's fsync, the CPU). The
question of issue 18 (what keeps two centre processes from ingesting 1.3x one) is which of those it is. A sample
costs the server a scan of its backends' slots (well under a millisecond), from a thread of its own here.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

SAMPLE_S = 0.02
# A backend's statement by what it does (the first marker its text holds), as bench/sync_rooms.py's KINDS.
KINDS = (("store", "centre_store_sessions"), ("report", "array_agg(c0)"), ("report", "ARRAY(SELECT"),
         ("report lock", "hashtext("),
         ("shared reports", "centre_reports"), ("tokens", "FROM tokens"), ("recordings", "recordings"))
SAMPLE = """SELECT query, wait_event_type, wait_event FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"""


def kind_of(query: str) -> str:
    return next((k for k, marker in KINDS if marker in query), "other")


class Waits:
    """Samples by (kind, what it waited for: ``CPU`` for none); ``text()`` the shares per kind."""

    def __init__(self) -> None:
        self.seen: Counter[tuple[str, str]] = Counter()
        self.samples = 0

    def note(self, rows: list[tuple[str, str | None, str | None]]) -> None:
        self.samples += 1
        for query, kind, event in rows:
            self.seen[(kind_of(query or ""), f"{kind}:{event}" if kind else "CPU")] += 1

    def text(self, top: int = 4) -> str:
        by_kind: dict[str, Counter[str]] = {}
        for (kind, wait), n in self.seen.items():
            by_kind.setdefault(kind, Counter())[wait] += n
        parts = []
        for kind, waits in sorted(by_kind.items(), key=lambda kv: -sum(kv[1].values())):
            total = sum(waits.values())
            shares = ", ".join(f"{w} {100 * n / total:.0f}%" for w, n in waits.most_common(top))
            parts.append(f"{kind} {total / max(self.samples, 1):.2f} busy backends ({shares})")
        return f"{self.samples} samples: " + "; ".join(parts)


@contextmanager
def sampled(url: str) -> Iterator[Waits]:
    """``Waits`` filled from a thread of its own until the block ends (each sample bounded: 2 s)."""
    waits, stop = Waits(), threading.Event()

    async def run() -> None:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            while not stop.is_set():
                rows = await conn.fetch(SAMPLE, timeout=2)
                waits.note([(r[0], r[1], r[2]) for r in rows])
                await asyncio.sleep(SAMPLE_S)
        finally:
            await conn.close()

    thread = threading.Thread(target=lambda: asyncio.run(run()), name="pg-waits", daemon=True)
    thread.start()
    try:
        yield waits
    finally:
        stop.set()
        thread.join(30)
