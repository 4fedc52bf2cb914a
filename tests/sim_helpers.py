"""A console on a simulated room, fast-polling, kept on loopback: what the device tests share."""

from __future__ import annotations

from pathlib import Path

from classroom_console.console import ConsoleCore, ConsoleOptions
from classroom_console.discovery_scope import Scope
from devices.sim.room import SimRoomConfig


def demo_core(data_dir: Path, sim: SimRoomConfig) -> ConsoleCore:
    return ConsoleCore(
        ConsoleOptions(
            data_dir=data_dir,
            demo=True,
            demo_history=False,
            scope=Scope.LOOPBACK,
            sim_room=sim,
            poll_interval_s=0.2,
            rediscover_every_s=60,
        )
    )
