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
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from simhelpers import Tally, children

from commgov.experiments import engine, runner
from commgov.experiments.errors import ReportError, SweepStateError
from commgov.experiments.report import build_report
from commgov.experiments.sweep import load_sweep

ROOT = Path(__file__).resolve().parents[1]
TALLY = Tally("fault tally", "faults", "COMMGOV_FAULT_TALLY")
record = TALLY
REPS = 8


@pytest.fixture(scope="module", autouse=True)
def report_tally():
    yield
    TALLY.report()


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


# ---------------------------------------------------------------- a real full disk
# A tmpfs of a few hundred KiB, mounted in a user and mount namespace of its own (`unshare
# --map-root-user --mount`: no root needed where unprivileged user namespaces are allowed,
# as on most Linux). The sweep runs there until the kernel says ENOSPC; then the tmpfs is
# enlarged (space freed) and `--resume` finishes. Where namespaces are not allowed, the
# patched-writer test above covers the same paths.
PAGE = os.sysconf("SC_PAGE_SIZE")      # tmpfs allocates whole pages


def can_mount_tmpfs(tmp: Path) -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    mnt = tmp / "probe"
    mnt.mkdir(exist_ok=True)
    res = subprocess.run(["unshare", "--map-root-user", "--mount", "sh", "-c",
                          f'mount -t tmpfs -o size=64k tmpfs "{mnt}"'],
                         capture_output=True, timeout=30)
    return res.returncode == 0


SMALL_FS_SCRIPT = r'''
set -u
mount -t tmpfs -o size="$SIZE" tmpfs "$MNT" || exit 99
cd "$MNT"
"$PY" "$RUN" sweep "$SWEEP" --workers 1 --out "$MNT/out" --no-progress 2>"$LOGS/full.err"
echo $? >"$LOGS/full.rc"
cp -a "$MNT/out" "$LOGS/left" 2>/dev/null || mkdir "$LOGS/left"
mount -o remount,size=64m "$MNT" || exit 98                # free some disk space
"$PY" "$RUN" sweep "$SWEEP" --workers 1 --out "$MNT/out" --resume --no-progress \
    2>"$LOGS/resume.err"
echo $? >"$LOGS/resume.rc"
cp -a "$MNT/out" "$LOGS/resumed"
if [ -n "${REPORT:-}" ]; then                               # a report onto a full disk
    mkdir "$MNT/rep" && mount -t tmpfs -o size=64k tmpfs "$MNT/rep" || exit 97
    "$PY" "$RUN" report "$MNT/out" --out "$MNT/rep/report" >/dev/null 2>"$LOGS/report.err"
    echo $? >"$LOGS/report.rc"
    find "$MNT/rep/report" >"$LOGS/report.left" 2>/dev/null
fi
'''


