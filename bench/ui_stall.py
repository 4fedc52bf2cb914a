"""The Qt main thread's longest stall and 99th-percentile event-loop latency in the real console window.

Two loads, each in a fresh process running the real MainWindow (offscreen unless there is a display):
  devices  the lecturer's screen on a simulated room of 100 projectors (in a child process, as hardware would be),
           polled every second for 10 s, every poll changing each device's state (lamp hours tick fast);
  pip      the Studio recording 1080p30 picture-in-picture of two test patterns and a tone, the preview on.
Reference in the same run: a bare Qt window with the same 5 ms timer and nothing else (``bare``); with
``--compare`` also the devices polled on the window's own loop, as before the device thread (``devices-main``),
the recording with x264's threads at the Python threads' priority, as before ``media/nice.py`` (``pip-plain``), and
the bare window beside two threads of GIL-free work (zlib) in its own process (``busy-in``) or in a child process in a
session of its own (``busy-apart``): a process is one scheduling group (an autogroup; a desktop app's cgroup), and
the recording's CPU inside the window's process makes the window wait for the group's turn on a busy PC.
The pip line also prints the frames recorded and those a busy encoder skipped (what a lower priority could cost).
Each is run quiet and beside ``stress-ng --cpu 2`` (``--load both``, the default); the load average is printed
beside every figure. ``--quick``: 3 s each (about five minutes in all for 3 runs).

    python bench/ui_stall.py [--quick] [--seconds 10] [--runs 3] [--devices 100] [--load quiet|stress|both] [--compare]
    (target: longest ≤ 16 ms in every run; for the devices, while the cards fill in too)
Every scenario runs ``--runs`` times, interleaved with the others (bare, devices, pip, bare, …); each run's longest
stall and p99 are printed, then a summary per load with the worst and the median, so a swing between runs shows.
The devices line also gives the longest stall while the 100 cards filled in, and how long that took; the verdict
counts both (a user sees the fill's stall as much as the polling's).
UI_STALL_TRACE=1 (with --child SCENARIO) prints what every thread did while the main thread was over 16 ms late
(while the cards filled in, then while measured; UI_STALL_TRACE=8: stacks eight frames deep);
UI_STALL_PROFILE=tottime profiles the main thread; UI_STALL_SWITCH=S sets sys.setswitchinterval(S);
UI_STALL_SLICE_US=N gives the main thread a kernel slice of N µs instead of the window's (media/kernel_slice.py;
0: the kernel's default).
``pip`` records as the Studio does by default; ``pip-in`` and ``pip-apart`` with x264 in the window's process or
in a child's (x264_apart), the preview on for 2 s before Record (a child started meanwhile: x264_spare.py).
``--why 12``: for every frame over 12 ms late, its main-thread CPU, the cycle collections and Qt events in it, and
the threads' stacks sampled in it (``FrameWhy``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import ipaddress
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 16.0
NET = "127.0.92.0/25"  # loopback only, apart from the tests' rooms, a running demo and bench/discovery.py
ROOM = """
import asyncio, ipaddress, signal, sys
from devices.sim.pjlink_projector import PowerState, SimProjectorConfig, SimulatedProjector
async def main(n, net):
    hosts = [str(h) for h in list(ipaddress.IPv4Network(net).hosts())[:n]]
    sims = [SimulatedProjector(SimProjectorConfig(name=f"Bench {i + 1}", host=h, udp_port=None, idle_timeout_s=300,
                                                  mac=f"02:b7:00:00:{i // 256:02x}:{i % 256:02x}",
                                                  lamp_hours_per_second=3600.0)) for i, h in enumerate(hosts)]
    for sim in sims:
        await sim.start()
        sim._set_power(PowerState.ON)  # lit: its lamp hours tick, so every poll changes its state
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await asyncio.gather(*(sim.stop() for sim in sims))
signal.signal(signal.SIGINT, signal.SIG_IGN)
asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
"""


BUSY_THREADS = 2  # the busy references' threads: about what a 1080p30 recording keeps busy on a 2-core PC
BUSY = """
import os, sys, threading, zlib
data = bytes(range(256)) * 4096
def work():
    while True:
        zlib.compress(data, 6)  # holds no GIL while it compresses
for _ in range(int(sys.argv[1])):
    threading.Thread(target=work, daemon=True).start()
