"""A cycle that holds a Qt object is freed on the Qt thread, never by a worker thread that happens to allocate."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from ui.main_thread_gc import MainThreadCollector, collect_due, settle_young, young_only


class _Garbage:
    def __init__(self) -> None:
        self.me = self  # a cycle of plain Python objects


class _Cycle:
    def __init__(self, freed_in: list[str]) -> None:
        self.qobject = QObject()
        self.me = self  # a cycle: only the cycle collector frees it
        self.qobject.destroyed.connect(lambda: freed_in.append(threading.current_thread().name))


def test_a_cycle_with_a_qt_object_is_freed_on_the_qt_thread(qtbot: QtBot) -> None:
    collector = MainThreadCollector()
    try:
        assert not gc.isenabled()
        freed_in: list[str] = []
        _Cycle(freed_in)

        def allocate() -> None:  # far past generation 0's threshold: it would have set a collection off here
            junk = [[i] for i in range(50 * gc.get_threshold()[0])]
            del junk

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join(timeout=30)
        assert freed_in == []
        thresholds = gc.get_threshold()
        gc.set_threshold(1, *thresholds[1:])  # make the next check collect generation 0 at least
        try:
            qtbot.waitUntil(lambda: bool(freed_in), timeout=30_000)
        finally:
            gc.set_threshold(*thresholds)
        assert freed_in == [threading.main_thread().name]
    finally:
        collector.stop()


def test_while_held_only_the_youngest_generation_is_collected(qtbot: QtBot) -> None:
    collector = MainThreadCollector()
    thresholds = gc.get_threshold()
    collected: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collected.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        gc.set_threshold(1, 1, 1)  # every generation due at once
        for _ in range(5):
            junk = [[i] for i in range(100)]  # past generation 0's threshold
            del junk
        young_only(30)
        collect_due()
        assert collected == [0]  # a filling window: no pass over the older generations' long-lived widgets
        alive = _Garbage()  # alive when the fill ends (an encoder of a recording running meanwhile, say)
        alive_ref = weakref.ref(alive)
        settle_young()  # the fill is over: the hold gone, nothing frozen
        del alive  # it becomes cyclic garbage later
        gc.collect()
        assert alive_ref() is None, "a cycle alive when the fill ended was frozen for good"
        gc.collect(0)
        gc.collect(0)  # generation 1 due again
        collected.clear()
        collect_due()
        assert collected and collected[0] > 0  # the older generations are collected as before
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*thresholds)
        young_only(0)
        collector.stop()
