"""The declared day (issue 10, item 2): ``step`` runs the plan and only the plan, each task on
its cadence; ``run.py schedule`` prints it; the ODD's table is generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from commgov.experiments.cli import main
from commgov.model.community import CommunityModel
from commgov.model.schedule import PHASES, SCHEDULE_END, SCHEDULE_START, DayPlan, Task, every
from commgov.scenarios.reference import schedule_block

ROOT = Path(__file__).resolve().parents[1]
TINY = {"graph__households_per_community": 300, "graph__grids_per_community": 1,
        "graph__compounds_per_community": 2}


def _counting(model: CommunityModel) -> dict[str, list[int]]:
    """Wrap every task so the days it ran on are recorded."""
    seen: dict[str, list[int]] = {t.name: [] for t in model.day_plan.tasks}

    def wrap(t: Task) -> Task:
        def run(day: int) -> None:
            seen[t.name].append(day)
            t.run(day)
        return Task(t.phase, t.name, t.what, t.odd, t.cadence, run)
    model.day_plan = DayPlan([wrap(t) for t in model.day_plan.tasks])
    return seen


def test_step_runs_each_task_on_its_cadence():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, party__activity_days=7,
                       issues__heating_start_day=20, issues__heating_end_day=50, **TINY)
    seen = _counting(m)
    m.run_for(61)
    assert seen["new issues"] == list(range(61))
    assert seen["record"] == list(range(61))
    assert seen["branch activities"] == list(range(0, 61, 7))     # --set cadence honoured
    assert seen["deliberations"] == [15, 45]
    assert seen["fees"] == [29, 59]
    assert seen["moves"] == [30, 60]
    assert seen["trust diffusion"] == list(range(6, 61, 7))
    assert seen["winter tide arrives"] == [19] and seen["winter tide leaves"] == [49]
    assert m.day == 61


def test_step_runs_nothing_but_the_plan():
    m = CommunityModel(scenario="baseline", rng=0, collect=False, **TINY)
    ran = []
    m.day_plan = DayPlan([Task("observation", "only", "", "", every(1),
                               lambda day: ran.append(day))])
    reported = m.book.counters.arisen
    for _ in range(3):
        m.step()
    assert ran == [0, 0, 0]                      # nothing else ran: not even the day counter
    assert m.book.counters.arisen == reported


def test_tasks_are_declared_in_phase_order():
    a = Task("observation", "a", "", "", every(1), lambda day: None)
    b = Task("calendar", "b", "", "", every(1), lambda day: None)
    with pytest.raises(ValueError, match="order"):
        DayPlan([a, b])
    with pytest.raises(ValueError):
        DayPlan([Task("lunch", "c", "", "", every(1), lambda day: None)])


def test_schedule_command_prints_every_phase_and_follows_overrides(capsys):
    assert main(["schedule", "--set", "party.activity_days=9"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    heads = [ln for ln in lines if ln[:1].isdigit()]
    assert heads == [f"{i}. {p}" for i, (p, _) in enumerate(PHASES, 1)]
    assert "day mod 9 = 0" in out
    assert main(["schedule", "nope"]) == 2
    assert "Unknown scenario 'nope'" in capsys.readouterr().err


def test_odd_process_table_is_current():
    odd = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert SCHEDULE_START in odd and SCHEDULE_END in odd
    assert schedule_block() in odd, "ODD section 3 is stale: run `python run.py docs`"


def test_one_handler_base_and_one_logistic():
    """Everything that receives cases shares ``CaseHandler``; the logistic link is written
    once (issue 10, item 4)."""
    import inspect

    import commgov.agents as agents_pkg
    from commgov.agents.party_branch import TripartiteBody
    from commgov.model.lifecycle import CaseHandler

    receivers = [c for _, c in inspect.getmembers(agents_pkg, inspect.isclass)
                 if hasattr(c, "receive")] + [TripartiteBody]
    assert len(receivers) >= 6
    for cls in receivers:
        assert issubclass(cls, CaseHandler), cls.__name__
    sources = [p for d in ("model", "agents") for p in (ROOT / d).glob("*.py")]
    links = [p.name for p in sources if "np.exp(-x)" in p.read_text(encoding="utf-8")]
    assert links == ["lifecycle.py"], links
