"""The 12345 hotline: a city-wide complaint channel [001, 003].

Tickets about community matters wait here until they are dispatched back down to the
community; the hotline also receives tickets on matters outside community governance. The
dispatch rule (delay, handler) and the rate of other tickets are set by
``model/mechanisms/hotline.py`` (an integrated platform makes dispatch immediate [000, 003]).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa
import numpy as np

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
        """Terms the hotline mechanism sets (model/mechanisms/hotline.py): ``dispatch_days``,
        days a ticket takes to come back down (an integrated platform sets 0:
        model/mechanisms/platform.py); ``dispatch``, where a ticket goes then;
        ``other_tickets``, tickets on other matters per occupied household a year."""
        self.dispatch_days = 0
        self.dispatch: Callable[[Issue], None] | None = None
        self.other_tickets = 0.0

    def receive(self, issue: Issue, front: bool = False) -> None:
        """Hold the ticket for the dispatch delay (no queue here), then dispatch it."""
        m = self.model
        m.defer(issue, m.day + self.dispatch_days, self._dispatch)

    def _dispatch(self, issue: Issue) -> None:
        self.dispatched += 1
        self.dispatch(issue)

    def step(self) -> None:
        """Tickets on matters outside community governance (utilities, traffic…)."""
        m = self.model
        rate = self.other_tickets * np.count_nonzero(m.households.occupied) / 365.0
        m.book.counters.hotline_other += int(m.streams.daily("hotline.other", m.day)
                                             .poisson(rate))
