"""What the Studio keeps between starts, per room: its sources (with the names people gave them) and its studio
scenes, the saved picture arrangements switched with one click or Alt+1..9.

These are the Studio's own scenes (which source is the main picture, which the inset, where); the room's
scenes of the Lecturer workspace (``classroom_console/scenes*.py``) are another thing. Kept in settings.json
under ``studio``; a damaged entry is dropped alone and the rest is kept.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom_console.settings import RoomSettings
from classroom_console.settings import save as save_settings

from .layout import Corner, Layout, LayoutKind, LowerThird

log = logging.getLogger(__name__)

MAX_LABEL = 40
MAX_SCENES = 9  # Alt+1 .. Alt+9


class SetupRefused(ValueError):
    """A rename or a scene that cannot be kept; ``code`` (name-missing, too-many) is for the UI to word."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def clean_label(text: str) -> str:
    return " ".join(text.split())[:MAX_LABEL]


@dataclass(frozen=True, slots=True)
class SourceEntry:
    name: str  # the program's key for it (stable: files per source and scenes use it)
    spec: str  # what it is made from: "test-pattern", "camera:rtsp://..."
    label: str = ""  # what people call it; "" : the UI's words for its kind

    @property
    def kind(self) -> str:
        kind = self.spec.partition(":")[0]
        return "camera" if kind != "camera" and ("://" in self.spec or self.spec.startswith("/dev/video")) else kind


@dataclass(frozen=True, slots=True)
class StudioScene:
    """A picture arrangement: the layout and which sources (by name) are the main picture and the inset."""

    name: str
    kind: LayoutKind = LayoutKind.SINGLE
    main_source: str = ""
    inset_source: str = ""
    corner: Corner = Corner.BOTTOM_RIGHT

    @classmethod
    def of(cls, name: str, layout: Layout, video_names: list[str]) -> StudioScene:
        """The arrangement on show now, with the sources it shows named (as placed, defaults included)."""
        placed = layout.placed(video_names)
        main = video_names[placed.main] if 0 <= placed.main < len(video_names) else ""
        inset = video_names[placed.inset] if 0 <= placed.inset < len(video_names) else ""
        return cls(name, layout.kind, main, inset, layout.corner)

    def layout(self, lower_third: LowerThird | None = None) -> Layout:
        return Layout(self.kind, corner=self.corner, lower_third=lower_third, main_source=self.main_source,
                      inset_source=self.inset_source)

    def shows(self, layout: Layout, video_names: list[str]) -> bool:
        """Whether ``layout`` is this scene's arrangement (the scene's button is then the lit one)."""
        return dataclasses.replace(StudioScene.of(self.name, layout, video_names), name=self.name) == self


@dataclass(frozen=True, slots=True)
class StudioSetup:
    sources: tuple[SourceEntry, ...] = ()
    scenes: tuple[StudioScene, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "sources": [dataclasses.asdict(s) for s in self.sources],
            "scenes": [{**dataclasses.asdict(s), "kind": str(s.kind), "corner": str(s.corner)} for s in self.scenes],
        }

    @classmethod
    def from_json(cls, raw: object) -> StudioSetup:
        if not isinstance(raw, dict):
            return cls()
        sources = []
        for entry in raw.get("sources", []) if isinstance(raw.get("sources"), list) else []:
            try:
                name, spec, label = entry["name"], entry["spec"], entry.get("label", "")
                if not all(isinstance(x, str) for x in (name, spec, label)) or not name or not spec:
                    raise ValueError("name, spec and label are text")
                sources.append(SourceEntry(name, spec, clean_label(label)))
            except (TypeError, KeyError, ValueError, AttributeError) as exc:
                log.warning("ignoring a saved studio source %r: %s", entry, exc)
        scenes = []
        for entry in raw.get("scenes", []) if isinstance(raw.get("scenes"), list) else []:
            try:
                name = clean_label(entry["name"])
                if not name or not isinstance(entry.get("main_source", ""), str):
                    raise ValueError("a scene needs a name")
                scenes.append(StudioScene(name, LayoutKind(entry.get("kind", "single")),
                                          str(entry.get("main_source", "")), str(entry.get("inset_source", "")),
                                          Corner(entry.get("corner", "bottom-right"))))
            except (TypeError, KeyError, ValueError, AttributeError) as exc:
                log.warning("ignoring a saved studio scene %r: %s", entry, exc)
        return cls(tuple(sources), tuple(scenes[:MAX_SCENES]))


def load_setup(settings: RoomSettings) -> StudioSetup:
    return StudioSetup.from_json(settings.studio)


async def save_setup(settings: RoomSettings, data_dir: Path, setup: StudioSetup) -> None:
    """Into settings.json beside the store (one write at a time: each is whole, the last one wins)."""
    settings.studio = setup.to_json()

    await asyncio.to_thread(save_settings, data_dir, settings)
