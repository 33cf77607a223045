"""``python run.py optimise``: the best policy mixes a community can buy with its budget.

[001] compares what communities have to spend on services a year: "上海青浦區夏陽街道……每個社區約
58萬元,而兗州區每個社區黨組織服務群眾專項經費每年只有約20萬元,無力購買更多的第三方服務協助社區治理"
(about 580,000 yuan per community in Xiayang, Qingpu; about 200,000 in Yanzhou). This command
searches the policy levers for the mixes that handle most issues on time, draw most residents
in and earn most trust for what they cost, and returns the Pareto front under each budget.

**What the budget means.** [001]'s sums are special funds *for services*, on top of the staff
a community already has. ``model/costs.py`` costs the whole street including that base staff
(``cost_yuan_per_year``: about 0.73 million yuan for the baseline community of 1,500
households). So a candidate's cost here is its yearly cost *above the baseline community's*
(same scenario, same community size, same seeds, no policy changed), per community:
``(cost(candidate, seed) − cost(baseline, seed)) / graph.communities``, averaged over the paired
seeds. It can be negative (fewer staff than the baseline's 18 per 10,000 residents saves money).
A candidate is feasible under budget B when that mean is ≤ B (a constraint, not a penalty).

**Levers, data-driven.** Every parameter whose ``P`` record carries a ``Control`` (the app's
lever metadata, ``scenarios/schema.py``) is a lever, unless its group is ``context`` (the
community's size, its residents' moves, the paperwork pushed down: the world, not a policy).
That gives the policy switches (grid merge, integrated platform, closed loop, red property,
volunteer points, councils, ...), their value levers and staffing (``staff.per_10k_residents``,
``grid.added_staff``). A mechanism added later joins by itself when its switch's ``P`` record
gets ``control=Control(group, "on/off", rank)`` in a policy group; nothing here names one.
Each lever's levels are its slider's (``Control.lo..hi`` by ``step``, in display units ÷
``scale``), so the search is over the same choices a planner has in the app. A lever with
``disabled_unless`` is set to the base scenario's value while its switch is off (it would
change nothing), so such candidates are recognised as the same. ``--levers a,b`` restricts.
Levers without a price in ``[costs]`` (e.g. ``workers.task_access_cut``,
``workers.turnover_per_year``, ``party.activation``) are free to the optimiser, which then
pushes them to their best level; restrict them away to study the priced levers alone.

**Objectives.** Maximise ``on_time_share``, ``participation_rate`` and ``trust_mean`` (their
``Metric`` records say higher is better; this is checked), minimise the extra cost; each the
mean over ``--reps`` replications on seeds ``0..reps-1``, the same seeds for every candidate
and for the baseline (common random numbers), on the last day of a ``--days`` run.

**Optimiser: Platypus NSGA-II, driven generation by generation.** Platypus comes with the EMA
Workbench (which ``experiments/ema_adapter.py`` already uses). We drive ``NSGAII.step()``
ourselves and hand each generation's candidates to our own evaluator, which runs them as one
batch through this project's engines (in-process, local processes, Dask LocalCluster or a
Dask scheduler; ``experiments/engine.run_task``). EMA's ``optimize`` would run the same
algorithm but through its own evaluators, which do not know our engines, checksums or seeds.
Each result is keyed by candidate and seed and read back in a fixed order, and Platypus draws
from a private ``random.Random(seed)`` (not the shared ``random`` module, which Dask's threads
also use), so the same ``--seed`` gives the same front on every engine. Each variable is a
real number in ``[0, number of levels)`` whose integer part picks the level, so NSGA-II uses
Platypus's default real operators (SBX crossover, polynomial mutation), which keep
neighbouring levels neighbours; on the tests' toy problem this repeated good candidates more
often than binary-coded integers (HUX, bit flip), i.e. fewer runs for a front at least as
good. Identical candidates are run once (a cache shared by the budgets); each budget's search
starts from the same first generation, so the second budget's first generation costs nothing.
NSGA-II needs generations to pay off: on the toy problem, with 120 evaluations its front is
about as good as random search's with as many runs; with 200, clearly better (tested). The
default is 240 per budget: with 21 levers, about 2 minutes for both budgets on 2 idle cores.

The first generation holds the status quo (every lever at the base scenario's level, zero extra
cost), so every budget has a feasible mix; the rest is drawn at random.

**The front.** Per budget: the candidates evaluated (by any budget's search) that are within
the budget and not dominated by another such candidate on the four objectives. That is exactly
the Pareto front of the evaluated points restricted to the budget (a dominating point costs no
more, so it is within the budget too).

Outputs in ``--out`` (each written to a temp file, then renamed): ``front.csv`` (one row per
front point and budget: lever levels, objectives, paired difference from the baseline with its
95% CI), ``evaluated.csv`` (every candidate evaluated), ``front.png``, ``index.html``
(self-contained) and ``run.json`` (inputs, levers and levels, seeds, engine, code fingerprint,
sha256 of each output).
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import hashlib
import html
import json
import math
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from commgov.experiments import runner
from commgov.experiments.stats import t_half_width

OBJECTIVES: tuple[str, ...] = ("on_time_share", "participation_rate", "trust_mean")
COST_METRIC = "cost_yuan_per_year"
EXTRA_COST = "extra_cost_yuan"          # per community and year, above the baseline community
EXOGENOUS_GROUPS: tuple[str, ...] = ("context",)
DEFAULT_BUDGETS: tuple[float, ...] = (200_000.0, 580_000.0)
DEFAULT_SCENARIO = "baseline"
DEFAULT_EVALUATIONS = 240       # candidate evaluations per budget (12 generations of 20)
DEFAULT_POPULATION = 20
DEFAULT_REPS = 3
DEFAULT_DAYS = 365
DEFAULT_HOUSEHOLDS = 1500
OUT_FILES: tuple[str, ...] = ("front.csv", "evaluated.csv", "front.png", "index.html",
                              "run.json")


class OptimiseError(ValueError):
    """A bad optimise input (lever, budget) or a failed run: one paragraph, no traceback."""


# --------------------------------------------------------------------------------------------
# Levers: from the parameters' records
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OptLever:
    """One decision variable: a parameter and the levels the search may give it."""

    key: str
    levels: tuple[Any, ...]
    group: str
    requires: str = ""          # a boolean lever that must be on for this one to matter
    label: str = ""             # the planner's name (English), from the record

    def index_of(self, value: Any) -> int:
        """The level nearest ``value`` (the base scenario's value as a level)."""
        if isinstance(value, bool):
            return self.levels.index(value)
        return int(np.argmin([abs(float(v) - float(value)) for v in self.levels]))


def _levels(info: Any) -> tuple[Any, ...]:
    c = info.control
    if info.type == "bool":
        return (False, True)
    n = int(round((c.hi - c.lo) / c.step)) + 1
    vals = [round((c.lo + i * c.step) / c.scale, 10) for i in range(n)]
    default = float(info.default)
    if all(abs(v - default) > 1e-12 for v in vals):
        vals.append(default)
    vals = sorted(set(vals))
    if info.type == "int":
        return tuple(dict.fromkeys(int(round(v)) for v in vals))
    return tuple(float(v) for v in vals)


def all_levers(params: Mapping[str, Any] | None = None) -> list[OptLever]:
    """Every policy lever: a parameter with a ``Control`` outside the exogenous groups, in
    the schema's order."""
    from commgov.scenarios.loader import flat_parameters

    params = flat_parameters() if params is None else params
    return [OptLever(k, _levels(p), p.control.group, p.control.disabled_unless, p.label[0])
            for k, p in params.items()
            if p.control is not None and p.control.group not in EXOGENOUS_GROUPS]


def select_levers(raw: str | None, params: Mapping[str, Any] | None = None) -> list[OptLever]:
    """``--levers a,b,c`` (dotted keys), or every policy lever when ``raw`` is empty."""
    from commgov.scenarios.loader import flat_parameters

    params = flat_parameters() if params is None else params
    levers = all_levers(params)
    if raw is None or not raw.strip():
        return levers
    by_key = {lv.key: lv for lv in levers}
    names = list(dict.fromkeys(x.strip() for x in raw.split(",") if x.strip()))
    allowed = ", ".join(by_key)
    if not names:
        raise OptimiseError(f"--levers {raw!r}: no lever given; allowed: comma-separated "
                            f"keys from {allowed}.")
    for n in names:
        if n in by_key:
            continue
        if n in params and params[n].control is not None:
            why = (f"{n!r} is a setting of the community (lever group "
                   f"'{params[n].control.group}'), not a policy")
        elif n in params:
            why = f"{n!r} is a parameter but not a lever (its P record has no control=)"
        else:
            close = difflib.get_close_matches(n, list(by_key), n=1, cutoff=0.6)
            why = f"unknown lever {n!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
        raise OptimiseError(f"--levers {raw}: {why}; allowed: comma-separated keys from "
                            f"{allowed}.")
    chosen = [by_key[n] for n in names]
    keys = {lv.key for lv in chosen}
    for lv in chosen:
        if lv.requires and lv.requires not in keys:
            raise OptimiseError(f"--levers {raw}: {lv.key!r} matters only when "
                                f"{lv.requires!r} is on; add {lv.requires} to --levers.")
    return chosen


def parse_budgets(raw: Sequence[str] | str | None) -> list[float]:
    """``--budget`` values (repeatable, each a comma list): yuan a year per community, ≥ 0."""
    items = [raw] if isinstance(raw, str) else list(raw or [])
    out: list[float] = []
    for item in items:
        for part in str(item).split(","):
            p = part.strip()
            if not p:
                continue
            try:
                value = float(p.replace("_", ""))
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise OptimiseError(
                    f"--budget {item!r}: {p!r} is not a budget; allowed: yuan a year per "
                    f"community above the baseline community's cost, a number ≥ 0 "
                    f"(comma-separated or repeated), e.g. --budget 200000,580000.")
            out.append(value)
    if not out:
        return list(DEFAULT_BUDGETS)
    return sorted(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------
# Engines kept open across generations
# --------------------------------------------------------------------------------------------
class EngineSession:
    """One pool or Dask client for the whole optimisation (a new one per generation would
    cost a model import per worker per generation). ``run(tasks)`` yields results as they
    finish; callers key them by ``run_id``, so the order never matters."""

    def __init__(self, *, workers: int = 1, scheduler: str | None = None,
                 dask_local: bool = False) -> None:
        self.workers, self.scheduler, self.dask_local = workers, scheduler, dask_local
        self._pool: Any = None
        self._client: Any = None
        self._cluster: Any = None
        if scheduler:
            self.label = f"dask {scheduler}"
        elif dask_local:
            self.label = f"dask LocalCluster ({workers} workers)"
        else:
            self.label = f"local processes ({workers})"

    def __enter__(self) -> EngineSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> None:
        from commgov.experiments import engine

        if self.scheduler or self.dask_local:
            import dask
            from dask.distributed import Client, LocalCluster

            if self.scheduler:
                try:
                    self._client = Client(self.scheduler, timeout="20s")
                except (OSError, TimeoutError, ValueError) as e:
                    raise OptimiseError(f"--scheduler {self.scheduler}: cannot connect "
                                        f"({e}); allowed: the address of a running Dask "
                                        f"scheduler, e.g. tcp://10.0.0.5:8786. Nothing was "
                                        f"written.") from None
            else:
                with dask.config.set(engine.QUIET_WORKERS):
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                                 processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
        elif self.workers > 1:
            self._pool = engine.SharedPool(self.workers)

    def run(self, tasks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        from commgov.experiments.engine import run_task

        if not tasks:
            return
        if self._pool is None and self._client is None:
            self._start()
        if self._client is not None:
            from dask.distributed import as_completed

            futures = self._client.map(run_task, tasks, pure=False)
            for _f, result in as_completed(futures, with_results=True):
                yield result
        else:
            yield from self._run_local(tasks)

    def _run_local(self, tasks: list[dict[str, Any]], restarts: int = 3
                   ) -> Iterator[dict[str, Any]]:
        """Through the project's one kernel (``engine.run_map``): here with one worker,
        else on this session's warm pool, a dead worker's runs redone in a fresh one
        ``restarts`` times at most."""
        from commgov.experiments import engine
        from commgov.experiments.errors import SweepStateError

        try:
            for _, result in engine.run_map(engine.run_task, tasks, pool=self._pool,
                                            max_restarts=restarts):
                yield result
        except SweepStateError:
            raise OptimiseError(f"worker processes died {restarts + 1} times (out of "
                                f"memory?); nothing was written.") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close(wait=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


# --------------------------------------------------------------------------------------------
# Evaluating candidates: paired seeds against the baseline community
# --------------------------------------------------------------------------------------------
@dataclass
class Setup:
    """Everything that decides the numbers (the engine does not)."""

    levers: list[OptLever]
    budgets: list[float]
    evaluations: int = DEFAULT_EVALUATIONS
    population: int = DEFAULT_POPULATION
    reps: int = DEFAULT_REPS
    days: int = DEFAULT_DAYS
    households: int = DEFAULT_HOUSEHOLDS
    seed: int = 0
    scenario: str = DEFAULT_SCENARIO

    @property
    def seeds(self) -> list[int]:
        return list(range(self.reps))

    def to_json(self) -> dict[str, Any]:
        return {"levers": {lv.key: list(lv.levels) for lv in self.levers},
                "budgets_yuan_per_community_year": self.budgets,
                "evaluations_per_budget": self.evaluations, "population": self.population,
                "reps": self.reps, "seeds": self.seeds, "days": self.days,
                "households_per_community": self.households, "seed": self.seed,
                "scenario": self.scenario, "objectives": [EXTRA_COST, *OBJECTIVES],
                "algorithm": "NSGA-II (platypus), real-coded level indices (SBX, PM)"}


def candidate_key(overrides: Mapping[str, Any]) -> str:
    text = json.dumps(dict(sorted(overrides.items())), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class Evaluation:
    """One candidate's means over the paired seeds, and differences from the baseline."""

    key: str
    overrides: dict[str, Any]
    values: dict[str, float]                   # objective means, extra cost, street cost
    diffs: dict[str, tuple[float, float]]      # metric -> (mean paired diff, 95% CI half)
    order: int                                 # when it was first evaluated


class Evaluator:
    """Runs candidates through an engine session, once each (cached), with paired seeds."""

    def __init__(self, setup: Setup, session: EngineSession, base: Mapping[str, Any],
                 communities: int) -> None:
        self.setup, self.session = setup, session
        self.base = dict(base)                 # lever key -> base scenario value
        self.communities = max(1, communities)
        self.cache: dict[str, Evaluation] = {}
        self.reference: dict[int, dict[str, float]] = {}
        self.runs = 0
        self.metrics = sorted({COST_METRIC, *OBJECTIVES})

    def overrides(self, idx: Sequence[int]) -> dict[str, Any]:
        """Level indices → overrides; a lever whose switch is off takes the base value."""
        vals = {lv.key: lv.levels[min(int(i), len(lv.levels) - 1)]
                for lv, i in zip(self.setup.levers, idx, strict=True)}
        for lv in self.setup.levers:
            if lv.requires and not vals.get(lv.requires, self.base.get(lv.requires)):
                vals[lv.key] = self.base[lv.key]
        return vals

    def _task(self, run_id: str, overrides: Mapping[str, Any], seed: int) -> dict[str, Any]:
        ov = {**overrides, "graph.households_per_community": self.setup.households}
        return {"run_id": run_id, "scenario_ref": self.setup.scenario, "overrides": ov,
                "seed": seed, "days": self.setup.days, "metrics": self.metrics,
                "record_every": self.setup.days}

    def _run(self, tasks: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
        finals: dict[str, dict[str, float]] = {}
        for result in self.session.run(tasks):
            if not result["ok"]:
                raise OptimiseError(f"run {result['run_id']} failed: {result['error']}. "
                                    f"Nothing was written.")
            finals[result["run_id"]] = result["final"]
        self.runs += len(tasks)
        return finals

    def ensure_reference(self) -> None:
        if self.reference:
            return
        tasks = [self._task(f"baseline-s{s}", {}, s) for s in self.setup.seeds]
        finals = self._run(tasks)
        self.reference = {s: finals[f"baseline-s{s}"] for s in self.setup.seeds}

    def evaluate_batch(self, batch: Sequence[dict[str, Any]]) -> list[Evaluation]:
        """Evaluate a generation: the new candidates' runs go to the engine as one batch."""
        self.ensure_reference()
        keys = [candidate_key(ov) for ov in batch]
        new: dict[str, dict[str, Any]] = {}
        for k, ov in zip(keys, batch, strict=True):
            if k not in self.cache and k not in new:
                new[k] = ov
        tasks = [self._task(f"{k}-s{s}", ov, s) for k, ov in new.items()
                 for s in self.setup.seeds]
        finals = self._run(tasks) if tasks else {}
        for k, ov in new.items():
            self.cache[k] = self._summarise(k, ov, finals)
        return [self.cache[k] for k in keys]

    def _summarise(self, key: str, ov: dict[str, Any],
                   finals: Mapping[str, Mapping[str, float]]) -> Evaluation:
        seeds = self.setup.seeds
        vals: dict[str, float] = {}
        diffs: dict[str, tuple[float, float]] = {}
        for m in (*OBJECTIVES, COST_METRIC):
            x = np.array([finals[f"{key}-s{s}"][m] for s in seeds], dtype=float)
            ref = np.array([self.reference[s][m] for s in seeds], dtype=float)
            if not np.isfinite(x).all() or not np.isfinite(ref).all():
                raise OptimiseError(f"{m} is undefined (NaN) in a run of {ov or 'the baseline'}"
                                    f" on {self.setup.days} days: too short a run to compare "
                                    f"mixes; allowed: more --days (e.g. 365).")
            d = x - ref
            if m == COST_METRIC:
                d = d / self.communities
            half = float(t_half_width(d.std(ddof=1), len(d))) if len(d) > 1 else math.nan
            vals[m] = float(x.mean())
            diffs[m] = (float(d.mean()), half)
        vals[EXTRA_COST] = diffs[COST_METRIC][0]
        return Evaluation(key, dict(ov), vals, diffs, order=len(self.cache))


# --------------------------------------------------------------------------------------------
# Pareto fronts
# --------------------------------------------------------------------------------------------
def minimised(values: np.ndarray) -> np.ndarray:
    """Columns (extra cost, on-time, participation, trust) as all-minimised objectives."""
    return values * np.array([1.0] + [-1.0] * (values.shape[1] - 1))


def nondominated(points: np.ndarray) -> np.ndarray:
    """Boolean mask: rows not dominated by any other row (all columns minimised)."""
    n = len(points)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        le = np.all(points <= points[i], axis=1)
        lt = np.any(points < points[i], axis=1)
        if np.any(le & lt):
            keep[i] = False
    return keep


def front_mask(values: np.ndarray, budget: float) -> np.ndarray:
    """The evaluated points within ``budget`` that no other such point dominates."""
    feasible = values[:, 0] <= budget
    mask = np.zeros(len(values), dtype=bool)
    if feasible.any():
        mask[np.flatnonzero(feasible)] = nondominated(minimised(values[feasible]))
    return mask


# --------------------------------------------------------------------------------------------
# The search
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def private_random(seed: int) -> Iterator[random.Random]:
    """Platypus calls the ``random`` module's functions; for the search they use a private
    generator seeded with ``seed``, so threads elsewhere (Dask's) cannot shift its draws."""
    import platypus  # noqa: F401 - loads the submodules patched below

    rng = random.Random(seed)
    mods = [m for name, m in sys.modules.items()
            if (name == "platypus" or name.startswith("platypus.")) and m is not None
            and getattr(m, "random", None) is random]
    for m in mods:
        m.random = rng           # type: ignore[attr-defined]
    try:
        yield rng
    finally:
        for m in mods:
            m.random = random    # type: ignore[attr-defined]


@dataclass
class Result:
    setup: Setup
    evaluated: pd.DataFrame        # one row per distinct candidate
    front: pd.DataFrame            # one row per (budget, front point)
    reference: dict[str, float]    # the baseline's means
    runs: int
    seconds: float
    engine: str
    generations: dict[float, int] = field(default_factory=dict)
    cpu_seconds: float = math.nan       # this process and its finished workers (local only)


def search(setup: Setup, session: EngineSession, *,
           log: Callable[[str], None] | None = None) -> Result:
    """NSGA-II per budget, generation by generation, every generation one engine batch."""
    try:
        import platypus
    except ImportError:
        raise OptimiseError("the optimiser needs Platypus, which comes with the EMA "
                            "Workbench: pip install 'community-governance[ema]'. Nothing was "
                            "run.") from None
    from commgov.model.metrics import metric_record
    from commgov.scenarios.loader import load_scenario, scenario_to_dict

    for m in OBJECTIVES:
        rec = metric_record(m)
        if rec is None or rec.direction != 1:
            raise OptimiseError(f"objective {m!r} is not a metric with 'higher is better'")
    loaded = load_scenario(setup.scenario,
                           {"graph.households_per_community": setup.households})
    params = scenario_to_dict(loaded.scenario)

    def get(key: str) -> Any:
        node: Any = params
        for part in key.split("."):
            node = node[part]
        return node

    base = {lv.key: get(lv.key) for lv in setup.levers}
    communities = int(get("graph.communities"))
    ev = Evaluator(setup, session, base, communities)
    say = log or (lambda _msg: None)
    t0 = time.perf_counter()
    pop = max(4, min(setup.population, setup.evaluations))
    pop += pop % 2
    generations: dict[float, int] = {}

    class BatchEvaluator(platypus.Evaluator):
        """A generation's candidates → one batch on our engine; Platypus then reads each
        from the cache."""

        def evaluate_all(self, jobs: list[Any], **kwargs: Any) -> list[Any]:
            batch = [ev.overrides([t.decode(v) for t, v in
                                   zip(job.solution.problem.types, job.solution.variables,
                                       strict=True)]) for job in jobs]
            ev.evaluate_batch(batch)
            for job in jobs:
                job.run()
            return jobs

    for budget in setup.budgets:
        problem = platypus.Problem(len(setup.levers), 1 + len(OBJECTIVES), 1)
        problem.types[:] = [platypus.Real(0.0, float(len(lv.levels))) for lv in setup.levers]
        problem.directions[:] = [platypus.Problem.MINIMIZE] + \
            [platypus.Problem.MAXIMIZE] * len(OBJECTIVES)
        problem.constraints[:] = "<=0"

        def evaluate(solution: Any, budget: float = budget) -> None:
            e = ev.cache[candidate_key(ev.overrides(solution.variables))]
            solution.objectives[:] = [e.values[EXTRA_COST], *(e.values[m] for m in OBJECTIVES)]
            solution.constraints[:] = [e.values[EXTRA_COST] - budget]

        problem.evaluate = evaluate

        with private_random(setup.seed):
            # The status quo (every lever at the base scenario's level) is in the first
            # generation: it costs nothing extra, so every budget has a feasible mix.
            status_quo = platypus.Solution(problem)
            status_quo.variables[:] = [t.encode(lv.index_of(base[lv.key]) + 0.5) for t, lv in
                                       zip(problem.types, setup.levers, strict=True)]
            algo = platypus.NSGAII(problem, population_size=pop, evaluator=BatchEvaluator(),
                                   generator=platypus.InjectedPopulation([status_quo]))
            n_gen = max(1, math.ceil(setup.evaluations / pop))
            for g in range(n_gen):
                before = (len(ev.cache), ev.runs)
                algo.step()
                done = [e.values for e in ev.cache.values()]
                vals = np.array([[v[EXTRA_COST], *(v[m] for m in OBJECTIVES)] for v in done])
                n_front = int(front_mask(vals, budget).sum())
                say(f"budget {budget:,.0f}: generation {g + 1}/{n_gen}: {pop} candidates, "
                    f"{len(ev.cache) - before[0]} new ({ev.runs - before[1]} runs); front "
                    f"{n_front} point(s) within budget; {time.perf_counter() - t0:.0f} s")
            generations[budget] = n_gen

    evaluated = evaluated_table(ev, setup)
    values = evaluated[[EXTRA_COST, *OBJECTIVES]].to_numpy(dtype=float)
    fronts = []
    for b in setup.budgets:
        mask = front_mask(values, b)
        evaluated[f"within_{b:.0f}"] = values[:, 0] <= b
        evaluated[f"front_{b:.0f}"] = mask
        part = evaluated.loc[mask, [c for c in evaluated.columns
                                    if not c.startswith(("within_", "front_"))]].copy()
        part = part.sort_values([EXTRA_COST, "candidate"]).reset_index(drop=True)
        part.insert(0, "budget_yuan", b)
        part.insert(1, "point", range(1, len(part) + 1))
        fronts.append(part)
    front = pd.concat(fronts, ignore_index=True)
    reference = {m: float(np.mean([ev.reference[s][m] for s in setup.seeds]))
                 for m in (*OBJECTIVES, COST_METRIC)}
    return Result(setup, evaluated, front, reference, ev.runs, time.perf_counter() - t0,
                  session.label, generations)


def evaluated_table(ev: Evaluator, setup: Setup) -> pd.DataFrame:
    rows = []
    for e in sorted(ev.cache.values(), key=lambda e: e.order):
        row: dict[str, Any] = {"candidate": e.key, "order": e.order}
        row.update({lv.key: e.overrides[lv.key] for lv in setup.levers})
        row[EXTRA_COST] = e.values[EXTRA_COST]
        row[f"{EXTRA_COST}_ci95"] = e.diffs[COST_METRIC][1]
        for m in OBJECTIVES:
            row[m] = e.values[m]
            row[f"{m}_diff"] = e.diffs[m][0]
            row[f"{m}_diff_ci95"] = e.diffs[m][1]
        row[COST_METRIC] = e.values[COST_METRIC]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------
def _label(metric: str) -> str:
    """An objective's axis and column label from its metric record (name and unit)."""
    from commgov.model.metrics import metric_record

    rec = metric_record(metric)
    return f"{rec.label[0]} ({rec.unit[0]})"


def _scale(metric: str) -> float:
    """100 for shares shown as %, else 1 (the record says which)."""
    from commgov.model.metrics import metric_record

    return 100.0 if metric_record(metric).percent else 1.0


def figure(res: Result, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ev, fr = res.evaluated, res.front
    fig, axes = plt.subplots(1, len(OBJECTIVES), figsize=(5 * len(OBJECTIVES), 4.2),
                             constrained_layout=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, m in zip(axes, OBJECTIVES, strict=True):
        s = _scale(m)
        ax.scatter(ev[EXTRA_COST] / 1e3, ev[m] * s, s=12, c="0.75", label="evaluated")
        # Larger budgets first, with larger markers: a smaller budget's front is a part of
        # a larger one's and is drawn on top of it.
        budgets = res.setup.budgets
        for i, b in sorted(enumerate(budgets), key=lambda ib: -ib[1]):
            part = fr[fr["budget_yuan"] == b].sort_values(EXTRA_COST)
            c = colours[i % len(colours)]
            ax.scatter(part[EXTRA_COST] / 1e3, part[m] * s, s=22 + 40 * (len(budgets) - 1 - i),
                       color=c, label=f"front, budget {b / 1e3:,.0f}k")
            ax.axvline(b / 1e3, color=c, ls="--", lw=1)
        ax.scatter([0], [res.reference[m] * s], marker="*", s=140, color="black",
                   label="baseline", zorder=5)
        ax.set_xlabel("extra cost per community (thousand yuan / year)")
        ax.set_ylabel(_label(m))
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Policy mixes: cost against outcomes (mean of {res.setup.reps} paired "
                 f"seeds, {res.setup.households:,} households, {res.setup.days} days)")
    runner.save_figure(fig, path)
    plt.close(fig)
    return path


def _fmt_value(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "on" if v else "off"
    if isinstance(v, float | np.floating):
        return f"{v:.3g}"
    return html.escape(str(v))


def html_page(res: Result, png: Path) -> str:
    s = res.setup
    img = base64.b64encode(png.read_bytes()).decode()
    parts = []
    for b in s.budgets:
        part = res.front[res.front["budget_yuan"] == b]
        head = ["#", "extra cost (yuan)", *[_label(m) for m in OBJECTIVES],
                *[f"{lv.label or lv.key} ({lv.key})" for lv in s.levers]]
        rows = []
        for r in part.to_dict("records"):
            cells = [str(r["point"]), f"{r[EXTRA_COST]:,.0f} ± {r[EXTRA_COST + '_ci95']:,.0f}"]
            for m in OBJECTIVES:
                cells.append(f"{r[m] * _scale(m):.3g} ({r[m + '_diff'] * _scale(m):+.2g} ± "
                             f"{r[m + '_diff_ci95'] * _scale(m):.2g})")
            cells += [_fmt_value(r[lv.key]) for lv in s.levers]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append(f"<h2>Budget {b:,.0f} yuan a year per community: {len(part)} "
                     f"mix(es) on the front</h2><table><thead><tr>"
                     + "".join(f"<th>{html.escape(h)}</th>" for h in head)
                     + f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    ref = ", ".join(f"{_label(m)} {res.reference[m] * _scale(m):.3g}" for m in OBJECTIVES)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Policy mixes under a budget</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; max-width: 1500px; }}
table {{ border-collapse: collapse; font-size: 0.8em; margin-bottom: 1.5em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; }} th {{ background: #f3f3f3; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>Policy mixes under a budget (NSGA-II)</h1>
<p>[001]: Xiayang (Qingpu) spends about 580,000 yuan a year per community on services, Yanzhou
about 200,000. Budget here = yearly cost above the baseline community's (same community, same
seeds), per community. Objectives: extra cost (minimised), on-time handling, participation and
trust (maximised), each the mean of {s.reps} paired replications (seeds {s.seeds}) on day
{s.days} of a community of {s.households:,} households. In brackets: the paired difference
from the baseline ± its 95% CI. Baseline: {html.escape(ref)}, street cost
{res.reference[COST_METRIC]:,.0f} yuan a year.</p>
<p>{len(res.evaluated)} distinct candidates evaluated ({res.runs} model runs, {res.seconds:.0f} s
on {html.escape(res.engine)}); levers: {html.escape(', '.join(lv.key for lv in s.levers))}.
A front = the evaluated mixes within the budget that no other such mix beats on all four
objectives.</p>
<img alt="Pareto front: cost against outcomes" src="data:image/png;base64,{img}">
{''.join(parts)}
</body></html>
"""


def write_outputs(res: Result, out: Path, *, argv: Sequence[str] | None = None
                  ) -> list[Path]:
    from commgov.experiments.sweep import code_fingerprint

    files = [runner.write_csv(out / "front.csv", res.front),
             runner.write_csv(out / "evaluated.csv", res.evaluated)]
    png = figure(res, out / "front.png")
    files.append(png)
    files.append(runner.write_text(out / "index.html", html_page(res, png)))
    digests = {p.name: _sha256(p) for p in files}
    files.append(runner.write_json(out / "run.json", {
        "command": "optimise", "argv": list(argv) if argv is not None else None,
        "setup": res.setup.to_json(),
        "budget_meaning": "yearly cost above the baseline community (same scenario, size "
                          "and seeds), per community, mean over paired seeds",
        "reference": res.reference, "generations": {f"{b:.0f}": g for b, g in
                                                     res.generations.items()},
        "candidates": len(res.evaluated), "runs": res.runs,
        "front_points": {f"{b:.0f}": int((res.front["budget_yuan"] == b).sum())
                         for b in res.setup.budgets},
        "seconds": round(res.seconds, 1), "engine": res.engine,
        "cpu_seconds_local": None if math.isnan(res.cpu_seconds) else round(res.cpu_seconds, 1),
        "code": code_fingerprint(), "outputs_sha256": digests,
        "created_at": runner.now_iso(), "git_commit": runner.git_commit(),
        "versions": {**runner.versions(), "platypus": _version("platypus-opt")}}))
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def add_parser(sub: Any, fmt: Any) -> None:
    from commgov.experiments.cli import _add_force, int_option

    p = sub.add_parser(
        "optimise", help="Pareto fronts of policy mixes under a budget (NSGA-II)",
        formatter_class=fmt, allow_abbrev=False,
        description="Search the policy levers (every parameter with an app lever outside "
                    "the 'context' group, staffing included) for the mixes that maximise "
                    "on-time handling, participation and trust and minimise cost, with the "
                    "yearly cost above the baseline community's (per community) at most the "
                    "budget. NSGA-II (Platypus), each generation run as one batch on local "
                    "processes or Dask; every candidate on the same seeds 0..reps-1. Writes "
                    "front.csv, evaluated.csv, front.png, index.html and run.json to --out.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --budget 200000 --evaluations 120 --reps 4\n"
               "  %(prog)s --levers staff.per_10k_residents,grid.merged,grid.added_staff,"
               "loop.closed_loop --dask-local")
    p.add_argument("--budget", action="append", default=None, metavar="YUAN[,YUAN]",
                   help="yuan a year per community above the baseline's cost (repeatable or "
                        "comma list; default: 200000,580000 [001])")
    p.add_argument("--levers", default=None, metavar="KEY,KEY",
                   help="restrict the search to these levers (dotted keys; default: every "
                        "policy lever)")
    p.add_argument("--evaluations", type=int_option(4, 100_000, "candidate evaluations",
                                                    "--evaluations 120"),
                   default=DEFAULT_EVALUATIONS, metavar="N",
                   help=f"candidate evaluations per budget, in whole generations (default: "
                        f"{DEFAULT_EVALUATIONS})")
    p.add_argument("--population", type=int_option(4, 10_000, "population size",
                                                   "--population 20"),
                   default=DEFAULT_POPULATION, metavar="N",
                   help=f"NSGA-II population (candidates per generation; default: "
                        f"{DEFAULT_POPULATION})")
    p.add_argument("--reps", type=int_option(1, 1000, "replications", "--reps 3"),
                   default=DEFAULT_REPS, metavar="N",
                   help=f"replications per candidate, seeds 0..N-1 for every candidate "
                        f"(default: {DEFAULT_REPS})")
    p.add_argument("--days", type=int_option(1, runner.MAX_DAYS, "days to simulate",
                                             "--days 365"),
                   default=DEFAULT_DAYS, metavar="N",
                   help=f"simulated days per run (default: {DEFAULT_DAYS})")
    p.add_argument("--households", type=int_option(500, 10_000, "households per community",
                                                   "--households 1500"),
                   default=DEFAULT_HOUSEHOLDS, metavar="N",
                   help=f"households in the community (default: {DEFAULT_HOUSEHOLDS})")
    p.add_argument("--seed", type=int_option(0, 2**31 - 1, "random seed", "--seed 0"),
                   default=0, metavar="N",
                   help="seed of the optimiser; same seed, same front on any engine "
                        "(default: 0)")
    p.add_argument("--workers", type=int_option(1, 1024, "worker processes", "--workers 2"),
                   default=None, metavar="N", help="worker processes (default: all cores)")
    engine = p.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on an existing Dask distributed cluster")
    engine.add_argument("--dask-local", action="store_true",
                        help="start a Dask LocalCluster on this machine (--workers workers)")
    p.add_argument("--out", default="results/optimise", metavar="DIR",
                   help="output directory (default: results/optimise)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress lines (one per generation)")
    _add_force(p)
    p.set_defaults(func=cmd_optimise)


def cmd_optimise(args: Any) -> int:
    """Check every input before anything runs; then search, write, and print the fronts."""
    from commgov.experiments import cli, engine
    from commgov.scenarios.loader import load_scenario

    budgets = parse_budgets(args.budget)
    levers = select_levers(args.levers)
    if not levers:
        raise OptimiseError("no policy lever found in the parameters' records.")
    setup = Setup(levers=levers, budgets=budgets, evaluations=args.evaluations,
                  population=args.population, reps=args.reps, days=args.days,
                  households=args.households, seed=args.seed)
    loaded = load_scenario(setup.scenario, {"graph.households_per_community": args.households})
    workers = args.workers or engine.default_workers()
    if not args.scheduler:
        runner.check_size(loaded, args.days, runs_at_once=workers)
    out = cli.claim_out(args.out, force=args.force, owned=OUT_FILES, what="optimise")
    session = EngineSession(workers=workers, scheduler=args.scheduler,
                            dask_local=args.dask_local)
    progress = not args.no_progress and cli.VERBOSITY >= 1
    cli.info(f"Optimise: {len(levers)} levers, budgets "
             f"{', '.join(f'{b:,.0f}' for b in budgets)} yuan a year per community; "
             f"~{args.evaluations} candidates per budget x {args.reps} paired seeds, "
             f"{args.households:,} households, {args.days} days; on {session.label}")

    def log(msg: str) -> None:
        if progress:
            print(msg, file=sys.stderr, flush=True)

    with session:
        res = search(setup, session, log=log)
    if not (args.scheduler or args.dask_local):
        from commgov.experiments.claims import cpu_seconds

        res.cpu_seconds = cpu_seconds()
    files = write_outputs(res, out, argv=sys.argv[1:])
    for b in budgets:
        part = res.front[res.front["budget_yuan"] == b]
        cli.info(f"\nBudget {b:,.0f}: {len(part)} mix(es) on the front (all in front.csv); "
                 f"among them:")
        for what, r in highlights(part, res.reference):
            on = [lv.key.split(".")[-1] + ("" if isinstance(r[lv.key], bool | np.bool_)
                                           else f"={r[lv.key]:g}")
                  for lv in levers if r[lv.key] != loaded_value(loaded, lv.key)]
            cli.info(f"  {what:<22} {r[EXTRA_COST]:>+9,.0f} yuan  on-time "
                     f"{100 * r['on_time_share']:5.1f}%  particip. "
                     f"{100 * r['participation_rate']:4.1f}%  trust {r['trust_mean']:.3f}  "
                     f"{', '.join(on) or '(baseline)'}")
    cpu = (f", {res.cpu_seconds:.0f} CPU-seconds (on 2 idle cores: about "
           f"{res.cpu_seconds / 2 / 60:.1f} min)") if math.isfinite(res.cpu_seconds) else ""
    print(f"\n{len(res.evaluated)} candidates, {res.runs} runs in {res.seconds:.1f} s wall on "
          f"{res.engine}{cpu}. Wrote {out}/: {', '.join(f.name for f in files)}")
    return 0


def highlights(part: pd.DataFrame, reference: Mapping[str, float]
               ) -> list[tuple[str, dict[str, Any]]]:
    """A few front points worth reading first: the best on each outcome, and the cheapest
    mix that is better than the baseline on all three."""
    out: list[tuple[str, dict[str, Any]]] = []
    if part.empty:
        return out
    for m, what in zip(OBJECTIVES, ("best on-time handling", "best participation",
                                    "best trust"), strict=True):
        out.append((what, part.sort_values([m, EXTRA_COST], ascending=[False, True])
                    .iloc[0].to_dict()))
    better = part[np.logical_and.reduce([part[m] > reference[m] for m in OBJECTIVES])]
    if len(better):
        out.append(("cheapest better on all", better.sort_values(EXTRA_COST).iloc[0].to_dict()))
    return out


def loaded_value(loaded: Any, key: str) -> Any:
    node: Any = loaded.scenario
    for part in key.split("."):
        node = getattr(node, part)
    return node
