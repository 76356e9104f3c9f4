"""What several tables of a finished run derive from its batches (trains and vessel
loads): each manifest entry's batch and when its consignment joined the queue that batch
formed from (the consignments, movements and ``teu_waiting`` series read it; computed once
per run), and the first and last node of each batch's segment."""

from __future__ import annotations

import numpy as np

from .engine import RunData
from .network import segment_path


def manifest(run: RunData) -> tuple[np.ndarray, np.ndarray]:
    """Each manifest entry's batch and when its consignment joined the queue that batch
    formed from (``Recorder.manifest_batches`` / ``manifest_joined``), read-only. Computed
    once per run (a RunData exists only once its run has ended, so its records no longer
    change) and kept in ``run.derived`` for the other tables."""
    got = run.derived.get("manifest")
    if got is None or got[0] is not run.created_h:
        mb, mj = run.rec.manifest_batches(), run.rec.manifest_joined(run.created_h)
        mb.flags.writeable = mj.flags.writeable = False
        got = run.derived["manifest"] = (run.created_h, mb, mj)
    return got[1], got[2]


def segment_ends(run: RunData) -> tuple[np.ndarray, list[str], list[str]]:
    """The distinct segment of each batch (an index into the two lists) and the first
    and last node of each distinct segment (its ports for a sea segment)."""
    rec = run.rec
    uniq, inv = np.unique(rec.column("b_segment"), return_inverse=True)
    paths = [segment_path(rec.labels[c], run.scenario) for c in uniq]
    return inv, [p[0] for p in paths], [p[-1] for p in paths]
