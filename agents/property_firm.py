"""Property firms 物业: service quality, fee collection and the revenue → quality feedback.

Property management is the largest hotline complaint category (13.3% of tickets) [001]:
low quality, unsupervised fees, firms left to police parking and charging cables [001]. A
firm's quality follows its fee revenue (paying households are revenue; revenue pays for
service), and residents pay by quality and trust, a loop that can run either way [000].
Red property (红色物业, a party branch in the firm, regular training) raised fee collection
in Fukang from 60% to 98% and cut resident–firm conflicts [000]: here it lifts the quality
the firm aims for, earns residents' trust when paying, and lets the firm's branch join the
tripartite body even where the owners' committee is weak.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa

from commgov.model.lifecycle import COMPOUND, CaseHandler, CaseQueue, DailyCapacity, logistic

if TYPE_CHECKING:
    from commgov.agents.party_branch import TripartiteBody
    from commgov.model.community import CommunityModel


class PropertyFirm(CaseHandler, mesa.Agent):
    """The property firm of one compound."""

    def __init__(self, model: CommunityModel, compound: int, households: int,
                 quality: float) -> None:
        super().__init__(model)
        self.compound = compound
        self.n_households = households
        self.quality = quality
        self.queue = CaseQueue()
        self._capacity = DailyCapacity()
        self.cases_taken = 0             # property cases the firm worked on (from day 0)
        self.cases_settled = 0           # ... and settled itself
        self.reset_terms()

    def reset_terms(self) -> None:
        """Terms mechanisms set (red property, model/mechanisms/red_property.py): a bonus on
        the quality the firm aims at, and whether the firm has its own party branch."""
        self.quality_bonus = 0.0
        self.own_branch = False
        # Who takes a dispute the firm could not settle, if anyone (the tripartite body,
        # model/mechanisms/tripartite.py); None: the grid worker takes the complaint.
        self.mediator: Callable[[], TripartiteBody | None] | None = None
        # Star rating and joint meetings (model/mechanisms/property_rating.py): pressure on
        # the quality the firm aims at, and log-odds lost on cases while a new firm learns
        # the compound after a replacement.
        self.rating_bonus = 0.0
        self.case_penalty = 0.0

    def success_prob(self) -> float:
        pr = self.model.params.property
        x = pr.case_constant + pr.case_quality_weight * (self.quality - 0.5) - self.case_penalty
        return logistic(x)

    def step(self) -> None:
        """Handle today's property cases; a failed one goes to the tripartite body where it
        works [002], else to the grid worker (the community takes the complaint)."""
        if self._capacity.idle(self.queue):
            return
        m = self.model
        pr = m.params.property
        per_day = pr.cases_per_100_households * self.n_households / 100 * self.quality
        prob = -1.0                          # today's chance, once there is a case
        for issue in self._capacity.serve(self.queue, per_day):
            self.cases_taken += 1
            if prob < 0:
                prob = self.success_prob()   # quality is fixed within the day
            if m.book.coin("property.cases", issue) < prob:
                self.cases_settled += 1
                m.book.handled(issue, COMPOUND)
                continue
            m.book.firm_failed(issue, self.mediator() if self.mediator is not None else None)

    def monthly(self, paid_share: float) -> None:
        """Quality moves toward what this month's revenue can pay for [000]."""
        pr = self.model.params.property
        target = pr.quality_floor + (pr.quality_ceiling - pr.quality_floor) * paid_share
        target += self.quality_bonus + self.rating_bonus
        target = min(1.0, target)
        self.quality += pr.quality_adjust_per_year / 12 * (target - self.quality)
