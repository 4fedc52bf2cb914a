"""The library as the Centre workspace sees it, through the centre's API (the UI never opens a socket itself).

Failures come back as reason codes the UI words: ``no_centre`` (none set up), ``staff_only`` (this token may not
publish), ``offline`` (the centre cannot be reached), ``refused`` (anything else the centre said no to).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import segno

from classroom_console.store import AsyncStore
from classroom_console.sync.client import AuthRefused, CentreClient, SyncError, TransientError
from classroom_console.sync.room import load_settings

NO_CENTRE, STAFF_ONLY, OFFLINE, REFUSED = "no_centre", "staff_only", "offline", "refused"


class LibraryProblem(Exception):
    """``str()`` is the reason code (what the UI words); ``detail`` the technical line, for the log and a tooltip."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class LibraryItem:
    room: str
    id: str
    title: str
    course: str
    lecturer: str
    published: bool
    complete: bool
    views: int
    chapters: int
    size_bytes: int
    started_at: str


@dataclass(frozen=True, slots=True)
class LibraryListing:
    url: str  # the library's address, as students type it ("" when no centre is set up)
    items: list[LibraryItem] = field(default_factory=list)
    problem: str = ""  # a reason code when the list could not be read (an expected state, not an error)
    detail: str = ""


def library_url(centre_url: str) -> str:
    return centre_url.rstrip("/") + "/library/"


def qr_png(text: str, scale: int = 4) -> bytes:
    """A QR code of ``text`` as PNG bytes (segno, pure Python): for a phone's camera."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


async def _client(store: AsyncStore | None) -> tuple[CentreClient, str]:
    settings = await load_settings(store)
    url = settings.get("centre_url", "")
    if not url:
        raise LibraryProblem(NO_CENTRE)
    return CentreClient(url, settings.get("token", ""), stall_timeout_s=15.0), url


def _problem(exc: SyncError) -> LibraryProblem:
    if isinstance(exc, AuthRefused):
        return LibraryProblem(STAFF_ONLY, str(exc))
    if isinstance(exc, TransientError):
        return LibraryProblem(OFFLINE, str(exc))
    return LibraryProblem(REFUSED, str(exc))


async def centre_library(store: AsyncStore | None) -> LibraryListing:
    """What the centre holds; no centre set up, or one away, is a ``problem`` in the answer, not an exception."""
    try:
        client, url = await _client(store)
    except LibraryProblem as exc:
        return LibraryListing("", problem=exc.reason)
    try:
        body = await client.library()
    except SyncError as exc:
        problem = _problem(exc)
        return LibraryListing(library_url(url), problem=problem.reason, detail=problem.detail)
    finally:
        await client.close()
    items = [LibraryItem(str(r["room"]), str(r["id"]), str(r["title"]), str(r["course"]), str(r["lecturer"]),
                         bool(r["published"]), bool(r["complete"]), int(r["views"]), int(r["chapters"]),
                         int(r["size_bytes"] or 0), str(r["started_at"])) for r in body.get("recordings", [])]
    return LibraryListing(library_url(url), items)


async def set_published(store: AsyncStore | None, room: str, recording_id: str, published: bool) -> bool:
    client, _ = await _client(store)
    try:
        await client.publish(room, recording_id, published)
    except SyncError as exc:
        raise _problem(exc) from exc
    finally:
        await client.close()
    return published
