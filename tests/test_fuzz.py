"""Property-based tests (Hypothesis): any scenario, override, sweep file or graph file either
works or gets a named error — never a traceback, never nonsense silently accepted, never a
sweep that plans zero runs (issue 12, item 4).

Each outcome is tallied; the module prints the tally at the end (``pytest -s``) and writes it
to ``$COMMGOV_FUZZ_TALLY`` if set. The ``ci`` profile runs a few dozen examples per test;
``HYPOTHESIS_PROFILE=thorough`` and ``-m slow`` run the big sets.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from simhelpers import Tally  # noqa: E402

from commgov.experiments.errors import SweepError  # noqa: E402
from commgov.model.graph import GraphError, Neighbourhood  # noqa: E402
from commgov.scenarios.loader import (  # noqa: E402
    ScenarioError,
    flat_parameters,
    load_scenario,
    parse_set,
)
from commgov.scenarios.schema import Scenario  # noqa: E402

TALLY = Tally("fuzz tally", "inputs", "COMMGOV_FUZZ_TALLY")
tally = TALLY
PARAMS = flat_parameters()
KEYS = sorted(PARAMS)


@pytest.fixture(scope="module", autouse=True)
def report_tally():
    yield
    TALLY.report()


# --------------------------------------------------------------------------------------------
# What "meaningful" means, checked independently of the schema's own validators
# --------------------------------------------------------------------------------------------
def nonsense(s: Scenario) -> list[str]:
    """Every reason a validated scenario would still be nonsense (should be empty)."""
    out = []
    data = s.model_dump()
    for key, info in PARAMS.items():
        v: object = data
        for part in key.split("."):
            v = v[part]  # type: ignore[index]
        if isinstance(v, float) and not math.isfinite(v):
            out.append(f"{key} = {v}")
        if isinstance(v, int | float) and not isinstance(v, bool) and (
                (info.ge is not None and v < info.ge) or (info.le is not None and v > info.le)):
            out.append(f"{key} = {v} outside {info.ge}..{info.le}")
    for k, v in data["property"]["initial_quality"].items():
        if not 0 <= v <= 1:
            out.append(f"initial_quality.{k} = {v}")
    for k, v in data["party"]["owners_committee_share"].items():
        if not 0 <= v <= 1:
            out.append(f"owners_committee_share.{k} = {v}")
    for k, v in data["issues"]["kind_multiplier"].items():
        if v < 0:
            out.append(f"kind_multiplier.{k} = {v}")
    for k, v in data["issues"]["deadline_days"].items():
        if not float(v).is_integer() or v < 0:
            out.append(f"deadline_days.{k} = {v}")
    for k, v in data["workers"]["hours_per_case"].items():
        if v <= 0:
            out.append(f"hours_per_case.{k} = {v}")
    if s.issues.heating_start_day == s.issues.heating_end_day:
        out.append("heating season of no length")
    if s.property.quality_floor > s.property.quality_ceiling:
        out.append("quality floor above ceiling")
    if s.workers.admin_hours > s.staff.hours_per_day:
        out.append("admin hours above the working day")
    if s.staff.households_per_worker == 0 and s.staff.grid_post_share <= 0:
        out.append("no grid posts")
    for f in (s.graph.file, s.graph.node_table):
        if "\x00" in f:
            out.append("NUL in a path")
    return out


def check_scenario(kind: str, fn) -> None:
    """Run ``fn``; a ScenarioError must name something; a result must be meaningful."""
    try:
        loaded = fn()
    except ScenarioError as e:
        msg = str(e)
        assert msg and "Traceback" not in msg
        tally(kind, "named error")
        return
    problems = nonsense(loaded.scenario)
    if problems:
        tally(kind, "SILENT ACCEPTANCE")
    assert not problems, f"accepted nonsense: {problems}"
    tally(kind, "valid")


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------
scalars = st.one_of(
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2, max_value=400),
    st.sampled_from([0, 1, 0.0, 0.5, 1.0, -1, 365, 366, 1.5, 2.5, 1e308]),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(["", "\x00", "a\x00b", "x" * 5000, "../../etc/passwd", "baseline"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)


def nearby(info) -> st.SearchStrategy:
    """Values at and around a parameter's bounds (where validation has to decide)."""
    lo = info.ge if info.ge is not None else -100
    hi = info.le if info.le is not None else 100
    if info.type == "int":
        return st.one_of(st.integers(int(lo) - 2, int(hi) + 2), st.floats(lo - 1, hi + 1))
    if info.type == "float":
        return st.one_of(st.floats(lo - 1, hi + 1), st.sampled_from([lo, hi, 0.0]),
                         st.integers(int(lo) - 1, int(hi) + 1))
    return values


