"""Neighbourhood councils 邻里议事会 [004].

The only module that reads ``council.enabled``. Each compound gets a council that meets at
the deliberations (every ``party.deliberation_days``, 7.13): the deliberation then draws
retirees and active party members fully and others at ``council.others_share`` of
``council.participation_bonus`` (the councils are mostly formal: "参与的主要是居委会干部和
退休人员" [004]); each council takes up a few of its compound's open issues
(``NeighbourhoodCouncil.meet``, 7.14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from commgov.agents.neighbourhood_council import NeighbourhoodCouncil
from commgov.model.mechanisms.base import Mechanism
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class CouncilParams(Section):
    """Neighbourhood councils for micro-governance [004]."""

    ODD_SECTION: ClassVar[str] = "council"

    enabled: bool = P(
        False,
        source="[004]",
        doc=(
            "Monthly deliberations become neighbourhood council meetings that settle pending "
            "neighbour and facility issues [004]."
        ),
        label=("Neighbourhood councils (邻里议事会)", "邻里议事会"),
        help=(
            "Monthly meetings settle pending neighbour and facility issues.",
            "每月议事，化解邻里和设施类积案。",
        ),
        control=Control("residents", "on/off", 2),
    )
    cases_per_meeting: int = P(
        2,
        0,
        100,
        unit="cases",
        source="[004]",
        doc="Pending issues of the compound a council takes up per meeting: few, since "
        "councils are more form than substance (形式大于实绩 [004]).",
    )
    success: float = P(
        0.3,
        0,
        1,
        unit="probability",
        source="[004]",
        doc="Chance the council settles an issue it takes up: low, since councils are more "
        "form than substance (形式大于实绩 [004]).",
    )
    trust_gain: float = P(
        0.03,
        0,
        1,
        unit="trust",
        source="[004]",
        doc="Trust gained by each household that attends a council meeting.",
    )
    participation_bonus: float = P(
        0.3,
        0,
        10,
        unit="log-odds",
        source="[004]",
        doc="A council gives retirees and active party members a reason to come [004].",
    )
    others_share: float = P(
        0.1,
        0,
        1,
        unit="share of the bonus",
        source="[004]",
        doc="Share of participation_bonus the other residents feel: councils are run by cadres "
        "and retirees, the young and middle-aged stay away (参与的主要是居委会干部和退休人员 "
        "[004]).",
    )



class Councils(Mechanism):
    """A neighbourhood council in every compound, meeting at the deliberations."""

    name = "council"
    section = "council"
    params = CouncilParams
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
