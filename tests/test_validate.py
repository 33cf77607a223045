"""Validation and documentation: ``validate --quick`` passes and writes its files, the
patterns point the papers' way, and docs/ODD.md covers every ODD element and every parameter.

The full-size check (40 replications, two years) is the command ``python run.py validate``,
not a timed test; here the reduced ``--quick`` setting (3 replications) runs once per
session, in this process.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commgov.experiments import calibrate, validate
from commgov.scenarios.loader import flat_parameters

ROOT = Path(__file__).resolve().parents[1]
ODD = ROOT / "docs" / "ODD.md"
ODD_ZH = ROOT / "docs" / "ODD.zh.md"
FILES = ("validation.md", "validation.csv", "runs.csv", "replications.csv", "replications.png",
         "run.json")


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run.py")
    validate.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["validate", *argv])


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """``validate --quick`` as the CLI runs it (one process), once for this module."""
    out = tmp_path_factory.mktemp("validate")
    args = _parse("--quick", "--workers", "1", "--out", str(out))
    return validate.cmd_validate(args), out


@pytest.fixture(scope="module")
def runs(quick: tuple[int, Path]) -> pd.DataFrame:
    return pd.read_csv(quick[1] / "runs.csv")


def _by_seed(runs: pd.DataFrame, scenario: str, measure: str) -> np.ndarray:
    return runs[runs["scenario"] == scenario].sort_values("seed")[measure].to_numpy(float)


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------
def test_quick_validate_passes_and_writes_its_files(quick: tuple[int, Path]) -> None:
    code, out = quick
    assert code == 0, (out / "validation.md").read_text(encoding="utf-8")
    for name in FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    table = pd.read_csv(out / "validation.csv")
    assert table["pass"].all()
    assert set(table["target_no"]) == {1, 2, 3, 4}
    assert {"pattern", "source", "target", "mean", "ci_low", "ci_high", "n", "pass"} <= \
        set(table.columns)
    assert (table["n"] == validate.QUICK_REPS).all()
    md = (out / "validation.md").read_text(encoding="utf-8")
    assert "| # | pattern | source |" in md and "## Replication count" in md
    reps = pd.read_csv(out / "replications.csv")
    assert reps["n"].max() == validate.QUICK_REPS
    assert {"quantity", "n", "cv", "ci_halfwidth", "settled_from"} <= set(reps.columns)
    run = json.loads((out / "run.json").read_text())
    assert run["reps"] == validate.QUICK_REPS and run["passed"] is True


def test_quick_defaults_and_option_errors() -> None:
    args = _parse("--quick")
    assert args.reps is None and args.days == validate.DEFAULT_DAYS and args.quick
    assert _parse().out == validate.DEFAULT_OUT
    for bad in (["--reps", "1"], ["--days", "10"], ["--workers", "0"], ["--reps", "x"]):
        with pytest.raises(SystemExit):
            _parse(*bad)


def test_results_do_not_depend_on_worker_count() -> None:
    from commgov.scenarios.loader import load_scenario

    s = [load_scenario("baseline", {"graph.households_per_community": 400,
                                    "graph.compounds_per_community": 3,
                                    "graph.grids_per_community": 1})]
    one = validate.run_measures(s, range(2), 60, workers=1)
    two = validate.run_measures(s, range(2), 60, workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_replication_table_settles_on_a_known_series() -> None:
    rng = np.random.default_rng(0)
    runs = pd.DataFrame({"scenario": "baseline", "seed": range(40),
                         "fee_collection_rate": 0.6 + 0.02 * rng.standard_normal(40)})
    table = validate.replication_table(runs)
    fee = table[table["quantity"] == "fee_baseline"]
    assert fee["n"].tolist() == list(range(2, 41))
    settled = int(fee["settled_from"].iloc[0])
    final = fee["cv"].iloc[-1]
    later = fee[fee["n"] >= settled]["cv"]
    assert ((later - final).abs() <= validate.CV_BAND * final + 1e-12).all()
    assert validate.recommended_reps(table) == settled


# --------------------------------------------------------------------------------------------
# The patterns' directions (the papers' claims), from the quick runs
# --------------------------------------------------------------------------------------------
def test_red_property_raises_fee_collection_in_every_replication(runs: pd.DataFrame) -> None:
    """Fukang: 60% → 98% after a party branch joined the firm [000]."""
    base = _by_seed(runs, "baseline", "fee_collection_rate")
    red = _by_seed(runs, "red_property", "fee_collection_rate")
    assert (red - base > 0.25).all()
    assert (red > 0.9).all() and (base < 0.7).all()


def test_property_is_the_largest_community_category_in_every_run(runs: pd.DataFrame) -> None:
    """Property tickets lead every other community kind, yet are a minority of all 12345
    tickets (13.3% in Yanzhou) [001]."""
    assert (_by_seed(runs, "baseline", "property_lead") > 1).all()
    share = _by_seed(runs, "baseline", "property_complaint_share")
    assert ((share > 0.05) & (share < 0.25)).all()


def test_few_take_part_and_retirees_are_over_represented(runs: pd.DataFrame) -> None:
    """About 100 residents at a grid activity [003]; mostly retirees [004]."""
    att = _by_seed(runs, "baseline", "attendance_residents")
    assert ((att > 50) & (att < 200)).all()
    retirees = _by_seed(runs, "baseline", "retiree_share")
    households = _by_seed(runs, "baseline", "retiree_household_share")
    assert (retirees > 2 * households).all()
    assert (_by_seed(runs, "baseline", "participation_rate") < 0.4).all()


def test_staffing_scenarios_give_their_staff_ratios_in_order(runs: pd.DataFrame) -> None:
    """18 → 24.5 → 43.9 staff per 10,000 residents [001]; ~600 households a worker [003]."""
    ratios = [_by_seed(runs, s, "staff_per_10k").mean() for s in validate.STAFFING_SCENARIOS]
    assert ratios[0] < ratios[1] < ratios[2]
    for got, want in zip(ratios, (18.0, 24.5, 43.9), strict=True):
        assert abs(got - want) <= validate.STAFF_TOLERANCE
    hpw = _by_seed(runs, "baseline", "households_per_worker")
    assert ((hpw > 480) & (hpw < 720)).all()


# --------------------------------------------------------------------------------------------
# Calibration helpers (no model runs)
# --------------------------------------------------------------------------------------------
def test_calibration_design_starts_at_the_defaults_and_stays_in_bounds() -> None:
    pts = calibrate.lhs_design(8, seed=1)
    assert len(pts) == 9 and pts[0] == calibrate.current_defaults()
    for f in calibrate.FREE:
        xs = [p[f.key] for p in pts[1:]]
        assert all(f.lo <= x <= f.hi for x in xs)
        assert f.lo <= pts[0][f.key] <= f.hi, "the default lies inside its search range"


def test_calibration_rule_keeps_a_default_that_fits() -> None:
    f = next(x for x in calibrate.FREE if x.key == "property.red_fee_trust_bonus")
    prof = pd.DataFrame({"value": [2.0, 2.5, 3.0, 3.5], "miss.fee_red": [1.4, 0.8, 0.4, 0.2],
                         "loss_own": [1.96, 0.64, 0.16, 0.04]})
    assert calibrate.choose(f, prof, 2.0)[0] == 3.0          # smallest change that fits
    assert calibrate.choose(f, prof, 3.5)[0] == 3.5          # a fitting default is kept
    assert calibrate.miss("fee_red", 0.98) == 0.0
    assert calibrate.miss("retiree_share", 0.6) == 0.0
    assert calibrate.miss("fee_baseline", 0.65) == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# docs/ODD.md
# --------------------------------------------------------------------------------------------
ODD_HEADINGS = (
    "## 1. Purpose and patterns",
    "## 2. Entities, state variables and scales",
    "## 3. Process overview and scheduling",
    "## 4. Design concepts",
    "### 4.1 Basic principles",
    "### 4.2 Emergence",
    "### 4.3 Adaptation",
    "### 4.4 Objectives",
    "### 4.5 Learning",
    "### 4.6 Prediction",
    "### 4.7 Sensing",
    "### 4.8 Interaction",
    "### 4.9 Stochasticity",
    "### 4.10 Collectives",
    "### 4.11 Observation",
    "## 5. Initialisation",
    "## 6. Input data",
    "## 7. Submodels",
)


def test_odd_has_every_element_heading_in_order() -> None:
    lines = ODD.read_text(encoding="utf-8").splitlines()
    positions = [lines.index(h) for h in ODD_HEADINGS]
    assert positions == sorted(positions)


def test_odd_lists_every_parameter_in_exactly_one_submodel() -> None:
    text = ODD.read_text(encoding="utf-8")
    for key in flat_parameters():
        assert f"`{key}`" in text, f"{key} is missing from docs/ODD.md"
        assert len(validate.odd_submodel_of(key)) == 1, (key, validate.odd_submodel_of(key))


def test_odd_parameter_tables_are_current() -> None:
    text = ODD.read_text(encoding="utf-8")
    assert validate.render_odd(text) == text, \
        "docs/ODD.md tables are stale: run `python -m commgov.experiments.validate --update-odd`"
    ids = re.findall(r"<!-- odd-params: ([a-z_]+) -->", text)
    assert sorted(ids) == sorted(validate.ODD_SUBMODELS)


def test_every_submodel_cites_a_paper_and_lists_its_parameters() -> None:
    text = ODD.read_text(encoding="utf-8")
    sections = re.split(r"\n(?=### 7\.\d+ )", text.split("## 7. Submodels")[1].split(
        "## Appendix")[0])[1:]
    assert len(sections) >= len(validate.ODD_SUBMODELS)
    for sec in sections:
        head = sec.splitlines()[0]
        if "Structural constants" in head:
            continue
        assert re.search(r"\[00[0-4]", head), f"{head}: cite the paper(s)"
        if "This submodel has no parameters of its own" in sec:
            assert "<!-- odd-params:" not in sec
            continue
        assert "<!-- odd-params:" in sec and "| parameter | default | unit | range |" in sec, \
            f"{head}: list its parameters"


def test_chinese_summary_exists_and_names_the_odd_elements() -> None:
    zh = ODD_ZH.read_text(encoding="utf-8")
    for word in ("目的", "实体", "过程概述", "设计概念", "初始化", "输入数据", "子模型"):
        assert word in zh
