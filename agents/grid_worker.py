"""Grid workers 网格员: a daily time budget split between the office and the field [003].

Each worker serves the households of a contiguous block of buildings. The day starts with
administrative tasks pushed down from above ("a thousand threads above, one needle below"
[000, 004]) and any office work the community office could not cover; the rest is field
time, spent on queued cases (reopened ones first) and door-to-door visits that
build ties with households [003]. Separate narrow grids refer out-of-scope cases to each
other at a cost in time and days [001]. Mediation succeeds with a probability that rises with
skill (training, certification, experience [000]) and the household's trust, and falls with
the issue's difficulty and kind; a failed case goes up the ladder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from commgov.model.lifecycle import COMPOUND, GRID, CaseHandler, CaseQueue, Issue, logistic

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.model.mechanisms.grid import Referral, SpecialisedWork


class GridWorker(CaseHandler, mesa.Agent):
    """One grid worker (full-time, or a committee cadre doubling as one after a merge)."""

    def __init__(self, model: CommunityModel, index: int, community: int, hours: float,
                 cadre: bool = False, post: int | None = None, *,
                 hours_per_day: float) -> None:
        super().__init__(model)
        self.index = index
        self.community = community
        self.hours = hours               # grid-work hours in a day
        self.full_day = hours_per_day    # a full-time post's day (model/mechanisms/staffing.py)
        self.cadre = cadre               # a committee cadre doubling as a grid worker
        self.households = np.zeros(0, dtype=np.int64)
        self.queue = CaseQueue()
        # Traits keyed by (community, post): a policy that adds posts changes no one else's.
        post = index if post is None else post
        st = model.streams
        self.tenure = float(int(st.keyed("workers.tenure", community, post) * 3 * 365))
        self.certified = bool(st.keyed("workers.certified", community, post)
                              < model.params.workers.certified_share)
        self.admin_today = 0.0
        self.field_today = 0.0
        self.spill = 0.0                 # office work pushed onto this worker today (hours)
        self.cover = 1.0                 # share of the post's hours worked (vacancy < 1)
        self.reset_terms()
        self.vacant_until = -1           # day the successor starts after turnover
        self.cases_handled = 0
        self.visit_hours = 0.0           # field hours left for visits today

    def reset_terms(self) -> None:
        """Terms and hooks that mechanisms set (``model/mechanisms``): extra admin hours by
        name, the referral between separate networks, per-case terms."""
        self.admin_terms: dict[str, float] = {}
        self.admin_cut = 0.0     # share of pushed-down tasks blocked (task access list)
        self.trained = 0.0       # professional training, 0..1 (model/mechanisms/training.py)
        self.referral: Referral | None = None
        self.case_terms: SpecialisedWork | None = None
        # Log-odds added to this worker's mediation (effort under resident evaluation,
        # model/mechanisms/evaluation.py).
        self.mediation_bonus = 0.0
        # (flats, factor): cases of these households take ``factor`` times the hours (the
        # worker does not know them: model/mechanisms/privacy.py). None: no such flats.
        self.slow_households: tuple[np.ndarray, float] | None = None

    # ------------------------------------------------------------------ state
    @property
    def skill(self) -> float:
        """0..1: base, certificate, training [000], and experience (saturating)."""
        w = self.model.params.workers
        exp = self.tenure / (self.tenure + w.learning_days)
        return min(1.0, 0.25 + 0.25 * self.certified + 0.25 * self.trained + 0.25 * exp)

    def rework_factor(self, skill: float | None = None) -> float:
        """Hours a case takes relative to a worker of middling skill: poorly trained staff
        redo their work (经常返工 [000]), so training and experience free field time.
        ``skill``: today's, when the caller has it already."""
        skill = self.skill if skill is None else skill
        return max(0.25, 1.0 + self.model.params.workers.rework * (0.5 - skill))

    def admin_hours(self) -> float:
        """Pushed-down tasks, cut by a task access list [001], plus what mechanisms add
        (``admin_terms``: the separate networks' duplicated ledgers [000, 001])."""
        p = self.model.params
        base = p.workers.admin_hours * (1 - self.admin_cut)
        for hours in self.admin_terms.values():
            base += hours
        if self.cadre:  # a cadre's office share is counted by the community office
            return 0.0
        base = max(0.0, base)   # a term may take hours off (resident evaluation)
        # Pro rata for a part-time post: ledgers follow the households served, so a post
        # of half the hours carries half the paperwork (no cliff at a staffing boundary).
        return base * self.hours / self.full_day

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        m = self.model
        p = m.params
        w = p.workers
        if self.vacant_until >= 0 and m.day >= self.vacant_until:
            self.cover = 1.0             # the successor starts
            self.vacant_until = -1
        self.tenure += 1
        hours = self.hours * self.cover
        self.admin_today = min(hours, self.admin_hours() + self.spill)
        budget = hours - self.admin_today
        self.field_today = budget
        book = m.book

        hours_per_case = (w.hours_per_case.small, w.hours_per_case.big, w.hours_per_case.hard)
        keyed_id = m.streams.keyed_id
        rework = -1.0                   # today's rework factor, once there is a case
        x0: float | None = None         # today's mediation constant + skill term
        referral = self.referral        # separate networks (model/mechanisms/grid.py)
        case_terms = self.case_terms    # merged: unlearnt specialised work (same module)
        slow = self.slow_households     # households the worker does not know (privacy.py)
        while budget > 0:
            issue = self.queue.pop()
            if issue is None:
                break
            if referral is not None and not issue.referred:
                issue.referred = True
                if keyed_id("grid.referral", issue.id) < referral.prob:
                    # Out of this narrow grid's scope: pass it to the right network [001].
                    budget -= referral.hours
                    m.defer(issue, m.day + referral.days, self.receive)
                    continue
            if rework < 0:                # the first case today: skill is fixed all day
                skill = self.skill
                rework = self.rework_factor(skill)
                if not self.cadre:
                    x0 = w.mediation_constant + w.skill_weight * (skill - 0.5)
            penalty = 0.0
            need = hours_per_case[issue.difficulty] * rework
            if case_terms is not None:
                factor, penalty = case_terms.terms(self, issue)
                need *= factor
            if slow is not None and slow[0][issue.household]:
                need *= slow[1]
            need -= issue.progress
            if need > budget:
                issue.progress += budget
                budget = 0.0
                self.queue.push(issue, front=True)
                break
            budget -= need
            self.cases_handled += 1
            prob = (self.success_prob(issue, penalty) if x0 is None
                    else self._mediation(x0, issue, penalty))
            if book.coin("grid.mediation", issue) < prob:
                book.handled(issue, COMPOUND)
            else:
                book.escalate(issue)

        # Spare field time goes on door-to-door visits, made for all workers at once
        # (``visit_households``): a visit touches only this worker's households, which no other
        # worker's cases read.
        self.visit_hours = budget if budget > 0 else 0.0

    def success_prob(self, issue: Issue, penalty: float = 0.0) -> float:
        """Mediation success; a cadre in the field decides with the committee's authority
        (the upside of 多网合一: matters settled on the spot [000, 001]). ``penalty``
        (logit): unlearnt specialised work after a merge [000]."""
        m = self.model
        if self.cadre:
            return m.offices[self.community].success_prob(issue, penalty)
        w = m.params.workers
        return self._mediation(w.mediation_constant + w.skill_weight * (self.skill - 0.5),
                               issue, penalty)

    def _mediation(self, x0: float, issue: Issue, penalty: float) -> float:
        """``success_prob`` of a full-time worker from ``x0``, the constant plus the skill
        term (``step`` computes it once a day, skill being fixed within the day)."""
        w = self.model.params.workers
        trust = self.model.households.trust.item(issue.household)   # a Python float
        kp, dp = w.kind_penalty, w.difficulty_penalty
        d = issue.difficulty
        k = issue.kind
        x = (x0 + w.trust_weight * (trust - 0.5)
             - (dp.small if d == 0 else dp.big if d == 1 else dp.hard)
             - (kp.neighbour if k == 0 else kp.property if k == 1 else kp.facility if k == 2
                else kp.service)
             - penalty + self.mediation_bonus)
        return logistic(x)

    def turnover(self) -> None:
        """The worker leaves [000]: "a new official ignores the old accounts".

        The post stays vacant for a while (neighbours cover part of it); the successor
        starts with no experience and no ties, so the households lose trust that only
        visits and settled cases rebuild, over months; handed-over cases restart and wait
        while the successor learns them; and some matters the predecessor settled come
        back, because the successor does not know what was promised.
        """
        m = self.model
        w = m.params.workers
        st = m.streams
        day = m.day
        self.tenure = 0.0
        self.certified = bool(st.keyed("turnover.certified", self.index, day) < w.certified_share)
        if w.vacancy_days > 0:
            gap = -w.vacancy_days * np.log1p(-st.keyed("turnover.vacancy", self.index, day))
            self.cover = w.vacancy_cover_share
            self.vacant_until = day + gap
        hh = m.households
        mine = self.households
        hh.relationship[mine] = 0.0
        hh.trust[mine] = np.maximum(0.0, hh.trust[mine] - w.turnover_trust_loss)
        for issue in self.queue.issues():
            issue.progress = 0.0
            m.defer(issue, day + _stochastic_days(w.handover_days,
                                                  st.keyed_id("turnover.handover", issue.id)),
                    self.receive)
        # Old accounts reopen: recently settled matters of this worker's households.
        u = st.daily("turnover.reopen", day).random(hh.n)[mine]
        back = mine[hh.occupied[mine] & ~hh.open_issue[mine]
                    & (hh.last_resolved_worker[mine] == self.index)
                    & (day - hh.last_resolved_day[mine] <= w.handover_memory_days)
                    & (u < w.handover_reopen_prob)]
        for h in back.tolist():
            m.book.report(h, int(hh.last_resolved_kind[h]), int(hh.last_resolved_difficulty[h]),
                          GRID, repeat=True)


