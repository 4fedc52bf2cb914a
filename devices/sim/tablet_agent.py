"""A simulated managed tablet: a TCP port that answers (the agent) and its ``_classroom-tablet._tcp`` advert.

The agent says nothing: the advert's TXT record carries the tablet's name and battery (``devices/tablet``).
Tablets of a simulated room share one loopback address, each on its own port, so a cart of 30 does not use
up the room's addresses.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from devices.sim.dnssd_advertiser import Advertisement
from devices.tablet.facts import SERVICE_TYPE


@dataclass(slots=True)
class SimTabletConfig:
    name: str
    host: str
    mac: str
    battery: int = 80
    charging: bool = False
    model: str = "SimTab 10"
    port: int = 0  # 0: any free port


def plan_tablets(count: int, host: str, first_mac: int = 0) -> list[SimTabletConfig]:
    """``count`` tablets with repeatable names, MACs and batteries (some low, every fourth charging)."""
    return [
        SimTabletConfig(name=f"Tablet {i + 1}", host=host, mac=f"02:cc:81:00:{(first_mac + i) // 256:02x}:"
                        f"{(first_mac + i) % 256:02x}", battery=(95 - 17 * i) % 101, charging=i % 4 == 3)
        for i in range(count)
    ]


class SimulatedTablet:
    def __init__(self, config: SimTabletConfig) -> None:
        self.config = config
        self._server: asyncio.Server | None = None
        self.port = config.port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, self.config.host, self.config.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    @staticmethod
    async def _answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    def txt(self) -> dict[str, str]:
        c = self.config
        return {"name": c.name, "battery": str(c.battery), "charging": "1" if c.charging else "0", "mac": c.mac,
                "model": c.model}

    def advertisement(self) -> Advertisement:
        return Advertisement(SERVICE_TYPE, self.config.name, self.config.host, self.port, self.txt())

    def describe(self) -> str:
        c = self.config
        return (f"{'tablet':<9} {c.name:<22} {c.host}:{self.port:<5} mac {c.mac}  battery {c.battery}%"
                + ("  (charging)" if c.charging else ""))
