"""The usage report as rows, CSV and text, for the ``usage`` command and the Centre workspace's export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classroom_console.cli_text import ntr, tr
from classroom_console.usage_model import WEEKDAYS, SessionRow, UsageReport
from classroom_console.usage_participation import tablet_lines, tablet_rows

SHADES = " .:-=+*#%@"
HEADER = ("section", "key", "detail", "value")
SESSION_HEADER = ("room", "date", "start", "end", "lecturer", "course", "hours", "recordings")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet shows as text: course names, lecturers and device names come from every room and every
    projector on a LAN, and "=HYPERLINK(...)" in one ran in centre staff's Excel (E3). A leading quote, as OWASP
    advises, for any cell a spreadsheet would take for a formula; numbers stay numbers."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue()


def span_text(seconds: float) -> str:
    """Seconds below a minute, minutes below an hour: a 37 s recording is not "0.0 h"."""
    if seconds < 59.5:
        return tr("{seconds:.0f} s").format(seconds=seconds)
    if seconds < 3570:
        return tr("{minutes:.0f} min").format(minutes=seconds / 60)
    return tr("{hours:.1f} h").format(hours=seconds / 3600)


def session_cells(s: SessionRow) -> tuple[str, str, str, str, str, str, str, str]:
    """One session as a manager reads it: local date, start and end (with the date when it ends another day)."""
    start = datetime.fromtimestamp(s.start_s, UTC)
    end = ""
    if s.duration_s > 0:
        stop = start + timedelta(seconds=s.duration_s)
        end = stop.strftime("%H:%M") if stop.date() == start.date() else stop.strftime("%Y-%m-%d %H:%M")
    return (s.room, start.date().isoformat(), start.strftime("%H:%M"), end, s.lecturer, s.course,
            f"{s.duration_s / 3600:.2f}", str(s.recordings))


def sessions_csv(r: UsageReport, header: Sequence[str] = SESSION_HEADER) -> str:
    """One row per session (the header may be in the reader's language)."""
    return _csv(header, (session_cells(s) for s in r.session_rows))


def write_sessions_csv(r: UsageReport, path: Path, header: Sequence[str] = SESSION_HEADER) -> Path:
    """Blocking; the UI calls it through ``asyncio.to_thread``. The BOM lets Excel read Cyrillic names right."""
    path.write_text(sessions_csv(r, header), encoding="utf-8-sig")
    return path


def report_rows(r: UsageReport) -> list[tuple[str, str, str, str]]:
    """One long table: every figure of every chart, each with what it is."""
    rows: list[tuple[str, str, str, str]] = [
        ("totals", "sessions", "", str(r.sessions)),
        ("totals", "hours_in_use", "", f"{r.hours_in_use:.2f}"),
        ("totals", "rooms", "", str(r.rooms)),
    ]
    for day, hours in zip(WEEKDAYS, r.heatmap, strict=True):
        rows += [("heatmap_hours", day, f"{hour:02d}:00", f"{v:.3f}") for hour, v in enumerate(hours) if v]
    rows += [("room_week_hours", w.room, w.week, f"{w.hours:.2f}") for w in r.room_weeks]
    for section, items in (("lecturer", r.by_lecturer), ("course", r.by_course)):
        for n in items:
            rows.append((f"{section}_sessions", n.name, "", str(n.sessions)))
            rows.append((f"{section}_hours", n.name, "", f"{n.hours:.2f}"))
    rows += [
        ("recordings", "count", "", str(r.recordings.count)),
        ("recordings", "hours", "", f"{r.recordings.hours:.2f}"),
        ("recordings", "size_bytes", "", str(r.recordings.size_bytes)),
    ]
    for d in r.devices:
        rows.append(("device_hours", d.name, d.uid, f"{d.hours_in_sessions:.2f}"))
        if d.lamp_hours is not None:
            note = f"of {d.lamp_rated_hours} rated" + ("; WARNING: near end of life" if d.lamp_warning else "")
            rows.append(("lamp_hours", d.name, note, str(d.lamp_hours)))
    for f in r.faults:
        rows.append(("faults", f.name, f"last {f.last_at}", str(f.fault_events + f.fault_readings)))
    rows += tablet_rows(r)
    return rows


def to_csv(r: UsageReport) -> str:
    return _csv(HEADER, report_rows(r))


def write_csv(r: UsageReport, path: Path) -> None:
    """Blocking; the UI calls it through ``asyncio.to_thread``."""
    path.write_text(to_csv(r), encoding="utf-8-sig")  # the BOM lets Excel read Cyrillic names right


def to_table(r: UsageReport, room_names: Mapping[str, str] | None = None) -> str:
    """The report as a person reads it, in the CLI's language; ``room_names`` shows a room's name for its id."""
    f, names = r.filter, room_names or {}
    lines = [
        tr("Usage {since} to {until}; room: {room}; lecturer: {lecturer}").format(
            since=f.since or tr("start"), until=f.until or tr("today"),
            room=names.get(f.room, f.room) if f.room else tr("all"), lecturer=f.lecturer or tr("all")),
        ", ".join((ntr("{n} session", "{n} sessions", r.sessions),  # "1 sessions" was wrong in English too
                   tr("{hours:.1f} hours in use").format(hours=r.hours_in_use), ntr("{n} room", "{n} rooms", r.rooms))),
        "",
        tr("Hours in use by weekday and hour (local time; darker is busier)"),
        "     " + "".join(f"{h:<6d}" for h in range(0, 24, 6)),
    ]
    peak = max((v for row in r.heatmap for v in row), default=0.0) or 1.0
    for day, row in zip(WEEKDAYS, r.heatmap, strict=True):
        lines.append(f"{tr(day):<3}  " + "".join(SHADES[min(9, round(v / peak * 9))] for v in row))
    lines += ["", tr("Hours per room per week")]
    lines += [f"  {w.week}  {names.get(w.room, w.room):<24} {w.hours:8.1f}" for w in r.room_weeks] or [
        "  " + tr("none")]
    for title, items in ((tr("Sessions by lecturer"), r.by_lecturer), (tr("Sessions by course"), r.by_course)):
        lines += ["", title]
        lines += [f"  {n.name or tr('(not given)'):<32} {ntr('{n} session', '{n} sessions', n.sessions):>15} "
                  + tr("{hours:8.1f} h").format(hours=n.hours) for n in items[:15]]
    rec = r.recordings
    lines += ["", tr("Recordings: {count}, {length}, {size:.2f} GB").format(
        count=rec.count, length=span_text(rec.hours * 3600), size=rec.size_bytes / 1e9), "", tr("Devices")]
    lines += [] if r.devices else ["  " + tr("none")]
    for d in r.devices:
        lamp = "" if d.lamp_hours is None else tr("  lamp {used}/{rated} h").format(
            used=d.lamp_hours, rated=d.lamp_rated_hours)
        warning = tr("  WARNING: lamp near end of life") if d.lamp_warning else ""
        lines.append(f"  {d.name:<32} " + tr("{hours:8.1f} h in sessions").format(hours=d.hours_in_sessions)
                     + lamp + warning)
    lines += ["", tr("Faults")]
    faults = [f"  {x.name:<32} {x.fault_events + x.fault_readings:6d}  " + tr("last {at}").format(at=x.last_at)
              for x in r.faults]
    lines += faults or ["  " + tr("none")]
    lines += ["", *tablet_lines(r)]
    if r.uploads_failed:
        lines += ["", tr("Uploads set aside (not sent to the centre)")] + [f"  {x}" for x in r.uploads_failed]
    return "\n".join(lines)
