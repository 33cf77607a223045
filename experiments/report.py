"""``run.py report DIR``: what a sweep says, with honest uncertainty.

Per metric (end-of-run values):
- the mean of every (scenario, design point) with a 95% t confidence interval over
  replications;
- the difference from baseline *paired by seed*: replication k of a scenario minus
  replication k of baseline at the same design point (common random numbers make the pairs
  share their randomness, so the interval of the paired difference is much tighter than
  comparing two independent means).

Figures: time series with CI bands per scenario; a policy-effect (forest) chart of the paired
differences; for a [vary] grid, end-of-run response curves; for Morris designs μ*/σ and for
Sobol designs S1/ST (SALib's analyzers, averaged over replications per design point).
Everything lands in ``DIR/report``: ``tables/*.csv``, ``figures/*.png``, and a
self-contained ``index.html`` (figures embedded) to share.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from commgov.experiments import costeff, runner, timemarks
from commgov.experiments.errors import ReportError
from commgov.experiments.labels import (
    metric_label,
    param_label,
    scenario_label,
    setup_fonts,
    text,
)
from commgov.experiments.stats import mean_ci, t_half_width
from commgov.model.metrics import metric_record

ID = ("scenario", "point", "replication")


def t_interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and two-sided 95% t interval of a sample (NaN bounds when n < 2)."""
    ci = mean_ci(values)
    return (ci.mean, ci.ci_low, ci.ci_high, ci.n)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
class SweepResults:
    """A sweep's output directory, loaded."""

    def __init__(self, path: Path) -> None:
        from commgov.experiments.engine import consolidate

        self.path = path
        manifest = path / "manifest.json"
        if not manifest.exists():
            raise ReportError(f"{path}: no manifest.json here, so this is not a sweep's "
                              f"output directory (run `{runner.PROG} sweep FILE --out {path}`).")
        try:
            self.manifest = json.loads(manifest.read_bytes())
            self.spec = self.manifest["spec"]
            self.baseline = str(self.manifest["baseline"])
            self.expected = int(self.manifest["runs"])
            scenarios = list(self.manifest["scenarios"])
            metrics = list(self.spec["metrics"])
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ReportError(f"{manifest}: cannot be read or is damaged ({_why(e)}); a "
                              f"report needs the manifest the sweep wrote.") from None
        self.summary = consolidate(path)
        if self.summary.empty:
            raise ReportError(f"{path}: the sweep has no finished runs yet (runs/ is empty); "
                              f"run it or --resume it first.")
        try:
            self.design = pd.read_csv(path / "design.csv").set_index("point")
        except (OSError, ValueError, KeyError) as e:
            raise ReportError(f"{path / 'design.csv'}: cannot be read or is damaged "
                              f"({_why(e)}); run the sweep again with --resume to rewrite "
                              f"it.") from None
        self.metrics = [m for m in metrics if m in self.summary.columns]
        self.scenarios = [s for s in scenarios if s in set(self.summary["scenario"])]
        sources = self.manifest["scenarios"] if isinstance(self.manifest["scenarios"],
                                                           dict) else {}
        # Timed policies ([[timeline]]): where their charts get a line, before/after means.
        self.marks: dict[str, tuple[timemarks.Mark, ...]] = {
            s: m for s in self.scenarios
            if (m := timemarks.scenario_marks(sources.get(s, s)))}
        self.warmup = _warmup(sources.get(self.baseline, self.baseline))

    def daily(self) -> pd.DataFrame:
        """The daily tables of the finished runs only (checked against their checksums by
        :func:`consolidate`); an orphan daily file of an unfinished run is not a result."""
        frames = []
        for run_id in self.summary["run_id"]:
            p = self.path / "daily" / f"{run_id}.parquet"
            try:
                frames.append(pd.read_parquet(p))
            except (OSError, ValueError) as e:
                raise ReportError(f"{p}: cannot be read ({_why(e)}); run the sweep again "
                                  f"with --resume (same --out) to redo it.") from None
        return pd.concat(frames, ignore_index=True)

    @property
    def varied(self) -> list[str]:
        return list(self.design.columns)

    def point_label(self, point: int) -> str:
        if not self.varied:
            return ""
        return ", ".join(f"{k.split('.')[-1]}={_short(v)}"
                         for k, v in self.design_row(point).items())

    def design_row(self, point: int) -> dict[str, Any]:
        """One design point as plain values (a mixed row via .loc would upcast ints)."""
        row = self.design.loc[[point]].to_dict(orient="records")[0]
        return {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}


