"""The claims suite (`validate --claims`): the file, the statistics, a tiny real run, the CLI.

The statistics are tested on synthetic data where the right answer is known and where a
wrong implementation fails (unpaired intervals, sign errors, PRIM boxes in the wrong place).
The end-to-end test runs three real claims briefly, including one stated the wrong way round,
which must fail.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from commgov.experiments import claims as cl
from commgov.experiments import engine
from commgov.experiments.stats import mean_ci


# --------------------------------------------------------------------------------------------
# The shipped file
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def suite() -> cl.Suite:
    return cl.load_claims()


def test_shipped_claims_file_is_valid_and_broad(suite: cl.Suite) -> None:
    assert len(suite.claims) >= 25
    papers = {p for c in suite.claims for p in c.papers}
    assert papers == set(cl.PAPERS), "every paper backs at least one claim"
    assert {c.direction for c in suite.claims} == {-1, 0, 1}
    assert any(c.versus is not None for c in suite.claims), "an interaction claim"
    for c in suite.claims:
        assert c.quote and c.statement and c.statement_zh
    assert 5 <= len(suite.space) <= 60
    assert all(cl.is_uncertain(k) for k in suite.space)


def test_shared_settings_are_run_once(suite: cl.Suite) -> None:
    design = cl.lhs_design(suite.space, 3, 0)
    plan = cl.make_plan(suite, design, days=10, reps=4, point_reps=2)
    n_pairs = sum(len(c.conditions()) for c in suite.claims)
    naive = n_pairs * 2 * (4 + 3 * 2)
    assert len(plan.tasks) < naive / 2          # most claims share baseline runs
    ids = [t["run_id"] for t in plan.tasks]
    assert len(ids) == len(set(ids))
    base = [c for c in suite.claims if c.a == cl.Side() and not c.condition]
    keys = {cl.claim_configs(c, {})[0][0].key for c in base}
    assert len(base) > 10 and len(keys) == 1


def test_paired_sides_use_the_same_seeds_and_point(suite: cl.Suite) -> None:
    design = cl.lhs_design(suite.space, 2, 0)
    plan = cl.make_plan(suite, design, days=10, reps=3, point_reps=1)
    point = cl._point(design.to_dict(orient="records")[1])   # ints stay ints
    c = next(c for c in suite.claims if c.id == "merge_hardest_small")
    pairs = cl.claim_configs(c, point)
    assert len(pairs) == 2
    for a, b in pairs:
        assert a.scenario == "baseline" and b.scenario == "grid_merge"
        for k, v in point.items():
            assert a.overrides[k] == v == b.overrides[k]
        assert (1, a.key, 0) in plan.index and (1, b.key, 0) in plan.index
    assert pairs[0][0].overrides["graph.households_per_community"] == 1500
    assert pairs[1][0].overrides["graph.households_per_community"] == 6000


# --------------------------------------------------------------------------------------------
# Statistics on synthetic data
# --------------------------------------------------------------------------------------------
def test_common_random_numbers_detect_what_unpaired_noise_hides() -> None:
    """A small effect under large shared noise: the paired interval finds it; pairing the
    wrong replications (what a broken seed scheme does) does not."""
    rng = np.random.default_rng(1)
    luck = rng.normal(0, 1.0, 12)             # the seed's luck, shared by A and B
    a = luck + rng.normal(0, 0.02, 12)
    b = luck + 0.1 + rng.normal(0, 0.02, 12)
    paired = mean_ci(b - a)
    assert cl.holds(+1, paired.ci_low, paired.ci_high)
    assert not cl.holds(-1, paired.ci_low, paired.ci_high)
    mixed = mean_ci(b - np.roll(a, 1))
    assert not cl.holds(+1, mixed.ci_low, mixed.ci_high)


@pytest.mark.parametrize(("direction", "lo", "hi", "margin", "expected"), [
    (1, 0.1, 0.5, None, True), (1, -0.1, 0.5, None, False), (-1, -0.5, -0.1, None, True),
    (-1, -0.5, 0.1, None, False), (0, -0.01, 0.01, 0.02, True), (0, -0.01, 0.03, 0.02, False),
    (1, np.nan, np.nan, None, False), (0, np.nan, 0.0, 0.1, False)])
def test_holds(direction: int, lo: float, hi: float, margin: float | None,
               expected: bool) -> None:
    assert cl.holds(direction, lo, hi, margin) is expected


def test_share_of_space() -> None:
    e = np.array([0.2, -0.1, 0.05, np.nan, 0.3])
    assert cl.share_of_space(1, e) == pytest.approx(3 / 4)
    assert cl.share_of_space(-1, e) == pytest.approx(1 / 4)
    assert cl.share_of_space(0, e, margin=0.15) == pytest.approx(2 / 4)
    assert cl.share_of_space(0, e, margin=0.1) == pytest.approx(1 / 4)   # strict: |−0.1| ≮ 0.1
    assert np.isnan(cl.share_of_space(1, np.array([np.nan])))
    with pytest.raises(ValueError):
        cl.share_of_space(0, e)


def test_prim_finds_the_failure_region() -> None:
    pytest.importorskip("ema_workbench")
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 200), "b": rng.uniform(10, 20, 200)})
    failed = (x["a"] > 0.7).to_numpy()
    box = cl.prim_box(x, failed)
    assert box is not None and "a" in box
    lo, hi = box["a"]
    assert 0.55 < lo < 0.8 and hi == pytest.approx(x["a"].max())
    assert "b" not in box or box["b"][1] - box["b"][0] > 5
    assert cl.prim_box(x, np.zeros(200, bool)) is None
    assert "a in [" in cl.format_box(box)


# --------------------------------------------------------------------------------------------
# Loader errors: named, before anything runs
# --------------------------------------------------------------------------------------------
GOOD = """
[settings]
days = 60
reps = 3
samples = 4
point_reps = 1

