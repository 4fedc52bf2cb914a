"""Live destinations a studio can go out to: named, their stream keys kept like device passwords.

A destination's URL ends in its stream key, a secret: the URL lives in the password book (the system keyring,
else the private store), its name in settings.json, and everything shown or logged is masked.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from classroom_console.media.output import Output, OutputStats
from classroom_console.media.output_rtmp import RtmpOutput, mask_url
from classroom_console.media.output_srt import SrtOutput, srt_available
from classroom_console.media.studio import Studio
from classroom_console.passwords import PasswordBook
from classroom_console.settings import RoomSettings
from classroom_console.settings import save as save_settings

KEY_PREFIX = "stream:"
LAN = "lan"  # the room's own network (HLS served by the console), beside the named destinations
LAN_PORT = 8088
MAX_NAME = 40


class DestinationRefused(ValueError):
    """A destination that cannot be added; ``code`` (name-missing, name-taken, bad-url) is for the UI to word."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def output_for(url: str, name: str) -> Output:
    """The live output for a destination's URL: SRT for srt://, else RTMP (which checks rtmp:// and rtmps://)."""
    return SrtOutput(url, name=name) if url.startswith("srt://") else RtmpOutput(url, name=name)


@dataclass(frozen=True, slots=True)
class Destination:
    name: str
    masked_url: str


class LiveDestinations:
    def __init__(self, book: PasswordBook, settings: RoomSettings, data_dir: Path) -> None:
        self.book = book
        self.settings = settings
        self.data_dir = data_dir
        self._urls: dict[str, str] = {}
        self._live: dict[str, Output] = {}

    async def load(self) -> list[Destination]:
        names = list(self.settings.live_destinations)
        found = await self.book.load([KEY_PREFIX + n for n in names])
        self._urls = {n: found[KEY_PREFIX + n] for n in names if KEY_PREFIX + n in found}
        return self.destinations()

    def destinations(self) -> list[Destination]:
        return [Destination(n, mask_url(u)) for n, u in self._urls.items()]

    async def add(self, name: str, url: str) -> Destination:
        """Refuses (ValueError, one line) a blank or taken name and a URL that is not rtmp(s)://host/app/key."""
        name = " ".join(name.split())[:MAX_NAME]
        if not name:
            raise DestinationRefused("name-missing", "a destination needs a name")
        if name in self._urls:
            raise DestinationRefused("name-taken", f"there is already a destination called {name!r}")
        if url.strip().startswith("srt://") and not await asyncio.to_thread(srt_available):
            raise DestinationRefused("srt-unavailable", "this build's FFmpeg has no SRT: use an RTMP address")
        try:
            output_for(url.strip(), name)  # validates the URL, opens nothing
        except ValueError as exc:
            raise DestinationRefused("bad-url", str(exc)) from None
        await self.book.save(KEY_PREFIX + name, url.strip())
        self._urls[name] = url.strip()
        self.settings.live_destinations = list(self._urls)
        await asyncio.to_thread(save_settings, self.data_dir, self.settings)
        return Destination(name, mask_url(url))

    async def remove(self, name: str) -> None:
        self._urls.pop(name, None)
        self.settings.live_destinations = list(self._urls)
        await asyncio.to_thread(save_settings, self.data_dir, self.settings)

    async def go_live(self, name: str, studio: Studio) -> None:
        """Out to this destination from the next keyframe; the recording starts too if it was not running."""
        if name in self._live and studio.recording:
            return
        output = output_for(self._urls[name], name)
        if studio.recording:
            studio.add_output(output)
        else:
            await studio.start_recording(outputs=[output])
        self._live[name] = output

    async def end(self, name: str, studio: Studio) -> None:
        output = self._live.pop(name, None)
        if output is not None and studio.recording:
            await studio.end_output(output)

    async def serve_lan(self, studio: Studio, port: int = LAN_PORT) -> str:
        """The program on the room's network too (HLS for tablets and overflow rooms); returns the viewers' URL.
        The recording starts too if it was not running."""
        if not studio.recording:
            await studio.start_recording()
        output = await studio.serve_lan(port)
        self._live[LAN] = output
        return str(output.path).removesuffix("index.m3u8")  # the page a browser opens; players take the list

    def health(self, studio: Studio) -> dict[str, OutputStats]:
        """Each destination's last health while the recording runs (names are ours, never the URL)."""
        if not studio.recording:
            self._live.clear()
            return {}
        names = {id(output): name for name, output in self._live.items()}
        return {names[id(o)]: o.stats() for o in self._live.values() if id(o) in names}
