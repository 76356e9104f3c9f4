"""On-disk layout of multi-replication experiments: per-replication cache, resume keys
and the assembled tables.

An experiment directory ``<out>/`` looks like this::

    partial.json              while unfinished: kind, scenario hash, seed (no run.json yet)
    replications/0000/ ...    one complete results directory per finished replication
                              (consignments/movements/resources.parquet, kpis.csv,
                              closures.csv, scenario.resolved.yaml, run.json)
    consignments.parquet      \
    movements.parquet          } all replications concatenated (``replication`` column)
    resources.parquet         /
    closures.csv
    kpis.csv                  summary over replications: mean, sd, n, ci_low, ci_high
    kpis_by_replication.csv   each replication's KPI table
    status.csv                replication, state (done/failed), error, wall_s,
                              traceback (of a failed replication, where it was raised)
    plots/                    standard plots of the lowest finished replication
    scenario.resolved.yaml, run.json

A replication directory is written atomically and is reused by a later run when its
``run.json`` carries the same scenario hash, seed and replication index. The assembled
top level is written atomically too (a temporary sibling holding hard links to the
replication files is renamed into place), so an interrupted run leaves either the
previous complete directory or a ``partial.json`` one that a re-run resumes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import atomic, forked
from .results import PARQUET_TABLES
from .results_io import (
    PARTIAL_META,
    RUN_META,
    dictionary_columns,
    is_results_dir,
    prepare_output,
    write_results,
)

REPLICATIONS = "replications"


def scenario_hash(scenario) -> str:
    """sha256 of the canonical JSON of a scenario (or of its ``to_dict()`` mapping)."""
    data = scenario if isinstance(scenario, dict) else scenario.to_dict()
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replication_dir(out: Path, index: int) -> Path:
    """Where replication ``index`` of the experiment in ``out`` is kept."""
    return Path(out) / REPLICATIONS / f"{index:04d}"


def read_identity(out: Path) -> dict | None:
    """The kind, scenario hash and seed recorded in ``out`` (finished or not), or None."""
    out = Path(out)
    for name in (RUN_META, PARTIAL_META):
        path = out / name
        if path.is_file():
            try:
                return json.loads(path.read_text())
            except (OSError, ValueError):
                return None
    return None


def claim(out: Path, identity: dict, force: bool) -> None:
    """Make ``out`` ready to hold the experiment described by ``identity`` (``kind``,
    ``scenario_hash``, ...). A directory holding the same experiment is resumed; any
    other corridor-sim directory needs ``force`` (and is then emptied); anything else
    raises ``FileExistsError``."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        prepare_output(out, force=True)  # raises unless it is one of ours
        mine = read_identity(out) or {}
        same = all(mine.get(k) == v for k, v in identity.items())
        if force or not same:
            if not force:
                raise FileExistsError(
                    f"{out} holds results of another scenario or experiment; pass --force "
                    "to replace them or choose another --out")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    if not (out / RUN_META).exists():
        atomic.write_file(out / PARTIAL_META, json.dumps(identity, indent=2))
    _remove_stale_temporaries(out)


def read_meta(rep_dir: Path) -> dict:
    """The metadata (``run.json``) of a finished replication or experiment."""
    return json.loads((Path(rep_dir) / RUN_META).read_text())


def is_done(rep_dir: Path, key: dict) -> bool:
    """True if ``rep_dir`` holds a finished replication whose meta matches ``key``
    (scenario_hash, seed, replication)."""
    if not is_results_dir(rep_dir):
        return False
    meta = read_meta(rep_dir)
    return all(meta.get(k) == v for k, v in key.items())


def replication_wall_s(rep_dir: Path) -> float:
    """Seconds the finished replication in ``rep_dir`` took to run and write (NaN when
    not recorded)."""
    return float(read_meta(rep_dir).get("task_wall_s", math.nan))


def save_replication(rep_dir: Path, scenario_dict: dict, tables: dict[str, pd.DataFrame],
                     meta: dict, key: dict | None = None, wall_s: float | None = None) -> Path:
    """Write one replication's tables, KPIs and meta atomically (no plots); its
    ``run.json`` also holds ``key`` (what :func:`is_done` matches on a later run) and
    ``task_wall_s`` (``wall_s``, what :func:`replication_wall_s` reads back)."""
    meta = {**meta, **(key or {})}
    if wall_s is not None:
        meta["task_wall_s"] = round(wall_s, 4)
    core = {k: tables[k] for k in PARQUET_TABLES if k in tables}
    extra: dict[str, object] = {"kpis.csv": tables["kpis"]}
    if "closures" in tables:
        extra["closures.csv"] = tables["closures"]
    return write_results(rep_dir, core, scenario_dict, meta, extra, force=True)