def _stochastic_days(mean: float, u: float) -> int:
    """Whole days with the right mean: floor, plus one with the fractional part's
    probability (no rounding cliff)."""
    whole = int(mean)
    return whole + int(u < mean - whole)


def visit_households(model: CommunityModel, workers: list[GridWorker]) -> None:
    """Door-to-door visits in the workers' spare field time build ties and trust [003].

    Each household is visited with probability (its worker's spare hours x visits per
    hour) / (the worker's households), by today's per-flat draw: visits scale smoothly with
    field hours (no rounding), and a policy that changes one worker's hours does not
    reshuffle anyone else's visits. One pass over all households instead of one per worker
    (same draws, same arithmetic).
    """
    p = model.params
    rate = p.workers.visits_per_hour
    expected = [w.visit_hours * rate if len(w.households) else 0.0 for w in workers]
    if not any(e > 0 for e in expected):
        return
    hh = model.households
    served = [w.households for w in workers]
    owner = model.__dict__.get("_visit_owner")
    if owner is None or len(owner[0]) != len(served) or any(
            a is not b for a, b in zip(owner[0], served, strict=True)):
        # Who serves each flat, rebuilt only when a worker's households change; a flat
        # nobody serves points past the last worker and is never visited.
        who = np.full(hh.n, len(workers), dtype=np.int64)
        for k, mine in enumerate(served):
            who[mine] = k
        size = np.array([len(mine) for mine in served] + [1], dtype=np.int64)
        owner = model._visit_owner = (served, who, size[who])
    _, who, size = owner
    per_flat = np.array([*expected, 0.0])
    draws = model.visit_draws()
    # Only flats whose draw is below the largest worker's visiting chance can be visited
    # (a few in a hundred): the exact test, the same arithmetic, runs on those alone.
    chance = [e / n for e, n in zip(expected, (len(s) for s in served), strict=True) if n]
    cand = np.flatnonzero(draws < max(chance, default=0.0) * (1.0 + 1e-9))
    keep = (draws[cand] * size[cand] < per_flat[who[cand]]) & hh.occupied[cand]
    idx = cand[keep]
    if hh.grid_blocked is not None:     # the worker does not know these households
        idx = idx[~hh.grid_blocked[idx]]
    hh.relationship[idx] = np.minimum(1.0, hh.relationship[idx] + p.workers.relationship_gain)
    hh.trust[idx] = np.minimum(1.0, hh.trust[idx] + p.trust.visit)
