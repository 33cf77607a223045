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

from commgov.experiments import runner
from commgov.experiments.errors import ReportError
from commgov.experiments.labels import (
    metric_label,
    param_label,
    scenario_label,
    setup_fonts,
    text,
)

CONFIDENCE = runner.CONFIDENCE
ID = ("scenario", "point", "replication")


def t_interval(values: np.ndarray) -> tuple[float, float, float, int]:
    """Mean and two-sided 95% t interval of a sample (NaN bounds when n < 2)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = len(v)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    mean = float(v.mean())
    hw = float(runner.t_halfwidth(v.std(ddof=1) if n > 1 else np.nan, n))
    return (mean, mean - hw, mean + hw, n)


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
    for i, ((scenario, point), g) in enumerate(groups):
        if i >= 12:
            break
        by_day = g.groupby("day")[metric]
        mean, sd, n = by_day.mean(), by_day.std(ddof=1), by_day.count()
        hw = np.nan_to_num(runner.t_halfwidth(sd.to_numpy(), n.to_numpy()))  # no band at n=1
        s = _scale(metric)
        label = _series_label(res, scenario, point, lang)
        line, = ax.plot(mean.index, mean * s, lw=1.6, label=label, **series_style(i))
        ax.fill_between(mean.index, (mean - hw) * s, (mean + hw) * s, alpha=0.18,
                        color=line.get_color(), lw=0)
        k = max(k, float(n.max()))
    ax.set_title(text("timeseries", lang, metric=metric_label(metric, lang), n=int(k)),
                 fontsize=10)
    ax.set_xlabel(text("day", lang))
    ax.set_ylabel(metric_label(metric, lang, unit=True))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, frameon=False)
    fig.tight_layout()
    return _save(fig, path)


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
