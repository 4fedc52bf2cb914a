"""A token bucket: the bandwidth cap a room's uploads keep, since rooms share thin uplinks."""

from __future__ import annotations

import asyncio
import time


class Throttle:
    """``rate_bps`` of 0 means no cap; a burst of half a second's worth is allowed."""

    def __init__(self, rate_bps: float = 0.0) -> None:
        self.rate_bps = max(0.0, rate_bps)
        self._tokens = 0.0
        self._at = time.monotonic()

    @property
    def block_bytes(self) -> int:
        """Pieces small enough that a capped upload stays smooth (about ten per second)."""
        if not self.rate_bps:
            return 4 << 20
        return max(4096, min(1 << 20, int(self.rate_bps / 10)))

    async def take(self, n: int) -> None:
        if not self.rate_bps:
            return
        now = time.monotonic()
        burst = self.rate_bps / 2
        self._tokens = min(burst, self._tokens + (now - self._at) * self.rate_bps)
        self._at = now
        self._tokens -= n
        if self._tokens < 0:
            await asyncio.sleep(-self._tokens / self.rate_bps)
