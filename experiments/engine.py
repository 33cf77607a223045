"""Running a sweep: local processes or a Dask cluster, crash-safe and resumable.

Output directory layout (all Parquet readable with pandas, polars or DuckDB):

- ``manifest.json``   the sweep file (text and parsed), its digest (over the sweep, the
  contents of every scenario and graph file, and the model code), seeds, code and package
  versions, the engine used; written first, and a resume must match the digest. A folder
  without it is used only if empty.
- ``design.csv``      one row per design point (the varied parameters).
- ``daily/<run_id>.parquet``  the daily metrics of one run, *wide*: columns ``run_id,
  scenario, point, replication, seed, day`` then one column per kept metric, every
  ``record_every`` days and the last day. Read the whole dataset with
  ``pd.read_parquet(DIR / "daily")``, ``pl.read_parquet(f"{DIR}/daily/*.parquet")`` or
  ``duckdb.sql(f"select * from '{DIR}/daily/*.parquet'")``.
- ``runs/<run_id>.json``  the run's summary (identity, parameters, seconds, final value of
  every kept metric), the sha256 of its daily file and a checksum of itself; a run is
  finished when both checksums hold (:func:`read_run`).
- ``corrupt/``  damaged run files a resume set aside (and reran).
- ``errors/<run_id>.json``  a run that raised: the error, traceback and parameters.
- ``summary.parquet`` / ``summary.csv``  every finished run's summary in one table,
  rebuilt from ``runs/`` at the end (and by ``report``).

Each run's files are written by the coordinating process only, each to a temp file then
renamed, daily first and summary last. A run killed half-way leaves nothing, a run killed
between the two renames leaves a daily file without summary (redone, identically, on
resume). So a sweep can be killed at any point (Ctrl-C, SIGKILL, a dead worker) and
``--resume`` runs only what is missing, exactly once. Workers never write, so a Dask
cluster needs no shared file system.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from commgov.experiments import runner
from commgov.experiments.errors import ReportError, SweepStateError
from commgov.experiments.sweep import (
    Run,
    Sweep,
    code_fingerprint,
    file_sha256,
    parameter_columns,
    resolved_parameters,
)
from commgov.model.metrics import METRICS

ID_COLUMNS = ("run_id", "scenario", "point", "replication", "seed")
METRIC_NAMES = frozenset(m.name for m in METRICS if m.name != "day")


# --------------------------------------------------------------------------------------------
# The unit of work (module level so process pools and Dask can ship it by name)
# --------------------------------------------------------------------------------------------
def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one model; never raises: an error comes back as data, so the sweep goes on."""
    from commgov.model.community import CommunityModel
    from commgov.scenarios.loader import load_scenario

    t0 = time.perf_counter()
    try:
        loaded = load_scenario(task["scenario_ref"], task["overrides"])
        every, days = task["record_every"], task["days"]
        # Only the rows that are kept are collected (day 0, every ``every`` days, the last
        # day): the metrics read counters and arrays, not earlier rows, so the values are
        # those of a daily collection, at a fraction of the cost when ``every`` is large.
        model = CommunityModel(scenario=loaded, rng=task["seed"], collect=False)
        collect = model.datacollector.collect
        collect(model)
        for _ in range(days):
            model.step()
            if model.day % every == 0 or model.day == days:
                collect(model)
        df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        daily = df.loc[:, ["day", *task["metrics"]]].reset_index(drop=True)
        return {"run_id": task["run_id"], "ok": True, "daily": daily,
                "final": {m: float(df[m].iloc[-1]) for m in task["metrics"]},
                "seconds": time.perf_counter() - t0}
    except Exception as e:  # noqa: BLE001 - recorded with its traceback, the sweep goes on
        return {"run_id": task["run_id"], "ok": False,
                "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc(),
                "seconds": time.perf_counter() - t0}


def make_task(sweep: Sweep, run: Run) -> dict[str, Any]:
    return {"run_id": run.run_id, "scenario_ref": sweep.scenarios[run.scenario],
            "overrides": run.overrides, "seed": run.seed, "days": sweep.spec.days,
            "metrics": list(sweep.spec.metrics), "record_every": sweep.spec.record_every}


# --------------------------------------------------------------------------------------------
# Engines: each yields results as they finish
# --------------------------------------------------------------------------------------------
# Workers exit when the coordinator is gone (shared with the demo's pool).
watch_parent = runner.watch_parent


