"""Neighbourhood councils 邻里议事会 for micro-governance [004].

Where enabled, each compound's monthly deliberation becomes a council meeting: residents,
cadres and retirees settle pending neighbour and facility issues together, and those who
attend gain trust in the process [004].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from commgov.model.lifecycle import COMPOUND, FACILITY, NEIGHBOUR

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


class NeighbourhoodCouncil(mesa.Agent):
    """The council of one compound."""

    def __init__(self, model: CommunityModel, compound: int) -> None:
        super().__init__(model)
        self.compound = compound
        self.settled = 0

    def meet(self, attendees: np.ndarray) -> None:
        m = self.model
        c = m.params.council
        hh = m.households
        pending = [i for i in m.book.open.values()
                   if hh.compound[i.household] == self.compound
                   and i.kind in (NEIGHBOUR, FACILITY) and i.handled_day < 0]
        for issue in pending[:c.cases_per_meeting]:
            if m.streams.keyed("council", issue.id, m.day) < c.success:
                self.settled += 1
                m.book.handled(issue, COMPOUND)
        hh.trust[attendees] = np.minimum(1.0, hh.trust[attendees] + c.trust_gain)
