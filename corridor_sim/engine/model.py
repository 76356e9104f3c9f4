"""Assemble a runnable model from a scenario and run it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import simpy

from ..network import RETURN, Network
from ..scenario.classes import SERVICE_CLASSES
from ..scenario.models import Scenario
from ..stochastic import Sampler, Streams
from . import learned_choice
from .closures import Closures, Cuts, weather_windows
from .deck import DeckQueue
from .demand import arrival_times, background_times, market_arrivals
from .departure import make_rule
from .fleet_setup import build_pools, schedule_origins
from .primitives import Slots
from .queues import INF, CargoQueue
from .records import CAT, Recorder
from .snapshot import EndState, end_state
from .trains import form_trains
from .vessels import sail_vessel
from .world import Fleet, Line, Station, Track, World


@dataclass
class RunData:
    """Everything a run produced, as plain arrays and lists (tables are built later)."""

    scenario: Scenario
    replication: int
    flow_ids: list[str]
    flow_of: np.ndarray
    created_h: np.ndarray
    teu_of: np.ndarray
    tons_of: np.ndarray
    rec: Recorder
    closures: dict[str, list[tuple[float, float]]]
    start_h: float
    end_h: float
    events: int
    wall_s: float
    end_state: EndState | None = None  # where undelivered consignments are at the end
    pools: list = field(default_factory=list)  # StockPool per fleet (their logs and counts)
    # (service, "outbound" | "return", DeckQueue) where background traffic boards
    decks: list = field(default_factory=list)
    # markets that chose during the run (expected: learned): per market, creation times
    # and chosen alternative of each consignment; per "market:flow", the start of each
    # choice round (hours) and the expected transit (days) it used
    market_choices: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    learned_transit: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    # what the tables derive from the finished run and share (e.g. the manifest join of
    # ``corridor_sim.batches``), computed once by whoever needs it first
    derived: dict = field(default_factory=dict, repr=False, compare=False)


def _category(node) -> str:
    if node.gauge_change is not None or node.kind in ("port", "terminal"):
        return "transshipment"
    if node.kind == "border":
        return "border"
    return "waiting"


def _closure_windows(scenario: Scenario, t0: float, t1: float, streams: Streams):
    windows: dict[str, list[tuple[float, float]]] = {}
    for d in scenario.disruptions:
        if d.kind == "closure":
            start = scenario.hours_since_start(d.start)
            windows.setdefault(d.target, []).append((start, start + d.days * 24.0))
    for name, svc in scenario.services.items():
        if svc.weather is not None:
            rng = streams.generator(f"service:{name}:weather")
            windows.setdefault(name, []).extend(
                weather_windows(svc.weather, scenario.start_date, t0, t1, rng))
    return windows


def _capacity_cuts(scenario: Scenario) -> dict[str, Cuts]:
    """Scheduled capacity cuts per target (node, leg key or service)."""
    cuts: dict[str, list[tuple[float, float, float]]] = {}
    for d in scenario.disruptions:
        if d.kind == "capacity":
            start = scenario.hours_since_start(d.start)
            cuts.setdefault(d.target, []).append((start, start + d.days * 24.0, d.factor))
    return {target: Cuts(w) for target, w in cuts.items()}


def _demand(scenario: Scenario, net: Network, t0: float, t1: float, streams: Streams):
    times, flows = [], []
    chosen = market_arrivals(scenario, t0, t1, streams)  # market units that chose a flow
    for i, flow in enumerate(scenario.flows):
        t = arrival_times(flow, scenario, t0, t1, streams.generator(f"flow:{flow.id}:arrivals"))
        if i in chosen:
            t = np.sort(np.concatenate([t, chosen[i]]), kind="stable")
        times.append(t)
        flows.append(np.full(len(t), i, dtype=np.int32))
    created = np.concatenate(times) if times else np.empty(0)
    flow_of = np.concatenate(flows) if flows else np.empty(0, dtype=np.int32)
    teu = np.array([f.teu_per_unit for f in scenario.flows])[flow_of]
    tons = np.array([f.tons_per_unit for f in scenario.flows])[flow_of]
    return created, flow_of, teu, tons


def build(scenario: Scenario, replication: int = 0):
    """Build the SimPy environment and processes; return (world, created_h, closures,
    learner), ``learner`` choosing the routes of learned markets (None without)."""
    streams = Streams(scenario.seed, replication)
    t0, t1 = -scenario.warmup_days * 24.0, scenario.horizon_days * 24.0
    net = Network(scenario)
    env = simpy.Environment(initial_time=t0)
    created, flow_of, teu_of, tons_of = _demand(scenario, net, t0, t1, streams)
    learning = learned_choice.plan(scenario, t0, t1, streams)
    created, flow_of, teu_of, tons_of, slots = learned_choice.reserve(
        learning, created, flow_of, teu_of, tons_of)
    windows = _closure_windows(scenario, t0, t1, streams)
    closures = {k: Closures(v) for k, v in windows.items()}
    none = Closures()
    cuts = _capacity_cuts(scenario)
    rec = Recorder(len(created))
    stations = {
        nid: Station(nid, rec.code(nid), Slots(env, node.tracks), Slots(env, node.berths),
                     Sampler(node.dwell_h, streams.generator(f"node:{nid}:dwell")),
                     CAT[_category(node)], closures.get(nid, none), cuts.get(nid),
                     regular_dwell=_regular(node, "dwell_h", f"node:{nid}:dwell", streams))
        for nid, node in scenario.nodes.items()
    }
    lines = _lines(scenario, net, rec, streams, closures, cuts)
    fleets = {
        name: Fleet(
            name, rec.code(name), stations[svc.from_], stations[svc.to], svc.vessels,
            svc.capacity_teu, svc.load_teu_per_h, svc.unload_teu_per_h, svc.distance_km,
            svc.depart, svc.depart_return or svc.depart,
            Sampler(svc.speed_kn, streams.generator(f"service:{name}:speed")),
            Sampler(svc.anchorage_h, streams.generator(f"service:{name}:anchorage")),
            closures.get(name, none), cuts.get(name))
        for name, svc in scenario.services.items()
    }
    segs = [net.segments[f.id] for f in scenario.flows]
    world = World(
        env=env, scenario=scenario, network=net, rec=rec,
        stations=stations, lines=lines, fleets=fleets,
        flow_of=flow_of, teu_of=teu_of, tons_of=tons_of,
        flow_segments=segs,
        qid_table=np.full((len(segs), max(len(s) for s in segs) + 1), -1, dtype=np.int64),
        end_h=t1,
    )
    _queues(world, created)
    learner = None
    if learning:
        learner = learned_choice.Learner(world, learning, created, slots, t0)
        env.process(learner.process())
    _processes(world, streams)
    return world, created, windows, learner


def _lines(scenario: Scenario, net: Network, rec: Recorder, streams: Streams,
           closures: dict[str, Closures], cuts: dict[str, Cuts]) -> dict[tuple, Line]:
    """A ``Line`` per direction a route rides on each leg. Both directions of a leg
    record under its key and share its closures and cuts; on single track they also
    share one ``Track``. A leg's written direction keeps the stream name it always had;
    the reverse direction draws its speeds from a stream of its own."""
    used = {(a, b) for segs in net.segments.values() for seg in segs if seg.kind == "rail"
            for a, b in zip(seg.path, seg.path[1:])}
    lines: dict[tuple[str, str], Line] = {}
    for leg in scenario.legs:
        headway = 24.0 / leg.trains_per_day if leg.trains_per_day else 0.0
        tracks = [Track(headway, closures.get(leg.key, Closures()), cuts.get(leg.key),
                        single=leg.track == "single")]
        tracks.append(tracks[0] if leg.track == "single" else
                      Track(headway, tracks[0].closures, tracks[0].cuts))
        for direction, (a, b) in enumerate(((leg.from_, leg.to), (leg.to, leg.from_))):
            if net.legs.get((a, b)) is not leg or (direction and (a, b) not in used):
                continue  # another leg serves (a, b), or nothing rides it backwards
            name = f"leg:{leg.key}:speed" + (":reverse" if direction else "")
            lines[(a, b)] = Line(leg.key, rec.code(leg.key), leg.distance_km,
                                 Sampler(leg.speed_kmh, streams.generator(name)),
                                 tracks[direction], direction,
                                 regular_speed=_regular(leg, "speed_kmh", name, streams))
    return lines


def _regular(place, field: str, stream: str, streams: Streams) -> Sampler | None:
    """The sampler of regular trains' own ``field`` at a node or on a leg (its
    ``regular:`` block), drawing from stream ``<stream>:regular``; None where regular
    trains use the place's own value, drawn from the place's stream ``stream`` like block
    trains' (so a scenario without ``regular:`` draws exactly as before classes)."""
    if place.regular is None:
        return None
    return Sampler(getattr(place.regular, field), streams.generator(f"{stream}:regular"))


