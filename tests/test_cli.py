"""The command line as people use it: files written, reproducibility, and readable errors.

Each test runs ``run.py`` in a fresh interpreter (as a user would) on tiny streets, so the
whole file stays well under a minute.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from commgov.experiments import runner
from commgov.model.metrics import CORE_METRICS
from commgov.scenarios.loader import list_scenarios

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "run.py"
SMALL = ["--set", "graph.households_per_community=300", "--set",
         "graph.compounds_per_community=3", "--set", "graph.grids_per_community=1"]


def cli(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run([sys.executable, str(RUN), *map(str, args)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    if ok:
        assert res.returncode == 0, res.stderr
        assert "Traceback" not in res.stderr
    return res


def simulate(out: Path) -> None:
    cli("simulate", "baseline", "--days", "20", "--seed", "3", *SMALL, "--out", out)


# --------------------------------------------------------------------------------------------
# simulate
# --------------------------------------------------------------------------------------------
def test_simulate_writes_files_and_is_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    simulate(a)
    for name in ("metrics.csv", "metrics.parquet", "run.json"):
        assert (a / name).is_file(), name
    csv = pd.read_csv(a / "metrics.csv")
    pq = pd.read_parquet(a / "metrics.parquet")
    for df in (csv, pq):
        assert set(CORE_METRICS) <= set(df.columns)
        assert len(df) == 21
        assert df["day"].tolist() == list(range(21))
    pd.testing.assert_frame_equal(csv, pq, check_dtype=False)

    run = json.loads((a / "run.json").read_text())
    assert run["seed"] == 3 and run["days"] == 20 and run["scenario"] == "baseline"
    assert run["parameters"]["graph"]["households_per_community"] == 300
    assert run["overrides"]["graph.households_per_community"] == 300
    assert run["file_chain"] and run["file_chain"][0].endswith("baseline.toml")
    for key in ("python", "commgov", "mesa", "numpy", "networkx", "pandas", "pyarrow"):
        assert run["versions"][key], key
    assert run["wall_clock_seconds"] >= 0 and run["created_at"]

    simulate(b)   # another process, another hash seed: the same numbers
    assert (a / "metrics.csv").read_bytes() == (b / "metrics.csv").read_bytes()
    assert not list(a.glob(".*tmp*")), "no temporary files left behind"


# --------------------------------------------------------------------------------------------
# list, bench, help
# --------------------------------------------------------------------------------------------
def test_list_shows_every_scenario() -> None:
    out = cli("list").stdout
    for name, _ in list_scenarios():
        assert name in out


def test_bench_json() -> None:
    res = cli("bench", "--households", "2000", "--days", "10", "--json")
    data = json.loads(res.stdout)
    assert set(data) == {"households", "days", "seconds", "household_days_per_s",
                         "peak_rss_mb", "peak_kb_per_household"}
    assert all(isinstance(v, int | float) and v > 0 for v in data.values())
    assert data["households"] == 2000 and data["days"] == 10


@pytest.mark.parametrize("command", [[], ["demo"], ["simulate"], ["list"], ["bench"], ["optimise"]])
def test_help(command: list[str]) -> None:
    res = cli(*command, "--help")
    assert res.stdout.startswith("usage:")


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------
def test_demo_outputs_do_not_depend_on_workers(tmp_path: Path) -> None:
    outs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        res = cli("demo", "--days", "15", "--reps", "2", "--scenarios", "baseline,red_property",
                  *SMALL, "--out", out, "--workers", workers)
        assert "resolved_share" in res.stdout and "red_property" in res.stdout
        for name in ("summary.csv", "daily.parquet", "timeseries.png", "end_of_run.png",
                     "README.txt", "run.json"):
            assert (out / name).is_file(), name
        outs[workers] = out

    summary = pd.read_csv(outs["1"] / "summary.csv")
    assert list(summary.columns) == ["scenario", "metric", "mean", "ci_low", "ci_high", "n"]
    assert set(CORE_METRICS) <= set(summary["metric"])
    assert set(summary["scenario"]) == {"baseline", "red_property"}
    assert (summary["n"] == 2).all()
    assert (summary["ci_low"] <= summary["mean"]).all()

    daily = pd.read_parquet(outs["1"] / "daily.parquet")
    assert list(daily.columns[:3]) == ["scenario", "seed", "day"]
    assert len(daily) == 2 * 2 * 16
    assert set(CORE_METRICS) <= set(daily.columns)

    pd.testing.assert_frame_equal(daily, pd.read_parquet(outs["2"] / "daily.parquet"))
    assert (outs["1"] / "summary.csv").read_bytes() == (outs["2"] / "summary.csv").read_bytes()


# --------------------------------------------------------------------------------------------
# user mistakes: exit code 2, one readable message naming the problem, no traceback
# --------------------------------------------------------------------------------------------
def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def graphml_missing_compound(tmp_path: Path) -> Path:
    g = nx.Graph()
    for i in range(6):
        g.add_node(f"h{i}", building=i // 3, compound=0, grid=0, community=0,
                   compound_kind="old")
    del g.nodes["h4"]["compound"]
    g.add_edges_from([("h0", "h1"), ("h3", "h4"), ("h4", "h5")])
    nx.write_graphml(g, tmp_path / "street.graphml")
    return write(tmp_path / "planner.toml", '[graph]\nfile = "street.graphml"\n')


@pytest.mark.parametrize(("case", "expected"), [
    ("unknown_key", ["bogus_key", "[staff]"]),
    ("out_of_range", ["staff.per_10k_residents", "-7", "allowed 1 to 200"]),
    ("set_unknown", ["--set", "staff.bogus"]),
    ("days", ["--days", "-5", "1 to 36,500"]),
    ("seed", ["--seed", "abc", "whole number"]),
    ("graph", ["compound", "h4", "street.graphml"]),
    ("reps", ["--reps", "0"]),
    ("scenarios", ["--scenarios", "basline", "did you mean 'baseline'"]),
    ("set_malformed", ["--set", "nokey", "section.key=value"]),
])
def test_user_mistakes(tmp_path: Path, case: str, expected: list[str]) -> None:
    out = tmp_path / "out"
    args: list[str | Path] = {
        "unknown_key": ["simulate", write(tmp_path / "u.toml", "[staff]\nbogus_key = 3\n")],
        "out_of_range": ["simulate",
                         write(tmp_path / "r.toml", "[staff]\nper_10k_residents = -7\n")],
        "set_unknown": ["simulate", "baseline", "--set", "staff.bogus=1"],
        "days": ["simulate", "baseline", "--days", "-5"],
        "seed": ["simulate", "baseline", "--seed", "abc"],
        "graph": ["simulate", graphml_missing_compound(tmp_path)],
        "reps": ["demo", "--reps", "0"],
        "scenarios": ["demo", "--scenarios", "baseline,basline"],
        "set_malformed": ["demo", "--set", "nokey"],
    }[case]
    res = cli(*args, "--out", out, ok=False)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    for word in expected:
        assert word in res.stderr, (word, res.stderr)
    assert not out.exists(), "nothing is written on a user mistake"


def test_demo_graph_error_stops_before_running(tmp_path: Path) -> None:
    scenario = graphml_missing_compound(tmp_path)
    out = tmp_path / "out"
    res = cli("demo", "--scenarios", f"baseline,{scenario}", "--days", "5", "--reps", "1",
              "--out", out, ok=False)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "'compound'" in res.stderr and not out.exists()


# --------------------------------------------------------------------------------------------
# the atomic writer (in-process)
# --------------------------------------------------------------------------------------------
def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path) -> None:
    path = runner.write_text(tmp_path / "x.txt", "old")

    def broken(p: Path) -> None:
        p.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        runner.write_with(path, broken)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


@pytest.mark.parametrize("name", [n for n, _ in list_scenarios()])
def test_every_scenario_runs_via_simulate(name, tmp_path, capsys):
    """`run.py simulate NAME` for every shipped scenario (in-process, so it stays fast)."""
    from commgov.experiments.cli import main

    assert main(["simulate", name, "--days", "3", "--out", str(tmp_path)]) == 0
    df = pd.read_parquet(tmp_path / "metrics.parquet")
    assert len(df) == 4 and set(CORE_METRICS) <= set(df.columns)
    assert json.loads((tmp_path / "run.json").read_text())["scenario"] == name
    assert name in capsys.readouterr().out


def test_output_piped_into_head_is_not_an_error():
    """`run.py list | head -1` closes the pipe early: no traceback."""
    proc = subprocess.Popen([sys.executable, str(RUN), "list"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()          # the reader goes away before the first line is written
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err
