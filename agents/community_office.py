"""The community office: the "two committees" (两委) and the service centre [001, 000, 004].

Every community gets the same committee posts whatever its size [001], plus service-centre
staff. The office must cover the departmental tasks pushed down to the community [000, 004];
what it cannot cover spills onto the grid workers' days. Hours left over revisit handled
cases when the closed loop runs (接转办访督考 [001]) and handle the cases escalated from the
compounds: the community rung of the ladder (大事不出社区 [001]). When grids
are merged, cadres spend part of the day as grid workers, so the office has fewer hours
[000, 001].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa

from commgov.model.lifecycle import COMMUNITY, CaseHandler, CaseQueue, Issue, logistic

if TYPE_CHECKING:
    from commgov.agents.grid_worker import GridWorker
    from commgov.model.community import CommunityModel


class CommunityOffice(CaseHandler, mesa.Agent):
    """Office capacity, the admin spill-over, and community-level case handling."""

    def __init__(self, model: CommunityModel, community: int, committee_posts: int,
                 service_staff: float, residents: float, cadre_field_share: float = 0.0,
                 *, hours_per_day: float) -> None:
        super().__init__(model)
        self.full_day = hours_per_day    # a post's working day (model/mechanisms/staffing.py)
        self.community = community
        self.residents = residents       # planning population the staff were set for
        self.committee_posts = committee_posts
        self.service_staff = service_staff
        self.queue = CaseQueue()
        self._revisits: list[Issue] = []   # closed-loop revisits due (接转办访督考 [001])
        self.workers: list[GridWorker] = []
        self._progress_hours = 0.0
        self.case_hours = 0.0
        self.spill = 0.0
        self.uncovered_share = 0.0
        self.demand = 0.0                # office work pushed down today (hours)
        self.backlog = 0.0               # office work left undone, waiting (hours)
        self.pulled = 0.0                # hours cadres were pulled back from the field today
        # Share of each committee cadre's day spent in the compounds (a merge [000]).
        self.cadre_field_share = cadre_field_share
        # Share of the specialised networks' work not yet learnt (a merge [000]; set and
        # advanced by model/mechanisms/grid.py).
        self.unlearnt = 0.0
        self.reset_terms()

    def reset_terms(self) -> None:
        """Hooks mechanisms set: ``on_revisit`` carries out a due revisit (the closed loop,
        model/mechanisms/closed_loop.py); the office only queues them and spends the hours."""
        self.on_revisit: Callable[[Issue], None] | None = None
        self.admin_cut = 0.0     # share of pushed-down tasks blocked (task access list)

    @property
    def office_hours(self) -> float:
        cadre_office = 1 - self.cadre_field_share
        return (self.committee_posts * cadre_office + self.service_staff) * self.full_day

    LEVEL = COMMUNITY

    def revisit(self, issue: Issue) -> None:
        self._revisits.append(issue)

    def plan_day(self) -> None:
        """Cover pushed-down tasks first and keep a minimum for cases [000].

        What the office cannot cover goes, in order: back onto the cadres sent into the
        compounds by a merge (formalism: "sign in at the grid, work in the office" [000]),
        onto the full-time grid workers (``workers.spill_share`` [000, 004]), and the rest
        waits as a backlog that residents' office requests queue behind. Spare office hours
        work the backlog off before they go to cases.
        """
        p = self.model.params
        w = p.workers
        demand = (w.office_admin_fixed_hours + w.office_admin_hours_per_10k * self.residents
                  / 10_000) * (1 - self.admin_cut)
        hours = self.office_hours
        keep = p.ladder.office_case_share_min * hours
        spare = max(0.0, hours - demand - keep)
        clear = min(self.backlog, spare)
        self.backlog -= clear
        self.case_hours = max(hours - demand, keep) - clear
        uncovered = max(0.0, demand - (hours - keep))
        self.demand = demand
        # Formalism: the cadres in the compounds are pulled back to the office, the more so
        # the more the office consists of them. A large community's service centre keeps
        # the office going while the cadres stay out; a small community's office is its
        # cadres, so they "sign in at the grid and work in the office" [000].
        cadres = [x for x in self.workers if x.cadre]
        field = sum(x.hours for x in cadres)
        cadre_office = self.committee_posts * self.full_day - field
        share = cadre_office / hours if hours > 0 else 0.0
        pulled = p.grid.formalism_share * share * min(uncovered, field)
        for x in cadres:            # (none in the field: after a merge ends, 0 hours)
            x.spill = pulled * x.hours / field if field > 0 else 0.0
        self.pulled = pulled
        uncovered -= pulled
        self.uncovered_share = uncovered / demand if demand else 0.0
        self.spill = uncovered * p.workers.spill_share
        # Undone work lapses or is caught up in overtime at office.backlog_expiry_days, so
        # a steady shortfall gives a steady backlog, not an ever-growing one.
        self.backlog += uncovered - self.spill
        self.backlog *= 1.0 - 1.0 / p.office.backlog_expiry_days
        full_time = [x for x in self.workers if not x.cadre]
        worker_hours = sum(x.hours for x in full_time)
        for x in full_time:          # pro rata to hours: a part-time post takes its part
            x.spill = self.spill * x.hours / worker_hours if worker_hours else 0.0

    def wait_share(self) -> float:
        """Share of new office requests that wait behind the backlog (smooth in the backlog,
        half at ``office.backlog_days`` days of demand)."""
        scale = self.model.params.office.backlog_days * self.demand
        return self.backlog / (self.backlog + scale) if scale > 0 else 0.0

    def success_prob(self, issue: Issue, penalty: float = 0.0) -> float:
        """Committee handling: more authority than a grid worker, so difficulty and kind
        weigh half as much [001]. ``penalty`` (logit) is a handicap the caller adds, such as
        unlearnt specialised work after a merge [000]."""
        p = self.model.params
        w = p.workers
        trust = self.model.households.trust.item(issue.household)   # a Python float
        diffs = (w.difficulty_penalty.small, w.difficulty_penalty.big,
                 w.difficulty_penalty.hard)
        kinds = (w.kind_penalty.neighbour, w.kind_penalty.property, w.kind_penalty.facility,
                 w.kind_penalty.service)
        x = (p.ladder.community_constant + w.trust_weight * (trust - 0.5)
             - 0.5 * diffs[issue.difficulty] - 0.5 * kinds[issue.kind] - penalty)
        return logistic(x)

    def step(self) -> None:
        m = self.model
        per_case = m.params.ladder.community_hours_per_case
        budget = self.case_hours
        # The service centre revisits handled cases first (mostly by phone) [001].
        revisits, self._revisits = self._revisits, []
        cost = m.params.loop.revisit_hours
        for issue in revisits:
            if issue.closed:
                continue
            if self.on_revisit is None:          # the loop was switched off: close as
                m.book.settle(issue)             # a case does without it
                continue
            if budget < cost:
                self._revisits.append(issue)     # tomorrow
                continue
            budget -= cost
            self.on_revisit(issue)
        while budget > 0:
            issue = self.queue.pop()
            if issue is None:
                break
            need = per_case - issue.progress
            if need > budget:
                issue.progress += budget
                self.queue.push(issue, front=True)
                break
            budget -= need
            if m.book.coin("community.cases", issue) < self.success_prob(issue):
                m.book.handled(issue, COMMUNITY)
            else:
                m.book.escalate(issue)
