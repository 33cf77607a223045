"""One record per parameter (issue 10, item 3): what a parameter is — default, range, unit,
source, meaning, its name in English and Chinese, its lever in the app, its ODD table and the
basis of its value — is declared once, at its field in ``scenarios/schema.py``; the app's
levers and labels, report labels, docs/PARAMETERS.md and the ODD tables are views of it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from simhelpers import compare_operands

from commgov.experiments import labels, validate
from commgov.scenarios.loader import flat_parameters, param_info
from commgov.scenarios.schema import Control, P
from commgov.viz import i18n
from commgov.viz.levers import GROUP_ORDER, LEVER_BY_KEY, LEVERS, Lever, levers_from

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("agents", "experiments", "model", "scenarios", "viz")
HOME = ROOT / "scenarios" / "schema.py"
PARAMS = flat_parameters()
KEYS = frozenset(PARAMS)
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Lists of parameters that are not descriptions of them: the calibration's free parameters
# with their search grid and target patterns (an experiment design, like a sweep file).
ALLOWED: frozenset[tuple[str, str]] = frozenset({("experiments/calibrate.py", "FREE")})


# --------------------------------------------------------------------------------------------
# Every record a lever needs is complete
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lv", LEVERS, ids=lambda lv: lv.key)
def test_every_lever_has_both_labels_a_group_a_unit_and_a_slider_in_range(lv: Lever) -> None:
    info = PARAMS[lv.key]
    for pair in (info.label, info.help):
        en, zh = pair
        assert en.strip() and zh.strip(), (lv.key, pair)
        assert len(CJK.findall(en)) <= 0.4 * len(en), (lv.key, "English is mostly English")
        assert CJK.search(zh), (lv.key, "Chinese has Chinese")
    assert (lv.label, lv.help) == (info.label, info.help)
    assert lv.group in i18n.GROUPS and lv.group in GROUP_ORDER
    assert lv.unit in i18n.UNITS
    assert not lv.disabled_unless or LEVER_BY_KEY[lv.disabled_unless].is_bool
    if not lv.is_bool:
        assert info.ge is None or lv.lo / lv.scale >= info.ge, lv.key
        assert info.le is None or lv.hi / lv.scale <= info.le, lv.key
        assert lv.lo <= lv.to_display(info.default) <= lv.hi, lv.key
        assert lv.step > 0 and lv.lo < lv.hi


def test_every_parameter_has_an_odd_table_that_docs_odd_has() -> None:
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    blocks = set(re.findall(r"<!-- odd-params: ([a-z_]+) -->", text))
    for key, p in PARAMS.items():
        assert p.odd in blocks, f"{key}: ODD table {p.odd!r} is not a block of docs/ODD.md"
    assert set(validate.ODD_SUBMODELS) == blocks


# --------------------------------------------------------------------------------------------
# A bad record is refused where it is written
# --------------------------------------------------------------------------------------------
def test_a_bad_record_is_refused_where_it_is_written() -> None:
    ok = dict(label=("Widgets", "小部件"), help=("Widgets fixed.", "修好的小部件。"))
    P(0.3, 0, 1, control=Control("load", "%", 9, hi=60, step=5, scale=100), **ok)
    with pytest.raises(ValueError, match="inside the range"):      # slider beyond the schema
        P(0.3, 0, 1, control=Control("load", "%", 9, hi=150, step=5, scale=100), **ok)
    with pytest.raises(ValueError, match="hold the default"):       # default off the slider
        P(0.8, 0, 1, control=Control("load", "%", 9, hi=60, step=5, scale=100), **ok)
    with pytest.raises(ValueError, match="needs a label"):
        P(True, control=Control("load", "on/off", 9))
    with pytest.raises(ValueError, match="English, Chinese"):
        P(True, label=("Widgets", ""))
    bad_group = param_info("trust.diffusion", P(0.3, 0, 1, control=Control("nope", "%", 1),
                                                **ok), 0.3)
    with pytest.raises(ValueError, match="lever group 'nope'"):
        levers_from({"trust.diffusion": bad_group})
    same_place = param_info("trust.diffusion", P(True, control=Control("grid", "on/off", 1),
                                                 **ok), True)
    with pytest.raises(ValueError, match="share a place"):
        levers_from({**PARAMS, "trust.diffusion": same_place})


# --------------------------------------------------------------------------------------------
# Nothing is listed twice
# --------------------------------------------------------------------------------------------
def _is_key(node: ast.AST | None, prefixes: bool = False) -> bool:
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    s = node.value
    return s in KEYS or (prefixes and s.endswith((".", "_")) and "." in s
                         and any(k.startswith(s) for k in KEYS))


def _describes(node: ast.AST) -> bool:
    """A value that says something about a parameter: text, a record, or a tuple of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Call):
        return True
    if isinstance(node, ast.Tuple | ast.List):
        return any(map(_describes, node.elts))
    return False


