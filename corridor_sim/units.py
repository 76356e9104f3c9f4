"""Unit conversions used across layers (one definition each)."""

from __future__ import annotations

KM_PER_NM = 1.852  # kilometres per nautical mile, so km/h per knot
HOURS_PER_YEAR = 8760.0  # 365 days
