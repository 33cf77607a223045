"""The demo: baseline against a handful of policies, replicated, compared and charted.

Every scenario runs with the same seeds ``0 .. reps-1`` (common random numbers), so the
differences between scenarios are not drowned by seed-to-seed noise. Each (scenario, seed) run
is an independent job; jobs go to a process pool and are reassembled in a fixed order, so the
numbers do not depend on the number of workers or on which finished first.

Files written to the output directory (each atomically, see ``runner.atomic_path``):

``summary.csv``
    Long: one row per (scenario, metric) with the end-of-run ``mean`` over replications, the
    95% confidence interval ``ci_low``/``ci_high`` (t-distribution, n-1 degrees of freedom;
    empty when n = 1) and ``n``. Every collected metric, the 13 core ones first.
``daily.parquet``
    **Wide**: one row per (scenario, seed, day), columns ``scenario`` (str), ``seed`` (int),
    ``day`` (int, 0 = the state before the first step) and then one column per DataCollector
    metric (see ``commgov.model.metrics.METRICS``). Rows are sorted by scenario (in the order
    given), seed and day.
``timeseries.png``, ``end_of_run.png``
    Six key metrics over time (mean over replications, shaded 95% band) and at the end of the
    run (dot with 95% CI error bar).
``run.json``, ``README.txt``
    The resolved parameters, seeds, versions and git commit; a plain-language file guide.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from commgov.experiments import runner
from commgov.experiments.stats import t_half_width
from commgov.model.metrics import CORE_METRICS, METRIC_MEANINGS, METRICS, metric_record
from commgov.scenarios.loader import LoadedScenario

ID_COLUMNS: tuple[str, ...] = ("scenario", "seed", "day")
# The printed table: the core metrics plus the two that show the trade-offs of grid merging
# (office work left uncovered) and of the closed loop (satisfaction).
TABLE_METRICS: tuple[str, ...] = (*CORE_METRICS, "office_uncovered_share", "satisfied_share",
                                  "office_wait_share_90d", "overdue_open_per_1k")
ALL_METRICS: tuple[str, ...] = (
    *CORE_METRICS, *(m.name for m in METRICS if m.name not in CORE_METRICS and m.name != "day"))


@dataclass(frozen=True)
class KeyMetric:
    """How one of the charted metrics is titled, labelled and scaled (its range is 0–1)."""

    title: str
    label: str
    scale: float = 100.0

    @classmethod
    def of(cls, name: str) -> KeyMetric:
        """Title, axis label and scale from the metric's record (model/metrics.py), the
        same name and unit the sweep report and the app give it."""
        rec = metric_record(name)
        if rec is None:
            raise KeyError(f"unknown metric {name!r}")
        return cls(rec.label[0], rec.unit[0], 100.0 if rec.percent else 1.0)

    def clip(self, x: np.ndarray) -> np.ndarray:
        """t-intervals of bounded metrics can cross 0 or 100%; the charts stop at the bound."""
        return np.clip(x, 0.0, self.scale)


KEY_METRICS: dict[str, KeyMetric] = {
    name: KeyMetric.of(name)
    for name in ("resolved_share", "on_time_share", "escalated_share", "participation_rate",
                 "trust_mean", "fee_collection_rate")}


@dataclass
class DemoResult:
    daily: pd.DataFrame
    summary: pd.DataFrame
    files: list[Path]
    seconds: float


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------
def _run_job(args: tuple[LoadedScenario, int, int]) -> pd.DataFrame:
    """One demo run (module level: the engine's pools ship it by name)."""
    return runner.run_job(*args)


def run_all(scenarios: Sequence[LoadedScenario], seeds: Sequence[int], days: int,
            workers: int, progress: bool | None = None) -> pd.DataFrame:
    """Run every (scenario, seed) and return the wide daily table in a fixed order.

    ``workers == 1`` runs in this process; otherwise the engine's pool of fresh ("spawn")
    processes (``engine.run_map``), so no worker inherits state (or threads) from this one.
    """
    from commgov.experiments.engine import run_map

    jobs = [(i, s) for i in range(len(scenarios)) for s in seeds]
    results: dict[tuple[int, int], pd.DataFrame] = {}
    bar = runner.progress_bar(len(jobs), "runs", enabled=progress, leave=False)
    try:
        for k, df in run_map(_run_job, [(scenarios[i], s, days) for i, s in jobs],
                             workers=workers):
            results[jobs[k]] = df
            bar.update()
    finally:
        bar.close()

    frames = []
    for i, s in jobs:
        df = results[(i, s)].copy()
        df.insert(0, "seed", s)
        df.insert(0, "scenario", scenarios[i].name)
        frames.append(df)
    daily = pd.concat(frames, ignore_index=True)
    metric_cols = [c for c in ALL_METRICS if c in daily.columns]
    extra = [c for c in daily.columns if c not in (*ID_COLUMNS, *metric_cols)]
    return daily[[*ID_COLUMNS, *metric_cols, *extra]]


# --------------------------------------------------------------------------------------------
# Statistics
# --------------------------------------------------------------------------------------------
def summarise(daily: pd.DataFrame, names: Sequence[str],
              metrics: Sequence[str] = ALL_METRICS) -> pd.DataFrame:
    """End-of-run mean and 95% CI over replications, long: scenario, metric, mean, ci, n."""
    metrics = [m for m in metrics if m in daily.columns]
    last = daily[daily["day"] == daily.groupby(["scenario", "seed"])["day"].transform("max")]
    g = last.groupby("scenario", sort=False)[metrics]
    mean, std, n = g.mean(), g.std(ddof=1), g.count()
    hw = pd.DataFrame(t_half_width(std.to_numpy(), n.to_numpy()), index=std.index,
                      columns=std.columns)
    rows = []
    for name in names:
        for m in metrics:
            mu, h = float(mean.at[name, m]), float(hw.at[name, m])
            rows.append({"scenario": name, "metric": m, "mean": mu,
                         "ci_low": mu - h, "ci_high": mu + h, "n": int(n.at[name, m])})
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "ci_low", "ci_high", "n"])


