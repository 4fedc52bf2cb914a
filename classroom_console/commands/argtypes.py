"""Argument types shared by the subcommands: a bad value is refused by argparse, in one line, before any work.

A negative duration once "recorded" nothing and exited 0; a CRF of 99 reached the encoder. Each check lives here
once, and the message names the value and what is allowed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date


def number_in(low: float, high: float, *, integer: bool = False, low_open: bool = False) -> Callable[[str], float]:
    """A float (or int) within [low, high] ((low, high] with ``low_open``)."""

    def parse(text: str) -> float:
        try:
            value: float = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {'a whole number' if integer else 'a number'}") from None
        if value != value or (value <= low if low_open else value < low) or value > high:  # NaN included
            bound = f"more than {low:g}" if low_open else f"at least {low:g}"
            raise argparse.ArgumentTypeError(f"{text} must be {bound} and at most {high:g}")
        return value

    return parse


def positive_seconds(text: str) -> float:
    return number_in(0.0, 7 * 24 * 3600.0, low_open=True)(text)


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-01") from None
