"""``discover``'s cycle collector during a look: what it loaded frozen, collections every 10,000 new objects, and
all of it as it was afterwards (commands/discover.sweep_collector)."""

from __future__ import annotations

import gc

from classroom_console.commands.discover import SWEEP_GEN0, sweep_collector


def test_the_look_runs_with_what_is_loaded_frozen_and_a_higher_first_threshold() -> None:
    before = gc.get_threshold()
    gc.unfreeze()  # as in a process that froze nothing (the test run freezes what it loaded: tests/conftest.py)
    try:
        with sweep_collector():
            assert gc.get_threshold() == (SWEEP_GEN0, *before[1:])
            assert gc.get_freeze_count() > 0, "nothing frozen: every collection walks the command's imports"
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_a_callers_own_settings_are_kept() -> None:
    """A collector switched off stays off; a caller's freeze stays (Python cannot undo only the look's)."""
    before = gc.get_threshold()
    gc.set_threshold(0, *before[1:])
    gc.freeze()
    try:
        with sweep_collector():
            assert gc.get_threshold()[0] == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