def _warmup(source: Any) -> int:
    """The scenario's ``metrics.burn_in_days`` (the default if the file cannot be read)."""
    from commgov.scenarios.loader import ScenarioError, load_scenario
    from commgov.scenarios.schema import MetricParams

    try:
        return int(load_scenario(source).scenario.metrics.burn_in_days)
    except (ScenarioError, OSError, ValueError):
        return int(MetricParams().burn_in_days)


def _why(e: BaseException) -> str:
    return getattr(e, "strerror", None) or f"{type(e).__name__}: {e}"


def _short(v: Any) -> str:
    return f"{v:.3g}" if isinstance(v, float) else str(v)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------
def means_table(res: SweepResults, metric: str) -> pd.DataFrame:
    rows = []
    for (scenario, point), g in res.summary.groupby(["scenario", "point"], sort=True):
        mean, lo, hi, n = t_interval(g[metric].to_numpy())
        rows.append({"scenario": scenario, "point": int(point), **_design_cols(res, point),
                     "mean": mean, "ci_low": lo, "ci_high": hi, "n": n})
    return pd.DataFrame(rows)


def differences_table(res: SweepResults, metric: str) -> pd.DataFrame:
    """Scenario minus baseline at the same design point and replication (paired by seed)."""
    s = res.summary
    base = s[s["scenario"] == res.baseline].set_index(["point", "replication"])[metric]
    rows = []
    for (scenario, point), g in s[s["scenario"] != res.baseline].groupby(
            ["scenario", "point"], sort=True):
        paired = g.set_index(["point", "replication"])[metric]
        common = paired.index.intersection(base.index)
        diff = (paired.loc[common] - base.loc[common]).to_numpy()
        mean, lo, hi, n = t_interval(diff)
        rows.append({"scenario": scenario, "point": int(point), **_design_cols(res, point),
                     "difference": mean, "ci_low": lo, "ci_high": hi, "pairs": n,
                     "p_value": _paired_p(diff)})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["p_adjusted"] = adjust_bh(table["p_value"].to_numpy())
    table["significant"] = table["p_adjusted"] < ALPHA
    return table


ALPHA = 0.05


def _paired_p(diff: np.ndarray) -> float:
    """Two-sided p of the paired t-test (NaN with < 2 pairs or no variation at all)."""
    from scipy import stats

    if len(diff) < 2:
        return float("nan")
    if np.allclose(diff, diff[0]):
        return 1.0 if diff[0] == 0 else 0.0
    return float(stats.ttest_1samp(diff, 0.0).pvalue)


