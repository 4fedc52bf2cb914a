"""The sync's reason codes and progress in the user's words, for `sync` and `usage --centre`.

The sync reports codes (``SyncError.reason``, ``SyncProgress.reason``: its own, or the centre's answer's) with a
technical English message; a Russian run read "up to date", "offline: cannot reach the centre at …: Cannot connect
to host …". The message follows the words only with -v.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from classroom_console.cli_reasons import with_detail
from classroom_console.cli_text import tr

if TYPE_CHECKING:
    from classroom_console.sync import SyncProgress

REASONS = {
    # the room's own (classroom_console/sync)
    "not_in_store": "it is no longer in this PC's log",
    "file_missing": "its file is missing",
    "unreadable": "its file cannot be read",
    "not_a_file": "its path is not a file",
    "file_changed": "its file has changed since it was recorded",
    "unknown_kind": "this console does not know how to send it",
    "internal": "a fault in the console or the centre; the details are in the log",
    "offline": "the centre cannot be reached",
    "stalled": "nothing moved for too long; the next try goes on from there",
    "no_progress": "the centre took the bytes but kept none",
    "bad_answer": "the centre's answer made no sense",
    "redirected": "the address answers with a redirect: give the centre's own address",
    "error": "something went wrong; the details are in the log",
    # the centre's answer (centre/failures.REASONS)
    "refused": "the centre refused it",
    "invalid": "the centre found it malformed",
    "unauthorized": "the centre did not accept this room's token",
    "auth_refused": "the centre did not accept this room's token",
    "forbidden": "this room's token may not send it",
    "not_found": "the centre does not know it",
    "conflict": "the centre holds another version of it",
    "too_large": "it is larger than the centre accepts",
    "checksum_mismatch": "it arrived damaged (its SHA-256 differs)",
    "too_many_connections": "too many connections from this PC at once",
    "busy": "the centre is busy",
    "disk_full": "the centre's disk is full",
}


# A centre that answered 5xx with no reason of its own ("internal", or "refused" from a proxy's page) had an error:
# it did not refuse the item, and the room is not offline.
CENTRE_ERROR = "the centre had an error; the details are in the centre's log"


def reason_words(reason: str, status: int = 0) -> str:
    """``reason`` in words; ``status``: the centre's HTTP status behind it (0: it answered none)."""
    if status >= 500 and reason in ("internal", "refused", "error", ""):
        return tr(CENTRE_ERROR)
    return tr(REASONS.get(reason, REASONS["error"]))


def failure(exc: Exception, verbose: bool = False) -> str:
    """A ``SyncError`` (or any error of a centre request) in words by its reason code."""
    status = getattr(exc, "status", 0)
    return with_detail(reason_words(str(getattr(exc, "reason", "error")), status if isinstance(status, int) else 0),
                       str(exc), verbose)


def status_words(p: SyncProgress, verbose: bool = False) -> str:
    """Sending N of M / refused / offline / retrying at HH:MM:SS / up to date, or "" when there is nothing new
    to say (between two passes); byte counts stay out: they change many times a second."""
    from classroom_console.commands.set_aside import item_words
    from classroom_console.sync.progress import OFFLINE, REFUSED, SENDING

    if p.state == SENDING:
        return tr("sending {index} of {total}: {item}").format(
            index=p.index, total=p.total, item=item_words(p.item_kind, p.item_id[:8]))
    if p.state == REFUSED:
        return tr("refused: {why}").format(why=with_detail(reason_words(p.reason), p.message, verbose))
    if p.state == OFFLINE and p.retry_at is None:
        why = with_detail(reason_words(p.reason or "offline", p.status), p.message, verbose)
        return why if p.status else tr("offline: {why}").format(why=why)  # an answer, if an error, is no outage
    if p.retry_at is not None and (p.state == OFFLINE or p.pending):
        return tr("retrying at {time} ({pending} queued)").format(
            time=time.strftime("%H:%M:%S", time.localtime(p.retry_at)), pending=p.pending)
    if p.pending:
        return ""
    if p.failed:
        return tr("up to date ({failed} set aside: see 'classroom-console usage')").format(failed=p.failed)
    return tr("up to date")


def centre_url_problem(url: str) -> str:
    """Why ``url`` cannot be a centre's address, in words ("" when it can): `sync --once` with nothing queued said
    "up to date" to "notaurl", as the address is only used when something is sent."""
    from classroom_console.sync.room import is_centre_url  # the rule is the sync's; the words are the CLI's

    if not is_centre_url(url):
        return tr("{url!r} is not a centre's address: give it as http(s)://HOST[:PORT], e.g. "
                  "https://centre.example.edu:8765").format(url=url)
    return ""


def token_place(in_keyring: bool, path: object) -> str:
    """Where `sync --save` kept the token."""
    if in_keyring:
        return tr("the token is kept in the system keyring")
    return tr("the token is kept in {path} (no system keyring here; the file is readable only by this user)").format(
        path=path)
