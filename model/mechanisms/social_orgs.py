"""Incubated community social organisations (组织孵化器培育下的多样社会组织) [004].

The only module that reads ``social_orgs.incubated``. [004] finds the councils run by
cadres and retirees (参与邻里治理的主要是居委会干部和退休人员,中青年居民参与邻里治理的热情
不高) and the community's own organisations few and weak (社区社会组织的数量不多,活力不足);
it proposes a hub organisation bought in by the government as an incubator
(通过政府购买服务的形式引入专业的平台型枢纽组织作为组织孵化器) that grows sports,
governance, mutual-aid and public-interest organisations (培育文体类、治理类、互助类、公益类等
多样社会组织), so as to draw residents into organised participation
(激发居民参与社区治理的热情,引导居民组织化参与社区公共事务).

Their activities add ``social_orgs.bonus`` log-odds, by household kind, to every decision
to join an activity (7.13): mostly for the working-age kinds whom councils miss, a little
for retirees, who come anyway. The organisations need time to grow: the pull rises
linearly to full over ``incubation_days``. It draws nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.agents.resident import Term
from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import DAILY, Task
from commgov.scenarios.records import HOUSEHOLD_KINDS, Control, P, PerHouseholdKind, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario

TERM = "social organisations"


class SocialOrgParams(Section):
    """Incubated community social organisations (组织孵化器培育下的多样社会组织) [004]."""

    ODD_SECTION: ClassVar[str] = "social_orgs"

    incubated: bool = P(
        False,
        source="[004]",
        doc="A hub organisation bought in by the government (政府购买服务) incubates sports, "
        "mutual-aid, public-interest and governance organisations that draw residents "
        "into activities by shared interests [004].",
        label=("Incubated social organisations (社会组织孵化)", "培育社区社会组织"),
        help=(
            "Interest groups and mutual aid draw in the young and middle-aged.",
            "文体、互助、公益类社会组织吸引中青年居民参与。",
        ),
        control=Control("residents", "on/off", 3, live=True),
    )
    bonus: PerHouseholdKind = P(
        PerHouseholdKind(local=0.6, resettled=0.5, new_resident=0.6, retiree=0.15),
        unit="log-odds",
        source="[004]",
        doc="Pull of the organisations' activities on joining, by household kind, once "
        "incubated: interest groups reach the working-age residents whom councils miss "
        "(中青年居民参与邻里治理的热情不高 [004]); retirees already come. Values assumed.",
        basis={
            "local": "mechanism [004]; value assumed",
            "resettled": "mechanism [004]; value assumed",
            "new_resident": "mechanism [004]; value assumed",
            "retiree": "mechanism [004]; value assumed",
        },
    )
    incubation_days: int = P(
        180,
        0,
        1825,
        unit="days",
        doc="Days for the organisations to grow from the incubator: the pull rises linearly "
        "to full over this time (they are weak and short-lived without help [004]); assumed.",
    )



class SocialOrganisations(Mechanism):
    """Incubated social organisations draw the young and middle-aged into activities."""

    name = "social_orgs"
    section = "social_orgs"
    params = SocialOrgParams
    odd = "7.28"
    sources = ("004",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.social_orgs.incubated)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"social organisations": m.neighbourhood.n_communities
                * m.params.costs.social_org_yuan}

    def start(self) -> None:
        self.since = self.model.day      # the incubator opens today

    def grown(self, day: int) -> float:
        """0..1: how far the organisations have grown since the incubator opened."""
        days = self.p.incubation_days
        return 1.0 if days <= 0 else min(1.0, max(0, day - self.since) / days)

    def attach(self) -> None:
        self._set(self.model.day)

    def _set(self, day: int) -> None:
        full = np.array([getattr(self.p.bonus, k) for k in HOUSEHOLD_KINDS], dtype=np.float64)
        self.model.households.participation_terms[TERM] = Term.by_kind(full * self.grown(day))

    def tasks(self) -> Iterable[tuple[str, Task]]:
        if self.grown(self.model.day) < 1.0:
            yield "", Task("calendar", "social organisations grow",
                           "the incubated organisations' pull on joining rises", "7.28",
                           DAILY, self._set)
