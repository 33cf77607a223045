"""Running the model for the CLI, and writing what it produces without ever losing a file.

Everything here is a plain function of its arguments (scenario, seed, days), so a run gives the
same numbers in this process, in a worker process, or on another day. Output files are always
written to a temporary file in the target directory and then ``os.replace``d into place: a crash
or Ctrl-C mid-write leaves the previous file intact instead of a truncated one.

Errors (``ScenarioError``, ``GraphError``) are raised, never caught here: the CLI boundary turns
them into a readable message.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from commgov.scenarios.loader import LoadedScenario, scenario_to_dict

if TYPE_CHECKING:
    from matplotlib.figure import Figure

REPO_ROOT: Path = Path(__file__).resolve().parents[1]
DISTRIBUTION = "community-governance"
PROG = "commgov"      # how the user invoked us ("commgov" or "python run.py"); set by the CLI
VERSIONED: tuple[str, ...] = ("mesa", "numpy", "networkx", "pandas", "pyarrow", "scipy",
                              "pydantic")


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------
class OutputError(ValueError):
    """An output cannot be written (bad folder, full disk, no permission): said plainly."""


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``path`` to write; on success it replaces ``path``.

    The temporary name keeps the real suffix (writers such as matplotlib pick the format from
    it) and lives in the same directory, so ``os.replace`` is an atomic rename. On any error the
    temporary file is removed and the old ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:      # durable before it becomes visible
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            tmp.unlink()
        raise


def describe_os_error(e: OSError) -> str:
    """``No space left on device (ENOSPC)``: the reason and its errno name, for people."""
    name = errno.errorcode.get(e.errno or 0, "")
    reason = e.strerror or str(e)
    return f"{reason} ({name})" if name else reason


def write_with(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(tmp_path)`` and move the result into place atomically.

    A full disk or a permission problem becomes an :class:`OutputError` naming the file and
    the reason; the half-written temp file is removed and the old file kept.
    """
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            writer(tmp)
    except OSError as e:
        hint = {errno.ENOSPC: "free some disk space", errno.EDQUOT: "free some disk space",
                errno.EACCES: "fix the folder's permissions or choose another --out",
                errno.EPERM: "fix the folder's permissions or choose another --out",
                errno.EROFS: "choose another --out"}.get(e.errno or 0, "fix the cause")
        raise OutputError(f"cannot write {path}: {describe_os_error(e)}. Nothing half-written "
                          f"was kept and files written before are complete; {hint}, then "
                          f"run again (a sweep with --resume).") from None
    return path


def write_bytes(path: str | Path, data: bytes) -> Path:
    return write_with(path, lambda p: p.write_bytes(data))


def write_text(path: str | Path, text: str) -> Path:
    return write_with(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, obj: Any) -> Path:
    text = json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n"
    return write_text(path, text)


def write_csv(path: str | Path, df: pd.DataFrame) -> Path:
    return write_with(path, lambda p: df.to_csv(p, index=False))


def write_parquet(path: str | Path, df: pd.DataFrame) -> Path:
    """Parquet with each known column's unit and description as Arrow field metadata.

    ``pyarrow.parquet.read_schema(path).field("trust_mean").metadata`` gives
    ``{b"unit": …, b"description": …}``; pandas, polars and DuckDB read the data unchanged.
    """
    return write_with(path, lambda p: described_parquet(p, df))


