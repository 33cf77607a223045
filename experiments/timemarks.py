"""Where a timed policy starts and ends: marks for before/after charts (issue 11).

A scenario's ``[[timeline]]`` (model/mechanisms/timeline.py) changes levers on given days;
a chart of such a run is read as "before" and "after" the change, so the report's and the
app's time series draw a vertical line with a label on each step's day, and the report
compares the means of the two windows (after a warm-up, so the start-up transient and the
first weeks of adaptation, e.g. the merged staff learning the specialised networks' work
[000], do not stain them). One definition here, read by both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Pair = tuple[str, str]
WORDS: dict[str, Pair] = {
    "start": ("policy starts, day {day}", "政策开始：第 {day} 天"),
    "end": ("policy ends, day {day}", "政策结束：第 {day} 天"),
    "change": ("policy changes, day {day}", "政策调整：第 {day} 天"),
}


@dataclass(frozen=True)
class Mark:
    day: int
    kind: str                        # "start", "end" or "change"
    changes: tuple[tuple[str, Any], ...]

    def label(self, lang: str) -> str:
        en, zh = WORDS[self.kind]
        return (zh if lang == "zh" else en).format(day=self.day)


def _off(value: Any) -> bool:
    return value is False or (isinstance(value, int | float) and not isinstance(value, bool)
                              and value == 0)


def marks(timeline: list[Any]) -> tuple[Mark, ...]:
    """One mark per timeline step, in day order: the first step starts the policy, a step
    that only switches things off (false / 0) ends it, any other later step changes it."""
    out = []
    for i, step in enumerate(sorted(timeline, key=lambda s: s.day)):
        changes = tuple(sorted(step.set.items()))
        kind = ("end" if all(_off(v) for _, v in changes)
                else "start" if i == 0 else "change")
        out.append(Mark(int(step.day), kind, changes))
    return tuple(out)


def scenario_marks(source: Any) -> tuple[Mark, ...]:
    """The marks of a scenario file (a name or path ``load_scenario`` reads); none if it
    cannot be read any more (a report of an old sweep whose file moved)."""
    from commgov.scenarios.loader import ScenarioError, load_scenario

    try:
        return marks(load_scenario(source).scenario.timeline)
    except (ScenarioError, OSError, ValueError):
        return ()


def windows(mark_days: list[int], days: int, warmup: int) -> tuple[tuple[int, int],
                                                                   tuple[int, int]] | None:
    """(before, after) day windows, half-open, around the first mark: before = [warm-up,
    start), after = [start + warm-up, next mark or the end of the run]. None if either is
    empty."""
    if not mark_days:
        return None
    start = mark_days[0]
    stop = mark_days[1] if len(mark_days) > 1 else days + 1
    before = (min(warmup, start), start)
    after = (start + warmup, stop)
    if before[1] <= before[0] or after[1] <= after[0]:
        return None
    return before, after
