"""Validation: does the model, with its default parameters, reproduce what the papers report?

Pattern-oriented (Grimm et al. 2005): four patterns from the papers are checked at once, on
the same default parameters, each against a target and a tolerance stated in advance:

1. red property raises fee collection from about 60% to about 98% within a few years [000];
2. property management is the largest category of 12345 tickets, about 13.3% of them [001];
3. baseline participation is low: about 100 residents at a grid activity in Xingfu [003],
   mostly retirees (and cadres) [004];
4. about 600 households per grid worker [003]; staffing scenarios give the staff per 10,000
   residents they claim: 18 (provincial standard), 24.5 (Yanzhou 2021), 43.9 (2022) [001].

Every run is measured the same way (:func:`measure_run`); the replications use seeds
``0 .. reps-1`` in every scenario (common random numbers). A pattern passes when the mean over
replications lies within its tolerance band; the 95% t-interval is shown beside it. A
replication-count check (:func:`replication_table`) shows how the coefficient of variation of
each measured quantity settles as replications are added; the default ``DEFAULT_REPS`` was
chosen from it (docs/ODD.md, Appendix A.3).

Files written to ``--out`` (default ``results/validate``), each atomically:
``validation.md`` / ``validation.csv`` (the pattern table), ``runs.csv`` (every run's
measures), ``replications.csv`` / ``replications.png`` (coefficient of variation against the
number of replications) and ``run.json`` (settings, versions, git commit).

This module also renders the parameter tables of ``docs/ODD.md`` from the schema
(:func:`update_odd`), so the ODD's tables cannot drift from the code.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from commgov.experiments import runner
from commgov.experiments.stats import t_half_width

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.scenarios.loader import LoadedScenario

DEFAULT_OUT = "results/validate"
DEFAULT_DAYS = 730          # "within a few years" [000]: two simulated years
# Chosen from the replication-count check (`validate --reps 60`): the coefficient of
# variation of every measured quantity stays within ±10% of its 60-replication value from
# n = 40 on (docs/ODD.md, Appendix A.3); 40 replications take about 30 s on 2 cores.
DEFAULT_REPS = 40
QUICK_REPS = 3              # --quick: the test-suite setting (same days, fewer seeds)
CV_BAND = 0.10              # "settled": within ±10% of the final coefficient of variation
CV_FLOOR = 0.002            # … or within 0.002 absolute, for near-deterministic quantities

RUN_SCENARIOS: tuple[str, ...] = ("baseline", "red_property")
STAFFING_SCENARIOS: tuple[str, ...] = ("staffing_18", "staffing_24_5", "staffing_43_9")
CORE_CHECKED: tuple[str, ...] = ("resolved_share", "on_time_share", "escalated_share",
                                 "participation_rate", "trust_mean")
# Half a post in a default community (3,000 flats × 0.95 occupied × 2.62 persons ≈ 7,470
# residents): staff come in whole posts, so this is the finest a community can hit a ratio.
STAFF_TOLERANCE = 0.7


@dataclass(frozen=True)
class Pattern:
    """One checked pattern: which run measure, in which scenario, against what band."""

    key: str
    target_no: int           # the target 1-4 this row belongs to
    name: str
    source: str
    scenario: str
    measure: str
    target: float
    lo: float
    hi: float
    target_text: str
    tolerance_text: str

    @property
    def percent(self) -> bool:
        """Shown in %: a share, as its metric record says (``runner.is_percent``)."""
        return runner.is_percent(self.measure)

    def passes(self, value: float) -> bool:
        return bool(np.isfinite(value) and self.lo <= value <= self.hi)


PATTERNS: tuple[Pattern, ...] = (
    Pattern("fee_baseline", 1, "fee collection without red property", "[000]", "baseline",
            "fee_collection_rate", 0.60, 0.55, 0.65, "60%", "±5 points"),
    Pattern("fee_red", 1, "fee collection with red property after 2 years", "[000]",
            "red_property", "fee_collection_rate", 0.98, 0.96, 1.0, "98%", "±2 points"),
    Pattern("property_share", 2, "property share of 12345 tickets", "[001]", "baseline",
            "property_complaint_share", 0.133, 0.103, 0.163, "13.3%", "±3 points"),
    Pattern("property_lead", 2, "property tickets / largest other community kind", "[001]",
            "baseline", "property_lead", 1.0, 1.0, np.inf, "> 1 (largest)", "≥ 1"),
    Pattern("attendance", 3, "residents at one grid activity", "[003]", "baseline",
            "attendance_residents", 100.0, 70.0, 130.0, "≈ 100", "±30%"),
    Pattern("retiree_share", 3, "retirees among attendees", "[004]", "baseline",
            "retiree_share", 0.5, 0.5, 1.0, "mostly (> 50%)", "≥ 50%"),
    Pattern("households_per_worker", 4, "households per grid worker (baseline)", "[003]",
            "baseline", "households_per_worker", 600.0, 510.0, 690.0, "≈ 600", "±15%"),
    Pattern("staff_18", 4, "staff per 10,000 residents, staffing_18", "[001]", "staffing_18",
            "staff_per_10k", 18.0, 18.0 - STAFF_TOLERANCE, 18.0 + STAFF_TOLERANCE, "18",
            f"±{STAFF_TOLERANCE} (half a post)"),
    Pattern("staff_24_5", 4, "staff per 10,000 residents, staffing_24_5", "[001]",
            "staffing_24_5", "staff_per_10k", 24.5, 24.5 - STAFF_TOLERANCE,
            24.5 + STAFF_TOLERANCE, "24.5", f"±{STAFF_TOLERANCE} (half a post)"),
    Pattern("staff_43_9", 4, "staff per 10,000 residents, staffing_43_9", "[001]",
            "staffing_43_9", "staff_per_10k", 43.9, 43.9 - STAFF_TOLERANCE,
            43.9 + STAFF_TOLERANCE, "43.9", f"±{STAFF_TOLERANCE} (half a post)"),
)

TARGET_TITLES: dict[int, str] = {
    1: "red property: fee collection 60% → 98% [000]",
    2: "property is the largest hotline category, 13.3% [001]",
    3: "low participation: ~100 residents per grid activity, mostly retirees [003, 004]",
    4: "~600 households per grid worker [003]; 18 / 24.5 / 43.9 staff per 10,000 [001]",
}


# --------------------------------------------------------------------------------------------
# Measuring one run
# --------------------------------------------------------------------------------------------
def staff_per_10k(model: CommunityModel) -> float:
    """Staff per 10,000 residents as built: committee posts, service centre and grid
    workers (full-time equivalents; cadres doubling as grid workers are counted once, as
    committee posts), over the planning population the staff were set for [001]."""
    staff = sum(o.committee_posts + o.service_staff + model.staffing.grid_fte(o.workers)
                for o in model.offices)
    residents = sum(o.residents for o in model.offices)
    return staff / residents * 10_000 if residents else float("nan")


def measure_run(loaded: LoadedScenario, seed: int, days: int) -> dict[str, float]:
    """Run one replication and return every quantity the patterns use.

    End-of-run values are read on the last day. Activity attendance is averaged over the
    branch activities (not deliberations) of the second half of the run, after the peer
    effect has settled: per grid, the sum of its compounds' ``PartyBranch.attendance``, in
    households; one participating household counts as ``residents_per_household`` residents
    (the household's propensity is read as each member's). ``retiree_share`` pools the
    attendees (``Households.last_participation == day``) of those activities.
    ``days = 0`` only builds the model (staffing is fixed at construction).
    """
    from commgov.agents.resident import RETIREE
    from commgov.model.community import CommunityModel
    from commgov.model.lifecycle import PROPERTY
    from commgov.model.metrics import METRICS

    model = CommunityModel(scenario=loaded, rng=seed, collect=False)
    out: dict[str, float] = {"staff_per_10k": staff_per_10k(model)}
    if days <= 0:
        return out
    p = model.params
    nb = model.neighbourhood
    hh = model.households
    act, delib = p.party.activity_days, p.party.deliberation_days
    start = days // 2
    grid_of = [(int(nb.compound_grid[b.compound]), b) for b in model.branches if b is not None]
    attendance: list[float] = []
    joined_total = retirees = 0
    for _ in range(days):
        model.step()
        day = model.day - 1
        if day < start or day % act != 0 or day % delib == delib // 2:
            continue
        per_grid = np.zeros(nb.n_grids)
        for g, b in grid_of:
            per_grid[g] += b.attendance
        attendance.append(float(per_grid.mean()))
        joined = hh.last_participation == day
        joined_total += int(joined.sum())
        retirees += int((joined & (hh.kind == RETIREE)).sum())

    reporters = {m.name: m.fn for m in METRICS}
    for name in ("fee_collection_rate", "property_complaint_share", "households_per_worker",
                 *CORE_CHECKED):
        out[name] = float(reporters[name](model))
    tickets = model.book.counters.hotline_by_kind
    others = max(t for k, t in enumerate(tickets) if k != PROPERTY)
    out["property_lead"] = tickets[PROPERTY] / others if others else float("inf")
    att = float(np.mean(attendance)) if attendance else float("nan")
    out["attendance_households"] = att
    out["attendance_residents"] = att * p.households.residents_per_household
    out["retiree_share"] = retirees / joined_total if joined_total else float("nan")
    occ = hh.occupied
    out["retiree_household_share"] = float((hh.kind[occ] == RETIREE).mean())
    return out


def _job(args: tuple[LoadedScenario, int, int]) -> dict[str, float]:
    """A worker's unit of work (module level, so a spawn pool can pickle it by name)."""
    return measure_run(*args)