def described_parquet(path: Path | Any, df: pd.DataFrame) -> None:
    """Write ``df`` with column metadata to ``path`` (a file path or a binary buffer)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = []
    for field in table.schema:
        meta = column_metadata(field.name)
        if meta:
            field = field.with_metadata({**(field.metadata or {}),
                                         **{k.encode(): v.encode() for k, v in meta.items()}})
        fields.append(field)
    schema = pa.schema(fields, metadata=table.schema.metadata)
    pq.write_table(pa.Table.from_arrays(table.columns, schema=schema), path)


@lru_cache(maxsize=1)
def _flat_parameters() -> dict[str, Any]:
    from commgov.scenarios.loader import flat_parameters

    return flat_parameters()


FRACTION_UNIT = "fraction (0-1; multiply by 100 for percent)"
# The ``day`` column is described by its metric record (model/metrics.py).
ID_DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "run_id": ("", "identifier of the run within its sweep"),
    "scenario": ("", "scenario name"),
    "point": ("", "design point (row of design.csv)"),
    "replication": ("", "replication k; the run's seed is the sweep seed + k"),
    "seed": ("", "random seed of the run"),
    "metric": ("", "metric name (see the README's metrics glossary)"),
    "value": ("", "the metric's value, in the metric's unit (shares as fractions 0-1)"),
}


def metric_unit(metric: str) -> str:
    """The unit a metric is *stored* in: shares and rates as fractions 0–1 everywhere."""
    if is_percent(metric):
        return FRACTION_UNIT
    from commgov.model.metrics import metric_record

    rec = metric_record(metric)
    return rec.unit[0] if rec else ""


def column_metadata(name: str) -> dict[str, str]:
    """Unit and description of a results column: ids, metrics, or a parameter (dotted key)."""
    from commgov.model.metrics import metric_record

    if name in ID_DESCRIPTIONS:
        unit, desc = ID_DESCRIPTIONS[name]
        return {"unit": unit, "description": desc}
    rec = metric_record(name)
    if rec is not None:
        return {"unit": metric_unit(name), "description": rec.meaning}
    info = _flat_parameters().get(name)
    if info is not None:
        return {"unit": info.unit or "", "description": f"parameter {name}: "
                                                         f"{info.description}"}
    return {}


def save_figure(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    return write_with(path, lambda p: fig.savefig(p, dpi=dpi, bbox_inches="tight"))


def ensure_dir(path: str | Path) -> Path:
    """Create the output directory up front, so a bad ``--out`` fails before anything runs."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{uuid.uuid4().hex[:8]}"
        probe.touch()
        probe.unlink()
    except OSError as e:
        raise OutputError(f"--out {path}: cannot write there ({describe_os_error(e)}); give "
                          f"a directory you can write to.") from None
    return path


# --------------------------------------------------------------------------------------------
# Size: refuse up front what would not fit (instead of being killed by the OS half-way)
# --------------------------------------------------------------------------------------------
MAX_DAYS = 36_500                # 100 simulated years
# Peak resident memory of a run above the loaded interpreter, measured (ru_maxrss, Linux,
# numpy 2, pandas 3): 4,000 -> 40,000 households for 30 days added 2.8 kB per household
# (graph, household arrays, agents, issue tables); 30 -> 3,000 days added 1.05 kB per
# collected day (one DataCollector row). Rounded up.
BYTES_PER_HOUSEHOLD = 3_000
BYTES_PER_DAY = 1_100
BASE_BYTES = 180 * 2**20         # Python with numpy, pandas, Mesa and the model loaded
MEMORY_SHARE = 0.8               # of the memory available now


def households_of(loaded: LoadedScenario) -> int | None:
    """Households a generated street will have; None for a planner's graph file."""
    g = loaded.scenario.graph
    return None if g.file else g.communities * g.households_per_community