def daily_bands(daily: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Per scenario and day: mean and CI half-width over seeds, columns (metric, stat)."""
    g = daily.groupby(["scenario", "day"], sort=False)[list(metrics)]
    mean, std, n = g.mean(), g.std(ddof=1), g.count()
    hw = pd.DataFrame(t_half_width(std.to_numpy(), n.to_numpy()), index=std.index,
                      columns=std.columns)
    return pd.concat({"mean": mean, "hw": hw}, axis=1).swaplevel(axis=1)


# --------------------------------------------------------------------------------------------
# The terminal table
# --------------------------------------------------------------------------------------------
def _decimals(metric: str, values: np.ndarray) -> int:
    """One precision per row so a row's cells line up; counts never get three decimals."""
    if runner.is_percent(metric):
        return 1
    big = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
    if metric.endswith("_total") or metric.startswith("issues_"):
        return 0 if big >= 100 else 1
    return 0 if big >= 100 else 1 if big >= 10 else 3


def _cell(mean: float, hw: float, decimals: int, scale: float) -> str:
    if not np.isfinite(mean):
        return "–"
    m = f"{mean * scale:,.{decimals}f}"
    return m if not np.isfinite(hw) else f"{m} ±{hw * scale:,.{decimals}f}"


def format_table(summary: pd.DataFrame, names: Sequence[str],
                 metrics: Sequence[str] = TABLE_METRICS, width: int | None = None) -> str:
    """Metrics as rows, scenarios as columns, "mean ±95% CI half-width" cells.

    Shares are in percent (marked ``%`` after the metric name). Columns that do not fit the
    terminal width continue in a second block below, like pandas does.
    """
    width = width or shutil.get_terminal_size((120, 24)).columns
    s = summary.set_index(["metric", "scenario"])
    labels = [f"{m} %" if runner.is_percent(m) else m for m in metrics]
    cells: dict[str, list[str]] = {name: [] for name in names}
    for m in metrics:
        sub = s.loc[m].reindex(list(names))
        means = sub["mean"].to_numpy(dtype=float)
        hws = (sub["ci_high"] - sub["mean"]).to_numpy(dtype=float)
        d = _decimals(m, means)
        scale = 100.0 if runner.is_percent(m) else 1.0
        for name, mu, h in zip(names, means, hws, strict=True):
            cells[name].append(_cell(mu, h, d, scale))

    label_w = max(len(x) for x in labels)
    col_w = {n: max(len(n), *(len(c) for c in cells[n])) for n in names}
    blocks: list[list[str]] = [[]]
    used = label_w
    for n in names:
        if blocks[-1] and used + 2 + col_w[n] > width:
            blocks.append([])
            used = label_w
        blocks[-1].append(n)
        used += 2 + col_w[n]

    out: list[str] = []
    for block in blocks:
        head = " " * label_w + "".join("  " + n.rjust(col_w[n]) for n in block)
        out += [head, "-" * len(head)]
        for r, lab in enumerate(labels):
            out.append(lab.ljust(label_w) + "".join("  " + cells[n][r].rjust(col_w[n])
                                                     for n in block))
        out.append("")
    return "\n".join(out).rstrip("\n")


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------
def _figure(ncols: int = 3, nrows: int = 2, **kw: Any) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2 * ncols, 4.0 * nrows + 0.8), layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=False, **kw)