bound = threading.Timer(float(sys.argv[2]), lambda: os._exit(0))  # bounded even if nobody closes stdin
bound.daemon = True
bound.start()
sys.stdin.read()
"""


def start_busy(bound_s: float) -> subprocess.Popen[bytes]:
    """BUSY in a child process in a session of its own (another scheduling group), until its stdin closes."""
    return subprocess.Popen([sys.executable, "-c", BUSY, str(BUSY_THREADS), str(bound_s)], stdin=subprocess.PIPE,
                            start_new_session=True)


def busy_work(stop: threading.Event) -> None:
    """As BUSY's threads, in this process, until ``stop``."""
    data = bytes(range(256)) * 4096
    while not stop.is_set():
        zlib.compress(data, 6)


PROFILE = cProfile.Profile()


class StallTrace:
    """With UI_STALL_TRACE=1: a watchdog thread samples every thread's stack while the main thread is over 16 ms late.

    What the main thread was doing (or waiting in) during each stall, and what the other threads were running then:
    the GIL's holder is one of them. Printed on stderr, most frequent first.
    """

    def __init__(self, what: str = "while measured") -> None:
        import threading

        self.what = what
        self.depth = max(4, int(os.environ.get("UI_STALL_TRACE") or 0))  # UI_STALL_TRACE=8: eight frames deep
        self.last_tick = time.perf_counter()
        self.samples: dict[str, int] = {}
        self._main = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stall-trace", daemon=True)

    def start(self) -> None:
        if os.environ.get("UI_STALL_TRACE"):
            self._thread.start()

    def tick(self) -> None:
        self.last_tick = time.perf_counter()

    def _watch(self) -> None:
        import threading
        import traceback

        names = {t.ident: t.name for t in threading.enumerate()}
        while not self._stop.wait(0.002):
            if time.perf_counter() - self.last_tick < 0.016 + 0.005:
                continue
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                stack = traceback.extract_stack(frame)[-self.depth:]
                where = " < ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(stack))
                who = "MAIN" if ident == self._main else names.get(ident) or str(ident)
                key = f"{who}: {where}"
                self.samples[key] = self.samples.get(key, 0) + 1
            names = {t.ident: t.name for t in threading.enumerate()}

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
            print(f"stalls {self.what}, samples every 2 ms:", file=sys.stderr)
            for key, n in sorted(self.samples.items(), key=lambda kv: -kv[1])[:40]:
                print(f"{n:5d}  {key}", file=sys.stderr)


def _name(receiver: Any) -> str:
    try:
        return str(receiver.objectName())
    except RuntimeError:  # the event deleted its receiver (a finished animation)
        return "(deleted)"


class SlowEvents:
    """With UI_STALL_TRACE=1: every event Qt delivered on the main thread that took over 8 ms (outermost only): the
    receiver's class and object name (the app's timers are named), the event's type, and when, printed at the end.

    The Qt side of a stall: a layout pass, a style polish, a paint or a timer's slot, where StallTrace sees only
    "inside Qt". Installed as the QApplication itself (its ``notify``), so only with the variable set."""

    events: ClassVar[list[tuple[float, float, str, str]]] = []
    app: ClassVar[Any] = None  # kept: the application object must outlive the run
    why: ClassVar[FrameWhy | None] = None  # told every outermost event while one measures
    _depth = 0

    @classmethod
    def install(cls) -> None:
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QApplication

        started = time.perf_counter()

        class TracingApplication(QApplication):
            def notify(self, receiver: QObject, event: QEvent) -> bool:
                cls._depth += 1
                began = time.perf_counter()
                try:
                    return super().notify(receiver, event)
                finally:
                    cls._depth -= 1
                    ended = time.perf_counter()
                    took = ended - began
                    if cls.why is not None and cls._depth == 0 and took > 0.001:
                        cls.why.event(began, ended, f"{type(receiver).__name__} '{_name(receiver)}' "
                                                    f"{str(event.type()).split('.')[-1]}")
                    if took > 0.008 and cls._depth == 0:
                        what = f"{type(receiver).__name__} '{_name(receiver)}'"
                        cls.events.append((took * 1000, began - started, what, str(event.type()).split(".")[-1]))

        cls.app = TracingApplication(sys.argv[:1])

    @classmethod
    def report(cls) -> None:
        print(f"events over 8 ms on the main thread: {len(cls.events)}; the longest:", file=sys.stderr)
        for took, at, what, kind in sorted(cls.events, reverse=True)[:15]:
            print(f"  {took:6.1f} ms at {at:6.2f} s  {what} {kind}", file=sys.stderr)


IDLE_FILES = {"threading.py", "queue.py", "selectors.py", "base_events.py", "thread.py"}  # a thread waiting