[space]
"workers.relationship_gain" = [0.15, 0.45]
"loop.satisfaction_constant" = [0.4, 1.2]

[[claim]]
id = "red_fees"
statement = "Red property raises fee collection."
statement_zh = "红色物业提高物业费收缴率。"
source = "[000]"
quote = "物业缴费率从60%提升至98%"
a = { scenario = "baseline" }
b = { scenario = "red_property" }
metric = "fee_collection_rate"
direction = 1

[[claim]]
id = "red_fees_backwards"
statement = "Stated the wrong way round: red property lowers fee collection."
source = "[000]"
quote = "物业缴费率从60%提升至98%"
a = { scenario = "baseline" }
b = { scenario = "red_property" }
metric = "fee_collection_rate"
direction = -1

[[claim]]
id = "points_participation"
statement = "Volunteer points raise participation."
source = "[001]"
quote = "志願服務積分制"
a = { scenario = "baseline" }
b = { scenario = "volunteer_points" }
metric = "participation_rate"
direction = 1
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "claims.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.mark.parametrize(("old", "new", "needles"), [
    ('metric = "participation_rate"', 'metric = "participation_rat"',
     ["claim 'points_participation'", "unknown metric", "participation_rate"]),
    ('b = { scenario = "volunteer_points" }',
     'b = { scenario = "baseline", set = { "party.activashun" = 0.5 } }',
     ["claim 'points_participation'", "side b", "activashun"]),
    ('b = { scenario = "volunteer_points" }', 'b = { scenario = "no_such_scenario" }',
     ["claim 'points_participation'", "no_such_scenario"]),
    ('metric = "participation_rate"\ndirection = 1', 'metric = "participation_rate"\ndirection = 0',
     ["points_participation", "margin"]),
    ('source = "[001]"', 'source = "[007]"', ["points_participation", "[007]"]),
    ('id = "red_fees_backwards"', 'id = "red_fees"', ["red_fees", "id used twice"]),
    ('"workers.relationship_gain" = [0.15, 0.45]',
     '"staff.per_10k_residents" = [15.0, 25.0]',
     ["space.staff.per_10k_residents", "not an uncertain parameter"]),
    ('"workers.relationship_gain" = [0.15, 0.45]',
     '"workers.relationship_gain" = [0.5, 0.45]', ["relationship_gain", "low < high"]),
    ('"workers.relationship_gain" = [0.15, 0.45]', '"workers.relationship_gain" = [0.1, 3]',
     ["relationship_gain", "allowed range"]),
    ('metric = "participation_rate"', 'metric = "participation_rate"\ncolour = "red"',
     ["points_participation", "unknown key", "allowed keys"]),
])
def test_loader_names_the_problem(tmp_path: Path, old: str, new: str,
                                  needles: list[str]) -> None:
    assert old in GOOD
    bad = GOOD.replace(old, new)
    with pytest.raises(cl.ClaimsError) as e:
        cl.load_claims(_write(tmp_path, bad))
    msg = str(e.value)
    assert "claims.toml" in msg and "nothing was run" in msg.lower()
    for n in needles:
        assert n in msg, (n, msg)


def test_loader_refuses_sampling_a_parameter_a_claim_sets(tmp_path: Path) -> None:
    bad = GOOD.replace('"loop.satisfaction_constant" = [0.4, 1.2]',
                       '"workers.turnover_trust_loss" = [0.02, 0.1]').replace(
        'b = { scenario = "volunteer_points" }',
        'b = { scenario = "baseline", set = { "workers.turnover_trust_loss" = 0.2 } }')
    with pytest.raises(cl.ClaimsError, match="a claim or a claim's scenario sets"):
        cl.load_claims(_write(tmp_path, bad))


