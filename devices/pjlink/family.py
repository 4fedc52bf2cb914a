"""PJLink as a device family: projectors, flat panels and boards' displays (TCP 4352, DNS-SD _pjlink._tcp)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import ClassVar

from devices.driver import Capability, Driver, DriverOptions, Identity, NoticeListener, OnNotice
from devices.model import DeviceInfo
from devices.pjlink.driver import PJLinkDriver
from devices.pjlink.identify import identify
from devices.pjlink.notifications import NOTIFY_PORT, NotificationListener
from devices.pjlink.protocol import Reply
from devices.registry import register


class PJLinkFamily:
    protocol: ClassVar[str] = "pjlink"
    dnssd_types: ClassVar[tuple[str, ...]] = ("_pjlink._tcp.local.",)
    capabilities: ClassVar[frozenset[Capability]] = PJLinkDriver.capabilities

    async def identify(
        self, host: str, port: int, password: str | None, step_timeout: float, hints: Mapping[str, str]
    ) -> Identity:
        return await identify(host, port, password, step_timeout)

    def accepts(self, service_type: str, txt: Mapping[str, str]) -> bool:
        return True

    def driver(self, info: DeviceInfo, options: DriverOptions) -> Driver:
        return PJLinkDriver(info, options)

    def notices(self, addresses: Collection[str], port: int | None, on_notice: OnNotice) -> NoticeListener | None:
        """Class 2 status notifications (UDP 4352): LKUP is a device announcing itself, the rest are changes."""

        def heard(address: str, notice: Reply) -> None:
            on_notice(address, notice.cmd == "LKUP")

        return NotificationListener(list(addresses), heard, NOTIFY_PORT if port is None else port)


PJLINK = register(PJLinkFamily())
