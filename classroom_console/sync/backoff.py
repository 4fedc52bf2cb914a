"""Exponential backoff with jitter, so a hundred rooms coming back online do not retry in step."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    base_s: float = 2.0
    cap_s: float = 900.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Equal jitter: half the exponential step is fixed, half random; never above the cap."""
        step = min(self.cap_s, self.base_s * (2 ** min(attempts, 30)))
        return step / 2 + (rng or random).uniform(0, step / 2)
