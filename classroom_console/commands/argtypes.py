"""Argument types shared by the subcommands: a bad value is refused by argparse, in one line, before any work.

A negative duration once "recorded" nothing and exited 0; a CRF of 99 reached the encoder. Each check lives here
once, and the message names the value and what is allowed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from classroom_console.cli_text import tr


def number_in(low: float, high: float, *, integer: bool = False, low_open: bool = False) -> Callable[[str], float]:
    """A float (or int) within [low, high] ((low, high] with ``low_open``)."""

    def parse(text: str) -> float:
        try:
            value: float = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError((tr("{text!r} is not a whole number") if integer else tr(
                "{text!r} is not a number")).format(text=text)) from None
        if value != value or (value <= low if low_open else value < low) or value > high:  # NaN included
            bound = tr("{text} must be more than {low} and at most {high}") if low_open else tr(
                "{text} must be at least {low} and at most {high}")
            raise argparse.ArgumentTypeError(bound.format(text=text, low=_bound(low), high=_bound(high)))
        return value

    return parse


def _bound(x: float) -> str:
    """A bound as a person writes it: 1000000, not 1e+06 ("{:g}"'s six digits); 0.5 as it is."""
    return str(int(x)) if x == int(x) else f"{x:g}"


def positive_seconds(text: str) -> float:
    return number_in(0.0, 7 * 24 * 3600.0, low_open=True)(text)


def iso_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("{text!r} is not a date like 2026-09-01").format(text=text)) from None