def adjust_bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values over one metric's comparisons.

    A report compares many scenarios (and design points) with the baseline; marking each
    whose unadjusted interval excludes 0 would flag about one in twenty null effects. BH
    controls the false discovery rate at 5% across the family (SciPy's
    ``false_discovery_control``); NaNs (too few pairs) stay NaN and are never significant.
    """
    from scipy import stats

    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def _design_cols(res: SweepResults, point: int) -> dict[str, Any]:
    if not res.varied or len(res.design) > 200:
        return {}
    return res.design_row(point)


# --------------------------------------------------------------------------------------------
# Cost and what it buys; before/after a timed policy
# --------------------------------------------------------------------------------------------
def cost_table(res: SweepResults, daily: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Per scenario and design point: its cost beside the reference's, and what each extra
    unit of outcome costs against the reference (Δcost / Δoutcome, paired by seed, Fieller
    interval; NaN with a ``*_status`` saying why when the outcome difference's CI crosses 0).

    None when the sweep did not record ``cost_yuan_per_year`` or has no other scenario.
    With the ``daily`` table, issues resolved over the run are priced with the run's mean
    cost a year (recorded days after day 0), so a timed policy pays only for its days.
    """
    s = res.summary
    if costeff.COST_METRIC not in s.columns or len(res.scenarios) < 2:
        return None
    outcomes = [o for o in costeff.OUTCOMES if all(c in s.columns for c in o.needs)]
    days = int(res.spec["days"])
    keyed = s.set_index(["scenario", "point", "replication"]).sort_index()
    spent = None
    if daily is not None and costeff.COST_METRIC in daily.columns:
        spent = daily[daily["day"] > 0].groupby(
            ["scenario", "point", "replication"])[costeff.COST_METRIC].mean()
    rows = []
    for (scenario, point), g in s[s["scenario"] != res.baseline].groupby(
            ["scenario", "point"], sort=True):
        reps = sorted(set(g["replication"]) & set(
            s[(s["scenario"] == res.baseline) & (s["point"] == point)]["replication"]))
        a = keyed.loc[[(res.baseline, point, r) for r in reps]]
        b = keyed.loc[[(scenario, point, r) for r in reps]]
        cost_a = a[costeff.COST_METRIC].to_numpy(float)
        cost_b = b[costeff.COST_METRIC].to_numpy(float)
        mean, lo, hi, n = t_interval(cost_b - cost_a)
        row: dict[str, Any] = {
            "scenario": scenario, "point": int(point), **_design_cols(res, point),
            "cost": float(np.mean(cost_b)), "reference_cost": float(np.mean(cost_a)),
            "d_cost": mean, "d_cost_low": lo, "d_cost_high": hi, "pairs": n}
        mean_a = mean_b = None
        if spent is not None:
            mean_a = spent.reindex(a.index).to_numpy(float)
            mean_b = spent.reindex(b.index).to_numpy(float)
        for o in outcomes:
            oa = np.array([o.value(r) for r in a.to_dict(orient="records")])
            ob = np.array([o.value(r) for r in b.to_dict(orient="records")])
            r = costeff.ratio(o, cost_a, cost_b, oa, ob, days, mean_cost_a=mean_a,
                              mean_cost_b=mean_b)
            row |= {f"d_{o.key}": r.d_outcome, f"d_{o.key}_low": r.d_outcome_lo,
                    f"d_{o.key}_high": r.d_outcome_hi, f"per_{o.key}": r.ratio,
                    f"per_{o.key}_low": r.lo, f"per_{o.key}_high": r.hi,
                    f"per_{o.key}_status": r.status}
        rows.append(row)
    return pd.DataFrame(rows)


