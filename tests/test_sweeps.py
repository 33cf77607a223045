"""Sweeps: validation, engines that agree bit for bit, crash safety and resume, reports,
EMA Workbench, and Parquet interop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from commgov.experiments import engine
from commgov.experiments.errors import SweepError, SweepStateError
from commgov.experiments.report import SweepResults, build_report, differences_table
from commgov.experiments.sweep import load_sweep

ROOT = Path(__file__).resolve().parents[1]
SMALL_SET = ('[set]\n"graph.households_per_community" = 400\n'
             '"graph.compounds_per_community" = 3\n"graph.grids_per_community" = 1\n')


def write_sweep(tmp: Path, body: str, name: str = "s") -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{body}', encoding="utf-8")
    return path


def comparison(tmp: Path, reps: int = 3, days: int = 20, name: str = "s") -> Path:
    return write_sweep(tmp, f'scenarios = ["baseline", "grid_merge"]\nreplications = {reps}\n'
                            f'days = {days}\nrecord_every = 5\n{SMALL_SET}'
                            '[vary]\n"staff.per_10k_residents" = [18, 30]\n', name)


def run(sweep_path: Path, out: Path, workers: int = 1, dask: bool = False,
        resume: bool = False) -> engine.Outcome:
    _, results = engine.engine_for(workers=workers, scheduler=None, dask_local=dask)
    return engine.execute(load_sweep(sweep_path), out, results, resume=resume, engine="test",
                          progress=False)


def start_sweep(path: Path, out: Path, wait_for_runs: int) -> subprocess.Popen:
    """`run.py sweep` on 2 workers in its own session; returns once N runs have finished."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", str(path),
                             "--workers", "2", "--out", str(out), "--no-progress"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and len([p for p in (out / "runs").glob("*.json")
                                          if not p.name.startswith(".")]) < wait_for_runs:
        time.sleep(0.05)
    return proc


