"""Keeps one projector's state fresh and runs user commands on the same connection, never hanging."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from devices.driver import Reason
from devices.model import Availability
from devices.pjlink import recent
from devices.pjlink.client import PJLinkClient
from devices.pjlink.errors import PJLinkError, PJLinkParamError, PJLinkTimeout
from devices.pjlink.outcome import NOT_POLLED, describe, read_failed, read_succeeded, reason_of
from devices.pjlink.state import ProjectorState
from devices.pjlink.values import Input
from devices.tasks import cancel_and_wait

log = logging.getLogger(__name__)
T = TypeVar("T")
OnChange = Callable[[ProjectorState], None]
__all__ = ["PJLinkPoller", "describe", "reason_of"]  # describe and reason_of live in outcome.py


class PJLinkPoller:
    """Owns one client; polls every ``interval_s``; commands share the client's one-at-a-time lock."""

    def __init__(
        self,
        client: PJLinkClient,
        *,
        interval_s: float = 5.0,
        on_change: OnChange | None = None,
        command_timeout_s: float | None = None,
    ) -> None:
        self.client = client
        self.interval_s = interval_s
        self.on_change = on_change
        self.command_timeout_s = command_timeout_s or 3 * client.timeout + 1.0
        self._state: ProjectorState | None = None
        self._availability = Availability.UNKNOWN
        self._reason = Reason.NOT_CHECKED
        self._detail = NOT_POLLED
        self._poll_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._refresh: asyncio.Task[ProjectorState | None] | None = None

    @property
    def state(self) -> ProjectorState | None:
        return self._state

    @property
    def availability(self) -> Availability:
        return self._availability

    @property
    def detail(self) -> str:
        """Technical English, for the log and a Details view; the UI words ``reason`` instead."""
        return self._detail

    @property
    def reason(self) -> Reason:
        return self._reason

    async def start(self) -> None:
        """Begin polling in the background (first poll right away)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"pjlink-poll-{self.client.host}")

    async def stop(self) -> None:
        """Stop polling and close the connection."""
        for task in (self._task, self._refresh):
            await cancel_and_wait(task)
        self._task = self._refresh = None
        await self.client.close()

    async def _run(self) -> None:
        # Jitter keeps a room of pollers from falling into step and answering in one burst.
        await asyncio.sleep(random.uniform(0, min(0.5, self.interval_s / 2)))
        while True:
            await self.refresh()
            await asyncio.sleep(self.interval_s * random.uniform(0.9, 1.1))

    async def refresh(self) -> ProjectorState | None:
        """Poll once now; errors become an availability word, never an exception."""
        async with self._poll_lock:
            reachable = self._availability in (Availability.ONLINE, Availability.FAULT)
            previous = self._state if reachable else None
            client = self.client
            # The first poll takes the reading identification just made, if it is fresh (recent.py).
            handed = recent.take(client.host, client.port, client.password) if self._state is None else None
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow the cancel that stops this poller
                async with asyncio.timeout(self._poll_budget()):
                    state = handed or await client.read_state(previous)
            except (PJLinkError, TimeoutError) as exc:
                self._failed(exc)
                return None
            word, detail, reason = read_succeeded(state)
            self._update(state, word, detail, reason)
            return state

    def _poll_budget(self) -> float:
        return max(self.command_timeout_s, 40 * self.client.timeout)

    def _failed(self, exc: BaseException) -> None:
        outcome = read_failed(exc, self.client.password is not None)
        if outcome is not None:
            self._update(self._state, *outcome)

    def _update(self, state: ProjectorState | None, word: Availability, detail: str, reason: Reason) -> None:
        changed = (state, word, detail, reason) != (self._state, self._availability, self._detail, self._reason)
        self._state, self._availability, self._detail, self._reason = state, word, detail, reason
        if changed and self.on_change is not None:
            try:
                self.on_change(state or ProjectorState())
            except Exception:
                log.exception("on_change callback failed")

    async def run(self, action: Callable[[PJLinkClient], Awaitable[T]]) -> T:
        """Run one user action within ``command_timeout_s``, then refresh the state in the background."""
        try:
            async with asyncio.timeout(self.command_timeout_s):
                result = await action(self.client)
        except TimeoutError:
            exc = PJLinkTimeout(f"{self.client.host} did not answer within {self.command_timeout_s:g} s")
            self._failed(exc)
            raise exc from None
        except PJLinkParamError:
            raise
        except PJLinkError as exc:
            self._failed(exc)
            raise
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.create_task(self.refresh())
        return result

    async def power_on(self) -> None:
        await self.run(lambda c: c.power_on())

    async def power_off(self) -> None:
        await self.run(lambda c: c.power_off())

    async def set_input(self, source: str | Input) -> None:
        await self.run(lambda c: c.set_input(source))

    async def set_mute(self, video: bool, audio: bool, on: bool) -> None:
        await self.run(lambda c: c.set_mute(video, audio, on))

    async def freeze(self, on: bool) -> None:
        await self.run(lambda c: c.freeze(on))