def _queues(world: World, created: np.ndarray) -> None:
    """One queue per (node, segment) and, on rail segments, per service class (a train
    is of one class); origin queues get their pre-drawn arrivals. Block and regular
    cargo waiting for the same vessel share a queue, block cargo boarding first."""
    index: dict[tuple[str, str, int], int] = {}
    service = np.array([SERVICE_CLASSES.index(f.service_class) for f in world.scenario.flows],
                       dtype=np.int8)
    priority = np.array([f.boards_first for f in world.scenario.flows], dtype=bool)
    classes: dict[tuple[str, str, int], set[bool]] = {}
    keys = [[(seg.start, seg.key, int(service[fi]) if seg.kind == "rail" else -1)
             for seg in segs] for fi, segs in enumerate(world.flow_segments)]
    for fi, flow_keys in enumerate(keys):
        for key in flow_keys:
            classes.setdefault(key, set()).add(bool(priority[fi]))
    priority_of = priority[world.flow_of] if priority.any() else None  # per consignment
    for fi, flow_keys in enumerate(keys):
        for si, key in enumerate(flow_keys):
            if key not in index:
                mixed = len(classes[key]) > 1  # block cargo shares this (vessel) queue
                q = CargoQueue(key[1], key[0], world.teu_of, priority_of if mixed else None)
                q.service = max(key[2], 0)
                index[key] = world.add_queue(q)
            world.qid_table[fi, si] = index[key]
    # where each flow goes after each queue (a route never visits a node twice, so a
    # flow passes through a queue at most once); -1: delivered, -2: flow not there
    nflows = len(world.flow_segments)
    for q in world.queue_list:
        q.next_by_flow = np.full(nflows, -2, dtype=np.int64)
    for fi, segs in enumerate(world.flow_segments):
        for si in range(len(segs)):
            world.queue_list[world.qid_table[fi, si]].next_by_flow[fi] = \
                world.qid_table[fi, si + 1]
    for q in world.queue_list:
        used = np.unique(q.next_by_flow[q.next_by_flow > -2])
        q.next_qid = int(used[0]) if len(used) == 1 else None
        q.next_qids = [int(u) for u in used if u >= 0]
    build_pools(world)
    schedule_origins(world, created)


