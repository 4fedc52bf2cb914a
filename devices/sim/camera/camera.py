"""One simulated camera on loopback: an MJPEG stream of the scene it frames and, if PTZ, a VISCA head.

It stands in for a PTZ (or fixed) IP camera so the console can be driven and tested without hardware:
the picture really follows pan, tilt and zoom at a motor's pace, and the same fault modes as the
simulated projectors make it slow, silent, garbled, or drop its stream for a while. It does not
announce itself: ``advertisements()`` says what it would announce, and the room registers those.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from devices.sim.camera.head import MotorProfile, SimulatedHead
from devices.sim.camera.scene import Renderer, pyramid
from devices.sim.camera.stream import SNAPSHOT_PATH, STREAM_PATH, FramePump, MjpegServer, StreamFault
from devices.sim.camera.visca_endpoint import ViscaEndpoint, ViscaFault
from devices.sim.dnssd_advertiser import Advertisement
from devices.sim.ptz import PtzPosition
from devices.tasks import cancel_and_wait
from devices.visca.units import ViscaRanges

log = logging.getLogger(__name__)

Fault = Literal["slow", "silent", "garbage", "stream_drops"]
HTTP_SERVICE = "_http._tcp.local."
VISCA_SERVICE = "_visca._udp.local."


def default_presets() -> dict[int, tuple[str, PtzPosition]]:
    """Three framings every simulated PTZ camera starts with, far enough apart to see a recall."""
    return {
        1: ("Board", PtzPosition(pan=0.0, tilt=0.45, zoom=0.35)),
        2: ("Students", PtzPosition(pan=0.6, tilt=-0.5, zoom=0.55)),
        3: ("Window", PtzPosition(pan=-0.85, tilt=0.2, zoom=0.45)),
    }


@dataclass
class SimCameraConfig:
    """Everything that makes one simulated camera differ from another."""

    name: str = "Sim Camera"
    host: str = "127.0.0.1"
    http_port: int = 8080
    visca_port: int = 52381
    visca_tcp_port: int | None = None  # 5678 to also take bare VISCA over TCP
    ptz: bool = True  # a fixed camera has no VISCA and never moves
    mac: str | None = None
    serial: str | None = None
    manufacturer: str = "Classroom Sim"
    product: str = ""
    password: str | None = None  # the ONVIF user's password, for the ONVIF service (not served here)
    width: int = 1280
    height: int = 720
    fps: float = 25.0
    jpeg_quality: int = 80
    fault: Fault | None = None
    slow_delay_s: float = 5.0
    drop_every_s: float = 10.0  # stream_drops: up this long, then
    drop_for_s: float = 3.0  # gone this long
    motor: MotorProfile = field(default_factory=MotorProfile)
    presets: dict[int, tuple[str, PtzPosition]] = field(default_factory=default_presets)
    ranges: ViscaRanges = field(default_factory=ViscaRanges)


class SimulatedCamera:
    """Start, use, stop. Ports given as 0 are chosen by the system (tests); the URLs say which."""

    def __init__(self, config: SimCameraConfig) -> None:
        self.config = config
        digest = hashlib.sha256(f"{config.host}:{config.http_port}:{config.name}".encode()).digest()
        local = bytes([digest[0] & 0xFC | 0x02]) + digest[1:6]  # locally administered, unicast
        self._mac = (config.mac or ":".join(f"{b:02x}" for b in local)).lower()
        self._serial = config.serial or f"SIMCAM{digest[6:10].hex().upper()}"
        self._product = config.product or ("SimCam PTZ 8x" if config.ptz else "SimCam Fixed")
        self.head = SimulatedHead(config.motor, presets=config.presets if config.ptz else {})
        self._executor: ThreadPoolExecutor | None = None
        self._server: MjpegServer | None = None
        self._pump: FramePump | None = None
        self._visca: ViscaEndpoint | None = None
        self._drops: asyncio.Task[None] | None = None

    # What the room and discovery need
    @property
    def host(self) -> str:
        return self.config.host

    @property
    def mac(self) -> str:
        return self._mac

    @property
    def serial(self) -> str:
        return self._serial

    @property
    def product(self) -> str:
        return self._product

    @property
    def http_port(self) -> int:
        return self._require(self._server).port

    @property
    def stream_url(self) -> str:
        return self._require(self._server).url(STREAM_PATH)

    @property
    def snapshot_url(self) -> str:
        return self._require(self._server).url(SNAPSHOT_PATH)

    @property
    def visca_port(self) -> int | None:
        """The VISCA-over-IP UDP port (None for a fixed camera)."""
        return None if self._visca is None else self._visca.port

    @property
    def visca_tcp_port(self) -> int | None:
        return None if self._visca is None else self._visca.tcp_port

    @property
    def stream_up(self) -> bool:
        return self._server is not None and self._server.running

    @property
    def frames_made(self) -> int:
        return 0 if self._pump is None else self._pump.index

    @property
    def viewers(self) -> int:
        return 0 if self._pump is None else self._pump.watchers

    def advertisements(self) -> list[Advertisement]:
        """What this camera would announce over DNS-SD (the room registers them; this never does)."""
        c = self.config
        http_txt = {"path": STREAM_PATH, "snapshot": SNAPSHOT_PATH, "mac": self._mac, "serial": self._serial,
                    "kind": "camera", "ptz": "visca-ip" if c.ptz else "none", "product": self._product}
        ads = [Advertisement(HTTP_SERVICE, c.name, self.host, self.http_port, http_txt)]
        if self.visca_port is not None:
            ads.append(Advertisement(VISCA_SERVICE, c.name, self.host, self.visca_port,
                                     {"mac": self._mac, "serial": self._serial, "framing": "visca-ip"}))
        return ads

    def describe(self) -> str:
        """One line for the terminal that started the room."""
        c = self.config
        ptz = f"VISCA udp {self.visca_port}" if self.visca_port is not None else "fixed"
        extras = [f"fault={c.fault}"] if c.fault else []
        return (f"camera    {c.name:<22} {self.stream_url}  {ptz}  mac {self._mac}"
                + (f"  ({', '.join(extras)})" if extras else ""))

    def device_info(self) -> dict[str, Any]:
        """What /device.json answers: identity and where to reach the camera's parts."""
        c = self.config
        return {"name": c.name, "manufacturer": c.manufacturer, "product": self._product, "mac": self._mac,
                "serial": self._serial, "width": c.width, "height": c.height, "fps": c.fps,
                "stream": STREAM_PATH, "snapshot": SNAPSHOT_PATH,
                "visca": None if self.visca_port is None else {"port": self.visca_port, "framing": "visca-ip",
                                                               "tcp_port": self.visca_tcp_port}}

    # Life
    async def start(self) -> None:
        c = self.config
        try:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"sim-camera-{c.host}")
            await asyncio.get_running_loop().run_in_executor(self._executor, pyramid)  # drawn once, ~0.3 s
            renderer = Renderer(c.width, c.height)

            def make_frame(index: int) -> bytes:
                frame = renderer.render(self.head.position(), time.time(), index)
                return renderer.encode(frame, c.jpeg_quality)

            self._pump = FramePump(make_frame, c.fps, self._executor)
            stream_fault = cast(StreamFault, c.fault) if c.fault in ("slow", "silent", "garbage") else None
            self._server = MjpegServer(self._pump, c.host, c.http_port, info=self.device_info, fault=stream_fault,
                                       slow_delay_s=c.slow_delay_s)
            # HTTP first: TCP refuses a second camera on this address, whereas UDP with SO_REUSEADDR (which
            # VISCA tools on the same machine need) would let a second one bind beside the first.
            await self._server.start()
            if c.ptz:
                visca_fault = cast(ViscaFault, c.fault) if c.fault in ("slow", "silent", "garbage") else None
                self._visca = ViscaEndpoint(self.head, c.host, c.visca_port, tcp_port=c.visca_tcp_port,
                                            ranges=c.ranges, fault=visca_fault, slow_delay_s=c.slow_delay_s)
                await self._visca.start()
            if c.fault == "stream_drops":
                self._drops = asyncio.create_task(self._drop_now_and_then(), name=f"sim-camera-drops-{c.host}")
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        await cancel_and_wait(self._drops)
        self._drops = None
        if self._visca is not None:
            await self._visca.stop()
            self._visca = None
        if self._server is not None:
            await self._server.stop()
        if self._pump is not None:
            await self._pump.stop()
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False)  # its thread ends after the frame in hand (a few ms)

    async def __aenter__(self) -> SimulatedCamera:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def interrupt_stream(self, duration_s: float) -> None:
        """The stream drops now (viewers cut off, the port refuses) and comes back after ``duration_s``."""
        await self._require(self._server).interrupt(duration_s)

    async def _drop_now_and_then(self) -> None:
        while True:
            await asyncio.sleep(self.config.drop_every_s)
            log.info("simulated camera %s: stream drops for %.1f s", self.config.name, self.config.drop_for_s)
            await self.interrupt_stream(self.config.drop_for_s)

    @staticmethod
    def _require(part: MjpegServer | None) -> MjpegServer:
        if part is None:
            raise RuntimeError("start() the camera first")
        return part
