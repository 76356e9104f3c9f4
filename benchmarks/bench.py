"""Benchmark corridor-sim against bare SimPy, in one process and one run.

Usage: ``python benchmarks/bench.py [--quick] [--out-dir DIR] [--repeat N]``
(``make bench`` runs it with the defaults). Prints a table of ratios (model against the
bare-SimPy reference measured in the same run), writes ``results.json`` and
``cost_vs_demand.png`` to ``--out-dir`` (default: this folder). See README.md here.

Timings are the best of ``--repeat`` runs (wall seconds, ``time.perf_counter``), with the
reference and the model runs interleaved so that both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
ROUTES = ROOT / "scenarios" / "china_europe_routes.yaml"
TARGETS = ROOT / "seeds" / "targets_2023.yaml"
SCALES = (1.0, 2.0, 4.0)

FULL = {"ref_events": 1_000_000, "ref_procs": 400, "horizon_days": 365,
        "memory_horizon_days": 3650, "replications": 8, "repeat": 3,
        "calibration_replications": 10}
QUICK = {"ref_events": 40_000, "ref_procs": 200, "horizon_days": 40,
         "memory_horizon_days": 60, "replications": 2, "repeat": 1,
         "calibration_replications": 2}


# ----------------------------------------------------------------------------- reference
def reference(n_events: int, n_procs: int) -> tuple[float, int]:
    """Wall seconds and SimPy events of ``n_procs`` processes that each loop
    ``yield env.timeout(...)``, ``n_events`` timeouts in all."""
    import simpy

    env = simpy.Environment()
    per = n_events // n_procs

    def proc(i: int):
        step = 1.0 + (i % 13) * 0.07  # unequal periods: a real heap, not a round-robin
        for _ in range(per):
            yield env.timeout(step)

    for i in range(n_procs):
        env.process(proc(i))
    t = time.perf_counter()
    env.run()
    return time.perf_counter() - t, _events(env)


def _events(env) -> int:
    """Events scheduled in ``env`` (counted as corridor-sim counts ``RunData.events``)."""
    from corridor_sim.engine.model import _event_count

    return _event_count(env)


# ----------------------------------------------------------------------------- model runs
def scenario(horizon_days: float, scale: float = 1.0):
    from corridor_sim.scenario import load_scenario

    return load_scenario(BASELINE, {"horizon_days": horizon_days, "demand.scale": scale})


def model_run(sc) -> dict:
    """One replication: wall seconds of build + run, then of building the tables."""
    from corridor_sim.engine import simulate
    from corridor_sim.results import build_tables

    t = time.perf_counter()
    run = simulate(sc, 0)
    run_s = time.perf_counter() - t
    t = time.perf_counter()
    build_tables(run)
    tables_s = time.perf_counter() - t
    return {"run_s": run_s, "tables_s": tables_s, "events": run.events,
            "consignments": len(run.created_h)}


def best(rows: list[dict]) -> dict:
    out = dict(rows[0])
    out["run_s"] = min(r["run_s"] for r in rows)
    out["tables_s"] = min(r["tables_s"] for r in rows)
    out["run_tables_s"] = out["run_s"] + out["tables_s"]
    out["events_per_s"] = out["events"] / out["run_s"]
    out["consignments_per_s"] = out["consignments"] / out["run_s"]
    return out


# ----------------------------------------------------------------------------- whole run
def pipeline_run(sc) -> dict:
    """What a notebook user waits for: ``cs.run(scenario, seed=...)``, one replication
    (simulate, tables, KPIs), then the same three steps timed one by one."""
    import corridor_sim as cs
    from corridor_sim import kpis
    from corridor_sim.engine import simulate
    from corridor_sim.results import build_tables

    t = time.perf_counter()
    res = cs.run(sc, seed=sc.seed, progress=False)
    total = time.perf_counter() - t
    assert len(res.kpis)  # the tables the KPIs read are built on first access
    with_kpis = time.perf_counter() - t
    del res
    t = time.perf_counter()
    run = simulate(sc, 0)
    sim_s = time.perf_counter() - t
    t = time.perf_counter()
    tables = build_tables(run)
    tables_s = time.perf_counter() - t
    t = time.perf_counter()
    kpis.kpi_table(tables, sc.start_date, sc.horizon_days * 24.0, scenario=sc)
    kpi_s = time.perf_counter() - t
    return {"cs_run_s": total, "cs_run_kpis_s": with_kpis, "simulate_s": sim_s,
            "build_tables_s": tables_s, "kpi_table_s": kpi_s}


def cli_run(horizon_days: float, out_dir: Path) -> dict:
    """``corridor-sim run`` of the baseline in a fresh interpreter, end to end: imports,
    loading, simulation, tables, KPIs, Parquet, plots and report."""
    import corridor_sim

    env = dict(os.environ)
    pkg_root = str(Path(corridor_sim.__file__).resolve().parents[1])  # the code measured here
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pkg_root, env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "corridor_sim", "run", str(BASELINE), "--out",
           str(out_dir / "baseline"), "--force"]  # not --quiet: the summary is part of it
    if horizon_days != FULL["horizon_days"]:
        cmd += ["--horizon-days", f"{horizon_days:g}"]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=out_dir)
    return {"cli_run_s": time.perf_counter() - t}


# ----------------------------------------------------------------------------- memory
def rss_mib(field: str = "VmRSS") -> float:
    """Resident set size of this process now (``VmRSS``) or its peak so far (``VmHWM``),
    in MiB. (``getrusage`` is no use here: on Linux its peak survives ``exec`` and would
    report the parent's.)"""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child_memory(horizon_days: float, tables: bool, resolution: str = "exact") -> dict:
    """Run in a fresh interpreter: peak RSS of one run above the interpreter with the
    package imported and the scenario loaded, and above the bare interpreter
    (``resolution``: the scenario's ``outputs.resources_resolution``)."""
    bare = rss_mib()
    from corridor_sim.engine import simulate

    if tables:
        from corridor_sim.results import build_tables
    sc = scenario(horizon_days)
    if resolution != "exact":
        from corridor_sim.scenario import with_overrides

        sc = with_overrides(sc, {"outputs.resources_resolution": resolution})
    ready = rss_mib()
    t = time.perf_counter()
    run = simulate(sc, 0)
    if tables:
        build_tables(run)
    wall = time.perf_counter() - t
    peak = rss_mib("VmHWM")
    return {"bare_mib": bare, "ready_mib": ready, "peak_mib": peak,
            "peak_above_ready_mib": peak - ready, "peak_above_bare_mib": peak - bare,
            "wall_s": wall, "events": run.events, "consignments": len(run.created_h),
            "tables": tables}


def measure_memory(horizon_days: float, tables: bool, resolution: str = "exact") -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-memory", str(horizon_days),
           "--child-resolution", resolution]
    if tables:
        cmd.append("--child-tables")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def calibration_eval(sc, replications: int, workers: int) -> dict:
    """Evaluations of ``corridor-sim calibrate`` on the baseline: ``replications``
    replications in a pool of ``workers`` processes, computing only the KPIs the 2023
    targets compare. A fit starts its pool at the first evaluation and keeps it for the
    rest: the first evaluation (pool start included) and the next one are timed apart.
    Then the same replications as a ``cs.run`` in this process: the yardstick of the
    evaluations, measured within seconds of them, so that both see the same machine
    (a single ``cs.run`` timed minutes apart does not)."""
    import corridor_sim as cs
    from corridor_sim.calibrate import CalibrationProblem
    from corridor_sim.seeds import load_targets, targets_for

    problem = CalibrationProblem(sc, {}, targets_for(load_targets(TARGETS), sc.name),
                                 replications, workers)
    with problem.pool():
        t = time.perf_counter()
        problem.evaluate({})
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        problem.evaluate({})
        eval_s = time.perf_counter() - t
    t = time.perf_counter()
    cs.run(sc, replications=replications, backend="serial", progress=False)
    return {"calibration_first_eval_s": first_s, "calibration_eval_s": eval_s,
            "runs_serial_s": time.perf_counter() - t}


