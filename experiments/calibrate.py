"""Calibration: how the defaults of the few free parameters were chosen, and the fit they give.

Pattern-oriented (Grimm et al. 2005; Railsback & Grimm 2019, ch. 20): every pattern of
``commgov.experiments.validate`` must hold at once, with one set of defaults. Most parameters
come from a paper's mechanism and an assumed value (docs/ODD.md lists the basis of each); the
patterns pin down only four "free" ones, the ones they are sensitive to:

=====================================  ==========================================  =========
free parameter                         what it sets                                 pattern
=====================================  ==========================================  =========
``property.fee_constant``              fee log-odds at quality and trust 0.5       1 [000]
``property.red_fee_trust_bonus``       extra payment log-odds under red property   1 [000]
``channels.property_hotline_bonus``    pull of property complaints to 12345        2 [001]
``participation.constant.retiree``     retirees' propensity to join an activity    3 [003, 004]
=====================================  ==========================================  =========

Staffing (pattern 4) has no continuous free parameter: staff come in whole posts, so
``staff.grid_post_share`` is checked by building the baseline community for a range of shares.

Three steps, all written to ``--out`` (default ``results/calibrate``):

1. ``lhs.csv``: a SALib Latin-hypercube design over the four free parameters, each point run
   with the same seeds; the pattern means at every point, a loss (sum of squared misses in
   units of each pattern's tolerance) and whether every pattern holds. ``sensitivity.csv``:
   Spearman rank correlations between free parameters and pattern quantities (which knob
   moves which pattern, and which patterns share a knob).
2. ``profiles.csv``: a one-dimensional search for each free parameter around its default,
   others at their defaults. The rule for a default, fixed before looking: keep the current
   value if its patterns are within half their tolerance of the target; otherwise take the
   grid value closest to the current one that is (the smallest change that meets the pattern
   robustly). ``staffing.csv``: households per worker against ``staff.grid_post_share``.
3. ``calibration.md``: the decision for each parameter and the fit (target, model mean,
   95% CI) of every pattern at the chosen values.

Run: ``python -m commgov.experiments.calibrate [--samples 32] [--reps 8] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from commgov.experiments import runner
from commgov.experiments import validate as v

DEFAULT_OUT = "results/calibrate"


@dataclass(frozen=True)
class FreeParam:
    """A free parameter: its search range and grid, and the patterns it is fitted to."""

    key: str
    lo: float
    hi: float
    step: float
    patterns: tuple[str, ...]
    why: str

    def grid(self) -> list[float]:
        n = int(round((self.hi - self.lo) / self.step)) + 1
        return [round(self.lo + i * self.step, 6) for i in range(n)]


FREE: tuple[FreeParam, ...] = (
    FreeParam("property.fee_constant", -0.4, 0.8, 0.1, ("fee_baseline",),
              "Fukang's fee collection before red property, 60% [000]"),
    FreeParam("property.red_fee_trust_bonus", 1.0, 5.0, 0.5, ("fee_red",),
              "Fukang's fee collection after red property, 98% [000]"),
    FreeParam("channels.property_hotline_bonus", 0.5, 2.5, 0.25,
              ("property_share", "property_lead"),
              "property 13.3% of Yanzhou's 12345 tickets, the largest category [001]"),
    FreeParam("participation.constant.retiree", -2.6, -1.4, 0.1,
              ("retiree_share", "attendance"),
              "~100 residents per grid activity [003], mostly retirees [004]"),
)

# Loss scales: a two-sided pattern misses by |mean - target| / half-band; a one-sided pattern
# (a floor) only when it falls below the floor, in units of this scale.
ONE_SIDED_SCALE: dict[str, float] = {"property_lead": 0.25, "retiree_share": 0.05}
CONTINUOUS: tuple[str, ...] = ("fee_baseline", "fee_red", "property_share", "property_lead",
                               "attendance", "retiree_share")


def _pattern(key: str) -> v.Pattern:
    return next(p for p in v.PATTERNS if p.key == key)


def miss(key: str, mean: float) -> float:
    """A pattern's miss in units of its tolerance (0 = on target / above a floor)."""
    p = _pattern(key)
    if not np.isfinite(mean):
        return float("inf")
    if np.isinf(p.hi):                                   # one-sided: a floor
        return max(0.0, p.lo - mean) / ONE_SIDED_SCALE.get(key, 1.0)
    if key in ONE_SIDED_SCALE:                           # "mostly": a floor with a cap at 1
        return max(0.0, p.lo - mean) / ONE_SIDED_SCALE[key]
    return abs(mean - p.target) / ((p.hi - p.lo) / 2)


def current_defaults() -> dict[str, float]:
    from commgov.scenarios.loader import flat_parameters

    params = flat_parameters()
    return {f.key: float(params[f.key].default) for f in FREE}


