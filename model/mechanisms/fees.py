"""Property fees 物业费 and the revenue → quality feedback [000].

Residents pay for service they see, if they trust governance, unless aggrieved; nail
households 钉子户 never pay [000]; fee revenue pays for service, so the loop can spiral
either way. The only module that reads ``property.fee_constant``,
``fee_quality_weight``, ``fee_trust_weight`` and ``fee_grievance_weight``: each month (day
mod 30 = 29, and once at build after every mechanism has attached, so red property's
``Households.fee_bonus`` counts from the first payment) every occupied, non-nail household
pays with probability σ(fee_constant + fee_quality_weight·(q − 0.5) + fee_trust_weight·(T −
0.5) − fee_grievance_weight·G + fee_bonus), one draw per flat (stream ``fees``); then each
firm moves its quality toward what the compound's paid share buys (``PropertyFirm.monthly``,
ODD 7.11). Always built.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from commgov.model.lifecycle import logistic
from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import DAYS_PER_MONTH, Task, every


class Fees(Mechanism):
    """Households pay property fees monthly; firms' quality follows the revenue."""

    name = "fees"
    section = "property"
    odd = "7.11"
    sources = ("000",)

    def begin(self) -> None:
        self.pay()                    # the first payment, against the initial quality

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "trust diffusion", Task(
            "periodic processes", "fees", "property fees and firm quality", "7.11",
            every(DAYS_PER_MONTH, DAYS_PER_MONTH - 1), lambda day: self.monthly())

    def trust_term(self, trust: np.ndarray) -> np.ndarray:
        """The log-odds trust adds to a fee decision (the star rating's survey weighs the
        firm the same way: model/mechanisms/property_rating.py)."""
        return self.p.fee_trust_weight * (trust - 0.5)

    def pay(self) -> None:
        """This month's fee decisions against the firms' current quality [000]."""
        m = self.model
        hh = m.households
        p = self.p
        quality = np.array([f.quality for f in m.firms])
        logit = (p.fee_constant + p.fee_quality_weight * (quality[hh.compound] - 0.5)
                 + self.trust_term(hh.trust)
                 - p.fee_grievance_weight * hh.grievance
                 + hh.fee_bonus)
        draw = m.streams.daily("fees", m.day).random(hh.n)
        hh.fee_paid = hh.occupied & ~hh.nail & (draw < logistic(logit))

    def monthly(self) -> None:
        """Fees are paid against this month's quality; firms adjust to revenue [000]."""
        m = self.model
        hh = m.households
        n = m.neighbourhood.n_compounds
        self.pay()
        occ = np.bincount(hh.compound[hh.occupied], minlength=n)
        paid = np.bincount(hh.compound[hh.fee_paid], minlength=n)
        share = np.divide(paid, occ, out=np.zeros(n), where=occ > 0)
        for f in m.firms:
            f.monthly(float(share[f.compound]))
