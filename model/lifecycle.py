"""The issue lifecycle: report → route → handle → (revisit) → close, with the escalation ladder.

Issues are rare compared with household-days (about one per household per year), so each one
is a small Python object; everything per household per day stays vectorised elsewhere.

Ladder levels follow 小事不出小区、大事不出社区、难事不出街道 [001]:
``COMPOUND`` (grid worker, red station, property firm, tripartite body), ``COMMUNITY`` (the
two committees' office), ``STREET`` (street office and departments). An issue starts at the
compound level and moves up only when handling fails there ("escalated"). The time promise
小事不过夜、大事不过天、难事不过周 [003] gives each difficulty a deadline in days; a case
handled within it is "on time".
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

import numpy as np

from commgov.scenarios.records import DIFFICULTIES, ISSUE_KINDS

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel

COMPOUND, COMMUNITY, STREET = 0, 1, 2
REPEAT_DAYS = 180   # a report of the same kind within this many days is a repeat complaint
LEVEL_NAMES = ("compound", "community", "street")

# Channels a household can choose [000, 001, 003].
GRID, WECHAT, HOTLINE, SILENT = 0, 1, 2, 3
CHANNEL_NAMES = ("grid", "wechat", "hotline", "silent")

NEIGHBOUR, PROPERTY, FACILITY, SERVICE = range(4)
assert ISSUE_KINDS == ("neighbour", "property", "facility", "service")
SMALL, BIG, HARD = range(3)
assert DIFFICULTIES == ("small", "big", "hard")


class Issue:
    """One reported issue of one household."""

    __slots__ = ("id", "household", "kind", "difficulty", "channel", "reported_day",
                 "ticket", "level", "firm_tried", "handler", "escalated", "petitioned",
                 "progress", "referred", "reopened", "handled_day", "closed", "worker")

    def __init__(self, id: int, household: int, kind: int, difficulty: int, channel: int,
                 day: int, worker: int) -> None:
        self.id = id
        self.household = household
        self.kind = kind
        self.difficulty = difficulty
        self.channel = channel
        self.reported_day = day
        self.ticket = 0               # bumped on every move; stale queue entries are skipped
        self.level = COMPOUND
        self.firm_tried = False       # a property issue goes to the firm first, once
        self.handler = None           # the last handler that took it (reopens go back there)
        self.escalated = False
        self.petitioned = False
        self.progress = 0.0           # hours already spent at the current handler
        self.referred = False         # passed between separate grids once already
        self.reopened = 0             # times the closed loop reopened it
        self.handled_day = -1
        self.closed = False
        self.worker = worker          # the household's grid worker (index), for revisits

    def __repr__(self) -> str:
        return (f"Issue({self.id}, hh={self.household}, {ISSUE_KINDS[self.kind]}/"
                f"{DIFFICULTIES[self.difficulty]}, {LEVEL_NAMES[self.level]}, "
                f"day {self.reported_day})")


def logistic(x: float | np.ndarray) -> float | np.ndarray:
    """The logistic link of every handling and satisfaction chance (one helper, issue 10).
    A Python float (one case's chance, ~100 a day) goes through ``math.exp``, a tenth of
    numpy's per-call cost."""
    if isinstance(x, float):      # numpy float64 too (a subclass)
        try:
            return 1.0 / (1.0 + math.exp(-x))
        except OverflowError:      # x below about -709: numpy gives exp = inf, so 0
            return 0.0
    return 1.0 / (1.0 + np.exp(-x))


class CaseHandler:
    """Everything that receives cases (grid worker, party branch and its tripartite body,
    property firm, community office, street office, hotline): the rung it handles at
    (``LEVEL``) and the queue a received case waits in (``intake``). A mixin before
    ``mesa.Agent``; the hotline overrides ``receive`` (it dispatches, it does not queue)."""

    LEVEL: int = COMPOUND

    @property
    def intake(self) -> CaseQueue:
        return self.queue          # type: ignore[attr-defined]

    def receive(self, issue: Issue, front: bool = False) -> None:
        issue.level = self.LEVEL
        issue.handler = self
        self.intake.push(issue, front=front)


class CaseQueue:
    """A FIFO of issues for one handler.

    An issue lives in one queue at a time: every push bumps its ticket, and entries whose
    ticket is stale (the issue moved on, e.g. petitioned) or whose issue closed are skipped.
    """

    __slots__ = ("_q",)

    def __init__(self) -> None:
        self._q: deque[tuple[int, Issue]] = deque()

    def push(self, issue: Issue, front: bool = False) -> None:
        issue.ticket += 1
        entry = (issue.ticket, issue)
        if front:
            self._q.appendleft(entry)
        else:
            self._q.append(entry)

    def pop(self) -> Issue | None:
        q = self._q
        while q:
            ticket, issue = q.popleft()
            if not issue.closed and ticket == issue.ticket:
                return issue
        return None

    def peek(self) -> Issue | None:
        issue = self.pop()
        if issue is not None:
            self._q.appendleft((issue.ticket, issue))
        return issue

    def issues(self) -> list[Issue]:
        """The live issues in queue order."""
        return [i for t, i in self._q if not i.closed and t == i.ticket]

    def __len__(self) -> int:
        return len(self.issues())


class DailyCapacity:
    """A handler that settles a (possibly fractional) number of cases a day: the fraction
    carries over, and unused capacity does not pile up beyond one case."""

    __slots__ = ("carry",)

    def __init__(self) -> None:
        self.carry = 0.0

    def idle(self, queue: CaseQueue) -> bool:
        """Nothing is queued and a whole case's capacity is already carried, so serving
        today would change nothing (the carry stays at one case): the handler may skip its
        day. Most compounds' firms and red stations have no case on most days."""
        return self.carry >= 1.0 and not queue._q

    def serve(self, queue: CaseQueue, per_day: float) -> list[Issue]:
        """Today's cases, in queue order."""
        self.carry += per_day
        served: list[Issue] = []
        while self.carry >= 1.0:
            issue = queue.pop()
            if issue is None:
                self.carry = min(self.carry, 1.0)
                break
            self.carry -= 1.0
            served.append(issue)
        return served


class DurationWindow:
    """Days-to-resolve of the cases closed in the last ``window`` days, as a histogram, so a
    percentile costs O(longest duration) a day rather than a sort of every case. The
    histogram is a Python list: ``add`` runs once per closed case, where a numpy element
    update cost more than the whole list update, and its few dozen bins are summed in plain
    Python as exactly as numpy sums integers."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.hist: list[int] = [0] * 64
        self._days: deque[tuple[int, list[int]]] = deque()
        self._cum: tuple[int, list[int]] | None = None   # (day, running counts) of a query

    def add(self, day: int, duration: int) -> None:
        days = self._days
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(duration)
        hist = self.hist
        if duration >= len(hist):
            hist.extend([0] * (duration + 1))
        hist[duration] += 1
        self._cum = None

    def percentile(self, day: int, q: float) -> float:
        """numpy's default (linear) percentile of the window's durations; 0 when empty."""
        days, hist = self._days, self.hist
        while days and days[0][0] < day - self.window:
            for d in days.popleft()[1]:
                hist[d] -= 1
            self._cum = None
        cached = self._cum
        if cached is None or cached[0] != day:   # p50 and p90 of one day share the counts
            cached = self._cum = (day, list(accumulate(hist)))
        cum = cached[1]
        n = cum[-1]
        if n == 0:
            return 0.0
        pos = (n - 1) * q / 100.0
        lo = int(pos)
        v_lo = bisect_left(cum, lo + 1)          # as np.searchsorted (side "left")
        v_hi = bisect_left(cum, min(lo + 2, n))
        return float(v_lo + (v_hi - v_lo) * (pos - lo))


@dataclass
class IssueCounters:
    """Cumulative counts behind the daily metrics (see ``model.metrics``)."""
    arisen: int = 0
    reported: int = 0
    silent: int = 0
    resolved: int = 0
    on_time: int = 0
    escalated: int = 0
    petitions: int = 0
    gave_up: int = 0
    satisfied: int = 0
    closed_at_level: list[int] = field(default_factory=lambda: [0, 0, 0])
    hotline_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    hotline_other: int = 0
    by_channel: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    on_time_at_level: list[int] = field(default_factory=lambda: [0, 0, 0])
    repeats: int = 0              # reports of a matter the household raised before
    office_requests: int = 0      # residents' requests that need the office
    office_waits: int = 0         # ... of which waited behind the office backlog
    overdue_days: int = 0         # open issues past their time promise, summed over days
    # By issue kind, cumulative from day 0 (not day by day: ``TRACKED`` is unchanged), for
    # the per-kind outcomes of the mediation room, root-cause fixes and firm rating, and of
    # facility hazards (couriers): issues that arose (7.4), of them kept quiet; cases
    # resolved, of them on time.
    reported_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    repeats_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    petitions_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    silent_found: int = 0         # matters kept silent, later brought to light (surface)
    building_settled: int = 0     # small matters settled in the building (first rung)
    secretary_heard: int = 0      # matters heard at a secretary's day
    resolved_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    arisen_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    silent_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    on_time_by_kind: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    #: counters kept day by day for windowed rates and the burn-in (``model.metrics``)
    TRACKED = ("arisen", "reported", "silent", "resolved", "on_time", "escalated",
               "petitions", "satisfied", "repeats", "office_requests", "office_waits",
               "overdue_days", "silent_found", "building_settled")

    def snapshot(self) -> tuple[int, ...]:
        return (*(getattr(self, k) for k in self.TRACKED), *self.closed_at_level,
                *self.on_time_at_level)


class IssueBook:
    """Owns every open issue and the transitions between handlers.

    Handlers (grid workers, firms, branches, office, street) call ``handled``, ``escalate``
    and ``petition``; the book applies the consequences for the household (trust, grievance)
    so each consequence is written once.
    """

    def __init__(self, model: CommunityModel) -> None:
        self.model = model
        self.open: dict[int, Issue] = {}
        self.counters = IssueCounters()
        self.durations = DurationWindow(90)      # days to resolve, cases closed lately
        self._next_id = 0
        self._coins: dict[str, tuple[int, dict[int, float]]] = {}
        p = model.params
        # Days of the time promise by difficulty, as Python ints (read once per case).
        dd = p.issues.deadline_days
        self.deadline = (int(dd.small), int(dd.big), int(dd.hard))
        self.reset_terms()

    def reset_terms(self) -> None:
        """Hooks mechanisms set: ``after_handled`` takes over a handled case instead of
        closing it at once (the closed loop, model/mechanisms/closed_loop.py);
        ``on_arrival``, called in order with today's new issues (households, kinds,
        difficulties, channels as arrays) after the households chose their channels and
        before anything is counted or routed, may change difficulties and channels in
        place (couriers reporting hazards, model/mechanisms/couriers.py) or only count
        (model/mechanisms/privacy.py). Empty: nothing is called.
        ``compound_intake`` may take a non-property case at the compound rung, on arrival
        (``failed`` False) or when its handler there failed (True), and returns whether it
        took it (the mediation room, model/mechanisms/mediation_room.py); ``on_repeat`` hears
        of every repeat complaint (root-cause fixes, model/mechanisms/root_cause.py).
        ``first_rung`` sees a report made to the grid or the WeChat group before it is
        routed and returns True when it settled it there (building stewards,
        model/mechanisms/building_stewards.py)."""
        self.after_handled: Callable[[Issue], None] | None = None
        self.on_arrival: list[Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
                                       None]] = []
        self.compound_intake: Callable[[Issue, bool], bool] | None = None
        self.on_repeat: Callable[[Issue], None] | None = None
        self.first_rung: Callable[[Issue], bool] | None = None

    def coin(self, name: str, issue: Issue) -> float:
        """Today's coin of stream ``name`` for ``issue``: ``streams.keyed(name, issue.id,
        day)``, the same number, made for every open issue at once the first time a
        handler asks for ``name`` on a day (one numpy pass instead of one Python hash per
        case); an issue reported after that gets its coin one by one."""
        day = self.model.day
        hit = self._coins.get(name)
        if hit is None or hit[0] != day:
            ids = list(self.open)
            coins = self.model.streams.keyed_many(name, np.array(ids, dtype=np.int64), day)
            hit = self._coins[name] = (day, dict(zip(ids, coins.tolist(), strict=True)))
        u = hit[1].get(issue.id)
        return u if u is not None else self.model.streams.keyed(name, issue.id, day)

    # ---------------------------------------------------------------- creation and routing
    def report(self, household: int, kind: int, difficulty: int, channel: int,
               repeat: bool = False) -> Issue:
        """A household reports an issue through a channel; route it to its first handler.

        A report of the same kind the household raised in the last 180 days (or an old
        account reopened at a handover) counts as a repeat complaint.
        """
        m = self.model
        hh = m.households
        day = m.day
        # Scalars read with .item(): Python ints, the same values, without numpy's cost.
        issue = Issue(self._next_id, household, kind, difficulty, channel, day,
                      hh.worker.item(household))
        self._next_id += 1
        self.open[issue.id] = issue
        hh.open_issue[household] = True
        hh.due_day[household] = day + self.deadline[difficulty]
        c = self.counters
        c.reported += 1
        c.reported_by_kind[kind] += 1
        if repeat or (hh.last_report_kind.item(household) == kind
                      and day - hh.last_report_day.item(household) <= REPEAT_DAYS):
            c.repeats += 1
            c.repeats_by_kind[kind] += 1
            if self.on_repeat is not None:
                self.on_repeat(issue)
        hh.last_report_kind[household] = kind
        hh.last_report_day[household] = day
        c.by_channel[channel] += 1
        if channel == HOTLINE:
            c.hotline_by_kind[kind] += 1
            m.hotline.receive(issue)
        elif self.first_rung is not None and self.first_rung(issue):
            pass                         # settled below the compound (building stewards)
        elif (channel == WECHAT and kind != PROPERTY and difficulty == SMALL
              and (branch := m.compound_branch(household)) is not None):
            branch.receive(issue)        # a red station claims small matters [003]
        else:
            self.route_to_compound_handler(issue)
        return issue

    def surface(self, household: int, grow: int = 0) -> Issue:
        """A matter the household kept to itself (``Households.silent_kind``) comes to
        light through someone who asked (a liaison's visit, a steward, the secretary's
        day): it is reported now, ``grow`` difficulty steps harder than it began (capped at
        hard), and routed like a grid report. Being asked lifts the grievance that keeping
        quiet added (有话有人听 [001]); the case's outcome then counts as any case's. The
        caller checks that the household has a silent matter and no open issue."""
        hh = self.model.households
        kind = int(hh.silent_kind[household])
        difficulty = min(HARD, int(hh.silent_difficulty[household]) + grow)
        hh.silent_kind[household] = -1
        hh.grievance[household] = max(0.0, hh.grievance[household]
                                      - self.model.params.issues.grievance_silent)
        self.counters.silent_found += 1
        return self.report(household, kind, difficulty, GRID)

    def route_to_compound_handler(self, issue: Issue) -> None:
        """Compound level: property issues go to the firm [001], the rest to the grid worker."""
        m = self.model
        if issue.kind == PROPERTY and not issue.firm_tried:
            issue.firm_tried = True
            m.compound_firm(issue.household).receive(issue)
        elif self.compound_intake is None or not self.compound_intake(issue, False):
            m.workers[issue.worker].receive(issue)

    def firm_failed(self, issue: Issue, tripartite) -> None:
        """The firm did not solve a property issue. Where branch, owners' committee and firm
        coordinate (三方协同) the tripartite body takes it [002]; otherwise the household
        chooses again: the grid worker, the 12345 hotline (a property ticket [001]) or
        giving up with a grievance."""
        m = self.model
        hh = m.households
        hh.grievance[issue.household] += m.params.issues.grievance_silent
        if tripartite is not None:
            tripartite.receive(issue)
            return
        h = np.array([issue.household])
        channel = int(hh.choose_channels(h, np.array([issue.kind]), m.red_station,
                                         stream="channels.refile")[0])
        if channel == HOTLINE:
            self.counters.hotline_by_kind[issue.kind] += 1
            m.hotline.receive(issue)
        elif channel == SILENT:
            self.counters.gave_up += 1
            hh.adjust_trust(issue.household, -m.params.trust.unsatisfied)
            self._close(issue)
        else:
            m.workers[issue.worker].receive(issue)

    # ---------------------------------------------------------------- outcomes
    def handled(self, issue: Issue, level: int) -> None:
        """Handling succeeded: the case closes now, or a mechanism takes it over
        (``after_handled``: the closed loop's revisit decides whether it closes)."""
        if issue.handled_day < 0:
            issue.handled_day = self.model.day
        issue.level = level
        if self.after_handled is not None:
            self.after_handled(issue)
            return
        self.settle(issue)

    def settle(self, issue: Issue) -> None:
        """Close a handled case; the household is satisfied or not (7.10)."""
        m = self.model
        satisfied = (m.streams.keyed_id("satisfaction", issue.id, issue.reopened)
                     < m.satisfaction_prob(issue.household))
        self.close_resolved(issue, satisfied)

    def reopen(self, issue: Issue) -> None:
        """Back to the front of the queue of whoever handled it last."""
        issue.reopened += 1
        issue.progress = 0.0
        if issue.handler is not None:
            issue.handler.receive(issue, front=True)
        else:
            self.reassign(issue, issue.level, front=True)

    def close_resolved(self, issue: Issue, satisfied: bool) -> None:
        m = self.model
        t = m.params.trust
        c = self.counters
        day = m.day
        level, kind, h = issue.level, issue.kind, issue.household
        on_time = issue.handled_day - issue.reported_day <= self.deadline[issue.difficulty]
        c.resolved += 1
        c.satisfied += int(satisfied)
        c.closed_at_level[level] += 1
        c.resolved_by_kind[kind] += 1
        if on_time:
            c.on_time += 1
            c.on_time_by_kind[kind] += 1
            c.on_time_at_level[level] += 1
        self.durations.add(day, day - issue.reported_day)
        hh = m.households
        hh.last_resolved_day[h] = day
        hh.last_resolved_kind[h] = kind
        hh.last_resolved_difficulty[h] = issue.difficulty
        hh.last_resolved_worker[h] = issue.worker
        delta = t.resolved_on_time if on_time else t.resolved_late
        if not satisfied:
            delta -= t.unsatisfied
            hh.grievance[h] += m.params.issues.grievance_silent
        hh.adjust_trust(h, delta)
        self._close(issue)

    def _close(self, issue: Issue) -> None:
        issue.closed = True
        self.open.pop(issue.id, None)
        self.model.households.open_issue[issue.household] = False

    def cancel(self, issue: Issue) -> None:
        """The household moved out: its open issue is dropped (not resolved)."""
        self._close(issue)

    def escalate(self, issue: Issue) -> None:
        """Handling failed at this level: move one rung up the ladder [001] (unless a
        mechanism's ``compound_intake`` takes a failed compound-rung case first)."""
        m = self.model
        if (self.compound_intake is not None and issue.level == COMPOUND
                and self.compound_intake(issue, True)):
            return
        if not issue.escalated:
            issue.escalated = True
            self.counters.escalated += 1
        m.households.adjust_trust(issue.household, -m.params.trust.escalated)
        self.reassign(issue, min(issue.level + 1, STREET))

    def reassign(self, issue: Issue, level: int, front: bool = False) -> None:
        m = self.model
        issue.level = level
        issue.progress = 0.0
        if level == COMPOUND and front:
            m.workers[issue.worker].receive(issue, front=True)
        elif level == COMPOUND:
            self.route_to_compound_handler(issue)
        elif level == COMMUNITY:
            m.offices[m.community_of(issue.household)].receive(issue, front=front)
        else:
            m.street.receive(issue, front=front)

    def petition(self, issue: Issue) -> None:
        """An issue left unresolved too long becomes a petition (信访) to the street [000]."""
        m = self.model
        issue.petitioned = True
        self.counters.petitions += 1
        self.counters.petitions_by_kind[issue.kind] += 1
        if not issue.escalated:
            issue.escalated = True
            self.counters.escalated += 1
        m.households.adjust_trust(issue.household, -m.params.trust.petition)
        if issue.level != STREET:
            issue.level = STREET
            issue.progress = 0.0
            m.street.receive(issue, front=True)
