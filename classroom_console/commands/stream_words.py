"""What `stream` prints about its destinations, in the user's language: an address it refuses, each second's
health, the final lines and why a destination failed.

The outputs report codes (a state, a reason such as ``connection-refused``); a Russian run reads words only, and
the code itself follows in brackets with --verbose, for a technician's search (the JSON lines keep every code).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from classroom_console.cli_text import ptr, tr

if TYPE_CHECKING:
    from classroom_console.media.output import OutputStats

PROG = "classroom-console stream"

_STATES = {
    "waiting": "waiting for the first pictures",
    "connecting": "connecting",
    "live": "live",
    "reconnecting": "reconnecting",
    "ended": "ended",
    "failed": "failed",
}

_REASONS = {
    "connection-refused": "nothing is listening at that address and port",
    "timeout": "no answer in time",
    "name-not-resolved": "the server's name was not found",
    "unreachable": "the network cannot reach the server",
    "rejected": "the server did not accept this application or stream key",
    "connection-lost": "the connection was lost",
    "error": "something went wrong; the details are in the log",
}


def reason_words(code: str, verbose: bool = False) -> str:
    """A destination's reason code in words; the code itself only with --verbose."""
    sentence = _REASONS.get(code)
    if sentence is None:
        return code if verbose else tr(_REASONS["error"])
    return f"{tr(sentence)} [{code}]" if verbose else tr(sentence)


def state_words(state: str) -> str:
    return ptr("destination", _STATES[state]) if state in _STATES else state


def worded() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The states, reasons and stop reasons this module words, with their English (for the test that keeps the
    Russian complete)."""
    return dict(_STATES), dict(_REASONS), dict(_STOPS)


def address_problem(url: str) -> str:
    """Why a --to address cannot be a destination, in the user's words ("" when it can). The outputs check it
    again (in English, for their log); this is what the user reads, the key masked."""
    from classroom_console.media.output_rtmp import mask_url

    parts = urlsplit(url)
    shown = mask_url(url) if parts.hostname else url.split("://", 1)[0] + "://…"
    if parts.scheme == "srt":
        if not parts.hostname or not parts.port:
            return tr("{url}: an SRT address needs a server and a port: srt://HOST:PORT").format(url=shown)
        if dict(parse_qsl(parts.query)).get("mode", "caller") != "caller":
            return tr("{url}: the console calls the SRT server: leave out mode= or write mode=caller").format(
                url=shown)
        return ""
    if parts.scheme not in ("rtmp", "rtmps") or not parts.hostname:
        return tr("{url} is not an RTMP or SRT address: write rtmp://HOST[:PORT]/APP/KEY").format(url=shown)
    app = parts.path.strip("/")
    if not app:
        return tr("{url}: the application and the stream key are missing: rtmp://HOST[:PORT]/APP/KEY").format(
            url=shown)
    if "/" not in app:
        return tr("{url}: the stream key is missing after /{app}: rtmp://HOST[:PORT]/{app}/KEY").format(
            url=shown, app=app)
    return ""


def _mb(n: float) -> str:
    return f"{n / 2**20:.2f}"


def health_line(elapsed_s: float, stats: OutputStats, verbose: bool = False) -> str:
    state = state_words(stats.state)
    if stats.reason:
        state += f" ({reason_words(stats.reason, verbose)})"
    if stats.next_try_s is not None:
        state += tr(", next try in {s:.1f} s").format(s=stats.next_try_s)
    line = tr("{elapsed:7.1f} s  {name}  {state}  {kbit:.0f} kbit/s  sent {mb} MB  dropped {dropped}").format(
        elapsed=elapsed_s, name=stats.name, state=state, kbit=stats.bitrate_bps / 1000, mb=_mb(stats.bytes),
        dropped=stats.dropped_packets)
    if stats.kind == "hls":
        line += tr("  segments {segments}  viewers {viewers}").format(
            segments=stats.extra.get("segments", 0), viewers=stats.extra.get("clients_last_minute", 0))
    return line


def final_lines(stats: OutputStats, verbose: bool = False) -> list[str]:
    state = state_words(stats.state) + (f" ({reason_words(stats.reason, verbose)})" if stats.reason else "")
    if stats.kind == "hls":
        return [tr("{name}: {state}, {segments} segments, {made} MB made, {served} MB served, {viewers} viewer(s) "
                   "in the last minute, {dropped} dropped ({gops} GOPs)").format(
            name=stats.name, state=state, segments=stats.extra.get("segments", 0), made=_mb(stats.bytes),
            served=_mb(stats.extra.get("served_bytes", 0)), viewers=stats.extra.get("clients_last_minute", 0),
            dropped=stats.dropped_packets, gops=stats.dropped_gops)]
    return [tr("{name}: {state}, {connects} connection(s), {packets} packets, {mb} MB sent, {dropped} dropped "
               "({gops} GOPs)").format(
        name=stats.name, state=state, connects=stats.connects, packets=stats.packets, mb=_mb(stats.bytes),
        dropped=stats.dropped_packets, gops=stats.dropped_gops)]


def failure_line(stats: OutputStats, verbose: bool = False) -> str:
    """Never connected, or lost on the way: a technician looks for different faults."""
    if stats.connects == 0:
        text = tr("{name} never connected: {why}")
    else:
        text = tr("{name} did not get the end of the stream: {why}")
    return f"{PROG}: " + text.format(name=stats.name, why=reason_words(stats.reason, verbose))


_STOPS = {"duration": "its time was up", "stopped": "stopped", "disk-full": "the disk is full",
          "disk-not-answering": "the disk stopped answering", "error": "an error stopped it",
          "encoder-lost": "the encoder's process ended"}


def stop_words(reason: str) -> str:
    """Why a recording ended (encoder.StopReason's codes), for "recorded OUT.mp4 (…)"."""
    return tr(_STOPS[reason]) if reason in _STOPS else reason



def recording_stopped(reason: str, message: str, verbose: bool = False) -> str:
    """A recording beside the stream that a full disk or an error ended early (its English message with -v)."""
    from classroom_console.cli_reasons import with_detail

    sentence = {
        "disk-full": "the disk is full: the recording stopped; what was recorded is kept",
        "disk-not-answering": "the disk stopped answering: the recording stopped; what reached the disk is kept, "
                              "and the console closes it at its next start",
    }.get(reason, "the recording stopped after an error; what was recorded is kept")
    return with_detail(tr(sentence), message, verbose)