@st.composite
def overrides(draw) -> dict:
    n = draw(st.integers(1, 5))
    out = {}
    for _ in range(n):
        if draw(st.integers(0, 9)) == 0:      # now and then a key that is not a parameter
            key = draw(st.one_of(st.text(max_size=30), st.sampled_from(
                ["graph", "issues.deadline_days", "staff.per_10k_residents.x", "extends",
                 "a..b", "name", "graph__file"])))
        else:
            key = draw(st.sampled_from(KEYS))
        info = PARAMS.get(key)
        out[key] = draw(nearby(info) if info is not None and draw(st.booleans()) else values)
    return out


# --------------------------------------------------------------------------------------------
# Scenarios and overrides
# --------------------------------------------------------------------------------------------
@given(overrides())
def test_any_overrides_load_or_get_a_named_error(ov):
    check_scenario("schema (overrides)", lambda: load_scenario("baseline", ov))


@given(st.dictionaries(st.sampled_from(["property", "issues", "staff", "workers", "graph"]),
                       st.dictionaries(st.sampled_from(
                           ["quality_floor", "quality_ceiling", "heating_start_day",
                            "heating_end_day", "grid_post_share", "admin_hours",
                            "households_per_worker", "initial_quality", "deadline_days",
                            "hours_per_case", "kind_multiplier", "file"]),
                           values, max_size=4), max_size=3))
def test_any_section_tables_load_or_get_a_named_error(tables):
    ov = {f"{sec}.{k}": v for sec, tab in tables.items() for k, v in tab.items()}
    check_scenario("schema (cross-field)", lambda: load_scenario("baseline", ov))


def toml_text() -> st.SearchStrategy[str]:
    line = st.one_of(
        st.sampled_from(["[graph]", "[issues]", "[property]", "[workers]", "[staff]",
                         "[issues.deadline_days]", "[property.initial_quality]",
                         "[[x]]", "extends = \"baseline\"", "extends = \"nope\"",
                         "extends = \"/etc/passwd\"", "name = 3", "a = " + "[" * 300,
                         "b = " + "[" * 60 + "]" * 60, "c = {d = {e = {f = 1}}}"]),
        st.builds(lambda k, v: f"{k.split('.')[-1]} = {v}", st.sampled_from(KEYS),
                  st.sampled_from(["1", "-1", "0", "1.5", "nan", "inf", "-inf", "true",
                                   "\"x\"", "[]", "{}", "1e999", "\"\\u0000\"", "365"])),
        st.text(max_size=30),
    )
    return st.lists(line, max_size=8).map("\n".join)


@given(toml_text())
def test_any_scenario_file_loads_or_gets_a_named_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("scn") / "fuzz.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if "\ud800" not in text \
        else path.write_bytes(text.encode("utf-8", "replace"))
    check_scenario("scenario files", lambda: load_scenario(path))


@given(st.lists(st.text(max_size=40), min_size=1, max_size=4))
def test_any_set_options_load_or_get_a_named_error(items):
    def go():
        return load_scenario("baseline", parse_set(items))
    check_scenario("--set options", go)


@given(st.lists(st.builds(lambda k, v: f"{k}={v}", st.sampled_from(KEYS), st.sampled_from(
    ["-1", "0", "0.0", "1", "1.5", "nan", "inf", "true", "\"x\"", "[1, 2]", "{a = 1}",
     "100000000", "0.5", "365", "\"\\u0000\""])), min_size=1, max_size=4))
def test_any_typed_set_options_load_or_get_a_named_error(items):
    check_scenario("--set options", lambda: load_scenario("baseline", parse_set(items)))


# --------------------------------------------------------------------------------------------
# Sweep files
# --------------------------------------------------------------------------------------------
SWEEP_KEYS = ["staff.per_10k_residents", "graph.grids_per_community", "workers.admin_hours",
              "grid.merged", "graph.households_per_community", "nope.key"]


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) \
            else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"


small_numbers = st.one_of(st.integers(-3, 60), st.floats(-3, 60, allow_nan=False),
                          st.sampled_from([float("nan"), float("inf"), 0.5, 2.0]))


