"""Red property 红色物业: a party branch in the property firm [000, 001, 002].

The only module that reads ``property.red_property``. The branch trains and supervises the
firm and coordinates it with the compound's branch [000]:

- the firm aims at a higher quality: ``property.red_quality_bonus`` is added to the quality
  its revenue pays for (red property raises service quality [001]);
- residents trust a party-led firm more when deciding to pay fees: ``property.
  red_fee_trust_bonus`` log-odds on every fee decision (fee collection rises [000]);
- the firm's own branch can convene the tripartite body (branch, owners' committee, firm)
  even where the owners' committee does not work [000, 002].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class RedProperty(Mechanism):
    """A party branch in the firm: higher quality, more fees paid, a tripartite body."""

    name = "red_property"
    section = "property"
    odd = "7.11"
    sources = ("000", "001", "002")

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.property.red_property)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"red property": len(m.firms) * m.params.costs.red_property_yuan}

    def attach(self) -> None:
        m = self.model
        m.households.fee_bonus = self.p.red_fee_trust_bonus
        for firm in m.firms:
            firm.quality_bonus = self.p.red_quality_bonus
            firm.own_branch = True
