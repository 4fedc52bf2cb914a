"""A whole simulated classroom on loopback: projectors, boards and displays speaking real PJLink.

Each device gets its own loopback address in LOOPBACK_ROOM (Linux routes all of 127/8 to lo) with the
standard PJLink ports, answers class 2 search there, and is announced over DNS-SD on loopback, so
discovery finds it exactly as it would find hardware, and nothing leaves this machine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import cast, get_args

from zeroconf import NonUniqueNameException

from devices.sim.camera import SimCameraConfig
from devices.sim.dnssd_advertiser import Advertisement, DnssdAdvertiser
from devices.sim.loopback import LOOPBACK_ROOM  # where simulated devices live; discovery looks here
from devices.sim.pjlink_projector import Fault, Role, SimProjectorConfig, SimulatedProjector
from devices.sim.room_camera import SimRoomCamera
from devices.sim.tablet_agent import SimulatedTablet, plan_tablets

log = logging.getLogger(__name__)

PJLINK_SERVICE = "_pjlink._tcp.local."
MAX_TABLETS = 500
FAULTS: tuple[str, ...] = get_args(Fault)
PRODUCTS: dict[str, str] = {
    "projector": "SimBeam 4100 projector",
    "board": "SimBoard 86 Interactive Board",
    "display": "SimPanel 65 flat panel display",
}


@dataclass(slots=True)
class SimRoomConfig:
    projectors: int = 3
    boards: int = 1
    displays: int = 0
    password: str | None = None
    faults: list[str] = field(default_factory=list)  # one extra projector per fault mode
    warmup_s: float = 8.0
    cooling_s: float = 5.0
    lamp_hours_per_second: float = 1 / 3600
    advertise: bool = True
    port: int = 4352
    first_host: int = 1
    cameras: int = 0  # PTZ cameras (VISCA over IP, ONVIF, an MJPEG stream)
    fixed_cameras: int = 0  # cameras with a stream and ONVIF, no PTZ
    camera_size: tuple[int, int] = (1280, 720)
    camera_fps: float = 25.0
    tablets: int = 0  # managed tablets advertising _classroom-tablet._tcp, all on one address after the cameras

    def __post_init__(self) -> None:
        unknown = [f for f in self.faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown fault mode {', '.join(unknown)}; choose from {', '.join(FAULTS)}")
        counts = (self.projectors, self.boards, self.displays, self.cameras, self.fixed_cameras)
        if any(n < 0 for n in (*counts, self.tablets)):
            raise ValueError("device counts cannot be negative")
        if self.tablets > MAX_TABLETS:
            raise ValueError(f"at most {MAX_TABLETS} simulated tablets")
        total = sum(counts) + len(self.faults) + (1 if self.tablets else 0)
        if total > LOOPBACK_ROOM.num_addresses - 2 - (self.first_host - 1):
            raise ValueError(f"at most {LOOPBACK_ROOM.num_addresses - 2} simulated devices fit in {LOOPBACK_ROOM}")


def plan(config: SimRoomConfig) -> list[SimProjectorConfig]:
    """The devices of the room, in a stable order so addresses and MACs repeat across runs."""
    roles: list[tuple[Role, Fault | None]] = []
    counted: tuple[tuple[Role, int], ...] = (
        ("projector", config.projectors),
        ("board", config.boards),
        ("display", config.displays),
    )
    for role, count in counted:
        roles += [(role, None)] * count
    roles += [("projector", cast(Fault, fault)) for fault in config.faults]
    counts: dict[str, int] = {}
    devices = []
    for offset, (role, fault) in enumerate(roles):
        counts[role] = counts.get(role, 0) + 1
        host = str(LOOPBACK_ROOM.network_address + config.first_host + offset)
        label = f"{role.capitalize()} {counts[role]}" + (f" ({fault})" if fault else "")
        last = offset + config.first_host
        devices.append(
            SimProjectorConfig(
                name=label,
                host=host,
                port=config.port,
                udp_port=config.port,
                password=config.password,
                role=role,
                product=PRODUCTS[role],
                mac=f"02:cc:80:00:{last // 256:02x}:{last % 256:02x}",
                serial=f"SIM{last:05d}",
                warmup_s=config.warmup_s,
                cooling_s=config.cooling_s,
                lamp_hours=1000 + 730 * offset,
                lamp_hours_per_second=config.lamp_hours_per_second,
                fault=fault,
                slow_delay_s=8.0,
            )
        )
    return devices


def plan_cameras(config: SimRoomConfig) -> list[SimCameraConfig]:
    """The room's cameras, on the addresses after its projectors and boards, PTZ ones first."""
    first = config.first_host + config.projectors + config.boards + config.displays + len(config.faults)
    cameras = []
    for i in range(config.cameras + config.fixed_cameras):
        ptz = i < config.cameras
        last = first + i
        cameras.append(SimCameraConfig(
            name=f"Camera {i + 1}" + ("" if ptz else " (fixed)"),
            host=str(LOOPBACK_ROOM.network_address + last),
            ptz=ptz,
            mac=f"02:cc:80:00:{last // 256:02x}:{last % 256:02x}",
            serial=f"SIMCAM{last:05d}",
            product="SimCam PTZ 20x" if ptz else "SimCam Dome fixed",
            password=config.password,
            width=config.camera_size[0],
            height=config.camera_size[1],
            fps=config.camera_fps,
        ))
    return cameras


