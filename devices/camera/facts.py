"""What a camera's faces told discovery, read back from a device's state in one place.

One camera may be found three ways (an ONVIF service, a VISCA port, a stream advert); each identification
adds its part to the state under these keys, and the driver reads them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CameraFacts:
    stream_url: str = ""
    snapshot_url: str = ""
    onvif_url: str = ""
    onvif_ptz: bool = False
    visca_port: int | None = None
    visca_framing: str = "visca-ip"  # a per-camera setting: Sony's header, or bare VISCA on UDP or TCP 5678

    @property
    def ptz_protocol(self) -> str | None:
        """VISCA where the camera has it (a datagram, not a SOAP request, per move), else ONVIF PTZ."""
        if self.visca_port is not None:
            return "visca-ip"
        return "onvif" if self.onvif_ptz else None

    @property
    def ptz_port(self) -> int | None:
        return self.visca_port if self.ptz_protocol == "visca-ip" else None

    @staticmethod
    def of(state: Mapping[str, Any]) -> CameraFacts:
        port = state.get("visca_port")
        return CameraFacts(
            stream_url=str(state.get("stream_url") or ""),
            snapshot_url=str(state.get("snapshot_url") or ""),
            onvif_url=str(state.get("onvif") or ""),
            onvif_ptz=bool(state.get("onvif_ptz")),
            visca_port=int(port) if isinstance(port, int) else None,
            visca_framing=str(state.get("visca_framing") or "visca-ip"),
        )
