"""The simulated head moves at a motor's pace, computed from the clock (a fake one here: no sleeping)."""

from __future__ import annotations

import threading

import pytest

from devices.sim.camera.head import MotorProfile, SimulatedHead
from devices.sim.ptz import PtzHead, PtzPosition


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make(clock: FakeClock, **presets: PtzPosition) -> SimulatedHead:
    head = SimulatedHead(MotorProfile(pan_range_s=3.0, preset_s=1.0), clock=clock,
                         presets={int(k[1:]): (k, p) for k, p in presets.items()})
    return head


def test_it_is_a_ptz_head(clock: FakeClock) -> None:
    head: PtzHead = make(clock)
    assert head.position() == PtzPosition() and head.powered and not head.moving()


def test_the_full_pan_range_takes_three_seconds_at_top_speed(clock: FakeClock) -> None:
    head = make(clock)
    head.go_to(PtzPosition(pan=-1.0))
    clock.advance(10)
    head.drive(1.0, 0.0, 0.0)
    assert head.remaining_s() == pytest.approx(3.0)
    clock.advance(1.5)
    assert head.position().pan == pytest.approx(0.0) and head.moving()
    clock.advance(1.5)
    assert head.position().pan == pytest.approx(1.0)
    clock.advance(5)
    assert head.position().pan == 1.0 and not head.moving(), "stops at its limit"


def test_half_speed_takes_twice_as_long_and_axes_arrive_together(clock: FakeClock) -> None:
    head = make(clock)
    head.go_to(PtzPosition(pan=1.0, tilt=0.2, zoom=0.1), speed=0.5)
    assert head.remaining_s() == pytest.approx(3.0)  # 1.0 of pan at a third per second
    clock.advance(1.5)
    mid = head.position()
    assert 0 < mid.pan < 1 and 0 < mid.tilt < 0.2 and 0 < mid.zoom < 0.1
    assert mid.pan / 1.0 == pytest.approx(mid.tilt / 0.2) == pytest.approx(mid.zoom / 0.1)
    clock.advance(1.5)
    assert head.position() == PtzPosition(1.0, 0.2, 0.1) and not head.moving()


def test_a_preset_recall_takes_about_a_second(clock: FakeClock) -> None:
    target = PtzPosition(0.6, -0.5, 0.55)
    head = make(clock, p2=target)
    assert head.recall_preset(2) and not head.recall_preset(3)
    clock.advance(0.5)
    assert head.moving() and head.position() != target
    clock.advance(0.5)
    assert head.position() == target and not head.moving()
    assert head.recall_preset(2) and not head.moving(), "already there: nothing to do"


def test_presets_store_where_the_head_is(clock: FakeClock) -> None:
    head = make(clock)
    head.go_to(PtzPosition(-0.3, 0.4, 0.2))
    clock.advance(0.4)
    here = head.position()
    head.store_preset(7, "Door")
    assert head.presets()[7] == ("Door", here)
    head.home()
    clock.advance(1.0)
    assert head.position() == PtzPosition()
    assert head.forget_preset(7) and 7 not in head.presets()


def test_stop_holds_the_position_mid_move(clock: FakeClock) -> None:
    head = make(clock)
    head.drive(-1.0, 1.0, 1.0)
    clock.advance(0.75)
    head.stop()
    held = head.position()
    clock.advance(5)
    assert head.position() == held and held.pan == pytest.approx(-0.5) and not head.moving()


def test_axes_move_independently(clock: FakeClock) -> None:
    head = make(clock)
    head.go_to_axes(1.0, pan=1.0)
    head.drive_axes(zoom=1.0)
    clock.advance(1.0)
    assert 0 < head.position().pan < 1.0 and head.position().zoom == pytest.approx(0.4)
    assert head.remaining_s("zoom") == pytest.approx(1.5) and head.remaining_s("pan") == pytest.approx(0.5)
    before = head.generation("pan")
    head.drive_axes(zoom=0.0)
    assert head.generation("pan") == before and head.moving()


def test_limits_and_nonsense_are_clamped(clock: FakeClock) -> None:
    head = make(clock)
    head.go_to(PtzPosition(5.0, -5.0, float("nan")))
    clock.advance(10)
    assert head.position() == PtzPosition(1.0, -1.0, 0.0)


def test_standby_stops_and_ignores_moves(clock: FakeClock) -> None:
    head = make(clock)
    head.drive(1.0, 0, 0)
    clock.advance(0.3)
    head.set_power(False)
    held = head.position()
    head.go_to(PtzPosition(-1, -1, 1))
    head.drive(1, 1, 1)
    clock.advance(3)
    assert head.position() == held and not head.powered
    head.set_power(True)
    head.home()
    clock.advance(1)
    assert head.position() == PtzPosition()


def test_moving_and_reading_from_threads_at_once() -> None:
    head = SimulatedHead(MotorProfile(preset_s=0.01))
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(2000):
                if (i + seed) % 4 == 0:
                    head.drive(0.5, -0.5, 0.2)
                elif (i + seed) % 4 == 1:
                    head.go_to(PtzPosition(-0.2, 0.3, 0.4))
                p = head.position()
                assert -1 <= p.pan <= 1 and -1 <= p.tilt <= 1 and 0 <= p.zoom <= 1
                head.remaining_s()
        except BaseException as exc:  # collected for the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
