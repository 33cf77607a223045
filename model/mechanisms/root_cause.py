"""Root-cause fixes 治未病: analyse repeated complaints and remove their cause [001].

The only module that reads ``root_cause.root_cause_fixes``. Yanzhou
"樹立'治未病'理念,對同類、共性訴求進行提級處理,跳出'就事論事'的窠臼,
從制度、政策、流程等方面進行分析,制定改進措施" [001]:
instead of settling the same complaint again and again, the cause is found and fixed.

Here every repeat complaint is counted by compound and issue kind (``IssueBook.on_repeat``).
Every ``review_days`` the analysts look at the counts: where a share ``s`` of a compound's
households repeated a kind, its cause is fixed in part, and that kind's arrival rate in
the compound falls by ``effectiveness`` × (1 − exp(−s / ``share_scale``)) of what is left
above ``floor`` — a smooth response, no threshold. Fixed causes come back slowly
(``relapse_per_year``: wear, new residents). The rates are multiplied through
``Households.rate_terms``, so fewer issues arise and fewer of them are repeats. The
mechanism draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import Task, every
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel
    from commgov.model.lifecycle import Issue
    from commgov.scenarios.schema import Scenario


class RootCauseParams(Section):
    """治未病: analyse repeated complaints and fix their causes [001]."""

    ODD_SECTION: ClassVar[str] = "root_cause"

    root_cause_fixes: bool = P(
        False,
        source="[001]",
        doc="Repeated complaints of one kind in a compound are analysed for their cause "
        "(治未病, 对同类、共性诉求进行提级处理 … 从制度、政策、流程等方面进行分析，制定改进措施 "
        "[001]) and the cause is fixed, so that kind arises less there.",
        label=("Root-cause fixes (治未病)", "治未病"),
        help=("Analyse repeated complaints and fix their cause.",
              "分析同类、共性诉求，从源头解决。"),
        control=Control("load", "on/off", 5, live=True),
    )
    review_days: int = P(
        30, 1, 365, unit="days",
        doc="Days between reviews of the repeats; monthly, as the 12345 work orders are "
        "analysed (分析研判 [001]); assumed.")
    effectiveness: float = P(
        0.35, 0, 1, unit="share of the rate",
        doc="Most a review's fixes cut the rate of a kind in a compound whose households "
        "all repeated it; assumed.")
    share_scale: float = P(
        0.02, 0.0001, 1, unit="repeating households per household",
        doc="Repeats per household in a review at which a fix reaches 63% of its most "
        "(1 - exp(-share/scale): smooth, no threshold); assumed.")
    floor: float = P(
        0.5, 0, 1, unit="share of the rate",
        doc="What fixes can do at most: the rate of a kind never falls below this share "
        "(some causes are people, not pipes); assumed.")
    relapse_per_year: float = P(
        0.2, 0, 12, unit="1/year",
        doc="Speed at which fixed causes come back (wear, new residents); assumed.")



class RootCauseFixes(Mechanism):
    """Repeated complaints analysed and their cause fixed: recurring kinds arise less."""

    name = "root_cause"
    section = "root_cause"
    params = RootCauseParams
    odd = "7.22"
    sources = ("001",)

    def __init__(self, model: CommunityModel) -> None:
        super().__init__(model)
        self.reviews = 0

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.root_cause.root_cause_fixes)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"root-cause fixes": len(m.offices) * m.params.costs.root_cause_yuan}

    def start(self) -> None:
        m = self.model
        n_c = m.neighbourhood.n_compounds
        self.repeats = np.zeros((n_c, 4))          # repeats since the last review
        self.rate = np.ones((n_c, 4))              # what is left of each kind's rate
        self.factor = np.ones((m.households.n, 4))  # the same, per household

    def attach(self) -> None:
        m = self.model
        m.book.on_repeat = self._count
        m.households.rate_terms[self.name] = self.factor

    def tasks(self) -> Iterable[tuple[str, Task]]:
        d = self.p.review_days
        yield "overdue grievance", Task(
            "periodic processes", "root-cause review",
            "repeated complaints analysed; their causes fixed (治未病)", self.odd,
            every(d, d - 1), self._review)

    def _count(self, issue: Issue) -> None:
        self.repeats[self.model.households.compound[issue.household], issue.kind] += 1

    def _review(self, day: int) -> None:
        m = self.model
        p = self.p
        hh = m.households
        occ = np.bincount(hh.compound[hh.occupied], minlength=len(self.rate)).astype(float)
        share = self.repeats / np.maximum(occ, 1.0)[:, None]
        cut = p.effectiveness * -np.expm1(-share / p.share_scale)
        self.rate = p.floor + (self.rate - p.floor).clip(0) * (1.0 - cut)
        self.rate += (1.0 - self.rate) * min(1.0, p.relapse_per_year * p.review_days / 365.0)
        self.factor[:] = self.rate[hh.compound]
        self.repeats[:] = 0.0
        self.reviews += 1
