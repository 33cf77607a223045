"""What the browser app accepts from a browser: checked on the server, never trusted.

The page's sliders and pickers are only a convenience: a crafted request can send any value.
So every request that builds or runs a model passes through here first:

- a scenario is a *name* from the scenario folder, never a path (no file of the machine is
  read because a browser asked);
- overrides are lever keys only, each within its lever's range (the slider's limits), and
  the whole scenario is validated through the same schema as scenario files;
- a session's model and comparison are capped in size, days and seeds;
- at most ``MAX_HEAVY`` model builds and comparisons run at once for one server, counted
  across its processes (each session's model lives in a worker process, see
  ``viz/worker.py``); others wait up to ``BUSY_WAIT`` seconds and are then refused with a
  message;
- at most ``MAX_SESSIONS`` sessions (worker processes) run at once; a further browser tab is
  told the server is full instead of starting one more process.

Refusals are :class:`AppLimitError` (a ``ValueError``, shown on the page like a scenario
error). Keep this module free of Solara so it is tested headlessly.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from commgov.scenarios.loader import SCENARIO_DIR, load_scenario

MAX_HOUSEHOLDS = 100_000        # the sliders' maximum: 10 communities x 10,000 households
MAX_EXPLORE_DAYS = 36_500       # a session's model stops at 100 years
MAX_STEP_DAYS = 3_650           # one Step request advances at most 10 years
MAX_COMPARE_DAYS = 1_095        # the comparison slider's maximum (3 years)
MAX_COMPARE_SEEDS = 30          # the replications slider's maximum
MAX_HEAVY = max(1, min(4, os.cpu_count() or 1))
# Processes of the server's one pool for comparison runs (``viz/compare.server_pool``): two
# at most, the machine a classroom shares has few cores.
COMPARE_WORKERS = max(1, min(2, os.cpu_count() or 1))
BUSY_WAIT = 20.0                # seconds a request waits for a free slot
START_WAIT = 120.0              # a new session's first model waits longer (a class arriving)
MAX_SESSIONS = 40               # worker processes of one server (about 0.2 GB each)
MAX_UPLOAD_BYTES = 2_000_000    # an uploaded scenario or graph file

# The heavy-work slots are lock files in a folder shared by the server and the processes it
# starts (they inherit the variable); ``flock`` locks are released by the OS if a holder dies.
_SLOTS_ENV = "COMMGOV_HEAVY_DIR"
if not os.environ.get(_SLOTS_ENV):
    os.environ[_SLOTS_ENV] = tempfile.mkdtemp(prefix="commgov-heavy-")


class AppLimitError(ValueError):
    """A request the app refuses; the message says what is allowed."""


def scenario_names() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def scenario_name(name: Any) -> str:
    """``name`` if it is a scenario of the scenario folder; refuse paths and anything else."""
    names = scenario_names()
    if not isinstance(name, str) or name not in names:
        shown = repr(name)[:80]
        raise AppLimitError(f"scenario {shown} is not one of the app's scenarios; allowed: "
                            f"{', '.join(names)}.")
    return name


def scenario_source(name: Any) -> str | Path:
    """What the scenario loader reads for an app scenario: a name of the scenario folder, or
    the private copy of a community uploaded in this process (``viz/upload.py``), never a
    path sent by a browser."""
    if isinstance(name, str) and name.startswith("upload:"):
        from commgov.viz import upload

        path = upload.path_of(name)
        if path is None:
            raise AppLimitError(f"the uploaded community {name[:40]!r} is not loaded on the "
                                f"server (it restarted?); upload the file again.")
        return path
    return scenario_name(name)


def check_overrides(overrides: Mapping[str, Any]) -> None:
    """Only the page's levers, each inside its slider's range (model units)."""
    from commgov.viz.levers import LEVER_BY_KEY

    for key, value in overrides.items():
        lever = LEVER_BY_KEY.get(key)
        if lever is None:
            raise AppLimitError(f"{key!r} is not a setting of the app; allowed: "
                                f"{', '.join(LEVER_BY_KEY)}.")
        if lever.is_bool:
            if not isinstance(value, bool):
                raise AppLimitError(f"{key} = {value!r}: allowed true or false.")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AppLimitError(f"{key} = {value!r}: allowed a number.")
        lo, hi = lever.lo / lever.scale, lever.hi / lever.scale
        if not lo - 1e-9 <= value <= hi + 1e-9:
            raise AppLimitError(f"{key} = {value!r} is outside the app's range: allowed "
                                f"{lo:g} to {hi:g}.")


def check_settings(scenario: Any, overrides: Mapping[str, Any]) -> None:
    """A model the app may build: name, lever ranges, the schema, and the size cap."""
    source = scenario_source(scenario)
    check_overrides(overrides)
    loaded = load_scenario(source, dict(overrides))       # the scenario files' own schema
    g = loaded.scenario.graph
    if not g.file and g.communities * g.households_per_community > MAX_HOUSEHOLDS:
        raise AppLimitError(f"{g.communities} communities x {g.households_per_community:,} "
                            f"households is more than the app runs ({MAX_HOUSEHOLDS:,}); use "
                            f"`run.py simulate` for bigger models.")


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise AppLimitError(f"seed {str(seed)[:40]!r}: allowed a whole number from 0 to "
                            f"{2**32 - 1:,}.")
    return seed


def step_days(days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_STEP_DAYS:
        raise AppLimitError(f"step of {days!r} days: allowed 1 to {MAX_STEP_DAYS:,}.")
    return days


def check_compare(a_scenario: Any, a_overrides: Mapping[str, Any], b_scenario: Any,
                  b_overrides: Mapping[str, Any], days: Any, seeds: Sequence[Any]) -> None:
    """A comparison the app may run: both setups, days and seeds within the page's limits."""
    if isinstance(days, bool) or not isinstance(days, int) or \
            not 1 <= days <= MAX_COMPARE_DAYS:
        raise AppLimitError(f"comparison of {days!r} days: allowed 1 to "
                            f"{MAX_COMPARE_DAYS:,}.")
    seeds = list(seeds)
    if not 1 <= len(seeds) <= MAX_COMPARE_SEEDS or not all(
            isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**32 for s in seeds):
        raise AppLimitError(f"comparison seeds {seeds[:8]!r}: allowed 1 to "
                            f"{MAX_COMPARE_SEEDS} whole numbers from 0.")
    check_settings(a_scenario, a_overrides)
    check_settings(b_scenario, b_overrides)