# ----------------------------------------------------------------------------- replications
def replication(args: tuple[float, int]):
    """One full replication (run, tables, KPIs); returns its KPI table, wall seconds and
    CPU seconds."""
    from corridor_sim.experiment import run_single

    horizon_days, rep = args
    wall, cpu = time.perf_counter(), time.process_time()
    tables, _ = run_single(scenario(horizon_days), rep)
    return tables["kpis"], time.perf_counter() - wall, time.process_time() - cpu


def measure_parallel(horizon_days: float, n: int, workers: int, repeat: int) -> dict:
    """Best-of-``repeat`` wall time of ``n`` replications run serially and in a process
    pool (measured alternately, so both see the same machine load)."""
    jobs = [(horizon_days, i) for i in range(n)]
    replication(jobs[0])  # warm-up: first-use imports, not timed
    serial_s, parallel_s, shares = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        serial = [replication(j) for j in jobs]
        serial_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parallel = list(pool.map(replication, jobs))
        parallel_s.append(time.perf_counter() - t)
        shares.append(sum(p[2] for p in parallel) / sum(p[1] for p in parallel))
    same = all(a[0].equals(b[0]) for a, b in zip(serial, parallel))
    best_serial, best_parallel = min(serial_s), min(parallel_s)
    return {"replications": n, "workers": workers, "serial_s": best_serial,
            "parallel_s": best_parallel, "speedup": best_serial / best_parallel,
            "efficiency": best_serial / (best_parallel * workers),
            "worker_cpu_share": max(shares), "identical_kpis": same}


