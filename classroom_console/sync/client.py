"""The centre's HTTP API from the room's side, with every failure sorted into retry, refuse or give up."""

from __future__ import annotations

import asyncio
import codecs
import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

API = "/api/v1"
MAX_ANSWER_BYTES = 64 << 20  # a centre's biggest answer (a big centre's usage report, its library) is a few MB
codecs.lookup("idna")  # cached now: TLS looks it up lazily on the loop, where the import would stat files


class SyncError(Exception):
    """Base of what the sync reports; ``reason`` is a code the UI words, the message stays technical."""

    reason = "error"
    status = 0  # the centre's HTTP status when it answered one, for the words ("refused (HTTP 403)")

    def __init__(self, message: str, reason: str | None = None, status: int = 0) -> None:
        super().__init__(message)
        if reason:
            self.reason = reason
        if status:
            self.status = status


class TransientError(SyncError):
    """Worth retrying later: the centre is away, busy or the connection dropped."""

    reason = "offline"


class Stalled(TransientError):
    """No byte moved either way for the stall timeout: this try is given up, what arrived is kept."""

    reason = "stalled"


class PermanentError(SyncError):
    """The centre refused the item itself (or the room's copy is unusable); retrying cannot help."""

    reason = "refused"


class AuthRefused(SyncError):
    """The centre does not know this room's token: nothing will upload until it is fixed."""

    reason = "auth_refused"


def refused_message(url: str, status: int, detail: str) -> str:
    return (
        f"The centre at {url} refused this room's token (HTTP {status}: {detail}). "
        "Ask centre staff for the room's token (they issue it with 'classroom-console centre add-room') "
        "and give it with --token-file FILE or the CLASSROOM_CONSOLE_TOKEN environment variable."
    )


async def _detail(resp: aiohttp.ClientResponse) -> tuple[str, str]:
    """The centre's one line and its reason code (``refused`` when it gave none)."""
    try:
        body = await resp.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return resp.reason or "", "refused"
    if isinstance(body, dict):
        return str(body.get("error", body)), str(body.get("reason") or "refused")
    return str(body), "refused"


async def _json_answer(resp: aiohttp.ClientResponse, timer: asyncio.Timeout, stall_s: float) -> dict[str, Any] | None:
    """The answer's JSON object, read up to ``MAX_ANSWER_BYTES``: a wrong or hostile server's 1 GB answer took
    3 GB of the room's memory and was then printed as an empty report (E3)."""
    size, chunks = 0, []
    loop = asyncio.get_running_loop()
    async for chunk in resp.content.iter_chunked(256 << 10):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise TransientError(f"the centre's answer is over {MAX_ANSWER_BYTES >> 20} MB: not a centre's",
                                 "bad_answer")
        chunks.append(chunk)
        timer.reschedule(loop.time() + stall_s)
    if not chunks:
        return None
    try:
        body = json.loads(b"".join(chunks))
    except ValueError as exc:
        raise TransientError(f"the centre's answer is not JSON: {exc}", "bad_answer") from exc
    if not isinstance(body, dict):
        raise TransientError(f"the centre's answer is {type(body).__name__}, not an object", "bad_answer")
    return body


async def _pieces(data: bytes, size: int = 64 << 10) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


