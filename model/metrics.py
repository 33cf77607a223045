"""The daily metrics: one record each, the only place a metric is described.

A :class:`Metric` holds what a metric computes and everything said about it: meaning, label
and short help in English and Chinese, unit, which way is better, how it is scaled for
people, its live-chart colour. The DataCollector, the CLI and reports
(``experiments/labels.py``, ``runner.is_percent``), the app (``viz/i18n.py``,
``viz/charts.py``, ``viz/compare.py``) and the README glossary (``python run.py docs``) all
read these records; their tables (``METRIC_UNITS``, ``i18n.METRICS``, ``PERCENT``,
``DIRECTION``, ``COLOURS``) are views derived from them, so adding a metric is one record.

Every value is computed from counters or numpy arrays, never by looping over households,
so collecting a row costs microseconds even for a street of 40,000 households.
Household-level means are over *occupied* flats.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from operator import attrgetter
from types import FunctionType
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from commgov.model.costs import cost_per_year
from commgov.model.lifecycle import IssueCounters
from commgov.model.mechanisms import MECHANISMS
from commgov.model.metric import DIRECTIONS, SCALES, Metric, Pair, of_mechanism  # noqa: F401
from commgov.scenarios.records import HOUSEHOLD_KINDS, ISSUE_KINDS

if TYPE_CHECKING:
    from commgov.agents.grid_worker import GridWorker
    from commgov.model.community import CommunityModel


def _ratio(a: float, b: float) -> float:
    return float(a) / b if b else 0.0


def _row(m: CommunityModel, key: str, make: Callable[[], Any]) -> Any:
    """An intermediate shared by the metrics of one DataCollector row (the occupied flats,
    who took part recently): made once per row while ``CommunityModel`` collects, afresh on
    any other call. The same arrays, so the same numbers, at a fraction of the cost."""
    row = m.__dict__.get("_collecting")
    if row is None:
        return make()
    hit = row.get(key)
    if hit is None:
        hit = row[key] = make()
    return hit


def _occ(m: CommunityModel) -> tuple[np.ndarray, int, np.ndarray]:
    """(occupied mask, how many, their indices)."""
    def make() -> tuple[np.ndarray, int, np.ndarray]:
        occ = m.households.occupied
        idx = np.flatnonzero(occ)
        return occ, len(idx), idx
    return _row(m, "occupied", make)


def _occ_mean(m: CommunityModel, arr: np.ndarray) -> float:
    occ, n, idx = _occ(m)
    if not n:
        return 0.0
    if arr.dtype == np.bool_:      # a share: count, don't gather (the same exact ratio)
        return float(np.count_nonzero(arr & occ) / n)
    return float(arr.take(idx).sum() / n)   # the occupied values in order, as arr[occ]


def _occupied(m: CommunityModel) -> int:
    return _occ(m)[1]


def _mean_of(values: list[float]) -> float:
    """``float(np.mean(values))``, the same number (numpy's pairwise sum over the same
    array, divided by the count) without ``np.mean``'s per-call cost, for the per-office and
    per-firm lists read every day."""
    if not values:
        return float(np.mean(values))      # nan, as np.mean gives
    return float(np.add.reduce(np.array(values, dtype=np.float64)) / len(values))


def _recent(m: CommunityModel) -> np.ndarray:
    """Households that took part within the participation window."""
    # last > day - window: the same test as day - last < window on these integers, without
    # a temporary array.
    return _row(m, "recent", lambda: m.households.last_participation
                > m.day - m.params.participation.window_days)


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


_HOUSEHOLD = attrgetter("household")


def _overdue_per_1k(m: CommunityModel) -> float:
    hh = m.households
    open_ = m.book.open
    who = np.fromiter(map(_HOUSEHOLD, open_.values()), np.int64, len(open_))
    late = np.count_nonzero(hh.due_day[who] < m.day)
    return _ratio(1000.0 * late, _occupied(m))


def _per_1k_households(counter: str, days: int):
    def fn(m: CommunityModel) -> float:
        return _ratio(1000.0 * _since(m, days)[_IDX[counter]], _occupied(m))
    return fn


def _formalism(m: CommunityModel) -> float:
    field = sum(w.hours for w in m.workers if w.cadre)
    return _ratio(sum(o.pulled for o in m.offices), field)


def _unlearnt(m: CommunityModel) -> float:
    unlearnt = [o.unlearnt for o in m.offices]
    if not any(unlearnt):            # no merge, or all learnt: the average is 0 exactly
        return 0.0
    weights = [o.residents for o in m.offices]
    return float(np.average(unlearnt, weights=weights)) if sum(weights) > 0 else 0.0


def _cost(m: CommunityModel) -> float:
    """Today's cost a year (model/costs.py), computed once a day for the three cost metrics;
    a change of levers re-plans the day (``CommunityModel.retune``), which renews it."""
    hit = m.__dict__.get("_cost_cache")
    if hit is None or hit[0] != len(m.history) or hit[1] is not m.day_plan:
        hit = m.__dict__["_cost_cache"] = (len(m.history), m.day_plan, cost_per_year(m))
    return hit[2]


def _cost_per_resolved(m: CommunityModel) -> float:
    days = min(90, max(1, len(m.history)))
    return _ratio(_cost(m) * days / 365.0, _since(m, 90)[_IDX["resolved"]])


def _participation_counts(m: CommunityModel) -> tuple[int, int, int, int]:
    """(occupied flats, of them retirees, occupied flats that took part recently, of them
    retirees): the three participation metrics' counts, from one pass per row (the
    non-retired are the rest, by exact integer subtraction)."""
    def make() -> tuple[int, int, int, int]:
        hh = m.households
        occ, n, _ = _occ(m)
        recent = _recent(m)
        retirees = occ & (hh.kind == _RETIREE)
        return (n, np.count_nonzero(retirees), np.count_nonzero(recent & occ),
                np.count_nonzero(recent & retirees))
    return _row(m, "participation", make)


def _participation(m: CommunityModel) -> float:
    n, _, joined, _ = _participation_counts(m)
    return _ratio(joined, n)      # as _occ_mean of the recent flats


_RETIREE = HOUSEHOLD_KINDS.index("retiree")
_FACILITY = ISSUE_KINDS.index("facility")
_NEIGHBOUR = ISSUE_KINDS.index("neighbour")


def _participation_of(retired: bool):
    """Participation of retirees, or of everyone else (the working-age kinds)."""
    def fn(m: CommunityModel) -> float:
        n, n_retired, joined, joined_retired = _participation_counts(m)
        if retired:
            n, joined = n_retired, joined_retired
        else:
            n, joined = n - n_retired, joined - joined_retired
        return _ratio(joined, n)
    return fn


def _property_share(m: CommunityModel) -> float:
    c = m.book.counters
    return _ratio(c.hotline_by_kind[1], sum(c.hotline_by_kind) + c.hotline_other)


def _field_share(m: CommunityModel) -> float:
    hours = sum(w.hours for w in m.workers)
    return _ratio(sum(w.field_today for w in m.workers), hours)


def _kind_share(num: str, den: str, kind: int):
    def fn(m: CommunityModel) -> float:
        c = m.book.counters
        return _ratio(getattr(c, num)[kind], getattr(c, den)[kind])
    return fn


def _neighbour_petitions_per_1k(m: CommunityModel) -> float:
    return _ratio(1000.0 * m.book.counters.petitions_by_kind[_NEIGHBOUR], _occupied(m))


def _reports_per_household_year(m: CommunityModel) -> float:
    days = min(90, max(1, len(m.history)))
    return _ratio(_since(m, 90)[_IDX["reported"]] * 365.0 / days, _occupied(m))


def _firm_settled(m: CommunityModel) -> float:
    return _ratio(sum(f.cases_settled for f in m.firms), sum(f.cases_taken for f in m.firms))


_MODEL_METRICS: tuple[Metric, ...] = (
    Metric("day", "Simulated day (0 = 1 January of the first year, before the first step).",
           lambda m: m.day,
           label=("Simulated day", "模拟天数"),
           help=("days since 1 January of the first year", "自第一年1月1日起的天数"),
           unit=("day", "天"),
           direction=0, scale="value"),
    Metric("issues_open",
           "Reported issues not yet closed at the end of the day, at any rung of the ladder "
           "(including those waiting for dispatch or a revisit).",
           lambda m: len(m.book.open),
           label=("Open issues", "未结诉求数"),
           help=("reported, not yet closed", "已报告但尚未办结"),
           unit=("issues", "件"),
           direction=-1, scale="value", colour="#8c564b", daily=True),
    Metric("issues_reported_total",
           "Cumulative issues reported through any channel (grid worker, WeChat/red station, "
           "12345); silent issues are not counted.",
           lambda m: m.book.counters.reported,
           label=("Issues reported (cumulative)", "累计上报诉求"),
           help=("reported through any channel since day 0", "自第 0 天起经各渠道上报的诉求"),
           unit=("issues", "件"),
           direction=0, scale="value"),
    Metric("issues_resolved_total",
           "Cumulative issues closed as resolved (with the closed loop: only after a revisit).",
           lambda m: m.book.counters.resolved,
           label=("Issues resolved (cumulative)", "累计解决诉求"),
           help=("closed as resolved since day 0", "自第 0 天起办结的诉求"),
           unit=("issues", "件"),
           direction=0, scale="value"),
    Metric("resolved_share",
           "Issues resolved / issues reported, both counted after the warm-up "
           "(metrics.burn_in_days; from day 0 while it lasts). Near its ceiling in most "
           "scenarios: compare policies on on_time_share, overdue_open_per_1k or "
           "days_to_resolve_p90 instead.",
           _share("resolved", "reported"),
           label=("Issues resolved", "诉求解决率"),
           help=("share of reported issues closed as resolved", "已报告诉求中得到解决的比例"),
           unit=("% of reported", "占上报 %"),
           direction=+1, scale="share", colour="#1f77b4", defined_by="issues_reported_total"),
    Metric("on_time_share",
           "Share of resolved issues handled within the time promise 小事不过夜、大事不过天、"
           "难事不过周 [003]: small 1 day, big 2 days, hard 7 days from the report "
           "(issues.deadline_days). Counted after the warm-up (metrics.burn_in_days).",
           _share("on_time", "resolved"),
           label=("Resolved on time", "按时办结率"),
           help=("within the time promise: small 1 day, big 2, hard 7 [003]",
                 "符合“小事不过夜、大事不过天、难事不过周”[003]"),
           unit=("% of resolved", "占办结 %"),
           direction=+1, scale="share", colour="#2ca02c", defined_by="issues_resolved_total"),
    Metric("escalated_share",
           "Share of reported issues that went up the ladder at least once because handling "
           "failed (compound → community → street) or that became petitions; counted "
           "after the warm-up (metrics.burn_in_days).",
           _share("escalated", "reported"),
           label=("Escalated", "上交率"),
           help=("went up the ladder or became a petition", "逐级上交或成为信访的比例"),
           unit=("% of reported", "占上报 %"),
           direction=-1, scale="share", colour="#d62728"),
    Metric("petitions_total",
           "Cumulative petitions (信访) from day 0: unhandled issues that became petitions, "
           "with a daily hazard rising smoothly with the household's grievance and the "
           "issue's age (ladder.petition_*) [000].",
           lambda m: m.book.counters.petitions,
           label=("Petitions (信访)", "信访件数"),
           help=("cumulative petitions [000]", "累计信访 [000]"),
           unit=("petitions", "件"),
           direction=-1, scale="value", colour="#e377c2"),
    Metric("participation_rate",
           "Share of occupied households that took part in a branch activity or deliberation "
           "within the last participation.window_days (30) days.",
           _participation,
           label=("Residents taking part", "居民参与率"),
           help=("households active in the last 30 days", "近 30 天参加活动的住户比例"),
           unit=("% of households, 30 days", "近30天参与户占比 %"),
           direction=+1, scale="share", colour="#9467bd"),
    Metric("participation_rate_non_retired",
           "participation_rate among occupied households that are not retirees (locals, "
           "resettled and new residents: the working-age residents councils miss [004]).",
           _participation_of(retired=False),
           label=("Working-age residents taking part", "中青年住户参与率"),
           help=("non-retiree households active in the last 30 days [004]",
                 "近 30 天参加活动的非退休住户比例 [004]"),
           unit=("% of non-retiree households, 30 days", "近30天参与的非退休户占比 %"),
           direction=+1, scale="share"),
    Metric("participation_rate_retired",
           "participation_rate among occupied retiree households [004].",
           _participation_of(retired=True),
           label=("Retirees taking part", "退休住户参与率"),
           help=("retiree households active in the last 30 days [004]",
                 "近 30 天参加活动的退休住户比例 [004]"),
           unit=("% of retiree households, 30 days", "近30天参与的退休户占比 %"),
           direction=+1, scale="share"),
    Metric("trust_mean",
           "Mean trust (0–1) of occupied households in community governance.",
           lambda m: _occ_mean(m, m.households.trust),
           label=("Trust", "居民信任度"),
           help=("mean trust in community governance, 0–100", "对社区治理的平均信任，0–100"),
           unit=("0–1", "0–1"),
           direction=+1, scale="index", colour="#ff7f0e"),
    Metric("fee_collection_rate",
           "Share of occupied households that paid this month's property fee [000].",
           lambda m: _occ_mean(m, m.households.fee_paid),
           label=("Property fees collected", "物业费收缴率"),
           help=("households that paid this month [000]", "本月缴费的住户比例 [000]"),
           unit=("% of households", "占住户 %"),
           direction=+1, scale="share", colour="#17becf"),
    Metric("property_complaint_share",
           "Property tickets as a share of all cumulative 12345 hotline tickets from the "
           "street, including tickets on matters outside community governance [001].",
           _property_share,
           label=("Property complaints on 12345", "12345 物业投诉占比"),
           help=("13.3% in Yanzhou 2021 [001]", "兖州 2021 年为 13.3% [001]"),
           unit=("% of tickets", "占工单 %"),
           direction=-1, scale="share"),
    Metric("worker_field_share",
           "Share of grid workers' hours today left for the field (cases, revisits, visits) "
           "after administrative tasks and office spill-over [000, 004].",
           _field_share,
           label=("Grid workers' time in the field", "网格员入户时间占比"),
           help=("hours left for residents after paperwork [000, 004]",
                 "扣除台账事务后用于居民的时间 [000, 004]"),
           unit=("% of hours", "占工时 %"),
           direction=+1, scale="share", colour="#2ca02c", daily=True),
    Metric("households_per_worker",
           "Occupied households per grid-worker full-time equivalent (a cadre doubling as a "
           "grid worker counts by grid.cadre_field_share) [003].",
           lambda m: _ratio(_occupied(m), m.worker_fte),
           label=("Households per grid worker", "每名网格员服务户数"),
           help=("about 600 in Xingfu [003]", "幸福社区约 600 户 [003]"),
           unit=("households", "户"),
           direction=-1, scale="value"),
    # ---- extra columns, useful for the viz and the papers' outcomes
    Metric("office_uncovered_share",
           "Share of the pushed-down office work the community offices could not cover today "
           "(part of it spills onto grid workers, the rest is left undone) [000, 001].",
           lambda m: _mean_of([o.uncovered_share for o in m.offices]),
           label=("Office work left uncovered", "社区办公室未覆盖工作"),
           help=("pushed-down office work nobody could do today [000, 001]",
                 "下派事务中当天无人承担的比例 [000, 001]"),
           unit=("% of tasks", "占任务 %"),
           direction=-1, scale="share", colour="#d62728", daily=True),
    Metric("satisfied_share",
           "Share of resolved issues whose household was satisfied with the handling "
           "(after the warm-up).",
           _share("satisfied", "resolved"),
           label=("Residents satisfied", "居民满意率"),
           help=("satisfied with the handling", "对办理结果满意"),
           unit=("% of resolved", "占办结 %"),
           direction=+1, scale="share"),
    Metric("compound_level_share",
           "Share of resolved issues closed at the compound rung (小事不出小区 [001]).",
           lambda m: _ratio(m.book.counters.closed_at_level[0], m.book.counters.resolved),
           label=("Closed in the compound", "小区内办结"),
           help=("小事不出小区 [001]: resolved at the compound rung",
                 "小事不出小区 [001]：在小区一级办结的比例"),
           unit=("% of resolved", "占办结 %"),
           direction=0, scale="share"),
    Metric("silent_share",
           "Share of issues that arose but were never reported (households stayed silent), "
           "after the warm-up.",
           _share("silent", "arisen"),
           label=("Issues never reported", "沉默未报诉求"),
           help=("households stayed silent", "住户选择沉默"),
           unit=("% of issues", "占事项 %"),
           direction=-1, scale="share"),
    Metric("silent_found_total",
           "Cumulative matters households had kept to themselves that were later brought to "
           "light by someone who asked: a compound liaison's visit (一小区一专员 [002]), a "
           "building steward (红色楼栋长 [001, 003]) or the secretary's day (书记说事日 [001]); "
           "0 without them.",
           lambda m: m.book.counters.silent_found,
           label=("Silent matters found", "发现的沉默诉求"),
           help=("kept silent, later brought to light", "未主动反映、后被发现的诉求"),
           unit=("issues", "件"),
           direction=+1, scale="value"),
    Metric("silent_left_share",
           "Share of issues that arose and were never brought to anyone: kept silent and not "
           "found later (silent − found) / arisen, after the warm-up (matters found after it "
           "may have arisen before it, so the count is floored at 0).",
           lambda m: _ratio(max(0.0, _since(m)[_IDX["silent"]] - _since(m)[_IDX["silent_found"]]),
                            _since(m)[_IDX["arisen"]]),
           label=("Issues left unheard", "始终未被听到的诉求"),
           help=("kept silent and never found", "沉默且始终未被发现"),
           unit=("% of issues", "占事项 %"),
           direction=-1, scale="share"),
    Metric("building_settled_share",
           "Share of reported issues settled within the building by a steward before they "
           "reached the grid worker (小事不出楼栋; 红色楼栋长 [001, 003]), after the warm-up; 0 "
           "without stewards.",
           _share("building_settled", "reported"),
           label=("Settled in the building", "楼栋内化解"),
           help=("small matters a building steward settled", "楼栋长就地化解的小事"),
           unit=("% of reported", "占上报 %"),
           direction=+1, scale="share"),
    Metric("secretary_heard_total",
           "Cumulative matters heard at the secretary's day (书记说事日 [001]): silent ones "
           "raised there and reported ones past their time promise; 0 without it.",
           lambda m: m.book.counters.secretary_heard,
           label=("Heard on the secretary's day", "书记说事日受理"),
           help=("raised with the party secretary in person", "当面向书记反映的事项"),
           unit=("issues", "件"),
           direction=0, scale="value"),
    Metric("grid_cases_per_worker",
           "Cumulative cases grid workers took up (mediated or passed up), per full-time "
           "equivalent post: the grid workers' case load [000, 003].",
           lambda m: _ratio(sum(w.cases_handled for w in m.workers), m.worker_fte),
           label=("Cases per grid worker", "网格员人均办件"),
           help=("cases taken up since day 0, per post", "自第 0 天起每个岗位办理的诉求"),
           unit=("cases per post", "件/岗"),
           direction=0, scale="value"),
    Metric("hotline_tickets_total",
           "Cumulative 12345 tickets from the street (community matters and others).",
           lambda m: sum(m.book.counters.hotline_by_kind) + m.book.counters.hotline_other,
           label=("12345 tickets (cumulative)", "累计 12345 工单"),
           help=("all hotline tickets from the street [001]", "本街道全部 12345 工单 [001]"),
           unit=("tickets", "件"),
           direction=0, scale="value"),
    Metric("grievance_mean",
           "Mean accumulated grievance of occupied households.",
           lambda m: _occ_mean(m, m.households.grievance),
           label=("Grievance", "居民怨气"),
           help=("mean accumulated grievance", "平均累积怨气"),
           unit=("mean", "均值"),
           direction=-1, scale="value"),
    Metric("firm_quality_mean",
           "Mean property-firm service quality (0–1) over compounds.",
           lambda m: _mean_of([f.quality for f in m.firms]),
           label=("Property service quality", "物业服务质量"),
           help=("mean over compounds, 0–100", "各小区平均，0–100"),
           unit=("0–1", "0–1"),
           direction=+1, scale="index"),
    # ---- discriminating outcomes (issue 9): windows, rungs, backlog, distribution
    Metric("on_time_share_30d",
           "Share of issues resolved in the last 30 days that met the time promise.",
           _share("on_time", "resolved", 30),
           label=("Resolved on time, last 30 days", "近30天按时办结率"),
           help=("cases closed in the last 30 days within the time promise",
                 "近30天办结诉求中按时办结的比例"),
           unit=("% of resolved, 30 days", "近30天占办结 %"),
           direction=+1, scale="share"),
    Metric("on_time_share_90d",
           "Share of issues resolved in the last 90 days that met the time promise.",
           _share("on_time", "resolved", 90),
           label=("Resolved on time, last 90 days", "近90天按时办结率"),
           help=("cases closed in the last 90 days within the time promise",
                 "近90天办结诉求中按时办结的比例"),
           unit=("% of resolved, 90 days", "近90天占办结 %"),
           direction=+1, scale="share"),
    Metric("escalated_share_90d",
           "Escalations in the last 90 days / reports in the last 90 days.",
           _share("escalated", "reported", 90),
           label=("Escalated, last 90 days", "近90天上交率"),
           help=("escalations / reports in the last 90 days", "近90天上交数/上报数"),
           unit=("% of reported, 90 days", "近90天占上报 %"),
           direction=-1, scale="share"),
    Metric("petitions_per_1k_90d",
           "Petitions in the last 90 days per 1,000 occupied households [000].",
           _per_1k_households("petitions", 90),
           label=("Petitions per 1,000 households, 90 days", "近90天每千户信访"),
           help=("petitions in the last 90 days per 1,000 households [000]",
                 "近90天每千户信访件数 [000]"),
           unit=("per 1,000 households", "每千户"),
           direction=-1, scale="value"),
    Metric("on_time_compound_share",
           "Share of issues closed at the compound rung that met the time promise (after "
           "the warm-up) [001, 003].",
           _on_time_at(0),
           label=("On time in the compound", "小区一级按时办结率"),
           help=("closed at the compound rung within the promise", "在小区一级办结且按时的比例"),
           unit=("% of resolved there", "占该级办结 %"),
           direction=+1, scale="share"),
    Metric("on_time_community_share",
           "Share of issues closed at the community rung that met the time promise (after "
           "the warm-up).",
           _on_time_at(1),
           label=("On time in the community", "社区一级按时办结率"),
           help=("closed at the community rung within the promise", "在社区一级办结且按时的比例"),
           unit=("% of resolved there", "占该级办结 %"),
           direction=+1, scale="share"),
    Metric("on_time_street_share",
           "Share of issues closed at the street rung that met the time promise (after "
           "the warm-up).",
           _on_time_at(2),
           label=("On time at the street", "街道一级按时办结率"),
           help=("closed at the street rung within the promise", "在街道一级办结且按时的比例"),
           unit=("% of resolved there", "占该级办结 %"),
           direction=+1, scale="share"),
    Metric("overdue_open_per_1k",
           "Open issues past their time promise per 1,000 occupied households: the backlog "
           "residents are waiting on (at year end: unresolved at year end).",
           _overdue_per_1k,
           label=("Overdue open issues per 1,000 households", "每千户超期未结诉求"),
           help=("open past the time promise: the backlog residents wait on",
                 "超过时限仍未办结的诉求"),
           unit=("per 1,000 households", "每千户"),
           direction=-1, scale="value", daily=True),
    Metric("overdue_open_per_1k_30d",
           "Open issues past their time promise per 1,000 occupied households, averaged over "
           "the last 30 days (steadier than the one-day count).",
           lambda m: _per_1k_households("overdue_days", 30)(m) / min(30, max(1, len(m.history))),
           label=("Overdue open issues (30-day mean)", "超时未办结（30天平均）"),
           help=("open past the time promise, mean of the last 30 days",
                 "超过时限仍未办结的诉求，近30天平均"),
           unit=("per 1,000 households", "每千户"),
           direction=-1, scale="value"),
    Metric("days_to_resolve_p50",
           "Median days from report to close of issues closed in the last 90 days.",
           _days_to_resolve(50),
           label=("Days to resolve (median)", "办结天数（中位数）"),
           help=("cases closed in the last 90 days", "近90天办结的诉求"),
           unit=("days", "天"),
           direction=-1, scale="value"),
    Metric("days_to_resolve_p90",
           "90th percentile of days from report to close, issues closed in the last 90 days.",
           _days_to_resolve(90),
           label=("Days to resolve (90th percentile)", "办结天数（90%分位）"),
           help=("the slow tail of cases closed in the last 90 days", "近90天办结诉求中较慢的一成"),
           unit=("days", "天"),
           direction=-1, scale="value"),
    Metric("repeat_share_90d",
           "Share of reports in the last 90 days that repeat a matter the household raised in "
           "the 180 days before, or reopen one a departed grid worker settled [000, 001].",
           _share("repeats", "reported", 90),
           label=("Repeat complaints", "重复投诉比例"),
           help=("reports repeating a matter raised before [000, 001]",
                 "重复反映同一事项的比例 [000, 001]"),
           unit=("% of reports, 90 days", "近90天占上报 %"),
           direction=-1, scale="share"),
    Metric("repeat_share",
           "Share of reports since the warm-up that repeat a matter the household raised in "
           "the 180 days before, or reopen one a departed grid worker settled [000, 001].",
           _share("repeats", "reported"),
           label=("Repeat complaints (since warm-up)", "重复投诉比例（预热期后）"),
           help=("reports repeating a matter raised before [000, 001]",
                 "重复反映同一事项的比例 [000, 001]"),
           unit=("% of reports", "占上报 %"),
           direction=-1, scale="share"),
    Metric("office_wait_share_90d",
           "Share of residents' office requests (benefits, certificates, approvals, referrals) "
           "in the last 90 days that waited behind the office backlog [000, 001, 004].",
           _share("office_waits", "office_requests", 90),
           label=("Office requests kept waiting", "办事群众等待比例"),
           help=("benefits, certificates, approvals that waited [000, 001]",
                 "低保、证明、审批等需等待的比例 [000, 001]"),
           unit=("% of requests, 90 days", "近90天占办事 %"),
           direction=-1, scale="share"),
    Metric("office_backlog_days",
           "Office work left undone, in days of the office's daily demand (mean over "
           "communities) [000, 001].",
           lambda m: _mean_of([_ratio(o.backlog, o.demand) for o in m.offices]),
           label=("Office backlog", "社区积压事务"),
           help=("undone office work, in days of demand [000, 001]",
                 "未完成的办公事务（按日需求折算天数）[000, 001]"),
           unit=("days of demand", "天"),
           direction=-1, scale="value"),
    Metric("formalism_share",
           "Share of merged-grid cadres' field hours pulled back into office work ('sign in "
           "at the grid, work in the office' [000]); 0 without a merge.",
           _formalism,
           label=("Cadres back in the office", "下沉干部回办公室比例"),
           help=("'sign in at the grid, work in the office' [000]",
                 "“网格挂名签到、社区办公” [000]"),
           unit=("% of cadre field hours", "占干部下沉工时 %"),
           direction=-1, scale="share", daily=True),
    Metric("merge_unlearnt_share",
           "Share of the specialised networks' work (综治, 城管…) the merged staff have not yet "
           "learnt, mean over communities weighted by households ('专网业务的落实遇到了困境', "
           "'阵痛需要适应' [000]); 0 without a merge.",
           _unlearnt,
           label=("Specialised work not yet learnt", "专网业务尚未掌握比例"),
           help=("after a merge: the 'pains that need adaptation' [000]",
                 "多网合一后“阵痛需要适应” [000]"),
           unit=("% of specialised work", "占专网业务 %"),
           direction=-1, scale="share"),
    Metric("cost_yuan_per_year",
           "What the street's governance costs a year at today's staffing and policies, in "
           "yuan: staff, red stations, training and what each policy adds (model/costs.py; "
           "prices are assumptions, [costs]).",
           _cost,
           label=("Cost per year", "年度成本"),
           help=("staff, stations, training and policies, yuan a year",
                 "人员、驿站、培训与各项政策，每年（元）"),
           unit=("yuan a year", "元/年"),
           direction=-1, scale="value"),
    Metric("cost_per_household_yuan",
           "Cost a year per flat (cost_yuan_per_year / flats).",
           lambda m: _cost(m) / max(1, m.households.n),
           label=("Cost per household", "户均成本"),
           help=("yuan a year per flat", "每户每年（元）"),
           unit=("yuan a year per flat", "元/户/年"),
           direction=-1, scale="value"),
    Metric("cost_per_resolved_yuan_90d",
           "Cost of the last 90 days per issue resolved in them (yuan): what a resolved "
           "dispute costs.",
           _cost_per_resolved,
           label=("Cost per resolved issue", "每件办结成本"),
           help=("last 90 days, yuan", "近90天（元）"),
           unit=("yuan, 90 days", "元，近90天"),
           direction=-1, scale="value"),
    Metric("facility_silent_share",
           "Share of the facility and safety issues that arose since day 0 that the "
           "households kept quiet about [000, 001].",
           _kind_share("silent_by_kind", "arisen_by_kind", _FACILITY),
           label=("Facility issues kept quiet", "设施隐患无人反映比例"),
           help=("facility and safety issues nobody reported, since day 0",
                 "自第 0 天起无人反映的设施与安全隐患比例"),
           unit=("% of facility issues", "占设施类诉求 %"),
           direction=-1, scale="share"),
    Metric("facility_on_time_share",
           "Share of the facility and safety cases resolved since day 0 that were handled "
           "within the time promise [003].",
           _kind_share("on_time_by_kind", "resolved_by_kind", _FACILITY),
           label=("Facility cases on time", "设施类诉求按时办结率"),
           help=("facility and safety cases handled within the promise, since day 0",
                 "自第 0 天起设施与安全类诉求在时限内办结的比例"),
           unit=("% of facility cases", "占设施类办结 %"),
           direction=+1, scale="share"),
    Metric("households_occupied", "Occupied flats.",
           _occupied,
           label=("Occupied flats", "在住户数"),
           help=("flats with a household living in them", "有人居住的户数"),
           unit=("households", "户"),
           direction=0, scale="value"),
    Metric("residents", "Residents, including winter-tide family members.",
           lambda m: m.households.residents(),
           label=("Residents", "常住人口"),
           help=("including winter-tide family members", "含冬季“候鸟”家属"),
           unit=("persons", "人"),
           direction=0, scale="value"),
    # --- per-kind outcomes and the mechanisms of issue 11 (mediation room, root-cause
    # fixes, star rating of firms): cumulative from day 0
    Metric("neighbour_repeat_share",
           "Share of neighbour-dispute reports from day 0 that repeat a dispute the household "
           "raised in the 180 days before [000].",
           _kind_share("repeats_by_kind", "reported_by_kind", _NEIGHBOUR),
           label=("Repeat neighbour disputes", "邻里纠纷重复反映比例"),
           help=("neighbour disputes raised again [000]", "同一邻里纠纷再次反映的比例 [000]"),
           unit=("% of neighbour reports", "占邻里纠纷上报 %"),
           direction=-1, scale="share"),
    Metric("neighbour_petitions_per_1k",
           "Petitions (信访) on neighbour disputes from day 0, per 1,000 occupied households "
           "[000].",
           _neighbour_petitions_per_1k,
           label=("Petitions on neighbour disputes", "邻里纠纷信访"),
           help=("cumulative, per 1,000 households [000]", "累计，每千户 [000]"),
           unit=("per 1,000 households", "件/千户"),
           direction=-1, scale="value"),
    Metric("reports_per_household_90d",
           "Issues reported in the last 90 days per occupied household, as a yearly rate "
           "(治未病 lowers it [001]).",
           _reports_per_household_year,
           label=("Issues per household", "户均诉求"),
           help=("reports a year per household, last 90 days", "近90天折年户均上报诉求"),
           unit=("per household a year", "件/户·年"),
           direction=-1, scale="value"),
    Metric("firm_settled_share",
           "Property cases the firms settled themselves from day 0, as a share of the cases "
           "they worked on (the rest went to the tripartite body or the grid worker) [001].",
           _firm_settled,
           label=("Property cases settled by the firm", "物业自行解决率"),
           help=("cases the property firm settled itself", "物业企业自行解决的物业诉求比例"),
           unit=("% of firm cases", "占物业受理 %"),
           direction=+1, scale="share"),
)

#: Every metric: the model's own, then those each mechanism declares in its module (its
#: ``metrics``), in mechanism order. A mechanism that is off reports 0, so every scenario has
#: the same columns.
METRICS: tuple[Metric, ...] = _MODEL_METRICS + tuple(
    rec for c in MECHANISMS for rec in c.metrics)

CORE_METRICS: tuple[str, ...] = (
    "issues_open", "issues_reported_total", "issues_resolved_total", "resolved_share",
    "on_time_share", "escalated_share", "petitions_total", "participation_rate", "trust_mean",
    "fee_collection_rate", "property_complaint_share", "worker_field_share",
    "households_per_worker",
)

METRIC_MEANINGS: dict[str, str] = {m.name: m.meaning for m in METRICS}

_INDEX: tuple[tuple[Metric, ...], dict[str, Metric]] = (METRICS, {m.name: m for m in METRICS})


def metric_record(name: str) -> Metric | None:
    """The record of metric ``name`` (None for other columns).

    Reads ``METRICS`` as it is now, so every consumer that looks metrics up here sees a
    record added to it (the tests add one to check exactly that).
    """
    global _INDEX
    if _INDEX[0] is not METRICS:
        _INDEX = (METRICS, {m.name: m for m in METRICS})
    return _INDEX[1].get(name)


GLOSSARY_START = "<!-- metrics glossary: generated by `python run.py docs` -->"
GLOSSARY_END = "<!-- end of metrics glossary -->"
_BETTER = {1: "higher", -1: "lower", 0: "–"}


def glossary_markdown() -> str:
    """The README's metrics glossary: every DataCollector column, its names, the unit
    reports give it, which way is better and its exact meaning."""
    rows = ["| column | name (English / 中文) | unit in reports | better | meaning |",
            "|---|---|---|---|---|"]
    for m in METRICS:
        mark = " (core)" if m.name in CORE_METRICS else ""
        unit = " / ".join(dict.fromkeys(m.unit)) if any(m.unit) else "–"
        rows.append(f"| `{m.name}`{mark} | {m.label[0]} / {m.label[1]} | {unit} | "
                    f"{_BETTER[m.direction]} | {m.meaning} |")
    return "\n".join([GLOSSARY_START, *rows, GLOSSARY_END])


def model_reporters() -> dict[str, Callable[[CommunityModel], float]]:
    return {m.name: m.fn for m in METRICS}


_OWN_COPY = (float, int, bool, np.float64, np.int64, np.bool_)   # immutable: deepcopy = itself


class MetricsCollector(mesa.DataCollector):
    """Mesa's ``DataCollector``, with a cheaper row of model reporters: when every reporter
    is a plain function (the metrics are), a row calls each and appends what it returns,
    deep-copying only values that are not immutable numbers. Mesa's ``collect`` re-checks
    each reporter's type and deep-copies every value (a copy of a float is the float), about
    a microsecond per metric and day. Anything else (agent tables, other reporter kinds, the
    first row, which Mesa validates) goes through Mesa's own ``collect``."""

    def collect(self, model: Any) -> None:
        reporters = self.model_reporters
        # (getattr: Mesa's private names as of 3.5.1; without them, Mesa's own collect)
        if (not reporters or not getattr(self, "_validated", False)
                or getattr(self, "agent_reporters", True)
                or getattr(self, "agenttype_reporters", True)
                or not all(type(r) is FunctionType for r in reporters.values())):
            super().collect(model)
            return
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        columns = self.model_vars
        for var, reporter in reporters.items():
            value = reporter(model)
            columns[var].append(value if type(value) in _OWN_COPY else deepcopy(value))


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
