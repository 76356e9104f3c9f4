"""The scenario schema: pydantic models for nodes, legs, services, flows and disruptions.

Pure data, no simulation. Units live in field names: ``_h`` hours, ``_km`` kilometres,
``_kmh`` km/h, ``_kn`` knots, ``_t`` tonnes, ``_teu`` twenty-foot equivalent units,
``_mm`` millimetres, ``_days`` days.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from .classes import RegularLeg, RegularNode, ServiceClass
from .distributions import Distribution, NonNeg, Pos
from .economics import Economics
from .fleets import Fleet
from .routes import AbstractRoute, Market
from .strict import Strict

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
Prob = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


class Monthly(Strict):
    """A value per calendar month (missing months take ``default``)."""

    default: NonNeg = 1.0
    jan: NonNeg | None = None
    feb: NonNeg | None = None
    mar: NonNeg | None = None
    apr: NonNeg | None = None
    may: NonNeg | None = None
    jun: NonNeg | None = None
    jul: NonNeg | None = None
    aug: NonNeg | None = None
    sep: NonNeg | None = None
    oct: NonNeg | None = None
    nov: NonNeg | None = None
    dec: NonNeg | None = None

    def values(self) -> list[float]:
        """Twelve values, January first."""
        return [self.default if getattr(self, m) is None else getattr(self, m) for m in MONTHS]


class MonthlyProb(Monthly):
    """A probability per calendar month (default 0)."""

    default: Prob = 0.0
    jan: Prob | None = None
    feb: Prob | None = None
    mar: Prob | None = None
    apr: Prob | None = None
    may: Prob | None = None
    jun: Prob | None = None
    jul: Prob | None = None
    aug: Prob | None = None
    sep: Prob | None = None
    oct: Prob | None = None
    nov: Prob | None = None
    dec: Prob | None = None


class DepartPolicy(Strict):
    """When a train or vessel leaves.

    ``when_full``: leave once loaded to this fraction of capacity (0-1].
    ``max_wait_h``: leave after this many hours even if not full (counted from the first
    unit waiting for a train, or from a vessel reaching its berth).
    ``timetable_h``: if set, leave only at multiples of this interval (hours) after
    ``timetable_offset_h``; ``when_full`` and ``max_wait_h`` are then ignored.
    ``timetable_min_fill``: with a timetable, leave only at a slot at which at least this
    fraction of capacity (0-1] waits; slots with less pass unused.
    """

    when_full: Annotated[float, Field(gt=0, le=1)] = 1.0
    max_wait_h: Pos = 72.0
    timetable_h: Pos | None = None
    timetable_offset_h: NonNeg = 0.0
    timetable_min_fill: Annotated[float, Field(gt=0, le=1)] | None = None

    @field_validator("timetable_min_fill")
    @classmethod
    def _min_fill_needs_timetable(cls, v, info: ValidationInfo):
        if v is not None and info.data.get("timetable_h") is None:
            raise ValueError("timetable_min_fill needs timetable_h (the slots it fills)")
        return v


class GaugeChange(Strict):
    """Track gauge on arrival and on departure (mm); the node then transships. It works
    both ways (``to_mm`` -> ``from_mm`` for traffic the other way) unless ``one_way``."""

    from_mm: Annotated[int, Field(gt=0)]
    to_mm: Annotated[int, Field(gt=0)]
    one_way: bool = False

    def allows(self, arrive_mm: int, leave_mm: int) -> bool:
        """Can a train arriving on ``arrive_mm`` leave on ``leave_mm`` here?"""
        if (arrive_mm, leave_mm) == (self.from_mm, self.to_mm):
            return True
        return not self.one_way and (arrive_mm, leave_mm) == (self.to_mm, self.from_mm)


class Node(Strict):
    """A place where cargo waits or is handled.

    ``tracks``: trains handled at once. ``dwell_h``: handling time per train (hours).
    ``transship``: trains are broken up here and consignments re-consolidated; defaults
    to true for terminals, ports and gauge changes. ``depart``: policy for trains formed
    here. ``berths``: vessels loaded or unloaded at once (ports). ``regular``: the dwell
    of regular trains, when it differs from ``dwell_h`` (:mod:`.classes`).
    """

    kind: Literal["terminal", "border", "port", "junction"]
    name: str | None = None
    country: Annotated[str, Field(min_length=2, max_length=2)]
    lon: Lon
    lat: Lat
    tracks: Annotated[int, Field(ge=1, le=1000)] = 1
    dwell_h: Distribution = Field(default=0.0, validate_default=True)
    gauge_change: GaugeChange | None = None
    transship: bool | None = None
    berths: Annotated[int, Field(ge=1, le=1000)] = 1
    depart: DepartPolicy = DepartPolicy()
    regular: RegularNode | None = None
    source: str | None = None

    @property
    def breaks_trains(self) -> bool:
        if self.transship is not None:
            return self.transship
        return self.kind in ("terminal", "port") or self.gauge_change is not None


class Leg(Strict):
    """A rail link between two nodes, written ``from`` -> ``to`` and ridden both ways.

    ``trains_per_day``: line capacity (minimum headway 24/trains_per_day hours) in each
    direction on ``track: double``; on ``track: single`` both directions share it and a
    train enters only once the line is clear of trains the other way. Null for
    unlimited. ``max_train_teu``: the longest train allowed on the line, in TEU slots.
    ``regular``: the speed of regular trains, when it differs from ``speed_kmh``.
    """

    id: Ident | None = None
    from_: Ident = Field(alias="from")
    to: Ident
    mode: Literal["rail"] = "rail"
    distance_km: Pos
    speed_kmh: Distribution
    trains_per_day: Pos | None = None
    track: Literal["double", "single"] = "double"
    max_train_teu: Annotated[int, Field(ge=1, le=10000)] = 100
    gauge_mm: Annotated[int, Field(gt=0)] | None = None
    regular: RegularLeg | None = None
    source: str | None = None

    @property
    def key(self) -> str:
        return self.id or f"{self.from_}-{self.to}"


class Weather(Strict):
    """Stochastic closures: each day of month m a closure starts with probability
    ``closure_prob_per_day[m]`` (if not already closed) and lasts ``duration_h``."""

    closure_prob_per_day: MonthlyProb
    duration_h: Distribution


class Background(Strict):
    """Traffic that shares a service's deck without being followed consignment by
    consignment (trucks, tank wagons of oil products, cars): ``units_per_day`` on
    average (times ``seasonality`` per month), arriving as a Poisson process, each unit
    taking ``teu_per_unit`` deck slots (TEU equivalents: on a rail ferry whose deck
    holds 56 wagons of 2 TEU, a truck takes about 112 / 50 = 2.24). ``direction``:
    ``outbound`` crosses as the service is written (``from`` -> ``to``), ``return`` the
    other way. ``boards``: ``booked`` (default) — at each sailing priority cargo (booked
    block-train slots) boards first, then background units (the service's booked
    business, oldest first), then the other cargo in the deck that is left;
    ``standby`` — background units board last, in the deck all cargo leaves, and the
    departure rules do not count them: they never hold cargo back and no vessel waits
    for them. ``max_wait_h``: a unit still ashore after waiting this long
    is turned away (goes another way; counted in the ``background`` table); without it
    units wait until they board. Entries of one service and direction share ``boards``
    and ``max_wait_h``."""

    id: Ident
    direction: Literal["outbound", "return"] = "outbound"
    unit: str = "truck"
    units_per_day: NonNeg
    teu_per_unit: Pos = 1.0
    seasonality: Monthly | None = None
    boards: Literal["booked", "standby"] = "booked"
    max_wait_h: Pos | None = None
    source: str | None = None


class Service(Strict):
    """A sea shuttle between two ports served by one fleet of vessels. Vessels load cargo
    waiting for the crossing at either port: ``depart`` rules the crossing from ``from``,
    ``depart_return`` (default: the same) the crossing back; where nothing ever waits
    at the far port they return empty."""

    from_: Ident = Field(alias="from")
    to: Ident
    distance_km: Pos
    vessels: Annotated[int, Field(ge=1, le=1000)]
    capacity_teu: Pos
    speed_kn: Distribution
    load_teu_per_h: Pos = 50.0
    unload_teu_per_h: Pos = 50.0
    anchorage_h: Distribution = Field(default=0.0, validate_default=True)
    depart: DepartPolicy = DepartPolicy(when_full=0.9, max_wait_h=48.0)
    depart_return: DepartPolicy | None = None
    weather: Weather | None = None
    background: list[Background] = Field(default_factory=list)
    source: str | None = None


class RatePeriod(Strict):
    """From ``from`` on, the flow runs at ``tons_per_year`` (before demand scaling)."""

    from_: dt.date = Field(alias="from")
    tons_per_year: NonNeg


class Flow(Strict):
    """An origin -> destination demand stream along a fixed route ``from``, ``via``..., ``to``.

    ``tons_per_year`` is the mean annual volume before seasonality and ``demand.scale``;
    ``rates`` switches the volume at given dates; ``seasonality`` multiplies it per month.
    Each consignment is one unit (a TEU or a wagon) of ``tons_per_unit`` tonnes occupying
    ``teu_per_unit`` TEU slots on trains and vessels. ``block_units`` > 1 makes
    consignments arrive together in blocks of that many units. ``priority`` cargo boards
    trains and vessels ahead of other cargo waiting at the same place (as block trains
    with booked ferry slots and train paths do), so a block that fits stays together.
    ``service``: ``block`` or ``regular`` (:mod:`.classes`); ``priority: true`` means
    ``block``, so the default is ``block`` with priority and ``regular`` without. The
    class is :attr:`service_class`, the one value the engine and the tables read.
    """

    id: Ident
    from_: Ident = Field(alias="from")
    to: Ident
    via: list[Ident] = Field(default_factory=list)
    unit: Literal["teu", "wagon"] = "teu"
    tons_per_unit: Pos = 20.0
    teu_per_unit: Pos = 1.0
    tons_per_year: NonNeg
    rates: list[RatePeriod] = Field(default_factory=list)
    seasonality: Monthly | None = None
    arrivals: Literal["poisson", "schedule"] = "poisson"
    block_units: Annotated[int, Field(ge=1, le=10000)] = 1
    priority: bool = False
    service: ServiceClass | None = None
    source: str | None = None

    @field_validator("service")
    @classmethod
    def _service_agrees_with_priority(cls, value, info: ValidationInfo):
        if value == "regular" and info.data.get("priority"):
            raise ValueError("service: regular contradicts priority: true (priority cargo "
                             "travels as service: block); give one of them")
        return value

    @property
    def route(self) -> list[str]:
        return [self.from_, *self.via, self.to]

    @property
    def service_class(self) -> str:
        """``block`` (``service: block`` or ``priority: true``) or ``regular``."""
        return self.service or ("block" if self.priority else "regular")

    @property
    def boards_first(self) -> bool:
        """Block cargo boards trains and vessels ahead of regular cargo."""
        return self.service_class == "block"


class Disruption(Strict):
    """A scheduled disruption of a node, leg (by id or ``from-to``) or service.

    ``closure``: nothing passes for ``days`` from ``start``. ``capacity``: the target keeps
    ``factor`` (between 0 and 1) of its capacity: a node processes trains ``1 / factor``
    times slower, a leg takes ``factor x trains_per_day``, a service's vessels load at
    most ``factor x capacity_teu`` (e.g. draught limits at low water). With an ``id``,
    disruptions merge with a parent file's by id (``extends``) and can be addressed by
    it in overrides.
    """

    id: Ident | None = None
    target: Ident
    kind: Literal["closure", "capacity"] = "closure"
    start: dt.datetime
    days: Pos
    factor: Annotated[float, Field(gt=0, lt=1)] | None = None
    note: str | None = None


class Demand(Strict):
    """Global demand multiplier applied to every flow."""

    scale: NonNeg = 1.0


class Calibration(Strict):
    """Free parameters (dotted override paths) with their [low, high] bounds."""

    free: dict[str, tuple[float, float]] = Field(default_factory=dict)


class Outputs(Strict):
    """What a run writes besides the tables."""

    plots: bool = True
    resources: bool = True
    itinerary: bool = True
    resources_resolution: Literal["exact", "hour", "day"] = "exact"


class Report(Strict):
    """What the run summary and the reports show besides the standard tables."""

    legs_of_interest: list[tuple[Ident, Ident]] = Field(default_factory=list)


class Scenario(Strict):
    """A complete corridor scenario: network, demand, disruptions and run settings.

    The simulation clock is hours since ``start_date``; it starts at ``-warmup_days`` so
    that the system is loaded on ``start_date`` and runs until ``horizon_days``.
    ``economics`` (optional) holds the tariffs and emission factors from which each
    consignment's cost and CO2e are computed (:mod:`corridor_sim.scenario.economics`);
    ``routes`` (abstract comparator routes) and ``markets`` (demand that chooses among
    routes) are described in :mod:`corridor_sim.scenario.routes`.
    """

    name: Ident
    description: str = ""
    start_date: dt.date
    horizon_days: Annotated[float, Field(gt=0, le=36500)]
    warmup_days: Annotated[float, Field(ge=0, le=36500)] = 0.0
    seed: Annotated[int, Field(ge=0, lt=2**63)] = 0
    demand: Demand = Demand()
    nodes: dict[Ident, Node] = Field(min_length=2)
    legs: list[Leg] = Field(default_factory=list)
    services: dict[Ident, Service] = Field(default_factory=dict)
    flows: list[Flow] = Field(min_length=1)
    disruptions: list[Disruption] = Field(default_factory=list)
    calibration: Calibration | None = None
    outputs: Outputs = Outputs()
    report: Report = Report()
    economics: Economics | None = None
    routes: dict[Ident, AbstractRoute] = Field(default_factory=dict)
    markets: dict[Ident, Market] = Field(default_factory=dict)
    fleets: dict[Ident, Fleet] = Field(default_factory=dict)
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("warmup_days")
    @classmethod
    def _warmup(cls, value: float, info: ValidationInfo) -> float:
        horizon = info.data.get("horizon_days")
        if horizon is not None and value >= horizon:
            raise ValueError(
                f"warmup_days ({value:g}) must be shorter than horizon_days ({horizon:g})"
            )
        return value

    def start_datetime(self) -> dt.datetime:
        return dt.datetime.combine(self.start_date, dt.time())

    def hours_since_start(self, when: dt.date | dt.datetime) -> float:
        """Convert a calendar date/time to simulation hours (hours since start_date)."""
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time())
        return (when - self.start_datetime()).total_seconds() / 3600.0

    def to_dict(self) -> dict:
        """Plain YAML-ready mapping (aliases such as ``from``, defaults omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)
