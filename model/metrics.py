"""The daily metrics: one definition each, used by the DataCollector, the CLI and the docs.

Every value is computed from counters or numpy arrays, never by looping over households,
so collecting a row costs microseconds even for a street of 40,000 households.
Household-level means are over *occupied* flats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from commgov.model.lifecycle import IssueCounters

if TYPE_CHECKING:
    from commgov.agents.grid_worker import GridWorker
    from commgov.model.community import CommunityModel


@dataclass(frozen=True)
class Metric:
    name: str
    meaning: str
    fn: Callable[[CommunityModel], float]


def _ratio(a: float, b: float) -> float:
    return float(a) / b if b else 0.0


def _occ_mean(m: CommunityModel, arr: np.ndarray) -> float:
    occ = m.households.occupied
    n = occ.sum()
    return float(arr[occ].sum() / n) if n else 0.0


_IDX = {k: i for i, k in enumerate(IssueCounters.TRACKED)}
_LEVEL0 = len(_IDX)          # closed_at_level[0..2], then on_time_at_level[0..2]


def _since(m: CommunityModel, days: int | None = None) -> np.ndarray:
    """Counter increments over the last ``days`` days, or since the burn-in ended
    (``metrics.burn_in_days``; from day 0 while it lasts) when ``days`` is None."""
    h = m.history
    key = (len(h), days)
    cache = m.__dict__.setdefault("_since_cache", {})
    hit = cache.get(key)
    if hit is None:
        if len(cache) > 16:
            cache.clear()
        hit = cache[key] = _since_uncached(m, h, days)
    return hit


def _since_uncached(m: CommunityModel, h: list, days: int | None) -> np.ndarray:
    if not h:
        return np.zeros(_LEVEL0 + 6)
    now = np.asarray(h[-1], dtype=float)
    if days is None:
        start = m.params.metrics.burn_in_days
        if len(h) <= start:
            return now
        return now - np.asarray(h[start - 1], dtype=float) if start > 0 else now
    if len(h) <= days:
        return now
    return now - np.asarray(h[-1 - days], dtype=float)


def _share(num: str, den: str, days: int | None = None):
    def fn(m: CommunityModel) -> float:
        d = _since(m, days)
        return _ratio(d[_IDX[num]], d[_IDX[den]])
    return fn


def _on_time_at(level: int):
    def fn(m: CommunityModel) -> float:
        d = _since(m)
        return _ratio(d[_LEVEL0 + 3 + level], d[_LEVEL0 + level])
    return fn


def _days_to_resolve(q: float):
    def fn(m: CommunityModel) -> float:
        return m.book.durations.percentile(m.day, q)
    return fn


def _overdue_per_1k(m: CommunityModel) -> float:
    hh = m.households
    late = sum(1 for i in m.book.open.values() if m.day > hh.due_day[i.household])
    return _ratio(1000.0 * late, hh.occupied.sum())


def _per_1k_households(counter: str, days: int):
    def fn(m: CommunityModel) -> float:
        return _ratio(1000.0 * _since(m, days)[_IDX[counter]], m.households.occupied.sum())
    return fn


def _formalism(m: CommunityModel) -> float:
    field = sum(w.hours for w in m.workers if w.cadre)
    return _ratio(sum(o.pulled for o in m.offices), field)


def _participation(m: CommunityModel) -> float:
    hh = m.households
    recent = (m.day - hh.last_participation) < m.params.participation.window_days
    return _occ_mean(m, recent)


def _property_share(m: CommunityModel) -> float:
    c = m.book.counters
    return _ratio(c.hotline_by_kind[1], sum(c.hotline_by_kind) + c.hotline_other)


def _field_share(m: CommunityModel) -> float:
    hours = sum(w.hours for w in m.workers)
    return _ratio(sum(w.field_today for w in m.workers), hours)


METRICS: tuple[Metric, ...] = (
    Metric("day", "Simulated day (0 = 1 January of the first year).", lambda m: m.day),
    Metric("issues_open",
           "Reported issues not yet closed at the end of the day, at any rung of the ladder "
           "(including those waiting for dispatch or a revisit).",
           lambda m: len(m.book.open)),
    Metric("issues_reported_total",
           "Cumulative issues reported through any channel (grid worker, WeChat/red station, "
           "12345); silent issues are not counted.",
           lambda m: m.book.counters.reported),
    Metric("issues_resolved_total",
           "Cumulative issues closed as resolved (with the closed loop: only after a revisit).",
           lambda m: m.book.counters.resolved),
    Metric("resolved_share",
           "Issues resolved / issues reported, both counted after the warm-up "
           "(metrics.burn_in_days; from day 0 while it lasts). Near its ceiling in most "
           "scenarios: compare policies on on_time_share, overdue_open_per_1k or "
           "days_to_resolve_p90 instead.",
           _share("resolved", "reported")),
    Metric("on_time_share",
           "Share of resolved issues handled within the time promise 小事不过夜、大事不过天、"
           "难事不过周 [003]: small 1 day, big 2 days, hard 7 days from the report "
           "(issues.deadline_days). Counted after the warm-up (metrics.burn_in_days).",
           _share("on_time", "resolved")),
    Metric("escalated_share",
           "Share of reported issues that went up the ladder at least once because handling "
           "failed (compound → community → street) or that became petitions; counted "
           "after the warm-up (metrics.burn_in_days).",
           _share("escalated", "reported")),
    Metric("petitions_total",
           "Cumulative petitions (信访) from day 0: unhandled issues that became petitions, "
           "with a daily hazard rising smoothly with the household's grievance and the "
           "issue's age (ladder.petition_*) [000].",
           lambda m: m.book.counters.petitions),
    Metric("participation_rate",
           "Share of occupied households that took part in a branch activity or deliberation "
           "within the last participation.window_days (30) days.",
           _participation),
    Metric("trust_mean",
           "Mean trust (0–1) of occupied households in community governance.",
           lambda m: _occ_mean(m, m.households.trust)),
    Metric("fee_collection_rate",
           "Share of occupied households that paid this month's property fee [000].",
           lambda m: _occ_mean(m, m.households.fee_paid)),
    Metric("property_complaint_share",
           "Property tickets as a share of all cumulative 12345 hotline tickets from the "
           "street, including tickets on matters outside community governance [001].",
           _property_share),
    Metric("worker_field_share",
           "Share of grid workers' hours today left for the field (cases, revisits, visits) "
           "after administrative tasks and office spill-over [000, 004].",
           _field_share),
    Metric("households_per_worker",
           "Occupied households per grid-worker full-time equivalent (a cadre doubling as a "
           "grid worker counts by grid.cadre_field_share) [003].",
           lambda m: _ratio(m.households.occupied.sum(), m.worker_fte)),
    # ---- extra columns, useful for the viz and the papers' outcomes
    Metric("office_uncovered_share",
           "Share of the pushed-down office work the community offices could not cover today "
           "(part of it spills onto grid workers, the rest is left undone) [000, 001].",
           lambda m: float(np.mean([o.uncovered_share for o in m.offices]))),
    Metric("satisfied_share",
           "Share of resolved issues whose household was satisfied with the handling "
           "(after the warm-up).",
           _share("satisfied", "resolved")),
    Metric("compound_level_share",
           "Share of resolved issues closed at the compound rung (小事不出小区 [001]).",
           lambda m: _ratio(m.book.counters.closed_at_level[0], m.book.counters.resolved)),
    Metric("silent_share",
           "Share of issues that arose but were never reported (households stayed silent), "
           "after the warm-up.",
           _share("silent", "arisen")),
    Metric("hotline_tickets_total",
           "Cumulative 12345 tickets from the street (community matters and others).",
           lambda m: sum(m.book.counters.hotline_by_kind) + m.book.counters.hotline_other),
    Metric("grievance_mean",
           "Mean accumulated grievance of occupied households.",
           lambda m: _occ_mean(m, m.households.grievance)),
    Metric("firm_quality_mean",
           "Mean property-firm service quality (0–1) over compounds.",
           lambda m: float(np.mean([f.quality for f in m.firms]))),
    # ---- discriminating outcomes (issue 9): windows, rungs, backlog, distribution
    Metric("on_time_share_30d",
           "Share of issues resolved in the last 30 days that met the time promise.",
           _share("on_time", "resolved", 30)),
    Metric("on_time_share_90d",
           "Share of issues resolved in the last 90 days that met the time promise.",
           _share("on_time", "resolved", 90)),
    Metric("escalated_share_90d",
           "Escalations in the last 90 days / reports in the last 90 days.",
           _share("escalated", "reported", 90)),
    Metric("petitions_per_1k_90d",
           "Petitions in the last 90 days per 1,000 occupied households [000].",
           _per_1k_households("petitions", 90)),
    Metric("on_time_compound_share",
           "Share of issues closed at the compound rung that met the time promise (after "
           "the warm-up) [001, 003].",
           _on_time_at(0)),
    Metric("on_time_community_share",
           "Share of issues closed at the community rung that met the time promise (after "
           "the warm-up).",
           _on_time_at(1)),
    Metric("on_time_street_share",
           "Share of issues closed at the street rung that met the time promise (after "
           "the warm-up).",
           _on_time_at(2)),
    Metric("overdue_open_per_1k",
           "Open issues past their time promise per 1,000 occupied households: the backlog "
           "residents are waiting on (at year end: unresolved at year end).",
           _overdue_per_1k),
    Metric("overdue_open_per_1k_30d",
           "Open issues past their time promise per 1,000 occupied households, averaged over "
           "the last 30 days (steadier than the one-day count).",
           lambda m: _per_1k_households("overdue_days", 30)(m) / min(30, max(1, len(m.history)))),
    Metric("days_to_resolve_p50",
           "Median days from report to close of issues closed in the last 90 days.",
           _days_to_resolve(50)),
    Metric("days_to_resolve_p90",
           "90th percentile of days from report to close, issues closed in the last 90 days.",
           _days_to_resolve(90)),
    Metric("repeat_share_90d",
           "Share of reports in the last 90 days that repeat a matter the household raised in "
           "the 180 days before, or reopen one a departed grid worker settled [000, 001].",
           _share("repeats", "reported", 90)),
    Metric("repeat_share",
           "Share of reports since the warm-up that repeat a matter the household raised in "
           "the 180 days before, or reopen one a departed grid worker settled [000, 001].",
           _share("repeats", "reported")),
    Metric("office_wait_share_90d",
           "Share of residents' office requests (benefits, certificates, approvals, referrals) "
           "in the last 90 days that waited behind the office backlog [000, 001, 004].",
           _share("office_waits", "office_requests", 90)),
    Metric("office_backlog_days",
           "Office work left undone, in days of the office's daily demand (mean over "
           "communities) [000, 001].",
           lambda m: float(np.mean([_ratio(o.backlog, o.demand) for o in m.offices]))),
    Metric("formalism_share",
           "Share of merged-grid cadres' field hours pulled back into office work ('sign in "
           "at the grid, work in the office' [000]); 0 without a merge.",
           _formalism),
    Metric("households_occupied", "Occupied flats.",
           lambda m: int(m.households.occupied.sum())),
    Metric("residents", "Residents, including winter-tide family members.",
           lambda m: m.households.residents()),
)

CORE_METRICS: tuple[str, ...] = (
    "issues_open", "issues_reported_total", "issues_resolved_total", "resolved_share",
    "on_time_share", "escalated_share", "petitions_total", "participation_rate", "trust_mean",
    "fee_collection_rate", "property_complaint_share", "worker_field_share",
    "households_per_worker",
)

METRIC_MEANINGS: dict[str, str] = {m.name: m.meaning for m in METRICS}


GLOSSARY_START = "<!-- metrics glossary: generated by `python run.py docs` -->"
GLOSSARY_END = "<!-- end of metrics glossary -->"


def glossary_markdown() -> str:
    """The README's metrics glossary: every DataCollector column and its exact meaning."""
    rows = ["| column | meaning |", "|---|---|"]
    for m in METRICS:
        mark = " (core)" if m.name in CORE_METRICS else ""
        rows.append(f"| `{m.name}`{mark} | {m.meaning} |")
    return "\n".join([GLOSSARY_START, *rows, GLOSSARY_END])