def run_map(fn: Callable[[Any], Any], items: Iterable[Any], *, workers: int = 1,
            scheduler: str | None = None, dask_local: bool = False,
            max_restarts: int = 3, pool: SharedPool | None = None,
            cancelled: Callable[[], bool] | None = None) -> Iterator[tuple[int, Any]]:
    """The one way this project runs many models (issue 10): ``fn(item)`` for every item,
    yielding ``(index, result)`` as each finishes.

    Sweeps, the claims suite, the demo (``runner.run_many``), validation, calibration and
    the app's comparison all come through here. ``fn`` must be a module-level function
    (pools and Dask ship it by name) and its result must not depend on where it runs, so
    every engine gives the same numbers: in this process for one worker (or one item); a
    pool of fresh ("spawn") processes that exit when this process dies, started for this
    call or a long-lived :class:`SharedPool` (``pool``: a server keeps its workers warm
    across requests); or Dask, on an existing cluster (``scheduler``) or a LocalCluster of
    ``workers`` processes (``dask_local``). A worker that dies (killed, out of memory)
    breaks a process pool; the pool is then restarted for the items not yet finished, up to
    ``max_restarts`` times. ``cancelled()``, if given, is asked before each item here and
    as each result arrives from a pool: once it is true nothing more is yielded and
    unstarted items are dropped (the caller sees fewer results than items).
    """
    items = list(items)
    if scheduler or dask_local:
        yield from _dask_map(fn, items, scheduler=scheduler, workers=workers)
    elif pool is not None:
        yield from _pool_map(fn, items, pool, max_restarts, cancelled)
    elif workers <= 1 or len(items) <= 1:
        for i, item in enumerate(items):
            if cancelled is not None and cancelled():
                return
            yield i, fn(item)
    else:
        own = SharedPool(min(workers, len(items)))
        try:
            yield from _pool_map(fn, items, own, max_restarts, cancelled)
        finally:
            own.close()


