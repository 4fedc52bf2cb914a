"""Student tablets without an app: a LAN page and a WebSocket per tablet, driven by ``ClassSession``.

Public API: ``ClassSession`` (the lecturer's side), its events (``classroom_console.tablets.events``),
``Results`` and ``Limits``. See /work/briefs/tablets_api.md and docs/architecture.md.
"""

from .activities import Kind, Results
from .limits import Limits
from .participation_log import NoLog, ParticipationLog, RoomLog
from .session import ClassSession, SeatView

__all__ = ["ClassSession", "Kind", "Limits", "NoLog", "ParticipationLog", "Results", "RoomLog", "SeatView"]
