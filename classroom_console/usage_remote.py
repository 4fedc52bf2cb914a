"""The usage report as the centre aggregates it (all rooms with a staff token, one room with a room token)."""

from __future__ import annotations

from classroom_console.sync.client import CentreClient
from classroom_console.usage_model import UsageFilter, UsageReport


async def centre_report(url: str, token: str, f: UsageFilter, cafile: str | None = None) -> UsageReport:
    client = CentreClient(url, token, cafile=cafile)
    try:
        return UsageReport.from_json(await client.usage(f.as_query()))
    finally:
        await client.close()
