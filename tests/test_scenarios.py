"""Scenario files, the loader's merging/overrides, and the messages people see on errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from commgov.scenarios.loader import (
    SCENARIO_DIR,
    LoadedScenario,
    ScenarioError,
    flat_parameters,
    list_scenarios,
    load_scenario,
    parse_set,
    scenario_to_dict,
)
from commgov.scenarios.schema import META_KEYS, Scenario

ALL_FILES = sorted(SCENARIO_DIR.glob("*.toml"))
EXPECTED = {
    "baseline", "staffing_18", "staffing_24_5", "staffing_43_9", "grid_merge",
    "grid_merge_plus_staff", "red_property", "task_access_list", "volunteer_points",
    "neighbourhood_council", "closed_loop", "integrated_platform", "low_turnover",
    "new_resident_influx", "winter_tide", "training", "street", "mediation_room",
    "root_cause_fixes", "property_rating",
    "secretary_day", "compound_liaison", "building_stewards",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(*args: object) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(*args)  # type: ignore[arg-type]
    return str(info.value)


# --------------------------------------------------------------------------------------------
# The shipped files
# --------------------------------------------------------------------------------------------
def test_expected_files_exist() -> None:
    assert {p.stem for p in ALL_FILES} >= EXPECTED


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.stem)
def test_every_file_loads(path: Path) -> None:
    by_name = load_scenario(path.stem)
    by_path = load_scenario(path)
    assert isinstance(by_name.scenario, Scenario)
    assert by_name.scenario == by_path.scenario
    assert by_name.name == path.stem == by_name.scenario.name
    assert by_name.path == path.resolve()
    assert by_name.chain[0] == path.resolve()
    assert by_name.base_dir == path.resolve().parent
    assert re.search(r"\[00[0-4]", by_name.scenario.description), "cite a paper"


def test_list_scenarios() -> None:
    listed = list_scenarios()
    names = [n for n, _ in listed]
    assert names == sorted(p.stem for p in ALL_FILES)
    for name, desc in listed:
        assert desc.strip() and "\n" not in desc, name
        assert not desc.startswith("(invalid"), desc


def test_baseline_is_defaults_and_staffing_18_equals_it() -> None:
    words = set(META_KEYS)       # names and descriptions differ; every parameter agrees
    base = load_scenario("baseline").scenario
    assert base.model_dump(exclude=words) == Scenario().model_dump(exclude=words)
    s18 = load_scenario("staffing_18").scenario
    assert s18.model_dump(exclude=words) == base.model_dump(exclude=words)


@pytest.mark.parametrize(("name", "key", "value"), [
    ("staffing_24_5", "staff.per_10k_residents", 24.5),
    ("staffing_43_9", "staff.per_10k_residents", 43.9),
    ("grid_merge", "grid.merged", True),
    ("red_property", "property.red_property", True),
    ("task_access_list", "workers.task_access_cut", 0.4),
    ("volunteer_points", "participation.volunteer_points", True),
    ("neighbourhood_council", "council.enabled", True),
    ("closed_loop", "loop.closed_loop", True),
    ("mediation_room", "mediation.mediation_rooms", True),
    ("root_cause_fixes", "root_cause.root_cause_fixes", True),
    ("property_rating", "property_rating.star_rating", True),
    ("integrated_platform", "platform.integrated", True),
    ("low_turnover", "workers.turnover_per_year", 0.05),
    ("new_resident_influx", "population.turnover_per_year", 0.2),
    ("new_resident_influx", "households.initial_occupancy", 0.8),
    ("new_resident_influx", "population.vacancy_fill_per_year", 0.5),
    ("new_resident_influx", "population.newcomer_new_resident_share", 0.8),
    ("winter_tide", "population.winter_tide_share", 0.12),
    ("training", "workers.training", 0.8),
    ("training", "workers.certified_share", 0.5),
    ("street", "graph.communities", 10),
    ("street", "graph.households_per_community", 4000),
    ("street", "graph.grids_per_community", 7),
    ("street", "graph.compounds_per_community", 13),
    ("secretary_day", "secretary_day.held", True),
    ("compound_liaison", "compound_liaison.appointed", True),
    ("building_stewards", "building_stewards.organised", True),
])
def test_policy_values(name: str, key: str, value: object) -> None:
    obj: object = load_scenario(name).scenario
    for part in key.split("."):
        obj = getattr(obj, part)
    assert obj == value


def test_extends_inherits() -> None:
    loaded = load_scenario("grid_merge_plus_staff")
    s = loaded.scenario
    assert s.grid.merged is True  # from grid_merge
    assert s.grid.added_staff == 3
    assert s.name == "grid_merge_plus_staff"
    assert s.extends == "grid_merge"
    assert [p.stem for p in loaded.chain] == ["grid_merge_plus_staff", "grid_merge"]


def test_extends_deep_merge_and_name_default(tmp_path: Path) -> None:
    write(tmp_path, "parent.toml", 'name = "parent"\ndescription = "p"\n'
          "[staff]\nper_10k_residents = 30.0\ncommittee_posts = 9\n")
    child = write(tmp_path, "kid.toml", 'extends = "parent"\n[staff]\ncommittee_posts = 5\n')
    s = load_scenario(child).scenario
    assert s.staff.per_10k_residents == 30.0  # table merged, not replaced
    assert s.staff.committee_posts == 5       # scalar replaced
    assert s.name == "kid"                    # file stem, not the parent's name
    # a bare name not next to the file falls back to the shipped scenarios
    other = write(tmp_path, "mine.toml", 'extends = "red_property"\n')
    assert load_scenario(other).scenario.property.red_property is True


def test_partial_table_keeps_section_defaults() -> None:
    """Setting one key of a per-kind table keeps the *section's* defaults for the others."""
    s = load_scenario("baseline", {"issues.base_rate.property": 0.4}).scenario
    assert s.issues.base_rate.property == 0.4
    assert s.issues.base_rate.facility == Scenario().issues.base_rate.facility == 0.2