class SimRoom:
    """Starts and stops every simulated device of a room, and their DNS-SD announcements."""

    def __init__(self, config: SimRoomConfig) -> None:
        self.config = config
        self.devices: list[SimulatedProjector] = []
        self.cameras: list[SimRoomCamera] = []
        self.tablets: list[SimulatedTablet] = []
        self._adverts = DnssdAdvertiser()

    async def start(self) -> None:
        try:
            for device_config in plan(self.config):
                sim = SimulatedProjector(device_config)
                await sim.start()
                self.devices.append(sim)
            for camera_config in plan_cameras(self.config):
                camera = SimRoomCamera(camera_config)
                await camera.start()
                self.cameras.append(camera)
            c = self.config
            tablet_host = str(LOOPBACK_ROOM.network_address + c.first_host + len(plan(c)) + len(plan_cameras(c)))
            for tablet_config in plan_tablets(c.tablets, tablet_host):
                tablet = SimulatedTablet(tablet_config)
                await tablet.start()
                self.tablets.append(tablet)
            if self.config.advertise:
                adverts = [self._advert(sim) for sim in self.devices]
                adverts += [ad for camera in self.cameras for ad in camera.advertisements()]
                adverts += [tablet.advertisement() for tablet in self.tablets]
                try:
                    await self._adverts.advertise_many(adverts)
                except NonUniqueNameException:
                    # Another simulated room on this machine already uses these names; search still finds us.
                    log.warning("DNS-SD names taken by another simulated room; not announcing this one")
                    await self._adverts.stop()
        except BaseException:
            await self.stop()
            raise

    @staticmethod
    def _advert(sim: SimulatedProjector) -> Advertisement:
        txt = {"mac": sim.mac, "role": sim.config.role, "class": str(sim.config.pjlink_class)}
        return Advertisement(PJLINK_SERVICE, sim.config.name, sim.host, sim.tcp_port, txt)

    async def stop(self) -> None:
        await self._adverts.stop()
        for sim in self.devices:
            await sim.stop()
        self.devices.clear()
        for camera in self.cameras:
            await camera.stop()
        self.cameras.clear()
        for tablet in self.tablets:
            await tablet.stop()
        self.tablets.clear()

    async def __aenter__(self) -> SimRoom:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def describe(self) -> list[str]:
        """One line per device, for the terminal that started the room."""
        lines = []
        for sim in self.devices:
            c = sim.config
            extras = [f"fault={c.fault}"] if c.fault else []
            if c.password:
                extras.append("password")
            lines.append(
                f"{c.role:<9} {c.name:<22} {sim.host}:{sim.tcp_port:<5} mac {sim.mac}  class {c.pjlink_class}"
                + (f"  ({', '.join(extras)})" if extras else "")
            )
        lines += [camera.describe() for camera in self.cameras]
        lines += [tablet.describe() for tablet in self.tablets]
        return lines