def _colours(n: int) -> list[Any]:
    import matplotlib

    cmap = matplotlib.colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def plot_timeseries(daily: pd.DataFrame, names: Sequence[str], path: Path, reps: int
                    ) -> Path:
    """Six key metrics over time, one line per scenario, shaded 95% band over seeds."""
    bands = daily_bands(daily, list(KEY_METRICS))
    fig, axes = _figure(sharex=True)
    colours = _colours(len(names))
    for ax, (metric, km) in zip(axes.flat, KEY_METRICS.items(), strict=True):
        for name, colour in zip(names, colours, strict=True):
            sub = bands.loc[name]
            x = sub.index.to_numpy()
            m = sub[(metric, "mean")].to_numpy() * km.scale
            h = sub[(metric, "hw")].to_numpy() * km.scale
            ax.plot(x, m, color=colour, lw=1.6, label=name)
            if np.isfinite(h).any():
                ax.fill_between(x, km.clip(m - h), km.clip(m + h), color=colour, alpha=0.18,
                                lw=0)
        ax.set_title(km.title)
        ax.set_ylabel(km.label)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("simulated day (days since 1 January)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(names), 4),
               title="scenario", frameon=False)
    band = "shaded band = 95% CI" if reps > 1 else "one replication, no CI"
    fig.suptitle(f"Key metrics by day: mean of {reps} replication(s) per scenario "
                 f"(seeds 0–{reps - 1}, common random numbers); {band}")
    return runner.save_figure(fig, path)


