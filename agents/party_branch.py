"""Party branches 党支部 of compounds: red stations, activities, deliberations, tripartite body.

A branch in every compound [002]. Residents report small problems at "red stations"
(红色驿站) where branch members claim them [003]; how many members actually show up is the
double-reporting activation rate (双报到: most register but do not come [001]). Branches run
activities and deliberations (两议两评两公开 [001]) that residents join by propensity (see
``Households.participate``), and convene the tripartite body 三方协同 (branch + owners'
committee + property firm) on property disputes [002].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from commgov.model.lifecycle import COMPOUND, CaseHandler, CaseQueue, DailyCapacity

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


class TripartiteBody(CaseHandler):
    """三方协同: the branch convenes owners' committee and firm on property disputes [002].

    Its own intake, so a dispute sent here (or reopened by the closed loop) is settled at the
    weekly meeting, not by red-station volunteers.
    """

    def __init__(self) -> None:
        self.queue = CaseQueue()


class PartyBranch(CaseHandler, mesa.Agent):
    """The party branch of one compound."""

    def __init__(self, model: CommunityModel, compound: int) -> None:
        super().__init__(model)
        self.compound = compound
        self.red_station = CaseQueue()
        self.tripartite_body = TripartiteBody()
        self._capacity = DailyCapacity()
        self.attendance = 0          # households at the last activity or deliberation
        self.active_members = 0

    @property
    def intake(self) -> CaseQueue:
        """A report at the red station / in the WeChat group."""
        return self.red_station

    def step(self) -> None:
        if self._capacity.idle(self.red_station):
            return
        m = self.model
        pp = m.params.party
        per_day = pp.member_cases_per_week * self.active_members / 7.0
        for issue in self._capacity.serve(self.red_station, per_day):
            if m.streams.keyed("red_station", issue.id, m.day) < pp.red_station_success:
                m.book.handled(issue, COMPOUND)
            else:
                m.workers[issue.worker].receive(issue)   # the member hands it on
        # Issues nobody could claim today wait; after a day they go to the grid worker.
        # (Anything still queued after serve() means today's capacity is used up.)
        while (issue := self.red_station.peek()) is not None and \
                m.day - issue.reported_day >= 1:
            self.red_station.pop()
            m.workers[issue.worker].receive(issue)

    def tripartite_meeting(self) -> None:
        """Weekly (the model's declared day staggers compounds over the week): branch,
        owners' committee and firm settle the property disputes the firm could not [002];
        what they cannot settle goes to the community."""
        m = self.model
        while (issue := self.tripartite_body.queue.pop()) is not None:
            if (m.streams.keyed("tripartite", issue.id, m.day)
                    < m.params.party.tripartite_success):
                m.book.handled(issue, COMPOUND)
            else:
                m.book.escalate(issue)