def write_combined(out: Path, scenario_dict: dict, meta: dict, rep_dirs: list[Path],
                   files: dict[str, pd.DataFrame],
                   draw: Callable[[dict, Path], list | None] | None = None,
                   finish: Callable[[Path, dict], object] | None = None) -> Path:
    """Write the top level of the experiment in ``out`` atomically: the tables of the
    replications in ``rep_dirs`` concatenated, their closures, hard links to their
    directories under ``replications/``, the CSV ``files`` given (name -> table), with
    ``draw(tables, folder)`` the plots of the first replication in ``plots/`` (``meta``,
    run.json, gains ``plots``: the names of the paths it returns), and with
    ``finish(folder, tables)`` whatever else belongs in the directory (the report), given
    the concatenated tables as written (kept from writing them, not read back). Where it
    is safe and useful (:func:`corridor_sim.forked.can_fork_here`) the plots are drawn by
    a forked copy of this process while this one concatenates the tables."""
    def _assemble(folder: Path) -> None:
        drawing = (forked.start(_draw_replication, draw, rep_dirs[0], folder / "plots")
                   if draw is not None and rep_dirs else None)
        try:
            tables = {}
            for name in PARQUET_TABLES:
                got = concat_parquet([d / f"{name}.parquet" for d in rep_dirs],
                                     folder / f"{name}.parquet", keep=finish is not None)
                if got is not None:
                    tables[name] = got.to_pandas()  # (the parts are freed table by table)
                del got
            for d in rep_dirs:
                link_tree(d, folder / REPLICATIONS / d.name)
            if drawing is not None:
                meta["plots"] = [Path(p).stem for p in drawing.result() or ()]
        finally:
            if drawing is not None:  # stops a copy still drawing if assembling failed
                drawing.cancel()
        if finish is not None:
            finish(folder, tables)

    extra = {**files, "closures.csv": read_csvs(rep_dirs, "closures.csv"),
             REPLICATIONS: _assemble}
    return write_results(out, {}, scenario_dict, meta, extra, force=True)


def _draw_replication(draw: Callable, rep_dir: Path, folder: Path):
    return draw(load_replication(rep_dir), folder)


def load_replication(rep_dir: Path, tables: tuple[str, ...] = PARQUET_TABLES
                     ) -> dict[str, pd.DataFrame]:
    """Read a replication's tables (``kpis`` and ``closures`` included)."""
    rep_dir = Path(rep_dir)
    out = {name: pd.read_parquet(rep_dir / f"{name}.parquet") for name in tables
           if (rep_dir / f"{name}.parquet").exists()}
    out["kpis"] = pd.read_csv(rep_dir / "kpis.csv")
    out["closures"] = read_csvs([rep_dir], "closures.csv")
    return out


def read_csvs(rep_dirs: list[Path], name: str) -> pd.DataFrame:
    """Concatenate ``name`` (a CSV file) over replication directories."""
    frames = []
    for d in rep_dirs:
        path = Path(d) / name
        try:
            frames.append(pd.read_csv(path))
        except pd.errors.EmptyDataError:
            continue
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def concat_parquet(paths: list[Path], target: Path, keep: bool = False) -> pa.Table | None:
    """Concatenate Parquet files into ``target`` one file at a time (low memory unless
    ``keep``: then the concatenated table is returned); column types are unified across
    files (an empty table's null columns take the others' types)."""
    paths = [p for p in paths if Path(p).exists()]
    if not paths:
        return None
    schema = pa.unify_schemas([pq.read_schema(p) for p in paths], promote_options="permissive")
    numeric = {f.name: pa.types.is_integer(f.type) or pa.types.is_floating(f.type)
               or pa.types.is_boolean(f.type) for f in schema}
    dictionary = dictionary_columns(Path(target).stem, numeric)
    kept = []
    with pq.ParquetWriter(target, schema, use_dictionary=dictionary) as writer:
        for p in paths:
            part = pq.read_table(p).cast(schema)
            writer.write_table(part)
            if keep:
                kept.append(part)
    return pa.concat_tables(kept) if keep else None


def link_tree(src: Path, dst: Path) -> None:
    """Copy a directory tree as hard links (falling back to copies across devices)."""
    def _link(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=_link)


def _remove_stale_temporaries(out: Path) -> None:
    """Drop temporaries left by killed writers: of ``out`` itself (its hidden siblings)
    and inside it and its ``replications`` folder."""
    atomic.remove_stale_temporaries(out)
    for folder in (out, out / REPLICATIONS):
        atomic.remove_stale_temporaries_in(folder)
