"""Neighbourhood councils 邻里议事会 [004].

The only module that reads ``council.enabled``. Each compound gets a council that meets at
the deliberations (every ``party.deliberation_days``, 7.13): the deliberation then draws
retirees and active party members fully and others at ``council.others_share`` of
``council.participation_bonus`` (the councils are mostly formal: "参与的主要是居委会干部和
退休人员" [004]); each council takes up a few of its compound's open issues
(``NeighbourhoodCouncil.meet``, 7.14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commgov.agents.neighbourhood_council import NeighbourhoodCouncil
from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class Councils(Mechanism):
    """A neighbourhood council in every compound, meeting at the deliberations."""

    name = "council"
    section = "council"
    odd = "7.14"
    sources = ("004",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.council.enabled)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"councils": len(m.councils) * m.params.costs.council_yuan}

    def start(self) -> None:
        m = self.model
        m.councils = [NeighbourhoodCouncil(m, c) for c in range(m.neighbourhood.n_compounds)]
