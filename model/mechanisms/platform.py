"""One integrated platform (一网统管) instead of many isolated ones [000, 001, 003].

The only module that reads ``platform.integrated``. One platform serves every network, so a
grid worker fills in one ledger, not one per separate network, and tickets and referrals
arrive at once: the 12345 hotline dispatches with no delay and a referral between separate
grids costs no days [000, 003]. It refines the grid and hotline mechanisms' terms, so it
comes after them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from commgov.model.mechanisms.base import Mechanism
from commgov.model.mechanisms.grid import DUPLICATE_LEDGERS
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class PlatformParams(Section):
    """One integrated platform (一网统管) vs many isolated ones [000, 001, 003, 004]."""

    ODD_SECTION: ClassVar[str] = "hotline"

    integrated: bool = P(
        False,
        source="[000, 003]",
        doc="One platform: no duplicated reporting, instant dispatch of "
        "hotline tickets and referrals.",
        label=("One integrated platform (一网统管)", "一网统管平台"),
        help=("Instant dispatch, no duplicate reporting.", "即时派单，不重复填报。"),
        control=Control("load", "on/off", 2, live=True),
    )



class IntegratedPlatform(Mechanism):
    """One platform: no duplicate ledgers, instant dispatch of tickets and referrals."""

    name = "platform"
    section = "platform"
    params = PlatformParams
    odd = "7.6"
    sources = ("000", "003")
    after = ("grid", "hotline")

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.platform.integrated)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"platform": m.neighbourhood.n_communities * m.params.costs.platform_yuan}

    def attach(self) -> None:
        m = self.model
        m.hotline.dispatch_days = 0
        for w in m.workers:
            w.admin_terms.pop(DUPLICATE_LEDGERS, None)
            if w.referral is not None:
                w.referral = replace(w.referral, days=0)
