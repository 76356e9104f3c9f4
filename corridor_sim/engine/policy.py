"""Departure rules shared by trains and vessels (pure functions of time and load)."""

from __future__ import annotations

import math


def next_slot(policy, now: float, after: float | None = None) -> float:
    """The first timetable departure at or after ``now`` (strictly after ``after``)."""
    interval, offset = policy.timetable_h, policy.timetable_offset_h
    k = math.ceil((now - offset) / interval - 1e-9)
    t = offset + k * interval
    if after is not None and t <= after + 1e-9:
        t = after + interval
    return t
