"""Display names: places, origin -> destination pairs and KPI groups by the names the
scenario gives them (``Xi'an``, ``Baku/Alat``), for plots, reports and summaries. Tables
keep ids."""

from __future__ import annotations

from .basics import link_table, node_table


def node_names(scenario) -> dict[str, str]:
    """Node id -> name (the id where the scenario gives no name); {} without a scenario."""
    if scenario is None:
        return {}
    t = node_table(scenario)
    return dict(zip(t["node"], t["name"]))


def place_name(place: str, scenario=None) -> str:
    """A readable name for a movements ``place``: the node's name, ``A – B line`` for a
    rail leg, ``<service> (sea)`` for a sea service."""
    if scenario is None:
        return place.replace("_", " ")
    names = node_names(scenario)
    if place in names:
        return names[place]
    links = link_table(scenario).set_index("leg")
    if place in links.index:
        r = links.loc[place]
        if r["mode"] == "sea":
            return f"{place.replace('_', ' ')} (sea)"
        return f"{names.get(r['from'], r['from'])} – {names.get(r['to'], r['to'])} line"
    return place.replace("_", " ")


def od_name(origin: str, destination: str, scenario=None) -> str:
    """``Xi'an → Istanbul`` from node ids."""
    names = node_names(scenario)
    return f"{names.get(origin, origin)} → {names.get(destination, destination)}"


def group_name(group: str, scenario=None) -> str:
    """A KPI group (``all``, ``flow:cn_tr``, ``place:kuryk``, ``xian->istanbul``,
    ``node:dostyk``...) by name."""
    if "->" in group:
        return od_name(*group.split("->", 1), scenario)
    kind, sep, rest = group.partition(":")
    if not sep:
        return group
    if kind in ("place", "node", "berths", "line", "fleet"):
        return place_name(rest, scenario)
    return rest.replace(":", " ") if kind == "class" else rest
