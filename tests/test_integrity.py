"""Sweep integrity: unique run ids, a digest over every input, checksummed results, named
errors for damaged files, full disks and foreign folders (issue 12, item 1)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from simhelpers import children

from commgov.experiments import engine, runner
from commgov.experiments.errors import ReportError, SweepError, SweepStateError
from commgov.experiments.report import build_report
from commgov.experiments.sweep import load_sweep

ROOT = Path(__file__).resolve().parents[1]
SMALL = ('[set]\n"graph.households_per_community" = 300\n'
         '"graph.compounds_per_community" = 2\n"graph.grids_per_community" = 1\n')


def sweep_file(tmp: Path, body: str, name: str = "s") -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(f'name = "{name}"\n{body}', encoding="utf-8")
    return path


def small(tmp: Path, reps: int = 2, days: int = 5, scenarios: str = '["baseline"]',
          name: str = "s", extra: str = "") -> Path:
    return sweep_file(tmp, f"scenarios = {scenarios}\nreplications = {reps}\ndays = {days}\n"
                           f"{extra}{SMALL}", name)


def execute(path: Path, out: Path, resume: bool = False, workers: int = 1) -> engine.Outcome:
    _, results = engine.engine_for(workers=workers, scheduler=None, dask_local=False)
    return engine.execute(load_sweep(path), out, results, resume=resume, engine="test",
                          progress=False)


def snapshot(out: Path) -> dict[str, bytes]:
    """Every result file's bytes (run summaries without their wall-clock seconds)."""
    snap = {f"daily/{p.name}": p.read_bytes() for p in (out / "daily").glob("*.parquet")}
    for p in (out / "runs").glob("*.json"):
        rec = json.loads(p.read_text())
        rec.pop("seconds")
        rec.pop("checksum")
        snap[f"runs/{p.name}"] = json.dumps(rec, sort_keys=True).encode()
    return snap


# ---------------------------------------------------------------- run ids
def test_same_named_scenarios_in_two_folders_keep_every_run(tmp_path):
    for folder, trust in (("a", 0.5), ("b", 0.7)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.toml").write_text(
            f'name = "x"\n[property]\nquality_ceiling = {trust}\n', encoding="utf-8")
    path = small(tmp_path, scenarios='["a/x.toml", "b/x.toml", "baseline"]')
    sw = load_sweep(path)
    ids = [r.run_id for r in sw.runs]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert sum(i.startswith("baseline-") for i in ids) == 2, "a unique stem stays readable"
    res = execute(path, tmp_path / "out")
    assert res.done == 6
    summary = pd.read_parquet(tmp_path / "out" / "summary.parquet")
    assert sorted(summary["scenario"].unique()) == ["a/x.toml", "b/x.toml", "baseline"]


def test_two_scenarios_that_name_themselves_alike_are_refused(tmp_path):
    (tmp_path / "one.toml").write_text('name = "baseline"\n', encoding="utf-8")
    path = small(tmp_path, scenarios='["baseline", "one.toml", "one.toml"]')
    with pytest.raises(SweepError, match="twice"):
        load_sweep(path)


# ---------------------------------------------------------------- designs
@pytest.mark.parametrize("extra, says", [
    ("[vary]\n", "[vary] is empty"),
    ('[vary]\n"staff.per_10k_residents" = []\n', "no values"),
    ('[vary]\n"staff.per_10k_residents" = { from = 30, to = 18, step = 1 }\n', "backwards"),
    ('[vary]\n"staff.per_10k_residents" = { from = 1, to = 200, step = 0.00001 }\n',
     "at most 10,000"),
    ('[vary]\n"graph.grids_per_community" = [1.2, 1.4]\n', "not a whole number"),
    ('[vary]\n"staff.per_10k_residents" = [18, 18.0]\n', "listed twice"),
    ('[vary]\n"staff.per_10k_residents" = { from = 1, to = nan, step = 1 }\n', "to"),
])
def test_empty_backwards_and_rounded_designs_are_refused(tmp_path, extra, says):
    path = sweep_file(tmp_path, 'scenarios = ["baseline"]\nreplications = 2\ndays = 5\n'
                      + extra)
    with pytest.raises(SweepError) as e:
        load_sweep(path)
    assert says in str(e.value) and "s.toml" in str(e.value) and "othing was run" in str(e.value)


def test_a_sweep_without_vary_plans_scenarios_times_replications(tmp_path):
    sw = load_sweep(small(tmp_path, reps=3, scenarios='["baseline", "grid_merge"]'))
    assert len(sw.runs) == 6 and len(sw.design) == 1
    assert {r.overrides["graph.households_per_community"] for r in sw.runs} == {300}