def _cost_html(res: SweepResults, table: pd.DataFrame, lang: str) -> str:
    """The cost table for people: yuan with thousands separators, each ratio with its
    interval or the reason there is none ("n/a" when the outcome difference is unclear)."""
    outcomes = [o for o in costeff.OUTCOMES if f"per_{o.key}" in table.columns]
    cells = "".join(f"<th>{html.escape(text(k, lang))}</th>"
                    for k in ("scenario", "cost", "d_cost"))
    for o in outcomes:
        cells += (f"<th>Δ {html.escape(metric_label(o.metric, lang))}</th>"
                  f"<th>{html.escape(costeff.pick(o.unit, lang))}</th>")
    body = []
    for r in table.to_dict(orient="records"):
        name = _series_label(res, r["scenario"], r["point"], lang)
        tds = [html.escape(name), costeff.fmt_yuan(r["cost"]),
               f"{_signed(r['d_cost'])} ({_signed(r['d_cost_low'])} … "
               f"{_signed(r['d_cost_high'])})"]
        for o in outcomes:
            tds.append(f"{_signed(r[f'd_{o.key}'], 2)} ({_signed(r[f'd_{o.key}_low'], 2)} … "
                       f"{_signed(r[f'd_{o.key}_high'], 2)})")
            ratio = costeff.Ratio(o.key, r["d_cost"], r[f"d_{o.key}"], r[f"d_{o.key}_low"],
                                  r[f"d_{o.key}_high"], r[f"per_{o.key}"],
                                  r[f"per_{o.key}_low"], r[f"per_{o.key}_high"],
                                  int(r["pairs"]), r[f"per_{o.key}_status"],
                                  r[f"d_{o.key}"] * o.direction < 0)
            tds.append(html.escape(costeff.ratio_text(ratio, lang)))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in tds) + "</tr>")
    note = text("cost_note", lang, base=res.baseline)
    return (f"<p class='meta'>{html.escape(note)}</p><table class='t cost'><thead><tr>{cells}"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _signed(v: float, digits: int = 0) -> str:
    if not np.isfinite(v):
        return "–"
    return f"{v:+,.{digits}f}"


def _window_means(daily: pd.DataFrame, scenario: str, metric: str,
                  w: tuple[tuple[int, int], tuple[int, int]]) -> pd.DataFrame:
    """Per run (point, replication): the metric's mean over the before and after windows."""
    d = daily[daily["scenario"] == scenario]
    out = {}
    for name, (lo, hi) in zip(("before", "after"), w, strict=True):
        out[name] = d[(d["day"] >= lo) & (d["day"] < hi)].groupby(
            ["point", "replication"])[metric].mean()
    return pd.DataFrame(out)


def before_after_table(res: SweepResults, daily: pd.DataFrame) -> pd.DataFrame | None:
    """For each scenario with a timeline: each main outcome's mean before and after the
    policy starts (after a warm-up), the change, and the change minus the reference's over
    the same windows and seeds (difference-in-differences), with 95% t intervals."""
    rows = []
    days = int(res.spec["days"])
    main = [m for m in res.metrics if (rec := metric_record(m)) and rec.direction]
    for scenario, marks in res.marks.items():
        w = timemarks.windows([mk.day for mk in marks], days, res.warmup)
        if w is None:
            continue
        (b0, b1), (a0, a1) = w
        for metric in main:
            own = _window_means(daily, scenario, metric, w).dropna()
            if own.empty:
                continue
            row: dict[str, Any] = {"scenario": scenario, "metric": metric,
                                   "before_days": f"{b0}-{b1 - 1}",
                                   "after_days": f"{a0}-{min(a1, days + 1) - 1}"}
            for col in ("before", "after"):
                row[col], _, _, _ = t_interval(own[col].to_numpy())
            row["change"], row["change_low"], row["change_high"], row["n"] = t_interval(
                (own["after"] - own["before"]).to_numpy())
            if scenario != res.baseline and res.baseline in set(daily["scenario"]):
                ref = _window_means(daily, res.baseline, metric, w).dropna()
                common = own.index.intersection(ref.index)
                did = ((own.loc[common, "after"] - own.loc[common, "before"])
                       - (ref.loc[common, "after"] - ref.loc[common, "before"])).to_numpy()
                row["did"], row["did_low"], row["did_high"], _ = t_interval(did)
            rows.append(row)
    return pd.DataFrame(rows) if rows else None


# --------------------------------------------------------------------------------------------
# Sensitivity (SALib)
# --------------------------------------------------------------------------------------------
def sensitivity(res: SweepResults, metric: str) -> pd.DataFrame | None:
    """Morris μ*/σ or Sobol S1/ST of one metric, from replication means per design point."""
    design = res.spec.get("design") or {}
    method = design.get("method")
    if method not in ("morris", "sobol"):
        return None
    names = list(res.design.columns)
    bounds = [list(design["parameters"].get(k, design["parameters"].get(
        k.replace(".", "__"), [0, 1]))) for k in names]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    sub = res.summary[res.summary["scenario"] == res.scenarios[0]]
    y_by_point = sub.groupby("point")[metric].mean()
    if len(y_by_point) != len(res.design):
        raise ReportError(f"{res.path}: the {method} analysis needs every design point; "
                          f"{len(res.design) - len(y_by_point)} are missing (--resume the "
                          f"sweep first).")
    y = y_by_point.reindex(res.design.index).to_numpy(dtype=float)
    if method == "morris":
        from SALib.analyze import morris
        x = res.design[names].to_numpy(dtype=float)
        si = morris.analyze(problem, x, y, num_levels=int(design.get("levels", 4)),
                            seed=int(design.get("seed", 0)))
        return pd.DataFrame({"parameter": names, "mu_star": si["mu_star"],
                             "mu_star_conf": si["mu_star_conf"], "sigma": si["sigma"],
                             "mu": si["mu"]})
    from SALib.analyze import sobol
    si = sobol.analyze(problem, y, calc_second_order=False, seed=int(design.get("seed", 0)))
    return pd.DataFrame({"parameter": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                         "ST": si["ST"], "ST_conf": si["ST_conf"]})


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


FIGURE_DPI = 300
FIGURE_FORMATS: tuple[str, ...] = (".png", ".svg", ".pdf")
# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies. Beyond
# eight series the colours cycle with a new line style, so no two series look alike.
OKABE_ITO: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                              "#D55E00", "#F0E442", "#000000")
LINESTYLES: tuple[Any, ...] = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))