def run_measures(scenarios: Sequence[LoadedScenario], seeds: Sequence[int], days: int,
                 workers: int = 1, build_only: Sequence[LoadedScenario] = ()) -> pd.DataFrame:
    """Measure every (scenario, seed); one row each, in a fixed order whatever ``workers``.

    ``build_only`` scenarios are only constructed (their staffing), not run.
    """
    jobs = [(s, seed, days) for s in scenarios for seed in seeds]
    jobs += [(s, seed, 0) for s in build_only for seed in seeds]
    from commgov.experiments.engine import run_map

    results: list[dict[str, float]] = [{}] * len(jobs)
    for i, r in run_map(_job, jobs, workers=workers):
        results[i] = r
    rows = [{"scenario": s.name, "seed": seed, "days": d, **r}
            for (s, seed, d), r in zip(jobs, results, strict=True)]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------
def pattern_values(runs: pd.DataFrame, pattern: Pattern) -> np.ndarray:
    """One value per replication (ordered by seed) of a pattern's measure."""
    sel = runs[runs["scenario"] == pattern.scenario].sort_values("seed")
    if pattern.measure not in sel.columns:
        return np.array([], dtype=float)
    return sel[pattern.measure].to_numpy(dtype=float)


def evaluate(runs: pd.DataFrame, patterns: Sequence[Pattern] = PATTERNS) -> pd.DataFrame:
    """The pattern table: target, band, model mean, 95% CI, n and pass/fail."""
    rows = []
    for p in patterns:
        v = pattern_values(runs, p)
        n = int(np.isfinite(v).sum())
        mean = float(np.nanmean(v)) if n else float("nan")
        sd = float(np.nanstd(v, ddof=1)) if n > 1 else float("nan")
        hw = float(t_half_width(sd, n))
        rows.append({"target_no": p.target_no, "key": p.key, "pattern": p.name,
                     "source": p.source, "scenario": p.scenario, "measure": p.measure,
                     "target": p.target, "lo": p.lo, "hi": p.hi, "target_text": p.target_text,
                     "tolerance": p.tolerance_text, "mean": mean, "sd": sd, "n": n,
                     "ci_low": mean - hw, "ci_high": mean + hw, "pass": p.passes(mean)})
    return pd.DataFrame(rows)


