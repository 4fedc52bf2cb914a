"""The Python of a 300-room usage report on PostgreSQL (``pg_report_parts``): its rows made a report and JSON.

Two cases, each the mean of 20 reports: every device and room-week changed since the last report (300 rooms all
sending: between two reports under bench/sync_rooms.py --rooms 300 some 600-1,250 parts were made again), and
none changed. ``--compare DIR`` runs an older checkout's code (``git archive``) beside this one's, alternated, in
child processes; the bytes are checked against ``reports.report_bytes`` every run.
Usage: python bench/pg_report_parts.py [--runs 3] [--compare DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROOMS, DEVICES = 300, 4


def rows(gen: int) -> dict[str, list[tuple[Any, ...]]]:
    """A centre's rows as the charts' statement gives them; ``gen`` moves every room's hours."""
    return {"totals": [(1500, 1500 * 5400.0, ROOMS)], "heatmap": [(h, 3600.0 * gen) for h in range(0, 168, 3)],
            "room_weeks": [(f"Room {n}", 20514 + n % 9, 5400.0 * (gen + n % 3)) for n in range(ROOMS)],
            "by_lecturer": [(f"Lecturer {k}", ROOMS, 5400.0 * ROOMS) for k in range(5)],
            "by_course": [(f"Course {k}", ROOMS, 1.0) for k in range(5)],
            "recordings": [(ROOMS, 3600.0 * ROOMS, ROOMS << 19)],
            "device_hours": [(f"mac:{n}:{i}", 5400.0 * (gen + (n * 7 + i) % 5)) for n in range(ROOMS)
                             for i in range(DEVICES)],
            "devices": [], "lamps": [], "fault_events": [], "fault_readings": [],
            "tablets_courses": [], "tablets_sessions": [], "tablets": []}


def child() -> str:
    """Run in the tree on sys.path[0]: the two cases' CPU a report."""
    from classroom_console.centre.pg_report_parts import ReportParts
    from classroom_console.centre.reports import report_bytes
    from classroom_console.usage_model import UsageFilter
    from classroom_console.usage_sql import assemble

    f, parts = UsageFilter(), ReportParts()
    parts.make(f, rows(0))

    def mean_ms(gens: list[int]) -> float:
        made = [rows(g) for g in gens]
        started = time.process_time()
        for r in made:
            parts.make(f, r)
        return (time.process_time() - started) / len(gens) * 1000

    changed, same = mean_ms(list(range(1, 21))), mean_ms([20] * 20)
    last = rows(21)
    if parts.make(f, last)[1] != report_bytes(assemble(f, last)):
        raise SystemExit("the report's bytes differ from a whole report's")
    return f"every part changed {changed:5.2f} ms, none {same:5.2f} ms a report"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--compare", type=Path, default=None, metavar="DIR")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(child())
        return 0
    trees = [("new", ROOT)] if args.compare is None else [("old", args.compare.resolve()), ("new", ROOT)]
    print(f"{ROOMS} rooms, {ROOMS * DEVICES} devices; load {os.getloadavg()[0]:.1f}")
    for run in range(args.runs):
        for label, tree in trees:
            out = subprocess.run([sys.executable, __file__, "--child"], env={**os.environ, "PYTHONPATH": str(tree)},
                                 capture_output=True, text=True, timeout=600, check=True)
            print(f"run {run + 1} {label}: {out.stdout.strip()}; load {os.getloadavg()[0]:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