@st.composite
def sweep_texts(draw) -> str:
    valid = draw(st.integers(0, 3)) > 0            # three in four start from a sane header
    names = ["s"] if valid else ["s", "../../x", "", "a b", "ok"]
    scen = st.lists(st.sampled_from(["baseline", "grid_merge", "red_property"]), min_size=1,
                    max_size=3, unique=True) if valid else st.lists(st.sampled_from(
                        ["baseline", "grid_merge", "basline", "red_property"]), max_size=3)
    reps = st.integers(1, 3) if valid else st.one_of(st.integers(-1, 3), small_numbers)
    days = st.integers(1, 5) if valid else st.one_of(st.integers(-1, 5), st.just(10**9))
    lines = [f"name = {toml_value(draw(st.sampled_from(names)))}",
             f"scenarios = {toml_value(draw(scen))}",
             f"replications = {toml_value(draw(reps))}", f"days = {toml_value(draw(days))}"]
    if draw(st.booleans()):
        lines.append(f"record_every = {draw(st.integers(-1, 3))}")
    lines += ['[set]', '"graph.households_per_community" = 200',
              '"graph.compounds_per_community" = 2', '"graph.grids_per_community" = 1']
    mode = draw(st.sampled_from(["none", "vary", "vary", "design", "both"]))
    if mode in ("vary", "both"):
        lines.append("[vary]")
        for key in draw(st.lists(st.sampled_from(SWEEP_KEYS), max_size=2, unique=True)):
            if key == "grid.merged":
                v = draw(st.lists(st.one_of(st.booleans(), small_numbers), max_size=3))
            elif draw(st.booleans()):
                v = draw(st.lists(st.one_of(st.integers(1, 40), small_numbers), max_size=3))
            else:
                v = {"from": draw(small_numbers), "to": draw(small_numbers),
                     "step": draw(st.one_of(small_numbers, st.just(1e-9)))}
            lines.append(f'"{key}" = {toml_value(v)}')
    if mode in ("design", "both"):
        method = draw(st.sampled_from(["latin", "sobol", "morris", "x"]))
        lines += ["[design]", f'method = "{method}"',
                  f"samples = {draw(st.integers(-1, 9))}", "[design.parameters]"]
        for key in draw(st.lists(st.sampled_from(SWEEP_KEYS[:3]), max_size=2, unique=True)):
            lo, hi = draw(small_numbers), draw(small_numbers)
            lines.append(f'"{key}" = {toml_value([lo, hi])}')
    return "\n".join(lines) + "\n"


@given(sweep_texts())
def test_any_sweep_file_plans_runs_or_gets_a_named_error(tmp_path_factory, text):
    from commgov.experiments.sweep import load_sweep

    path = tmp_path_factory.mktemp("sw") / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    try:
        sw = load_sweep(path)
    except SweepError as e:
        assert "fuzz.toml" in str(e)
        tally("sweep designs", "named error")
        return
    n = len(sw.scenarios) * len(sw.design) * sw.spec.replications
    ok = len(sw.runs) == n > 0 and len({r.run_id for r in sw.runs}) == n
    if ok and sw.spec.vary:
        ok = not sw.design.duplicated().any()
    tally("sweep designs", "valid" if ok else "SILENT ACCEPTANCE")
    assert ok, f"planned {len(sw.runs)} runs (expected {n} > 0, unique, no repeated points)"


# --------------------------------------------------------------------------------------------
# Graph files
# --------------------------------------------------------------------------------------------
cell = st.one_of(st.sampled_from(["", "a", "b", "1", "2", "old", "commercial", "resettlement",
                                  "OLD", "nan", "c1", "g1", " ", "\x00", "é"]),
                 st.integers(-2, 3).map(str))


@st.composite
def planned_street(draw) -> tuple[list[str], list[list[str]], list[tuple[str, str]]]:
    """A consistent node table (households in buildings in compounds in grids), then maybe
    one planner's mistake: a blank cell, a compound split across grids, an unknown kind, a
    repeated node, an edge to nowhere."""
    cols = ["node", "building", "compound", "grid", "community", "compound_kind"]
    n = draw(st.integers(1, 40))
    rows = []
    for i in range(n):
        b = i // draw(st.integers(2, 8))
        c = b // 2
        rows.append([f"h{i}", f"b{b}", f"c{c}", f"g{c // 3}", "k1",
                     ("old", "commercial", "resettlement")[c % 3]])
    edges = [(f"h{draw(st.integers(0, n - 1))}", f"h{draw(st.integers(0, n - 1))}")
             for _ in range(draw(st.integers(0, 3 * n)))]
    mistake = draw(st.sampled_from(["none", "none", "none", "blank", "split", "kind", "dup",
                                    "dangling"]))
    i = draw(st.integers(0, n - 1))
    if mistake == "blank":
        rows[i][draw(st.integers(1, 5))] = ""
    elif mistake == "split":
        rows[i][3] = "g_other"
    elif mistake == "kind":
        rows[i][5] = "castle"
    elif mistake == "dup":
        rows.append(list(rows[i]))
    elif mistake == "dangling":
        edges.append((f"h{i}", "nobody"))
    return cols, rows, edges