def _cv_curve(values: np.ndarray) -> np.ndarray:
    """Coefficient of variation of the first n values, n = 1..len (NaN for n = 1)."""
    out = np.full(len(values), np.nan)
    for n in range(2, len(values) + 1):
        v = values[:n]
        mu = abs(float(np.mean(v)))
        out[n - 1] = float(np.std(v, ddof=1)) / mu if mu > 0 else np.nan
    return out


def _quantities(runs: pd.DataFrame) -> dict[str, tuple[str, np.ndarray]]:
    """Every replicated quantity: the patterns' measures and a few core baseline metrics."""
    out = {p.key: (p.name, pattern_values(runs, p)) for p in PATTERNS}
    base = runs[runs["scenario"] == "baseline"].sort_values("seed")
    for m in CORE_CHECKED:
        if m in base.columns:
            out[f"baseline.{m}"] = (f"{m} (baseline, core metric)", base[m].to_numpy(float))
    return out


def replication_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Long table: quantity, n, mean and coefficient of variation over the first n seeds,
    and the first n from which the CV stays within ±10% (or 0.002) of its final value."""
    rows = []
    for key, (name, v) in _quantities(runs).items():
        v = v[np.isfinite(v)]
        if len(v) < 2:
            continue
        cv = _cv_curve(v)
        final = cv[-1]
        ok = np.abs(cv - final) <= max(CV_BAND * final, CV_FLOOR)
        ok[0] = False
        settle = len(v)
        for n in range(len(v), 1, -1):     # the first n from which every later CV is ok
            if not ok[n - 1]:
                break
            settle = n
        for n in range(2, len(v) + 1):
            sd = float(np.std(v[:n], ddof=1))
            rows.append({"quantity": key, "meaning": name, "n": n,
                         "mean": float(np.mean(v[:n])), "cv": cv[n - 1],
                         "ci_halfwidth": float(t_half_width(sd, n)), "settled_from": settle})
    return pd.DataFrame(rows)


def recommended_reps(reps_table: pd.DataFrame) -> int:
    """The smallest replication count from which every quantity's CV has settled."""
    if reps_table.empty:
        return 0
    return int(reps_table.groupby("quantity")["settled_from"].first().max())


