"""Sources named as text, for the CLI and saved studio setups: ``test-pattern``, ``tone``, ``mic``, ...

``test-pattern[:WxH]``, ``tone``, ``mic[:DEVICE]``, ``screen[:DISPLAY]``, ``camera:URL`` (or a bare
``rtsp://``/``http://`` URL, or ``/dev/videoN``).
"""

from __future__ import annotations

from .camera import Camera
from .frames import SizeRefused, parse_size
from .microphone import Microphone
from .screen import ScreenCapture
from .source import Source
from .synthetic import TestPattern, Tone

# Why a spec made no source: the UI words the code in the user's language, the message is the log's (a size's
# codes are parse_size's: SIZE_UNREADABLE, SIZE_OUT_OF_RANGE, SIZE_ODD).
CAMERA_URL_MISSING = "camera-url-missing"
UNKNOWN_KIND = "unknown-kind"


class SourceRefused(ValueError):
    """A source spec that makes no source; ``code`` (one of the constants above) is for the UI to word."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def make_source(spec: str, *, size: tuple[int, int], fps: float, taken: set[str] | None = None) -> Source:
    """One source from its text; ``taken`` names get a numeric suffix so two test patterns can coexist."""
    kind, _, arg = spec.partition(":")
    if kind != "camera" and ("://" in spec or spec.startswith("/dev/video")):
        kind, arg = "camera", spec  # a bare URL or device is a camera; "camera:URL" keeps only the URL
    taken = taken if taken is not None else set()
    name = _unique(kind, taken)
    source: Source
    if kind == "test-pattern":
        source = TestPattern(name, _size(arg) if arg else size, fps, variant=len(
            [t for t in taken if t.startswith("test-pattern")]) - 1)
    elif kind == "tone":
        source = Tone(name)
    elif kind in ("mic", "microphone"):
        device: int | str | None = int(arg) if arg.isdigit() else (arg or None)
        source = Microphone(name, device)
    elif kind == "screen":
        source = ScreenCapture(name, arg or None, fps=fps)
    elif kind == "camera":
        if not arg:
            raise SourceRefused(CAMERA_URL_MISSING, "camera needs a URL: camera:rtsp://host/stream")
        source = Camera(name, arg, fps)
    else:
        raise SourceRefused(UNKNOWN_KIND, f"unknown source {spec!r} (test-pattern, tone, mic, screen, camera:URL)")
    return source


def _size(text: str) -> tuple[int, int]:
    """``parse_size``, its refusal a source's, with its code."""
    try:
        return parse_size(text)
    except SizeRefused as refused:
        raise SourceRefused(refused.code, str(refused)) from None


def _unique(kind: str, taken: set[str]) -> str:
    name, n = kind, 2
    while name in taken:
        name, n = f"{kind}-{n}", n + 1
    taken.add(name)
    return name
