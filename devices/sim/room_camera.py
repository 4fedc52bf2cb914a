"""One simulated camera as a room holds it: the picture and VISCA head, its ONVIF service, its WS-Discovery answer.

The camera (``devices/sim/camera``) and its ONVIF side are built separately; a room wants them together, on one
loopback address, found the ways real cameras are found.
"""

from __future__ import annotations

import uuid

from devices.sim.camera import SimCameraConfig, SimulatedCamera
from devices.sim.dnssd_advertiser import Advertisement
from devices.sim.onvif_service import SimOnvifConfig, SimOnvifService
from devices.sim.wsdiscovery_responder import ResponderConfig, WsDiscoveryResponder, camera_scopes

ONVIF_PORT = 8899  # many classroom cameras serve ONVIF here, beside their web page on 80
WSD_PORT = 3702


class SimRoomCamera:
    def __init__(self, config: SimCameraConfig, onvif_port: int = ONVIF_PORT, wsd_port: int = WSD_PORT) -> None:
        self.config = config
        self.camera = SimulatedCamera(config)
        self.onvif_port = onvif_port
        self.wsd_port = wsd_port
        self.onvif: SimOnvifService | None = None
        self.responder: WsDiscoveryResponder | None = None

    @property
    def host(self) -> str:
        return self.config.host

    async def start(self) -> None:
        camera, c = self.camera, self.config
        await camera.start()
        try:
            self.onvif = SimOnvifService(
                SimOnvifConfig(host=c.host, port=self.onvif_port, password=c.password, manufacturer=c.manufacturer,
                               model=c.product or ("SimCam PTZ" if c.ptz else "SimCam fixed"), serial=camera.serial,
                               mac=camera.mac, stream_uri=camera.stream_url, snapshot_uri=camera.snapshot_url,
                               width=c.width, height=c.height),
                head=camera.head if c.ptz else None,
            )
            await self.onvif.start()
            endpoint = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'classroom-console-sim/' + camera.mac)}"
            self.responder = WsDiscoveryResponder(ResponderConfig(
                host=c.host, endpoint=endpoint, xaddrs=[self.onvif.device_url],
                scopes=camera_scopes(c.name, c.product or "SimCam", ptz=c.ptz), port=self.wsd_port,
            ))
            await self.responder.start()
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        responder, onvif, self.responder, self.onvif = self.responder, self.onvif, None, None
        if responder is not None:
            await responder.stop()
        if onvif is not None:
            await onvif.stop()
        await self.camera.stop()

    def advertisements(self) -> list[Advertisement]:
        return self.camera.advertisements()

    def describe(self) -> str:
        onvif = f"  onvif {self.onvif.device_url}" if self.onvif is not None else ""
        return self.camera.describe() + onvif + ("  (password)" if self.config.password else "")
