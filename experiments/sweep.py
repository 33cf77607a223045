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

import dataclasses
import difflib
import functools
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NoReturn

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from commgov.experiments.errors import SweepError, read_toml, refuse
from commgov.model.metrics import CORE_METRICS, METRICS
from commgov.scenarios.loader import (
    LoadedScenario,
    ScenarioError,
    flat_parameters,
    is_file,
    load_scenario,
)

ALL_METRIC_NAMES = tuple(m.name for m in METRICS if m.name != "day")
SWEEP_DIR = Path(__file__).resolve().parent / "sweeps"


MAX_VALUES_PER_KEY = 10_000     # values one [vary] key may expand to
MAX_RUNS = 1_000_000            # runs one sweep may plan (a typo in a step is not a plan)


class Range(BaseModel):
    """``{ from = a, to = b, step = s }``: a to b inclusive in steps of s (a ≤ b)."""
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)
    start: float = Field(alias="from")
    stop: float = Field(alias="to")
    step: float = Field(gt=0)

    @model_validator(mode="after")
    def _forwards(self) -> Range:
        # A backwards range would expand to no values, i.e. a sweep that silently runs nothing.
        if self.stop < self.start:
            raise ValueError(f"the range runs backwards (from = {self.start:g} > to = "
                             f"{self.stop:g}); give from <= to")
        n = (self.stop - self.start) / self.step + 1
        if n > MAX_VALUES_PER_KEY:
            raise ValueError(f"the range expands to {int(n):,} values (at most "
                             f"{MAX_VALUES_PER_KEY:,}); use a larger step")
        return self

    def values(self) -> list[float]:
        n = int(math.floor((self.stop - self.start) / self.step + 1e-9)) + 1
        return [round(self.start + i * self.step, 12) for i in range(max(n, 0))]


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
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
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
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
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)  # file -> sha256
    biggest: LoadedScenario | None = None      # the run with the most households (size check)

    @property
    def baseline(self) -> str:
        return self.spec.baseline or ("baseline" if "baseline" in self.scenarios
                                      else next(iter(self.scenarios)))

    @property
    def sensitivity(self) -> str | None:
        d = self.spec.design
        return d.method if d is not None and d.method in ("sobol", "morris") else None

    def digest(self) -> str:
        """Identity of the sweep: the same digest means the same runs with the same inputs.

        It covers the parsed sweep file, the design, the *content* of every scenario file
        (with the files they extend) and graph file the runs read, and the code that makes
        the numbers: an edited scenario or model can never be mixed into old results.
        """
        blob = json.dumps({"spec": self.spec.model_dump(mode="json"),
                           "scenarios": self.scenarios,
                           "design": self.design.to_dict(orient="list"),
                           "inputs": self.inputs,
                           "code": code_fingerprint()},
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


PACKAGE_ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("model", "agents", "scenarios")


@functools.cache
def code_fingerprint() -> str:
    """sha256 of the code that decides a run's numbers (model, agents, schema and loader,
    the run task) and of the numerical libraries' versions."""
    from commgov.experiments.runner import versions

    h = hashlib.sha256()
    files = sorted(p for d in CODE_DIRS for p in (PACKAGE_ROOT / d).glob("*.py"))
    files.append(PACKAGE_ROOT / "experiments" / "engine.py")
    for p in files:
        h.update(p.relative_to(PACKAGE_ROOT).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    h.update(json.dumps(versions(), sort_keys=True).encode())
    return h.hexdigest()[:16]


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _input_files(loaded: LoadedScenario) -> list[Path]:
    """Every file a run of this scenario reads: the extends chain and the graph files."""
    files = list(loaded.chain)
    g = loaded.scenario.graph
    for f in (g.file, g.node_table):
        if f:
            p = Path(f)
            files.append(p if p.is_absolute() else loaded.base_dir / p)
    return files


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
    if not is_file(path) and not path.suffix and is_file(SWEEP_DIR / f"{path}.toml"):
        path = SWEEP_DIR / f"{path}.toml"
    label = str(path)
    text, data = read_toml(path, label, SweepError, "sweep file")
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
    if isinstance(data.get("vary"), dict) and not data["vary"]:
        problems.append("[vary] is empty, so the sweep would run nothing; list values, e.g. "
                        '"staff.per_10k_residents" = [18, 24.5], or remove [vary] to run '
                        "the scenarios as they are")
    for key, vals in spec.vary.items():
        check_key(key, "vary")
        problems += _vary_problems(key, vals, params.get(key.replace("__", ".")))
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
    inputs: dict[str, str] = {}
    for s in spec.scenarios:
        ref = s
        if ("/" in s or s.endswith(".toml")) and not Path(s).is_absolute():
            ref = str((path.parent / s).resolve())
        try:
            loaded = load_scenario(ref, _normalise(spec.set))
        except ScenarioError as e:
            _fail(label, [f"scenarios: '{s}' with [set]: {_bare(e)}"])
        key = loaded.name if "/" not in s and not s.endswith(".toml") else s
        if key in scenarios:
            _fail(label, [f"scenarios: '{s}' and '{_given(spec, scenarios[key])}' are both "
                          f"named '{key}'; give scenarios distinct names (they label the "
                          f"results)"])
        scenarios[key] = ref

    design = _design(spec, params)
    points = _points(design)
    if not points:
        _fail(label, ["the design has no points, so the sweep would run nothing"])
    n_runs = len(scenarios) * len(points) * spec.replications
    if n_runs > MAX_RUNS:
        _fail(label, [f"{len(scenarios)} scenario(s) x {len(points):,} point(s) x "
                      f"{spec.replications} replication(s) = {n_runs:,} runs, more than "
                      f"{MAX_RUNS:,}; split the sweep or use a sampled [design]"])
    # Every distinct (scenario, point) must validate before anything runs.
    biggest, biggest_size = None, -1
    for name, ref in scenarios.items():
        for i, point in enumerate(points):
            try:
                loaded = load_scenario(ref, {**_normalise(spec.set), **point})
            except ScenarioError as e:
                _fail(label, [f"scenario '{name}' at design point {i} ({point}): "
                              f"{_bare(e)}"])
            g = loaded.scenario.graph
            size = 0 if g.file else g.communities * g.households_per_community
            if size > biggest_size:
                biggest, biggest_size = loaded, size
            for f in _input_files(loaded):
                key = str(f.resolve())
                if key not in inputs:
                    try:
                        inputs[key] = file_sha256(f)
                    except OSError as e:
                        _fail(label, [f"scenario '{name}': cannot read {f} "
                                      f"({e.strerror or e})"])
    slugs = _run_slugs(list(scenarios))
    runs = tuple(
        Run(run_id=f"{slugs[name]}-p{i:04d}-r{rep:03d}", scenario=name, point=i,
            replication=rep, seed=spec.seed + rep,
            overrides={**_normalise(spec.set), **point})
        for name in scenarios for i, point in enumerate(points)
        for rep in range(spec.replications))
    ids = [r.run_id for r in runs]
    if len(set(ids)) != len(ids):       # cannot happen by construction; never trust it
        dup = next(i for i in ids if ids.count(i) > 1)
        raise SweepError(f"{label}: two runs would share the id '{dup}'; nothing was run. "
                         f"Please report this as a bug.")
    return Sweep(spec=spec, path=path.resolve(), text=text, scenarios=scenarios,
                 design=design, runs=runs, inputs=dict(sorted(inputs.items())),
                 biggest=biggest)


def _given(spec: SweepSpec, ref: str) -> str:
    return next((s for s in spec.scenarios if s == ref or ref.endswith(s)), ref)


def _run_slugs(names: list[str]) -> dict[str, str]:
    """A file-name-safe prefix per scenario, distinct by construction.

    The readable slug is the file stem (``baseline``); where two scenarios share it (two
    ``x.toml`` in different folders, or names that sanitise alike) each gets a short hash of
    its full name, so no run can overwrite another's files.
    """
    plain = {n: _safe(n) or "scenario" for n in names}
    counts: dict[str, int] = {}
    for slug in plain.values():
        counts[slug] = counts.get(slug, 0) + 1
    # "~" never appears in a plain slug, so a hashed slug cannot equal a plain one.
    return {n: slug if counts[slug] == 1 else
            f"{slug}~{hashlib.sha256(n.encode()).hexdigest()[:8]}"
            for n, slug in plain.items()}


def _vary_problems(key: str, vals: list[Any] | Range, info: Any) -> list[str]:
    """Empty lists, repeated values and fractions for whole-number parameters."""
    where = f"vary.{key}"
    values = vals.values() if isinstance(vals, Range) else list(vals)
    if not values:
        return [f"{where} = []: no values, so the sweep would run nothing; list at least one"]
    out = []
    if info is not None and info.type == "int":
        frac = [v for v in values if isinstance(v, float) and not float(v).is_integer()]
        if frac:
            out.append(f"{where}: {frac[0]!r} is not a whole number; "
                       f"'{key.replace('__', '.')}' takes whole numbers ({info.unit}), "
                       f"so the value would be rounded (and may repeat another)")
    seen: set[Any] = set()
    for v in values:
        norm = (("bool", v) if isinstance(v, bool) else float(v) if isinstance(v, int | float)
                else json.dumps(v, sort_keys=True, default=str))
        if norm in seen:
            out.append(f"{where}: the value {v!r} is listed twice (each value is a design "
                       f"point; a repeat runs the same point twice under two ids)")
            break
        seen.add(norm)
    return out


def _fail(label: str, problems: list[str]) -> NoReturn:
    refuse(SweepError, label, problems)


def _normalise(d: dict[str, Any]) -> dict[str, Any]:
    return {k.replace("__", "."): v for k, v in d.items()}


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in Path(name).stem)


def _bare(e: Exception) -> str:
    return str(e).replace(" Nothing was run.", "").replace("; nothing was run.", ":")


def _points(design: pd.DataFrame) -> list[dict[str, Any]]:
    """Design rows as plain Python values, column dtypes kept (ints stay ints).

    A design without columns (no [vary]) is one empty point per row: pandas 3 turns such a
    frame into no records at all, which would plan a sweep of zero runs.
    """
    if design.shape[1] == 0:
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
