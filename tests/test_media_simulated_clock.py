"""The simulated clock stands still while a caller holds it, and moves on once it lets go."""

from __future__ import annotations

import threading
import time

from classroom_console.media import SimulatedClock


def test_time_stands_still_while_held_and_moves_on_after() -> None:
    clock = SimulatedClock(start=1000.0)
    woke = threading.Event()

    def paced() -> None:
        clock.join()
        try:
            clock.sleep_until(1001.0)
            woke.set()
        finally:
            clock.leave()

    with clock.held():
        thread = threading.Thread(target=paced)
        thread.start()
        # Unheld, the only participant's sleep would move time to 1001.0 at once; held, it may not move at all
        # (a pause long enough for the thread to be asleep on a busy machine; it can only let a bug pass).
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            assert clock.now() == 1000.0 and not woke.is_set()
            time.sleep(0.01)
    assert woke.wait(30.0), "let go, the sleeper's instant comes"
    assert clock.now() == 1001.0
    thread.join(30.0)
