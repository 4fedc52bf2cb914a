"""Turns a PJLink snapshot into the plain, JSON-able state a card shows and the log keeps.

The keys are the ones ``devices.driver.Capability`` documents, so a card needs no PJLink knowledge.
"""

from __future__ import annotations

from typing import Any

from devices.driver import Capability
from devices.pjlink.state import ProjectorState
from devices.pjlink.values import ErrorLevel

# What a PJLink device can be asked to do (the driver's capabilities, kept here so a blocking read has them too).
CAPABILITIES = frozenset(
    {Capability.POWER, Capability.INPUT, Capability.BLANK, Capability.FREEZE, Capability.LAMP, Capability.ERRORS}
)


def projector_state(state: ProjectorState) -> dict[str, Any]:
    """Only what the device reported: a missing key means "not reported", never a guess."""
    out: dict[str, Any] = {}
    if state.power is not None:
        out["power"] = state.power.name.lower()
    if state.input is not None:
        out["input"] = state.input.code
        out["input_name"] = state.input_names.get(state.input.code) or state.input.name
    if state.inputs:
        out["inputs"] = {i.code: state.input_names.get(i.code) or i.name for i in state.inputs}
    if state.mute is not None:
        out["video_mute"] = state.mute.video
        out["audio_mute"] = state.mute.audio
    if state.lamps:
        out["lamp_hours"] = [lamp.hours for lamp in state.lamps]
    if state.errors is not None:
        out["errors"] = {
            component: "error" if level is ErrorLevel.ERROR else "warning"
            for component, level in state.errors.problems()
        }
    if state.failed:
        out["failed"] = sorted(state.failed)
    if state.unavailable:
        out["unavailable"] = sorted(state.unavailable)
    for key in ("manufacturer", "product", "info", "serial_number", "software_version", "filter_hours"):
        value = getattr(state, key)
        if value not in (None, ""):
            out[key] = value
    if state.pjlink_class is not None:
        out["class"] = state.pjlink_class
    if state.input_resolution is not None:
        out["resolution"] = "x".join(map(str, state.input_resolution))
    return out
