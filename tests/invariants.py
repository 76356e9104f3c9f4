"""Invariants every run must satisfy, as plain functions raising AssertionError.

Each takes the scenario and the tables of one run (and, for checks that need the batch
manifests, the engine's ``RunData``). They are used by the property tests on random
corridors and can be applied to any run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridor_sim.engine import CATEGORIES
from corridor_sim.network import Network, segment_parts, segment_path

TOL = 1e-6  # hours


def _peak_overlap(starts: np.ndarray, ends: np.ndarray) -> int:
    """Largest number of intervals [start, end) open at once (an end frees its slot
    before a start at the same instant)."""
    if len(starts) == 0:
        return 0
    times = np.concatenate([starts, ends])
    delta = np.concatenate([np.ones(len(starts)), -np.ones(len(ends))])
    order = np.lexsort((delta, times))
    return int(np.cumsum(delta[order]).max())


def run_directions(leg, runs: pd.DataFrame) -> np.ndarray:
    """For ``run`` rows on ``leg``: 0 where the train ran as the leg is written, 1 where
    it ran against it (read from the order of the nodes in the batch's segment)."""
    def way(segment: str) -> int:
        path = segment.partition(":")[2].split(">")
        return 0 if path.index(leg.to) > path.index(leg.from_) else 1
    return np.array([way(s) for s in runs["segment"]], dtype=int)


def check_single_track(sc, tables) -> None:
    """On a single-track leg, trains running opposite ways are never on it at once."""
    mov = tables["movements"]
    runs = mov[mov["activity"] == "run"]
    for leg in sc.legs:
        if leg.track != "single":
            continue
        grp = runs[runs["place"] == leg.key]
        ways = run_directions(leg, grp)
        s, e = grp["start_h"].to_numpy(), grp["end_h"].to_numpy()
        s0, e0, s1, e1 = s[ways == 0], e[ways == 0], s[ways == 1], e[ways == 1]
        clash = (s0[:, None] < e1[None, :] - TOL) & (s1[None, :] < e0[:, None] - TOL)
        assert not clash.any(), f"trains meet on single-track leg {leg.key}"


def check_conservation(sc, tables) -> None:
    """Consignments and tons: created = delivered + in the system, per flow; times are
    ordered (created <= delivered <= end) and every creation lies in the run window."""
    cons = tables["consignments"]
    t0, t1 = -sc.warmup_days * 24.0, sc.horizon_days * 24.0
    assert cons["consignment_id"].tolist() == list(range(len(cons)))
    done = cons["delivered_h"].notna()
    assert int(done.sum()) + int((~done).sum()) == len(cons)
    assert np.isclose(cons.loc[done, "tons"].sum() + cons.loc[~done, "tons"].sum(),
                      cons["tons"].sum(), rtol=1e-12)
    assert ((cons["created_h"] >= t0 - TOL) & (cons["created_h"] < t1)).all()
    d = cons[done]
    assert (d["delivered_h"] >= d["created_h"] - TOL).all(), "delivered before created"
    assert (d["delivered_h"] <= t1 + TOL).all(), "delivered after the end of the run"
    assert (cons.loc[~done, "transit_h"].isna()).all()
    flows = {f.id: f for f in sc.flows}
    for fid, grp in cons.groupby("flow", observed=True):
        f = flows[fid]
        assert (grp["tons"] == f.tons_per_unit).all()
        assert (grp["origin"] == f.from_).all() and (grp["destination"] == f.to).all()


def check_delay_sum(tables) -> None:
    """Delay categories of each delivered consignment add up to its transit time."""
    cons = tables["consignments"]
    d = cons[cons["delivered_h"].notna()]
    cols = [f"{c}_h" for c in CATEGORIES]
    if len(d):
        assert np.abs(d[cols].sum(axis=1) - d["transit_h"]).max() < TOL
        assert (d[cols] >= -TOL).all().all(), "negative delay"


def check_trip_times(tables) -> None:
    """A delivered consignment's first departure and last arrival lie between its
    creation and delivery, and enclose all its moving time; others have neither."""
    cons = tables["consignments"]
    d = cons[cons["delivered_h"].notna()]
    assert (d["departed_h"] >= d["created_h"] - TOL).all(), "left before it was created"
    assert (d["arrived_h"] <= d["delivered_h"] + TOL).all(), "delivered before it arrived"
    assert (d["arrived_h"] - d["departed_h"] >= d["moving_h"] - TOL).all(), "trip too short"
    undelivered = cons[cons["delivered_h"].isna()]
    assert undelivered["departed_h"].isna().all() and undelivered["arrived_h"].isna().all()


def check_movement_times(tables) -> None:
    """Every movements row has start <= end, and one batch's rows never overlap."""
    mov = tables["movements"]
    assert (mov["end_h"] >= mov["start_h"] - TOL).all(), "movement ends before it starts"
    m = mov.sort_values(["batch_id", "start_h"], kind="stable")
    same = m["batch_id"].to_numpy()[1:] == m["batch_id"].to_numpy()[:-1]
    gap = m["start_h"].to_numpy()[1:] - m["end_h"].to_numpy()[:-1]
    assert (gap[same] >= -TOL).all(), "a batch is in two activities at once"


def check_capacities(sc, tables) -> None:
    """No node processes more trains than it has tracks; no port loads/unloads more
    vessels than it has berths; trains start runs on a leg at least one headway apart
    and never while the leg, node or service is closed."""
    mov = tables["movements"]
    proc = mov[mov["activity"] == "process"]
    for node, grp in proc.groupby("place"):
        peak = _peak_overlap(grp["start_h"].to_numpy(), grp["end_h"].to_numpy() - TOL)
        tracks = sc.nodes[node].tracks
        assert peak <= tracks, f"{node}: {peak} trains on {tracks} tracks"
    berth = mov[mov["activity"].isin(["load", "unload"])]
    for port, grp in berth.groupby("place"):
        peak = _peak_overlap(grp["start_h"].to_numpy(), grp["end_h"].to_numpy() - TOL)
        assert peak <= sc.nodes[port].berths, f"{port}: {peak} vessels on berths"
    voyages = mov[mov["kind"] == "vessel"].drop_duplicates("batch_id")
    for seg, grp in voyages.groupby("segment"):
        deck = sc.services[seg.split(":")[1]].capacity_teu
        assert ((grp["teu"] + grp["background_teu"]) <= deck + TOL).all(), \
            f"{seg}: a vessel loaded beyond its deck"
    runs = mov[mov["activity"] == "run"]
    legs = {leg.key: leg for leg in sc.legs}
    for key, grp in runs.groupby("place"):
        leg = legs[key]
        if leg.trains_per_day:
            ways = run_directions(leg, grp)
            groups = [grp] if leg.track == "single" else [grp[ways == 0], grp[ways == 1]]
            for g in groups:  # the headway holds per direction, or over both on single track
                starts = np.sort(g["start_h"].to_numpy())
                assert (np.diff(starts) >= 24.0 / leg.trains_per_day - TOL).all(), \
                    f"headway broken on {key}"
    closures = tables["closures"]
    starts_of = {"run": runs, "process": proc,
                 "sail": mov[mov["activity"] == "sail"]}
    for activity, rows in starts_of.items():
        for place, grp in rows.groupby("place"):
            w = closures[closures["target"] == place]
            if w.empty:
                continue
            s = grp["start_h"].to_numpy()[:, None]
            inside = (s > w["start_h"].to_numpy()[None, :] + TOL) & \
                (s < w["end_h"].to_numpy()[None, :] - TOL)
            assert not inside.any(), f"{activity} started at {place} while closed"


def manifests(run) -> pd.DataFrame:
    """Batch membership: batch_id, consignment_id, joined_h (when it joined the queue)."""
    rec = run.rec
    return pd.DataFrame({"batch_id": rec.manifest_batches(),
                         "consignment_id": rec.column("m_ids").astype(np.int64),
                         "joined_h": rec.manifest_joined(run.created_h)})


def check_rides(sc, run, tables) -> None:
    """Each consignment rides its flow's segments in order, one batch at a time; a
    delivered one rode all of them and was delivered when the last batch ended; batch
    tons and units equal the sum over their members."""
    rec, cons = run.rec, tables["consignments"]
    man = manifests(run)
    formed = rec.column("b_formed")
    end = rec.column("b_end")
    segment = rec.label_column("b_segment")
    bid = man["batch_id"].to_numpy(dtype=np.int64)
    cid = man["consignment_id"].to_numpy(dtype=np.int64)
    tons = cons["tons"].to_numpy()
    assert np.allclose(np.bincount(bid, tons[cid], minlength=len(formed)), rec.column("b_tons"))
    assert (np.bincount(bid, minlength=len(formed)) == rec.column("b_units")).all()
    assert (man["joined_h"].to_numpy() <= formed[bid] + TOL).all(), "left before joining"
    net = Network(sc)
    seg_keys = {i: [s.key for s in net.segments[f.id]] for i, f in enumerate(sc.flows)}
    flow_code = cons["flow"].cat.codes.to_numpy()
    order = np.lexsort((formed[bid], cid))
    by_c = pd.Series(bid[order]).groupby(cid[order]).agg(list)
    delivered = cons["delivered_h"].to_numpy()
    for c in range(len(cons)):
        rides = by_c.get(c, [])
        keys = seg_keys[int(flow_code[c])]
        assert [segment[b] for b in rides] == keys[:len(rides)], f"consignment {c} off route"
        for a, b in zip(rides, rides[1:]):
            assert formed[b] >= end[a] - TOL, f"consignment {c} on two batches at once"
        if np.isfinite(delivered[c]):
            assert len(rides) == len(keys) and abs(end[rides[-1]] - delivered[c]) < TOL
        else:
            assert len(rides) < len(keys) or not np.isfinite(end[rides[-1]])


def _priority_of(run) -> np.ndarray:
    """Whether each consignment belongs to a block flow (``service: block`` or
    ``priority: true``)."""
    flags = np.array([f.boards_first for f in run.scenario.flows], dtype=bool)
    return flags[run.flow_of] if len(flags) else np.zeros(0, dtype=bool)


def check_fifo(run) -> None:
    """Batches leave a queue in joining order within each priority class: for batches
    formed from the same queue (same segment; the segment names its start node), every
    consignment of a later batch joined no earlier than every consignment of the same
    class in an earlier batch."""
    man = manifests(run)
    if man.empty:
        return
    segment = run.rec.label_column("b_segment")
    man["hot"] = _priority_of(run)[man["consignment_id"].to_numpy()]
    for _hot, part in man.groupby("hot"):
        g = part.groupby("batch_id")["joined_h"].agg(["min", "max"])
        g["segment"] = segment[g.index.to_numpy()]
        for seg, grp in g.groupby("segment"):
            grp = grp.sort_index()  # batch ids grow in formation order
            prev_max = np.maximum.accumulate(grp["max"].to_numpy())[:-1]
            later_min = grp["min"].to_numpy()[1:]
            bad = later_min < prev_max - TOL
            assert not bad.any(), f"{seg}: a later batch holds cargo that joined earlier"


def check_priority(run) -> None:
    """Priority cargo boards vessels first: no vessel carries other cargo while priority
    cargo that had joined the same queue by the vessel's loading is left behind for a
    later one (a priority unit that does not fit ends the loading instead). Trains carry
    one class each (:func:`check_classes`)."""
    man = manifests(run)
    if man.empty:
        return
    rec = run.rec
    formed, segment = rec.column("b_formed"), rec.label_column("b_segment")
    man = man[rec.label_column("b_kind")[man["batch_id"].to_numpy()] == "vessel"].copy()
    man["hot"] = _priority_of(run)[man["consignment_id"].to_numpy()]
    man["segment"] = segment[man["batch_id"].to_numpy()]
    for seg, part in man.groupby("segment"):
        hot = part[part["hot"]]
        if hot.empty:
            continue
        cold_batches = np.unique(part.loc[~part["hot"], "batch_id"].to_numpy())
        hb, hj = hot["batch_id"].to_numpy(), hot["joined_h"].to_numpy()
        for b in cold_batches:
            left = (hj <= formed[b] - TOL) & (hb > b)
            assert not left.any(), f"{seg}: batch {b} left priority cargo behind"


def check_classes(run) -> None:
    """A train carries cargo of one service class (block or regular) only."""
    man = manifests(run)
    if man.empty:
        return
    trains = run.rec.label_column("b_kind")[man["batch_id"].to_numpy()] == "train"
    man = man[trains].assign(block=_priority_of(run)[man.loc[trains, "consignment_id"]])
    mixed = man.groupby("batch_id")["block"].nunique()
    assert (mixed <= 1).all(), f"trains {list(mixed.index[mixed > 1][:5])} mix classes"


def check_whereabouts(sc, run, tables) -> None:
    """Every consignment created is, at the end, in exactly one place: delivered, waiting
    in a queue (admitted, or an arrival not yet admitted) or on board a batch that has not
    ended; per flow, created = delivered + queued + on board. A queued consignment waits
    at the start of the segment of its route after the batches it rode (all ended), and
    an on-board one rides the open batch of its next segment."""
    end = run.end_state
    cons = tables["consignments"]
    n = len(cons)
    delivered = np.flatnonzero(cons["delivered_h"].notna().to_numpy())
    places = np.concatenate([delivered, end.queued_ids, end.on_board_ids])
    counts = np.bincount(places, minlength=n) if len(places) else np.zeros(n, int)
    assert len(counts) == n, "unknown consignment ids in the end state"
    assert (counts <= 1).all(), f"{int((counts > 1).sum())} consignments in two places"
    assert (counts == 1).all(), f"{int((counts == 0).sum())} consignments lost"
    flow = cons["flow"].astype(str).to_numpy()
    for fid in np.unique(flow):
        mine = flow == fid
        assert mine.sum() == (mine[delivered].sum() + mine[end.queued_ids].sum()
                              + mine[end.on_board_ids].sum()), f"flow {fid} not conserved"
    # where each undelivered one waits or rides, against its route and its rides
    net = Network(sc)
    seg_keys = {f.id: [s.key for s in net.segments[f.id]] for f in sc.flows}
    man = manifests(run)
    ended = np.isfinite(run.rec.column("b_end"))
    rides_done = np.bincount(man["consignment_id"].to_numpy(dtype=np.int64),
                             weights=ended[man["batch_id"].to_numpy(dtype=np.int64)],
                             minlength=n).astype(int)
    for cid, qid, sched in zip(end.queued_ids, end.queued_at, end.scheduled):
        keys = seg_keys[flow[cid]]
        k = rides_done[cid]
        assert k < len(keys) and end.queue_segment[qid] == keys[k], \
            f"consignment {cid} waits for {end.queue_segment[qid]} after {k} rides"
        assert not sched or k == 0, f"consignment {cid} not yet admitted after riding"
    segment = run.rec.label_column("b_segment")
    for cid, bid in zip(end.on_board_ids, end.on_board_batch):
        keys = seg_keys[flow[cid]]
        assert segment[bid] == keys[rides_done[cid]], f"consignment {cid} off route"
    for qid, node in enumerate(end.queue_node):  # a queue waits where its segment starts
        key = end.queue_segment[qid]  # a sea crossing back starts at the service's `to`
        assert segment_path(key, sc)[0] == node, f"queue {qid} for {key} waits at {node}"


def check_batch_loads(sc, run) -> None:
    """No train carries more TEU than the shortest train allowed on its path, and no
    vessel, either way across, more than its service's capacity (capacity cuts only lower
    it). A single unit larger than the batch may travel alone. Names the first train and
    the first vessel found overloaded."""
    rec = run.rec
    teu, units = rec.column("b_teu"), rec.column("b_units")
    net = Network(sc)
    first: dict[str, str] = {}
    for b, (seg, load) in enumerate(zip(rec.label_column("b_segment"), teu)):
        kind, parts = segment_parts(seg)  # sea: [service] or [service, 'return']
        if kind == "rail":
            cap = net.train_capacity_teu(tuple(parts))
        else:
            cap = sc.services[parts[0]].capacity_teu
        if load > cap + TOL and units[b] != 1:
            first.setdefault(kind, f"batch {b} on {seg}: {load:g} TEU > {cap:g}")
    assert not first, "; ".join(first.values())


def check_run(sc, run, tables) -> None:
    """The whole invariant suite on one run (``run`` from ``engine.simulate``, ``tables``
    built from it with a ``closures`` table)."""
    check_conservation(sc, tables)
    check_whereabouts(sc, run, tables)
    check_delay_sum(tables)
    check_trip_times(tables)
    check_movement_times(tables)
    check_capacities(sc, tables)
    check_batch_loads(sc, run)
    check_rides(sc, run, tables)
    check_fifo(run)
    check_priority(run)
    check_classes(run)
    if "itinerary" in tables:
        check_itinerary(sc, tables)


def check_itinerary(sc, tables) -> None:
    """The itinerary starts each consignment at its creation at its origin, follows its
    route node by node with times in order, ends a delivered one at its delivery at its
    destination; the time between leaving a node and reaching the next adds up to the
    consignment's moving time; each batch's riders number its units."""
    it, cons, mov = tables["itinerary"], tables["consignments"], tables["movements"]
    c = cons.set_index("consignment_id")
    g = it.groupby("consignment_id", sort=True)
    assert g.ngroups == len(cons), "a consignment has no itinerary"
    first, last = g.head(1).set_index("consignment_id"), g.tail(1).set_index("consignment_id")
    assert (first["arrived_h"] == c["created_h"]).all(), "first arrival is not creation"
    done = c["delivered_h"].notna()
    assert (last.loc[done, "departed_h"] == c.loc[done, "delivered_h"]).all()
    assert last.loc[~done, "departed_h"].isna().all(), "under way yet gone"
    assert (g["seq"].diff().dropna() == 1).all() and (first["seq"] == 0).all()
    assert (it["departed_h"].isna() | (it["departed_h"] >= it["arrived_h"] - TOL)).all()
    nxt = g["arrived_h"].shift(-1)
    assert (nxt.isna() | (nxt >= it["departed_h"] - TOL)).all(), "arrived before leaving"
    routes = pd.DataFrame([(f.id, k, n) for f in sc.flows for k, n in enumerate(f.route)],
                          columns=["flow", "seq", "expected"])
    rows = it.assign(flow=c["flow"].astype(str).reindex(it["consignment_id"]).to_numpy())
    rows = rows.merge(routes, on=["flow", "seq"], how="left")
    assert (rows["node"].astype(str) == rows["expected"]).all(), "off its route"
    n_nodes = g.size()
    route_len = routes.groupby("flow").size()
    assert (n_nodes[done] == route_len.reindex(c.loc[done, "flow"].astype(str)).to_numpy()
            ).all(), "a delivered consignment skipped nodes"
    ride = (nxt - it["departed_h"]).groupby(it["consignment_id"]).sum()
    assert np.allclose(ride[done], c.loc[done, "moving_h"], atol=1e-6), "rides != moving"
    units = mov.groupby("batch_id")["units"].first()
    riders = it[it["batch_id"] >= 0].groupby("batch_id")["consignment_id"].nunique()
    assert riders.reindex(units.index, fill_value=0).equals(units.astype(riders.dtype))