# --------------------------------------------------------------------------------------------
# Running points
# --------------------------------------------------------------------------------------------
def evaluate_points(points: Sequence[Mapping[str, float]], seeds: Sequence[int], days: int,
                    workers: int) -> pd.DataFrame:
    """Pattern means at each point (overrides on top of the defaults), one row per point."""
    from commgov.scenarios.loader import load_scenario

    scenarios, index = [], []
    for i, pt in enumerate(points):
        for name in v.RUN_SCENARIOS:
            s = load_scenario(name, dict(pt))
            scenarios.append(s)
            index.append((i, name))
    jobs = [(s, seed, days) for s in scenarios for seed in seeds]
    from commgov.experiments.engine import run_map

    results: list[dict[str, float]] = [{}] * len(jobs)
    for k, r in run_map(v._job, jobs, workers=workers):
        results[k] = r
    rows = []
    for (_s, seed, _), r, (i, name) in zip(
            jobs, results, [ix for ix in index for _ in seeds], strict=True):
        rows.append({"point": i, "scenario": name, "seed": seed, **r})
    runs = pd.DataFrame(rows)
    out = []
    for i, pt in enumerate(points):
        table = v.evaluate(runs[runs["point"] == i], [_pattern(k) for k in CONTINUOUS])
        means = dict(zip(table["key"], table["mean"], strict=True))
        misses = {k: miss(k, means[k]) for k in CONTINUOUS}
        out.append({"point": i, **pt, **{f"mean.{k}": means[k] for k in CONTINUOUS},
                    **{f"miss.{k}": misses[k] for k in CONTINUOUS},
                    "loss": float(sum(m ** 2 for m in misses.values())),
                    "all_pass": bool(table["pass"].all())})
    return pd.DataFrame(out)


def lhs_design(samples: int, seed: int = 0) -> list[dict[str, float]]:
    """A SALib Latin hypercube over the free parameters; point 0 is the current defaults."""
    from SALib.sample import latin

    problem = {"num_vars": len(FREE), "names": [f.key for f in FREE],
               "bounds": [[f.lo, f.hi] for f in FREE]}
    x = latin.sample(problem, samples, seed=seed)
    return [current_defaults()] + [dict(zip(problem["names"], map(float, row), strict=True))
                                   for row in x]


def sensitivity(lhs: pd.DataFrame) -> pd.DataFrame:
    """Spearman rank correlation of each free parameter with each pattern's mean."""
    cols = [f"mean.{k}" for k in CONTINUOUS]
    corr = lhs[[f.key for f in FREE] + cols].corr(method="spearman")
    return corr.loc[[f.key for f in FREE], cols].rename(
        columns=lambda c: c.removeprefix("mean.")).reset_index(names="parameter")


def choose(free: FreeParam, profile: pd.DataFrame, default: float) -> tuple[float, str]:
    """The rule: keep the default if its patterns are within half their tolerance, else the
    grid value nearest the default that is."""
    def ok(row: pd.Series) -> bool:
        return all(row[f"miss.{k}"] <= 0.5 for k in free.patterns)

    at_default = profile.loc[(profile["value"] - default).abs().idxmin()]
    if ok(at_default):
        return default, "kept: its patterns are within half their tolerance"
    good = profile[profile.apply(ok, axis=1)]
    if good.empty:
        best = profile.loc[profile["loss_own"].idxmin()]
        return float(best["value"]), "no grid value meets the pattern; least miss taken"
    best = good.loc[(good["value"] - default).abs().idxmin()]
    return float(best["value"]), "changed: the smallest change within half the tolerance"


