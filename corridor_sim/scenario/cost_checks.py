"""Whole-scenario checks of cost and route choice: the ``economics:`` block (every leg,
service and node it names exists; every country and sea service a flow's route uses has
its figures) and the ``markets:`` and ``routes:`` blocks."""

from __future__ import annotations

from .economics import Economics
from .errors import Problem
from .links import directed_links
from .routes import AbstractRoute
from .schema_paths import suggest


def check_economics(scenario) -> list[Problem]:
    """Every leg, service and node the block names exists, and every country a flow's
    rail legs run through has a rail entry; paths as in the scenario file."""
    eco: Economics | None = getattr(scenario, "economics", None)
    if eco is None:
        return []
    problems: list[Problem] = []
    legs = {leg.key: leg for leg in scenario.legs}
    for key in eco.legs:
        if key not in legs:
            problems.append(Problem(f"unknown leg {key!r}{suggest(key, legs)} (legs are "
                                    "named by id or from-to)", path=f"economics.legs.{key}"))
    for name in eco.sea:
        if name not in scenario.services:
            problems.append(Problem(f"unknown service {name!r}{suggest(name, scenario.services)}",
                                    path=f"economics.sea.{name}"))
    for node in eco.handling.nodes:
        if node not in scenario.nodes:
            problems.append(Problem(f"unknown node {node!r}{suggest(node, scenario.nodes)}",
                                    path=f"economics.handling.nodes.{node}"))
    links = directed_links(scenario)  # a flow may ride a leg or service either way
    missing_country: dict[str, str] = {}
    missing_service: dict[str, tuple[str, str]] = {}
    for i, flow in enumerate(scenario.flows):
        for j, (a, b) in enumerate(zip(flow.route, flow.route[1:])):
            link = links.get((a, b))
            if link is None:  # reported by the route check
                continue
            if link.kind == "rail":
                for c in leg_countries(scenario, link.leg):
                    if c not in eco.rail:
                        missing_country.setdefault(c, link.name)
            elif link.name not in eco.sea:
                where = f"flows.{i}.via.{j}" if j < len(flow.via) else f"flows.{i}.to"
                missing_service.setdefault(link.name, (flow.id, where))
    for c, leg in missing_country.items():
        problems.append(Problem(f"no rail entry for country {c!r} (leg {leg!r} runs there); "
                                f"add economics.rail.{c}", path="economics.rail"))
    for name, (flow, where) in missing_service.items():
        problems.append(Problem(f"flow {flow!r} crosses on service {name!r}, which has no "
                                f"tariff: add economics.sea.{name}", path=where))
    return problems


def leg_countries(scenario, leg) -> list[str]:
    """The countries a rail leg runs through (its sections, else its from node's)."""
    eco = scenario.economics
    sections = eco.legs.get(leg.key) if eco is not None else None
    if sections is not None:
        return [s.country for s in sections.sections]
    node = scenario.nodes.get(leg.from_)
    return [node.country] if node is not None else []


def _hours(scenario, when) -> float:
    return scenario.hours_since_start(when)


