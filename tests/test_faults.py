"""Fault injection: SIGKILL of the coordinator and of workers at random points, damaged
files, a full disk. After each fault, ``--resume`` must finish with every run exactly once
and results byte-identical to an undisturbed sweep (issue 12, item 4).

The default set is small (a few kills); ``pytest -m slow`` runs the big one. The tally of
faults and outcomes is printed at the end (``pytest -s``) and written to
``$COMMGOV_FAULT_TALLY`` if set.
"""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from simhelpers import children

from commgov.experiments import engine, runner
from commgov.experiments.errors import ReportError, SweepStateError
from commgov.experiments.report import build_report
from commgov.experiments.sweep import load_sweep

ROOT = Path(__file__).resolve().parents[1]
TALLY: Counter[str] = Counter()
REPS = 8


@pytest.fixture(scope="module", autouse=True)
def report_tally():
    yield
    text = json.dumps(dict(sorted(TALLY.items())), indent=1)
    print(f"\nfault tally: {text}", file=sys.stderr)
    if os.environ.get("COMMGOV_FAULT_TALLY"):
        Path(os.environ["COMMGOV_FAULT_TALLY"]).write_text(text + "\n", encoding="utf-8")


def record(kind: str, outcome: str) -> None:
    TALLY[f"{kind}: faults"] += 1
    TALLY[f"{kind}: {outcome}"] += 1


@pytest.fixture(scope="module")
def sweep_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("faults")
    path = folder / "f.toml"
    path.write_text(f'name = "f"\nscenarios = ["baseline", "red_property"]\n'
                    f'replications = {REPS}\ndays = 60\nrecord_every = 10\n'
                    '[set]\n"graph.households_per_community" = 600\n'
                    '"graph.compounds_per_community" = 3\n"graph.grids_per_community" = 1\n',
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(sweep_path, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("ref") / "out"
    execute(sweep_path, out)
    return snapshot(out)


def execute(path: Path, out: Path, resume: bool = False, workers: int = 1) -> engine.Outcome:
    _, results = engine.engine_for(workers=workers, scheduler=None, dask_local=False)
    return engine.execute(load_sweep(path), out, results, resume=resume, engine="test",
                          progress=False)


def snapshot(out: Path) -> dict[str, bytes]:
    snap = {f"daily/{p.name}": p.read_bytes() for p in (out / "daily").glob("*.parquet")
            if (out / "runs" / f"{p.stem}.json").exists()}
    for p in (out / "runs").glob("*.json"):
        rec = json.loads(p.read_text())
        rec.pop("seconds")
        rec.pop("checksum")
        snap[f"runs/{p.name}"] = json.dumps(rec, sort_keys=True).encode()
    return snap


def verify(out: Path, reference: dict[str, bytes], kind: str) -> None:
    """Every run exactly once, byte-identical, nothing half-written left."""
    snap = snapshot(out)
    lost = set(reference) - set(snap)
    extra = set(snap) - set(reference)
    differ = [k for k in reference if k in snap and snap[k] != reference[k]]
    if lost or extra or differ:
        record(kind, "LOST OR MIXED")
    assert not lost and not extra and not differ, (lost, extra, differ)
    assert not list(out.rglob(".*.tmp*"))
    record(kind, "correct result")


def start(path: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "run.py"), "sweep", str(path),
                             "--workers", "2", "--out", str(out), "--no-progress", *extra],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)



def wait_gone(pids: list[int], seconds: float = 15) -> bool:
    t0 = time.time()
    while time.time() - t0 < seconds:
        if not any(Path(f"/proc/{p}").exists() and "Z" not in
                   Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
                   for p in pids if Path(f"/proc/{p}/stat").exists()):
            return True
        time.sleep(0.1)
    return False


def finished(out: Path) -> int:
    return len(list((out / "runs").glob("*.json"))) if (out / "runs").exists() else 0


# ---------------------------------------------------------------- SIGKILL
def kill_coordinator_rounds(sweep_path, reference, tmp_path, seeds) -> None:
    for seed in seeds:
        rng = random.Random(seed)
        out = tmp_path / f"coord{seed}"
        # One to three kills in a row, each at a random moment: while starting, while
        # writing the manifest, mid-run, between runs; then a clean --resume.
        for k in range(rng.randint(1, 3)):
            proc = start(sweep_path, out, *(["--resume"] if k else []))
            target = rng.randint(0, 2 * REPS - 1)
            deadline = time.time() + 120
            while time.time() < deadline and finished(out) < target and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.6))
            workers = children(proc.pid)
            os.kill(proc.pid, signal.SIGKILL)          # the coordinator only
            TALLY["SIGKILL coordinator: kills"] += 1
            proc.wait()
            assert wait_gone(workers), "workers outlived their coordinator"
        if not (out / "manifest.json").exists():      # killed before it wrote anything
            for p in out.glob(".*"):
                p.unlink()
            execute(sweep_path, out)
        else:
            execute(sweep_path, out, resume=True)
        verify(out, reference, "SIGKILL coordinator")


def test_sigkill_the_coordinator_at_random_points(sweep_path, reference, tmp_path):
    kill_coordinator_rounds(sweep_path, reference, tmp_path, seeds=range(2))


