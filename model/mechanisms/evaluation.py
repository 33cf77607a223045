"""Two deliberations, two evaluations, two disclosures (两议两评两公开) and residents'
evaluation of grid workers [001, 003].

The only module that reads ``evaluation.resident_evaluation``. [001] sets up a chain of
deliberation, evaluation and disclosure (推行“兩議兩評兩公開”議事協調機制,建立“商議—評價—
公開”工作鏈條…及時公開小區重大事項決議、公開落實情況,接受居民監督) so that energy turns
from answering to superiors to serving residents (從“應付領導”轉向“服務居民”); [003]
makes grid workers' assessment external and resident-centred (網格績效評估的外部化是必由之路。
幸福社區建立了以居民為核心的評估監督機制), results recorded and fed back (將結果記錄下來,
並反饋給服務對象,對其所做的工作進行考核).

Every ``period_days`` (first on the day it starts) each grid worker is rated by the mean
trust of the households served, and the ratings are disclosed. Feedback changes effort:
a worker rated r mediates with ``effort_logit`` x 2 x (1 - r) extra log-odds until the
next round (rated low: pushed harder; rated well: eases off), and every worker under
resident evaluation turns ``admin_shift_hours`` a day of paperwork for superiors into field
time. A share ``take_part_share`` of households takes part in a round (one draw per flat,
``evaluation.take_part``) and gains ``disclosure_trust``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from commgov.model.mechanisms.base import Mechanism
from commgov.model.metric import Metric, of_mechanism
from commgov.model.schedule import Cadence, Task
from commgov.scenarios.records import Control, P, Section

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario

TERM = "resident evaluation"


class EvaluationParams(Section):
    """Two deliberations, two evaluations, two disclosures (两议两评两公开) and residents'
    evaluation of grid workers [001, 003]."""

    ODD_SECTION: ClassVar[str] = "evaluation"

    resident_evaluation: bool = P(
        False,
        source="[001, 003]",
        doc="Residents deliberate, evaluate and see results disclosed (两议两评两公开 [001]); "
        "grid workers' performance is assessed by residents (以居民为核心的评估监督机制 "
        "[003]).",
        label=("Resident evaluation (两议两评两公开)", "两议两评两公开"),
        help=(
            "Residents rate their grid workers each quarter; results are made public.",
            "居民定期评议网格员，结果公开。",
        ),
        control=Control("load", "on/off", 6, live=True),
    )
    period_days: int = P(
        90,
        7,
        365,
        unit="days",
        source="[001]",
        doc="Days between evaluation rounds (定期评价 [001]; quarterly assumed).",
    )
    admin_shift_hours: float = P(
        0.5,
        0,
        8,
        unit="hours per day",
        doc="Hours a day of paperwork for superiors a grid worker turns into field time once "
        "residents rate the work (从“应付领导”转向“服务居民” [001]); value assumed.",
    )
    effort_logit: float = P(
        0.3,
        0,
        3,
        unit="log-odds",
        doc="Extra mediation effort of a worker rated at the middle (trust 0.5), scaled by "
        "2 x (1 - rating): workers rated low push harder, those rated well ease off; "
        "assumed.",
    )
    take_part_share: float = P(
        0.2,
        0,
        1,
        unit="share of households",
        doc="Households that take part in a round (representatives, forms, the disclosure "
        "board); assumed.",
    )
    disclosure_trust: float = P(
        0.02,
        0,
        0.2,
        unit="trust",
        source="[001]",
        doc="Trust a taking-part household gains from seeing decisions and their "
        "implementation disclosed (公开落实情况,接受居民监督 [001]); value assumed.",
    )



class ResidentEvaluation(Mechanism):
    """Residents rate their grid workers each round; ratings are public and feed effort."""

    name = "evaluation"
    section = "evaluation"
    params = EvaluationParams
    metrics = (
        Metric("evaluation_rating_mean",
               "Mean of the grid workers' latest resident ratings (mean trust of the households "
               "each serves, 0–1); 0 without resident evaluation [001, 003].",
               of_mechanism("evaluation", lambda x: x.mean_rating()),
               label=("Residents' rating of grid workers", "居民评议网格员得分"),
               help=("mean latest rating of grid workers by residents, 0–100 [003]",
                     "居民对网格员最近一次评议的平均得分，0–100 [003]"),
               unit=("0–1", "0–1"),
               direction=+1, scale="index"),
    )
    odd = "7.29"
    sources = ("001", "003")

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.evaluation.resident_evaluation)

    def costs(self) -> dict[str, float]:
        m = self.model
        return {"resident evaluation": m.neighbourhood.n_communities
                * m.params.costs.evaluation_yuan}

    def start(self) -> None:
        self.since = self.model.day
        self.rating: dict[int, float] = {}      # worker index -> last rating (0..1)
        self.rounds = 0

    def attach(self) -> None:
        for w in self.model.workers:
            self._apply(w.index)

    def _apply(self, index: int) -> None:
        w = self.model.workers[index]
        if w.cadre:      # cadres are rated through the committee, not as grid workers
            return
        w.admin_terms[TERM] = -self.p.admin_shift_hours
        r = self.rating.get(index)
        w.mediation_bonus = 0.0 if r is None else self.p.effort_logit * 2.0 * (1.0 - r)

    def tasks(self) -> Iterable[tuple[str, Task]]:
        n, since = self.p.period_days, self.since
        yield "offices plan", Task(
            "institutions act", "resident evaluation",
            "residents rate grid workers; ratings disclosed, effort follows", "7.29",
            Cadence(f"every {n} days from day {since}",
                    lambda day: day >= since and (day - since) % n == 0),
            self.evaluate)

    def evaluate(self, day: int) -> None:
        """One round: households take part and see the disclosure; workers are rated."""
        m = self.model
        hh = m.households
        take = hh.occupied & (m.streams.daily("evaluation.take_part", day).random(hh.n)
                              < self.p.take_part_share)
        hh.trust[take] = np.minimum(1.0, hh.trust[take] + self.p.disclosure_trust)
        occ = hh.occupied
        n_workers = len(m.workers)
        count = np.bincount(hh.worker[occ], minlength=n_workers)
        total = np.bincount(hh.worker[occ], weights=hh.trust[occ], minlength=n_workers)
        for w in m.workers:
            if count[w.index] > 0:
                self.rating[w.index] = float(total[w.index] / count[w.index])
            self._apply(w.index)
        self.rounds += 1

    def mean_rating(self) -> float:
        return float(np.mean(list(self.rating.values()))) if self.rating else 0.0
