"""Service classes: ``block`` trains and ``regular`` traffic.

A flow is of one class (``Flow.service``; ``priority: true`` means ``block``). Block
trains run on booked paths and ferry slots and board first; regular traffic (wagonload
and ordinary container trains) queues for its own trains. A leg or node may give
regular traffic parameters of its own (``regular:``); without them both classes use the
leg's or node's value.
"""

from __future__ import annotations

from typing import Literal

from .distributions import Distribution
from .strict import Strict

ServiceClass = Literal["block", "regular"]
SERVICE_CLASSES: tuple[str, ...] = ("block", "regular")  # index = class code in the engine
BLOCK, REGULAR = 0, 1


class RegularLeg(Strict):
    """How regular trains run on a leg: ``speed_kmh`` replaces the leg's own speed for
    them (block trains keep the leg's ``speed_kmh``)."""

    speed_kmh: Distribution
    source: str | None = None


class RegularNode(Strict):
    """How long a node handles a regular train: ``dwell_h`` replaces the node's own
    dwell for them (block trains keep the node's ``dwell_h``)."""

    dwell_h: Distribution
    source: str | None = None


def leg_speed(leg, service: str):
    """The speed distribution of ``service`` trains on ``leg`` and whether it is the
    class's own (``regular:`` given) rather than the leg's."""
    if service == "regular" and leg.regular is not None:
        return leg.regular.speed_kmh, True
    return leg.speed_kmh, False


def node_dwell(node, service: str):
    """The dwell distribution of ``service`` trains at ``node`` and whether it is the
    class's own (``regular:`` given) rather than the node's."""
    if service == "regular" and node.regular is not None:
        return node.regular.dwell_h, True
    return node.dwell_h, False