class CentreClient:
    def __init__(self, base_url: str, token: str, *, cafile: str | None = None, stall_timeout_s: float = 30.0):
        """``stall_timeout_s``: a request with no byte moved for this long (connect included) is given up."""
        self.base_url = base_url.rstrip("/")
        self.stall_timeout_s = stall_timeout_s
        self._headers = {"Authorization": f"Bearer {token}"}
        context: ssl.SSLContext | bool = ssl.create_default_context(cafile=cafile) if cafile else True
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, limit=4),
            timeout=aiohttp.ClientTimeout(total=None, connect=stall_timeout_s, sock_read=stall_timeout_s),
            headers=self._headers,
        )

    async def close(self) -> None:
        await self._session.close()

    def _stalled(self) -> Stalled:
        return Stalled(f"no bytes moved to or from the centre at {self.base_url} for {self.stall_timeout_s:g} s "
                       "(the link stalled); what arrived is kept")

    async def _watched(self, pieces: AsyncIterator[bytes], timer: asyncio.Timeout) -> AsyncIterator[bytes]:
        """Each piece the connection takes is progress: it pushes the stall deadline on."""
        loop = asyncio.get_running_loop()
        async for piece in pieces:
            timer.reschedule(loop.time() + self.stall_timeout_s)
            yield piece
        timer.reschedule(loop.time() + self.stall_timeout_s)

    async def _request(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any) -> tuple[int, Any]:
        """One request under a progress timeout: a link that stalls with its socket open cannot hang it."""
        timer = asyncio.timeout(self.stall_timeout_s)
        try:
            async with timer:
                return await self._exchange(timer, method, path, ok, **kw)
        except TimeoutError as exc:
            raise self._stalled() from exc
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise TransientError(f"cannot reach the centre at {self.base_url}: {exc or type(exc).__name__}") from exc

    async def _exchange(
        self, timer: asyncio.Timeout, method: str, path: str, ok: tuple[int, ...], **kw: Any
    ) -> tuple[int, Any]:
        if "data" in kw and not isinstance(kw["data"], bytes | str | None):
            kw["data"] = self._watched(kw["data"], timer)
        elif "body" in kw:  # bytes sent in pieces, so a slow but moving link is not taken for a stalled one
            kw["data"] = self._watched(_pieces(kw.pop("body")), timer)
        loop = asyncio.get_running_loop()
        url = f"{self.base_url}{API}{path}"
        async with self._session.request(method, url, allow_redirects=False, **kw) as resp:
            timer.reschedule(loop.time() + self.stall_timeout_s)  # the answer's head came: progress
            if resp.status in (401, 403) and not path.startswith("/usage"):
                raise AuthRefused(refused_message(self.base_url, resp.status, (await _detail(resp))[0]),
                                  status=resp.status)
            if 300 <= resp.status < 400:  # a centre does not move: a wrong address, a portal or a proxy
                where = resp.headers.get("Location", "")[:200]
                raise PermanentError(f"{url} answered with a redirect to {where!r}: give the centre's own address",
                                     "redirected", resp.status)
            if resp.status in ok:
                body = None if method == "HEAD" else await _json_answer(resp, timer, self.stall_timeout_s)
                return resp.status, (body if body is not None else dict(resp.headers))
            detail, reason = await _detail(resp)
            if resp.status in (403,):
                raise PermanentError(f"HTTP {resp.status}: {detail}", reason, resp.status)
            if resp.status >= 500 and reason == "refused":
                reason = "internal"  # a bare 5xx (no centre's reason: a proxy's, a crash's) is the centre's fault
            if resp.status >= 500 or resp.status in (408, 425, 429):
                raise TransientError(f"the centre answered HTTP {resp.status}: {detail}", reason, resp.status)
            return resp.status, {"error": detail, "reason": reason, "offset": resp.headers.get("Upload-Offset")}

    async def ping(self) -> dict[str, Any]:
        _, body = await self._request("GET", "/ping")
        return dict(body)

    async def put_session(self, session_id: str, payload: bytes) -> int:
        """``payload``: the session as JSON bytes (encoded off the loop by the caller)."""
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        status, body = await self._request("PUT", f"/sessions/{session_id}", body=payload, headers=headers)
        if status != 200:
            raise PermanentError(f"the centre refused session {session_id}: HTTP {status} {body.get('error')}",
                                 body.get("reason"))
        return int(body["events"])

    async def announce_recording(self, meta: dict[str, Any]) -> dict[str, Any]:
        status, body = await self._request("POST", "/recordings", json=meta)
        if status != 200:
            raise PermanentError(f"the centre refused recording {meta.get('id')}: HTTP {status} {body.get('error')}",
                                 body.get("reason"))
        return dict(body)

    async def put_meta(self, recording_id: str, payload: bytes) -> dict[str, Any]:
        """The recording's description and chapters for the library (``sync/meta.py``); repeating it is harmless."""
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        status, body = await self._request("PUT", f"/recordings/{recording_id}/meta", body=payload, headers=headers)
        if status != 200:
            raise PermanentError(f"the centre refused the description of {recording_id}: HTTP {status} "
                                 f"{body.get('error')}", body.get("reason"))
        return dict(body)

    async def library(self) -> dict[str, Any]:
        """The recordings the centre holds, with published state, views and chapters (staff: every room's)."""
        status, body = await self._request("GET", "/library")
        if status != 200:
            raise PermanentError(f"the centre refused its library list: HTTP {status} {body.get('error')}")
        return dict(body)

    async def publish(self, room: str, recording_id: str, published: bool) -> None:
        """Staff only: a room's token is refused (AuthRefused)."""
        body = {"room": room, "id": recording_id, "published": published}
        status, answer = await self._request("POST", "/library/publish", json=body)
        if status != 200:
            raise PermanentError(f"the centre refused to publish {recording_id}: HTTP {status} {answer.get('error')}",
                                 answer.get("reason"))

    async def announce_track(self, meta: dict[str, Any]) -> dict[str, Any]:
        """A per-source file of a recording (``sync/tracks.py``): its id and how many bytes the centre holds."""
        status, body = await self._request("POST", "/tracks", json=meta)
        if status != 200:
            raise PermanentError(f"the centre refused a track of {meta.get('recording_id')}: HTTP {status} "
                                 f"{body.get('error')}", body.get("reason"))
        return dict(body)

    async def send_track_piece(self, track_id: str, offset: int, piece: bytes) -> dict[str, Any]:
        headers = {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
                   "Content-Length": str(len(piece))}
        status, body = await self._request("PATCH", f"/tracks/{track_id}", body=piece, headers=headers)
        if status == 409:
            return {"offset": int(body.get("offset") or 0), "complete": False}
        if status == 422:
            return {"checksum_failed": True, "offset": 0, "complete": False}
        if status != 200:
            raise PermanentError(f"the centre refused bytes of track {track_id}: HTTP {status} {body.get('error')}",
                                 body.get("reason"))
        return dict(body)

    async def recording_status(self, recording_id: str, proof: str | None = None) -> dict[str, Any]:
        """How many bytes the centre holds; with ``proof`` (a nonce), its proof of holding them (``file_proof``)."""
        query = f"?proof={proof}" if proof else ""
        status, body = await self._request("GET", f"/recordings/{recording_id}{query}")
        if status != 200:
            raise TransientError(f"recording {recording_id} status: HTTP {status} {body.get('error')}")
        return dict(body)

    async def send_chunk(
        self, recording_id: str, offset: int, length: int, data: AsyncIterator[bytes]
    ) -> dict[str, Any]:
        """One PATCH of ``length`` bytes at ``offset``; a 409 (offset moved) or 422 (checksum) comes back as data."""
        headers = {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream",
                   "Content-Length": str(length)}
        status, body = await self._request(
            "PATCH", f"/recordings/{recording_id}", ok=(200,), data=data, headers=headers
        )
        if status == 409:
            return {"conflict": True, "offset": int(body.get("offset") or 0)}
        if status == 422:
            return {"checksum_failed": True, "offset": 0}
        if status != 200:
            raise PermanentError(f"the centre refused bytes of {recording_id}: HTTP {status} {body.get('error')}",
                                 body.get("reason"))
        return dict(body)

    async def usage(self, query: dict[str, str]) -> dict[str, Any]:
        status, body = await self._request("GET", "/usage", params=query)
        if status == 401:
            raise AuthRefused(f"the centre at {self.base_url} refused the token (HTTP 401: {body.get('error')})")
        if status != 200:
            raise PermanentError(f"the centre refused the usage report: HTTP {status} {body.get('error')}")
        return dict(body)