def series_style(i: int) -> dict[str, Any]:
    """Colour and line style of the i-th series: unique for 8 × 5 = 40 series."""
    return {"color": OKABE_ITO[i % len(OKABE_ITO)],
            "linestyle": LINESTYLES[(i // len(OKABE_ITO)) % len(LINESTYLES)]}


def _save(fig: Any, path: Path) -> Path:
    """PNG (300 dpi) for the page, SVG and PDF beside it for publication; atomic; frees it."""
    try:
        for suffix in FIGURE_FORMATS:
            runner.save_figure(fig, path.with_suffix(suffix), dpi=FIGURE_DPI)
        return path.with_suffix(".png")
    finally:
        _plt().close(fig)


def _series_label(res: SweepResults, scenario: str, point: int, lang: str) -> str:
    """A scenario's readable name in the report's language, plus its design point."""
    name = scenario_label(scenario, lang)
    return name + (f" [{res.point_label(point)}]" if res.varied else "")


def _scale(metric: str) -> float:
    return 100.0 if runner.is_percent(metric) else 1.0


def fig_timeseries(res: SweepResults, daily: pd.DataFrame, metric: str, lang: str,
                   path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    groups = daily.groupby(["scenario", "point"], sort=True)
    k = 1.0
    marks: dict[tuple[int, str], tuple[timemarks.Mark, set[str]]] = {}
    for i, ((scenario, point), g) in enumerate(groups):
        if i >= 12:
            break
        by_day = g.groupby("day")[metric]
        mean, sd, n = by_day.mean(), by_day.std(ddof=1), by_day.count()
        hw = np.nan_to_num(t_half_width(sd.to_numpy(), n.to_numpy()))  # no band at n=1
        s = _scale(metric)
        label = _series_label(res, scenario, point, lang)
        line, = ax.plot(mean.index, mean * s, lw=1.6, label=label, **series_style(i))
        ax.fill_between(mean.index, (mean - hw) * s, (mean + hw) * s, alpha=0.18,
                        color=line.get_color(), lw=0)
        k = max(k, float(n.max()))
        for mark in res.marks.get(scenario, ()):
            marks.setdefault((mark.day, mark.kind), (mark, set()))[1].add(line.get_color())
    # One line per step day: in the series' colour, or grey when several series share it.
    for mark, colours in marks.values():
        _mark_line(ax, mark, lang, colours.pop() if len(colours) == 1 else "#555555")
    ax.set_title(text("timeseries", lang, metric=metric_label(metric, lang), n=int(k)),
                 fontsize=10)
    ax.set_xlabel(text("day", lang))
    ax.set_ylabel(metric_label(metric, lang, unit=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, frameon=False)
    fig.tight_layout()
    return _save(fig, path)


def _mark_line(ax: Any, mark: timemarks.Mark, lang: str, colour: str) -> None:
    """A timed policy's step: a dashed vertical line and its label at the top."""
    ax.axvline(mark.day, color=colour, lw=1.0, ls=(0, (4, 3)), alpha=0.9)
    ax.annotate(mark.label(lang), xy=(mark.day, 1.0), xycoords=("data", "axes fraction"),
                xytext=(3, -3), textcoords="offset points", ha="left", va="top",
                fontsize=7, color=colour, rotation=90)


def fig_effects(res: SweepResults, diffs: dict[str, pd.DataFrame], lang: str,
                path: Path) -> Path | None:
    metrics = [m for m, d in diffs.items() if not d.empty]
    if not metrics:
        return None
    plt = _plt()
    ncols = min(3, len(metrics))
    nrows = int(np.ceil(len(metrics) / ncols))
    first = diffs[metrics[0]]
    rows = len(first)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, nrows * (1.2 + 0.3 * rows)),
                             squeeze=False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        d = diffs[metric].reset_index(drop=True)
        s = _scale(metric)
        labels = [_series_label(res, r.scenario, r.point, lang) for r in d.itertuples()]
        y = np.arange(len(d))[::-1]
        # Blue: significant after the Benjamini–Hochberg correction; grey: not.
        for yi, r in zip(y, d.itertuples(), strict=True):
            colour = OKABE_ITO[0] if r.significant else "#999999"
            ax.plot([r.ci_low * s, r.ci_high * s], [yi, yi], color=colour, lw=1.6)
            ax.plot([r.difference * s], [yi], "o", color=colour, ms=4)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=7)
        ax.set_title(metric_label(metric, lang), fontsize=9)
        unit = metric_label(metric, lang, unit=True).removeprefix(metric_label(metric, lang))
        ax.set_xlabel(text("difference", lang, base=res.baseline) + unit, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle(text("effects", lang, base=res.baseline), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def fig_response(res: SweepResults, table: pd.DataFrame, metric: str, lang: str,
                 path: Path) -> Path | None:
    """End-of-run metric against the first varied parameter; one line per other setting."""
    if not res.varied or len(res.design) > 200:
        return None
    plt = _plt()
    x_key = res.varied[0]
    others = res.varied[1:]
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    s = _scale(metric)
    for i, (keys, g) in enumerate(table.groupby(["scenario", *others], sort=True)):
        keys = keys if isinstance(keys, tuple) else (keys,)
        g = g.sort_values(x_key)
        label = scenario_label(keys[0], lang) + "".join(
            f", {param_label(k, lang)} = {_short(v)}"
            for k, v in zip(others, keys[1:], strict=True))
        ax.errorbar(g[x_key], g["mean"] * s,
                    yerr=[(g["mean"] - g["ci_low"]) * s, (g["ci_high"] - g["mean"]) * s],
                    marker="o", ms=4, capsize=3, lw=1.4, label=label, **series_style(i))
    ax.set_xlabel(param_label(x_key, lang))
    ax.set_ylabel(metric_label(metric, lang, unit=True))
    ax.set_title(text("response", lang, metric=metric_label(metric, lang),
                      days=res.spec["days"], param=param_label(x_key, lang)), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return _save(fig, path)


def fig_heatmaps(res: SweepResults, table: pd.DataFrame, metric: str, lang: str,
                 path: Path, diff: bool = False) -> Path | None:
    """The response surface over the first two varied parameters: one heat map per scenario
    (and per setting of any further varied parameter), cells annotated with the mean, or with
    the paired difference from the baseline when ``diff``. Shared colour scale, so panels
    compare at a glance."""
    if len(res.varied) < 2 or len(res.design) > 400 or table.empty:
        return None
    plt = _plt()
    x_key, y_key, *others = res.varied
    value = "difference" if diff else "mean"
    s = _scale(metric)
    panels = list(table.groupby(["scenario", *others], sort=True))
    n = len(panels)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.8 * rows), squeeze=False)
    v = table[value].to_numpy(dtype=float) * s
    if diff:
        lim = float(np.nanmax(np.abs(v))) or 1.0
        vmin, vmax, cmap = -lim, lim, "RdBu_r"
    else:
        vmin, vmax, cmap = float(np.nanmin(v)), float(np.nanmax(v)), "viridis"
    image = None
    for ax, (keys, g) in zip(axes.flat, panels, strict=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        grid = g.pivot_table(index=y_key, columns=x_key, values=value, aggfunc="mean") * s
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap=cmap,
                          vmin=vmin, vmax=vmax)
        ax.set_xticks(range(grid.shape[1]), [_short(c) for c in grid.columns], fontsize=7)
        ax.set_yticks(range(grid.shape[0]), [_short(r) for r in grid.index], fontsize=7)
        for (i, j), val in np.ndenumerate(grid.to_numpy()):
            if np.isfinite(val):
                ax.text(j, i, f"{val:.3g}", ha="center", va="center", fontsize=6,
                        color="white" if (val - vmin) < 0.5 * (vmax - vmin) else "black")
        ax.set_xlabel(x_key, fontsize=8)
        ax.set_ylabel(y_key, fontsize=8)
        title = keys[0] + "".join(f", {k.split('.')[-1]}={_short(x)}"
                                  for k, x in zip(others, keys[1:], strict=True))
        if diff:
            title += f" − {res.baseline}"
        ax.set_title(title, fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    if image is not None:
        bar = fig.colorbar(image, ax=axes, shrink=0.7)
        bar.set_label(metric_label(metric, lang, unit=True), fontsize=7)
    fig.suptitle(text("heatmap_diff" if diff else "heatmap", lang,
                      metric=metric_label(metric, lang), days=res.spec["days"],
                      base=res.baseline), fontsize=10)
    return _save(fig, path)


def fig_sensitivity(method: str, si: pd.DataFrame, metric: str, lang: str,
                    path: Path) -> Path:
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    if method == "morris":
        si = si.copy()
        k = _scale(metric)      # μ*, σ are in the metric's units (percent for shares)
        si[["mu_star", "mu_star_conf", "sigma", "mu"]] *= k
        order = si.sort_values("mu_star")
        axes[0].barh([param_label(k, lang) for k in order["parameter"]], order["mu_star"],
                     xerr=order["mu_star_conf"], color=OKABE_ITO[0], alpha=0.8, capsize=2)
        axes[0].set_xlabel("μ* (" + metric_label(metric, lang, unit=True) + ")")
        axes[1].scatter(si["mu_star"], si["sigma"], color=OKABE_ITO[0])
        for r in si.itertuples():
            axes[1].annotate(r.parameter.split(".")[-1], (r.mu_star, r.sigma), fontsize=7,
                             xytext=(3, 3), textcoords="offset points")
        axes[1].set_xlabel("μ*")
        axes[1].set_ylabel("σ")
        title = text("morris", lang, metric=metric_label(metric, lang))
    else:
        order = si.sort_values("ST")
        y = np.arange(len(order))
        axes[0].barh(y - 0.2, order["S1"], 0.4, xerr=order["S1_conf"], label="S1",
                     capsize=2, color=OKABE_ITO[0])
        axes[0].barh(y + 0.2, order["ST"], 0.4, xerr=order["ST_conf"], label="ST",
                     capsize=2, color=OKABE_ITO[1])
        axes[0].set_yticks(y)
        axes[0].set_yticklabels([param_label(k, lang) for k in order["parameter"]])
        axes[0].set_xlabel("Sobol index (share of variance)")
        axes[0].legend(frameon=False)
        axes[1].scatter(si["S1"], si["ST"], color=OKABE_ITO[1])
        for r in si.itertuples():
            axes[1].annotate(r.parameter.split(".")[-1], (r.S1, r.ST), fontsize=7,
                             xytext=(3, 3), textcoords="offset points")
        axes[1].plot([0, 1], [0, 1], color="gray", lw=0.8, ls="--")
        axes[1].set_xlabel("S1")
        axes[1].set_ylabel("ST")
        title = text("sobol", lang, metric=metric_label(metric, lang))
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------
def build_report(path: Path, *, out: Path | None = None, lang: str = "en") -> Path:
    res = SweepResults(path)
    out = out or path / "report"
    setup_fonts(lang)
    tables_dir = runner.ensure_dir(out / "tables")
    figures_dir = runner.ensure_dir(out / "figures")
    figures: list[tuple[str, Path]] = []
    sections: list[str] = []
    diffs: dict[str, pd.DataFrame] = {}
    sens_method = (res.spec.get("design") or {}).get("method")
    daily = res.daily() if len(res.design) <= 12 else None

    for metric in res.metrics:
        means = means_table(res, metric)
        runner.write_csv(tables_dir / f"{metric}_means.csv", means)
        block = [f"<h3>{html.escape(_table_heading(metric, lang))}</h3>",
                 _html_table(means, metric)]
        if len(res.scenarios) > 1:
            d = differences_table(res, metric)
            diffs[metric] = d
            runner.write_csv(tables_dir / f"{metric}_vs_{runner.safe_name(res.baseline)}.csv",
                             d)
            block.append(_html_table(d, metric, diff=True))
        if sens_method in ("morris", "sobol"):
            si = sensitivity(res, metric)
            runner.write_csv(tables_dir / f"{metric}_{sens_method}.csv", si)
            block.append(si.to_html(index=False, float_format=lambda v: f"{v:.4g}",
                                    classes="t"))
            figures.append((f"{sens_method} {metric}", fig_sensitivity(
                sens_method, si, metric, lang, figures_dir / f"{sens_method}_{metric}.png")))
        elif res.varied:
            f = fig_response(res, means, metric, lang, figures_dir / f"response_{metric}.png")
            if f:
                figures.append((f"response {metric}", f))
            f = fig_heatmaps(res, means, metric, lang, figures_dir / f"surface_{metric}.png")
            if f:
                figures.append((f"surface {metric}", f))
            if metric in diffs:
                f = fig_heatmaps(res, diffs[metric], metric, lang,
                                 figures_dir / f"surface_diff_{metric}.png", diff=True)
                if f:
                    figures.append((f"surface difference {metric}", f))
        if daily is not None:
            figures.append((f"timeseries {metric}", fig_timeseries(
                res, daily, metric, lang, figures_dir / f"timeseries_{metric}.png")))
        sections.append("\n".join(block))
    front: list[str] = []
    costs = cost_table(res, daily)
    if costs is not None:
        runner.write_csv(tables_dir / f"cost_effectiveness_vs_"
                                      f"{runner.safe_name(res.baseline)}.csv", costs)
        front.append(f"<h3>{html.escape(text("cost_head", lang))}</h3>"
                     + _cost_html(res, costs, lang))
    elif len(res.scenarios) > 1:
        why = text("no_cost", lang)
        front.append(f"<p class='meta'>{html.escape(why)}</p>")
    ba = before_after_table(res, daily) if daily is not None and res.marks else None
    if ba is not None:
        runner.write_csv(tables_dir / "before_after.csv", ba)
        note = text("ba_note", lang, warm=res.warmup, base=res.baseline)
        front.append(f"<h3>{html.escape(text("before_after", lang))}"
                     f"</h3><p class='meta'>{html.escape(note)}</p>"
                     + _html_table(ba, "before_after"))
    sections[:0] = front
    if diffs:
        f = fig_effects(res, diffs, lang, figures_dir / "policy_effects.png")
        if f:
            figures.insert(0, ("policy effects", f))
    runner.write_text(out / "index.html", _html_page(res, sections, figures, lang))
    return out


def _table_heading(metric: str, lang: str) -> str:
    """Tables (HTML and CSV alike) hold shares as fractions 0–1; the heading says so."""
    if runner.is_percent(metric):
        unit = "比例，0–1" if lang == "zh" else "fraction, 0–1"
        return f"{metric_label(metric, lang)} ({unit})"
    return metric_label(metric, lang, unit=True)


def _html_table(df: pd.DataFrame, metric: str, diff: bool = False) -> str:
    """The same numbers as the CSV table (shares as fractions, one convention everywhere)."""
    show = df.copy()
    if "scenario" in show.columns:
        show["scenario"] = show["scenario"].astype(str)
    return show.to_html(index=False, classes="t", na_rep="–",
                        float_format=lambda v: f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}")


def _code_version(manifest: dict[str, Any]) -> str:
    version = (manifest.get("versions") or {}).get("commgov") or "unknown version"
    commit = manifest.get("git_commit")
    return f"commgov {version}" + (f", commit {commit[:12]}" if commit else "")


def _html_page(res: SweepResults, sections: list[str], figures: list[tuple[str, Path]],
               lang: str) -> str:
    spec = res.spec
    intro = text("summary_intro", lang, runs=len(res.summary), scenarios=len(res.scenarios),
                 points=len(res.design), reps=spec["replications"], days=spec["days"])
    missing = res.expected - len(res.summary)
    warn = (f"<p class='warn'>{missing} of {res.expected} runs are missing or failed "
            f"(see errors/); the tables use the finished ones.</p>" if missing else "")
    imgs = "\n".join(
        f"<figure><img alt='{html.escape(name)}' src='data:image/png;base64,"
        f"{base64.b64encode(p.read_bytes()).decode()}'><figcaption>{html.escape(name)}"
        f"</figcaption></figure>" for name, p in figures)
    versions = html.escape(json.dumps(res.manifest.get("versions", {})))
    title = f"{text('report_title', lang)}: {html.escape(spec['name'])}"
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }}
table.t {{ border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0 1.2em; }}
table.t th, table.t td {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
figure {{ margin: 1em 0; }} figure img {{ max-width: 100%; border: 1px solid #eee; }}
figcaption {{ font-size: 0.8em; color: #666; }} .warn {{ color: #a40; }}
.meta {{ font-size: 0.8em; color: #666; }}
</style></head><body>
<h1>{title}</h1>
<p>{html.escape(spec.get('description', ''))}</p>
<p>{html.escape(intro)}</p>{warn}
<p class="meta">baseline: {html.escape(res.baseline)} · sweep digest
{html.escape(res.manifest.get('digest', ''))} · {html.escape(_code_version(res.manifest))}
· {versions}</p>
<p class="meta">{html.escape(text('conventions', lang))}</p>
<h2>{text('figures', lang)}</h2>
{imgs}
<h2>{text('tables', lang)}</h2>
{''.join(sections)}
</body></html>
"""
