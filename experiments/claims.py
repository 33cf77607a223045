"""The claims suite: does each cause → effect claim of the papers hold in the model, and where?

The claims are data (``experiments/claims.toml``): one record per claim with its statement,
source paper and quote, the two sides compared (scenario and overrides), an optional condition
(e.g. a community size) or a second condition for an interaction ("hardest in small
communities"), the metric and the expected direction. :func:`load_claims` validates the file
before anything runs and names every problem (claim id, key, value, what is allowed).

:func:`run_claims` then tests every claim twice:

1. **At default parameters**, with ``reps`` paired replications: replication *k* of side A and
   of side B run with the same seed (common random numbers), so the paired difference is the
   mechanism, not different luck. The effect is the mean paired difference with its 95%
   t-interval; a claim *holds at default* when that interval excludes zero on the expected
   side (or, for a "no meaningful difference" claim, lies inside ±margin).
2. **Across the uncertain parameters**: a Latin hypercube (SALib) over the ``[space]`` of
   parameters the papers do not give. At each point the paired effect is estimated with
   ``point_reps`` replications; ``share_of_space`` is the share of points where it has the
   expected sign. Where a claim fails somewhere, PRIM (EMA Workbench) on the design with the
   failure indicator gives the box of parameter ranges where failures concentrate.

Every distinct run (scenario, overrides, seed) is run once, however many claims share it (most
claims share the baseline), through the sweep engines (``experiments/engine.py``): local
processes or a Dask cluster, with identical numbers either way.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import hashlib
import html
import inspect
import json
import math
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from commgov.experiments import runner
from commgov.experiments.errors import read_toml, refuse
from commgov.experiments.stats import mean_ci, t_half_width

CLAIMS_FILE = Path(__file__).resolve().parent / "claims.toml"
DEFAULT_OUT = "results/validate"
PAPERS = ("000", "001", "002", "003", "004")
# --quick: a short, still paired run of every claim (the statistics are noisier, not fake).
QUICK = {"days": 120, "reps": 4, "samples": 8, "point_reps": 1}
CSV_COLUMNS = ("claim", "source", "holds_at_default", "effect", "ci_low", "ci_high",
               "share_of_space", "metric", "direction", "margin", "statement", "prim_box",
               "mean_a", "mean_b", "n", "n_points", "comparison", "statement_zh", "section",
               "quote", "note")


class ClaimsError(ValueError):
    """A problem in the claims file or the claims options (reported, never a traceback)."""


# --------------------------------------------------------------------------------------------
# The file
# --------------------------------------------------------------------------------------------
class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Side(_Model):
    """One side of a comparison: a scenario and overrides on top of it."""
    scenario: str = "baseline"
    set: dict[str, Any] = Field(default_factory=dict)


class Claim(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    statement: str = Field(min_length=1)
    statement_zh: str = ""
    source: str = Field(pattern=r"^\[\d{3}(, ?\d{3})*\]$")
    section: str = ""
    quote: str = Field(min_length=1)
    a: Side
    b: Side
    condition: dict[str, Any] = Field(default_factory=dict)
    versus: dict[str, Any] | None = None
    metric: str
    direction: Literal[-1, 0, 1]
    margin: float | None = Field(None, gt=0)
    note: str = ""

    @model_validator(mode="after")
    def _margin(self) -> Claim:
        if self.direction == 0 and self.margin is None:
            raise ValueError("direction = 0 (no meaningful difference) needs a margin > 0")
        if self.direction != 0 and self.margin is not None:
            raise ValueError(f"margin is only used with direction = 0, not {self.direction}")
        return self

    @property
    def papers(self) -> list[str]:
        return [p.strip() for p in self.source.strip("[]").split(",")]

    def conditions(self) -> list[dict[str, Any]]:
        """The condition(s) under which B − A is measured: one, or two for an interaction."""
        return [self.condition] if self.versus is None else [self.condition, self.versus]

    def comparison(self) -> str:
        """The comparison in words, e.g. ``grid_merge − baseline | graph.x=1500``."""
        def side(s: Side) -> str:
            sets = ", ".join(f"{k}={v}" for k, v in s.set.items())
            return s.scenario + (f" [{sets}]" if sets else "")

        def cond(c: Mapping[str, Any]) -> str:
            return ", ".join(f"{k}={v}" for k, v in c.items())

        text = f"{side(self.b)} − {side(self.a)}"
        if self.versus is not None:
            return f"({text} | {cond(self.condition)}) − (same | {cond(self.versus)})"
        return text + (f" | {cond(self.condition)}" if self.condition else "")


class Settings(_Model):
    days: int = Field(365, ge=1, le=36_500)
    reps: int = Field(16, ge=2, le=10_000)
    samples: int = Field(24, ge=0, le=100_000)
    point_reps: int = Field(2, ge=1, le=1_000)
    lhs_seed: int = Field(0, ge=0)


class ClaimsFile(_Model):
    settings: Settings = Field(default_factory=Settings)
    space: dict[str, tuple[float, float]] = Field(default_factory=dict)
    claim: list[Claim] = Field(min_length=1)


@dataclass(frozen=True)
class Suite:
    """A validated claims file."""
    path: Path
    settings: Settings
    space: dict[str, tuple[float, float]]
    claims: tuple[Claim, ...]

    def select(self, ids: Sequence[str]) -> Suite:
        """Only the claims with these ids (in file order); unknown ids are an error."""
        known = [c.id for c in self.claims]
        bad = [i for i in ids if i not in known]
        if bad:
            hint = difflib.get_close_matches(bad[0], known, n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ClaimsError(f"--only: unknown claim id '{bad[0]}'{tip}; allowed: ids from "
                              f"{self.path.name}: {', '.join(known)}.")
        keep = set(ids)
        return Suite(self.path, self.settings, self.space,
                     tuple(c for c in self.claims if c.id in keep))


def _loc(err: dict, data: Mapping[str, Any]) -> str:
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] == "claim" and isinstance(loc[1], int):
        claims = data.get("claim") or []
        cid = claims[loc[1]].get("id") if loc[1] < len(claims) and isinstance(
            claims[loc[1]], dict) else None
        head = f"claim '{cid}'" if cid else f"claim #{loc[1] + 1}"
        rest = ".".join(str(x) for x in loc[2:])
        return f"{head}{'.' + rest if rest else ''}"
    return ".".join(str(x) for x in loc) or "(top level)"


def _pydantic_problems(e: ValidationError, data: Mapping[str, Any]) -> list[str]:
    out = []
    for err in e.errors():
        where = _loc(err, data)
        if err["type"] == "extra_forbidden":
            field_name = str(err["loc"][-1])
            parent = str(err["loc"][-2]) if len(err["loc"]) > 1 else ""
            model = {"settings": Settings, "a": Side, "b": Side}.get(parent)
            if model is None:
                model = Claim if "claim" in where else ClaimsFile
            valid = list(model.model_fields)
            hint = difflib.get_close_matches(field_name, valid, n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
            out.append(f"{where}: unknown key{tip}; allowed keys: {', '.join(valid)}.")
            continue
        value = err.get("input")
        shown = json.dumps(value, ensure_ascii=False, default=str) \
            if not isinstance(value, dict) else "{…}"
        if len(shown) > 80:
            shown = shown[:77] + "…"
        out.append(f"{where} = {shown}: {err['msg']}.")
    return out


def _fail(label: str, problems: list[str]) -> NoReturn:
    refuse(ClaimsError, label, problems)


def _scenario_keys(loaded: Any) -> set[str]:
    """Dotted keys a scenario's own files set (its ``extends`` chain)."""
    keys: set[str] = set()

    def walk(d: Mapping[str, Any], prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                keys.add(f"{prefix}{k}")

    for p in loaded.chain:
        data = tomllib.loads(Path(p).read_text(encoding="utf-8"))
        walk({k: v for k, v in data.items() if isinstance(v, dict)}, "")
    return keys


def is_uncertain(key: str) -> bool:
    """A parameter the papers do not give: its source or its ODD basis says 'assum(ed)'."""
    from commgov.experiments.validate import _basis
    from commgov.scenarios.loader import flat_parameters

    info = flat_parameters()[key]
    return "assum" in info.source.lower() or "assum" in _basis(key, info.source,
                                                               info.type).lower()


def load_claims(path: str | Path = CLAIMS_FILE) -> Suite:
    """Read and validate a claims file; raise :class:`ClaimsError` naming every problem."""
    from commgov.model.metrics import METRICS
    from commgov.scenarios.loader import ScenarioError, flat_parameters, load_scenario

    path = Path(path)
    label = str(path)
    _, data = read_toml(path, label, ClaimsError, "claims file")
    try:
        spec = ClaimsFile.model_validate(data)
    except ValidationError as e:
        _fail(label, _pydantic_problems(e, data))

    problems: list[str] = []
    params = flat_parameters()
    metrics = [m.name for m in METRICS if m.name != "day"]
    seen: set[str] = set()
    claim_keys: set[str] = set()
    for c in spec.claim:
        where = f"claim '{c.id}'"
        if c.id in seen:
            problems.append(f"{where}: id used twice; every claim needs its own id.")
        seen.add(c.id)
        bad = [p for p in c.papers if p not in PAPERS]
        if bad:
            problems.append(f"{where}.source = {c.source!r}: unknown paper [{bad[0]}]; allowed: "
                            f"{', '.join(f'[{p}]' for p in PAPERS)}.")
        if c.metric not in metrics:
            hint = difflib.get_close_matches(c.metric, metrics, n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(f"{where}.metric = {c.metric!r}: unknown metric{tip}; allowed: a "
                            f"column of model/metrics.py: {', '.join(metrics)}.")
        if c.a == c.b:
            problems.append(f"{where}: sides a and b are the same; a claim compares two "
                            f"different settings.")
        for cond_name, cond in zip(("condition", "versus"), c.conditions(), strict=False):
            claim_keys.update(k.replace("__", ".") for k in cond)
            for side_name, side in (("a", c.a), ("b", c.b)):
                claim_keys.update(k.replace("__", ".") for k in side.set)
                try:
                    loaded = load_scenario(side.scenario, {**cond, **side.set})
                except ScenarioError as e:
                    msg = str(e).replace(" Nothing was run.", "")
                    problems.append(f"{where}, side {side_name}"
                                    f"{' with ' + cond_name if cond else ''}: {msg}")
                    continue
                claim_keys.update(_scenario_keys(loaded))
        if c.versus is not None and c.versus == c.condition:
            problems.append(f"{where}: versus equals condition; an interaction needs two "
                            f"different conditions.")

    for key, (lo, hi) in spec.space.items():
        where = f"space.{key}"
        info = params.get(key)
        if info is None:
            hint = difflib.get_close_matches(key, list(params), n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(f"{where}: unknown parameter{tip}; allowed: keys of "
                            f"docs/PARAMETERS.md.")
            continue
        if info.type not in ("float", "int"):
            problems.append(f"{where}: a {info.type} parameter cannot be sampled; allowed: "
                            f"numeric parameters.")
            continue
        if not lo < hi:
            problems.append(f"{where} = [{lo}, {hi}]: needs low < high.")
        if (info.ge is not None and lo < info.ge) or (info.le is not None and hi > info.le):
            problems.append(f"{where} = [{lo}, {hi}]: outside the parameter's allowed range "
                            f"{info.ge} to {info.le} ({info.unit}).")
        if not is_uncertain(key):
            problems.append(f"{where}: not an uncertain parameter (source {info.source}); "
                            f"allowed: parameters whose value is an assumption (source "
                            f"'assumption' or an ODD basis 'value assumed').")
        if key in claim_keys:
            problems.append(f"{where}: a claim or a claim's scenario sets this parameter, so "
                            f"sampling it would overwrite the comparison; allowed: parameters "
                            f"no claim sets.")
    if problems:
        _fail(label, problems)
    if spec.space:   # the corners of the space must load in every claim's setting
        for corner in (0, 1):
            point = {k: (int(round(v[corner])) if params[k].type == "int" else v[corner])
                     for k, v in spec.space.items()}
            try:
                load_scenario("baseline", point)
            except ScenarioError as e:
                _fail(label, [f"space: the {'low' if corner == 0 else 'high'} corner does "
                              f"not load: {str(e).replace(' Nothing was run.', '')}"])
    return Suite(path=path, settings=spec.settings, space=dict(spec.space),
                 claims=tuple(spec.claim))


# --------------------------------------------------------------------------------------------
# Statistics (pure functions: tested on synthetic data)
# --------------------------------------------------------------------------------------------
def holds(direction: int, ci_low: float, ci_high: float, margin: float | None = None) -> bool:
    """Does the interval support the claim? +1: above zero; −1: below; 0: inside ±margin."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return False
    if direction > 0:
        return bool(ci_low > 0)
    if direction < 0:
        return bool(ci_high < 0)
    if margin is None:
        raise ValueError("direction 0 needs a margin")
    return bool(-margin < ci_low and ci_high < margin)


def agrees(direction: int, effects: np.ndarray, margin: float | None = None) -> np.ndarray:
    """Per point: does the (point-estimate) effect agree with the claim? NaN stays False."""
    e = np.asarray(effects, dtype=float)
    with np.errstate(invalid="ignore"):
        if direction > 0:
            return e > 0
        if direction < 0:
            return e < 0
        if margin is None:
            raise ValueError("direction 0 needs a margin")
        return np.abs(e) < margin


def share_of_space(direction: int, effects: np.ndarray, margin: float | None = None) -> float:
    """Share of the design points (with a finite effect) where the claim holds."""
    e = np.asarray(effects, dtype=float)
    ok = np.isfinite(e)
    if not ok.any():
        return math.nan
    return float(agrees(direction, e[ok], margin).mean())


PRIM_MIN_FAILURES = 2


def prim_box(design: pd.DataFrame, failed: np.ndarray, threshold: float = 0.5,
             min_failures: int = PRIM_MIN_FAILURES) -> dict[str, tuple[float, float]] | None:
    """PRIM (EMA Workbench) on the design with the failure indicator: the restricted
    dimensions of the box where failures concentrate, or None when there are too few
    failures to find one (fewer than ``min_failures``) or no box reaches ``threshold``
    density. The box chosen is the densest one on the peeling trajectory whose density
    reaches the threshold with the largest coverage."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.WARNING)
    y = np.asarray(failed, dtype=bool)
    if y.sum() < min_failures or y.all():
        return None
    x = design.reset_index(drop=True).astype(float)
    kwargs: dict[str, Any] = {"peel_alpha": 0.1, "mass_min": 0.1}
    if "threshold" in inspect.signature(prim.Prim).parameters:   # ema_workbench 2.x
        kwargs["threshold"] = threshold
    with warnings.catch_warnings():
        # EMA Workbench still uses pandas APIs that pandas 3 deprecates; not ours to fix.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        box = prim.Prim(x, y, **kwargs).find_box()
    traj = box.peeling_trajectory
    ok = traj[traj["density"] >= threshold]
    if ok.empty:
        return None
    best = int(ok.sort_values(["coverage", "density"], ascending=False).index[0])
    lims = box.box_lims[best]
    out: dict[str, tuple[float, float]] = {}
    for col in x.columns:
        lo, hi = float(lims.at[0, col]), float(lims.at[1, col])
        if lo > float(x[col].min()) or hi < float(x[col].max()):
            out[col] = (lo, hi)
    return out


def format_box(box: Mapping[str, tuple[float, float]] | None) -> str:
    if box is None:
        return ""
    if not box:
        return "whole space"
    return "; ".join(f"{k} in [{_num(lo)}, {_num(hi)}]" for k, (lo, hi) in box.items())


def _num(v: float) -> str:
    return f"{v:.3g}"


# --------------------------------------------------------------------------------------------
# The runs
# --------------------------------------------------------------------------------------------
def _key(scenario: str, overrides: Mapping[str, Any]) -> str:
    """A stable id of one configuration (scenario + overrides)."""
    blob = json.dumps([scenario, sorted((str(k), v) for k, v in overrides.items())],
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Config:
    key: str
    scenario: str
    overrides: dict[str, Any]


def claim_configs(claim: Claim, point: Mapping[str, Any]) -> list[tuple[Config, Config]]:
    """(A, B) per condition; overrides: point < condition < the side's own set."""
    out = []
    for cond in claim.conditions():
        pair = []
        for side in (claim.a, claim.b):
            ov = {**point, **cond, **side.set}
            pair.append(Config(_key(side.scenario, ov), side.scenario, ov))
        out.append((pair[0], pair[1]))
    return out


def lhs_design(space: Mapping[str, tuple[float, float]], samples: int, seed: int
               ) -> pd.DataFrame:
    """A Latin hypercube over the space (SALib); integer parameters rounded."""
    from SALib.sample import latin

    from commgov.scenarios.loader import flat_parameters

    keys = list(space)
    if samples <= 0 or not keys:
        return pd.DataFrame(columns=keys)
    problem = {"num_vars": len(keys), "names": keys, "bounds": [list(space[k]) for k in keys]}
    x = latin.sample(problem, samples, seed=seed)
    df = pd.DataFrame(x, columns=keys)
    params = flat_parameters()
    for k in keys:
        if params[k].type == "int":
            df[k] = df[k].round().astype(int)
    return df


def _point(row: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}


@dataclass
class Plan:
    """Every distinct run: (point, config, seed) once, however many claims need it."""
    tasks: list[dict[str, Any]] = field(default_factory=list)
    index: dict[tuple[int, str, int], str] = field(default_factory=dict)  # → run_id

    def add(self, point_no: int, cfg: Config, seed: int, days: int, metrics: list[str]) -> None:
        k = (point_no, cfg.key, seed)
        if k in self.index:
            return
        run_id = f"p{point_no + 1:04d}-{cfg.key}-s{seed:03d}"
        self.index[k] = run_id
        self.tasks.append({"run_id": run_id, "scenario_ref": cfg.scenario,
                           "overrides": cfg.overrides, "seed": seed, "days": days,
                           "metrics": metrics, "record_every": days})


def make_plan(suite: Suite, design: pd.DataFrame, *, days: int, reps: int,
              point_reps: int) -> Plan:
    """Point −1 is the default parameters (seeds 0..reps-1); point i ≥ 0 is design row i
    (seeds 0..point_reps-1, the same at every point)."""
    metrics = sorted({c.metric for c in suite.claims})
    plan = Plan()
    points = [(-1, {}, reps)] + [(i, _point(r), point_reps)
                                 for i, r in enumerate(design.to_dict(orient="records"))]
    for point_no, point, n in points:
        for c in suite.claims:
            for a, b in claim_configs(c, point):
                for seed in range(n):
                    plan.add(point_no, a, seed, days, metrics)
                    plan.add(point_no, b, seed, days, metrics)
    return plan


def execute(plan: Plan, engine: Callable[[list[dict]], Iterable[dict]], *,
            progress: bool = True) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Run every task through an engine; return final values and errors by run_id."""
    from tqdm import tqdm

    finals: dict[str, dict[str, float]] = {}
    errors: dict[str, str] = {}
    with tqdm(total=len(plan.tasks), unit="run", desc="claims", disable=not progress,
              smoothing=0.1, file=sys.stderr) as bar:
        for result in engine(plan.tasks):
            if result["ok"]:
                finals[result["run_id"]] = result["final"]
            else:
                errors[result["run_id"]] = result["error"]
                bar.write(f"run {result['run_id']} failed: {result['error']}")
            bar.update(1)
    return finals, errors


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished child processes (the local
    engine's workers, once reaped): on a busy shared machine this, not the wall clock, says
    what a run costs."""
    import multiprocessing as mp
    import resource
    import time

    deadline = time.monotonic() + 10
    while mp.active_children() and time.monotonic() < deadline:   # reaps finished workers
        time.sleep(0.05)
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def claim_diffs(claim: Claim, plan: Plan, finals: Mapping[str, Mapping[str, float]],
                point_no: int, point: Mapping[str, Any], n: int) -> np.ndarray:
    """Paired differences per seed: B − A (minus B' − A' for an interaction); NaN when a
    run is missing."""
    out = np.full(n, np.nan)
    pairs = claim_configs(claim, point)
    for seed in range(n):
        total = 0.0
        for i, (a, b) in enumerate(pairs):
            ra = finals.get(plan.index[(point_no, a.key, seed)])
            rb = finals.get(plan.index[(point_no, b.key, seed)])
            if ra is None or rb is None:
                total = math.nan
                break
            d = float(rb[claim.metric]) - float(ra[claim.metric])
            total += d if i == 0 else -d
        out[seed] = total
    return out


def side_mean(claim: Claim, plan: Plan, finals: Mapping[str, Mapping[str, float]],
              side: int, n: int) -> float:
    """Mean of the metric on side A (0) or B (1) at defaults, first condition."""
    cfg = claim_configs(claim, {})[0][side]
    vals = [finals.get(plan.index[(-1, cfg.key, s)], {}).get(claim.metric, math.nan)
            for s in range(n)]
    return float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan


@dataclass
class ClaimsResult:
    table: pd.DataFrame
    design: pd.DataFrame
    point_effects: pd.DataFrame          # one row per design point, one column per claim
    errors: dict[str, str]
    runs: int
    seconds: float
    cpu_seconds: float = math.nan
    files: list[Path] = field(default_factory=list)

    @property
    def n_holding(self) -> int:
        return int(self.table["holds_at_default"].sum())

    @property
    def median_share(self) -> float:
        s = self.table["share_of_space"].dropna()
        return float(s.median()) if len(s) else math.nan

    @property
    def passed(self) -> bool:
        return bool(self.table["holds_at_default"].all()) and not self.errors


def evaluate(suite: Suite, plan: Plan, finals: Mapping[str, Mapping[str, float]],
             design: pd.DataFrame, *, reps: int, point_reps: int,
             prim_threshold: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims table and the per-point effects."""
    points = [_point(r) for r in design.to_dict(orient="records")]
    rows = []
    per_point: dict[str, np.ndarray] = {}
    for c in suite.claims:
        eff = mean_ci(claim_diffs(c, plan, finals, -1, {}, reps))
        pe = np.array([np.nanmean(d) if np.isfinite(d).any() else np.nan
                       for d in (claim_diffs(c, plan, finals, i, p, point_reps)
                                 for i, p in enumerate(points))], dtype=float)
        per_point[c.id] = pe
        share = share_of_space(c.direction, pe, c.margin) if len(pe) else math.nan
        box_text = ""
        if len(pe) and np.isfinite(share) and share < 1.0:
            fin = np.isfinite(pe)
            failed = ~agrees(c.direction, pe[fin], c.margin)
            if failed.all():
                box_text = "fails at every point"
            elif failed.sum() < PRIM_MIN_FAILURES:
                box_text = f"{int(failed.sum())} failing point: too few for PRIM"
            else:
                try:
                    box = prim_box(design.loc[fin], failed, threshold=prim_threshold)
                except ImportError:
                    box_text = "PRIM needs ema_workbench (pip install -e '.[ema]')"
                else:
                    box_text = format_box(box) if box is not None else \
                        "failures scattered (no PRIM box reaches density 0.5)"
        rows.append({
            "claim": c.id, "source": c.source,
            "holds_at_default": holds(c.direction, eff.ci_low, eff.ci_high, c.margin),
            "effect": eff.mean, "ci_low": eff.ci_low, "ci_high": eff.ci_high,
            "share_of_space": share, "metric": c.metric, "direction": c.direction,
            "margin": c.margin if c.margin is not None else math.nan,
            "statement": c.statement, "prim_box": box_text,
            "mean_a": side_mean(c, plan, finals, 0, reps),
            "mean_b": side_mean(c, plan, finals, 1, reps), "n": eff.n,
            "n_points": int(np.isfinite(pe).sum()), "comparison": c.comparison(),
            "statement_zh": c.statement_zh, "section": c.section, "quote": c.quote,
            "note": c.note})
    table = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    effects = pd.DataFrame(per_point, index=pd.RangeIndex(len(points), name="point"))
    return table, effects


def run_claims(suite: Suite, *, days: int, reps: int, samples: int, point_reps: int,
               engine: Callable[[list[dict]], Iterable[dict]], out: str | Path | None = None,
               engine_label: str = "", progress: bool = True) -> ClaimsResult:
    """Plan, run, evaluate and (when ``out`` is given) write the claims suite."""
    cpu0 = cpu_seconds()
    with runner.Timer() as t:
        design = lhs_design(suite.space, samples, suite.settings.lhs_seed)
        plan = make_plan(suite, design, days=days, reps=reps, point_reps=point_reps)
        finals, errors = execute(plan, engine, progress=progress)
    cpu = cpu_seconds() - cpu0
    table, effects = evaluate(suite, plan, finals, design, reps=reps, point_reps=point_reps)
    res = ClaimsResult(table, design, effects, errors, len(plan.tasks), t.seconds, cpu)
    if out is not None:
        res.files = write_outputs(res, Path(out), suite=suite, days=days, reps=reps,
                                  samples=samples, point_reps=point_reps,
                                  engine_label=engine_label)
    return res


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------
EXACT_AT = 300.0    # where the forest plot draws an effect without seed-to-seed variance


def forest_plot(table: pd.DataFrame, path: Path) -> Path:
    """One row per claim: the paired effect and its 95% interval, standardised so that every
    claim reads on one axis. Sign claims: direction × effect / sd of the paired differences
    (right of zero = the claimed direction). No-difference claims: effect / margin, inside
    the grey band ±1 = holds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(table)
    fig, ax = plt.subplots(figsize=(8, 0.28 * n + 1.4))
    for i, r in enumerate(table.to_dict("records")):
        y = n - 1 - i
        hw = (r["ci_high"] - r["ci_low"]) / 2
        if r["direction"] == 0:
            scale = r["margin"]
            mid, lo, hi = (r["effect"] / scale, r["ci_low"] / scale, r["ci_high"] / scale)
            marker = "s"
        else:
            sd = hw / max(float(t_half_width(1.0, r["n"])), 1e-12) \
                if r["n"] > 1 and np.isfinite(hw) else math.nan
            d = r["direction"]
            if np.isfinite(sd) and sd > 0:
                mid = d * r["effect"] / sd
                lo, hi = sorted((d * r["ci_low"] / sd, d * r["ci_high"] / sd))
                marker = "o"
            else:   # the same difference in every replication (e.g. staffing arithmetic)
                mid = lo = hi = float(np.sign(d * r["effect"])) * EXACT_AT
                marker = ">" if mid > 0 else "<" if mid < 0 else "o"
        colour = "#1a7f37" if r["holds_at_default"] else "#cf222e"
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [y, y], color=colour, lw=1.6)
        ax.plot([mid], [y], marker=marker, color=colour, ms=5)
    ax.set_xscale("symlog", linthresh=2.0)    # effects range from 0.5 to 50 sd
    ax.axvline(0, color="k", lw=0.8)
    ax.axvspan(-1, 1, color="0.92", zorder=0)
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(reversed(table["claim"].tolist())), fontsize=7)
    ax.set_xlabel("standardised paired effect (effect / sd of the paired differences; symlog), "
                  "signed so that > 0 is the claimed direction (●);\n"
                  f"▶ ◀ the same difference in every replication (drawn at ±{EXACT_AT:g}); "
                  "■ no-difference claims: effect / margin, holds inside ±1 (grey)",
                  fontsize=8)
    ax.set_title("Claims at default parameters: effect and 95% CI (green: holds)", fontsize=9)
    ax.set_ylim(-0.7, n - 0.3)
    try:
        return runner.save_figure(fig, path)
    finally:
        plt.close(fig)


def _fmt(v: Any, metric: str = "") -> str:
    if isinstance(v, float) and not np.isfinite(v):
        return "–"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def html_page(res: ClaimsResult, png: Path | None, *, settings_text: str) -> str:
    """A self-contained page: the summary, the table and the forest plot."""
    t = res.table
    img = ""
    if png is not None and png.exists():
        b64 = base64.b64encode(png.read_bytes()).decode()
        img = f'<img alt="forest plot" src="data:image/png;base64,{b64}" style="max-width:100%">'
    head = ("claim", "source", "statement", "comparison", "metric", "dir", "effect",
            "95% CI", "holds at default", "share of space", "where it fails (PRIM box)")
    rows = []
    for r in t.to_dict("records"):
        ok = bool(r["holds_at_default"])
        d = {1: "+", -1: "−", 0: f"0 (±{_fmt(r['margin'])})"}[int(r["direction"])]
        share = "–" if not np.isfinite(r["share_of_space"]) else f"{r['share_of_space']:.0%}"
        cells = (r["claim"], r["source"],
                 f"{r['statement']}<br><small>{html.escape(r['statement_zh'])}</small>",
                 r["comparison"], r["metric"], d, _fmt(r["effect"]),
                 f"{_fmt(r['ci_low'])} – {_fmt(r['ci_high'])}",
                 "yes" if ok else "NO", share, r["prim_box"])
        tds = "".join(f"<td>{c if i == 2 else html.escape(str(c))}</td>"
                      for i, c in enumerate(cells))
        rows.append(f'<tr class="{"ok" if ok else "fail"}">{tds}</tr>')
    errors = ""
    if res.errors:
        items = "".join(f"<li>{html.escape(k)}: {html.escape(v)}</li>"
                        for k, v in sorted(res.errors.items()))
        errors = f"<h2>Failed runs</h2><ul>{items}</ul>"
    share = res.median_share
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Claims suite</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em; max-width: 1400px; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
td, th {{ border: 1px solid #ccc; padding: 3px 6px; vertical-align: top; }}
tr.fail td {{ background: #fde8e8; }} tr.ok td:nth-child(9) {{ color: #1a7f37; }}
th {{ background: #f3f3f3; }}
</style></head><body>
<h1>Claims suite: cause → effect claims of the papers</h1>
<p><b>{res.n_holding} of {len(t)} claims hold at default parameters</b>; median share of the
uncertain-parameter space where a claim holds:
<b>{'–' if not np.isfinite(share) else f'{share:.0%}'}</b>. {html.escape(settings_text)}</p>
<p>Effect = mean over paired replications (the same seed in A and B) of B − A of the metric
on the last day; 95% CI = t-interval. A sign claim holds at default when its interval excludes
zero on the claimed side; a no-difference claim when the interval lies inside ±margin.
Share of space = share of Latin-hypercube points where the point estimate agrees with the
claim. Where it fails, the PRIM box (EMA Workbench) gives the parameter ranges where the
failures concentrate.</p>
{img}
<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
{errors}
</body></html>
"""


def write_outputs(res: ClaimsResult, out: Path, *, suite: Suite, days: int, reps: int,
                  samples: int, point_reps: int, engine_label: str) -> list[Path]:
    """claims.csv, claims_points.csv, claims_forest.png, claims.html, claims.json."""
    runner.ensure_dir(out)
    files = [runner.write_csv(out / "claims.csv", res.table)]
    points = pd.concat([res.design.reset_index(drop=True),
                        res.point_effects.reset_index(drop=True)], axis=1)
    points.insert(0, "point", range(len(points)))
    files.append(runner.write_csv(out / "claims_points.csv", points))
    png = forest_plot(res.table, out / "claims_forest.png") if len(res.table) else None
    if png is not None:
        files.append(png)
    settings = (f"{days} days per run; {reps} paired replications at default parameters; "
                f"{samples} Latin-hypercube points over {len(suite.space)} uncertain "
                f"parameters with {point_reps} paired replication(s) each; {res.runs} "
                f"distinct runs in {res.seconds:.0f} s on {engine_label}.")
    files.append(runner.write_text(out / "claims.html",
                                   html_page(res, png, settings_text=settings)))
    files.append(runner.write_json(out / "claims.json", {
        "command": "validate --claims", "claims_file": str(suite.path), "days": days,
        "reps": reps, "seeds_default": list(range(reps)), "samples": samples,
        "point_reps": point_reps, "seeds_per_point": list(range(point_reps)),
        "lhs_seed": suite.settings.lhs_seed, "space": suite.space,
        "runs": res.runs, "failed_runs": res.errors, "seconds": round(res.seconds, 1),
        "cpu_seconds_local": round(res.cpu_seconds, 1),
        "engine": engine_label, "n_claims": len(res.table), "n_holding": res.n_holding,
        "median_share_of_space": res.median_share, "created_at": runner.now_iso(),
        "versions": runner.versions(), "git_commit": runner.git_commit()}))
    return files


# --------------------------------------------------------------------------------------------
# The command (``python run.py validate --claims``)
# --------------------------------------------------------------------------------------------
def summary_text(res: ClaimsResult) -> str:
    t = res.table
    lines = []
    w = max(len(c) for c in t["claim"]) if len(t) else 10
    for r in t.to_dict("records"):
        share = "  –" if not np.isfinite(r["share_of_space"]) else \
            f"{100 * r['share_of_space']:3.0f}%"
        lines.append(f"  {'ok  ' if r['holds_at_default'] else 'FAIL'} {r['claim'].ljust(w)} "
                     f"{r['source']:<11} effect {_fmt(r['effect']):>9} "
                     f"[{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]  space {share}")
    share = res.median_share
    lines.append("")
    lines.append(f"{len(t)} claims; {res.n_holding} hold at default parameters; median share "
                 f"of space {'–' if not np.isfinite(share) else f'{share:.0%}'}.")
    failing = t.loc[~t["holds_at_default"], "claim"].tolist()
    if failing:
        lines.append(f"Failing at default: {', '.join(failing)}.")
    if res.errors:
        lines.append(f"{len(res.errors)} run(s) raised; see claims.json (failed_runs).")
    return "\n".join(lines)


def cmd_claims(args: argparse.Namespace) -> int:
    """Validate the file and options, run, print the summary; 0 if every claim holds."""
    from commgov.experiments import engine

    suite = load_claims(getattr(args, "claims_file", None) or CLAIMS_FILE)
    only = [x.strip() for x in (getattr(args, "only", None) or "").split(",") if x.strip()]
    if only:
        suite = suite.select(only)
    s = suite.settings
    quick = bool(getattr(args, "quick", False))
    from commgov.experiments.validate import DefaultInt

    given = args.days is not None and not isinstance(args.days, DefaultInt)
    days = args.days if given else (QUICK["days"] if quick else s.days)
    reps = args.reps if args.reps is not None else (QUICK["reps"] if quick else s.reps)
    samples = args.samples if args.samples is not None else (
        min(QUICK["samples"], s.samples) if quick else s.samples)
    point_reps = args.point_reps if args.point_reps is not None else (
        QUICK["point_reps"] if quick else s.point_reps)
    if args.set:
        raise ClaimsError("--set cannot be combined with --claims: each claim states its own "
                          "settings in the claims file; allowed: edit the claims file or use "
                          "--claims-file.")
    out = runner.ensure_dir(args.out)
    workers = args.workers
    label, run = engine.engine_for(workers=workers, scheduler=getattr(args, "scheduler", None),
                                   dask_local=bool(getattr(args, "dask_local", False)))
    n_cfg = len({k for c in suite.claims for pair in claim_configs(c, {}) for k in
                 (pair[0].key, pair[1].key)})
    print(f"Claims: {len(suite.claims)} claims from {suite.path.name}, {n_cfg} distinct "
          f"settings; {reps} paired replications at defaults + {samples} Latin-hypercube "
          f"points over {len(suite.space)} uncertain parameters x {point_reps} "
          f"replication(s); {days} days per run; on {label}", flush=True)
    res = run_claims(suite, days=days, reps=reps, samples=samples, point_reps=point_reps,
                     engine=run, out=out, engine_label=label,
                     progress=not getattr(args, "no_progress", False))
    print()
    print(summary_text(res))
    cpu = (f", {res.cpu_seconds:.0f} CPU-seconds (on 2 idle cores: about "
           f"{res.cpu_seconds / 2 / 60:.1f} min)") if label.startswith("local") else ""
    print(f"{res.runs} runs in {res.seconds:.1f} s wall{cpu}. Wrote {out}/: "
          f"{', '.join(f.name for f in res.files)}")
    return 0 if res.passed else 1


# --------------------------------------------------------------------------------------------
# docs/ODD.md, Appendix B: the list of claims, generated from the claims file
# --------------------------------------------------------------------------------------------
ODD_START = "<!-- claims list: generated by `python -m commgov.experiments.claims --update-odd` -->"
ODD_END = "<!-- end of claims list -->"
ODD_PATH = runner.REPO_ROOT / "docs" / "ODD.md"


def odd_claims_table(suite: Suite) -> str:
    """Markdown: every claim with its source, comparison, metric and expected direction."""
    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    lines = ["| # | claim | statement | source (section) | comparison (B − A) | metric | "
             "expected |", "|---|---|---|---|---|---|---|"]
    for i, c in enumerate(suite.claims, 1):
        expected = ("higher" if c.direction > 0 else "lower" if c.direction < 0
                    else f"within ±{c.margin:g}")
        src = c.source + (f" ({cell(c.section)})" if c.section else "")
        lines.append(f"| {i} | `{c.id}` | {cell(c.statement)} | {src} | "
                     f"{cell(c.comparison())} | `{c.metric}` | {expected} |")
    return "\n".join(lines)


def render_odd(text: str, suite: Suite) -> str:
    """``text`` with the block between the claims markers regenerated."""
    start, end = text.find(ODD_START), text.find(ODD_END)
    if start < 0 or end < start:
        raise ClaimsError(f"docs/ODD.md has no '{ODD_START}' ... '{ODD_END}' block.")
    return (text[: start + len(ODD_START)] + "\n" + odd_claims_table(suite) + "\n"
            + text[end:])


def update_odd(path: Path = ODD_PATH, suite: Suite | None = None) -> bool:
    """Regenerate the claims list in docs/ODD.md; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    new = render_odd(text, suite or load_claims())
    if new != text:
        runner.write_text(path, new)
        return True
    return False


def results_markdown(table: pd.DataFrame) -> str:
    """A measured claims table (claims.csv) as Markdown, for the ODD's results section."""
    lines = ["| claim | source | metric | effect (B − A) | 95% CI | holds at default | "
             "share of space | where it fails (PRIM) |", "|---|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        share = r["share_of_space"]
        box = r["prim_box"] if isinstance(r["prim_box"], str) else ""
        lines.append(f"| `{r['claim']}` | {r['source']} | `{r['metric']}` | "
                     f"{_fmt(float(r['effect']))} | {_fmt(float(r['ci_low']))} – "
                     f"{_fmt(float(r['ci_high']))} | {'yes' if r['holds_at_default'] else 'NO'} "
                     f"| {'–' if not np.isfinite(share) else f'{share:.0%}'} | {box} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m commgov.experiments.claims --update-odd`` or ``--markdown CLAIMS.csv``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) == 2 and argv[0] == "--markdown":
        print(results_markdown(pd.read_csv(argv[1])))
        return 0
    if argv != ["--update-odd"]:
        print("usage: python -m commgov.experiments.claims --update-odd | --markdown "
              "CLAIMS.csv\n(run the suite with: python run.py validate --claims)",
              file=sys.stderr)
        return 2
    print("updated docs/ODD.md" if update_odd() else "docs/ODD.md is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