def test_loader_reports_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(cl.ClaimsError, match="invalid TOML"):
        cl.load_claims(_write(tmp_path, "[[claim]\nid = 1"))
    with pytest.raises(cl.ClaimsError, match="nested"):        # as sweep files are read
        cl.load_claims(_write(tmp_path, "a = " + "[" * 200 + "]" * 200 + "\n"))
    with pytest.raises(cl.ClaimsError, match="cannot read the claims file.*Nothing was run"):
        cl.load_claims(tmp_path / "missing.toml")


# --------------------------------------------------------------------------------------------
# A tiny real run and the command line
# --------------------------------------------------------------------------------------------
def test_tiny_real_run(tmp_path: Path) -> None:
    """Three claims, 60 days, 3 paired replications, a 4-point hypercube: red property raises
    fees (holds), the same claim stated backwards fails, and every file is written."""
    suite = cl.load_claims(_write(tmp_path, GOOD))
    res = cl.run_claims(suite, days=60, reps=3, samples=4, point_reps=1,
                        engine=lambda t: engine.local_engine(t, 1), out=tmp_path / "out",
                        engine_label="test", progress=False)
    t = res.table.set_index("claim")
    assert res.runs == 3 * (3 + 4)               # 3 settings, shared baseline
    assert t.at["red_fees", "holds_at_default"]
    assert t.at["red_fees", "effect"] > 0.05
    assert t.at["red_fees", "share_of_space"] == 1.0
    assert not t.at["red_fees_backwards", "holds_at_default"]
    assert t.at["red_fees_backwards", "share_of_space"] == 0.0
    assert t.at["red_fees_backwards", "prim_box"] == "fails at every point"
    assert t.at["red_fees_backwards", "effect"] == pytest.approx(t.at["red_fees", "effect"])
    assert not res.passed and not res.errors
    csv = pd.read_csv(tmp_path / "out" / "claims.csv")
    for col in ("claim", "source", "holds_at_default", "effect", "ci_low", "ci_high",
                "share_of_space", "metric", "direction", "statement", "prim_box"):
        assert col in csv.columns
    assert len(csv) == 3
    page = (tmp_path / "out" / "claims.html").read_text(encoding="utf-8")
    assert "red_fees_backwards" in page and "data:image/png;base64" in page
    assert not list((tmp_path / "out").glob(".*tmp*"))


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The real command line, in this process (``run.py`` calls the same ``main``)."""
    from commgov.experiments.cli import main

    try:
        code = main(list(args))
    except SystemExit as e:            # argparse errors
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 1 with a plain summary when a claim fails at defaults; exit 2 with a message for
    user mistakes, before anything runs."""
    good = _write(tmp_path, GOOD)
    code, out, err = _cli(capsys, "validate", "--claims", "--claims-file", str(good),
                          "--only", "red_fees_backwards", "--days", "60", "--reps", "3",
                          "--samples", "0", "--workers", "1", "--no-progress",
                          "--out", str(tmp_path / "o"))
    assert code == 1, out + err
    assert "FAIL red_fees_backwards" in out
    assert "1 claims; 0 hold at default parameters" in out
    assert (tmp_path / "o" / "claims.csv").exists()
    code, _, err = _cli(capsys, "validate", "--samples", "3")
    assert code == 2 and "add --claims" in err
    code, _, err = _cli(capsys, "validate", "--claims", "--claims-file", str(good), "--only",
                        "red_feez", "--out", str(tmp_path / "o2"))
    assert code == 2 and "unknown claim id 'red_feez'" in err and "red_fees" in err
    bad = _write(tmp_path, GOOD.replace('metric = "participation_rate"', 'metric = "x"'))
    code, _, err = _cli(capsys, "validate", "--claims", "--claims-file", str(bad),
                        "--out", str(tmp_path / "o3"))
    assert code == 2 and "claim 'points_participation'" in err and "unknown metric" in err
    assert not (tmp_path / "o3").exists() or not any((tmp_path / "o3").iterdir())


def test_odd_lists_every_claim(suite: cl.Suite) -> None:
    """docs/ODD.md, Appendix B.1 is generated from the claims file and must be current
    (`python -m commgov.experiments.claims --update-odd`)."""
    text = cl.ODD_PATH.read_text(encoding="utf-8")
    assert cl.render_odd(text, suite) == text, "run: python -m commgov.experiments.claims " \
                                               "--update-odd"
    for c in suite.claims:
        assert f"`{c.id}`" in text