# --------------------------------------------------------------------------------------------
# Presentation
# --------------------------------------------------------------------------------------------
def _fmt(value: float, percent: bool) -> str:
    if not np.isfinite(value):
        return "–"
    if percent:
        return f"{100 * value:.1f}%"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _ci(r: Mapping[str, Any], pc: bool) -> str:
    return (f"{_fmt(r['ci_low'], pc)} – {_fmt(r['ci_high'], pc)}"
            if np.isfinite(r["ci_low"]) else "–")


def markdown_table(table: pd.DataFrame) -> str:
    """The pattern table as Markdown (the README's validation table)."""
    percent = {p.key: p.percent for p in PATTERNS}
    lines = ["| # | pattern | source | scenario | target | tolerance | model mean | 95% CI | "
             "n | pass |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in table.to_dict("records"):
        pc = percent.get(str(r["key"]), False)
        lines.append(f"| {r['target_no']} | {r['pattern']} | {r['source']} | "
                     f"`{r['scenario']}` | {r['target_text']} | {r['tolerance']} | "
                     f"{_fmt(r['mean'], pc)} | {_ci(r, pc)} | {r['n']} | "
                     f"{'pass' if r['pass'] else 'FAIL'} |")
    return "\n".join(lines)


def replication_markdown(reps_table: pd.DataFrame, ns: Sequence[int] | None = None) -> str:
    """CV (in %) by quantity (rows) and replication count (columns)."""
    if reps_table.empty:
        return "(fewer than two replications: no coefficient of variation)"
    n_max = int(reps_table["n"].max())
    if ns is None:
        ns = sorted({n for n in (2, 3, 5, 10, 15, 20, 30, 40, 50, 60) if n <= n_max} | {n_max})
    wide = reps_table.pivot(index="quantity", columns="n", values="cv")
    settled = reps_table.groupby("quantity")["settled_from"].first()
    order = list(dict.fromkeys(reps_table["quantity"]))
    head = "| quantity | " + " | ".join(f"n={n}" for n in ns) + " | settled from n |"
    lines = [head, "|---|" + "---|" * (len(ns) + 1)]
    for q in order:
        cells = [f"{100 * wide.at[q, n]:.2f}%" if np.isfinite(wide.at[q, n]) else "–"
                 for n in ns]
        lines.append(f"| {q} | " + " | ".join(cells) + f" | {int(settled[q])} |")
    return "\n".join(lines)


def plot_replications(reps_table: pd.DataFrame, path: Path, recommended: int) -> Path:
    """CV(n) / CV(final) against n: the patterns' quantities (left), core metrics (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    colours = plt.get_cmap("tab20").colors
    groups = (("patterns", lambda q: not q.startswith("baseline.")),
              ("core metrics (baseline)", lambda q: q.startswith("baseline.")))
    for ax, (title, keep) in zip(axes, groups, strict=True):
        qs = [q for q in dict.fromkeys(reps_table["quantity"]) if keep(q)]
        for i, q in enumerate(qs):
            g = reps_table[reps_table["quantity"] == q]
            cv = g["cv"].to_numpy()
            ax.plot(g["n"], cv / cv[-1] if cv[-1] > 0 else cv, label=q, lw=1.2,
                    color=colours[i % len(colours)], ls="-" if i < 10 else "--")
        ax.axhspan(1 - CV_BAND, 1 + CV_BAND, color="0.88", zorder=0,
                   label=f"±{CV_BAND:.0%} of the final CV (or ±{CV_FLOOR} absolute)")
        ax.axvline(recommended, color="k", ls=":", lw=1,
                   label=f"every quantity settled: n = {recommended}")
        ax.set_title(f"Coefficient of variation vs replications: {title}", fontsize=10)
        ax.set_xlabel("replications n (seeds 0..n-1)")
        ax.set_ylim(0, 2.5)
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel("CV(n) / CV(final n)")
    try:
        return runner.save_figure(fig, path)
    finally:
        plt.close(fig)


def report_markdown(table: pd.DataFrame, reps_table: pd.DataFrame, *, reps: int, days: int,
                    recommended: int, overrides: Mapping[str, Any]) -> str:
    passed = int(table["pass"].sum())
    lines = [
        "# Validation against the papers' figures",
        "",
        f"Default parameters{' with ' + str(dict(overrides)) if overrides else ''}; "
        f"{reps} replications (seeds 0..{reps - 1}, the same in every scenario), {days} days. "
        "A pattern passes when the mean over replications lies within its tolerance; the 95% "
        "interval is the t-interval of that mean. Generated by `python run.py validate`.",
        "",
        f"**{passed} of {len(table)} checks pass; targets: "
        + ", ".join(f"{t} {'pass' if g['pass'].all() else 'FAIL'}"
                    for t, g in table.groupby("target_no")) + ".**",
        "",
        "Targets:",
        "",
        *[f"{t}. {title}" for t, title in TARGET_TITLES.items()],
        "",
        markdown_table(table),
        "",
        "How each quantity is measured: end-of-run values on the last day; attendance is the "
        "mean over the branch activities of the second half of the run of the households at "
        "one activity in one grid (all its compounds), times "
        "households.residents_per_household (a household's propensity is read as each "
        "member's); retiree share pools those activities' attendees; staff per 10,000 "
        "residents is committee posts + service centre + grid workers over the planning "
        "population, as built.",
        "",
        "## Replication count",
        "",
        f"Coefficient of variation (sd / mean over seeds 0..n-1) of each quantity. A quantity "
        f"has settled from the first n after which its CV stays within ±{CV_BAND:.0%} of its "
        f"{reps}-replication value (or within {CV_FLOOR} absolute). Settled for every "
        f"quantity from n = {recommended}. `replications.csv` has every n, the mean and the "
        "CI half-width; `replications.png` plots CV(n) / CV(final).",
        "",
        replication_markdown(reps_table),
        "",
    ]
    return "\n".join(lines)


def print_table(table: pd.DataFrame) -> str:
    """A plain-text version of the pattern table for the terminal."""
    percent = {p.key: p.percent for p in PATTERNS}
    rows = [("#", "pattern", "source", "target", "tolerance", "model mean", "95% CI", "")]
    for r in table.to_dict("records"):
        pc = percent.get(str(r["key"]), False)
        rows.append((str(r["target_no"]), str(r["pattern"]), str(r["source"]),
                     str(r["target_text"]), str(r["tolerance"]), _fmt(r["mean"], pc),
                     _ci(r, pc), "pass" if r["pass"] else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
@dataclass
class ValidationResult:
    table: pd.DataFrame
    runs: pd.DataFrame
    replications: pd.DataFrame
    recommended: int
    files: list[Path]

    @property
    def passed(self) -> bool:
        return bool(self.table["pass"].all())


def validate(*, reps: int = DEFAULT_REPS, days: int = DEFAULT_DAYS, workers: int = 1,
             out: str | Path | None = DEFAULT_OUT,
             overrides: Mapping[str, Any] | None = None) -> ValidationResult:
    """Run every pattern's scenarios ``reps`` times, evaluate, and write the files to ``out``
    (``None``: write nothing)."""
    from commgov.scenarios.loader import load_scenario

    overrides = dict(overrides or {})
    run = [load_scenario(n, overrides) for n in RUN_SCENARIOS]
    build = [load_scenario(n, overrides) for n in STAFFING_SCENARIOS]
    runs = run_measures(run, range(reps), days, workers, build_only=build)
    table = evaluate(runs)
    reps_table = replication_table(runs)
    recommended = recommended_reps(reps_table)
    files: list[Path] = []
    if out is not None:
        out = runner.ensure_dir(out)
        md = report_markdown(table, reps_table, reps=reps, days=days, recommended=recommended,
                             overrides=overrides)
        files += [runner.write_text(out / "validation.md", md),
                  runner.write_csv(out / "validation.csv", table),
                  runner.write_csv(out / "runs.csv", runs),
                  runner.write_csv(out / "replications.csv", reps_table)]
        if not reps_table.empty:
            files.append(plot_replications(reps_table, out / "replications.png", recommended))
        files.append(runner.write_json(out / "run.json", {
            "command": "validate", "reps": reps, "seeds": list(range(reps)), "days": days,
            "overrides": overrides, "scenarios": [*RUN_SCENARIOS, *STAFFING_SCENARIOS],
            "passed": bool(table["pass"].all()), "recommended_reps": recommended,
            "parameters": {s.name: runner.scenario_record(s) for s in (*run, *build)},
            "created_at": runner.now_iso(), "versions": runner.versions(),
            "git_commit": runner.git_commit()}))
    return ValidationResult(table, runs, reps_table, recommended, files)


class DefaultInt(int):
    """An option's default value, told apart from the same number typed by the user: the
    claims suite (``--claims``) then takes its own default from the claims file."""


def add_parser(subparsers: Any, formatter_class: type[argparse.HelpFormatter] =
               argparse.RawDescriptionHelpFormatter) -> argparse.ArgumentParser:
    """Add the ``validate`` subcommand to the CLI's subparsers (pass the CLI's formatter)."""
    from commgov.experiments.cli import int_option

    p = subparsers.add_parser(
        "validate", help="check the default model against the papers' figures",
        allow_abbrev=False, formatter_class=formatter_class,
        description="Run baseline and red_property (and build the staffing scenarios) with "
                    "seeds 0..reps-1, compare four patterns from the papers with their "
                    "targets and tolerances, check how the coefficient of variation settles "
                    "with the number of replications, and write validation.md, "
                    "validation.csv, runs.csv, replications.csv, replications.png and "
                    "run.json to --out. Exit code 0 when every pattern passes, 1 otherwise.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --quick --out /tmp/v\n  %(prog)s --reps 60 "
               "--workers 2")
    p.add_argument("--reps", type=int_option(2, None, "replications", "--reps 40"), default=None,
                   metavar="N",
                   help=f"replications (seeds 0..N-1) per scenario (default: {DEFAULT_REPS}; "
                        f"--quick: {QUICK_REPS})")
    p.add_argument("--days", type=int_option(60, None, "simulated days", "--days 730"),
                   default=DefaultInt(DEFAULT_DAYS), metavar="N",
                   help=f"simulated days per run (default: {DEFAULT_DAYS}, two years; with "
                        f"--claims: the claims file's setting)")
    p.add_argument("--quick", action="store_true",
                   help=f"reduced setting for the test suite: {QUICK_REPS} replications")
    p.add_argument("--workers", type=int_option(1, None, "worker processes", "--workers 2"),
                   default=min(2, mp.cpu_count() or 1), metavar="N",
                   help="parallel processes; 1 runs in this process; results do not depend "
                        "on it")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter in every scenario, e.g. --set "
                        "property.nail_share=0.02 (validating a variant)")
    p.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"output directory (default: {DEFAULT_OUT})")
    claims = p.add_argument_group(
        "claims suite (--claims)",
        "Test every cause-effect claim of experiments/claims.toml with paired replications at "
        "default parameters and across a Latin hypercube of the uncertain parameters; write "
        "claims.csv and claims.html to --out; exit 1 if a claim fails at defaults. --reps, "
        "--days and --quick apply to it too; defaults come from the claims file.")
    claims.add_argument("--claims", action="store_true",
                        help="run the claims suite instead of the four patterns")
    claims.add_argument("--samples", type=int_option(0, None, "Latin-hypercube points",
                                                     "--samples 24"),
                        default=None, metavar="N",
                        help="Latin-hypercube points over the uncertain parameters (0: none)")
    claims.add_argument("--point-reps", type=int_option(1, None, "replications per point",
                                                        "--point-reps 2"),
                        default=None, metavar="N", help="paired replications per LHS point")
    claims.add_argument("--claims-file", default=None, metavar="FILE",
                        help="another claims file (default: experiments/claims.toml)")
    claims.add_argument("--only", default=None, metavar="ID,ID",
                        help="only these claim ids")
    engine = claims.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run the claims' runs on an existing Dask cluster")
    engine.add_argument("--dask-local", action="store_true",
                        help="run them on a Dask LocalCluster of --workers workers")
    claims.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_validate)
    return p


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the validation; print the table; 0 if every pattern passes, else 1."""
    from commgov.scenarios.loader import load_scenario, parse_set

    if getattr(args, "claims", False):
        from commgov.experiments import claims

        return claims.cmd_claims(args)
    claims_only = [o for o in ("samples", "point_reps", "claims_file", "only", "scheduler")
                   if getattr(args, o, None) is not None] + \
        [o for o in ("dask_local",) if getattr(args, o, False)]
    if claims_only:
        from commgov.experiments.cli import UsageError

        raise UsageError(f"--{claims_only[0].replace('_', '-')} only applies to the claims "
                         f"suite; add --claims (see --help).")
    reps = args.reps if args.reps is not None else (QUICK_REPS if args.quick else
                                                     DEFAULT_REPS)
    overrides = parse_set(args.set)
    for name in (*RUN_SCENARIOS, *STAFFING_SCENARIOS):   # bad --set values stop here
        load_scenario(name, overrides)
    runner.ensure_dir(args.out)
    print(f"Validate: {len(RUN_SCENARIOS)} scenarios x {reps} replications (seeds "
          f"0..{reps - 1}) x {args.days} days, + {len(STAFFING_SCENARIOS)} staffing scenarios "
          f"built; {args.workers} worker(s)", flush=True)
    with runner.Timer() as t:
        res = validate(reps=reps, days=args.days, workers=args.workers, out=args.out,
                       overrides=overrides)
    print()
    print(print_table(res.table))
    n_pass = int(res.table["pass"].sum())
    print(f"\n{n_pass} of {len(res.table)} checks pass: "
          f"{'all four targets met' if res.passed else 'SOME TARGETS MISSED'}. The CV of "
          f"every quantity has settled from n = {res.recommended} of {reps} replications.")
    print(f"Runs took {t.seconds:.1f} s. Wrote {args.out}/: "
          f"{', '.join(f.name for f in res.files)}")
    return 0 if res.passed else 1


