"""Unit conversions used across layers (one definition each), and numbers written with
their units."""

from __future__ import annotations

KM_PER_NM = 1.852  # kilometres per nautical mile, so km/h per knot
HOURS_PER_YEAR = 8760.0  # 365 days

_INVARIANT = frozenset({"TEU"})  # the same after any number
_SINGULAR = {"trains/day": "train/day"}  # plurals whose singular is not without the "s"


def quantity(n: float, unit: str) -> str:
    """``n`` and its ``unit`` (given singular or plural, e.g. ``wagon`` or ``wagons``)
    as reports and summaries write them: thousands separated, the unit agreeing with the number
    (``1 vessel``, ``1,880 wagons``, ``9,655 TEU``, ``1.6 trains/day``)."""
    plural = unit if unit in _INVARIANT or unit in _SINGULAR or unit.endswith("s") \
        else unit + "s"
    singular = _SINGULAR.get(plural, plural if plural in _INVARIANT else plural[:-1])
    number = f"{int(n):,}" if float(n).is_integer() else f"{n:,g}"
    return f"{number} {singular if n == 1 else plural}"