def memory_estimate(households: int, days: int, runs_at_once: int = 1) -> int:
    return runs_at_once * (BASE_BYTES + households * BYTES_PER_HOUSEHOLD
                           + (days + 1) * BYTES_PER_DAY)


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_size(loaded: LoadedScenario, days: int, *, runs_at_once: int = 1,
               where: str = "") -> None:
    """Raise :class:`SizeError` with the estimate if the run(s) would not fit in memory."""
    from commgov.experiments.errors import SizeError

    n = households_of(loaded)
    avail = available_memory()
    if n is None or avail is None:
        return
    need = memory_estimate(n, days, runs_at_once)
    if need <= MEMORY_SHARE * avail:
        return
    g = loaded.scenario.graph
    per_run = MEMORY_SHARE * avail / runs_at_once - BASE_BYTES - (days + 1) * BYTES_PER_DAY
    fits = max(0, int(per_run // BYTES_PER_HOUSEHOLD))
    at_once = f" x {runs_at_once} runs at once" if runs_at_once > 1 else ""
    raise SizeError(
        f"{where or loaded.name}: graph.communities x graph.households_per_community = "
        f"{g.communities} x {g.households_per_community:,} = {n:,} households for {days:,} "
        f"days{at_once} would need about {need / 2**30:.1f} GiB of memory (measured "
        f"~{BYTES_PER_HOUSEHOLD / 1000:.1f} kB per household); this machine has "
        f"{avail / 2**30:.1f} GiB available. Allowed here: about {fits:,} households per "
        f"run{' (or fewer --workers)' if runs_at_once > 1 else ''}. Nothing was run.")


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------
PARENT_POLL_SECONDS = 0.5


def watch_parent(parent_pid: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """Worker initializer: exit as soon as the coordinator is gone.

    A coordinator killed with SIGKILL cannot tell its pool to stop, and a worker would
    otherwise finish its queue (a minute or more) for nobody. An orphan is re-parented, so
    its parent pid changes: a thread polls for that. (Not ``PR_SET_PDEATHSIG``: it fires
    when the *thread* that started the worker ends, which can be a pool's helper thread.)
    """
    import threading

    if os.getppid() != parent_pid:          # the coordinator died before we got here
        os._exit(1)

    def poll_parent() -> None:
        while True:
            time.sleep(poll)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=poll_parent, name="commgov-parent-watch", daemon=True).start()


def run_model(loaded: LoadedScenario, seed: int, days: int) -> pd.DataFrame:
    """One run: the DataCollector's model-level table, one row per day (days + 1 rows)."""
    from commgov.model.community import CommunityModel

    model = CommunityModel(scenario=loaded, rng=seed, collect=True)
    model.run_for(days)
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


def run_job(loaded: LoadedScenario, seed: int, days: int) -> pd.DataFrame:
    """A worker's unit of work (module-level, so process pools can pickle it by name)."""
    return run_model(loaded, seed, days)


def check_graph(loaded: LoadedScenario) -> None:
    """Raise the scenario's ``GraphError`` now, before parallel runs start.

    A planner's file is read and validated in full; a generated graph is checked by building
    one community of the spec (every size rule of the generator is per community).
    """
    from commgov.model import graph as graph_mod

    spec = loaded.scenario.graph
    rng = np.random.default_rng(0)
    if spec.file:
        graph_mod.build(spec, rng, base_dir=loaded.base_dir)
    else:
        graph_mod.generate(spec.model_copy(update={"communities": 1}), rng)


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------
def versions() -> dict[str, str | None]:
    """Versions that decide the numbers: Python, this package and its numerical stack."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    out["commgov"] = package_version()
    for dist, key in ((v, v) for v in VERSIONED):
        try:
            out[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[key] = None
    return out


def package_version() -> str:
    """This package's version: from git tags at build time (setuptools-scm), else 0+unknown."""
    try:
        from commgov.experiments._version import __version__
        return str(__version__)
    except ImportError:
        pass
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def git_commit() -> str | None:
    """The source commit: from the checkout if this is one, else the one the wheel was built from.

    A checkout answers ``git rev-parse HEAD`` (the full hash); an installed wheel carries the
    short hash setuptools-scm recorded at build time (``g`` prefix removed). ``None`` only when
    neither is known (an sdist built outside git); ``run.json`` then still has the version.
    """
    sha = _checkout_commit()
    if sha is not None:
        return sha
    try:
        from commgov.experiments._version import __commit_id__
    except ImportError:
        return None
    node = str(__commit_id__ or "").removeprefix("g")
    return node if re.fullmatch(r"[0-9a-f]{7,40}", node) else None


def _checkout_commit() -> str | None:
    if not (REPO_ROOT / ".git").exists():
        return None
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    sha = res.stdout.strip()
    return sha if res.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", sha) else None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def scenario_record(loaded: LoadedScenario) -> dict[str, Any]:
    """Name, file chain and every resolved parameter of one scenario."""
    return {"name": loaded.name,
            "path": str(loaded.path) if loaded.path is not None else None,
            "chain": [str(p) for p in loaded.chain],
            "parameters": scenario_to_dict(loaded.scenario)}


def run_manifest(loaded: LoadedScenario, *, seed: int, days: int,
                 overrides: Mapping[str, Any], seconds: float) -> dict[str, Any]:
    """Everything needed to reproduce a ``simulate`` run (written as run.json)."""
    return {"scenario": loaded.name,
            "identity": run_identity("simulate", [loaded], [seed], days),
            "file_chain": [str(p) for p in loaded.chain],
            "parameters": scenario_to_dict(loaded.scenario),
            "overrides": dict(overrides),
            "seed": seed,
            "days": days,
            "wall_clock_seconds": round(seconds, 3),
            "created_at": now_iso(),
            "version": package_version(),
            "versions": versions(),
            "git_commit": git_commit()}


def run_identity(command: str, scenarios: list[LoadedScenario], seeds: list[int],
                 days: int) -> dict[str, Any]:
    """What makes two runs the same run: command, every resolved parameter, seeds, days."""
    ident = {"command": command, "seeds": list(seeds), "days": days,
             "scenarios": [scenario_to_dict(s.scenario) for s in scenarios]}
    return json.loads(json.dumps(ident, default=str))


def check_overwrite(out: Path, identity: dict[str, Any], names: tuple[str, ...], *,
                    force: bool) -> None:
    """Refuse to overwrite another run's files in ``out`` (unless ``force``).

    Rerunning the very same run into its own folder is fine (same numbers); anything else
    would silently replace results someone may still need.
    """
    if force or not any((out / n).exists() for n in names):
        return
    old: Any = None
    with suppress(OSError, ValueError):
        old = json.loads((out / "run.json").read_bytes())
    if isinstance(old, dict) and old.get("identity") == identity:
        return
    what = "another run" if isinstance(old, dict) else "files of another run"
    if isinstance(old, dict) and "identity" in old:
        o = old["identity"]
        what = (f"another {o.get('command')} run ({', '.join(s.get('name', '?') for s in
                o.get('scenarios', []))}; seeds {o.get('seeds')}; {o.get('days')} days)")
    raise OutputError(f"--out {out} already holds {what}; refusing to overwrite it. Choose "
                      f"another --out, or add --force to replace it.")


