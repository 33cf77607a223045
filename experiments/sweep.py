"""Sweep files: which scenarios, which parameters to vary, how many replications.

A sweep file (TOML) names scenarios, optional fixed overrides (``[set]``), and either a full
factorial over listed values or ranges (``[vary]``) or a sampled design (``[design]``: Latin
hypercube, Sobol/Saltelli or Morris, drawn with SALib). Every run is one
(scenario, design point, replication); replication *k* of every scenario and point uses seed
``seed + k`` — common random numbers, so differences between scenarios are mechanism, not
noise. Everything is validated before anything runs: the file, each key, each value, and
every (scenario, point) combination through the scenario loader.

Example (``experiments/sweeps/*.toml`` has more)::

    name = "policy_comparison"
    scenarios = ["baseline", "grid_merge", "red_property"]
    replications = 30
    days = 365

    [vary]
    "staff.per_10k_residents" = [18, 24.5]
    "graph.households_per_community" = { from = 1000, to = 5000, step = 2000 }

    [design]            # instead of [vary]: a sampled design for sensitivity analysis
    method = "morris"   # latin | sobol | morris
    samples = 10
    [design.parameters]
    "workers.admin_hours" = [1.0, 5.0]
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from commgov.experiments.errors import SweepError
from commgov.model.metrics import CORE_METRICS, METRICS
from commgov.scenarios.loader import (
    LoadedScenario,
    ScenarioError,
    flat_parameters,
    load_scenario,
)

ALL_METRIC_NAMES = tuple(m.name for m in METRICS if m.name != "day")
SWEEP_DIR = Path(__file__).resolve().parent / "sweeps"


class Range(BaseModel):
    """``{ from = a, to = b, step = s }``: a to b inclusive in steps of s."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: float = Field(alias="from")
    stop: float = Field(alias="to")
    step: float = Field(gt=0)

    def values(self) -> list[float]:
        n = int(math.floor((self.stop - self.start) / self.step + 1e-9)) + 1
        return [round(self.start + i * self.step, 12) for i in range(max(n, 0))]


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["latin", "sobol", "morris"]
    samples: int = Field(ge=2, le=100_000,
                         description="latin: points; sobol: base N (N·(D+2) points, a "
                                     "power of 2); morris: trajectories (r·(D+1) points)")
    levels: int = Field(4, ge=2, le=20, description="Morris grid levels")
    seed: int = Field(0, ge=0, description="seed of the design's sampler")
    parameters: dict[str, tuple[float, float]]

    @field_validator("parameters")
    @classmethod
    def _bounds(cls, v: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        if not v:
            raise ValueError("a design needs at least one parameter with [low, high] bounds")
        for key, (lo, hi) in v.items():
            if not lo < hi:
                raise ValueError(f"{key}: bounds [{lo}, {hi}] need low < high")
        return v


class SweepSpec(BaseModel):
    """The validated content of a sweep file."""
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    baseline: str = ""
    replications: int = Field(ge=1, le=10_000)
    days: int = Field(ge=1, le=36_500)
    seed: int = Field(0, ge=0)
    metrics: list[str] = Field(default_factory=lambda: list(CORE_METRICS))
    record_every: int = Field(1, ge=1, le=36_500,
                              description="keep every Nth day (and always the last)")
    set: dict[str, Any] = Field(default_factory=dict)
    vary: dict[str, list[Any] | Range] = Field(default_factory=dict)
    design: Design | None = None


@dataclass(frozen=True)
class Run:
    """One run of a sweep; ``run_id`` is stable across restarts of the same sweep."""
    run_id: str
    scenario: str
    point: int
    replication: int
    seed: int
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Sweep:
    spec: SweepSpec
    path: Path
    text: str                      # the sweep file as written (kept in the manifest)
    scenarios: dict[str, str]      # name -> what to pass to load_scenario
    design: pd.DataFrame           # one row per design point; columns = varied keys
    runs: tuple[Run, ...]

    @property
    def baseline(self) -> str:
        return self.spec.baseline or ("baseline" if "baseline" in self.scenarios
                                      else next(iter(self.scenarios)))

    @property
    def sensitivity(self) -> str | None:
        d = self.spec.design
        return d.method if d is not None and d.method in ("sobol", "morris") else None

    def digest(self) -> str:
        """Identity of the sweep: the same digest means the same runs with the same inputs."""
        blob = json.dumps({"spec": self.spec.model_dump(mode="json"),
                           "scenarios": self.scenarios,
                           "design": self.design.to_dict(orient="list")},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------
def _where(err: dict) -> str:
    return ".".join(str(x) for x in err["loc"]) or "(top level)"


def _pydantic_problems(e: ValidationError, data: dict) -> list[str]:
    out = []
    valid = ", ".join(SweepSpec.model_fields)
    for err in e.errors():
        key = _where(err)
        if err["type"] == "extra_forbidden":
            parts = key.split(".")
            if len(parts) == 1:
                hint = difflib.get_close_matches(parts[0], list(SweepSpec.model_fields), n=1)
                tip = f"; did you mean '{hint[0]}'?" if hint else ""
                out.append(f"unknown key '{key}'{tip} Valid keys: {valid}.")
            else:
                out.append(f"unknown key '{key}'.")
            continue
        value = err.get("input")
        shown = json.dumps(value, default=str) if not isinstance(value, dict) else "{…}"
        out.append(f"{key} = {shown}: {err['msg']}.")
    return out


def load_sweep(path: str | Path, *, set_: dict[str, Any] | None = None,
               replications: int | None = None, days: int | None = None) -> Sweep:
    """Read, validate and expand a sweep file; raise SweepError listing every problem.

    ``set_``, ``replications`` and ``days`` come from the command line (``sweep --set/--reps/
    --days``): they replace the file's values before validation, so they are checked like the
    file's own and enter the digest (a resume with other values is refused).
    """
    path = Path(path)
    if not path.exists() and not path.suffix and (SWEEP_DIR / f"{path}.toml").exists():
        path = SWEEP_DIR / f"{path}.toml"
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SweepError(f"{label}: cannot read the sweep file ({e.strerror or e}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SweepError(f"{label}: invalid TOML: {e}. Nothing was run.") from None
    data.setdefault("name", path.stem)
    if set_:
        base = data.get("set") if isinstance(data.get("set"), dict) else {}
        data["set"] = {**_normalise(base), **_normalise(set_)}
    if replications is not None:
        data["replications"] = replications
    if days is not None:
        data["days"] = days
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as e:
        _fail(label, _pydantic_problems(e, data))
    problems: list[str] = []
    params = flat_parameters()

    def check_key(key: str, where: str) -> None:
        dotted = key.replace("__", ".")
        if dotted not in params:
            hint = difflib.get_close_matches(dotted, list(params), n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else ""
            problems.append(f"{where}: unknown parameter '{key}'{tip} (see docs/PARAMETERS.md)")

    for key in spec.set:
        check_key(key, "set")
    for key in spec.vary:
        check_key(key, "vary")
    if spec.design is not None:
        if spec.vary:
            problems.append("use either [vary] (full factorial) or [design] (sampled), not both")
        for key, (lo, hi) in spec.design.parameters.items():
            check_key(key, "design.parameters")
            info = params.get(key.replace("__", "."))
            if info is None:
                continue
            if info.type not in ("float", "int"):
                problems.append(f"design.parameters.{key}: a {info.type} parameter cannot be "
                                f"sampled; put it in [vary] with a list of values")
            elif (info.ge is not None and lo < info.ge) or (info.le is not None and hi > info.le):
                problems.append(f"design.parameters.{key} = [{lo}, {hi}]: outside the "
                                f"parameter's allowed range {info.ge} to {info.le} "
                                f"({info.unit})")
        if spec.design.method == "sobol" and spec.design.samples & (spec.design.samples - 1):
            problems.append(f"design.samples = {spec.design.samples}: Sobol (Saltelli) needs "
                            f"a power of 2, e.g. 64, 128, 256")
    for m in spec.metrics:
        if m not in ALL_METRIC_NAMES:
            hint = difflib.get_close_matches(m, ALL_METRIC_NAMES, n=1)
            tip = f"; did you mean '{hint[0]}'?" if hint else ""
            problems.append(f"metrics: unknown metric '{m}'{tip} Known: "
                            f"{', '.join(ALL_METRIC_NAMES)}")
    if spec.baseline and spec.baseline not in spec.scenarios:
        problems.append(f"baseline = '{spec.baseline}' is not one of scenarios "
                        f"{spec.scenarios}")
    if len(set(spec.scenarios)) != len(spec.scenarios):
        problems.append(f"scenarios lists a name twice: {spec.scenarios}")
    if problems:
        _fail(label, problems)

    scenarios: dict[str, str] = {}
    for s in spec.scenarios:
        ref = s
        if ("/" in s or s.endswith(".toml")) and not Path(s).is_absolute():
            ref = str((path.parent / s).resolve())
        try:
            loaded = load_scenario(ref, _normalise(spec.set))
        except ScenarioError as e:
            _fail(label, [f"scenarios: '{s}' with [set]: {_bare(e)}"])
        scenarios[loaded.name if "/" not in s and not s.endswith(".toml") else s] = ref

    design = _design(spec, params)
    points = _points(design)
    # Every distinct (scenario, point) must validate before anything runs.
    for name, ref in scenarios.items():
        for i, point in enumerate(points):
            try:
                load_scenario(ref, {**_normalise(spec.set), **point})
            except ScenarioError as e:
                _fail(label, [f"scenario '{name}' at design point {i} ({point}): "
                              f"{_bare(e)}"])
    runs = tuple(
        Run(run_id=f"{_safe(name)}-p{i:04d}-r{rep:03d}", scenario=name, point=i,
            replication=rep, seed=spec.seed + rep,
            overrides={**_normalise(spec.set), **point})
        for name in scenarios for i, point in enumerate(points)
        for rep in range(spec.replications))
    return Sweep(spec=spec, path=path.resolve(), text=text, scenarios=scenarios,
                 design=design, runs=runs)


def _fail(label: str, problems: list[str]) -> None:
    if len(problems) == 1:
        raise SweepError(f"{label}: {problems[0]} Nothing was run.")
    body = "\n".join(f"  - {p}" for p in problems)
    raise SweepError(f"{label}: {len(problems)} problems; nothing was run.\n{body}")


def _normalise(d: dict[str, Any]) -> dict[str, Any]:
    return {k.replace("__", "."): v for k, v in d.items()}


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in Path(name).stem)


def _bare(e: Exception) -> str:
    return str(e).replace(" Nothing was run.", "").replace("; nothing was run.", ":")


def _points(design: pd.DataFrame) -> list[dict[str, Any]]:
    """Design rows as plain Python values, column dtypes kept (ints stay ints)."""
    if design.columns.empty:   # no [vary]: one empty point (pandas < 3 gives no records)
        return [{} for _ in range(len(design))]
    return [{str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in design.to_dict(orient="records")]


def _design(spec: SweepSpec, params: dict) -> pd.DataFrame:
    """The design points: a single empty point, the factorial of [vary], or a SALib sample."""
    if spec.design is not None:
        d = spec.design
        keys = [k.replace("__", ".") for k in d.parameters]
        problem = {"num_vars": len(keys), "names": keys,
                   "bounds": [list(b) for b in d.parameters.values()]}
        if d.method == "latin":
            from SALib.sample import latin
            x = latin.sample(problem, d.samples, seed=d.seed)
        elif d.method == "sobol":
            from SALib.sample import sobol
            x = sobol.sample(problem, d.samples, calc_second_order=False, seed=d.seed)
        else:
            from SALib.sample import morris
            x = morris.sample(problem, d.samples, num_levels=d.levels, seed=d.seed)
        df = pd.DataFrame(x, columns=keys)
        for k in keys:
            if params[k].type == "int":
                df[k] = df[k].round().astype(int)
        return df
    if not spec.vary:
        return pd.DataFrame(index=pd.RangeIndex(1))
    keys = [k.replace("__", ".") for k in spec.vary]
    values = [v.values() if isinstance(v, Range) else list(v) for v in spec.vary.values()]
    for k, vals in zip(keys, values, strict=True):
        if params[k].type == "int":
            vals[:] = [int(round(x)) for x in vals]
    return pd.DataFrame(list(itertools.product(*values)), columns=keys)


def loaded_for(sweep: Sweep, run: Run) -> LoadedScenario:
    return load_scenario(sweep.scenarios[run.scenario], run.overrides)


def resolved_parameters(sweep: Sweep) -> list[dict[str, Any]]:
    """Every run with every resolved parameter (dotted keys), for the manifest.

    Replications of a (scenario, point) share their parameters, so each pair is resolved
    once; the list still has one entry per run, so a reader needs no join.
    """
    cache: dict[tuple[str, int], dict[str, Any]] = {}
    out = []
    for run in sweep.runs:
        key = (run.scenario, run.point)
        if key not in cache:
            params = loaded_for(sweep, run).scenario.model_dump(mode="json")
            cache[key] = _flatten(params)
        out.append({"run_id": run.run_id, "scenario": run.scenario, "point": run.point,
                    "replication": run.replication, "seed": run.seed,
                    "parameters": cache[key]})
    return out


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            flat.update(_flatten(v, key + "."))
        else:
            flat[key] = v
    return flat


def parameter_columns(overrides: dict[str, Any]) -> dict[str, Any]:
    """A run's set and varied parameters as typed column values (same dtype in every file).

    Design values of a float parameter may be written as ints (``[18, 24.5]``); casting by
    the parameter's declared type keeps one Arrow type per column across a sweep's files.
    """
    params = flat_parameters()
    cols: dict[str, Any] = {}
    for key, value in overrides.items():
        info = params.get(key)
        kind = info.type if info is not None else ""
        if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        elif kind == "int" and isinstance(value, int | float) and not isinstance(value, bool):
            value = int(value)
        elif isinstance(value, list | dict):
            value = json.dumps(value)
        cols[key] = value
    return cols
