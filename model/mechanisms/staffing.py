"""Staffing 人员配置: posts per community and the flats each grid worker serves [000, 001, 003].

The only module that reads the ``staff`` section (ODD 7.3). Every community has the same
committee posts whatever its size [001]. The other posts (grid workers and service centre)
follow ``staff.allocation``: ``fixed_posts`` (default) scales them with the community's own
population, at the density the per-10,000 standard gives a typical community, so grid
coverage per household stays the same at any size while the fixed committee is spread
thinner in large communities [001, 003]; ``per_capita`` is the district quota applied to each
community, committee included, which leaves small communities with almost no grid workers;
``needs_based`` sizes posts to the expected case load and office work. Staff are full-time
equivalents, not rounded heads, so no outcome jumps with a rounding boundary.

Always built. The model calls ``build`` once the households exist and ``restaff`` when the
mechanisms' ``Roster`` changes during a run (a timed merge of the grids [000]); the roster
stays the contract with other mechanisms: merged grids send committee cadres into the
compounds for part of the day (``cadre_field_share``) and hires backfill the office
(``office_backfill``) [000]; a task access list blocks part of the pushed-down work
(``admin_cut``), which needs-based staffing sizes posts to. Institutions get the working day
(``hours_per_day``) when they are built, so none of them reads this section.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from commgov.agents.community_office import CommunityOffice
from commgov.agents.grid_worker import GridWorker
from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class Staffing(Mechanism):
    """Posts per community by the allocation rule; grid workers' flats over buildings."""

    name = "staffing"
    section = "staff"
    odd = "7.3"
    sources = ("000", "001", "003")

    # ------------------------------------------------------------------ build
    def build(self) -> None:
        """Staff per community by the allocation rule (formula in ODD 7.3), then grid
        workers placed over contiguous buildings: ``model.offices`` and ``model.workers``."""
        m = self.model
        p = m.params
        nb = m.neighbourhood
        s = self.p
        roster = m.roster
        m.workers = []
        m.offices = []
        order = np.lexsort((nb.building, nb.compound, nb.grid))   # hierarchy order
        for c in range(nb.n_communities):
            members = order[nb.community[order] == c]
            # Posts are set for the planned population (flats x expected occupancy), not the
            # day-0 draw, so the same community gets the same staff whatever the seed.
            planned = len(members) * p.households.initial_occupancy
            residents = planned * p.households.residents_per_household
            grid_fte, service = staff_posts(p, planned, residents, roster.admin_cut)
            office = CommunityOffice(m, c, s.committee_posts,
                                     service + roster.office_backfill,  # merge hires
                                     residents, roster.cadre_field_share,
                                     hours_per_day=s.hours_per_day)
            office.base_service = service
            office.members = members
            m.offices.append(office)
            # Whole workers at full hours, the fractional remainder as one part-time post.
            n_full = int(grid_fte)
            staff = [(s.hours_per_day, False)] * n_full
            if grid_fte - n_full > 1e-9:
                staff.append((s.hours_per_day * (grid_fte - n_full), False))
            if roster.cadre_field_share > 0:    # cadres double as grid workers [000]
                staff += [(s.hours_per_day * roster.cadre_field_share, True)] \
                    * s.committee_posts
            for h, cadre in (x for x in staff if x[0] > 0):
                self.add_post(office, h, cadre)
            self.split_households(office)
        self._count_fte()

    def add_post(self, office: CommunityOffice, hours: float, cadre: bool) -> None:
        """A grid-work post of the office: the next worker index and the office's next post
        number (which keys its tenure and certificate draws)."""
        m = self.model
        w = GridWorker(m, len(m.workers), office.community, hours, cadre=cadre,
                       post=len(office.workers), hours_per_day=self.p.hours_per_day)
        m.workers.append(w)
        office.workers.append(w)

    def split_households(self, office: CommunityOffice) -> None:
        """The community's flats, in hierarchy order, split among its working posts in
        proportion to hours, each cut moved to a building boundary (ODD 7.3)."""
        m = self.model
        nb = m.neighbourhood
        members = office.members
        working = [w for w in office.workers if w.hours > 0]
        hours = np.array([w.hours for w in working])
        cuts = np.round(np.cumsum(hours) / hours.sum() * len(members)).astype(int)
        start = 0
        for w, end in zip(working, cuts, strict=True):
            end = _building_boundary(nb.building[members], end)
            w.households = members[start:max(end, start)]
            m.households.worker[w.households] = w.index
            start = max(end, start)
        for w in office.workers:
            if w.hours <= 0:
                w.households = members[:0]

    def restaff(self) -> None:
        """Apply a changed roster during a run (a timed merge of the grids, hires with it):
        offices get their new hours, committee cadres start or stop working as grid workers,
        and the flats are split again as at build time. A post that stops keeps its index
        (so no household or case loses its worker); its open cases go to the households'
        new workers."""
        m = self.model
        s = self.p
        r = m.roster
        for office in m.offices:
            office.service_staff = office.base_service + r.office_backfill
            office.cadre_field_share = r.cadre_field_share
            hours = s.hours_per_day * r.cadre_field_share
            cadres = [w for w in office.workers if w.cadre]
            if hours > 0 and not cadres:
                for _ in range(s.committee_posts):
                    self.add_post(office, hours, cadre=True)
            for w in cadres:
                w.hours = hours
            self.split_households(office)
            for w in cadres:
                if w.hours <= 0:
                    for issue in reversed(w.queue.issues()):   # oldest first
                        m.workers[int(m.households.worker[issue.household])] \
                            .receive(issue, front=True)
        self._count_fte()

    def _count_fte(self) -> None:
        """``model.worker_fte``: every grid-work post's hours in full-time equivalents,
        cadres in the field included (the staff ratios' denominator)."""
        m = self.model
        m.worker_fte = sum(w.hours for w in m.workers) / self.p.hours_per_day

    # ------------------------------------------------------------------ what others ask
    def standard_communities(self) -> float:
        """The street's planned population in communities of the reference size (the
        street office's capacity follows it [001])."""
        return self.model.neighbourhood.n_households / self.p.reference_households

    def grid_fte(self, workers: Iterable[GridWorker]) -> float:
        """Full-time equivalents of these grid workers' posts, cadres doubling as grid
        workers not counted (they are committee posts): for costs and staff ratios."""
        return sum(w.hours for w in workers if not w.cadre) / self.p.hours_per_day


