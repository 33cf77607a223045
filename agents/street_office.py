"""The street office and its departments: the top of the ladder (难事不出街道 [001]).

Cases that the community could not settle, and petitions (信访 [000]), come here. The street
has a daily case capacity per community it covers; a case it fails is tried again later.
It also watches for issues left open too long: the more aggrieved the household and the
older the issue, the likelier a petition (a smooth hazard, no threshold).
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import mesa
import numpy as np

from commgov.model.lifecycle import STREET, CaseHandler, CaseQueue, DailyCapacity

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel

_HOUSEHOLD, _REPORTED_DAY, _ID = (attrgetter("household"), attrgetter("reported_day"),
                                  attrgetter("id"))


class StreetOffice(CaseHandler, mesa.Agent):
    """One street office for the whole simulated street."""

    def __init__(self, model: CommunityModel, communities: int,
                 standard_communities: float) -> None:
        super().__init__(model)
        self.communities = communities
        # The street's planned population in communities of the reference size
        # (model/mechanisms/staffing.py): capacity follows it [001].
        self.standard_communities = standard_communities
        self.queue = CaseQueue()
        self._capacity = DailyCapacity()

    LEVEL = STREET

    def step(self) -> None:
        m = self.model
        lad = m.params.ladder
        # Capacity in proportion to the planned population covered [001].
        per_day = lad.street_cases_per_day * self.standard_communities
        for issue in self._capacity.serve(self.queue, per_day):
            if m.streams.keyed("street.cases", issue.id, m.day) < lad.street_success:
                m.book.handled(issue, STREET)
            else:
                m.defer(issue, m.day + lad.street_retry_days, self.receive)
        self.watch_petitions()

    def watch_petitions(self) -> None:
        """Daily: an issue not yet handled may become a petition [000], with a hazard that
        rises smoothly with the household's grievance (logistic around
        ``ladder.petition_grievance``) and with the issue's age (1 - exp(-age /
        ``petition_after_days``)): no threshold, so petitions respond to conditions
        without cliffs. One keyed coin per issue and day (common random numbers)."""
        m = self.model
        lad = m.params.ladder
        if lad.petition_daily_max <= 0:
            return
        cands = [i for i in m.book.open.values() if not i.petitioned and i.handled_day < 0]
        if not cands:
            return
        # map(attrgetter) over the candidates: the same ints, half a generator's cost.
        n = len(cands)
        g = m.households.grievance[np.fromiter(map(_HOUSEHOLD, cands), np.int64, n)]
        age = m.day - np.fromiter(map(_REPORTED_DAY, cands), np.int64, n)
        hazard = (lad.petition_daily_max
                  / (1.0 + np.exp(-(g - lad.petition_grievance) / lad.petition_grievance_scale))
                  * -np.expm1(-age / lad.petition_after_days))
        ids = np.fromiter(map(_ID, cands), np.int64, n)
        coins = m.streams.keyed_array("petitions", ids, m.day)
        for k in np.flatnonzero(coins < hazard).tolist():
            m.book.petition(cands[k])