def second_tables(source: str, path: str = "") -> list[str]:
    """Places in ``source`` that describe parameters outside their records: a dict keyed by
    two or more parameter keys holding text or records (a label, help or basis table), a
    list of two or more calls that each take a parameter key first (a table of controls),
    a dict whose values list parameter keys or key prefixes (a membership table such as
    "which parameters the ODD's staffing section lists"), or a comparison with a parameter
    key (a parameter special-cased by name)."""
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and (path, t.id) in ALLOWED for t in targets):
                allowed |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        if isinstance(node, ast.Dict):
            keyed = [v for k, v in zip(node.keys, node.values, strict=True) if _is_key(k)]
            if len(keyed) >= 2 and all(map(_describes, keyed)):
                found.append(f"line {node.lineno}: dict describing parameters by key")
            listing = [v for v in node.values if isinstance(v, ast.Tuple | ast.List | ast.Set)
                       and sum(_is_key(e, prefixes=True) for e in v.elts) >= 1]
            if len(listing) >= 2:
                found.append(f"line {node.lineno}: dict listing parameter keys per entry")
        elif isinstance(node, ast.Tuple | ast.List):
            calls = [e for e in node.elts if isinstance(e, ast.Call) and e.args
                     and _is_key(e.args[0]) and len(e.args) + len(e.keywords) >= 2]
            if len(calls) >= 2:
                found.append(f"line {node.lineno}: table of records keyed by parameter")
        elif isinstance(node, ast.Compare) and any(map(_is_key, compare_operands(node))):
            found.append(f"line {node.lineno}: compares with a parameter key")
    return found


def test_the_scanner_finds_the_old_layout() -> None:
    """The check below can fail: the tables this issue replaced, as they were written."""
    old_levers = '''LEVERS = (
    Lever("grid.merged", "grid", "on/off"),
    Lever("grid.added_staff", "grid", "workers", 0, 10, 1, disabled_unless="grid.merged"),
)'''
    old_words = '''LEVERS = {
    "grid.merged": (("Merge the separate grids into one", "多网合一"), ("…", "…")),
    "council.enabled": (("Neighbourhood councils", "邻里议事会"), ("…", "…")),
}'''
    old_odd = '''ODD_SUBMODELS = {
    "graph": ("graph.",),
    "staffing": ("staff.", "grid.cadre_field_share", "grid.added_staff"),
}'''
    old_basis = '''ODD_BASIS = {
    "staff.per_10k_residents": "paper figure: 18 per 10,000, Shandong standard [001]",
    "workers.certified_share": "paper figure: 7.7% certified [000]",
}'''
    for snippet in (old_levers, old_words, old_odd, old_basis):
        assert second_tables(snippet), snippet
    assert second_tables('x = 100 if key == "workers.training" else 1')
    # settings are not descriptions: overrides, a sweep, one key named in a lesson
    assert not second_tables('o = {"graph.communities": n, "graph.grids_per_community": g}')
    assert not second_tables('o = {"grid.merged": True, "staff.per_10k_residents": 24.5}')
    assert not second_tables('SHOWN = ("grid.merged", "council.enabled")')
    assert not second_tables('o = {"workers.task_access_cut": 0.4}')
    # the allowance is for one named table in one file, not for the file
    free = 'FREE = (F("property.fee_constant", -0.4, 0.8), F("party.activation", 0, 1))'
    assert not second_tables(free, "experiments/calibrate.py")
    assert second_tables(free.replace("FREE", "LABELS"), "experiments/calibrate.py")