def pages(path: Path) -> int:
    return -(-path.stat().st_size // PAGE) * PAGE


def small_fs_sizes(reference_out: Path) -> dict[str, int]:
    """Filesystem sizes that fill up at three places: while writing the manifest, half-way
    through the runs, and while writing the summary tables after the last run."""
    manifest = pages(reference_out / "manifest.json") + pages(reference_out / "design.csv")
    run_files = sorted((reference_out / "runs").glob("*.json"))
    per_run = [pages(p) + pages(reference_out / "daily" / f"{p.stem}.parquet")
               for p in run_files]
    return {"manifest": manifest // 2,
            "mid-sweep": manifest + sum(per_run[: len(per_run) // 2]) + PAGE,
            "summary tables": manifest + sum(per_run) + PAGE}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path]:
    """A small, quick sweep (4 runs) and a folder with its undisturbed result."""
    folder = tmp_path_factory.mktemp("tiny")
    sweep = folder / "tiny.toml"
    sweep.write_text('name = "tiny"\nscenarios = ["baseline", "red_property"]\n'
                     'replications = 2\ndays = 20\nrecord_every = 5\n'
                     '[set]\n"graph.households_per_community" = 300\n'
                     '"graph.compounds_per_community" = 2\n"graph.grids_per_community" = 1\n',
                     encoding="utf-8")
    execute(sweep, folder / "ref")
    return sweep, folder / "ref"


def test_a_real_full_disk_is_named_and_resume_completes(tiny, tmp_path):
    if not can_mount_tmpfs(tmp_path):
        pytest.skip("cannot mount a small tmpfs here (no unprivileged user namespaces); "
                    "test_full_disk_at_random_points covers the same paths with a patched writer")
    sweep, ref_out = tiny
    reference = snapshot(ref_out)
    for where, size in small_fs_sizes(ref_out).items():
        logs = tmp_path / where.replace(" ", "-")
        mnt = logs / "mnt"
        mnt.mkdir(parents=True)
        env = {**os.environ, "SIZE": str(size), "MNT": str(mnt), "LOGS": str(logs),
               "PY": sys.executable, "RUN": str(ROOT / "run.py"), "SWEEP": str(sweep),
               "REPORT": "1" if where == "summary tables" else ""}
        res = subprocess.run(["unshare", "--map-root-user", "--mount", "sh", "-c",
                              SMALL_FS_SCRIPT], env=env, capture_output=True, text=True,
                             timeout=600)
        assert res.returncode == 0, (where, res.stdout, res.stderr)
        err = (logs / "full.err").read_text()
        assert (logs / "full.rc").read_text().strip() == "2", (where, err)
        assert "No space left on device (ENOSPC)" in err and "free some disk space" in err, err
        assert "Traceback" not in err, err
        left = logs / "left"
        assert not list(left.rglob(".*.tmp*")), f"{where}: a half-written file was kept"
        kept = sorted(p.stem for p in (left / "runs").glob("*.json")) if (
            left / "runs").exists() else []
        for run_id in kept:                       # what is there is complete
            assert engine.read_run(left, run_id)[1] == "", (where, run_id)
        if where == "mid-sweep":
            assert 0 < len(kept) < len(reference) // 2, kept
        TALLY["real full disk (tmpfs): named error"] += 1
        resume_err = (logs / "resume.err").read_text()
        assert (logs / "resume.rc").read_text().strip() == "0", (where, resume_err)
        verify(logs / "resumed", reference, "real full disk (tmpfs)")
        if where == "summary tables":
            err = (logs / "report.err").read_text()
            assert (logs / "report.rc").read_text().strip() == "2", err
            assert "No space left on device (ENOSPC)" in err and "Traceback" not in err, err
            assert ".tmp" not in (logs / "report.left").read_text(), "half-written file kept"
            TALLY["real full disk (tmpfs): named error"] += 1


# ---------------------------------------------------------------- real permission errors
def unprivileged() -> list[str]:
    """A command prefix that runs without the right to ignore file permissions: nothing for
    an ordinary user; for root, a user namespace of its own (root's files are then foreign
    to it, so a folder's mode bits apply)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") and subprocess.run(["unshare", "--user", "true"],
                                                  capture_output=True).returncode == 0:
        return ["unshare", "--user"]
    pytest.skip("root ignores file permissions and no user namespace is available")


def sweep_cli(prefix: list[str], sweep: Path, out: Path, *extra: str
              ) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, str(ROOT / "run.py"), "sweep", str(sweep),
                           "--workers", "1", "--out", str(out), "--no-progress", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_real_permission_errors_are_named_and_resume_completes(tiny, tmp_path):
    sweep, ref_out = tiny
    prefix = unprivileged()
    # 1. --out inside a folder nobody may write to: refused before anything runs.
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    res = sweep_cli(prefix, sweep, ro / "out")
    assert res.returncode == 2, res.stderr
    assert "Permission denied (EACCES)" in res.stderr and str(ro / "out") in res.stderr
    assert "Traceback" not in res.stderr and not (ro / "out").exists()
    TALLY["permission denied (real): named error"] += 1
    # 2. A half-finished sweep whose runs/ folder became read-only: --resume names it before
    # running anything, the finished runs are untouched; once fixed, --resume completes.
    out = tmp_path / "half"
    subprocess.run(["cp", "-a", str(ref_out), str(out)], check=True)
    for p in sorted((out / "runs").glob("red_property-*.json")):
        p.unlink()                                  # two runs never finished
    before = snapshot(out)
    (out / "runs").chmod(0o555)
    res = sweep_cli(prefix, sweep, out, "--resume")
    assert res.returncode == 2, res.stderr
    assert "Permission denied (EACCES)" in res.stderr and str(out / "runs") in res.stderr
    assert "Traceback" not in res.stderr
    assert snapshot(out) == before and not list(out.rglob(".*.tmp*"))
    TALLY["permission denied (real): named error"] += 1
    (out / "runs").chmod(0o755)
    res = sweep_cli(prefix, sweep, out, "--resume")
    assert res.returncode == 0, res.stderr
    assert "2 run(s) now, 2 already finished" in res.stdout, res.stdout
    verify(out, snapshot(ref_out), "permission denied (real)")