def model_reporters() -> dict[str, Callable[[CommunityModel], float]]:
    return {m.name: m.fn for m in METRICS}


def _overtime(w: GridWorker) -> float:
    """Hours of paperwork and office spill-over that did not fit in the working day [000]."""
    return max(0.0, w.admin_hours() + w.spill - w.hours)


def agent_reporters() -> dict[type, dict[str, Callable[[Any], float]]]:
    """Agent-level columns (``CommunityModel(agent_data=True)``), one row per agent and day.

    Grid workers: households served, open cases queued, paperwork hours, field hours and
    overtime (administrative demand beyond the working day, the burden [000, 004] describe);
    property firms: service quality (0–1). Read them with
    ``model.datacollector.get_agenttype_vars_dataframe(GridWorker)``.
    """
    from commgov.agents.grid_worker import GridWorker
    from commgov.agents.property_firm import PropertyFirm

    return {
        GridWorker: {"community": lambda w: w.community,
                     "households": lambda w: len(w.households),
                     "cases_queued": lambda w: len(w.queue),
                     "admin_hours": lambda w: w.admin_today,
                     "field_hours": lambda w: w.field_today,
                     "overtime_hours": _overtime},
        PropertyFirm: {"compound": lambda f: f.compound,
                       "quality": lambda f: f.quality},
    }
