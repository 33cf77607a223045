"""Two policies side by side: the same seeds for both (common random numbers), their metric
curves, and the mean paired difference at the end with its 95% confidence interval.

With the same seed, A and B get the same graph, households and chance events, so a
difference comes from the policy, not from luck (the method of ``tests/simhelpers.py``).
A verdict ("B better", "B worse") is given only when the interval excludes zero, in the
measure's good direction; otherwise the table says "no clear difference". The interval is
the t interval of ``experiments.stats.t_half_width``, the one the CLI reports use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from commgov.experiments import costeff, engine
from commgov.experiments.stats import t_half_width
from commgov.model.community import CommunityModel
from commgov.model.metrics import METRICS, metric_record
from commgov.viz import i18n, limits
from commgov.viz.charts import COMPARE_METRICS, direction
from commgov.viz.lessons import Setup
from commgov.viz.levers import model_kwargs

TABLE_METRICS: tuple[str, ...] = (
    "on_time_share", "on_time_share_90d", "resolved_share", "escalated_share", "issues_open",
    "overdue_open_per_1k", "petitions_total", "participation_rate", "trust_mean",
    "fee_collection_rate", "office_uncovered_share", "office_wait_share_90d",
    "formalism_share", "worker_field_share", "households_per_worker",
    "property_complaint_share", "silent_share", "satisfied_share", "cost_yuan_per_year",
    "cost_per_household_yuan")
# Daily measures that jump from day to day (``daily`` in their records, model/metrics.py)
# are compared on their last 30 days' mean.
DAILY: frozenset[str] = frozenset(m.name for m in METRICS if m.daily)
TAIL_DAYS = 30

Run = dict[str, np.ndarray]


@dataclass(frozen=True)
class Row:
    """One measure: A's and B's means, and the mean paired difference B − A with its CI."""

    metric: str
    a: float
    b: float
    diff: float        # mean over seeds of (B − A) on the same seed
    half: float        # half-width of the 95% t interval of ``diff``; NaN with one seed
    n: int             # replications (seeds)
    verdict: int       # +1 B better, -1 B worse, 0 no clear difference (or no direction)

    @property
    def lo(self) -> float:
        return self.diff - self.half

    @property
    def hi(self) -> float:
        return self.diff + self.half


@dataclass(frozen=True)
class Comparison:
    a: Setup
    b: Setup
    days: int
    seeds: tuple[int, ...]
    runs_a: tuple[Run, ...]
    runs_b: tuple[Run, ...]
    rows: tuple[Row, ...]
    costs: tuple[costeff.Ratio, ...] = ()


KEEP: tuple[str, ...] = tuple(dict.fromkeys((*TABLE_METRICS, *COMPARE_METRICS,
                                             *costeff.NEEDS)))


def run_once(setup: Setup, days: int, seed: int) -> Run:
    """One seeded run; the compared DataCollector columns as arrays from day 0 to ``days``.

    Module-level, so a process pool can run it (the app runs comparisons in one).
    """
    model = CommunityModel(scenario=setup.scenario, rng=seed, **model_kwargs(setup.overrides))
    model.run_for(days)
    mv = model.datacollector.model_vars
    return {k: np.asarray(mv[k], dtype=float) for k in KEEP}


def end_value(metric: str, run: Run) -> float:
    y = run[metric]
    rec = metric_record(metric)
    return float(np.mean(y[-TAIL_DAYS:])) if rec and rec.daily else float(y[-1])


def verdict(metric: str, lo: float, hi: float) -> int:
    """+1 if B is better, -1 if worse, only when the 95% CI of B − A excludes zero.

    "Better" follows the measure's direction (higher on-time share is good, more open
    issues is bad); a measure without a direction, or a CI that spans zero, gets 0.
    """
    sign = direction(metric)
    if sign == 0 or not (np.isfinite(lo) and np.isfinite(hi)):
        return 0
    if lo > 0:
        return sign
    if hi < 0:
        return -sign
    return 0


def paired_rows(runs_a: Sequence[Run], runs_b: Sequence[Run]) -> tuple[Row, ...]:
    """Per measure: means, mean paired difference and its 95% t interval (common seeds)."""
    rows = []
    n = len(runs_a)
    for m in TABLE_METRICS:
        va = np.array([end_value(m, r) for r in runs_a])
        vb = np.array([end_value(m, r) for r in runs_b])
        d = vb - va
        diff = float(np.mean(d))
        half = float(t_half_width(np.std(d, ddof=1), n)) if n > 1 else float("nan")
        rows.append(Row(m, float(np.mean(va)), float(np.mean(vb)), diff, half, n,
                        verdict(m, diff - half, diff + half)))
    return tuple(rows)


def cost_rows(runs_a: Sequence[Run], runs_b: Sequence[Run], days: int
              ) -> tuple[costeff.Ratio, ...]:
    """What B's extra unit of each outcome costs against A (``experiments/costeff.py``):
    Δcost / Δoutcome at the end, paired by seed, "n/a" when the outcome's CI crosses 0."""
    def finals(run: Run) -> dict[str, float]:
        return {k: float(run[k][-1]) for k in costeff.NEEDS}

    fa = [finals(r) for r in runs_a]
    fb = [finals(r) for r in runs_b]
    cost = costeff.COST_METRIC
    spent_a = np.array([np.mean(r[cost][1:]) for r in runs_a])    # days 1..end, a timeline's
    spent_b = np.array([np.mean(r[cost][1:]) for r in runs_b])    # change included
    out = []
    for o in costeff.OUTCOMES:
        out.append(costeff.ratio(
            o, np.array([f[cost] for f in fa]), np.array([f[cost] for f in fb]),
            np.array([o.value(f) for f in fa]), np.array([o.value(f) for f in fb]), days,
            mean_cost_a=spent_a, mean_cost_b=spent_b))
    return tuple(out)


