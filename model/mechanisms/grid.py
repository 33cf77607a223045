"""Grid networks: several narrow grids, or one merged grid (多网合一) [000, 001].

The only module that reads ``grid.merged``.

*Separate grids* (the status quo): besides the community's grid there are several narrow
networks (综治, 警务, 城管, 创城…; ``grid.separate_networks``). Each extra network adds its
ledgers to a grid worker's day (``grid.duplicate_report_hours`` [000, 001]), and an issue
outside a narrow grid's scope (``grid.referral_prob``) is referred to the right network,
costing ``grid.referral_hours`` and ``grid.referral_days`` [001].

*Merged* (一网统管): one network, so no referrals and no duplicate ledgers, but
"社区干部兼任专职网格员,要下沉在小区网格" [000]: every committee cadre spends
``grid.cadre_field_share`` of the day as a grid worker (settling cases with the committee's
authority), which the office loses; hires with the merge (``grid.added_staff``) backfill the
office [000]. The office pulls the cadres back when it cannot cover its work (formalism,
``grid.formalism_share``, in ``CommunityOffice.plan_day``). And "一些专网业务的落实遇到了
困境" [000]: the issues the specialised networks used to take (the same ones a separate grid
would refer: one draw, so the two sides stay paired) take ``1 + grid.specialist_extra_hours
× u`` times the hours and settle with ``grid.specialist_penalty × u`` less log-odds, where u,
the share not yet learnt, starts at 1 and falls by the share of office work covered each day
divided by ``grid.adaptation_days`` ("阵痛需要适应"; a small office that cannot spare anyone
learns slowest, "小社区面临的困难最为明显").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism, Roster
from commgov.model.schedule import DAILY, Task

if TYPE_CHECKING:
    from commgov.agents.grid_worker import GridWorker
    from commgov.model.lifecycle import Issue
    from commgov.scenarios.schema import Scenario

#: The admin term of a grid worker that separate networks add (other mechanisms, such as
#: an integrated platform, may remove it).
DUPLICATE_LEDGERS = "grid.duplicate_ledgers"


@dataclass(frozen=True)
class Referral:
    """Referral between separate networks: chance an issue is out of scope, its cost."""

    prob: float
    hours: float
    days: int


class SpecialisedWork:
    """A merged grid worker's hook: extra hours and lost log-odds on the issues a
    specialised network used to take, while the community has not learnt that work."""

    def __init__(self, mechanism: GridNetworks) -> None:
        self.model = mechanism.model
        self.p = mechanism.p

    def terms(self, worker: GridWorker, issue: Issue) -> tuple[float, float]:
        """(factor on the case's hours, penalty in log-odds) for this issue."""
        u = self.model.offices[worker.community].unlearnt
        if u > 0 and self.model.streams.keyed_id("grid.referral", issue.id) < self.p.referral_prob:
            return 1.0 + self.p.specialist_extra_hours * u, self.p.specialist_penalty * u
        return 1.0, 0.0


class GridNetworks(Mechanism):
    """Separate narrow grids (referrals, duplicate ledgers) or one merged grid (多网合一)."""

    name = "grid"
    section = "grid"
    odd = "7.7"
    sources = ("000", "001")

    def merged(self) -> bool:
        return bool(self.p.merged)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return True          # every scenario has grids: separate or merged

    def contribute(self, roster: Roster) -> None:
        if self.merged():
            roster.office_backfill += self.p.added_staff     # hires backfill the office
            roster.cadre_field_share = self.p.cadre_field_share

    def costs(self) -> dict[str, float]:
        m = self.model
        cadres = sum(1 for w in m.workers if w.cadre)
        return {"merge allowance": cadres * m.params.costs.merge_allowance_yuan} \
            if cadres else {}

    def start(self) -> None:
        self._merged_from: int | None = None

    def attach(self) -> None:
        m = self.model
        # A merge (at build or mid-run: a timeline) starts with everything to learn.
        if self.merged() and self._merged_from is None:
            self._merged_from = m.day
            for office in m.offices:
                office.unlearnt = 1.0
        elif not self.merged() and self._merged_from is not None:
            self._merged_from = None
            for office in m.offices:
                office.unlearnt = 0.0
        if self.merged():
            hook = SpecialisedWork(self)
            for w in m.workers:
                w.case_terms = hook
            return
        ledgers = (self.p.separate_networks - 1) * self.p.duplicate_report_hours
        referral = Referral(self.p.referral_prob, self.p.referral_hours, self.p.referral_days) \
            if self.p.referral_prob > 0 else None
        for w in m.workers:
            w.admin_terms[DUPLICATE_LEDGERS] = ledgers
            w.referral = referral

    def tasks(self) -> Iterable[tuple[str, Task]]:
        if self.merged():
            yield "offices plan", Task(
                "institutions act", "merge adaptation",
                "merged staff learn the specialised networks' work in spare office hours",
                "7.8", DAILY, self._adapt)

    def _adapt(self, day: int) -> None:
        for office in self.model.offices:
            if office.unlearnt > 0:
                office.unlearnt *= math.exp(-(1.0 - office.uncovered_share)
                                            / self.p.adaptation_days)
