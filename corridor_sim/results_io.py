"""Results directories on disk: atomic writing, recognising a complete run, reading back.

A results directory holds the tables of :mod:`corridor_sim.results` as Parquet, the
resolved scenario (``scenario.resolved.yaml``), run metadata (``run.json``, written last:
its presence marks a complete run) and any extra files. Writes go to a temporary sibling
that is renamed into place (:mod:`corridor_sim.atomic`), so a crash never leaves a
directory that looks complete.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
import yaml

from . import atomic
from .atomic import remove_stale_temporaries
from .results import PARQUET_TABLES
from .scenario.yaml_source import dump_yaml

RUN_META = "run.json"  # run metadata; written last, so its presence marks a complete run
PARTIAL_META = "partial.json"  # identity of an unfinished experiment (resumable)


def is_results_dir(path: Path) -> bool:
    """True if ``path`` holds a complete corridor-sim run."""
    meta_file = Path(path) / RUN_META
    if not meta_file.is_file():
        return False
    try:
        return "corridor_sim_version" in json.loads(meta_file.read_text())
    except (OSError, ValueError):
        return False


def prepare_output(path: Path, force: bool) -> None:
    """Refuse to overwrite anything that is not a previous run or an unfinished
    experiment (``partial.json``), or one of those without force."""
    path = Path(path)
    if not path.exists():
        return
    if path.is_dir() and not any(path.iterdir()):
        return
    if not is_results_dir(path) and not (path / PARTIAL_META).is_file():
        raise FileExistsError(f"{path} exists and is not a corridor-sim results directory; "
                              "choose another --out")
    if not force:
        raise FileExistsError(f"{path} already holds results; pass --force to replace them")


# Parquet's dictionary encoding pays for labels, not for times and amounts that rarely
# repeat; pyarrow tries it on every column by default, which costs about 40 % of the
# writing of the consignments, itinerary and movements for files of about the same size.
# The resources' times and levels repeat across their series: that table keeps it on every
# column (half the size, and no slower).
DICTIONARY_EVERYWHERE = ("resources",)


def dictionary_columns(name: str, numeric: dict[str, bool]) -> list[str] | bool:
    """The columns of table ``name`` to write with Parquet's dictionary encoding (True:
    all of them): those that are not numbers, except in :data:`DICTIONARY_EVERYWHERE`.
    ``numeric`` maps each column to whether it holds numbers."""
    if name in DICTIONARY_EVERYWHERE:
        return True
    return [c for c, number in numeric.items() if not number]


def write_parquet(df: pd.DataFrame, path: Path, name: str) -> None:
    """Write table ``name`` as Parquet (no index; see :func:`dictionary_columns`)."""
    numeric = {c: df[c].dtype.kind in "fiub" for c in df.columns}
    df.to_parquet(path, index=False, use_dictionary=dictionary_columns(name, numeric))


def write_results(path: str | Path, tables: dict[str, pd.DataFrame], scenario_dict: dict,
                  meta: dict, extra: dict[str, object] | None = None,
                  force: bool = False, start: Callable[[Path], None] | None = None) -> Path:
    """Write a results directory atomically (:func:`corridor_sim.atomic.directory`): a
    crash never leaves a directory that looks complete. ``extra`` maps file names to
    bytes/str/DataFrame/callable(dir), written after the tables in their order;
    ``start(dir)`` is called before anything is written (e.g. to start drawing figures
    in another process)."""
    path = Path(path)
    prepare_output(path, force)
    remove_stale_temporaries(path)
    with atomic.directory(path) as tmp:
        if start is not None:
            start(tmp)
        for name, df in tables.items():
            write_parquet(df, tmp / f"{name}.parquet", name)
        (tmp / "scenario.resolved.yaml").write_text(
            dump_yaml(scenario_dict, width=80))
        for name, item in (extra or {}).items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if callable(item):
                item(tmp)
            elif isinstance(item, pd.DataFrame):
                item.to_csv(target, index=False)
            elif isinstance(item, bytes):
                target.write_bytes(item)
            else:
                target.write_text(str(item))
        (tmp / RUN_META).write_text(json.dumps(meta, indent=2, default=str))
    return path


def moved_into(paths: Iterable[Path], folder: Path) -> list[Path]:
    """Files ``paths`` moved into ``folder`` (created if need be), keeping their names;
    those already there stay. Returns their paths in ``folder``, in order."""
    folder, moved = Path(folder), []
    for p in map(Path, paths):
        target = folder / p.name
        if p.resolve().parent != folder.resolve():
            folder.mkdir(parents=True, exist_ok=True)
            shutil.move(p, target)  # a rename on one file system, else a copy
        moved.append(target)
    return moved


def read_results(path: str | Path, tables: Iterable[str] = PARQUET_TABLES
                 ) -> dict[str, object]:
    """Read a results directory back: tables (those of ``tables`` it has; all by
    default), resolved scenario (dict) and run meta."""
    path = Path(path)
    if not is_results_dir(path):
        raise FileNotFoundError(f"{path} is not a complete corridor-sim results directory")
    out: dict[str, object] = {
        name: pd.read_parquet(path / f"{name}.parquet") for name in tables
        if (path / f"{name}.parquet").exists()
    }
    out["scenario"] = yaml.load((path / "scenario.resolved.yaml").read_text(),
                                Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out["meta"] = json.loads((path / RUN_META).read_text())
    if (path / "kpis.csv").exists():
        out["kpis"] = pd.read_csv(path / "kpis.csv")
    return out