@pytest.mark.slow
def test_sigkill_the_coordinator_many_times(sweep_path, reference, tmp_path):
    kill_coordinator_rounds(sweep_path, reference, tmp_path, seeds=range(100, 115))


def kill_worker_rounds(sweep_path, reference, tmp_path, seeds) -> None:
    for seed in seeds:
        rng = random.Random(seed)
        out = tmp_path / f"worker{seed}"
        proc = start(sweep_path, out)
        deadline = time.time() + 120
        target = rng.randint(0, REPS)
        while time.time() < deadline and finished(out) < target and proc.poll() is None:
            time.sleep(0.01)
        pool = []
        while time.time() < deadline and len(pool) < 2 and proc.poll() is None:
            pool = [p for p in children(proc.pid)
                    if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text(
                        errors="replace")]
            time.sleep(0.05)
        if pool:
            os.kill(rng.choice(pool), signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        verify(out, reference, "SIGKILL worker")


def test_sigkill_a_worker_at_a_random_point(sweep_path, reference, tmp_path):
    kill_worker_rounds(sweep_path, reference, tmp_path, seeds=range(1))


@pytest.mark.slow
def test_sigkill_workers_many_times(sweep_path, reference, tmp_path):
    kill_worker_rounds(sweep_path, reference, tmp_path, seeds=range(100, 110))


# ---------------------------------------------------------------- damaged files
DAMAGE = ("truncate", "flip", "empty", "empty_object", "delete", "garbage")


def damage(path: Path, how: str, rng: random.Random) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: rng.randint(0, max(0, len(data) - 1))])
    elif how == "flip":
        buf = bytearray(data)
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
        path.write_bytes(bytes(buf))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "empty_object":
        path.write_text("{}")
    elif how == "delete":
        path.unlink()
    else:
        path.write_bytes(bytes(rng.randrange(256) for _ in range(64)))


def corruption_rounds(sweep_path, reference, tmp_path, seeds) -> None:
    base = tmp_path / "complete"
    execute(sweep_path, base)
    for seed in seeds:
        rng = random.Random(seed)
        out = tmp_path / f"damaged{seed}"
        subprocess.run(["cp", "-a", str(base), str(out)], check=True)
        files = sorted(p for p in out.rglob("*") if p.is_file())
        hits = rng.sample(files, rng.randint(1, 3))
        for p in hits:
            damage(p, rng.choice(DAMAGE), rng)
        kind = "damaged files"
        TALLY[f"{kind}: files damaged"] += len(hits)
        try:
            build_report(out, out=tmp_path / f"report{seed}")
            TALLY[f"{kind}: report unaffected (damage outside the results)"] += 1
        except ReportError as e:
            assert "Traceback" not in str(e)
            TALLY[f"{kind}: report named the damage"] += 1
        try:
            execute(sweep_path, out, resume=True)
        except SweepStateError as e:              # the manifest itself was damaged
            assert "manifest.json" in str(e)
            record(kind, "named error")
            continue
        verify(out, reference, kind)


def test_damaged_files_are_named_and_rerun(sweep_path, reference, tmp_path):
    corruption_rounds(sweep_path, reference, tmp_path, seeds=range(12))


@pytest.mark.slow
def test_many_damaged_files(sweep_path, reference, tmp_path):
    corruption_rounds(sweep_path, reference, tmp_path, seeds=range(100, 200))


# ---------------------------------------------------------------- full disk
def full_disk_rounds(sweep_path, reference, tmp_path, seeds, monkeypatch) -> None:
    real = runner.write_with
    for seed in seeds:
        rng = random.Random(seed)
        out = tmp_path / f"full{seed}"
        budget = {"left": rng.randint(0, 3 * REPS)}
        code = rng.choice([errno.ENOSPC, errno.EDQUOT, errno.EACCES])

        def failing(path, writer, budget=budget, code=code):
            budget["left"] -= 1
            if budget["left"] < 0:
                def broken(tmp, writer=writer):
                    writer(tmp)                   # half the file is on disk, then it fails
                    raise OSError(code, os.strerror(code), str(tmp))
                return real(path, broken)
            return real(path, writer)

        monkeypatch.setattr(runner, "write_with", failing)
        try:
            execute(sweep_path, out)
            finished_first = True
        except runner.OutputError as e:
            assert errno.errorcode[code] in str(e) and str(out) in str(e)
            finished_first = False
        except SweepStateError:
            finished_first = False
        monkeypatch.setattr(runner, "write_with", real)
        if not finished_first:
            TALLY["full disk / no permission: named error"] += 1
            if (out / "manifest.json").exists():
                execute(sweep_path, out, resume=True)
            else:
                for p in out.iterdir():
                    p.unlink() if p.is_file() else None
                execute(sweep_path, out)
        verify(out, reference, "full disk / no permission")


def test_full_disk_at_random_points(sweep_path, reference, tmp_path, monkeypatch):
    full_disk_rounds(sweep_path, reference, tmp_path, range(6), monkeypatch)


@pytest.mark.slow
def test_full_disk_many_times(sweep_path, reference, tmp_path, monkeypatch):
    full_disk_rounds(sweep_path, reference, tmp_path, range(100, 140), monkeypatch)