# --------------------------------------------------------------------------------------------
# docs/ODD.md parameter tables, generated from the schema
# --------------------------------------------------------------------------------------------
ODD_BLOCK = re.compile(r"(<!-- odd-params: (?P<id>[a-z_]+) -->\n)(?P<body>.*?)"
                       r"(<!-- end odd-params -->)", re.S)

# Each submodel of the ODD lists the parameters it uses. Which one is part of each
# parameter's record in scenarios/schema.py (its section's ``ODD_SECTION``, or ``odd=`` on
# the field), as is what the papers give for its value (``basis=``); these are views.
def _odd_views() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    from commgov.scenarios.loader import flat_parameters

    tables: dict[str, tuple[str, ...]] = {}
    basis: dict[str, str] = {}
    for key, p in flat_parameters().items():
        tables[p.odd] = (*tables.get(p.odd, ()), key)
        if p.basis:
            basis[key] = p.basis
    return tables, basis


ODD_SUBMODELS, ODD_BASIS = _odd_views()


def odd_submodel_of(key: str) -> list[str]:
    """The ODD submodel tables a parameter key is listed in (exactly one by construction)."""
    return [sid for sid, keys in ODD_SUBMODELS.items() if key in keys]


def _basis(key: str, source: str, kind: str) -> str:
    if key in ODD_BASIS:
        return ODD_BASIS[key]
    if kind == "bool":
        return f"switch: a policy or structure {source} chosen by the scenario"
    if source.startswith("["):
        return f"mechanism {source}; value assumed"
    return source or "assumption"


