"""The street office and its departments: the top of the ladder (难事不出街道 [001]).

Cases that the community could not settle, and petitions (信访 [000]), come here. The street
has a daily case capacity per community it covers; a case it fails is tried again later.
It also watches for issues left open too long: a household with enough grievance petitions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from commgov.model.lifecycle import STREET, CaseQueue, DailyCapacity, Issue

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


class StreetOffice(mesa.Agent):
    """One street office for the whole simulated street."""

    def __init__(self, model: CommunityModel, communities: int) -> None:
        super().__init__(model)
        self.communities = communities
        self.queue = CaseQueue()
        self._capacity = DailyCapacity()

    def receive(self, issue: Issue, front: bool = False) -> None:
        issue.level = STREET
        issue.handler = self
        self.queue.push(issue, front=front)

    def step(self) -> None:
        m = self.model
        lad = m.params.ladder
        per_day = lad.street_cases_per_day * self.communities
        for issue in self._capacity.serve(self.queue, per_day):
            if m.random.random() < lad.street_success:
                m.book.handled(issue, STREET)
            else:
                m.defer(issue, m.day + lad.street_retry_days, self.receive)
        if m.day % 7 == 0:
            self.watch_petitions()

    def watch_petitions(self) -> None:
        """Weekly: issues open past ``petition_after_days`` whose household's grievance is
        high become petitions [000]."""
        m = self.model
        lad = m.params.ladder
        g = m.households.grievance
        late = [i for i in m.book.open.values()
                if not i.petitioned and i.handled_day < 0
                and m.day - i.reported_day > lad.petition_after_days
                and g[i.household] > lad.petition_grievance]
        for issue in late:
            m.book.petition(issue)