def safe_name(name: str) -> str:
    """A name usable as one file or directory name (no separators, no leading dots)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "scenario"


PERCENT_SUFFIXES: tuple[str, ...] = ("_share", "_rate")


def is_percent(metric: str) -> bool:
    """Shares (0–1) read best as percentages: a metric's record says whether it is one
    (``scale="share"``, model/metrics.py); other columns (validation measures such as
    ``retiree_share``) go by their name's suffix, windowed ones too (``…_share_90d``)."""
    from commgov.model.metrics import metric_record

    rec = metric_record(metric)
    if rec is not None:
        return rec.percent
    return re.sub(r"_\d+d$", "", metric).endswith(PERCENT_SUFFIXES)


def fmt_metric(metric: str, value: float, decimals: int | None = None) -> str:
    """A metric value for people: shares as %, counts with thousands separators."""
    if value is None or not np.isfinite(value):
        return "–"
    if is_percent(metric):
        return f"{100 * value:.{1 if decimals is None else decimals}f}%"
    if decimals is None:
        if float(value).is_integer():
            return f"{int(value):,}"
        decimals = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 3
    return f"{value:,.{decimals}f}"


class Timer:
    """Wall-clock seconds of a ``with`` block."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


# --------------------------------------------------------------------------------------------
# Progress: a bar on a terminal, plain periodic lines in logs
# --------------------------------------------------------------------------------------------
class PlainProgress:
    """The part of tqdm's interface we use, printing a plain line now and then.

    A progress bar redraws itself with carriage returns, which turn a CI log or a redirected
    file into one unreadable line; off a terminal we print ``desc: done/total (rate, ETA)``
    every ``every`` seconds and at the end instead.
    """

    def __init__(self, total: int, desc: str, initial: int = 0, every: float = 10.0,
                 stream: Any = None) -> None:
        import sys

        self.total, self.desc, self.n, self.every = total, desc, initial, every
        self.stream = stream if stream is not None else sys.stderr
        self.start = self.last = time.perf_counter()
        self.initial = initial

    def _line(self) -> str:
        elapsed = time.perf_counter() - self.start
        done = self.n - self.initial
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.n) / rate if rate > 0 else float("nan")
        eta_s = f", ETA {eta:.0f} s" if np.isfinite(eta) else ""
        return f"{self.desc}: {self.n}/{self.total} runs ({rate:.2f} runs/s{eta_s})"

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.perf_counter()
        if now - self.last >= self.every and self.n < self.total:
            self.last = now
            print(self._line(), file=self.stream, flush=True)

    def write(self, msg: str) -> None:
        print(msg, file=self.stream, flush=True)

    def close(self) -> None:
        if self.n > self.initial:
            print(self._line(), file=self.stream, flush=True)


class NoProgress:
    """Quiet (``-q``): messages still go to stderr, no progress at all."""

    def update(self, n: int = 1) -> None:
        pass

    def write(self, msg: str) -> None:
        import sys

        print(msg, file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


def progress_bar(total: int, desc: str, *, enabled: bool | None = True, initial: int = 0,
                 leave: bool = True) -> Any:
    """tqdm on a terminal; plain periodic lines otherwise; nothing when ``enabled`` is False.

    ``enabled=None`` means "the default": on. Whether stderr is a terminal decides the form,
    so a sweep under ``nohup`` or in CI writes readable lines, not carriage returns.
    """
    import sys

    if enabled is False:
        return NoProgress()
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, initial=initial, desc=desc, unit="run", leave=leave,
                    smoothing=0.1)
    return PlainProgress(total, desc, initial=initial)


# --------------------------------------------------------------------------------------------
# Many runs from Python (notebooks, scripts)
# --------------------------------------------------------------------------------------------
def run_many(scenarios: str | LoadedScenario | list[str | LoadedScenario], *,
             seeds: int | list[int] = 3, days: int = 365,
             overrides: Mapping[str, Any] | None = None, workers: int = 1,
             tidy: bool = False, progress: bool = False) -> pd.DataFrame:
    """Run every (scenario, seed) and return the daily metrics as one table.

    The Python face of ``commgov demo``: the same runs (common random numbers: every scenario
    gets the same seeds) and the same numbers whatever ``workers`` is. ``seeds`` is a count
    (seeds 0..n-1) or a list. ``overrides`` are dotted keys (``{"staff.per_10k_residents":
    24.5}``) applied to every scenario and validated like a scenario file.

    Wide (default): one row per scenario, seed and day, one column per metric. ``tidy=True``:
    long, one row per scenario, seed, day and metric (columns ``scenario, seed, day, metric,
    value``), the form plotting libraries and ``groupby`` prefer.
    """
    from commgov.experiments.demo import run_all
    from commgov.scenarios.loader import load_scenario

    items = scenarios if isinstance(scenarios, list) else [scenarios]
    over = dict(overrides or {})
    loaded = [load_scenario(s, over) if not isinstance(s, LoadedScenario) else s
              for s in items]
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    daily = run_all(loaded, seed_list, days, workers, progress)
    if not tidy:
        return daily
    return daily.melt(id_vars=["scenario", "seed", "day"], var_name="metric",
                      value_name="value")