def test_whole_number_ranges_stay_distinct(tmp_path):
    sw = load_sweep(sweep_file(tmp_path, 'scenarios = ["baseline"]\nreplications = 1\n'
                               'days = 5\n[vary]\n"graph.grids_per_community" = '
                               '{ from = 1, to = 4, step = 1 }\n'))
    assert sw.design["graph.grids_per_community"].tolist() == [1, 2, 3, 4]


# ---------------------------------------------------------------- digest and foreign folders
def test_digest_covers_scenario_and_graph_file_contents(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "mine"\n[property]\nquality_ceiling = 0.9\n', encoding="utf-8")
    path = small(tmp_path, scenarios='["mine.toml"]')
    execute(path, tmp_path / "out")
    mine.write_text('name = "mine"\n[property]\nquality_ceiling = 0.8\n', encoding="utf-8")
    with pytest.raises(SweepStateError, match="different sweep"):
        execute(path, tmp_path / "out", resume=True)
    assert str(mine) in load_sweep(path).inputs


def test_resume_refuses_a_folder_no_sweep_created(tmp_path):
    path = small(tmp_path)
    out = tmp_path / "out"
    execute(path, out)
    (out / "manifest.json").unlink()
    for resume in (True, False):
        with pytest.raises(SweepStateError, match="no manifest.json but is not empty"):
            execute(path, out, resume=resume)


def test_damaged_manifest_is_named(tmp_path):
    path = small(tmp_path)
    out = tmp_path / "out"
    execute(path, out)
    (out / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(SweepStateError, match="manifest.json cannot be read or is damaged"):
        execute(path, out, resume=True)
    with pytest.raises(ReportError, match="manifest.json"):
        build_report(out)


# ---------------------------------------------------------------- checksums
@pytest.mark.parametrize("damage", ["empty_object", "truncated", "edited", "daily_flipped",
                                    "daily_missing", "daily_empty"])
def test_damaged_results_are_named_in_report_and_rerun_on_resume(tmp_path, damage):
    path = small(tmp_path, reps=3)
    out = tmp_path / "out"
    execute(path, out)
    before = snapshot(out)
    victim = "baseline-p0000-r001"
    js, pq = out / "runs" / f"{victim}.json", out / "daily" / f"{victim}.parquet"
    if damage == "empty_object":
        js.write_text("{}", encoding="utf-8")
    elif damage == "truncated":
        js.write_bytes(js.read_bytes()[:40])
    elif damage == "edited":
        rec = json.loads(js.read_text())
        rec["trust_mean"] = 0.99
        js.write_text(json.dumps(rec), encoding="utf-8")
    elif damage == "daily_flipped":
        data = bytearray(pq.read_bytes())
        data[len(data) // 2] ^= 0xFF
        pq.write_bytes(bytes(data))
    elif damage == "daily_missing":
        pq.unlink()
    else:
        pq.write_bytes(b"")
    with pytest.raises(ReportError) as e:
        build_report(out)
    assert victim in str(e.value) and "--resume" in str(e.value)
    res = execute(path, out, resume=True)
    assert list(res.repaired) == [victim] and res.done == 1 and res.skipped == 2
    assert snapshot(out) == before, "the rerun gives the same bytes"
    assert any((out / "corrupt").iterdir()), "the damaged files are kept aside"
    build_report(out)


def test_orphan_daily_file_is_not_read_as_a_result(tmp_path):
    path = small(tmp_path, reps=2)
    out = tmp_path / "out"
    execute(path, out)
    (out / "runs" / "baseline-p0000-r001.json").unlink()   # killed between the two renames
    (out / "daily" / "baseline-p0000-r001.parquet").write_bytes(b"garbage")
    build_report(out)                                      # one run is missing, none damaged
    res = execute(path, out, resume=True)
    assert res.done == 1 and not res.repaired


# ---------------------------------------------------------------- full disk, permissions
def test_full_disk_is_named_and_resume_completes(tmp_path, monkeypatch):
    path = small(tmp_path, reps=4)
    out = tmp_path / "out"
    real = runner.write_with
    calls = {"n": 0}

    def full_after_two(p, writer):
        if Path(p).suffix == ".parquet" and "daily" in str(p):
            calls["n"] += 1
            if calls["n"] > 2:
                def half(tmp):
                    Path(tmp).write_bytes(b"PAR1 half")        # half a file, then the disk
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
                return real(p, half)
        return real(p, writer)

    monkeypatch.setattr(runner, "write_with", full_after_two)
    with pytest.raises(runner.OutputError) as e:
        execute(path, out)
    assert "ENOSPC" in str(e.value) and "free some disk space" in str(e.value)
    assert not list(out.rglob(".*.tmp*")), "the half-written file is gone"
    monkeypatch.setattr(runner, "write_with", real)
    res = execute(path, out, resume=True)
    assert res.skipped == 2 and res.done == 2
    execute(path, tmp_path / "clean")
    assert snapshot(out) == snapshot(tmp_path / "clean")


def test_write_errors_name_file_and_reason(tmp_path, monkeypatch):
    def denied(tmp):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp))

    with pytest.raises(runner.OutputError) as e:
        runner.write_with(tmp_path / "x.csv", denied)
    assert "x.csv" in str(e.value) and "EACCES" in str(e.value)
    assert not list(tmp_path.iterdir()), "no temp file is left behind"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_unwritable_out_is_named(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(runner.OutputError, match="cannot write"):
            execute(small(tmp_path), ro / "out")
    finally:
        ro.chmod(0o700)


# ---------------------------------------------------------------- names and overwrites
def test_sweep_name_cannot_escape_the_results_folder(tmp_path):
    path = sweep_file(tmp_path, 'scenarios = ["baseline"]\nreplications = 1\ndays = 2\n'
                      + SMALL, name="x")
    path.write_text(path.read_text().replace('name = "x"', 'name = "../../escape"'))
    res = subprocess.run([sys.executable, str(ROOT / "run.py"), "sweep", str(path),
                          "--workers", "1", "--no-progress"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "results" / "sweeps" / "escape" / "manifest.json").exists()
    assert not (tmp_path.parent / "escape").exists()


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_simulate_refuses_to_overwrite_a_different_run(tmp_path):
    small_set = ["--set", "graph.households_per_community=300", "--set",
                 "graph.compounds_per_community=2", "--set", "graph.grids_per_community=1"]
    first = cli("simulate", "baseline", "--days", "3", *small_set, "--out", "r", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    same = cli("simulate", "baseline", "--days", "3", *small_set, "--out", "r", cwd=tmp_path)
    assert same.returncode == 0, "the same run may be written again"
    other = cli("simulate", "baseline", "--days", "4", *small_set, "--out", "r", cwd=tmp_path)
    assert other.returncode == 2 and "refusing to overwrite" in other.stderr
    assert "Traceback" not in other.stderr and "--force" in other.stderr
    assert json.loads((tmp_path / "r" / "run.json").read_text())["days"] == 3
    forced = cli("simulate", "baseline", "--days", "4", *small_set, "--out", "r", "--force",
                 cwd=tmp_path)
    assert forced.returncode == 0
    assert json.loads((tmp_path / "r" / "run.json").read_text())["days"] == 4


# ---------------------------------------------------------------- coordinator death
@pytest.mark.parametrize("engine_args", [["--workers", "2"], ["--dask-local", "--workers", "2"]],
                         ids=["process-pool", "dask-local"])
def test_killing_the_coordinator_stops_its_workers_within_seconds(tmp_path, engine_args):
    """SIGKILL of ``run.py sweep`` leaves no worker behind: the pool's workers poll their
    parent (``runner.watch_parent``); a Dask LocalCluster's workers exit when the pipe their
    nanny (in the coordinator) holds open is closed. Long runs, so the workers are busy."""
    if "--dask-local" in engine_args:
        pytest.importorskip("dask.distributed")
    path = sweep_file(tmp_path, 'scenarios = ["baseline"]\nreplications = 40\ndays = 400\n'
                      '[set]\n"graph.households_per_community" = 1500\n')
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", str(path),
                             *engine_args, "--out", str(out), "--no-progress"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        workers: list[int] = []
        deadline = time.time() + 120
        # Both workers up and at work: the first run's daily file is not written yet, but
        # the workers exist (Dask: two spawned worker processes besides any helper).
        while time.time() < deadline and len(workers) < 2:
            workers = [p for p in descendants(proc.pid) if is_worker(p)]
            time.sleep(0.2)
        assert len(workers) >= 2, f"the workers started ({descendants(proc.pid)})"
        everything = descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)          # the coordinator only
        proc.wait()
        t0 = time.time()
        while time.time() - t0 < 15 and any(alive(p) for p in everything):
            time.sleep(0.1)
        left = [p for p in everything if alive(p)]
        assert not left, f"{len(left)} process(es) outlived their coordinator: {left}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)   # never leave a busy process behind


def descendants(pid: int) -> list[int]:
    """Children, grandchildren, … of ``pid`` (from /proc)."""
    found, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


def is_worker(pid: int) -> bool:
    """A process running model code: a spawned pool or Dask worker, not a resource tracker."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"spawn_main" in cmd or b"multiprocessing-fork" in cmd


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