@st.composite
def edge_lists(draw) -> tuple[str, str]:
    if draw(st.booleans()):
        cols, rows, erows = draw(planned_street())
        return (",".join(cols) + "\n" + "\n".join(",".join(r) for r in rows),
                "source,target\n" + "\n".join(f"{a},{b}" for a, b in erows))
    cols = draw(st.sampled_from([["node", "building", "compound", "grid", "community",
                                  "compound_kind"]] * 4 + [["node", "grid"], ["x", "y"]]))
    rows = draw(st.lists(st.lists(cell, min_size=len(cols), max_size=len(cols)),
                         max_size=12))
    nodes = ",".join(cols) + "\n" + "\n".join(",".join(r) for r in rows)
    ecols = draw(st.sampled_from(["source,target"] * 3 + ["a,b", ""]))
    erows = draw(st.lists(st.tuples(cell, cell), max_size=12))
    edges = ecols + "\n" + "\n".join(f"{a},{b}" for a, b in erows)
    return nodes, edges


def check_graph(kind: str, scenario_text: str, folder: Path) -> None:
    from commgov.experiments.runner import check_graph as validate_graph
    from commgov.model.community import CommunityModel

    (folder / "g.toml").write_text(scenario_text, encoding="utf-8")
    try:
        loaded = load_scenario(folder / "g.toml")
        validate_graph(loaded)
        model = CommunityModel(scenario=loaded, rng=0)
        model.run_for(3)
    except (GraphError, ScenarioError) as e:
        assert str(e)
        tally(kind, "named error")
        return
    nb: Neighbourhood = model.neighbourhood
    ok = nb.n_households > 0 and bool(np.all(nb.compound >= 0))
    tally(kind, "valid" if ok else "SILENT ACCEPTANCE")
    assert ok


@given(edge_lists())
def test_any_edge_list_builds_or_gets_a_named_error(tmp_path_factory, tables):
    folder = tmp_path_factory.mktemp("g")
    nodes, edges = tables
    (folder / "nodes.csv").write_text(nodes, encoding="utf-8")
    (folder / "edges.csv").write_text(edges, encoding="utf-8")
    check_graph("graph files (edge list)",
                '[graph]\nfile = "edges.csv"\nnode_table = "nodes.csv"\n', folder)


@st.composite
def graphmls(draw) -> str:
    if draw(st.booleans()):
        cols, rows, erows = draw(planned_street())
        keys = "".join(f'<key id="{a}" for="node" attr.name="{a}" attr.type="string"/>'
                       for a in cols[1:])
        nodes = "".join(f'<node id="{r[0]}">' + "".join(
            f'<data key="{a}">{v}</data>' for a, v in zip(cols[1:], r[1:], strict=True))
            + "</node>" for r in rows)
        edges = "".join(f'<edge source="{a}" target="{b}"/>' for a, b in erows)
        return (f'<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/'
                f'xmlns">{keys}<graph edgedefault="undirected">{nodes}{edges}</graph>'
                f'</graphml>')
    keys = "".join(f'<key id="{a}" for="node" attr.name="{a}" attr.type="string"/>'
                   for a in draw(st.lists(st.sampled_from(
                       ["building", "compound", "grid", "community", "compound_kind"]),
                       unique=True, max_size=5)))
    nodes = []
    for i in range(draw(st.integers(0, 6))):
        data = "".join(f'<data key="{a}">{draw(cell).replace(chr(0), "")}</data>'
                       for a in draw(st.lists(st.sampled_from(
                           ["building", "compound", "grid", "community", "compound_kind"]),
                           unique=True, max_size=5)))
        nodes.append(f'<node id="n{draw(st.integers(0, 6)) if draw(st.booleans()) else i}">'
                     f'{data}</node>')
    edges = "".join(f'<edge source="n{a}" target="n{b}"/>' for a, b in draw(st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=6)))
    body = (f'<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            f'{keys}<graph edgedefault="undirected">{"".join(nodes)}{edges}</graph></graphml>')
    cut = draw(st.integers(0, len(body) + 5))
    return body if draw(st.booleans()) else body[:cut]


@given(graphmls())
def test_any_graphml_builds_or_gets_a_named_error(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("g")
    (folder / "g.graphml").write_text(text, encoding="utf-8")
    check_graph("graph files (GraphML)", '[graph]\nfile = "g.graphml"\n', folder)


@pytest.mark.slow
@hypothesis.settings(max_examples=400)
@given(overrides())
def test_many_overrides(ov):
    check_scenario("schema (overrides)", lambda: load_scenario("baseline", ov))