def compare(a: Setup, b: Setup, days: int = 365, seeds: Sequence[int] = (0, 1, 2),
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None,
            pool: engine.SharedPool | None = None) -> Comparison | None:
    """Run A and B on the same seeds; None if ``cancelled()`` turned true on the way.

    The runs go through the project's one kernel (``experiments.engine.run_map``): with a
    ``pool`` (the server's long-lived :func:`~commgov.experiments.engine.shared_pool`) off
    the caller's process, a dead worker's runs redone in a fresh pool; without one here,
    one after another. Both setups, the days and the seeds are checked against the app's
    limits first, and the comparison holds one of the machine's heavy-work slots while it
    runs (:mod:`commgov.viz.limits`).
    """
    limits.check_compare(a.scenario, a.overrides, b.scenario, b.overrides, days, seeds)
    jobs = [(side, i, setup, seed) for i, seed in enumerate(seeds)
            for side, setup in (("a", a), ("b", b))]
    total = len(jobs)
    out: dict[tuple[str, int], Run] = {}
    with limits.heavy():
        for done, (j, run) in enumerate(engine.run_map(
                _run_job, [(setup, days, seed) for _, _, setup, seed in jobs], pool=pool,
                cancelled=cancelled), 1):
            side, i, _, _ = jobs[j]
            out[side, i] = run
            if progress is not None:
                progress(done, total)
    if len(out) < total:        # cancelled on the way
        return None
    runs_a = tuple(out["a", i] for i in range(len(seeds)))
    runs_b = tuple(out["b", i] for i in range(len(seeds)))
    return Comparison(a, b, days, tuple(seeds), runs_a, runs_b, paired_rows(runs_a, runs_b),
                      cost_rows(runs_a, runs_b, days))


def server_pool() -> engine.SharedPool:
    """The server's one warm pool for comparisons, shared by every session and request
    (``limits.COMPARE_WORKERS`` processes, rebuilt if a worker died)."""
    return engine.shared_pool(limits.COMPARE_WORKERS)


def _run_job(job: tuple[Setup, int, int]) -> Run:
    """``run_once`` on one ``(setup, days, seed)`` item of ``run_map``."""
    return run_once(*job)


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
    rec = metric_record(metric)
    if rec is not None and rec.hundredfold:
        unit = "%" if rec.percent else ""
        pts = " pts" if signed and unit == "%" else ""
        return f"{sign}{value * 100:.1f}{unit if not pts else ''}{pts}"
    if abs(value) >= 100:
        return f"{sign}{value:,.0f}"
    return f"{sign}{value:.1f}"
