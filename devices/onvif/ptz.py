"""PTZ service messages (ver20) in the generic spaces: pan and tilt in [-1, 1], zoom in [0, 1].

Velocities are in [-1, 1] on every axis. The default spaces are used by leaving ``space`` out, which is
what every ONVIF camera must accept, so the client needs no GetConfigurationOptions round trip.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.onvif.errors import Garbled
from devices.onvif.xml import NS, Element, attr_float, esc, find, local_name, need, text

MAX_PRESETS = 256


@dataclass(frozen=True, slots=True)
class PtzVector:
    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0


@dataclass(frozen=True, slots=True)
class PtzStatus:
    position: PtzVector
    moving: bool  # either axis group reports MOVING
    error: str = ""


@dataclass(frozen=True, slots=True)
class Preset:
    token: str
    name: str
    position: PtzVector | None


def _check(value: float, low: float, high: float, what: str) -> float:
    if not low <= value <= high:
        raise ValueError(f"{what} {value} is outside [{low}, {high}]")
    return value


def _vector(tag: str, v: PtzVector, *, velocity: bool) -> str:
    zoom_low = -1.0 if velocity else 0.0
    return (f'<tptz:{tag}><tt:PanTilt x="{_check(v.pan, -1, 1, "pan"):.6g}" y="{_check(v.tilt, -1, 1, "tilt"):.6g}"/>'
            f'<tt:Zoom x="{_check(v.zoom, zoom_low, 1, "zoom"):.6g}"/></tptz:{tag}>')


def _speed(speed: float | None) -> str:
    if speed is None:
        return ""
    s = _check(speed, 0, 1, "speed")
    return f'<tptz:Speed><tt:PanTilt x="{s:.6g}" y="{s:.6g}"/><tt:Zoom x="{s:.6g}"/></tptz:Speed>'


def _profile(profile: str) -> str:
    return f"<tptz:ProfileToken>{esc(profile)}</tptz:ProfileToken>"


def continuous_move(profile: str, velocity: PtzVector, timeout_s: float | None) -> str:
    timeout = ("" if timeout_s is None else
               f"<tptz:Timeout>PT{_check(timeout_s, 0, 3600, 'timeout'):.3f}S</tptz:Timeout>")
    return (f"<tptz:ContinuousMove>{_profile(profile)}{_vector('Velocity', velocity, velocity=True)}{timeout}"
            "</tptz:ContinuousMove>")


def stop(profile: str, pan_tilt: bool, zoom: bool) -> str:
    return (f"<tptz:Stop>{_profile(profile)}<tptz:PanTilt>{str(pan_tilt).lower()}</tptz:PanTilt>"
            f"<tptz:Zoom>{str(zoom).lower()}</tptz:Zoom></tptz:Stop>")


def absolute_move(profile: str, position: PtzVector, speed: float | None) -> str:
    return (f"<tptz:AbsoluteMove>{_profile(profile)}{_vector('Position', position, velocity=False)}"
            f"{_speed(speed)}</tptz:AbsoluteMove>")


def goto_preset(profile: str, preset: str, speed: float | None) -> str:
    return (f"<tptz:GotoPreset>{_profile(profile)}<tptz:PresetToken>{esc(preset)}</tptz:PresetToken>"
            f"{_speed(speed)}</tptz:GotoPreset>")


def set_preset(profile: str, name: str, preset: str | None) -> str:
    token = "" if preset is None else f"<tptz:PresetToken>{esc(preset)}</tptz:PresetToken>"
    named = f"<tptz:PresetName>{esc(name)}</tptz:PresetName>" if name else ""
    return f"<tptz:SetPreset>{_profile(profile)}{named}{token}</tptz:SetPreset>"


def goto_home(profile: str, speed: float | None) -> str:
    return f"<tptz:GotoHomePosition>{_profile(profile)}{_speed(speed)}</tptz:GotoHomePosition>"


def get_presets(profile: str) -> str:
    return f"<tptz:GetPresets>{_profile(profile)}</tptz:GetPresets>"


def get_status(profile: str) -> str:
    return f"<tptz:GetStatus>{_profile(profile)}</tptz:GetStatus>"


def read_position(element: Element | None) -> PtzVector | None:
    """A tt:PTZVector (pan/tilt and zoom each optional), or None when it carries neither."""
    if element is None:
        return None
    pan_tilt, zoom = find(element, "tt:PanTilt"), find(element, "tt:Zoom")
    if pan_tilt is None and zoom is None:
        return None
    return PtzVector(
        pan=0.0 if pan_tilt is None else attr_float(pan_tilt, "x", -1, 1),
        tilt=0.0 if pan_tilt is None else attr_float(pan_tilt, "y", -1, 1),
        zoom=0.0 if zoom is None else attr_float(zoom, "x", 0, 1),
    )


def read_status(response: Element) -> PtzStatus:
    status = need(response, "tptz:PTZStatus")
    position = read_position(find(status, "tt:Position"))
    if position is None:
        raise Garbled("a PTZ status without a position")
    moving = any(text(status, f"tt:MoveStatus/tt:{axis}").upper() == "MOVING" for axis in ("PanTilt", "Zoom"))
    return PtzStatus(position, moving, text(status, "tt:Error")[:200])


def read_presets(response: Element) -> list[Preset]:
    presets = []
    for element in response.iterfind("tptz:Preset", NS):
        token = element.get("token", "")
        if not token or len(token) > 64:
            raise Garbled("a preset without a usable token")
        presets.append(Preset(token, text(element, "tt:Name")[:128], read_position(find(element, "tt:PTZPosition"))))
    return presets[:MAX_PRESETS]


def read_preset_token(response: Element) -> str:
    token = text(response, "tptz:PresetToken")
    if not token or len(token) > 64:
        raise Garbled(f"SetPreset answered without a usable token ({local_name(response.tag)})")
    return token
