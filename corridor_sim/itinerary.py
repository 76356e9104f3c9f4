"""The itinerary table: one row per consignment per node it passed, derived by joins.

The engine records per batch (a train or a vessel voyage) its stages and per consignment
only the batches it rode (manifests). A batch's times at the nodes of its path come from
its moving stages (``run`` on each leg, ``sail`` on a crossing): the k-th moving stage
leaves the k-th node of the path and reaches the next one. Joining each manifest entry
(consignment, batch) with its batch's node times gives a consignment's stops:

- ``arrived_h``: the consignment was at the node (its creation at the origin; the end of
  the leg or crossing into the node elsewhere, before any queueing or unloading there);
- ``departed_h``: it left the node (the start of the next leg run or sailing, after
  loading, processing and waiting for a line slot or the weather); at the destination its
  delivery (after unloading);
- ``batch_id``: the train or vessel voyage it left on, or had boarded when the run ended
  (the ``batch_id`` of ``movements``); -1 at the destination and where it was still
  waiting for a train or vessel.

Consignments still on their way at the end of the run have rows for the nodes they had
reached, with ``departed_h`` NaN where they had not left. ``consignment_id`` and
``batch_id`` are 4-byte integers (``int32``) unless a run has 2**31 consignments or
batches (then ``int64``). The table costs about 27 bytes per row; a scenario turns it
off with ``outputs: {itinerary: false}``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .network import segment_path

COLUMNS = ("consignment_id", "seq", "node", "arrived_h", "departed_h", "batch_id")
MOVING = ("run", "sail")


def itinerary_table(run) -> pd.DataFrame:
    """One row per consignment per node passed (see the module docstring), ordered by
    consignment and ``seq`` (0 at the origin)."""
    rec, sc = run.rec, run.scenario
    nodes = list(sc.nodes)
    node_ix = {n: i for i, n in enumerate(nodes)}
    n = len(run.created_h)
    nb = rec.n_batches
    # -- each batch's path (node indices) and its leave / reach time per path position
    seg_labels = rec.label_column("b_segment")
    seg_names, seg_of = np.unique(seg_labels.astype(str), return_inverse=True) if nb else \
        (np.empty(0, dtype=str), np.empty(0, dtype=np.int64))
    paths = [[node_ix[x] for x in segment_path(s, sc)] for s in seg_names]
    width = max((len(p) for p in paths), default=1)
    seg_nodes = np.full((len(paths), width), -1, dtype=np.int32)
    for i, p in enumerate(paths):
        seg_nodes[i, :len(p)] = p
    seg_len = np.array([len(p) for p in paths], dtype=np.int64)
    blen = seg_len[seg_of] if nb else np.empty(0, dtype=np.int64)
    leave = np.full((nb, width), np.nan)
    reach = np.full((nb, width), np.nan)
    act = rec.column("st_activity")
    moving = np.isin(act, [rec.codes[a] for a in MOVING])
    sb = rec.column("st_batch")[moving]
    t0, t1 = rec.column("st_t0")[moving], rec.column("st_t1")[moving]
    order = np.lexsort((t0, sb))
    sb, t0, t1 = sb[order], t0[order], t1[order]
    starts = np.flatnonzero(np.r_[True, sb[1:] != sb[:-1]]) if len(sb) else np.empty(0, int)
    k = np.arange(len(sb)) - np.repeat(starts, np.diff(np.r_[starts, len(sb)]))
    leave[sb, k] = t0
    reach[sb, k + 1] = t1
    # -- manifest entries in ride order per consignment. Row arrays are built one at a
    # time, as 4-byte integers where they fit, and dropped when used (a ten-year run has
    # ~6 million rows); the table's columns get their own types when assembled below.
    small = _index_type(max(n, nb, len(rec.m_ids)) + 1)
    ids = rec.column("m_ids").astype(small, copy=False)
    order = np.argsort(ids, kind="stable")
    mb = rec.manifest_batches().astype(small)[order]
    ids = ids[order]
    del order
    first = np.r_[True, ids[1:] != ids[:-1]] if len(ids) else np.empty(0, dtype=bool)
    last = np.r_[ids[1:] != ids[:-1], True] if len(ids) else np.empty(0, dtype=bool)
    prev_b = np.r_[small(-1), mb[:-1]] if len(mb) else np.empty(0, dtype=small)
    # each entry gives its batch's path positions 0..len-2 (the end node belongs to the
    # next ride), and the last ride of a consignment its end node too
    count = (blen[mb] - 1 + last).astype(small)
    e = np.repeat(np.arange(len(ids), dtype=small), count)
    rows = _index_type(len(e))
    starts = (np.cumsum(count, dtype=np.int64) - count).astype(rows)
    pos = np.arange(len(e), dtype=rows)
    pos -= np.repeat(starts, count)
    pos = pos.astype(np.int16)
    del count, starts
    b = mb[e]
    arrived = reach[b, pos]
    at_start = pos == 0
    fe = at_start & first[e]
    arrived[fe] = run.created_h[ids[e[fe]]]
    later = at_start & ~fe
    del fe
    pb = prev_b[e[later]]
    arrived[later] = reach[pb, blen[pb] - 1]
    del later, pb
    keep = at_start | np.isfinite(arrived)  # in-transit batches: nodes reached so far
    del at_start
    cid = ids[e[keep]]
    del e
    rode = np.zeros(n, dtype=bool)
    rode[ids] = True
    idle = np.flatnonzero(~rode)  # consignments that never boarded: still at their origin
    del ids, mb, first, last, prev_b, rode  # the manifest entries: rows from here on
    b, pos, arrived = b[keep], pos[keep], arrived[keep]
    del keep
    departed = leave[b, pos]
    ended = pos == blen[b] - 1
    departed[ended] = rec.delivered_h[cid[ended]]
    node = seg_nodes[seg_of[b], pos]
    del pos, leave, reach
    batch = b
    batch[ended] = -1
    del b, ended
    # -- rows of the consignments that never boarded, at their origin
    origin = np.array([node_ix[f.from_] for f in sc.flows], dtype=np.int64)
    # their rows inserted in consignment order (the rows above are in that order
    # already; an idle one never rode, so its row goes before those of the next id)
    at = np.searchsorted(cid, idle)

    def merged(rode_values, idle_values, dtype):
        out = rode_values.astype(dtype, copy=False)
        return np.insert(out, at, idle_values) if len(at) else out

    # ids as 4-byte integers where every id fits (a ten-year baseline: 44 MiB less each)
    ids_type = _index_type(max(n, nb))
    columns = {"consignment_id": merged(cid, idle, ids_type)}
    del cid
    cid = columns["consignment_id"]
    grp = np.flatnonzero(np.r_[True, cid[1:] != cid[:-1]]) if len(cid) else np.empty(0, int)
    rows = _index_type(len(cid))
    seq = np.arange(len(cid), dtype=rows)
    seq -= np.repeat(grp.astype(rows), np.diff(np.r_[grp, len(cid)]))
    columns["seq"] = seq.astype(np.int16)
    del seq, grp
    columns["node"] = pd.Categorical.from_codes(
        merged(node, origin[run.flow_of[idle]], np.int32), nodes)
    del node
    columns["arrived_h"] = merged(arrived, run.created_h[idle], np.float64)
    del arrived
    columns["departed_h"] = merged(departed, np.nan, np.float64)
    del departed
    columns["batch_id"] = merged(batch, -1, ids_type)
    del batch
    return pd.DataFrame(columns, copy=False)  # the arrays as they are, not copied


def _index_type(n: int):
    """The smallest signed integer type indexing ``n`` items."""
    return np.int32 if n < 2**31 else np.int64
