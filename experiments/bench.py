"""Throughput benchmark: household-days per second on a street of a given size.

The street is the baseline scenario scaled up the way ``scenarios/street.toml`` is: communities
of at most 4,000 households, ~570 households per grid and ~300 per compound, so the numbers
measure the model at the scale planners use, with the DataCollector on as in a real run.
The timed part builds the graph and the model and runs the days; imports are not timed.
The benchmark reports against the target; it never fails on a miss.
"""

from __future__ import annotations

import math
import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # imported lazily: the CLI reads this module's constants for --help
    from commgov.scenarios.loader import LoadedScenario

HOUSEHOLDS_PER_COMMUNITY_MAX = 4000
HOUSEHOLDS_PER_GRID = 570
HOUSEHOLDS_PER_COMPOUND = 300
TARGET_HOUSEHOLD_DAYS_PER_S = 5_000_000
TARGET_PEAK_RSS_MB = 2048.0   # 2 GiB
MIN_HOUSEHOLDS = 50
MAX_HOUSEHOLDS = 200 * HOUSEHOLDS_PER_COMMUNITY_MAX   # the schema allows 200 communities


def street_overrides(households: int) -> dict[str, int]:
    """Graph sizes for a street of about ``households`` households."""
    communities = math.ceil(households / HOUSEHOLDS_PER_COMMUNITY_MAX)
    per_community = round(households / communities)
    grids = max(1, round(per_community / HOUSEHOLDS_PER_GRID))
    compounds = max(grids, round(per_community / HOUSEHOLDS_PER_COMPOUND))
    return {"graph.communities": communities,
            "graph.households_per_community": per_community,
            "graph.grids_per_community": grids,
            "graph.compounds_per_community": compounds}


def bench_scenario(households: int) -> LoadedScenario:
    from commgov.scenarios.loader import load_scenario

    return load_scenario("baseline", street_overrides(households))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (ru_maxrss is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_bench(loaded: LoadedScenario, days: int, seed: int) -> dict[str, Any]:
    """Build and run the street once; the result of ``bench --json`` (peak memory per
    household includes the interpreter and libraries, about 160 MB)."""
    from commgov.model.community import CommunityModel

    start = time.perf_counter()
    model = CommunityModel(scenario=loaded, rng=seed, collect=True)
    model.run_for(days)
    seconds = time.perf_counter() - start
    households = model.neighbourhood.n_households
    return {"households": households,
            "days": days,
            "seconds": round(seconds, 4),
            "household_days_per_s": round(households * days / seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "peak_kb_per_household": round(peak_rss_mb() * 1024 / households, 3)}


def format_human(r: dict[str, Any]) -> str:
    """One line with the figures, the targets and whether they are met."""
    speed_ok = r["household_days_per_s"] >= TARGET_HOUSEHOLD_DAYS_PER_S
    mem_ok = r["peak_rss_mb"] < TARGET_PEAK_RSS_MB
    return (f"{r['households']:,} households x {r['days']} days in {r['seconds']:.2f} s: "
            f"{r['household_days_per_s'] / 1e6:.2f} million household-days/s "
            f"(target >= {TARGET_HOUSEHOLD_DAYS_PER_S / 1e6:g} million: "
            f"{'met' if speed_ok else 'NOT met'}); peak memory {r['peak_rss_mb']:,.0f} MB "
            f"(target < 2 GiB: {'met' if mem_ok else 'NOT met'}), "
            f"{r['peak_kb_per_household']:.2f} KiB per household (issue 10's target at "
            f"400,000 households: <= 1.5).")


# --------------------------------------------------------------------------------------------
# Sweep throughput: local processes (1 and 2 workers) and a Dask LocalCluster
# --------------------------------------------------------------------------------------------
SWEEP_RUNS = 200


def sweep_bench_file(directory: Path, runs: int = SWEEP_RUNS, days: int = 365) -> Path:
    """A fixed sweep: ``runs`` one-community baseline runs (seeds 0..runs-1)."""
    path = directory / "bench_sweep.toml"
    path.write_text(f'name = "bench_sweep"\nscenarios = ["baseline"]\nreplications = {runs}\n'
                    f'days = {days}\nrecord_every = 30\n', encoding="utf-8")
    return path


def run_sweep_bench(runs: int = SWEEP_RUNS, days: int = 365) -> dict[str, Any]:
    """Runs per second of the same sweep on each engine, and whether results agree."""
    import tempfile

    import pandas as pd

    from commgov.experiments import engine
    from commgov.experiments.sweep import load_sweep

    out: dict[str, Any] = {"runs": runs, "days": days}
    with tempfile.TemporaryDirectory() as tmp:
        sweep = load_sweep(sweep_bench_file(Path(tmp), runs, days))
        tables = {}
        for label, workers, dask in (("local_1", 1, False), ("local_2", 2, False),
                                     ("dask_local_2", 2, True)):
            _, results = engine.engine_for(workers=workers, scheduler=None, dask_local=dask)
            res = engine.execute(sweep, Path(tmp) / label, results, resume=False,
                                 engine=label, progress=False)
            out[f"{label}_seconds"] = round(res.seconds, 2)
            out[f"{label}_runs_per_s"] = round(res.done / res.seconds, 3)
            tables[label] = pd.read_parquet(Path(tmp) / label / "summary.parquet").drop(
                columns=["seconds"])
    out["speedup_2_vs_1"] = round(out["local_2_runs_per_s"] / out["local_1_runs_per_s"], 3)
    out["dask_vs_local_2"] = round(out["dask_local_2_runs_per_s"] / out["local_2_runs_per_s"],
                                   3)
    first = tables["local_1"]
    out["identical_results"] = all(first.equals(t) for t in tables.values())
    return out


def format_sweep_human(r: dict[str, Any]) -> str:
    ok_speed = r["speedup_2_vs_1"] >= 1.8
    ok_dask = r["dask_vs_local_2"] >= 0.85
    return (f"Sweep of {r['runs']} one-community runs x {r['days']} days:\n"
            f"  local, 1 worker : {r['local_1_runs_per_s']:.2f} runs/s "
            f"({r['local_1_seconds']:.1f} s)\n"
            f"  local, 2 workers: {r['local_2_runs_per_s']:.2f} runs/s "
            f"({r['local_2_seconds']:.1f} s), speed-up {r['speedup_2_vs_1']:.2f}x "
            f"(target >= 1.8x: {'met' if ok_speed else 'missed'})\n"
            f"  Dask LocalCluster, 2 workers: {r['dask_local_2_runs_per_s']:.2f} runs/s "
            f"({r['dask_local_2_seconds']:.1f} s), {r['dask_vs_local_2']:.2f}x local "
            f"(target within 15%: {'met' if ok_dask else 'missed'})\n"
            f"  identical results on every engine: {r['identical_results']}")