def _block_teu(world: World, qid: int, capacity_teu: float) -> float | None:
    """For a queue of block trains whose flows all arrive in blocks of at least half a
    train (``capacity_teu``): the smallest block (TEU) among them. Such a block train
    leaves once a whole block waits, without waiting to be topped up to ``when_full``;
    smaller blocks are consolidated like other cargo (None)."""
    if SERVICE_CLASSES[world.queue_list[qid].service] != "block":
        return None
    flows = world.scenario.flows
    mine = [flows[fi] for fi in np.flatnonzero((world.qid_table == qid).any(axis=1))]
    block = min((f.block_units * f.teu_per_unit for f in mine), default=0.0)
    return block if block >= 0.5 * capacity_teu else None


def _processes(world: World, streams: Streams) -> None:
    """Start a train former per rail queue and the vessels of each fleet."""
    env, net, sc = world.env, world.network, world.scenario
    # Trains formed from cargo that arrived by ship are loaded at the port (its dwell_h),
    # as trains formed from cargo created at an origin are; cargo that arrived by train was
    # handled when that train was processed at the node.
    sea_fed = {int(world.qid_table[fi, si]) for fi, segs in enumerate(world.flow_segments)
               for si in range(1, len(segs)) if segs[si - 1].kind == "sea"}
    origins = {int(world.qid_table[fi, 0]) for fi in range(len(world.flow_segments))}
    started: set[int] = set()
    sea: dict[str, list[CargoQueue | None]] = {}  # per service: [outbound, inbound] queue
    for fi, segs in enumerate(world.flow_segments):
        for si, seg in enumerate(segs):
            qid = int(world.qid_table[fi, si])
            if qid in started:
                continue
            started.add(qid)
            q = world.queue_list[qid]
            if seg.kind == "rail":
                capacity = net.train_capacity_teu(seg.path)
                rule = make_rule(sc.nodes[seg.start].depart, capacity,
                                 block_teu=_block_teu(world, qid, capacity))
                env.process(form_trains(world, q, seg.path, capacity, rule,
                                        handle_at_start=qid in origins or qid in sea_fed))
            else:
                sea.setdefault(seg.service, [None, None])[int(seg.reverse)] = q
    for name, svc in sc.services.items():  # one pool of vessels for both ways
        fleet = world.fleets[name]
        decks = [_deck(world, name, svc, reverse, q, streams)
                 for reverse, q in enumerate(sea.get(name, [None, None]))]
        if decks[0] is None and decks[1] is None:
            continue  # nothing ever crosses with this service
        for _ in range(fleet.vessels):
            env.process(sail_vessel(world, fleet, *decks))


