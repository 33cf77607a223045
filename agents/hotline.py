"""The 12345 hotline: a city-wide complaint channel [001, 003].

Tickets about community matters are dispatched back down to the community after a delay
(none with an integrated platform [000, 003]); the hotline also receives tickets on matters
outside community governance, which is why property is "only" 13.3% of all tickets while
being the largest category [001].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from commgov.model.lifecycle import CaseHandler, Issue

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


class Hotline(CaseHandler, mesa.Agent):
    """The city's 12345 service hotline, as seen from this street."""

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.dispatched = 0
        self.reset_terms()

    def reset_terms(self) -> None:
        """Days a ticket takes to come back down (an integrated platform sets 0:
        model/mechanisms/platform.py)."""
        self.dispatch_days = self.model.params.channels.hotline_dispatch_days

    def receive(self, issue: Issue, front: bool = False) -> None:
        """Dispatch to the compound's handler after the dispatch delay (no queue here)."""
        m = self.model
        m.defer(issue, m.day + self.dispatch_days, self._dispatch)

    def _dispatch(self, issue: Issue) -> None:
        self.dispatched += 1
        self.model.book.route_to_compound_handler(issue)

    def step(self) -> None:
        """Tickets on matters outside community governance (utilities, traffic…)."""
        m = self.model
        rate = m.params.channels.other_hotline_tickets * m.households.occupied.sum() / 365.0
        m.book.counters.hotline_other += int(m.streams.daily("hotline.other", m.day)
                                             .poisson(rate))
