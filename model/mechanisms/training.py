"""Professional training of grid workers 专业培训 [000, 003].

[000] finds grid workers poorly prepared (7.7% certified social workers in Fukang; 经常返工,
cases redone) and asks for professional training. The only module that reads
``workers.training``: it sets each worker's ``trained`` term, which raises skill by
0.25 × training (``GridWorker.skill``: fewer cases redone, better mediation, 7.7), and
costs ``costs.training_yuan`` × training per full-time post a year. A successor after
turnover is trained like the others. Built only when training is above 0; it draws nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class Training(Mechanism):
    """Train grid workers: more skill, fewer cases redone, better mediation."""

    name = "training"
    section = "workers"
    odd = "7.7"
    sources = ("000", "003")

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return params.workers.training > 0

    def attach(self) -> None:
        for w in self.model.workers:
            w.trained = self.p.training

    def costs(self) -> dict[str, float]:
        m = self.model
        fte = m.staffing.grid_fte(m.workers)
        return {"training": self.p.training * fte * m.params.costs.training_yuan}