def check_markets(scenario) -> list[Problem]:
    """Alternatives name existing flows and routes that join the market's origin and
    destination; windows lie in the simulated period; at every moment some alternative
    is available; learning settings are not given where nothing learns."""
    problems: list[Problem] = []
    flows = {f.id: f for f in scenario.flows}
    routes = scenario.routes
    t0, t1 = -scenario.warmup_days * 24.0, scenario.horizon_days * 24.0
    for rid, route in routes.items():
        for k, w in enumerate(route.unavailable):
            a = _hours(scenario, w.start)
            if a >= t1 or a + w.days * 24.0 <= t0:
                problems.append(Problem(f"window from {w.start} for {w.days:g} days lies "
                                        "outside the simulated period",
                                        path=f"routes.{rid}.unavailable.{k}.start",
                                        severity="warning"))
    claimed: dict[str, str] = {}
    for mid, m in scenario.markets.items():
        if "learn_window_days" in m.model_fields_set and m.expected != "learned":
            problems.append(Problem(f"learn_window_days has no effect with expected: "
                                    f"{m.expected} (only with expected: learned)",
                                    path=f"markets.{mid}.learn_window_days",
                                    severity="warning"))
        for end, node in (("from", m.from_), ("to", m.to)):
            if node not in scenario.nodes:
                problems.append(Problem(f"unknown node {node!r}{suggest(node, scenario.nodes)}",
                                        path=f"markets.{mid}.{end}"))
        if scenario.economics is None and any(a.flow for a in m.alternatives):
            problems.append(Problem("a market with simulated alternatives needs the "
                                    "scenario's `economics:` block to price them",
                                    path=f"markets.{mid}"))
        for k, alt in enumerate(m.alternatives):
            where = f"markets.{mid}.alternatives.{k}"
            if alt.flow is not None:
                f = flows.get(alt.flow)
                if f is None:
                    problems.append(Problem(f"unknown flow {alt.flow!r}"
                                            f"{suggest(alt.flow, flows)}", path=f"{where}.flow"))
                    continue
                if (f.from_, f.to) != (m.from_, m.to):
                    problems.append(Problem(
                        f"flow {alt.flow!r} runs {f.from_} -> {f.to}, not the market's "
                        f"{m.from_} -> {m.to}: an alternative must connect the same places",
                        path=f"{where}.flow"))
                if (f.teu_per_unit, f.tons_per_unit, f.unit) != (
                        m.teu_per_unit, m.tons_per_unit, m.unit):
                    problems.append(Problem(
                        f"flow {alt.flow!r} carries units of {f.tons_per_unit:g} t and "
                        f"{f.teu_per_unit:g} TEU ({f.unit}); the market's are "
                        f"{m.tons_per_unit:g} t and {m.teu_per_unit:g} TEU ({m.unit})",
                        path=f"{where}.flow"))
                if f.tons_per_year > 0 or f.rates:
                    problems.append(Problem(
                        f"flow {alt.flow!r} is an alternative of market {mid!r}, so its "
                        "consignments are the market's that choose it: set its "
                        "tons_per_year to 0 (and give it no rates)", path=f"{where}.flow"))
                if alt.flow in claimed and claimed[alt.flow] != mid:
                    problems.append(Problem(f"flow {alt.flow!r} is already an alternative "
                                            f"of market {claimed[alt.flow]!r}",
                                            path=f"{where}.flow"))
                claimed[alt.flow] = mid
            elif alt.route not in routes:
                problems.append(Problem(f"unknown route {alt.route!r}"
                                        f"{suggest(alt.route, routes)} (routes: "
                                        f"{', '.join(routes) or 'none'})", path=f"{where}.route"))
        names = [a.name for a in m.alternatives]
        if len(set(names)) != len(names):
            problems.append(Problem("an alternative is listed twice",
                                    path=f"markets.{mid}.alternatives"))
        if all(a.route in routes for a in m.alternatives):
            gap = _never_available(scenario, [routes[a.route] for a in m.alternatives])
            if gap is not None:
                problems.append(Problem(
                    f"every alternative is unavailable at {gap:g} h after the start date, so "
                    "shares cannot be computed; add an alternative or shorten a window",
                    path=f"markets.{mid}.alternatives"))
    return problems


def _never_available(scenario, routes: list[AbstractRoute]) -> float | None:
    """A time (hours) in the simulated period when every route is unavailable, or None."""
    t0, t1 = -scenario.warmup_days * 24.0, scenario.horizon_days * 24.0
    edges = {t0}
    for r in routes:
        for w in r.unavailable:
            a = _hours(scenario, w.start)
            edges |= {a, a + w.days * 24.0}
    for t in sorted(e for e in edges if t0 <= e < t1):
        if all(unavailable(scenario, r, t) for r in routes):
            return t
    return None


def unavailable(scenario, route: AbstractRoute, t: float) -> bool:
    """True when ``route`` is closed at hour ``t``."""
    for w in route.unavailable:
        a = _hours(scenario, w.start)
        if a <= t < a + w.days * 24.0:
            return True
    return False
