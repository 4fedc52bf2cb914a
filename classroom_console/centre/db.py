"""The centre's database seen from the service: SQLite in the data folder, or PostgreSQL from a URL."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

from classroom_console.centre.payloads import SessionRows
from classroom_console.usage_model import UsageFilter, UsageReport


@dataclass(frozen=True, slots=True)
class Identity:
    name: str
    role: str
    folder: str


@dataclass(frozen=True, slots=True)
class RecordingState:
    id: str
    size: int
    sha256: str
    received: int
    complete: bool


@dataclass(frozen=True, slots=True)
class TokenRow:
    name: str
    role: str
    id: str  # the start of the token's hash: safe to show, enough to revoke
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


class CentreDB(abc.ABC):
    """Every method is a coroutine; the loop never waits on the database."""

    @property
    def generation(self) -> int | None:
        """A number that changes whenever this service commits a write that may change a usage report; None if
        others may write unseen."""
        return None

    @abc.abstractmethod
    async def add_token(self, token_hash: str, name: str, role: str, folder: str) -> None: ...

    @abc.abstractmethod
    async def identity(self, token_hash: str) -> Identity | None:
        """Asked on every request, so a token revoked by another process stops working at once; must be cheap."""

    @abc.abstractmethod
    async def tokens(self) -> list[TokenRow]: ...

    @abc.abstractmethod
    async def revoke(self, room_or_id: str, now: str) -> list[tuple[str, str]]:
        """Revoke one token (by id) or every token of a room (by name); returns (room, token id) revoked."""

    @abc.abstractmethod
    async def touch_tokens(self, last_used: dict[str, str]) -> None:
        """Note when tokens were last used (token hash -> UTC time), in one write."""

    @abc.abstractmethod
    async def store_session(self, rows: SessionRows) -> int:
        """Upsert the session and its events in one transaction; returns how many events it now holds.

        May empty ``rows``' lists once stored (large ones are freed off the loop that way).
        """

    def serving(self) -> None:  # noqa: B027  (nothing to start where nothing runs beside the service)
        """The service is starting on this database: start what its requests will want (a helper process)."""

    async def store_session_body(self, room: str, session_id: str, raw: bytes, now: str) -> int | None:
        """Check and store a session from its raw body elsewhere (another process), if this back end can now.

        None: it cannot (not here, not yet), and the caller checks the body itself and calls ``store_session``.
        A bad body raises ``validate.Invalid`` with the same one line the caller's own checks would give.
        """
        return None

    @abc.abstractmethod
    async def recording(self, room: str, recording_id: str) -> RecordingState | None: ...

    @abc.abstractmethod
    async def add_recording(self, row: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    async def set_received(self, room: str, recording_id: str, received: int, complete: bool, now: str) -> None: ...

    @abc.abstractmethod
    async def usage(self, f: UsageFilter) -> UsageReport: ...

    async def usage_body(self, f: UsageFilter) -> bytes | None:
        """The report's JSON (``reports.report_json(await usage(f))``) made elsewhere (another process), if this
        back end can now; None: the caller makes it with ``usage``."""
        return None

    @abc.abstractmethod
    async def rooms(self) -> list[dict[str, Any]]: ...

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Rows of one read with ``:name`` placeholders: for modules with tables of their own (the library)."""
        raise NotImplementedError

    async def execute(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """One write with ``:name`` placeholders, committed; the rows it returns (RETURNING), if any."""
        raise NotImplementedError

    async def try_lock_upload(self, key: int) -> bool | None:
        """Take the lock on one recording's upload that every centre process sees, if free (True) or not (False).

        None: this back end has no such lock (SQLite, one process: the file store's own lock serves).
        """
        return None

    async def unlock_upload(self, key: int) -> None:  # noqa: B027  (nothing to do where there is no lock)
        """Let go of a lock ``try_lock_upload`` took."""

    @abc.abstractmethod
    async def close(self) -> None: ...