def staff_posts(p: Scenario, households: float, residents: float,
                admin_cut: float = 0.0) -> tuple[float, float]:
    """Grid-worker and service-centre posts (full-time equivalents) of one community of
    ``households`` planned households and ``residents`` residents, besides the committee.

    ``fixed_posts`` [001, 003]: the per-10,000 standard staffs a typical community
    (``staff.reference_households``); what it leaves after the committee's fixed posts sets a
    density of other posts per resident that every community gets, so they scale with size
    and the committee does not. ``per_capita``: the quota applied to this community itself,
    committee included (small communities keep the committee and little else).
    ``needs_based``: grid workers for the expected case load plus visits, service staff for the
    office work the committee cannot cover, after ``admin_cut`` of the pushed-down tasks is
    blocked (a task access list, model/mechanisms/task_access_list.py).
    ``households_per_worker`` > 0 sets grid workers directly at one per that many households
    [003] under any rule.
    """
    s = p.staff
    rph_occ = p.households.initial_occupancy * p.households.residents_per_household
    if s.allocation == "per_capita":
        others = max(0.0, s.per_10k_residents * residents / 10_000 - s.committee_posts)
    elif s.allocation == "fixed_posts":
        ref = s.reference_households * rph_occ
        density = max(0.0, s.per_10k_residents * ref / 10_000 - s.committee_posts) / ref
        others = density * residents
    else:   # needs_based
        w = p.workers
        case_hours = _expected_case_hours_per_household(p) * households / 365.0
        field = max(0.5, s.hours_per_day - w.admin_hours * (1 - admin_cut))
        grid = case_hours / (field * s.needs_field_load)
        demand = (w.office_admin_fixed_hours + w.office_admin_hours_per_10k * residents
                  / 10_000) * (1 - admin_cut)
        office_need = demand / (1 - p.ladder.office_case_share_min) / s.hours_per_day
        service = max(0.0, office_need - s.committee_posts)
        if s.households_per_worker > 0:
            grid = households / s.households_per_worker
        return max(grid, _MIN_GRID_FTE), service
    grid = others * s.grid_post_share
    if s.households_per_worker > 0:
        grid = households / s.households_per_worker
    service = max(0.0, others - grid)
    return max(grid, _MIN_GRID_FTE), service


_MIN_GRID_FTE = 0.25   # somebody answers for the grid, however thin the staffing


def _expected_case_hours_per_household(p: Scenario) -> float:
    """Grid-worker hours a household's issues need in a year, at base rates (for
    ``needs_based`` staffing): rate x mean hours per case by difficulty."""
    i = p.issues
    rate = sum(getattr(i.base_rate, k) for k in ("neighbour", "property", "facility", "service"))
    d = i.difficulty_shares
    h = p.workers.hours_per_case
    per_case = (d.small * h.small + d.big * h.big + d.hard * h.hard) / (d.small + d.big + d.hard)
    return rate * per_case


def _building_boundary(buildings: np.ndarray, end: int) -> int:
    """Move a cut forward to the next building boundary so a building has one worker."""
    n = len(buildings)
    if end <= 0 or end >= n:
        return min(max(end, 0), n)
    b = buildings[end - 1]
    while end < n and buildings[end] == b:
        end += 1
    return end