# --------------------------------------------------------------------------------------------
# Overrides and --set
# --------------------------------------------------------------------------------------------
def test_overrides_dotted_and_double_underscore() -> None:
    loaded = load_scenario("grid_merge", {
        "staff.per_10k_residents": 24.5,
        "workers__admin_hours": 1.5,
        "issues__base_rate__neighbour": 0.5,
    })
    s = loaded.scenario
    assert isinstance(loaded, LoadedScenario)
    assert s.staff.per_10k_residents == 24.5
    assert s.workers.admin_hours == 1.5
    assert s.issues.base_rate.neighbour == 0.5
    assert s.grid.merged is True  # the file still applies


def test_override_inline_table_from_parse_set() -> None:
    over = parse_set(["graph.compound_mix={old = 0.6, commercial = 0.3, resettlement = 0.1}",
                      "grid.merged=true"])
    s = load_scenario("baseline", over).scenario
    assert s.graph.compound_mix.old == 0.6
    assert s.grid.merged is True


def test_parse_set_types() -> None:
    got = parse_set(["a.b=1", "c.d=true", "e.f=hello", "g.h=2.5", "i.j = 24.5",
                     'k.l="quoted"', "m.n={x = 1, y = false}", "o.p=1 2"])
    assert got == {"a.b": 1, "c.d": True, "e.f": "hello", "g.h": 2.5, "i.j": 24.5,
                   "k.l": "quoted", "m.n": {"x": 1, "y": False}, "o.p": "1 2"}
    assert type(got["a.b"]) is int and type(got["g.h"]) is float