# ----------------------------------------------------------------------------- report
def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import simpy

    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "simpy": simpy.__version__,
            "numpy": numpy.__version__, "loadavg_start": os.getloadavg()}


def ratios(res: dict) -> list[tuple[str, float, str, bool | None]]:
    """(measure, value, target, met) rows of the printed table."""
    ref = res["reference"]
    base = res["model"]["x1"]
    days = f"{res['config']['horizon_days']:g}-day"
    rows = [
        (f"baseline {days} run (build+run) / {ref['timeouts']:,}-timeout reference",
         base["run_s"] / ref["wall_s"], "<= 0.4", base["run_s"] / ref["wall_s"] <= 0.4),
        (f"baseline {days} run incl. tables / reference",
         base["run_tables_s"] / ref["wall_s"], "-", None),
        ("model events/s / reference events/s",
         base["events_per_s"] / ref["events_per_s"], ">= 0.5",
         base["events_per_s"] / ref["events_per_s"] >= 0.5),
    ]
    for key in ("x2", "x4"):
        m = res["model"][key]
        scale = float(key[1:])
        ratio = m["run_s"] / base["run_s"]
        target = 4.5 if scale == 4 else None
        rows.append((f"demand x{scale:g}: time / baseline time", ratio,
                     f"<= {target}" if target else f"(linear: {scale:g})",
                     ratio <= target if target else None))
        rows.append((f"demand x{scale:g} incl. tables: time / baseline", m["run_tables_s"] /
                     base["run_tables_s"], "-", None))
    routes = res["routes"]["run_tables_s"] / base["run_tables_s"]
    rows.append(("china_europe_routes incl. tables / baseline incl. tables", routes,
                 "<= 1.5", routes <= 1.5))
    whole = res["whole_run"]
    ratio = whole["cs_run_s"] / ref["wall_s"]
    rows.append((f"cs.run, baseline {days}, 1 replication / reference", ratio, "<= 0.25",
                 ratio <= 0.25))
    rows.append(("  cs.run, then res.kpis / reference", whole["cs_run_kpis_s"] / ref["wall_s"],
                 "-", None))
    for key, name in (("simulate_s", "simulate"), ("build_tables_s", "build_tables"),
                      ("kpi_table_s", "kpi_table")):
        rows.append((f"  {name} / reference", whole[key] / ref["wall_s"], "-", None))
    ratio = (whole["build_tables_s"] + whole["kpi_table_s"]) / whole["simulate_s"]
    rows.append(("  (build_tables + kpi_table) / simulate", ratio, "<= 1", ratio <= 1))
    rows.append((f"CLI run, baseline {days}, end to end / reference",
                 whole["cli_run_s"] / ref["wall_s"], "-", None))
    target = 2.5 if res["config"]["horizon_days"] == FULL["horizon_days"] else None
    rows.append(("  same, wall seconds", whole["cli_run_s"],
                 f"<= {target}" if target else "-",
                 whole["cli_run_s"] <= target if target else None))
    mem = res["memory"]
    mem_days = res["config"]["memory_horizon_days"]
    rows.append((f"{mem_days:g}-day run: peak RSS above start (MiB)",
                 mem["run"]["peak_above_ready_mib"], "< 100",
                 mem["run"]["peak_above_ready_mib"] < 100))
    rows.append(("  same, above the bare interpreter (MiB)",
                 mem["run"]["peak_above_bare_mib"], "-", None))
    rows.append(("  same, incl. tables (MiB above start)",
                 mem["tables"]["peak_above_ready_mib"], "-", None))
    rows.append(("  same, incl. tables, resources per day (MiB above start)",
                 mem["tables_daily"]["peak_above_ready_mib"], "-", None))
    par = res["parallel"]
    rows.append((f"process pool: efficiency, {par['workers']} workers",
                 par["efficiency"], ">= 0.85", par["efficiency"] >= 0.85))
    cal = res["calibration"]
    n, w = cal["replications"], cal["workers"]
    rows.append((f"cs.run, {n} replications in this process / reference",
                 cal["runs_serial_s"] / ref["wall_s"], "-", None))
    ratio = cal["calibration_eval_s"] / (cal["runs_serial_s"] / w)
    rows.append((f"calibration evaluation, {n} replications, {w} workers / "
                 f"({n} x cs.run / {w})", ratio, "<= 1.2", ratio <= 1.2))
    rows.append(("  same, the first evaluation (starts the pool)",
                 cal["calibration_first_eval_s"] / (cal["runs_serial_s"] / w), "-", None))
    rows.append((f"  same, against {n} x the whole-run line's cs.run",
                 cal["calibration_eval_s"] / (n * whole["cs_run_s"] / w), "-", None))
    return rows