def _try_slot() -> int | None:
    """An open, exclusively locked slot file, or None if all ``MAX_HEAVY`` are taken."""
    folder = Path(os.environ[_SLOTS_ENV])
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(MAX_HEAVY):
        fd = os.open(folder / f"slot{i}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return fd
    return None


@contextmanager
def heavy(wait: float = BUSY_WAIT) -> Iterator[None]:
    """Hold one of the server's ``MAX_HEAVY`` slots for a model build or a comparison.

    The slots are shared by every process of one server (threads of the web server, session
    workers, the comparison pool), so a classroom cannot build thirty models at once.
    """
    deadline = time.monotonic() + wait
    fd = _try_slot()
    while fd is None:
        if time.monotonic() >= deadline:
            raise AppLimitError(f"the server is busy: {MAX_HEAVY} models are being built or "
                                f"compared right now; try again in a moment.")
        time.sleep(0.05)
        fd = _try_slot()
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def exposure_notice(host: str, port: int) -> str:
    """What listening on ``host`` exposes, in plain words (printed at start-up)."""
    if host in ("127.0.0.1", "localhost", "::1"):
        return (f"Listening on {host}:{port}: only this computer can open the app.")
    return (f"WARNING: listening on {host}:{port}: anyone who can reach this computer on "
            f"port {port} (the local network, or more if it is public) can open the app "
            f"and run models on it, without a password. They cannot read or write files: "
            f"scenarios are picked by name from {SCENARIO_DIR}, and each session is capped "
            f"at {MAX_HOUSEHOLDS:,} households, {MAX_COMPARE_DAYS:,}-day comparisons with "
            f"{MAX_COMPARE_SEEDS} seeds, {MAX_HEAVY} heavy jobs and {MAX_SESSIONS} sessions "
            f"at a time; uploaded files (at most {MAX_UPLOAD_BYTES:,} bytes) are read as "
            f"data, never as paths. Use it on a "
            f"network you trust (a classroom), and stop it with Ctrl+C afterwards.")
