"""ONVIF cameras: WS-Discovery probes and the device, media and PTZ services over SOAP/HTTP.

The public surface is here; the modules behind it are the message builders and parsers of each service.
"""

from devices.onvif.camera import OnvifCamera, describe
from devices.onvif.client import OnvifClient
from devices.onvif.device import DeviceInformation, ServiceUrls
from devices.onvif.errors import AuthFailed, Garbled, NoPtz, OnvifError, OnvifTimeout, SoapFault, Unreachable
from devices.onvif.media import Profile, StreamProtocol
from devices.onvif.ptz import Preset, PtzStatus, PtzVector
from devices.onvif.wsd_listen import Announcement, AnnouncementListener
from devices.onvif.wsd_messages import CAMERA_TYPES, GROUP, PORT, ProbeMatch, scope_uri, scope_value
from devices.onvif.wsdiscovery import probe

__all__ = [
    "CAMERA_TYPES",
    "GROUP",
    "PORT",
    "Announcement",
    "AnnouncementListener",
    "AuthFailed",
    "DeviceInformation",
    "Garbled",
    "NoPtz",
    "OnvifCamera",
    "OnvifClient",
    "OnvifError",
    "OnvifTimeout",
    "Preset",
    "ProbeMatch",
    "Profile",
    "PtzStatus",
    "PtzVector",
    "ServiceUrls",
    "SoapFault",
    "StreamProtocol",
    "Unreachable",
    "describe",
    "probe",
    "scope_uri",
    "scope_value",
]
