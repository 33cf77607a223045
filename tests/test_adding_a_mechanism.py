"""Adding a mechanism touches its module, a scenario file and a test (issue 10).

The test adds a mechanism the project does not have — a weekly notice board (公示栏) where
the community posts what it did, so residents who read it trust it a little more — as one
module in a folder outside the package, plus one scenario file, and checks in a fresh
interpreter that everything else follows from the module alone: the scenario schema gains
its section (defaults, ranges, named errors), its switch is a lever record, its metric is a
DataCollector column, its task is in the declared day (`run.py schedule`), PARAMETERS.md and
the ODD get its records and submodel, and a scenario that leaves it off runs exactly as
before (it draws nothing and moves no other draw).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

MODULE = '''
"""Weekly notice board 公示栏: the community posts what it did (an illustration for the
guide, not a policy of the papers)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from commgov.model.mechanisms.base import Mechanism
from commgov.model.metric import Metric, of_mechanism
from commgov.model.schedule import Task, every
from commgov.scenarios.records import Control, P, Section


class NoticeBoardParams(Section):
    """A weekly notice board in every compound."""

    ODD_SECTION: ClassVar[str] = "notice_board"

    posted: bool = P(False, source="[001]", doc="A notice board is kept up to date.",
                     label=("Notice board", "公示栏"),
                     help=("The community posts what it did each week.", "社区每周公示工作。"),
                     control=Control("party", "on/off", 99))
    read_share: float = P(0.2, 0, 1, unit="share per week",
                          doc="Chance a household reads the board in a week; assumed.")
    trust_gain: float = P(0.01, 0, 0.5, unit="trust",
                          doc="Trust a reader gains; assumed.")


class NoticeBoard(Mechanism):
    """Residents read the weekly notice board and trust the community a little more."""

    name = "notice_board"
    section = "notice_board"
    params = NoticeBoardParams
    metrics = (Metric("notice_readers_total", "Households that read the notice board, "
                      "cumulative; 0 without one.",
                      of_mechanism("notice_board", lambda x: x.readers),
                      label=("Notice board readers", "公示栏阅读户数"),
                      help=("cumulative readers", "累计阅读户数"), unit=("households", "户"),
                      direction=+1),)
    odd = "7.99"
    sources = ("001",)

    @classmethod
    def active(cls, params) -> bool:
        return bool(params.notice_board.posted)

    def start(self) -> None:
        self.readers = 0

    def tasks(self):
        yield "offices plan", Task("institutions act", "notice board",
                                   "households read the weekly notice board", "7.99",
                                   every(7, 1), self.read)

    def read(self, day: int) -> None:
        hh = self.model.households
        u = self.model.streams.daily("notice_board.read", day).random(hh.n)
        hit = np.flatnonzero(hh.occupied & (u < self.p.read_share))
        hh.trust[hit] = np.minimum(1.0, hh.trust[hit] + self.p.trust_gain)
        self.readers += len(hit)
'''

SCENARIO = '''
name = "notice_board"
title = "Notice board"
title_zh = "公示栏"
description = "A weekly notice board in every compound."
description_zh = "每个小区每周公示。"

[notice_board]
posted = true
'''

PROBE = '''
import importlib.util, json, sys
extra, scenario, with_module = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if with_module:     # the package's folder plus one more: as if the module were added there
    spec = importlib.util.find_spec("commgov.model.mechanisms")
    spec.submodule_search_locations.append(extra)
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = pkg
    spec.loader.exec_module(pkg)
from commgov.model.community import CommunityModel
from commgov.scenarios.loader import ScenarioError, flat_parameters, load_scenario
TINY = {"graph.households_per_community": 300, "graph.grids_per_community": 1,
        "graph.compounds_per_community": 2}
out = {}
base = CommunityModel(scenario=load_scenario("baseline", TINY), rng=3)
base.run_for(60)
out["baseline"] = base.datacollector.get_model_vars_dataframe().drop(
    columns=["notice_readers_total"], errors="ignore").to_dict("list")
if with_module:
    import io, contextlib
    from commgov.experiments.cli import main
    from commgov.experiments.validate import MECHANISMS_END, MECHANISMS_START, render_odd
    from commgov.scenarios.reference import render_parameters
    from commgov.scenarios.schema import SECTIONS, Scenario
    from commgov.viz.levers import LEVERS
    out["sections"] = list(SECTIONS)
    out["default"] = Scenario().notice_board.model_dump()
    rec = flat_parameters()["notice_board.trust_gain"]
    out["record"] = [rec.unit, rec.ge, rec.le, rec.odd]
    out["lever"] = [lv.key for lv in LEVERS if lv.key.startswith("notice_board.")]
    try:
        load_scenario(scenario, {"notice_board.trust_gain": 7})
    except ScenarioError as e:
        out["error"] = str(e)
    on = CommunityModel(scenario=load_scenario(scenario, TINY), rng=3)
    on.run_for(60)
    df = on.datacollector.get_model_vars_dataframe()
    out["readers"] = float(df["notice_readers_total"].iloc[-1])
    out["trust"] = [float(base.households.trust.mean()), float(on.households.trust.mean())]
    out["base_readers"] = float(base.datacollector.get_model_vars_dataframe()[
        "notice_readers_total"].iloc[-1])
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(["schedule", scenario])
    out["schedule"] = buf.getvalue()
    out["parameters_md"] = "notice_board.trust_gain" in render_parameters()
    out["odd"] = render_odd(f"x\\n{MECHANISMS_START}\\n{MECHANISMS_END}\\n")
print(json.dumps(out))
'''


def _probe(tmp: Path, with_module: bool) -> dict:
    extra = tmp / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "notice_board.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    scenario = tmp / "notice_board.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", PROBE, str(extra), str(scenario),
                          "1" if with_module else "0"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_a_mechanism_added_as_one_module_reaches_schema_levers_metrics_day_and_docs(
        tmp_path: Path) -> None:
    got = _probe(tmp_path, with_module=True)
    assert got["sections"][-1] == "notice_board"       # after the core ones, in ODD order
    assert got["default"] == {"posted": False, "read_share": 0.2, "trust_gain": 0.01}
    assert got["record"] == ["trust", 0, 0.5, "notice_board"]
    assert got["lever"] == ["notice_board.posted"]
    assert "notice_board.trust_gain" in got["error"] and "0.5" in got["error"]
    assert "notice board" in got["schedule"] and "notice_board" in got["schedule"]
    assert got["parameters_md"]
    assert "### 7.99 Residents read the weekly notice board" in got["odd"]
    assert "| `notice_board.read_share` | 0.2 |" in got["odd"]
    # It acts: readers counted, trust up; off (the baseline), its column reads 0.
    assert got["readers"] > 0 and got["base_readers"] == 0
    assert got["trust"][1] > got["trust"][0]
    # Off, it changes nothing: the baseline is the same run with or without the module.
    without = _probe(tmp_path, with_module=False)
    assert got["baseline"] == without["baseline"]
