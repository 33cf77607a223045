"""Cost per unit of outcome against a reference policy, with an honest interval (issue 11).

A planner comparing two policies asks what an extra resolved dispute, a point of trust or
one more household taking part costs: Δcost / Δoutcome, where both differences are paired
by seed (replication k of the policy minus replication k of the reference, common random
numbers). [001] compares communities by budget (about 580,000 yuan a year for services in
Xiayang/Qingpu against about 200,000 in Yanzhou); the model's prices are assumptions
(``[costs]``), so the ratios are as good as those prices.

The interval of a ratio of two means is Fieller's (1954): it is bounded exactly when the
outcome difference's t interval excludes zero. When that interval crosses zero the ratio is
reported as "n/a" (no clear outcome difference) instead of a huge, sign-flipping number.
Both the sweep report (``experiments/report.py``) and the app's side-by-side comparison
(``viz/compare.py``) read this module, so they define the outcomes and the rule once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from commgov.experiments.stats import CONFIDENCE, t_half_width, t_quantile
from commgov.model.metrics import metric_record

Pair = tuple[str, str]      # (English, Chinese)
COST_METRIC = "cost_yuan_per_year"


@dataclass(frozen=True)
class Outcome:
    """An outcome a yuan can buy: its value from a run's end-of-run metrics.

    ``metric`` names the Metric record whose label and good direction it borrows; ``unit``
    is what one unit costs ("yuan per extra issue resolved"); ``needs`` the metric columns
    ``value`` reads. A ``cumulative`` outcome counts over the whole run, so it is priced
    with the run's cost (yuan a year × days / 365); the others are rates at the end, priced
    with the cost a year.
    """

    key: str
    metric: str
    unit: Pair
    needs: tuple[str, ...]
    value: Callable[[Mapping[str, float]], float]
    cumulative: bool = False

    @property
    def direction(self) -> int:
        rec = metric_record(self.metric)
        return rec.direction if rec and rec.direction else 1


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("resolved", "issues_resolved_total",
            ("yuan per extra issue resolved", "每多办结一件诉求（元）"),
            ("issues_resolved_total",),
            lambda v: v["issues_resolved_total"], cumulative=True),
    Outcome("trust", "trust_mean",
            ("yuan a year per point of trust (0–100)", "每提高 1 点信任度（0–100）（元/年）"),
            ("trust_mean",),
            lambda v: v["trust_mean"] * 100.0),
    Outcome("participant", "participation_rate",
            ("yuan a year per extra household taking part",
             "每多一户参与（元/年）"),
            ("participation_rate", "households_occupied"),
            lambda v: v["participation_rate"] * v["households_occupied"]),
)
NEEDS: tuple[str, ...] = tuple(dict.fromkeys(
    (COST_METRIC, *(m for o in OUTCOMES for m in o.needs))))

STATUS: dict[str, Pair] = {
    "ok": ("", ""),
    "nodiff": ("n/a: no clear outcome difference", "不适用：结果差异不明确"),
    "few": ("n/a: needs ≥ 2 paired runs", "不适用：至少需要 2 对配对运行"),
    "dominated": ("costs more, does worse", "花费更多、效果更差"),
    "saves": ("costs less, does better", "花费更少、效果更好"),
}


SAVED: Pair = ("saves {number} per unit lost", "每损失一个单位节省 {number}")


@dataclass(frozen=True)
class Ratio:
    """Δcost / Δoutcome with its Fieller interval (NaN when not reported, see ``status``)."""

    outcome: str
    d_cost: float           # mean paired Δcost (yuan a year)
    d_outcome: float        # mean paired Δoutcome (in the outcome's units)
    d_outcome_lo: float
    d_outcome_hi: float
    ratio: float
    lo: float
    hi: float
    n: int
    status: str             # a key of STATUS
    worse: bool = False     # the outcome is clearly worse (and the cost lower): yuan saved

    @property
    def shown(self) -> bool:
        return self.status == "ok"


def fieller(d_cost: np.ndarray, d_out: np.ndarray,
            confidence: float = CONFIDENCE) -> tuple[float, float, float] | None:
    """mean(d_cost)/mean(d_out) and its Fieller interval over paired replications.

    None when fewer than two pairs or the outcome's t interval includes zero: the interval
    of the ratio is then unbounded (or two half-lines) and no number would be honest.
    """
    c = np.asarray(d_cost, dtype=float)
    o = np.asarray(d_out, dtype=float)
    n = len(o)
    if n < 2 or len(c) != n:
        return None
    a, b = float(c.mean()), float(o.mean())
    t = float(t_quantile(n, confidence))
    cov = np.cov(np.vstack([c, o]), ddof=1) / n
    saa, sbb, sab = float(cov[0, 0]), float(cov[1, 1]), float(cov[0, 1])
    if b == 0 or t * t * sbb >= b * b:
        return None
    r = a / b
    g = t * t * sbb / (b * b)
    shift = g * sab / sbb if sbb > 0 else 0.0
    rest = (sab * sab / sbb) if sbb > 0 else 0.0
    disc = max(0.0, saa - 2 * r * sab + r * r * sbb - g * (saa - rest))
    half = t / abs(b) * np.sqrt(disc)
    lo, hi = (r - shift - half) / (1 - g), (r - shift + half) / (1 - g)
    return r, float(lo), float(hi)


def ratio(outcome: Outcome, cost_a: np.ndarray, cost_b: np.ndarray, out_a: np.ndarray,
          out_b: np.ndarray, days: int, confidence: float = CONFIDENCE,
          mean_cost_a: np.ndarray | None = None,
          mean_cost_b: np.ndarray | None = None) -> Ratio:
    """Cost per unit of ``outcome`` of B against the reference A, paired by replication.

    ``cost_*``: yuan a year at the end of ``days`` simulated days, what a rate at the end
    is priced with. A cumulative outcome is priced with what the run spent: ``mean_cost_*``
    (the cost a year averaged over the run, so a policy that starts on day 180 pays for the
    days it runs, not the whole run) × days / 365; without it, the end cost stands in.
    ``d_cost`` of the result is what the ratio divides."""
    if outcome.cumulative:
        if mean_cost_a is not None and mean_cost_b is not None:
            cost_a, cost_b = mean_cost_a, mean_cost_b
        per = days / 365.0
    else:
        per = 1.0
    dc = (np.asarray(cost_b, dtype=float) - np.asarray(cost_a, dtype=float)) * per
    do = np.asarray(out_b, dtype=float) - np.asarray(out_a, dtype=float)
    n = len(do)
    mc, mo = (float(dc.mean()), float(do.mean())) if n else (np.nan, np.nan)
    hw = float(t_half_width(do.std(ddof=1), n, confidence)) if n > 1 else np.nan
    base = dict(outcome=outcome.key, d_cost=mc, d_outcome=mo, d_outcome_lo=mo - hw,
                d_outcome_hi=mo + hw, n=n)
    nan = float("nan")
    if n < 2:
        return Ratio(**base, ratio=nan, lo=nan, hi=nan, status="few")
    f = fieller(dc, do, confidence)
    if f is None:
        return Ratio(**base, ratio=nan, lo=nan, hi=nan, status="nodiff")
    better = mo * outcome.direction > 0
    if not better and mc > 0:
        return Ratio(**base, ratio=nan, lo=nan, hi=nan, status="dominated")
    if better and mc < 0:
        return Ratio(**base, ratio=nan, lo=nan, hi=nan, status="saves")
    return Ratio(**base, ratio=f[0], lo=f[1], hi=f[2], status="ok", worse=not better)


def pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def fmt_yuan(v: float) -> str:
    return "–" if not np.isfinite(v) else f"{v:,.0f}"


def ratio_text(r: Ratio, lang: str) -> str:
    """'12,300 (8,100 … 25,600)', or the reason there is no number. When B is cheaper and
    clearly worse the ratio is what B saves per unit lost, and the text says so."""
    if not r.shown:
        return pick(STATUS[r.status], lang)
    number = f"{fmt_yuan(r.ratio)} ({fmt_yuan(r.lo)} … {fmt_yuan(r.hi)})"
    if r.worse:
        return pick(SAVED, lang).format(number=number)
    return number
