"""The centre's HTTP API from the room's side, with every failure sorted into retry, refuse or give up."""

from __future__ import annotations

import codecs
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

API = "/api/v1"
codecs.lookup("idna")  # cached now: TLS looks it up lazily on the loop, where the import would stat files


class SyncError(Exception):
    """Base of what the sync reports."""


class TransientError(SyncError):
    """Worth retrying later: the centre is away, busy or the connection dropped."""


class PermanentError(SyncError):
    """The centre refused the item itself; retrying the same bytes cannot help."""


class AuthRefused(SyncError):
    """The centre does not know this room's token: nothing will upload until it is fixed."""


def refused_message(url: str, status: int, detail: str) -> str:
    return (
        f"The centre at {url} refused this room's token (HTTP {status}: {detail}). "
        "Ask centre staff for the room's token (they issue it with 'classroom-console centre add-room') "
        "and give it with --token."
    )


async def _detail(resp: aiohttp.ClientResponse) -> str:
    try:
        body = await resp.json(content_type=None)
        return str(body.get("error", body)) if isinstance(body, dict) else str(body)
    except (ValueError, aiohttp.ClientError):
        return resp.reason or ""


class CentreClient:
    def __init__(self, base_url: str, token: str, *, cafile: str | None = None, connect_timeout_s: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        context: ssl.SSLContext | bool = ssl.create_default_context(cafile=cafile) if cafile else True
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=context, limit=4),
            timeout=aiohttp.ClientTimeout(total=None, connect=connect_timeout_s, sock_read=120.0),
            headers=self._headers,
        )

    async def close(self) -> None:
        await self._session.close()

    async def _request(self, method: str, path: str, ok: tuple[int, ...] = (200,), **kw: Any) -> tuple[int, Any]:
        try:
            async with self._session.request(method, f"{self.base_url}{API}{path}", **kw) as resp:
                if resp.status in (401, 403) and not path.startswith("/usage"):
                    raise AuthRefused(refused_message(self.base_url, resp.status, await _detail(resp)))
                if resp.status in ok:
                    body = None if method == "HEAD" else await resp.json(content_type=None)
                    return resp.status, (body if body is not None else dict(resp.headers))
                detail = await _detail(resp)
                if resp.status in (403,):
                    raise PermanentError(f"HTTP {resp.status}: {detail}")
                if resp.status >= 500 or resp.status in (408, 425, 429):
                    raise TransientError(f"the centre answered HTTP {resp.status}: {detail}")
                return resp.status, {"error": detail, "offset": resp.headers.get("Upload-Offset")}
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as exc:
            raise TransientError(f"cannot reach the centre at {self.base_url}: {exc or type(exc).__name__}") from exc

    async def ping(self) -> dict[str, Any]:
        _, body = await self._request("GET", "/ping")
        return dict(body)

    async def put_session(self, session_id: str, payload: dict[str, Any]) -> int:
        status, body = await self._request("PUT", f"/sessions/{session_id}", json=payload)
        if status != 200:
            raise PermanentError(f"the centre refused session {session_id}: HTTP {status} {body.get('error')}")
        return int(body["events"])

    async def announce_recording(self, meta: dict[str, Any]) -> dict[str, Any]:
        status, body = await self._request("POST", "/recordings", json=meta)
        if status != 200:
            raise PermanentError(f"the centre refused recording {meta.get('id')}: HTTP {status} {body.get('error')}")
        return dict(body)

    async def recording_status(self, recording_id: str) -> dict[str, Any]:
        status, body = await self._request("GET", f"/recordings/{recording_id}")
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
            raise PermanentError(f"the centre refused bytes of {recording_id}: HTTP {status} {body.get('error')}")
        return dict(body)

    async def usage(self, query: dict[str, str]) -> dict[str, Any]:
        status, body = await self._request("GET", "/usage", params=query)
        if status != 200:
            raise PermanentError(f"the centre refused the usage report: HTTP {status} {body.get('error')}")
        return dict(body)
