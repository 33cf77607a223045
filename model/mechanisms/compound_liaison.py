"""One compound, one liaison 一小区一专员: regular visits find silent matters early [002].

The only module that reads ``compound_liaison.appointed``. [002] (Hangzhou): "通过推行“一小区
一专员”制度，实现了对居民的常态走访与联系，充分发挥专员在协调三方关系、管理网格事务及服务群众
方面的作用". Each compound's liaison visits ``visits_per_week`` of its occupied households a
week, spread evenly over the days and households (a flat is visited with chance visits a day
/ occupied flats, by the day's per-flat draw, so a large compound is visited more thinly).
A visit adds ``trust_visit`` of trust (常态走访与联系), and in a household that kept a matter
to itself (``Households.silent_kind``, at most ``memory_days`` old) it brings the matter to
light with chance ``find_prob``: reported that day. Found within ``grow_days`` it is as
small as it began; found later it has grown one step (small → big → hard) — the point of
going early. A matter that is not hard (nor a property one) the liaison settles on the spot
with chance ``settle_prob`` (专员…管理网格事务及服务群众); the rest go to the grid worker (or
the firm). What the liaison does for the tripartite body [002] is left to the tripartite mechanism.

Streams: ``compound_liaison.visit`` (one draw per flat and day), ``compound_liaison.find``
(per visited flat and day), ``compound_liaison.settle`` (per case).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.model.lifecycle import COMPOUND, HARD, PROPERTY
from commgov.model.mechanisms.base import Mechanism
from commgov.model.schedule import DAILY, Task
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class CompoundLiaisonParams(Section):
    """One compound, one liaison 一小区一专员 [002]: regular visits find silent matters early."""

    ODD_SECTION: ClassVar[str] = "compound_liaison"

    appointed: bool = P(
        False,
        source="[002]",
        doc="Every compound has a liaison who visits residents regularly (推行“一小区一专员”"
        "制度，实现了对居民的常态走访与联系 [002]).",
        label=("One compound, one liaison (一小区一专员)", "一小区一专员"),
        help=("A liaison per compound visits residents and finds unreported matters.",
              "每个小区一名专员常态走访，发现未反映的问题。"),
        control=Control("grid", "on/off", 6, live=True),
    )
    visits_per_week: float = P(
        20.0, 0, 500, unit="households per compound per week",
        doc="Households a liaison visits in a week (about 4 a working day: the liaison also "
        "coordinates the three parties and runs grid affairs [002]); assumed.")
    find_prob: float = P(
        0.7, 0, 1, unit="probability",
        doc="Chance a visit brings a household's unreported matter to light; assumed.")
    settle_prob: float = P(
        0.5, 0, 1, unit="probability",
        doc="Chance the liaison settles a found matter that is not hard (nor a property one) "
        "on the spot rather than passing it to the grid worker (专员…管理网格事务及服务群众 "
        "[002]); assumed.")
    grow_days: int = P(
        14, 0, 365, unit="days",
        doc="A matter left silent longer than this has grown one step (small → big → hard) by "
        "the time it is found; assumed.")
    trust_visit: float = P(
        0.005, 0, 0.5, unit="trust",
        doc="Trust gained per visit (常态走访与联系 [002]); assumed equal to a grid worker's "
        "visit (trust.visit).")
    memory_days: int = P(
        90, 1, 3650, unit="days",
        doc="A matter kept silent longer than this is no longer brought up; assumed.")



class CompoundLiaison(Mechanism):
    """A liaison per compound visits residents and finds unreported matters early."""

    name = "compound_liaison"
    section = "compound_liaison"
    params = CompoundLiaisonParams
    odd = "7.25"
    sources = ("002",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.compound_liaison.appointed)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"compound liaisons": m.neighbourhood.n_compounds * m.params.costs.liaison_yuan}

    def tasks(self) -> Iterable[tuple[str, Task]]:
        yield "office requests", Task(
            "institutions act", "liaison visits",
            "compound liaisons visit households; silent matters come to light", "7.25",
            DAILY, self.visit)

    def visit(self, day: int) -> None:
        m = self.model
        p = self.p
        hh = m.households
        occ = np.bincount(hh.compound[hh.occupied], minlength=m.neighbourhood.n_compounds)
        per_flat = np.minimum(1.0, np.divide(p.visits_per_week / 7.0, occ,
                                             out=np.zeros(len(occ)), where=occ > 0))
        u = m.streams.daily("compound_liaison.visit", day).random(hh.n)
        visited = np.flatnonzero(hh.occupied & (u < per_flat[hh.compound]))
        if not len(visited):
            return
        hh.trust[visited] = np.minimum(1.0, hh.trust[visited] + p.trust_visit)
        quiet = visited[(hh.silent_kind[visited] >= 0) & ~hh.open_issue[visited]
                        & (day - hh.silent_day[visited] <= p.memory_days)]
        if not len(quiet):
            return
        found = quiet[m.streams.keyed_array("compound_liaison.find", quiet, day) < p.find_prob]
        for h in found.tolist():
            issue = m.book.surface(h, grow=int(day - hh.silent_day[h] > p.grow_days))
            if (issue.handled_day < 0 and issue.difficulty != HARD and issue.kind != PROPERTY
                    and m.streams.keyed_id("compound_liaison.settle", issue.id) < p.settle_prob):
                m.book.handled(issue, COMPOUND)     # on the spot; its queue entry lapses