def print_table(res: dict) -> None:
    ref = res["reference"]
    print(f"machine: {res['machine']['cpu']}, {res['machine']['nproc']} cores, "
          f"Python {res['machine']['python']}, load {res['machine']['loadavg_start']}")
    print(f"reference: {ref['events']:,} SimPy events in {ref['wall_s']:.3f} s "
          f"= {ref['events_per_s']:,.0f} events/s")
    for key, m in res["model"].items():
        print(f"model {key}: run {m['run_s']:.3f} s, +tables {m['tables_s']:.3f} s, "
              f"{m['events']:,} events ({m['events_per_s']:,.0f}/s), "
              f"{m['consignments']:,} consignments ({m['consignments_per_s']:,.0f}/s)")
    mem = res["memory"]["run"]
    print(f"memory run: {mem['wall_s']:.2f} s, {mem['events']:,} events, "
          f"{mem['consignments']:,} consignments, peak {mem['peak_mib']:.1f} MiB "
          f"(bare interpreter {mem['bare_mib']:.1f}, ready {mem['ready_mib']:.1f})")
    whole = res["whole_run"]
    print(f"whole run: cs.run {whole['cs_run_s']:.3f} s (simulate {whole['simulate_s']:.3f}"
          f" s, build_tables {whole['build_tables_s']:.3f} s, kpi_table "
          f"{whole['kpi_table_s']:.3f} s); CLI run end to end {whole['cli_run_s']:.2f} s")
    par = res["parallel"]
    print(f"replications: {par['replications']} serial {par['serial_s']:.2f} s, "
          f"pool of {par['workers']} {par['parallel_s']:.2f} s, "
          f"identical KPIs: {par['identical_kpis']}, workers got "
          f"{par['worker_cpu_share']:.0%} of a core each (CPU s / wall s)")
    print()
    width = max(len(r[0]) for r in res["table"]) + 2
    print(f"{'measure':<{width}}{'value':>10}  {'target':<14}status")
    for name, value, target, met in res["table"]:
        status = "-" if met is None else ("met" if met else "NOT MET")
        print(f"{name:<{width}}{value:>10.3f}  {target:<14}{status}")


def plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scales = [res["model"][f"x{s:g}"]["scale"] for s in SCALES]
    run = [res["model"][f"x{s:g}"]["run_s"] for s in SCALES]
    full = [res["model"][f"x{s:g}"]["run_tables_s"] for s in SCALES]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(scales, run, "o-", label="build + run")
    ax.plot(scales, full, "s-", label="build + run + tables")
    ax.plot(scales, [run[0] * s for s in scales], "k:", label="linear in demand (from x1)")
    ax.axhline(res["reference"]["wall_s"] * 0.25, color="tab:red", ls="--",
               label="0.25 x reference")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("demand scale (x 2023 baseline)")
    ax.set_ylabel("wall time per simulated horizon (s)")
    ax.set_title(f"Cost against demand ({res['config']['horizon_days']:g}-day horizon)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    ap.add_argument("--out-dir", type=Path, default=HERE,
                    help="where results.json and cost_vs_demand.png go")
    ap.add_argument("--repeat", type=int, help="timings are the best of this many runs")
    ap.add_argument("--workers", type=int, help="process-pool workers (default: all cores)")
    ap.add_argument("--child-memory", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--child-tables", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child-resolution", default="exact", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_memory is not None:
        print(json.dumps(child_memory(args.child_memory, args.child_tables,
                                      args.child_resolution)))
        return 0
    cfg = dict(QUICK if args.quick else FULL)
    cfg["repeat"] = args.repeat or cfg["repeat"]
    cfg["workers"] = args.workers or os.cpu_count() or 1
    res: dict = {"config": cfg, "machine": machine()}

    from corridor_sim.scenario import load_scenario

    refs, runs, route_runs, whole_runs = [], {s: [] for s in SCALES}, [], []
    scenarios = {s: scenario(cfg["horizon_days"], s) for s in SCALES}
    routes_sc = load_scenario(ROUTES, {"horizon_days": cfg["horizon_days"]})
    model_run(scenarios[1.0])  # warm-up: imports and caches, not timed
    pipeline_run(scenarios[1.0])
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(cfg["repeat"]):
            refs.append(reference(cfg["ref_events"], cfg["ref_procs"]))
            for s in SCALES:
                runs[s].append(model_run(scenarios[s]))
            route_runs.append(model_run(routes_sc))
            whole_runs.append({**pipeline_run(scenarios[1.0]),
                               **cli_run(cfg["horizon_days"], Path(tmp))})
    wall, events = min(refs)
    res["reference"] = {"wall_s": wall, "events": events, "events_per_s": events / wall,
                        "timeouts": cfg["ref_events"], "processes": cfg["ref_procs"]}
    res["model"] = {f"x{s:g}": {"scale": s, **best(runs[s])} for s in SCALES}
    res["routes"] = best(route_runs)  # a market of 200,000 TEU a year choosing its route
    res["whole_run"] = {key: min(r[key] for r in whole_runs) for key in whole_runs[0]}
    res["memory"] = {"run": measure_memory(cfg["memory_horizon_days"], tables=False),
                     "tables": measure_memory(cfg["memory_horizon_days"], tables=True),
                     "tables_daily": measure_memory(cfg["memory_horizon_days"], tables=True,
                                                    resolution="day")}
    res["parallel"] = measure_parallel(cfg["horizon_days"], cfg["replications"],
                                       cfg["workers"], cfg["repeat"])
    cal = [calibration_eval(scenarios[1.0], cfg["calibration_replications"], cfg["workers"])
           for _ in range(cfg["repeat"])]
    res["calibration"] = {key: min(c[key] for c in cal) for key in cal[0]}
    res["calibration"].update(replications=cfg["calibration_replications"],
                              workers=cfg["workers"])
    res["machine"]["loadavg_end"] = os.getloadavg()
    res["table"] = ratios(res)
    res["targets_met"] = all(met for *_, met in res["table"] if met is not None)
    print_table(res)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    plot(res, args.out_dir / "cost_vs_demand.png")
    tmp = args.out_dir / "results.json.tmp"
    tmp.write_text(json.dumps(res, indent=2))
    os.replace(tmp, args.out_dir / "results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