def staffing_check(shares: Sequence[float] = tuple(np.round(np.arange(0.5, 1.001, 0.05), 2))
                   ) -> pd.DataFrame:
    """Households per grid worker at day 0 of the baseline for each ``grid_post_share``."""
    from commgov.model.community import CommunityModel
    from commgov.model.metrics import metric_record

    per_worker = metric_record("households_per_worker")   # the metric, not a copy of it
    rows = []
    for s in shares:
        m = CommunityModel(scenario="baseline", rng=0, collect=False,
                           staff__grid_post_share=float(s))
        rows.append({"staff.grid_post_share": float(s), "grid_workers": len(m.workers),
                     per_worker.name: per_worker.fn(m), "staff_per_10k": v.staff_per_10k(m)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# The script
# --------------------------------------------------------------------------------------------
def calibrate(*, samples: int, reps: int, days: int, workers: int, out: Path,
              profile_all: bool = True) -> dict[str, Any]:
    seeds = range(reps)
    defaults = current_defaults()
    out = runner.ensure_dir(out)

    print(f"1/3 Latin hypercube: {samples} points + the defaults, {reps} seeds, {days} days",
          flush=True)
    lhs = evaluate_points(lhs_design(samples), seeds, days, workers)
    sens = sensitivity(lhs)
    runner.write_csv(out / "lhs.csv", lhs)
    runner.write_csv(out / "sensitivity.csv", sens)

    print("2/3 profiles of each free parameter (others at their defaults)", flush=True)
    profiles, decisions = [], []
    for f in FREE:
        base_ok = all(lhs.loc[0, f"miss.{k}"] <= 0.5 for k in f.patterns)
        if not profile_all and base_ok:
            decisions.append({"parameter": f.key, "old": defaults[f.key],
                              "new": defaults[f.key], "decision": "kept (not profiled)"})
            continue
        pts = [{**defaults, f.key: x} for x in f.grid()]
        prof = evaluate_points(pts, seeds, days, workers)
        prof.insert(0, "parameter", f.key)
        prof["value"] = prof[f.key]
        prof["loss_own"] = prof[[f"miss.{k}" for k in f.patterns]].pow(2).sum(axis=1)
        profiles.append(prof)
        new, why = choose(f, prof, defaults[f.key])
        decisions.append({"parameter": f.key, "old": defaults[f.key], "new": new,
                          "decision": why, "patterns": ", ".join(f.patterns), "target": f.why})
    prof_all = pd.concat(profiles, ignore_index=True) if profiles else pd.DataFrame()
    runner.write_csv(out / "profiles.csv", prof_all)
    staffing = staffing_check()
    runner.write_csv(out / "staffing.csv", staffing)

    print("3/3 fit at the chosen values", flush=True)
    chosen = {d["parameter"]: d["new"] for d in decisions}
    changed = {k: x for k, x in chosen.items() if x != defaults[k]}
    val = v.validate(reps=reps, days=days, workers=workers, out=None, overrides=changed)
    fit = val.table
    runner.write_csv(out / "fit.csv", fit)
    dec = pd.DataFrame(decisions)
    runner.write_csv(out / "decisions.csv", dec)
    md = report(lhs, sens, dec, fit, staffing, samples=samples, reps=reps, days=days)
    runner.write_text(out / "calibration.md", md)
    runner.write_json(out / "run.json", {
        "command": "calibrate", "samples": samples, "reps": reps, "days": days,
        "defaults_before": defaults, "chosen": chosen, "changed": changed,
        "created_at": runner.now_iso(), "versions": runner.versions(),
        "git_commit": runner.git_commit()})
    print(md)
    return {"decisions": dec, "fit": fit, "lhs": lhs, "changed": changed}


def _md(df: pd.DataFrame, floatfmt: str = ".3g") -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [format(x, floatfmt) if isinstance(x, float) else str(x) for x in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(lhs: pd.DataFrame, sens: pd.DataFrame, dec: pd.DataFrame, fit: pd.DataFrame,
           staffing: pd.DataFrame, *, samples: int, reps: int, days: int) -> str:
    accepted = lhs[lhs["all_pass"]]
    best = lhs.nsmallest(5, "loss")[["point", *[f.key for f in FREE], "loss", "all_pass"]]
    return "\n".join([
        "# Calibration of the free parameters",
        "",
        f"SALib Latin hypercube of {samples} points (+ point 0 = the defaults before "
        f"calibration), {reps} seeds each, {days} days; then one-dimensional profiles. "
        f"{len(accepted)} of {len(lhs)} design points meet every pattern at once "
        f"(point 0: {'yes' if lhs.loc[0, 'all_pass'] else 'no'}).",
        "",
        "## Decisions",
        "",
        _md(dec),
        "",
        "## Fit at the chosen values (target, model mean, 95% CI)",
        "",
        v.markdown_table(fit),
        "",
        "## Which knob moves which pattern (Spearman rank correlation over the design)",
        "",
        _md(sens, ".2f"),
        "",
        "## Lowest-loss design points",
        "",
        _md(best),
        "",
        "## Staffing: households per grid worker against staff.grid_post_share (day 0)",
        "",
        _md(staffing),
        "",
    ])


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Optional ``calibrate`` subcommand (the script also runs as a module)."""
    p = subparsers.add_parser("calibrate", help="refit the free parameters to the patterns",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=32, help="Latin-hypercube points")
    p.add_argument("--reps", type=int, default=8, help="seeds per point")
    p.add_argument("--days", type=int, default=v.DEFAULT_DAYS, help="days per run")
    p.add_argument("--workers", type=int, default=min(2, mp.cpu_count() or 1))
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 4 points, 2 seeds, profiles only where a pattern misses")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.set_defaults(func=cmd_calibrate)
    return p


def cmd_calibrate(args: argparse.Namespace) -> int:
    samples, reps = (4, 2) if args.quick else (args.samples, args.reps)
    calibrate(samples=samples, reps=reps, days=args.days, workers=args.workers,
              out=Path(args.out), profile_all=not args.quick)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m commgov.experiments.calibrate [options]``."""
    import sys

    prog = "python -m commgov.experiments.calibrate"
    parser = add_parser(argparse.ArgumentParser(prog=prog).add_subparsers())
    parser.prog = prog
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
