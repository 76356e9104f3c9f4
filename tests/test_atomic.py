"""Atomic writes (corridor_sim/atomic.py): complete or absent, synced, and the only
implementation in the package."""

import ast
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from corridor_sim import atomic

PKG = Path(__file__).resolve().parents[1] / "corridor_sim"


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def calls(monkeypatch):
    """Record fsync (of a file or a directory) and os.replace calls, in order."""
    seen: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        seen.append(("fsync", kind))
        return real_fsync(fd)

    def replace(a, b):
        seen.append(("replace", Path(b).name))
        return real_replace(a, b)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    return seen


@pytest.mark.parametrize("content", ["text ü\n", b"\x00bytes",
                                     lambda p: p.write_text("by a writer")])
def test_write_file_syncs_the_file_then_renames_then_syncs_the_directory(tmp_path, calls,
                                                                          content):
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic.write_file(target, content)
    expected = (content.encode() if isinstance(content, str) else
                content if isinstance(content, bytes) else b"by a writer")
    assert target.read_bytes() == expected
    assert calls == [("fsync", "file"), ("replace", "out.txt"), ("fsync", "dir")]
    assert stat.S_IMODE(target.stat().st_mode) == atomic.FILE_MODE
    assert _entries(tmp_path) == ["out.txt"]


def test_write_file_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("previous")

    def half_then_fail(p: Path):
        p.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic.write_file(target, half_then_fail)
    assert target.read_text() == "previous"
    assert _entries(tmp_path) == ["report.md"]


def test_directory_replaces_the_old_one_whole_with_every_file_synced(tmp_path, calls):
    out = tmp_path / "res"
    out.mkdir()
    (out / "stale.csv").write_text("from an earlier run")
    with atomic.directory(out) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".res.tmp-")
        (tmp / "a.csv").write_text("a")
        (tmp / "plots").mkdir()
        (tmp / "plots" / "b.png").write_bytes(b"b")
        assert _entries(out) == ["stale.csv"]  # nothing shows before the block ends
    assert _entries(out) == ["a.csv", "plots"]
    assert (out / "plots" / "b.png").read_bytes() == b"b"
    assert _entries(tmp_path) == ["res"]
    first_replace = next(i for i, (kind, _) in enumerate(calls) if kind == "replace")
    assert calls[:first_replace].count(("fsync", "file")) == 2  # both files, before renaming
    assert calls[-1] == ("fsync", "dir")
    assert stat.S_IMODE(out.stat().st_mode) == atomic.DIR_MODE


def test_directory_block_that_raises_keeps_the_old_directory(tmp_path):
    out = tmp_path / "res"
    out.mkdir()
    (out / "kept.csv").write_text("kept")
    with pytest.raises(RuntimeError), atomic.directory(out) as tmp:
        (tmp / "new.csv").write_text("new")
        raise RuntimeError("writer failed")
    assert _entries(out) == ["kept.csv"]
    assert _entries(tmp_path) == ["res"]


def test_stale_temporaries_of_dead_writers_go_those_of_live_ones_stay(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = os.getppid()
    stale = [f".partial.json.tmp-{dead.pid}-ab_12", f".0001.tmp-{dead.pid}-x9",
             f".0001.old-{dead.pid}"]
    kept = [f".0002.tmp-{live}-zz", "0003", ".hidden", f".x.tmp-{dead.pid}"]
    for name in stale + kept:
        (tmp_path / name).mkdir() if "0001" in name or name == "0003" else \
            (tmp_path / name).write_text("")
    gone = atomic.remove_stale_temporaries_in(tmp_path)
    assert sorted(p.name for p in gone) == sorted(stale)
    assert _entries(tmp_path) == sorted(kept)
    (tmp_path / f".a.tmp-{dead.pid}-q").write_text("")
    (tmp_path / f".b.tmp-{dead.pid}-q").write_text("")
    assert [p.name for p in atomic.remove_stale_temporaries(tmp_path / "a")] == \
        [f".a.tmp-{dead.pid}-q"]
    assert (tmp_path / f".b.tmp-{dead.pid}-q").exists()


RENAMES = {("os", "replace"), ("os", "rename"), ("tempfile", "mkstemp"),
           ("tempfile", "mkdtemp"), ("tempfile", "NamedTemporaryFile")}


def test_no_module_but_atomic_renames_files_or_makes_temporaries():
    """Writers use corridor_sim.atomic rather than their own temp-and-rename."""
    offenders = []
    for path in PKG.rglob("*.py"):
        if path.name == "atomic.py" and path.parent == PKG:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and (node.value.id, node.attr) in RENAMES):
                offenders.append(f"{path.relative_to(PKG)}:{node.lineno} "
                                 f"{node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module in ("os", "tempfile"):
                for alias in node.names:
                    if (node.module, alias.name) in RENAMES:
                        offenders.append(f"{path.relative_to(PKG)}:{node.lineno} "
                                         f"from {node.module} import {alias.name}")
    assert offenders == []


def test_moved_into_moves_files_by_name_and_leaves_those_already_there(tmp_path):
    from corridor_sim.results_io import moved_into

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.png").write_bytes(b"x")
    there = tmp_path / "plots"
    there.mkdir()
    (there / "y.png").write_bytes(b"y")
    moved = moved_into([tmp_path / "a" / "x.png", there / "y.png"], there)
    assert moved == [there / "x.png", there / "y.png"]
    assert (there / "x.png").read_bytes() == b"x" and (there / "y.png").read_bytes() == b"y"
    assert list((tmp_path / "a").iterdir()) == []
