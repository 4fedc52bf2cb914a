"""A simulated IP camera on loopback: PTZ head, rendered scene, MJPEG stream, VISCA-over-IP endpoint."""

from devices.sim.camera.camera import (
    HTTP_SERVICE,
    VISCA_SERVICE,
    Fault,
    SimCameraConfig,
    SimulatedCamera,
    default_presets,
)
from devices.sim.camera.head import MotorProfile, SimulatedHead
from devices.sim.camera.stamp import Stamp
from devices.sim.camera.stamp import read as read_stamp

__all__ = [
    "HTTP_SERVICE",
    "VISCA_SERVICE",
    "Fault",
    "MotorProfile",
    "SimCameraConfig",
    "SimulatedCamera",
    "SimulatedHead",
    "Stamp",
    "default_presets",
    "read_stamp",
]
