"""One daily metric's record (``Metric``): what it computes and everything said about it.

Apart from ``model/metrics.py`` (the model's core metrics) so a mechanism module can declare
the metrics it contributes (its ``metrics`` class attribute) without importing the model's
metric table, which gathers them (docs/ADDING_A_MECHANISM.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel


Pair = tuple[str, str]          # (English, Chinese)
SCALES: tuple[str, ...] = ("value", "share", "index")
DIRECTIONS: tuple[int, ...] = (-1, 0, 1)


@dataclass(frozen=True)
class Metric:
    """One daily metric: how it is computed and how people are shown it.

    ``label`` names it in the app, report legends and axes; ``help`` is the app's one-line
    hint; ``unit`` is the unit reports print after the label (shares in %). ``direction``:
    +1 higher is better, -1 higher is worse, 0 no judgement (verdicts, arrows, EMA
    outcome kinds). ``scale``: ``"share"`` is a fraction 0–1 shown ×100 as % everywhere;
    ``"index"`` is a 0–1 index the app shows as 0–100 (reports keep 0–1); ``"value"`` is
    shown as it is. ``colour`` is its line in the live chart; ``daily`` marks a one-day
    value that jumps from day to day (the app's A/B comparison uses its last 30 days' mean);
    ``defined_by`` is the count that must be positive before the share means anything.
    """

    name: str
    meaning: str
    fn: Callable[[CommunityModel], float]
    label: Pair = ("", "")
    help: Pair = ("", "")
    unit: Pair = ("", "")
    direction: int = 0
    scale: str = "value"
    colour: str = ""
    daily: bool = False
    defined_by: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"metric {self.name}: direction must be one of {DIRECTIONS}, "
                             f"not {self.direction!r}")
        if self.scale not in SCALES:
            raise ValueError(f"metric {self.name}: scale must be one of {SCALES}, "
                             f"not {self.scale!r}")

    @property
    def percent(self) -> bool:
        """Reports and tables show it ×100 with a % sign (a share)."""
        return self.scale == "share"

    @property
    def hundredfold(self) -> bool:
        """The app shows it ×100: shares in %, 0–1 indices as 0–100."""
        return self.scale in ("share", "index")


def of_mechanism(name: str, value: Callable[[Any], float]) -> Callable[[CommunityModel], float]:
    """A metric read off the active mechanism called ``name``: 0 when it is off, so every
    scenario has the same columns."""
    def fn(m: CommunityModel) -> float:
        mech = m.mechanism(name)
        return float(value(mech)) if mech is not None else 0.0
    return fn