class SharedPool:
    """A process pool that outlives one ``run_map`` call and is rebuilt when it breaks.

    ``workers`` fresh ("spawn") processes, each exiting when the process that made the pool
    is gone (:func:`watch_parent`). Started on first use; a pool a dead worker broke is
    replaced on the next use, once, however many callers saw it break. Thread-safe: the
    app's sessions share one (:func:`shared_pool`).
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._ex: Any = None
        self._lock = threading.Lock()

    def executor(self) -> Any:
        """The live ``ProcessPoolExecutor``, started (or rebuilt if broken) now if need be."""
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with self._lock:
            if self._ex is None or getattr(self._ex, "_broken", False):
                if self._ex is not None:
                    self._ex.shutdown(wait=False, cancel_futures=True)
                self._ex = ProcessPoolExecutor(max_workers=self.workers,
                                               mp_context=mp.get_context("spawn"),
                                               initializer=watch_parent,
                                               initargs=(os.getpid(),))
            return self._ex

    def discard(self, broken: Any) -> None:
        """Drop ``broken`` (an executor a dead worker broke) unless already replaced."""
        with self._lock:
            if self._ex is broken:
                self._ex = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self, wait: bool = False) -> None:
        """Stop the workers, cancelling queued items (a later use starts new ones);
        ``wait``: until they have exited."""
        with self._lock:
            ex, self._ex = self._ex, None
        if ex is not None:
            ex.shutdown(wait=wait, cancel_futures=True)


_shared: dict[int, SharedPool] = {}
_shared_lock = threading.Lock()


def shared_pool(workers: int) -> SharedPool:
    """This process's long-lived pool of ``workers`` processes (one per size), for a
    server that runs many small batches (the app's comparisons) and should not pay for
    starting and importing in fresh workers each time."""
    with _shared_lock:
        pool = _shared.get(workers)
        if pool is None:
            pool = _shared[workers] = SharedPool(workers)
            atexit.register(pool.close)     # before the interpreter tears its modules down
        return pool


def _pool_map(fn: Callable[[Any], Any], items: list[Any], pool: SharedPool,
              max_restarts: int, cancelled: Callable[[], bool] | None
              ) -> Iterator[tuple[int, Any]]:
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    pending = dict(enumerate(items))
    restarts = 0
    while pending:
        if cancelled is not None and cancelled():
            return
        ex = pool.executor()
        futures: dict[Any, int] = {}
        try:
            for i, item in pending.items():     # a pool shared with other threads can
                futures[ex.submit(fn, item)] = i  # break while we submit
            for f in as_completed(futures):
                if cancelled is not None and cancelled():
                    return
                i = futures[f]
                result = f.result()
                pending.pop(i, None)
                yield i, result
        except BrokenProcessPool:
            pool.discard(ex)
            restarts += 1
            if restarts > max_restarts:
                raise SweepStateError(
                    f"worker processes died {restarts} times (out of memory?); every "
                    f"finished run is saved. Fix the cause and run again with --resume."
                ) from None
            print(f"a worker process died; restarting the pool for the {len(pending)} "
                  f"unfinished run(s)", file=sys.stderr)
        finally:
            for f in futures:
                f.cancel()


def local_engine(tasks: list[dict[str, Any]], workers: int,
                 max_restarts: int = 3) -> Iterator[dict[str, Any]]:
    """Sweep tasks in this process (one worker) or a pool of spawned processes."""
    for _, result in run_map(run_task, tasks, workers=workers, max_restarts=max_restarts):
        yield result


# Dask's worker housekeeping costs CPU that a model run could use: the statistical profiler
# samples every thread's stack each 10 ms (alone ~10% slower runs here), and the event loop
# ticks and system/memory monitors wake often. Runs are coarse tasks (~0.2 s and more), so none
# of that is needed. For workers you start yourself, set the same through environment
# variables (see README, "Running a sweep").
QUIET_WORKERS = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def dask_engine(tasks: list[dict[str, Any]], *, scheduler: str | None = None,
                workers: int = 2) -> Iterator[dict[str, Any]]:
    """Sweep tasks on an existing cluster (``scheduler='tcp://host:port'``) or a
    LocalCluster here."""
    for _, result in _dask_map(run_task, tasks, scheduler=scheduler, workers=workers):
        yield result


def _dask_map(fn: Callable[[Any], Any], items: list[Any], *, scheduler: str | None,
              workers: int) -> Iterator[tuple[int, Any]]:
    try:
        import dask
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ImportError("Dask runs need dask.distributed: pip install "
                          "'community-governance[dist]'") from None

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="20s")
    else:
        with dask.config.set(QUIET_WORKERS):   # the nannies hand it to their workers
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                                   processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(fn, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for f, result in as_completed(futures, with_results=True):
            yield index[f.key], result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------------------------
# The coordinator
# --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    total: int
    skipped: int        # already finished before this invocation (resume)
    done: int           # finished now
    failed: list[str]   # run_ids that raised
    seconds: float
    repaired: dict[str, str] = field(default_factory=dict)  # run_id -> what was corrupt


FORMAT = 2              # run files carry checksums since format 2
CHECKSUM_KEYS = ("daily_sha256", "checksum")


def _is_temp(name: str) -> bool:
    return name.startswith(".") and (".tmp" in name or name.startswith(".write-test-"))


def finished_runs(out: Path) -> set[str]:
    """Run ids with a summary file (not yet checked: see :func:`verify_run`)."""
    return {p.stem for p in (out / "runs").glob("*.json") if not p.name.startswith(".")}


def remove_leftovers(out: Path) -> int:
    """Delete temp files a killed coordinator left half-written (they are never results)."""
    n = 0
    for sub in (".", "daily", "runs", "errors"):
        for p in (out / sub).glob(".*.tmp*"):
            p.unlink(missing_ok=True)
            n += 1
    return n


def _checksum(record: dict[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def read_run(out: Path, run_id: str) -> tuple[dict[str, Any] | None, str]:
    """A run's summary and ``""``, or ``None`` and why it cannot be trusted.

    A finished run is a summary whose checksum matches its content and whose daily file
    matches the ``daily_sha256`` it records: a truncated, edited, emptied (``{}``) or
    missing file is never read as a result.
    """
    path = out / "runs" / f"{run_id}.json"
    try:
        record = json.loads(path.read_bytes())
    except OSError as e:
        return None, f"runs/{run_id}.json cannot be read ({e.strerror or e})"
    except ValueError:
        return None, f"runs/{run_id}.json is not valid JSON (truncated or overwritten)"
    if not isinstance(record, dict) or "checksum" not in record:
        return None, (f"runs/{run_id}.json has no checksum (empty, or not written by this "
                      f"version)")
    if record["checksum"] != _checksum(record):
        return None, f"runs/{run_id}.json does not match its checksum (edited or damaged)"
    if record.get("run_id") != run_id:
        return None, f"runs/{run_id}.json holds run '{record.get('run_id')}'"
    daily = out / "daily" / f"{run_id}.parquet"
    try:
        digest = file_sha256(daily)
    except FileNotFoundError:
        return None, f"daily/{run_id}.parquet is missing"
    except OSError as e:
        return None, f"daily/{run_id}.parquet cannot be read ({e.strerror or e})"
    if digest != record.get("daily_sha256"):
        return None, (f"daily/{run_id}.parquet does not match the checksum in its summary "
                      f"(damaged or replaced)")
    return record, ""


def quarantine(out: Path, run_id: str) -> None:
    """Move a damaged run's files to ``corrupt/`` (kept for inspection, never read)."""
    dest = out / "corrupt"
    dest.mkdir(exist_ok=True)
    stamp = runner.now_iso().replace(":", "")
    for sub, suffix in (("runs", ".json"), ("daily", ".parquet")):
        p = out / sub / f"{run_id}{suffix}"
        if p.exists():
            os.replace(p, dest / f"{run_id}.{stamp}{suffix}")


def _manifest(out: Path) -> dict[str, Any] | None:
    path = out / "manifest.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as e:
        raise SweepStateError(
            f"{path} cannot be read or is damaged ({getattr(e, 'strerror', None) or e}), so "
            f"the results there cannot be checked against this sweep. Use --out with a new "
            f"directory.") from None
    if not isinstance(data, dict) or "digest" not in data:
        raise SweepStateError(f"{path} is not a sweep manifest (no digest); use --out with "
                              f"a new directory.")
    return data


def prepare(sweep: Sweep, out: Path, *, resume: bool, engine: str) -> set[str]:
    """Create or check the output directory; return the run_ids already finished.

    A directory is used only if this sweep created it (its manifest has this sweep's
    digest) or it is empty: leftover files without a manifest could be anything.
    """
    runner.ensure_dir(out)
    old = _manifest(out)
    if old is not None:
        if not resume:
            raise SweepStateError(
                f"{out} already holds sweep '{old.get('name')}'. Use --resume to finish it, "
                f"or --out with another directory.")
        if old.get("digest") != sweep.digest():
            raise SweepStateError(
                f"{out} holds a different sweep (digest {old.get('digest')}, this file gives "
                f"{sweep.digest()}): the sweep file, a scenario or graph file it uses, or "
                f"the model code changed since it started. Use --out with a new directory.")
    else:
        foreign = sorted(p.name for p in out.iterdir() if not _is_temp(p.name))
        if foreign:
            shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
            what = "--resume" if resume else "a new sweep"
            raise SweepStateError(
                f"{out} has no manifest.json but is not empty ({shown}): no sweep created "
                f"it, so {what} will not use it (leftover files could be anything). Use "
                f"--out with a new or empty directory.")
        remove_leftovers(out)
        runner.write_json(out / "manifest.json", {
            "format": FORMAT, "name": sweep.spec.name, "digest": sweep.digest(),
            "sweep_file": str(sweep.path), "sweep_text": sweep.text,
            "spec": sweep.spec.model_dump(mode="json"), "scenarios": sweep.scenarios,
            "inputs": sweep.inputs, "code": code_fingerprint(),
            "baseline": sweep.baseline, "runs": len(sweep.runs),
            "run_parameters": resolved_parameters(sweep),
            "seeds": sorted({r.seed for r in sweep.runs}),
            "common_random_numbers": "replication k of every scenario and design point "
                                     "uses seed spec.seed + k",
            "created_at": runner.now_iso(), "engine": engine,
            "git_commit": runner.git_commit(), "versions": runner.versions()})
    for sub in ("daily", "runs", "errors"):
        runner.ensure_dir(out / sub)
    remove_leftovers(out)
    if not (out / "design.csv").exists():
        runner.write_csv(out / "design.csv",
                         sweep.design.rename_axis("point").reset_index())
    return finished_runs(out)


def _record(out: Path, sweep_runs: dict[str, Run], result: dict[str, Any]) -> None:
    run = sweep_runs[result["run_id"]]
    ident = {"run_id": run.run_id, "scenario": run.scenario, "point": run.point,
             "replication": run.replication, "seed": run.seed}
    if result["ok"]:
        daily = result["daily"]
        for col, val in reversed(ident.items()):
            daily.insert(0, col, val)
        # The run's fixed and varied parameters as columns: the daily files stand alone.
        for i, (col, val) in enumerate(parameter_columns(run.overrides).items()):
            daily.insert(len(ident) + i, col, val)
        daily = daily.astype({"point": "int64", "replication": "int64", "seed": "int64",
                              "day": "int64"})
        buf = io.BytesIO()
        runner.described_parquet(buf, daily)       # units and descriptions per column
        data = buf.getvalue()
        runner.write_bytes(out / "daily" / f"{run.run_id}.parquet", data)
        record = {**ident, "parameters": run.overrides,
                  "seconds": round(result["seconds"], 4), **result["final"],
                  "daily_sha256": hashlib.sha256(data).hexdigest()}
        record["checksum"] = _checksum(json.loads(json.dumps(record, default=str)))
        runner.write_json(out / "runs" / f"{run.run_id}.json", record)
        err = out / "errors" / f"{run.run_id}.json"
        if err.exists():
            err.unlink()
    else:
        runner.write_json(out / "errors" / f"{run.run_id}.json",
                          {**ident, "parameters": run.overrides, "error": result["error"],
                           "traceback": result["traceback"]})


def execute(sweep: Sweep, out: Path, results: Callable[[list[dict]], Iterable[dict]], *,
            resume: bool, engine: str, progress: bool = True, verbose: bool = False
            ) -> Outcome:
    """Run what is missing through ``results`` (an engine) and record each as it finishes.

    On resume every finished run is checked against its checksums first; a damaged one is
    named on stderr, moved to ``corrupt/`` and run again.
    """
    t0 = time.perf_counter()
    done_before = prepare(sweep, out, resume=resume, engine=engine)
    by_id = {r.run_id: r for r in sweep.runs}
    repaired: dict[str, str] = {}
    for run_id in sorted(done_before & set(by_id)):
        _, why = read_run(out, run_id)
        if why:
            repaired[run_id] = why
            quarantine(out, run_id)
            print(f"run {run_id}: {why}; moved to {out / 'corrupt'}/ and run again",
                  file=sys.stderr)
    good = (done_before & set(by_id)) - set(repaired)
    todo = [r for r in sweep.runs if r.run_id not in good]
    failed: list[str] = []
    done = 0
    bar = runner.progress_bar(len(sweep.runs), sweep.spec.name, enabled=progress,
                              initial=len(sweep.runs) - len(todo))
    try:
        for result in results([make_task(sweep, r) for r in todo]):
            _record(out, by_id, result)
            if result["ok"]:
                done += 1
                if verbose:
                    bar.write(f"run {result['run_id']} done in {result['seconds']:.2f} s")
            else:
                failed.append(result["run_id"])
                bar.write(f"run {result['run_id']} failed: {result['error']}")
            bar.update(1)
    finally:
        bar.close()
    consolidate(out)
    return Outcome(total=len(sweep.runs), skipped=len(good), done=done,
                   failed=failed, seconds=time.perf_counter() - t0, repaired=repaired)


def consolidate(out: Path) -> pd.DataFrame:
    """Rebuild summary.parquet / summary.csv from the per-run summaries.

    Every summary is checked first; a damaged one stops this with a :class:`ReportError`
    naming it (``--resume`` reruns it), never a traceback and never a silently short table.
    """
    ids = sorted(p.stem for p in (out / "runs").glob("*.json") if not p.name.startswith("."))
    rows, bad = [], []
    for run_id in ids:
        record, why = read_run(out, run_id)
        if why:
            bad.append(why)
        else:
            rows.append({k: v for k, v in record.items() if k not in CHECKSUM_KEYS})
    if bad:
        shown = "; ".join(bad[:5]) + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise ReportError(f"{out}: {len(bad)} run file(s) are damaged: {shown}. Run the sweep "
                          f"again with --resume (same --out): damaged runs are set aside in "
                          f"corrupt/ and rerun.")
    if not rows:
        return pd.DataFrame()
    table = pd.json_normalize(rows, sep=".")
    table.columns = [c.removeprefix("parameters.") if c.startswith("parameters.") else c
                     for c in table.columns]
    table = table.sort_values(["scenario", "point", "replication"]).reset_index(drop=True)
    runner.write_parquet(out / "summary.parquet", table)
    runner.write_csv(out / "summary.csv", table)
    # Tidy (long) form: one row per run and metric, with the run's ids and parameters.
    metrics = [c for c in table.columns if c in METRIC_NAMES]
    keep = [c for c in table.columns if c not in metrics and c != "seconds"]
    long = table.melt(id_vars=keep, value_vars=metrics, var_name="metric", value_name="value")
    runner.write_parquet(out / "summary_long.parquet", long)
    runner.write_csv(out / "summary_long.csv", long)
    return table


def engine_for(*, workers: int, scheduler: str | None, dask_local: bool
               ) -> tuple[str, Callable[[list[dict]], Iterable[dict]]]:
    if scheduler:
        return f"dask {scheduler}", lambda t: dask_engine(t, scheduler=scheduler)
    if dask_local:
        return (f"dask LocalCluster ({workers} workers)",
                lambda t: dask_engine(t, workers=workers))
    return f"local processes ({workers})", lambda t: local_engine(t, workers)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))
