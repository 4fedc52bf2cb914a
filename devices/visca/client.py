"""The VISCA commands and inquiries Classroom Console uses, on top of a ViscaSession.

Positions come and go both in the camera's own units and normalised (pan/tilt -1..1, zoom 0..1, speeds
as fractions of the top speed), the units the core and ONVIF use; ``ranges`` maps one onto the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.visca import commands as cmd
from devices.visca.errors import ViscaError, ViscaParseError
from devices.visca.replies import nibbles, signed16
from devices.visca.session import ViscaSession


@dataclass(frozen=True, slots=True)
class Position:
    """Where the head is, normalised (pan/tilt -1..1, zoom 0..1), with the camera's raw values."""

    pan: float
    tilt: float
    zoom: float
    raw_pan: int
    raw_tilt: int
    raw_zoom: int


@dataclass(frozen=True, slots=True)
class Version:
    vendor: int
    model: int
    rom: int
    sockets: int


class ViscaClient(ViscaSession):
    """One camera: ``async with ViscaClient(host) as camera: await camera.preset_recall(2)``."""

    async def __aenter__(self) -> ViscaClient:
        await self.connect()
        return self

    # Movement
    async def drive(self, pan_speed: float, tilt_speed: float) -> None:
        """Pan/tilt continuously at signed fractions of the top speed (right and up positive); 0, 0 stops."""
        pan = cmd.Pan.RIGHT if pan_speed > 0 else cmd.Pan.LEFT if pan_speed < 0 else cmd.Pan.STOP
        tilt = cmd.Tilt.UP if tilt_speed > 0 else cmd.Tilt.DOWN if tilt_speed < 0 else cmd.Tilt.STOP
        await self.pan_tilt_drive(pan, tilt, self.ranges.pan_speed(pan_speed), self.ranges.tilt_speed(tilt_speed))

    async def pan_tilt_drive(self, pan: cmd.Pan, tilt: cmd.Tilt, pan_speed: int, tilt_speed: int) -> None:
        await self.command(cmd.pan_tilt_drive(pan, tilt, pan_speed, tilt_speed, self.address))

    async def pan_tilt_stop(self) -> None:
        await self.command(cmd.pan_tilt_stop(self.address))

    async def pan_tilt_to(self, pan: int, tilt: int, pan_speed: int | None = None, tilt_speed: int | None = None,
                          *, wait: bool = True) -> None:
        """Absolute move in the camera's units; returns at completion (the head has arrived) unless not ``wait``."""
        payload = cmd.pan_tilt_absolute(pan, tilt, pan_speed or self.ranges.pan_speed_max,
                                        tilt_speed or self.ranges.tilt_speed_max, self.address)
        await self.command(payload, wait=wait)

    async def move_to(self, pan: float, tilt: float, zoom: float | None = None, speed: float = 1.0,
                      *, wait: bool = True) -> None:
        """Absolute move in normalised units: the zoom (if given) is started first, then the pan/tilt, whose
        completion (usually the later) ``wait`` waits for; one command in flight cannot await both."""
        r = self.ranges
        if zoom is not None:
            await self.zoom_to(r.zoom_to_visca(zoom), wait=False)
        await self.pan_tilt_to(r.pan_to_visca(pan), r.tilt_to_visca(tilt), r.pan_speed(speed), r.tilt_speed(speed),
                               wait=wait)

    async def home(self, *, wait: bool = True) -> None:
        await self.command(cmd.home(self.address), wait=wait)

    async def zoom(self, speed: float) -> None:
        """Zoom continuously at a signed fraction of the top speed (tele positive); 0 stops."""
        if speed == 0:
            await self.zoom_stop()
            return
        step = max(0, min(self.ranges.zoom_speed_max, round(abs(speed) * self.ranges.zoom_speed_max)))
        await self.zoom_tele(step) if speed > 0 else await self.zoom_wide(step)

    async def zoom_tele(self, speed: int | None = None) -> None:
        await self.command(cmd.zoom_tele(speed, self.address))

    async def zoom_wide(self, speed: int | None = None) -> None:
        await self.command(cmd.zoom_wide(speed, self.address))

    async def zoom_stop(self) -> None:
        await self.command(cmd.zoom_stop(self.address))

    async def zoom_to(self, position: int, *, wait: bool = True) -> None:
        await self.command(cmd.zoom_direct(position, self.address), wait=wait)

    async def preset_set(self, number: int) -> None:
        await self.command(cmd.memory(cmd.MemoryAction.SET, number, self.address))

    async def preset_recall(self, number: int, *, wait: bool = True) -> None:
        """Returns once the head has arrived (the camera's completion) unless not ``wait``."""
        await self.command(cmd.memory(cmd.MemoryAction.RECALL, number, self.address), wait=wait)

    async def preset_reset(self, number: int) -> None:
        await self.command(cmd.memory(cmd.MemoryAction.RESET, number, self.address))

    async def power(self, on: bool) -> None:
        await self.command(cmd.power(on, self.address))

    # Inquiries
    async def power_state(self) -> bool:
        """True on, False standby; a camera reporting a power fault (04) raises ViscaError("device-fault")."""
        data = await self.inquire(cmd.power_inquiry(self.address))
        if data == b"\x02":
            return True
        if data == b"\x03":
            return False
        if data == b"\x04":
            raise ViscaError("camera reports a power circuit fault", "device-fault")
        raise ViscaParseError(f"power inquiry answered {data.hex(' ')}")

    async def pan_tilt_position(self) -> tuple[int, int]:
        data = await self.inquire(cmd.pan_tilt_position_inquiry(self.address))
        if len(data) != 8:
            raise ViscaParseError(f"pan/tilt position inquiry answered {data.hex(' ')}")
        return signed16(nibbles(data[:4])), signed16(nibbles(data[4:]))

    async def zoom_position(self) -> int:
        data = await self.inquire(cmd.zoom_position_inquiry(self.address))
        if len(data) != 4:
            raise ViscaParseError(f"zoom position inquiry answered {data.hex(' ')}")
        return nibbles(data)

    async def position(self) -> Position:
        pan, tilt = await self.pan_tilt_position()
        zoom = await self.zoom_position()
        r = self.ranges
        return Position(r.pan_from_visca(pan), r.tilt_from_visca(tilt), r.zoom_from_visca(zoom), pan, tilt, zoom)

    async def version(self) -> Version:
        data = await self.inquire(cmd.version_inquiry(self.address))
        if len(data) != 7:
            raise ViscaParseError(f"version inquiry answered {data.hex(' ')}")
        return Version(int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big"),
                       int.from_bytes(data[4:6], "big"), data[6])
