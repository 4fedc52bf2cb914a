"""Layouts as plain values: the compositor swaps one for another between two frames, so a switch never tears."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

Rect = tuple[int, int, int, int]  # x, y, width, height


class LayoutKind(enum.StrEnum):
    SINGLE = "single"
    PIP = "pip"
    SIDE_BY_SIDE = "side-by-side"


class Corner(enum.StrEnum):
    TOP_LEFT = "top-left"
    TOP_RIGHT = "top-right"
    BOTTOM_LEFT = "bottom-left"
    BOTTOM_RIGHT = "bottom-right"


@dataclass(frozen=True, slots=True)
class LowerThird:
    """A caption band; ``picture`` is the band pre-rendered by a UI (an RGB array of ``lower_third_rect``'s
    size), which is how Cyrillic gets in: the core's own OpenCV text is ASCII only."""

    lecturer: str = ""
    course: str = ""
    date: str = ""
    picture: Any = field(default=None, compare=False, hash=False, repr=False)

    @property
    def lines(self) -> list[str]:
        second = "  ·  ".join(x for x in (self.course, self.date) if x)
        return [x for x in (self.lecturer, second) if x]


@dataclass(frozen=True, slots=True)
class Layout:
    """Which video sources go where; ``main`` and ``inset`` index the program's video sources.

    ``main_source`` and ``inset_source`` name them instead, when the technician chose (``placed`` turns the
    names into indexes): a name still means the same picture after another source is added or removed.
    """

    kind: LayoutKind = LayoutKind.SINGLE
    main: int = 0
    inset: int = 1
    corner: Corner = Corner.BOTTOM_RIGHT
    inset_scale: float = 0.3
    lower_third: LowerThird | None = field(default=None)
    main_source: str = ""
    inset_source: str = ""

    def __post_init__(self) -> None:
        if not 0.1 <= self.inset_scale <= 0.5:
            raise ValueError("the picture-in-picture inset must be between 10% and 50% of the width")

    def placed(self, names: Sequence[str]) -> Layout:
        """This layout with ``main``/``inset`` pointing at the named sources among ``names`` (the program's video
        sources in order). A name not (or no longer) there falls back to the first source that is free."""
        if not self.main_source and not self.inset_source:
            return self
        main = names.index(self.main_source) if self.main_source in names else self.main
        if self.inset_source in names and names.index(self.inset_source) != main:
            inset = names.index(self.inset_source)
        else:
            inset = next((i for i in range(len(names)) if i != main), main + 1)
        return dataclasses.replace(self, main=main, inset=inset)

    def slots(self, width: int, height: int) -> list[tuple[int, Rect]]:
        """(source index, rectangle) in painting order for an output of ``width`` x ``height``."""
        if self.kind is LayoutKind.SINGLE:
            return [(self.main, (0, 0, width, height))]
        if self.kind is LayoutKind.SIDE_BY_SIDE:
            half = width // 2 - width // 2 % 2
            return [(self.main, (0, 0, half, height)), (self.inset, (half, 0, width - half, height))]
        w = round(width * self.inset_scale) // 2 * 2
        h = round(w * height / width) // 2 * 2
        margin = round(width * 0.025) // 2 * 2
        x = margin if self.corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT) else width - w - margin
        y = margin if self.corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT) else height - h - margin
        return [(self.main, (0, 0, width, height)), (self.inset, (x, y, w, h))]


def lower_third_rect(width: int, height: int) -> Rect:
    """Where the caption band goes: the left 60% of a strip near the bottom (on even pixels, as I420 wants)."""
    band_h = round(height * 0.16) // 2 * 2
    return 0, (height - band_h - round(height * 0.05)) // 2 * 2, round(width * 0.6) // 2 * 2, band_h


def parse_layout(text: str) -> Layout:
    """``single``, ``pip``, ``pip:top-left:0.25``, ``side-by-side`` (the CLI and the UI speak this)."""
    parts = text.split(":")
    kind = LayoutKind(parts[0])
    if kind is not LayoutKind.PIP:
        if len(parts) > 1:
            raise ValueError(f"{kind} takes no options")
        return Layout(kind)
    corner = Corner(parts[1]) if len(parts) > 1 and parts[1] else Corner.BOTTOM_RIGHT
    scale = float(parts[2]) if len(parts) > 2 else 0.3
    return Layout(kind, corner=corner, inset_scale=scale)