def _deck(world: World, name: str, svc, reverse: int, q: CargoQueue | None,
          streams: Streams) -> DeckQueue | None:
    """What waits to board service ``name`` one way: its cargo queue (an empty one if
    only background traffic crosses that way) and its background traffic."""
    way = "return" if reverse else "outbound"
    background = [bg for bg in svc.background if bg.direction == way]
    if q is None and not background:
        return None
    no_cargo = q is None  # only background traffic crosses this way
    if q is None:
        port = svc.to if reverse else svc.from_
        q = CargoQueue(f"sea:{name}" + (RETURN if reverse else ""), port, world.teu_of)
    t0 = world.env.now
    times, teu = [np.empty(0)], [np.empty(0)]
    for bg in background:
        rng = streams.generator(f"service:{name}:background:{bg.id}")
        t = background_times(bg, world.scenario, t0, world.end_h, rng)
        times.append(t)
        teu.append(np.full(len(t), bg.teu_per_unit))
    t, slots = np.concatenate(times), np.concatenate(teu)
    order = np.argsort(t, kind="stable")
    # (the entries of one direction share their boarding rule and patience)
    standby = any(bg.boards == "standby" for bg in background)
    patience = next((bg.max_wait_h for bg in background if bg.max_wait_h), INF)
    deck = DeckQueue(q, t[order], slots[order], standby=standby, patience=patience,
                     standby_only=no_cargo and standby)
    if background:
        world.decks.append((name, way, deck))
    return deck


def simulate(scenario: Scenario, replication: int = 0) -> RunData:
    """Run one replication of ``scenario`` from ``-warmup_days`` to ``horizon_days``."""
    wall = time.perf_counter()
    world, created, windows, learner = build(scenario, replication)
    world.env.run(until=world.end_h)
    for pool in world.pools:  # empty units that arrived before the end are idle there
        pool.settle(world.end_h)
    events = _event_count(world.env)
    n = learner.slots.end if learner else len(created)  # drop unused reserved slots
    rec = world.rec
    rec.delivered_h, rec.ready_h = rec.delivered_h[:n], rec.ready_h[:n]
    return RunData(
        scenario=scenario, replication=replication,
        flow_ids=[f.id for f in scenario.flows], flow_of=world.flow_of[:n],
        created_h=created[:n], teu_of=world.teu_of[:n], tons_of=world.tons_of[:n], rec=rec,
        closures=windows, start_h=-scenario.warmup_days * 24.0, end_h=world.end_h,
        events=events, wall_s=time.perf_counter() - wall, end_state=end_state(world),
        market_choices=learner.choices() if learner else {},
        learned_transit=learner.expectations() if learner else {},
        pools=world.pools, decks=world.decks,
    )


def _event_count(env: simpy.Environment) -> int:
    """Events scheduled during the run (SimPy keeps a private counter)."""
    counter = getattr(env, "_eid", None)
    try:
        return int(next(counter)) if counter is not None else -1
    except TypeError:
        return -1