class FrameWhy:
    """With UI_STALL_WHY=MS (``--why MS``): for every frame the main thread was over MS ms late, what it was doing.

    Per late frame: its main-thread CPU time (little CPU in a long frame: it waited, for the GIL or a core), the
    cycle collections that ran in it (``gc.callbacks``: generation, duration, thread), the outermost Qt events over
    1 ms (receiver, type: a paint, a layout, a named timer's slot), the main thread's Python stack sampled every 1 ms
    by a watchdog thread (``sys._current_frames``) and the other threads' stacks beside it, and the watchdog's own
    longest oversleep (a thread holding the GIL keeps it out too). Printed on stderr at the end.
    """

    SAMPLE_S = 0.001

    def __init__(self, over_ms: float, interval_ms: float = 5.0) -> None:
        import threading

        self.over_s = over_ms / 1000
        self.interval_s = interval_ms / 1000
        self.frames: list[dict[str, Any]] = []
        self.collections: list[tuple[float, float, int, int, bool, float]] = []  # start, end, gen, freed, main, CPU
        self.events: list[tuple[float, float, str]] = []  # start, end, what (outermost Qt events over 1 ms)
        self.samples: list[tuple[float, float, str, str]] = []  # when, watchdog's oversleep, main stack, others
        self._main = threading.get_ident()
        self._gc_started: dict[int, tuple[float, float]] = {}
        self._last = time.perf_counter()
        self._sched = os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
        self._last_cpu, self._last_wait = self._schedstat()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="frame-why", daemon=True)
        self._measuring = False

    def start(self) -> None:
        import gc

        gc.callbacks.append(self._gc)
        self._measuring = True
        self._last = time.perf_counter()
        self._last_cpu, self._last_wait = self._schedstat()
        self._thread.start()

    def _schedstat(self) -> tuple[float, float]:
        """The main thread's time on a core and waiting for one (Linux), in seconds."""
        on_cpu, run_delay, _slices = os.pread(self._sched, 100, 0).split()
        return int(on_cpu) / 1e9, int(run_delay) / 1e9

    def tick(self) -> None:
        """Connected after the stall meter's own tick: the frame that just ended, if it was late."""
        now, (cpu, wait) = time.perf_counter(), self._schedstat()
        if now - self._last - self.interval_s > self.over_s or cpu - self._last_cpu > self.over_s / 2:  # late, busy
            self.frames.append({"start": self._last, "end": now, "late": now - self._last - self.interval_s,
                                "cpu": cpu - self._last_cpu, "wait": wait - self._last_wait})
        self._last, self._last_cpu, self._last_wait = now, cpu, wait

    def event(self, began: float, ended: float, what: str) -> None:
        if self._measuring and ended - began > 0.001:
            self.events.append((began, ended, what))

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        import threading

        ident = threading.get_ident()
        if phase == "start":
            self._gc_started[ident] = time.perf_counter(), time.thread_time()
        elif ident in self._gc_started:
            began, cpu = self._gc_started.pop(ident)
            self.collections.append((began, time.perf_counter(), info["generation"], info["collected"],
                                     ident == self._main, time.thread_time() - cpu))

    def _watch(self) -> None:
        import threading
        import traceback

        names = {t.ident: t.name for t in threading.enumerate()}
        asked = time.perf_counter()
        while not self._stop.wait(self.SAMPLE_S):
            now = time.perf_counter()
            oversleep, asked = now - asked - self.SAMPLE_S, now
            if now - self._last < self.interval_s + self.over_s / 2:
                continue  # the frame is not late (yet): no sampling, no GIL taken from anyone
            main, others = "(no Python frame)", []
            for ident, frame in sys._current_frames().items():
                if ident == threading.get_ident():
                    continue
                stack = traceback.extract_stack(frame)[-6:]
                where = " < ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(stack))
                if ident == self._main:
                    main = where
                elif Path(stack[-1].filename).name not in IDLE_FILES:
                    others.append(f"{names.get(ident) or ident}: {where}")
            self.samples.append((now, oversleep, main, " | ".join(sorted(others))))
            if len(names) != threading.active_count():
                names = {t.ident: t.name for t in threading.enumerate()}
            asked = time.perf_counter()

    def stop(self) -> None:
        import gc

        self._measuring = False
        self._stop.set()
        self._thread.join(5)
        os.close(self._sched)
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)

    @staticmethod
    def full_collection() -> str:
        """What a full collection would cost the main thread now: the objects it walks and its time."""
        import gc

        walked = sum(len(gc.get_objects(generation)) for generation in (0, 1, 2))
        frozen = gc.get_freeze_count()  # a walk of the frozen list: not inside the timing
        began, cpu = time.perf_counter(), time.thread_time()
        gc.collect()
        took, used = time.perf_counter() - began, time.thread_time() - cpu
        return (f"a full collection now: {walked} objects tracked ({frozen} frozen),"
                f" {1000 * took:.1f} ms ({1000 * used:.1f} ms CPU)")

    def report(self, what: str, origin: float) -> None:

        main_gcs = [c for c in self.collections if c[4]]
        by_gen = {g: [(1000 * (c[1] - c[0]), 1000 * c[5]) for c in main_gcs if c[2] == g] for g in (0, 1, 2)}
        late = [f for f in self.frames if f["late"] > self.over_s]
        print(f"frames over {self.over_s * 1000:g} ms late {what}: {len(late)}; main-thread collections: "
              + ", ".join(f"gen {g} x{len(v)} (longest {max(v, default=(0, 0))[0]:.1f} ms,"
                          f" {max(v, default=(0, 0))[1]:.1f} ms CPU)" for g, v in by_gen.items())
              + f"; off the main thread: {len(self.collections) - len(main_gcs)}; {self.full_collection()}",
              file=sys.stderr)
        print(f"  in those frames the main thread was on a core {1000 * sum(f['cpu'] for f in late):.0f} ms, waited "
              f"for one {1000 * sum(f['wait'] for f in late):.0f} ms, of {1000 * sum(f['late'] for f in late):.0f}"
              " ms late", file=sys.stderr)
        for frame in sorted(late, key=lambda f: -f["late"])[:12]:
            self._detail(frame, origin)
        busy = sorted(self.frames, key=lambda f: -f["cpu"])[:8]
        print(f"  the busiest frames (main thread on a core over {500 * self.over_s:g} ms): "
              f"{sum(f['cpu'] > self.over_s / 2 for f in self.frames)}", file=sys.stderr)
        for frame in busy:
            if frame["cpu"] > self.over_s / 2:
                self._detail(frame, origin)

    def _detail(self, frame: dict[str, Any], origin: float) -> None:
        from collections import Counter

        s, e = frame["start"], frame["end"]
        print(f"  {1000 * frame['late']:6.1f} ms late at {s - origin:6.2f} s; main thread on a core "
              f"{1000 * frame['cpu']:5.1f} ms, waiting for one {1000 * frame['wait']:5.1f} ms, asleep "
              f"{1000 * (e - s - frame['cpu'] - frame['wait']):5.1f} ms (the GIL, or nothing due)", file=sys.stderr)
        for cs, ce, gen, n, main, used in self.collections:
            if cs < e and ce > s:
                print(f"      gc gen {gen} {1000 * (ce - cs):5.1f} ms ({1000 * used:.1f} CPU), {n} collected"
                      f"{'' if main else ' (off the main thread)'}", file=sys.stderr)
        for es, ee, name in self.events:
            if es < e and ee > s:
                print(f"      qt {1000 * (ee - es):5.1f} ms {name}", file=sys.stderr)
        inside = [x for x in self.samples if s <= x[0] <= e]
        if inside:
            print(f"      {len(inside)} samples, watchdog overslept up to "
                  f"{1000 * max(x[1] for x in inside):.1f} ms", file=sys.stderr)
        for stack, n in Counter(x[2] for x in inside).most_common(3):
            print(f"      main x{n}: {stack}", file=sys.stderr)
        for stack, n in Counter(x[3] for x in inside if x[3]).most_common(2):
            print(f"      others x{n}: {stack[:600]}", file=sys.stderr)


