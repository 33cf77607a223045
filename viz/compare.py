"""Two policies side by side: the same seeds for both (common random numbers), their metric
curves, and the difference at the end with a verdict per measure.

With the same seed, A and B get the same graph, households and chance events, so a
difference comes from the policy, not from luck (the method of ``tests/simhelpers.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from commgov.model.community import CommunityModel
from commgov.viz import i18n, limits
from commgov.viz.charts import DIRECTION, PERCENT
from commgov.viz.lessons import Setup
from commgov.viz.levers import model_kwargs

TABLE_METRICS: tuple[str, ...] = (
    "on_time_share", "resolved_share", "escalated_share", "issues_open", "petitions_total",
    "participation_rate", "trust_mean", "fee_collection_rate", "office_uncovered_share",
    "worker_field_share", "households_per_worker", "property_complaint_share", "silent_share",
    "satisfied_share")
# Daily measures that jump from day to day are compared on their last 30 days' mean.
DAILY: frozenset[str] = frozenset({"issues_open", "office_uncovered_share",
                                   "worker_field_share"})
TAIL_DAYS = 30

Run = dict[str, np.ndarray]


@dataclass(frozen=True)
class Row:
    metric: str
    a: float
    b: float
    verdict: int       # +1 B better, -1 B worse, 0 about the same (or no direction)

    @property
    def diff(self) -> float:
        return self.b - self.a


@dataclass(frozen=True)
class Comparison:
    a: Setup
    b: Setup
    days: int
    seeds: tuple[int, ...]
    runs_a: tuple[Run, ...]
    runs_b: tuple[Run, ...]
    rows: tuple[Row, ...]


def run_once(setup: Setup, days: int, seed: int) -> Run:
    """One seeded run; every DataCollector column as an array from day 0 to ``days``."""
    model = CommunityModel(scenario=setup.scenario, rng=seed, **model_kwargs(setup.overrides))
    model.run_for(days)
    return {k: np.asarray(v, dtype=float) for k, v in model.datacollector.model_vars.items()}


def end_value(metric: str, run: Run) -> float:
    y = run[metric]
    return float(np.mean(y[-TAIL_DAYS:])) if metric in DAILY else float(y[-1])


def verdict(metric: str, a: float, b: float) -> int:
    """+1 if B is clearly better, -1 if clearly worse, else 0."""
    sign = DIRECTION.get(metric, 0)
    if sign == 0:
        return 0
    diff = b - a
    threshold = 0.005 if metric in PERCENT else max(0.5, 0.05 * abs(a))
    if abs(diff) < threshold:
        return 0
    return sign if diff > 0 else -sign


def compare(a: Setup, b: Setup, days: int = 365, seeds: Sequence[int] = (0, 1, 2),
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> Comparison | None:
    """Run A and B on the same seeds; None if ``cancelled()`` turned true on the way."""
    limits.check_compare(a.scenario, a.overrides, b.scenario, b.overrides, days, seeds)
    total = 2 * len(seeds)
    runs: dict[str, list[Run]] = {"a": [], "b": []}
    done = 0
    for seed in seeds:
        for side, setup in (("a", a), ("b", b)):
            if cancelled is not None and cancelled():
                return None
            with limits.heavy():
                runs[side].append(run_once(setup, days, seed))
            done += 1
            if progress is not None:
                progress(done, total)
    rows = []
    for m in TABLE_METRICS:
        va = float(np.mean([end_value(m, r) for r in runs["a"]]))
        vb = float(np.mean([end_value(m, r) for r in runs["b"]]))
        rows.append(Row(m, va, vb, verdict(m, va, vb)))
    return Comparison(a, b, days, tuple(seeds), tuple(runs["a"]), tuple(runs["b"]), tuple(rows))


def tradeoff_text(comparison: Comparison, lang: str) -> str:
    """One sentence a planner can read: where B is better and where it is worse."""
    def names(rows: list[Row]) -> str:
        sep = "、" if lang == "zh" else ", "
        return sep.join(i18n.metric_label(r.metric, lang) for r in rows)

    good = [r for r in comparison.rows if r.verdict > 0]
    bad = [r for r in comparison.rows if r.verdict < 0]
    if good and bad:
        return i18n.t("compare.tradeoff", lang, good=names(good), bad=names(bad))
    if good:
        return i18n.t("compare.allgood", lang, good=names(good))
    if bad:
        return i18n.t("compare.allbad", lang, bad=names(bad))
    return i18n.t("compare.nodiff", lang)


def fmt_value(metric: str, value: float, signed: bool = False) -> str:
    """A metric value for a table: % for shares, 0–100 for indices, counts as numbers."""
    sign = "+" if signed and value > 0 else ""
    if metric in PERCENT:
        unit = "" if metric in ("trust_mean", "firm_quality_mean") else "%"
        pts = " pts" if signed and unit == "%" else ""
        return f"{sign}{value * 100:.1f}{unit if not pts else ''}{pts}"
    if abs(value) >= 100:
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:.1f}"