def results_of(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    summary = pd.read_parquet(out / "summary.parquet").drop(columns=["seconds"])
    daily = pd.read_parquet(out / "daily").sort_values(["run_id", "day"])
    return summary.reset_index(drop=True), daily.reset_index(drop=True)


# ---------------------------------------------------------------- the sweep file
def test_example_sweeps_load():
    names = {p.stem for p in (ROOT / "experiments" / "sweeps").glob("*.toml")}
    assert {"policy_comparison", "staffing_by_size", "sensitivity_morris",
            "sensitivity_sobol"} <= names
    for name in names:
        sw = load_sweep(ROOT / "experiments" / "sweeps" / f"{name}.toml")
        assert len(sw.runs) == len(sw.scenarios) * len(sw.design) * sw.spec.replications


def test_common_random_numbers_and_stable_run_ids(tmp_path):
    sw = load_sweep(comparison(tmp_path))
    assert len(sw.runs) == 2 * 2 * 3
    seeds = {(r.scenario, r.point): [x.seed for x in sw.runs
                                     if (x.scenario, x.point) == (r.scenario, r.point)]
             for r in sw.runs}
    assert len({tuple(v) for v in seeds.values()}) == 1, "replication k shares its seed"
    assert [r.run_id for r in sw.runs] == [r.run_id for r in load_sweep(comparison(tmp_path))
                                           .runs]
    assert sw.runs[-1].overrides["staff.per_10k_residents"] == 30


@pytest.mark.parametrize("body, says", [
    ('scenarios = ["baseline"]\nreplications = 2\ndays = 5\nreplicatons = 3\n',
     ["replicatons", "did you mean 'replications'"]),
    ('scenarios = ["baseline"]\nreplications = 0\ndays = 5\n', ["replications", "0"]),
    ('scenarios = ["baseline"]\nreplications = 2\ndays = 5\nmetrics = ["trust"]\n',
     ["unknown metric 'trust'", "trust_mean"]),
    ('scenarios = ["basline"]\nreplications = 2\ndays = 5\n', ["basline", "baseline"]),
    ('scenarios = ["baseline"]\nreplications = 2\ndays = 5\n[vary]\n"staf.per_10k" = [1]\n',
     ["unknown parameter 'staf.per_10k'"]),
    ('scenarios = ["baseline"]\nreplications = 2\ndays = 5\n[vary]\n'
     '"staff.per_10k_residents" = [18, -4]\n', ["staff.per_10k_residents", "-4", "1 to 200"]),
    ('scenarios = ["baseline"]\nreplications = 2\ndays = 5\n[design]\nmethod = "sobol"\n'
     'samples = 10\n[design.parameters]\n"workers.admin_hours" = [1, 5]\n', ["power of 2"]),
    ('scenarios = ["baseline"]\nreplications = 2\ndays = 5\n[design]\nmethod = "latin"\n'
     'samples = 10\n[design.parameters]\n"workers.admin_hours" = [1, 50]\n',
     ["workers.admin_hours", "outside", "16"]),
    ('scenarios = ["baseline"\n', ["invalid TOML"]),
])
def test_sweep_mistakes_are_named_before_anything_runs(tmp_path, body, says):
    with pytest.raises(SweepError) as e:
        load_sweep(write_sweep(tmp_path, body))
    for s in says:
        assert s in str(e.value)
    assert "s.toml" in str(e.value)


# ---------------------------------------------------------------- engines agree
def test_local_and_dask_engines_give_identical_results(tmp_path):
    path = comparison(tmp_path)
    run(path, tmp_path / "one", workers=1)
    run(path, tmp_path / "two", workers=2)
    run(path, tmp_path / "dask", workers=2, dask=True)
    s1, d1 = results_of(tmp_path / "one")
    for other in ("two", "dask"):
        s, d = results_of(tmp_path / other)
        pd.testing.assert_frame_equal(s1, s)
        pd.testing.assert_frame_equal(d1, d)
    assert len(s1) == 12 and s1["run_id"].is_unique


# ---------------------------------------------------------------- crash safety
def test_sigkill_midway_then_resume_completes_each_run_exactly_once(tmp_path):
    path = write_sweep(tmp_path, 'scenarios = ["baseline", "red_property"]\n'
                                 'replications = 12\ndays = 120\nrecord_every = 10\n'
                                 '[set]\n"graph.households_per_community" = 1500\n'
                                 '"graph.compounds_per_community" = 5\n'
                                 '"graph.grids_per_community" = 2\n')
    out = tmp_path / "killed"
    proc = start_sweep(path, out, wait_for_runs=5)
    os.killpg(proc.pid, signal.SIGKILL)        # the coordinator and its workers, at once
    proc.communicate()
    # pathlib's "*" also matches a killed write's hidden ".<id>.<hex>.tmp.json": not a run.
    done_before = len([p for p in (out / "runs").glob("*.json") if not p.name.startswith(".")])
    assert 5 <= done_before < 24, "killed midway"
    res = run(path, out, workers=2, resume=True)
    assert not list(out.rglob(".*.tmp*")), "half-written temp files are cleared on resume"
    assert res.skipped == done_before and res.done == 24 - done_before
    run(path, tmp_path / "clean", workers=1)
    s_k, d_k = results_of(out)
    s_c, d_c = results_of(tmp_path / "clean")
    assert s_k["run_id"].is_unique and len(s_k) == 24
    assert sorted(p.stem for p in (out / "daily").glob("*.parquet")) == sorted(s_c["run_id"])
    pd.testing.assert_frame_equal(s_k, s_c)
    pd.testing.assert_frame_equal(d_k, d_c)


def test_resume_refuses_a_different_sweep_and_fresh_runs_refuse_a_used_dir(tmp_path):
    path = comparison(tmp_path, reps=1, days=5)
    run(path, tmp_path / "out")
    with pytest.raises(SweepStateError, match="--resume"):
        run(path, tmp_path / "out")
    changed = comparison(tmp_path, reps=2, days=5, name="s2")
    with pytest.raises(SweepStateError, match="different sweep"):
        run(changed, tmp_path / "out", resume=True)
    assert run(path, tmp_path / "out", resume=True).done == 0


def test_a_run_that_raises_is_recorded_and_the_sweep_goes_on(tmp_path):
    graph = tmp_path / "broken.graphml"
    graph.write_text('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/'
                     'xmlns"><graph edgedefault="undirected"><node id="a"/></graph></graphml>',
                     encoding="utf-8")
    (tmp_path / "mine.toml").write_text('name = "mine"\n[graph]\nfile = "broken.graphml"\n',
                                        encoding="utf-8")
    path = write_sweep(tmp_path, 'scenarios = ["baseline", "mine.toml"]\nreplications = 2\n'
                                 f'days = 5\n{SMALL_SET}')
    res = run(path, tmp_path / "out")
    assert res.done == 2 and len(res.failed) == 2
    err = json.loads(next((tmp_path / "out" / "errors").glob("*.json")).read_text())
    assert "GraphError" in err["error"] and "compound" in err["error"]
    assert err["scenario"] == "mine.toml" and "seed" in err


# ---------------------------------------------------------------- reports
def test_report_tables_figures_and_html(tmp_path):
    out = tmp_path / "out"
    run(comparison(tmp_path, reps=4), out)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        report = build_report(out)
    assert (report / "figures" / "policy_effects.png").exists()
    assert (report / "figures" / "timeseries_on_time_share.png").exists()
    assert (report / "figures" / "response_on_time_share.png").exists()
    page = (report / "index.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") >= 3 and "grid_merge" in page
    means = pd.read_csv(report / "tables" / "trust_mean_means.csv")
    assert {"scenario", "mean", "ci_low", "ci_high", "n"} <= set(means.columns)
    assert (means["ci_low"] <= means["mean"]).all() and (means["n"] == 4).all()
    # The difference from baseline is paired by seed at the same design point.
    res = SweepResults(out)
    diff = differences_table(res, "households_per_worker")
    s = res.summary
    for r in diff.itertuples():
        a = s[(s.scenario == r.scenario) & (s.point == r.point)].set_index("replication")
        b = s[(s.scenario == "baseline") & (s.point == r.point)].set_index("replication")
        expected = (a["households_per_worker"] - b["households_per_worker"]).mean()
        assert r.difference == pytest.approx(expected)
    assert (diff["difference"] < 0).all(), "merging lowers households per worker"


def test_chinese_report_has_no_missing_glyphs(tmp_path):
    out = tmp_path / "out"
    run(comparison(tmp_path, reps=2, days=5), out)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        report = build_report(out, out=tmp_path / "zh", lang="zh")
    assert 'lang="zh-CN"' in (report / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("method, extra, columns", [
    ("morris", "samples = 4\nlevels = 4\n", {"mu_star", "sigma"}),
    ("sobol", "samples = 16\n", {"S1", "ST"}),
])
def test_sensitivity_designs_are_analysed_with_salib(tmp_path, method, extra, columns):
    path = write_sweep(tmp_path, 'scenarios = ["baseline"]\nreplications = 1\ndays = 30\n'
                                 'metrics = ["households_per_worker", "trust_mean"]\n'
                                 f'{SMALL_SET}[design]\nmethod = "{method}"\n{extra}'
                                 '[design.parameters]\n'
                                 '"staff.households_per_worker" = [100, 400]\n'
                                 '"trust.diffusion" = [0.0, 0.2]\n')
    out = tmp_path / "out"
    run(path, out, workers=2)
    report = build_report(out)
    si = pd.read_csv(report / "tables" / f"households_per_worker_{method}.csv")
    assert columns <= set(si.columns)
    assert (report / "figures" / f"{method}_households_per_worker.png").exists()
    # Households per worker is set by staff.households_per_worker alone.
    by = si.set_index("parameter")
    key = "mu_star" if method == "morris" else "ST"
    assert by.loc["staff.households_per_worker", key] > 5 * abs(by.loc["trust.diffusion", key])


# ---------------------------------------------------------------- interop
def test_parquet_dataset_reads_with_pandas_polars_and_duckdb(tmp_path):
    import duckdb
    import polars as pl

    out = tmp_path / "out"
    run(comparison(tmp_path, reps=2, days=10), out)
    pdf = pd.read_parquet(out / "daily")
    plf = pl.read_parquet(f"{out}/daily/*.parquet")
    n = duckdb.sql(f"select count(*) from '{out}/daily/*.parquet'").fetchall()[0][0]
    assert len(pdf) == plf.height == n == 8 * 3
    means = duckdb.sql(f"select scenario, avg(trust_mean) m from '{out}/summary.parquet' "
                       "group by scenario order by scenario").fetchall()
    assert [m[0] for m in means] == ["baseline", "grid_merge"]


@pytest.mark.filterwarnings("ignore:ipyparallel not installed:UserWarning")
def test_ema_workbench_drives_the_model():
    from ema_workbench import Constant, SequentialEvaluator, perform_experiments

    from commgov.experiments.ema_adapter import commgov_model, parameter

    model = commgov_model(days=15, outcomes=["households_per_worker", "on_time_share"])
    model.constants = [*model.constants, Constant("graph__households_per_community", 400),
                       Constant("graph__compounds_per_community", 3),
                       Constant("graph__grids_per_community", 1)]
    model.uncertainties = [parameter("workers.admin_hours", 1, 5)]
    model.levers = [parameter("grid.merged")]
    with SequentialEvaluator(model) as ev:
        experiments, outcomes = perform_experiments(model, scenarios=2, policies=2,
                                                    evaluator=ev)
    assert len(experiments) == 4
    merged = experiments["grid__merged"].to_numpy(dtype=bool)
    hpw = outcomes["households_per_worker"]
    assert hpw[merged].mean() < hpw[~merged].mean()
    assert ((outcomes["on_time_share"] >= 0) & (outcomes["on_time_share"] <= 1)).all()


# ---------------------------------------------------------------- the CLI
def test_sweep_and_report_commands(tmp_path):
    path = comparison(tmp_path, reps=2, days=5)
    out = tmp_path / "out"
    def cli(*args):
        return subprocess.run([sys.executable, str(ROOT / "run.py"), *map(str, args)],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
    r = cli("sweep", path, "--workers", "1", "--out", out, "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "8 run(s) now" in r.stdout
    r = cli("sweep", path, "--workers", "1", "--out", out)
    assert r.returncode == 2 and "--resume" in r.stderr and "Traceback" not in r.stderr
    r = cli("sweep", path, "--workers", "1", "--out", out, "--resume", "--no-progress")
    assert r.returncode == 0 and "8 already finished" in r.stdout
    r = cli("report", out)
    assert r.returncode == 0 and (out / "report" / "index.html").exists()
    r = cli("report", tmp_path)
    assert r.returncode == 2 and "manifest.json" in r.stderr
    bad = write_sweep(tmp_path, 'scenarios = ["baseline"]\nreplications = 2\n', "bad")
    r = cli("sweep", bad)
    assert r.returncode == 2 and "days" in r.stderr and "Traceback" not in r.stderr


def test_a_dead_worker_process_does_not_stop_the_sweep(tmp_path):
    """Kill one worker process mid-sweep: the pool restarts and every run finishes once."""
    path = write_sweep(tmp_path, 'scenarios = ["baseline"]\nreplications = 16\ndays = 120\n'
                                 'record_every = 30\n[set]\n'
                                 '"graph.households_per_community" = 1500\n'
                                 '"graph.compounds_per_community" = 5\n'
                                 '"graph.grids_per_community" = 2\n')
    out = tmp_path / "out"
    proc = start_sweep(path, out, wait_for_runs=3)
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                              text=True).stdout.split()
    workers = [int(c) for c in children
               if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="ignore")]
    assert workers, "found the worker processes"
    os.kill(workers[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert "worker process died" in stderr
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 16 and summary["run_id"].is_unique


def test_sparse_collection_gives_the_daily_values():
    """The engine collects only the rows it keeps (day 0, every ``record_every`` days, the
    last day); each kept row equals the same day of a daily collection, windowed and
    warm-up metrics included (they read counters, not earlier rows)."""
    from commgov.experiments.engine import METRIC_NAMES, run_task
    from commgov.model.community import CommunityModel

    metrics = sorted(METRIC_NAMES)
    task = {"run_id": "r", "scenario_ref": "baseline", "overrides": {}, "seed": 3,
            "days": 75, "metrics": metrics, "record_every": 30}
    out = run_task(task)
    assert out["ok"], out.get("traceback")
    sparse = out["daily"]
    assert sparse["day"].tolist() == [0, 30, 60, 75]
    m = CommunityModel(scenario="baseline", rng=3, max_days=75)
    m.run_model()
    daily = m.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    full = daily[daily["day"].isin([0, 30, 60, 75])][["day", *metrics]].reset_index(drop=True)
    pd.testing.assert_frame_equal(sparse, full, check_dtype=False)
    assert out["final"] == {k: float(full[k].iloc[-1]) for k in metrics}