def profiling(on: bool) -> None:
    """With UI_STALL_PROFILE=tottime (or cumtime): what runs on the main thread while measured (this thread only)."""
    if os.environ.get("UI_STALL_PROFILE"):
        PROFILE.enable() if on else PROFILE.disable()


def main_schedstat() -> tuple[float, float, int]:
    """The calling thread's time on a core, its time runnable but waiting for one (s), and its turns on a core."""
    on_cpu, waited, turns = Path("/proc/thread-self/schedstat").read_text().split()
    return int(on_cpu) / 1e9, int(waited) / 1e9, int(turns)


def run_queue(before: tuple[float, float, int], seconds: float) -> dict[str, float]:
    """Since ``before``: how long the main thread waited for a core, per second and per turn on one (ms)."""
    after = main_schedstat()
    waited, turns = after[1] - before[1], max(1, after[2] - before[2])
    return {"waited_ms_s": 1000 * waited / seconds, "per_turn_ms": 1000 * waited / turns}


def thread_cpu() -> dict[str, float]:
    """CPU seconds each of this process's threads used so far, by thread name (Linux /proc)."""
    import threading

    names = {t.native_id: ("main" if t is threading.main_thread() else t.name) for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        name = names.get(int(tid), "other (Qt, pools)")
        used[name] = used.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return used


def cpu_share(before: dict[str, float], seconds: float) -> dict[str, float]:
    """Each thread's CPU use since ``before``, in % of one core (the busiest first, 1 % or more)."""
    after = thread_cpu()
    share = {k: round(100 * (v - before.get(k, 0.0)) / seconds, 1) for k, v in after.items()}
    return dict(sorted(((k, v) for k, v in share.items() if v >= 1), key=lambda kv: -kv[1]))


async def until(predicate: Callable[[], bool], within: float) -> None:
    """Lets Qt and asyncio run until ``predicate`` holds or ``within`` seconds pass."""
    for _ in range(int(within / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)


def start_room(devices: int) -> subprocess.Popen[str]:
    """The simulated projectors in a child process: their work is not the console's to count."""
    sim = subprocess.Popen([sys.executable, "-c", ROOM, str(devices), NET], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert sim.stdout is not None
    if sim.stdout.readline().strip() != "ready":
        sim.kill()
        raise RuntimeError("the simulated room did not start")
    return sim


def stop_room(sim: subprocess.Popen[str]) -> None:
    assert sim.stdin is not None
    sim.stdin.close()
    sim.wait(30)


def measure(scenario: str, seconds: float, devices: int) -> dict[str, Any]:
    """Runs in the child process: one scenario, its meter's figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
    from PySide6.QtWidgets import QWidget

    from ui.app import make_application
    from ui.event_loop import ConsoleEventLoop
    from ui.main_thread_gc import MainThreadCollector, freeze_long_lived
    from ui.stall_meter import StallMeter

    # As the app sets itself up: its style sheet (every card's widgets are styled), translators, and Python's
    # cycle collector run on the Qt thread by a timer (its full collections are main-thread stalls too).
    if os.environ.get("UI_STALL_TRACE") or os.environ.get("UI_STALL_WHY"):
        SlowEvents.install()
    app, _lang = make_application(os.environ.get("UI_STALL_LANG", "en"))
    collector = MainThreadCollector(app)
    loop = ConsoleEventLoop(app)  # as ui/console_run.py
    asyncio.set_event_loop(loop)
    figures: dict[str, Any] = {}

    origin = time.perf_counter()

    def why_start(meter: Any) -> FrameWhy | None:
        """UI_STALL_WHY=MS: what the main thread did in every frame over MS ms while measured."""
        if not os.environ.get("UI_STALL_WHY"):
            return None
        why = FrameWhy(float(os.environ["UI_STALL_WHY"]), meter.interval_s * 1000)
        meter._timer.timeout.connect(why.tick)
        SlowEvents.why = why
        why.start()
        return why

    def why_stop(why: FrameWhy | None) -> None:
        if why is not None:
            why.stop()
            SlowEvents.why = None
            why.report(f"in {scenario}", origin)

    async def bare() -> None:
        window = QWidget()
        window.resize(1366, 768)
        window.show()
        meter = StallMeter()
        meter.start()
        why = why_start(meter)
        await asyncio.sleep(seconds)
        why_stop(why)
        meter.stop()
        figures.update(longest=meter.longest_ms, p99=meter.p99_ms, ticks=meter.ticks)

    async def busy(apart: bool) -> None:
        """The bare window beside BUSY_THREADS threads of work that never holds the GIL (zlib), in this process or in
        a child process in a session of its own: what CPU work costs the window for sharing its process (one
        scheduling group: an autogroup, a desktop app's cgroup), with the GIL out of the picture."""
        window = QWidget()
        window.resize(1366, 768)
        window.show()
        stop = threading.Event()
        helper, workers = None, []
        if apart:
            helper = start_busy(seconds + 30)
        else:
            workers = [threading.Thread(target=busy_work, args=(stop,), name=f"busy-{n}", daemon=True)
                       for n in range(BUSY_THREADS)]
            for worker in workers:
                worker.start()
        try:
            await asyncio.sleep(0.5)  # under way
            meter = StallMeter()
            meter.start()
            cpu, queued = thread_cpu(), main_schedstat()
            await asyncio.sleep(seconds)
            figures["queue"] = run_queue(queued, seconds)
            figures["cpu"] = cpu_share(cpu, seconds)
            meter.stop()
        finally:
            stop.set()
            if helper is not None:
                assert helper.stdin is not None
                helper.stdin.close()  # its threads end with it
                helper.wait(30)
            else:
                for worker in workers:
                    worker.join(30)
        figures.update(longest=meter.longest_ms, p99=meter.p99_ms, ticks=meter.ticks)

    async def room(on_main: bool = False) -> None:
        from classroom_console.console import ConsoleCore, ConsoleOptions
        from classroom_console.device_thread import RoomDevicesThread
        from classroom_console.room_devices import RoomDevices
        from devices.discovery import FinderConfig
        from devices.model import Availability
        from ui.bridge import RoomBridge
        from ui.main_window import MainWindow

        with tempfile.TemporaryDirectory() as folder:
            core = ConsoleCore(ConsoleOptions(data_dir=Path(folder), discover=False))
            await core.start()
            # The console's own RoomDevices, told to look only at this room's addresses: on a shared machine
            # loopback DNS-SD also hears every other simulated room (a thousand devices from another bench).
            hosts = [str(h) for h in list(ipaddress.IPv4Network(NET).hosts())[:devices]]
            finder = FinderConfig(search_targets=[], sweep=hosts, dnssd_types=())
            # As the window has them: polled on a loop in a worker thread (devices-main: on the window's loop).
            kind = RoomDevices if on_main else RoomDevicesThread
            # As the app (ui/console_run.py): the window is up and painted before the room's devices are looked for,
            # so the fill's figure is the cards', not the window's first paint.
            window = MainWindow(RoomBridge(core))
            window.resize(1366, 768)
            window.show()
            freeze_long_lived()  # as ui/console_run.py does once the window is up
            handle = window.windowHandle()
            await until(lambda: handle is not None and handle.isExposed(), 30)
            await asyncio.sleep(0.5)  # its first paint and the turns after it
            lecturer = window.lecturer
            filling = StallMeter()
            filling.start()
            fill_trace = StallTrace("while the cards filled in")
            filling._timer.timeout.connect(fill_trace.tick)
            fill_trace.start()
            began = time.perf_counter()
            core.devices = kind(core.room, finder, store=core.store, poll_interval_s=1.0, rediscover_every_s=3600)
            await core.devices.start()
            await until(lambda: sum(c.device.availability is Availability.ONLINE
                                    for c in lecturer.cards.values()) >= devices, 90)
            fill_s = time.perf_counter() - began
            fill_trace.stop()
            filling.stop()
            changed = 0

            def count(_device: object) -> None:
                nonlocal changed
                changed += 1

            window.bridge.sig_device_changed.connect(count)
            meter = StallMeter()
            meter.start()
            trace = StallTrace()
            meter._timer.timeout.connect(trace.tick)
            trace.start()
            why = why_start(meter)
            cpu, queued = thread_cpu(), main_schedstat()
            profiling(True)
            await asyncio.sleep(seconds)
            profiling(False)
            figures["cpu"] = cpu_share(cpu, seconds)
            figures["queue"] = run_queue(queued, seconds)
            trace.stop()
            why_stop(why)
            meter.stop()
            online = sum(c.device.availability is Availability.ONLINE for c in lecturer.cards.values())
            figures.update(longest=meter.longest_ms, p99=meter.p99_ms, ticks=meter.ticks, cards=len(lecturer.cards),
                           online=online, changes=changed, filling=filling.longest_ms,
                           fill_s=fill_s)
            window.bridge.detach()
            await core.stop()

    async def pip(encoder_nice: int | None = None, x264_apart: bool | None = None) -> None:
        if encoder_nice is not None:
            from classroom_console.media import nice

            nice.ENCODER_NICE = encoder_nice
        from classroom_console.console import ConsoleCore, ConsoleOptions
        from classroom_console.media.layout import Layout, LayoutKind
        from ui.bridge import RoomBridge
        from ui.main_window import MainWindow

        with tempfile.TemporaryDirectory() as folder:
            core = ConsoleCore(ConsoleOptions(data_dir=Path(folder), discover=False))
            await core.start()
            window = MainWindow(RoomBridge(core))
            window.resize(1366, 768)
            window.show()
            freeze_long_lived()  # as ui/console_run.py does once the window is up
            window.show_workspace("studio")
            studio = window.studio._studio()
            if x264_apart is not None:  # None: the Studio's own choice
                studio.settings = dataclasses.replace(studio.settings, x264_apart=x264_apart)
            await studio.set_output((1920, 1080), 30)
            for spec in ("test-pattern", "test-pattern", "tone"):
                await studio.add_source(spec)
            studio.set_layout(Layout(LayoutKind.PIP))
            await asyncio.sleep(2.0)  # the preview on a while before Record, as a lecturer's (x264_apart's child up)
            await studio.start_recording()
            await asyncio.sleep(1.0)  # the encoder's start-up is not the steady state
            first = studio.stats()
            figures["first_s_skipped"] = first.skipped_by_encoder if first else 0
            meter = StallMeter()
            meter.start()
            trace = StallTrace()
            meter._timer.timeout.connect(trace.tick)
            trace.start()
            why = why_start(meter)
            cpu, queued = thread_cpu(), main_schedstat()
            profiling(True)
            await asyncio.sleep(seconds)
            profiling(False)
            figures["cpu"] = cpu_share(cpu, seconds)
            figures["queue"] = run_queue(queued, seconds)
            trace.stop()
            why_stop(why)
            meter.stop()
            shown = window.studio.relay.shown
            stats = studio.stats()
            changes = studio.recorder.preset_changes if studio.recorder else []
            steps = [f"{c.old}->{c.new} at {c.at_s:.1f} s" for c in changes]  # the Studio's adaptive preset
            await studio.stop_recording()
            figures.update(longest=meter.longest_ms, p99=meter.p99_ms, ticks=meter.ticks, previews=shown,
                           frames=stats.frames if stats else 0, skipped=stats.skipped_by_encoder if stats else 0,
                           presets=steps)
            window.bridge.detach()
            await studio.close()
            await core.stop()

    if os.environ.get("UI_STALL_SWITCH"):
        sys.setswitchinterval(float(os.environ["UI_STALL_SWITCH"]))
    if os.environ.get("UI_STALL_SLICE_US"):  # the main thread's kernel slice instead of the window's (0: the default)
        from classroom_console.media.kernel_slice import shorten

        shorten(int(os.environ["UI_STALL_SLICE_US"]) * 1000)
    sim = start_room(devices) if scenario.startswith("devices") else None
    run = {"bare": bare, "devices": room, "devices-main": lambda: room(on_main=True), "pip": pip,
           "pip-plain": lambda: pip(encoder_nice=0), "busy-in": lambda: busy(apart=False),
           "busy-apart": lambda: busy(apart=True), "pip-apart": lambda: pip(x264_apart=True),
           "pip-in": lambda: pip(x264_apart=False)}[scenario]
    try:
        with loop:
            loop.run_until_complete(run())
    finally:
        collector.stop()
        if sim is not None:
            stop_room(sim)
    if os.environ.get("UI_STALL_TRACE"):
        SlowEvents.report()
    if os.environ.get("UI_STALL_PROFILE"):
        import pstats
        pstats.Stats(PROFILE, stream=sys.stderr).sort_stats(os.environ["UI_STALL_PROFILE"]).print_stats(40)
    return figures


def child(scenario: str, seconds: float, devices: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", scenario, "--seconds", str(seconds),
                          "--devices", str(devices)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{scenario} failed:\n{out.stderr[-2000:]}")
    if os.environ.get("UI_STALL_WHY") and "frames over" in out.stderr:  # --why: the late frames, told by the child
        print("    " + out.stderr[out.stderr.index("frames over"):].rstrip().replace("\n", "\n    "))
    return dict(json.loads(lines[-1]))


def start_stress(timeout_s: int) -> subprocess.Popen[bytes]:
    if shutil.which("stress-ng") is None:
        sys.exit("stress-ng is not installed: apt-get install -y stress-ng")
    return subprocess.Popen(["stress-ng", "--cpu", "2", "--timeout", str(timeout_s), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    scenario_names = ("bare", "devices", "devices-main", "pip", "pip-plain", "busy-in", "busy-apart", "pip-apart",
                      "pip-in")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="3 s each instead of --seconds")
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--load", choices=("quiet", "stress", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3, help="runs of every scenario under each load (default 3)")
    parser.add_argument("--compare", action="store_true",
                        help="also the devices polled on the window's own loop (the design before the device thread) "
                             "and the recording with x264's threads at normal priority (before media/nice.py)")
    parser.add_argument("--only", choices=scenario_names, action="append",
                        help="run only these scenarios (repeatable)")
    parser.add_argument("--why", type=float, metavar="MS",
                        help="for every frame over MS ms late while measured: the collections, Qt events and stacks "
                             "in it (UI_STALL_WHY; the tracing itself costs the main thread a little)")
    parser.add_argument("--child", choices=scenario_names, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.why:
        os.environ["UI_STALL_WHY"] = f"{args.why:g}"
    if args.quick:
        args.seconds = 3.0
    if args.seconds <= 0 or args.devices <= 0 or args.runs <= 0:
        sys.exit("--seconds, --devices and --runs must be positive")
    if args.child:
        print(json.dumps(measure(args.child, args.seconds, args.devices)), flush=True)
        return
    loads = ("quiet", "stress") if args.load == "both" else (args.load,)
    scenarios = args.only or ["bare", "devices", *(["devices-main"] if args.compare else []), "pip",
                              *(["pip-plain", "busy-in", "busy-apart"] if args.compare else [])]
    print(f"Qt main-thread stall, {args.seconds:g} s each, {args.runs} run(s) of every scenario, interleaved"
          f" (5 ms precise timer; target: longest ≤ {TARGET_MS:g} ms in every run)")
    for load in loads:
        bound = int(args.runs * len(scenarios) * (args.seconds + 40) + 30)  # bounded even if this script dies
        stress = start_stress(bound) if load == "stress" else None
        try:
            time.sleep(1.0 if stress else 0)
            print(f"\n{'beside stress-ng --cpu 2' if stress else 'quiet'} (load average {os.getloadavg()[0]:.1f})")
            runs: dict[str, list[dict[str, Any]]] = {scenario: [] for scenario in scenarios}
            for number in range(args.runs):  # bare, devices, pip, bare, …: a load that drifts meets each alike
                for scenario in scenarios:
                    f = child(scenario, args.seconds, args.devices)
                    f["load"] = os.getloadavg()[0]
                    runs[scenario].append(f)
                    print(f"  run {number + 1} {scenario:<13} longest {f['longest']:7.1f} ms   p99 {f['p99']:6.1f} ms"
                          f"  (load {f['load']:.1f}){details(scenario, f)}", flush=True)
                    if f.get("queue"):
                        print(f"      the main thread waited for a core {f['queue']['waited_ms_s']:.0f} ms a second,"
                              f" {f['queue']['per_turn_ms']:.2f} ms a turn on average")
                    if f.get("cpu"):
                        print("      CPU, % of a core: " + ", ".join(f"{k} {v:g}" for k, v in f["cpu"].items()))
            print(f"  summary, {'beside stress-ng --cpu 2' if stress else 'quiet'}:")
            for scenario in scenarios:
                print(summary(scenario, runs[scenario], args.devices))
        finally:
            if stress is not None:
                os.killpg(stress.pid, 15)
                stress.wait(10)


def details(scenario: str, f: dict[str, Any]) -> str:
    if scenario.startswith("devices"):
        return (f"  {f['online']}/{f['cards']} cards online, {f['changes']} device changes;"
                f" while the cards filled in: longest {f['filling']:.1f} ms, {f['fill_s']:.2f} s to fill")
    if scenario.startswith("pip"):
        return (f"  {f['previews']} preview frames shown; {f['frames']} frames recorded, {f['skipped']} skipped by a"
                f" busy encoder ({f.get('first_s_skipped', 0)} in the recording's first second); preset steps:"
                f" {', '.join(f.get('presets', [])) or 'none'}")
    return ""


def summary(scenario: str, runs: list[dict[str, Any]], devices: int) -> str:
    """One line: every run's longest and p99, the worst of them against the target (a swing shows as such)."""
    label = {"bare": "reference: bare Qt window", "devices": f"{devices} devices polled",
             "devices-main": "reference: same, on the window's loop",
             "pip": "1080p30 PiP recording + preview",
             "pip-plain": "reference: same, x264 at normal nice",
             "busy-in": f"reference: {BUSY_THREADS} busy threads in-process",
             "busy-apart": "reference: same work, a process apart",
             "pip-apart": "the same, x264 a process apart",
             "pip-in": "the same, x264 in the window's process"}[scenario]
    worst = max(f["longest"] for f in runs)
    # The fill counts: a user sees the window freeze while the cards come in as much as while they are polled.
    judged = max(worst, *(f.get("filling", 0.0) for f in runs))
    reference = scenario in ("bare", "devices-main", "pip-plain", "busy-in", "busy-apart", "pip-apart", "pip-in")
    verdict = "" if reference else ("  ok" if worst <= TARGET_MS else "  OVER TARGET")
    overall = "" if reference else ("  ok" if judged <= TARGET_MS else "  OVER TARGET")
    longest = " / ".join(f"{f['longest']:.1f}" for f in runs)
    p99 = " / ".join(f"{f['p99']:.1f}" for f in runs)
    loads = " / ".join(f"{f['load']:.1f}" for f in runs)
    line = (f"    {label:<37} longest {longest} ms (max {worst:.1f}, median"
            f" {statistics.median(f['longest'] for f in runs):.1f})   p99 {p99} ms   load {loads}{verdict}")
    if scenario.startswith("devices"):
        filling = " / ".join(f"{f['filling']:.1f}" for f in runs)
        took = " / ".join(f"{f['fill_s']:.2f}" for f in runs)
        line += (f"\n    {'':<37} while {devices} cards filled in: longest {filling} ms, filled in {took} s"
                 f"\n    {'':<37} fill and polling together: max {judged:.1f} ms{overall}")
    return line


if __name__ == "__main__":
    main()