@pytest.mark.parametrize("bad", ["staff.per_10k_residents", "=3", "  =x"])
def test_parse_set_bad_text(bad: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_set(["ok.key=1", bad])
    msg = str(info.value)
    assert "--set section.key=value" in msg
    assert repr(bad) in msg


def test_override_unknown_key() -> None:
    msg = error_of("baseline", {"staf.per_10k_residents": 20.0})
    assert "--set" in msg and "staf.per_10k_residents" in msg
    assert "unknown key 'staf'" in msg and "did you mean 'staff'?" in msg
    msg = error_of("baseline", {"staff__per_10k_residnts": 20.0})
    assert "--set staff.per_10k_residnts" in msg and "did you mean 'per_10k_residents'?" in msg
    assert "Valid keys in [staff]" in msg
    msg = error_of("baseline", {"staff.per_10k_residents.x": 1})
    assert "--set" in msg and "single value" in msg


def test_override_wrong_type_names_set() -> None:
    msg = error_of("baseline", {"workers.admin_hours": "lots"})
    assert msg.startswith('--set workers.admin_hours = "lots"')
    assert "expected a number" in msg and "0 to 16" in msg and "hours/day" in msg


# --------------------------------------------------------------------------------------------
# Errors in files
# --------------------------------------------------------------------------------------------
def test_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_key.toml", "[staf]\nper_10k_residents = 20.0\n")
    msg = error_of(path)
    assert "bad_key.toml" in msg
    assert "unknown key 'staf' at top level" in msg
    assert "did you mean 'staff'?" in msg
    assert "graph" in msg and "population" in msg  # the valid sections are listed


def test_unknown_nested_key(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_nested.toml", "[workers]\nadmin_hour = 2.0\n")
    msg = error_of(path)
    assert "bad_nested.toml" in msg and "'admin_hour'" in msg and "[workers]" in msg
    assert "did you mean 'admin_hours'?" in msg


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_type.toml",
                 '[workers]\nadmin_hours = "lots"\n[graph]\ncommunities = 4.5\n'
                 "[grid]\nmerged = 1\n")
    msg = error_of(path)
    assert "bad_type.toml" in msg and "3 problems" in msg
    assert 'workers.admin_hours = "lots": expected a number' in msg
    assert "0 to 16 (hours/day)" in msg
    assert "graph.communities = 4.5: expected a whole number" in msg
    assert "grid.merged = 1: expected true or false" in msg


def test_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_range.toml", "[staff]\nper_10k_residents = -3\n")
    msg = error_of(path)
    assert "bad_range.toml" in msg
    assert "staff.per_10k_residents = -3" in msg
    assert "out of range" in msg and "1 to 200" in msg
    assert "staff per 10,000 residents" in msg and "Nothing was run" in msg


def test_shares_not_summing_to_one(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_mix.toml",
                 "[graph.compound_mix]\nold = 0.5\ncommercial = 0.4\nresettlement = 0.2\n")
    msg = error_of(path)
    assert "bad_mix.toml" in msg and "graph.compound_mix" in msg
    assert "old = 0.5" in msg and "commercial = 0.4" in msg and "resettlement = 0.2" in msg
    assert "sum to 1" in msg and "1.1" in msg


def test_section_level_validator_names_table(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_diff.toml", "[issues.difficulty_shares]\nsmall = 0.9\n")
    msg = error_of(path)
    assert "issues.difficulty_shares" in msg and "small = 0.9" in msg
    assert "big, hard not set" in msg


def test_toml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "bad_syntax.toml", 'name = "x"\n[staff\nper_10k_residents = 1\n')
    msg = error_of(path)
    assert "bad_syntax.toml" in msg and "line 2" in msg and "column" in msg
    assert "invalid TOML" in msg


def test_extends_cycle(tmp_path: Path) -> None:
    write(tmp_path, "cyc_a.toml", 'extends = "cyc_b"\n')
    write(tmp_path, "cyc_b.toml", 'extends = "cyc_a.toml"\n')
    msg = error_of(tmp_path / "cyc_a.toml")
    assert "cycle" in msg
    assert re.search(r"cyc_a\.toml → .*cyc_b\.toml → .*cyc_a\.toml", msg)


def test_extends_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "orphan.toml", 'extends = "gird_merge"\n')
    msg = error_of(path)
    assert "orphan.toml" in msg and '"gird_merge"' in msg and "did you mean 'grid_merge'?" in msg


def test_error_in_parent_names_parent(tmp_path: Path) -> None:
    write(tmp_path, "par.toml", "[staff]\nper_10k_residents = 500.0\n")
    child = write(tmp_path, "chi.toml", 'extends = "par"\n')
    msg = error_of(child)
    assert "par.toml (extended by" in msg and "chi.toml" in msg
    assert "staff.per_10k_residents = 500.0" in msg


def test_unknown_scenario_name() -> None:
    msg = error_of("gird_merge")
    assert "Unknown scenario 'gird_merge'" in msg
    assert "did you mean 'grid_merge'?" in msg
    for name in ("baseline", "street", "winter_tide"):
        assert name in msg


def test_missing_file(tmp_path: Path) -> None:
    msg = error_of(tmp_path / "nope.toml")
    assert "nope.toml" in msg and "does not exist" in msg


# --------------------------------------------------------------------------------------------
# Manifests and parameter tables
# --------------------------------------------------------------------------------------------
def test_scenario_to_dict_is_json_and_round_trips() -> None:
    s = load_scenario("street").scenario
    d = scenario_to_dict(s)
    assert json.loads(json.dumps(d)) == d
    assert Scenario.model_validate(d) == s


def test_flat_parameters() -> None:
    params = flat_parameters()
    p = params["staff.per_10k_residents"]
    assert (p.type, p.default, p.ge, p.le) == ("float", 18.0, 1, 200)
    assert p.unit == "staff per 10,000 residents" and p.source == "[001]" and p.description
    # nested per-kind tables report the section's default, not the table class default
    assert params["households.kinds.old.local"].default == 0.40
    assert params["issues.base_rate.facility"].default == 0.20
    assert "name" not in params and "graph.compound_mix" not in params
    # every leaf can be set as an override
    assert load_scenario("baseline", {k: v.default for k, v in params.items()}).scenario \
        == load_scenario("baseline").scenario


def test_graph_file_paths_are_relative_to_who_names_them(tmp_path, monkeypatch):
    """A scenario file's graph.file is relative to that file; a --set one to the cwd."""
    (tmp_path / "maps").mkdir()
    scen = tmp_path / "maps" / "mine.toml"
    scen.write_text('name = "mine"\n[graph]\nfile = "g.graphml"\n', encoding="utf-8")
    loaded = load_scenario(scen)
    assert loaded.scenario.graph.file == str(tmp_path / "maps" / "g.graphml")
    monkeypatch.chdir(tmp_path)
    loaded = load_scenario("baseline", {"graph.file": "data/g.graphml"})
    assert loaded.scenario.graph.file == str(tmp_path / "data" / "g.graphml")
