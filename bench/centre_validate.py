"""CPU to check one session upload: the compiled check (centre/session_fast.py) beside the reference
(json.loads + payloads.session_rows), measured in the same run on the same bodies.

Why: at 200 rooms uploading at once the centre's p99 is roughly rooms x CPU per upload, and checking
each event in Python was most of the event loop's share. Target: the fast check at least 3x cheaper than
the reference for the bench's 40-event session (bench/centre_load.py's body). Figures are the least
thread CPU time of several repeats, so other work on the machine moves them little; the load is printed.
Usage: python bench/centre_validate.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from centre_load import T0, session  # noqa: E402

from classroom_console.centre.bodies import decode  # noqa: E402
from classroom_console.centre.payloads import session_rows  # noqa: E402
from classroom_console.centre.session_fast import session_rows_fast  # noqa: E402

TARGET_RATIO = 3.0


def least_us(fns: list[Callable[[], object]], number: int, repeat: int) -> list[float]:
    """For each of ``fns``, the least thread-CPU microseconds one call took; the runs of the functions take
    turns, so a burst of other work on the machine falls on each alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], timeit.timeit(fn, number=number, timer=time.thread_time) / number * 1e6)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a few seconds)")
    args = ap.parse_args()
    number, repeat = (30, 5) if args.quick else (100, 9)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("events  bytes     fast us  reference us  ratio  target")
    ok = True
    for events in (40, 400):
        raw = session("s-1", events)
        sid = "s-1"
        fast = session_rows_fast("Room", sid, raw, T0)
        assert fast is not None and fast == session_rows("Room", sid, decode(raw, yielding=False), T0)
        fast_us, ref_us = least_us([
            lambda: session_rows_fast("Room", sid, raw, T0),  # noqa: B023
            lambda: session_rows("Room", sid, decode(raw, yielding=False), T0),  # noqa: B023
        ], number, repeat)
        ratio = ref_us / fast_us
        verdict = ""
        if events == 40:
            ok = ratio >= TARGET_RATIO
            verdict = f">= {TARGET_RATIO:g}x: {'ok' if ok else 'UNDER'}"
        print(f"{events:6d}  {len(raw):6d}  {fast_us:9.1f}  {ref_us:12.1f}  {ratio:4.1f}x  {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