def test_no_parameter_is_described_outside_its_record() -> None:
    files = [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py")) if p != HOME]
    files.append(ROOT / "run.py")
    assert len(files) > 40
    problems = {rel: hits for p in files
                if (hits := second_tables(p.read_text(encoding="utf-8"),
                                          rel := p.relative_to(ROOT).as_posix()))}
    assert not problems, ("parameters described outside scenarios/schema.py (declare it at "
                          f"the parameter, with P(..., label=, control=, odd=, basis=)): "
                          f"{problems}")


def test_the_old_tables_are_views_of_the_records() -> None:
    assert {k: (p.label, p.help) for k, p in PARAMS.items() if p.control} == i18n.LEVERS
    assert [lv.key for lv in LEVERS] == [
        "grid.merged", "grid.added_staff", "staff.per_10k_residents",
        "workers.turnover_per_year", "workers.training", "compound_liaison.appointed",
        "couriers.special_grid_workers", "workers.task_access_cut", "platform.integrated",
        "loop.closed_loop", "mediation.mediation_rooms", "root_cause.root_cause_fixes",
        "evaluation.resident_evaluation", "property.red_property", "party.activation",
        "property_rating.star_rating", "secretary_day.held", "building_stewards.organised",
        "participation.volunteer_points", "council.enabled", "social_orgs.incubated",
        "graph.households_per_community", "graph.communities", "population.turnover_per_year",
        "population.newcomer_new_resident_share", "population.winter_tide_share",
        "workers.admin_hours", "privacy.refusal_share"]
    lv = LEVER_BY_KEY["workers.task_access_cut"]
    assert (lv.group, lv.unit, lv.lo, lv.hi, lv.step, lv.scale, lv.live) == \
        ("load", "%", 0, 80, 5, 100, True)
    assert LEVER_BY_KEY["grid.added_staff"].disabled_unless == "grid.merged"
    assert i18n.LEVERS["grid.merged"][0] == ("Merge the separate grids into one (多网合一)",
                                             "多网合一")
    assert labels.param_label("staff__per_10k_residents", "zh") == "每万名居民配备社区工作者"
    assert labels.param_label("trust.diffusion", "en") == "trust.diffusion"
    assert "`workers.training` | Professional training of grid workers / 网格员专业培训 |" in \
        (ROOT / "docs" / "PARAMETERS.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# One record is enough
# --------------------------------------------------------------------------------------------
def test_a_parameter_given_a_lever_appears_as_a_lever_with_its_label(monkeypatch) -> None:
    """Declare lever presentation at a parameter's field: it becomes a lever in its group's
    place, with its words on the page, in reports and in PARAMETERS.md."""
    field = P(0.2, 0, 1, unit="share/day", doc="How fast trust spreads.",
              label=("How fast trust spreads between neighbours", "邻里间信任传播速度"),
              help=("Share of the gap to neighbours closed each day.", "每天缩小的信任差距。"),
              control=Control("residents", "%", 9, hi=60, step=5, scale=100, live=True))
    info = param_info("trust.diffusion", field, 0.2, section_odd="trust")
    assert info.label == ("How fast trust spreads between neighbours", "邻里间信任传播速度")
    assert info.odd == "trust" and info.unit == "share/day"
    params = {**PARAMS, "trust.diffusion": info}

    levers = levers_from(params)
    keys = [lv.key for lv in levers]
    new = levers[keys.index("trust.diffusion")]
    # after the residents' three levers (ranks 1-3), before the context group
    assert keys[keys.index("social_orgs.incubated") + 1] == "trust.diffusion"
    assert new.label[1] == "邻里间信任传播速度" and new.help[0].startswith("Share of the gap")
    assert (new.lo, new.hi, new.step, new.scale, new.live) == (0, 60, 5, 100, True)
    assert new.to_display(0.2) == 20 and new.to_model(35) == pytest.approx(0.35)
    assert len(levers) == len(LEVERS) + 1

    monkeypatch.setattr(labels, "_param_records", lambda: params)
    assert labels.param_label("trust__diffusion", "zh") == "邻里间信任传播速度"
    from commgov.scenarios import reference

    monkeypatch.setattr(reference, "flat_parameters", lambda: params)
    row = next(r for r in reference.render_parameters().splitlines()
               if r.startswith("| `trust.diffusion`"))
    assert "| How fast trust spreads between neighbours / 邻里间信任传播速度 |" in row
    assert "| trust |" in row