def render_odd_block(block_id: str) -> str:
    """The Markdown parameter table of one ODD submodel."""
    from commgov.scenarios.loader import flat_parameters
    from commgov.scenarios.reference import _fmt as fmt

    lines = ["| parameter | default | unit | range | source | basis of the value | meaning |",
             "|---|---|---|---|---|---|---|"]
    for key, p in flat_parameters().items():
        if block_id not in odd_submodel_of(key):
            continue
        rng = "true / false" if p.type == "bool" else (
            "" if p.ge is None and p.le is None else f"{fmt(p.ge)} – {fmt(p.le)}")
        desc = p.description.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{key}` | {fmt(p.default)} | {p.unit} | {rng} | {p.source} | "
                     f"{_basis(key, p.source, p.type)} | {desc} |")
    return "\n".join(lines) + "\n"


MECHANISMS_START = ("<!-- odd-mechanisms: generated by `python run.py docs` for mechanisms "
                    "whose submodel is not written out above -->")
MECHANISMS_END = "<!-- end odd-mechanisms -->"


def _generated_submodels(text: str) -> str:
    """A submodel section for every mechanism that owns a parameter section with no table
    elsewhere in the ODD: heading (ODD number, what it is, papers), its module docstring and
    its parameter table. So a new mechanism is documented by its module alone until someone
    writes its section out by hand (which then replaces this one)."""
    from commgov.model.mechanisms import MECHANISMS

    written = {m.group("id") for m in ODD_BLOCK.finditer(text)}
    out = []
    for c in MECHANISMS:
        block = getattr(c.params, "ODD_SECTION", "") if c.params is not None else ""
        if not block or block in written:
            continue
        doc = sys.modules[c.__module__].__doc__ or (c.__doc__ or "")
        first = (c.__doc__ or c.name).strip().splitlines()[0].rstrip(".")
        papers = ", ".join(c.sources)
        out.append(f"### {c.odd} {first} [{papers}]\n\n{doc.strip()}\n\n"
                   f"<!-- odd-params: {block} -->\n<!-- end odd-params -->\n")
    return "\n".join(out)


def render_odd(text: str) -> str:
    """``text`` with every ``<!-- odd-params: id -->`` block regenerated from the schema, and
    the generated submodels of mechanisms not written out (between ``MECHANISMS_START`` and
    ``MECHANISMS_END``, when the file has them)."""
    def sub(m: re.Match[str]) -> str:
        return m.group(1) + render_odd_block(m.group("id")) + m.group(4)

    if MECHANISMS_START in text and MECHANISMS_END in text:
        head, rest = text.split(MECHANISMS_START, 1)
        _, tail = rest.split(MECHANISMS_END, 1)
        body = _generated_submodels(head + tail)
        body += "\n" if body else ""
        text = f"{head}{MECHANISMS_START}\n{body}{MECHANISMS_END}{tail}"
    return ODD_BLOCK.sub(sub, text)


def update_odd(path: str | Path = runner.REPO_ROOT / "docs" / "ODD.md") -> bool:
    """Regenerate the parameter tables in docs/ODD.md; True if the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new = render_odd(text)
    if new != text:
        runner.write_text(path, new)
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m commgov.experiments.validate [--update-odd | validate options]``."""
    import sys

    from commgov.experiments.cli import Formatter

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--update-odd"]:
        print("updated docs/ODD.md" if update_odd() else "docs/ODD.md is current")
        return 0
    prog = "python -m commgov.experiments.validate"
    parser = add_parser(argparse.ArgumentParser(prog=prog).add_subparsers(), Formatter)
    parser.prog = prog
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