def plot_end_of_run(summary: pd.DataFrame, names: Sequence[str], path: Path, days: int,
                    reps: int) -> Path:
    """End-of-run value of the six key metrics per scenario, with 95% CI error bars."""
    fig, axes = _figure(sharey=True)
    colours = _colours(len(names))
    s = summary.set_index(["metric", "scenario"])
    y = np.arange(len(names))[::-1]
    for ax, (metric, km) in zip(axes.flat, KEY_METRICS.items(), strict=True):
        sub = s.loc[metric].reindex(list(names))
        m = sub["mean"].to_numpy(dtype=float) * km.scale
        lo = km.clip(sub["ci_low"].to_numpy(dtype=float) * km.scale)
        hi = km.clip(sub["ci_high"].to_numpy(dtype=float) * km.scale)
        for yi, mi, li, hii, c in zip(y, m, lo, hi, colours, strict=True):
            err = [[mi - li], [hii - mi]] if np.isfinite(li) else None
            ax.errorbar(mi, yi, xerr=err, fmt="o", color=c, ms=6, capsize=4, lw=1.5)
        if "baseline" in names:
            ax.axvline(m[list(names).index("baseline")], color="0.5", ls="--", lw=1,
                       label="baseline mean")
        ax.set_title(km.title)
        ax.set_xlabel(km.label)
        ax.grid(axis="x", alpha=0.3)
        ax.set_yticks(y, list(names))
        ax.margins(x=0.15)
    if "baseline" in names:
        axes[0, 0].legend(loc="best", fontsize="small")
    ci = "error bars = 95% CI (t)" if reps > 1 else "one replication, no CI"
    fig.suptitle(f"Values at the end of the run (day {days}): mean of {reps} replication(s) "
                 f"per scenario; {ci}")
    return runner.save_figure(fig, path)


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------
def readme_text(names: Sequence[str], reps: int, days: int, overrides: dict[str, Any],
                created: str) -> str:
    """A plain-language guide to the output directory."""
    sets = ", ".join(f"{k}={v!r}" for k, v in overrides.items()) or "none"
    wrap = textwrap.TextWrapper(width=96, initial_indent="  ", subsequent_indent="      ")
    metric_lines = [wrap.fill(f"{m}: {METRIC_MEANINGS[m]}") for m in ALL_METRICS]
    return f"""\
Community governance demo: {len(names)} scenarios x {reps} replications x {days} days
Created {created}. Scenarios: {", ".join(names)}.
Seeds 0..{reps - 1} for every scenario (common random numbers). Overrides (--set): {sets}.

Files
  summary.csv      one row per (scenario, metric): end-of-run mean over replications,
                   95% confidence interval ci_low..ci_high (t-distribution) and n.
                   Shares and rates are fractions 0-1 here (the charts show percent).
  daily.parquet    WIDE table: one row per (scenario, seed, day); columns scenario, seed,
                   day (0 = before the first step, then 1..{days}) and one column per metric.
                   Read it with pandas.read_parquet("daily.parquet").
  timeseries.png   six key metrics by day, one line per scenario (mean over replications),
                   shaded 95% band (clipped to the metric's range, e.g. 0-100%).
  end_of_run.png   the same six metrics on day {days}: dot = mean, bar = 95% CI.
  run.json         resolved parameters and file chain of every scenario, overrides, seeds,
                   days, wall-clock time, package versions and git commit.
  README.txt       this file.

Metrics
{chr(10).join(metric_lines)}
"""


def write_outputs(out: Path, daily: pd.DataFrame, summary: pd.DataFrame,
                  scenarios: Sequence[LoadedScenario], reps: int, days: int,
                  overrides: dict[str, Any], seconds: float) -> list[Path]:
    """Write every demo file atomically; returns their paths."""
    names = [s.name for s in scenarios]
    created = runner.now_iso()
    files = [
        runner.write_csv(out / "summary.csv", summary),
        runner.write_parquet(out / "daily.parquet", daily),
        plot_timeseries(daily, names, out / "timeseries.png", reps),
        plot_end_of_run(summary, names, out / "end_of_run.png", days, reps),
        runner.write_json(out / "run.json", {
            "command": "demo",
            "identity": runner.run_identity("demo", list(scenarios), list(range(reps)), days),
            "scenarios": [runner.scenario_record(s) for s in scenarios],
            "overrides": overrides, "seeds": list(range(reps)), "days": days,
            "wall_clock_seconds": round(seconds, 3), "created_at": created,
            "version": runner.package_version(), "versions": runner.versions(),
            "git_commit": runner.git_commit()}),
        runner.write_text(out / "README.txt", readme_text(names, reps, days, overrides,
                                                          created)),
    ]
    return files


def run_demo(scenarios: Sequence[LoadedScenario], *, reps: int, days: int, workers: int,
             out: Path, overrides: dict[str, Any], progress: bool | None = None) -> DemoResult:
    """Run, summarise and write the demo; the caller has validated every input."""
    with runner.Timer() as t:
        daily = run_all(scenarios, range(reps), days, workers, progress)
    names = [s.name for s in scenarios]
    summary = summarise(daily, names)
    files = write_outputs(out, daily, summary, scenarios, reps, days, overrides, t.seconds)
    return DemoResult(daily=daily, summary=summary, files=files, seconds=t.seconds)
