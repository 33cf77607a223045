"""Owners' committees 业委会: weak or nominal in many compounds [004].

A functional owners' committee is what lets the tripartite body (branch + committee + firm)
work on property disputes [002]; commercial estates have one more often than old compounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


class OwnersCommittee(mesa.Agent):
    """The owners' committee of one compound; ``functional`` if it actually meets."""

    def __init__(self, model: CommunityModel, compound: int, functional: bool) -> None:
        super().__init__(model)
        self.compound = compound
        self.functional = functional
