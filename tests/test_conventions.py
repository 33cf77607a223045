"""Conventions researchers rely on: CLI manners, provenance, results they can use directly,
publication figures, and the hooks for Mesa and the EMA Workbench. All on tiny models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from commgov.experiments import cli, report, runner

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "run.py"
SMALL = ["--set", "graph.households_per_community=300", "--set",
         "graph.compounds_per_community=3", "--set", "graph.grids_per_community=1"]
SMALL_KW = {"graph__households_per_community": 300, "graph__compounds_per_community": 3,
            "graph__grids_per_community": 1}


def run_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(RUN), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# --------------------------------------------------------------------------------------------
# CLI conventions
# --------------------------------------------------------------------------------------------
def test_bare_command_prints_help_and_quick_start_and_writes_nothing(tmp_path: Path) -> None:
    res = run_cli(cwd=tmp_path)
    assert res.returncode == 0
    assert res.stdout.startswith("usage: python run.py")
    assert "quick start:" in res.stdout and "python run.py demo" in res.stdout
    assert list(tmp_path.iterdir()) == []


def test_version_names_package_version_and_commit() -> None:
    res = run_cli("--version")
    assert res.returncode == 0
    assert res.stdout.split()[1] == runner.package_version()
    commit = runner.git_commit()
    if commit:
        assert commit[:12] in res.stdout


def test_program_named_as_invoked() -> None:
    assert cli.prog_name("/usr/bin/commgov") == "commgov"
    assert cli.prog_name("run.py") == "python run.py"
    res = run_cli("simulate", "nosuch")
    assert res.returncode == 2 and res.stderr.startswith("python run.py simulate: error:")


def test_demo_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    args = ["demo", "--days", "3", "--reps", "1", "--scenarios", "baseline", "--workers", "1",
            *SMALL, "--out", tmp_path]
    first = run_cli("-q", *args)
    assert first.returncode == 0, first.stderr
    assert "Demo:" not in first.stdout          # -q: only the final line
    (tmp_path / "mine.txt").write_text("keep me")
    before = (tmp_path / "summary.csv").stat().st_mtime_ns
    again = run_cli(*args)
    assert again.returncode == 2 and "--force" in again.stderr and "summary.csv" in again.stderr
    assert (tmp_path / "summary.csv").stat().st_mtime_ns == before
    forced = run_cli(*args, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "mine.txt").read_text() == "keep me"   # only the demo's files replaced


def test_claim_out_removes_only_owned_entries(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "a.json").write_text("{}")
    (tmp_path / "notes.md").write_text("x")
    with pytest.raises(cli.UsageError, match="--force"):
        cli.claim_out(tmp_path, force=False, owned=cli.SWEEP_ENTRIES, what="sweep")
    cli.claim_out(tmp_path, force=True, owned=cli.SWEEP_ENTRIES, what="sweep")
    assert not (tmp_path / "runs").exists() and (tmp_path / "notes.md").exists()


def test_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "solara" else real(name, *a))
    assert cli.main(["viz", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "community-governance[viz]" in err and "Traceback" not in err


def test_plain_progress_lines_off_a_terminal() -> None:
    import io

    buf = io.StringIO()
    bar = runner.PlainProgress(10, "demo", every=0.0, stream=buf)
    for _ in range(10):
        bar.update()
    bar.close()
    text = buf.getvalue()
    assert "\r" not in text and "demo: 10/10 runs" in text and "demo: 1/10 runs" in text


# --------------------------------------------------------------------------------------------
# Sweeps: --set/--reps/--days, parameter columns, tidy form, manifest, units
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "s"
    sweep = tmp_path_factory.mktemp("file") / "mini.toml"
    sweep.write_text('name = "mini"\nscenarios = ["baseline", "red_property", '
                     '"grid_merge"]\nreplications = 5\ndays = 365\nrecord_every = 5\n'
                     'metrics = ["trust_mean", "on_time_share", "fee_collection_rate"]\n'
                     '[vary]\n"staff.per_10k_residents" = [18, 24.5]\n')
    res = run_cli("sweep", sweep, "--reps", "2", "--days", "12", *SMALL, "--workers", "1",
                  "--out", out)
    assert res.returncode == 0, res.stderr
    assert "\r" not in res.stderr                    # no bar off a terminal
    return out


def test_sweep_command_line_overrides_are_recorded(swept: Path) -> None:
    manifest = json.loads((swept / "manifest.json").read_text())
    assert manifest["spec"]["replications"] == 2 and manifest["spec"]["days"] == 12
    assert manifest["spec"]["set"]["graph.households_per_community"] == 300
    runs = manifest["run_parameters"]
    assert len(runs) == 3 * 2 * 2
    by_id = {r["run_id"]: r for r in runs}
    red = next(r for r in runs if r["scenario"] == "red_property" and r["point"] == 1)
    assert red["parameters"]["property.red_property"] is True
    assert red["parameters"]["staff.per_10k_residents"] == 24.5
    assert red["parameters"]["graph.households_per_community"] == 300
    base = next(r for r in by_id.values() if r["scenario"] == "baseline")
    assert base["parameters"]["property.red_property"] is False


def test_daily_results_stand_alone_with_parameter_columns(swept: Path) -> None:
    daily = pd.read_parquet(swept / "daily")
    assert {"staff.per_10k_residents", "graph.households_per_community"} <= set(daily.columns)
    assert daily["staff.per_10k_residents"].dtype == np.float64
    assert sorted(daily["staff.per_10k_residents"].unique()) == [18.0, 24.5]
    design = pd.read_csv(swept / "design.csv")
    merged = daily.merge(design, on="point", suffixes=("", "_design"))
    assert (merged["staff.per_10k_residents"]
            == merged["staff.per_10k_residents_design"]).all()


def test_tidy_summary_matches_wide(swept: Path) -> None:
    wide = pd.read_parquet(swept / "summary.parquet")
    long = pd.read_parquet(swept / "summary_long.parquet")
    assert {"run_id", "metric", "value", "staff.per_10k_residents"} <= set(long.columns)
    pivot = long.pivot(index="run_id", columns="metric", values="value")
    w = wide.set_index("run_id")
    for m in pivot.columns:
        np.testing.assert_allclose(pivot[m].loc[w.index].to_numpy(), w[m].to_numpy())


def test_parquet_columns_carry_units_and_descriptions(swept: Path) -> None:
    schema = pq.read_schema(swept / "summary.parquet")
    on_time = schema.field("on_time_share").metadata
    assert on_time[b"unit"].startswith(b"fraction")
    assert b"time promise" in on_time[b"description"]
    staff = schema.field("staff.per_10k_residents").metadata
    assert staff[b"description"].startswith(b"parameter staff.per_10k_residents")
    daily_file = next((swept / "daily").glob("*.parquet"))
    assert pq.read_schema(daily_file).field("day").metadata[b"unit"] == b"day"
    # fractions are fractions in the data, never percent
    assert pd.read_parquet(swept / "summary.parquet")["on_time_share"].between(0, 1).all()


def test_report_figures_formats_labels_and_correction(swept: Path) -> None:
    out = report.build_report(swept, lang="zh")
    figs = out / "figures"
    for stem in ("policy_effects", "response_trust_mean"):
        for suffix in (".png", ".svg", ".pdf"):
            assert (figs / f"{stem}{suffix}").stat().st_size > 0, stem + suffix
    from PIL import Image

    dpi = Image.open(figs / "policy_effects.png").info.get("dpi", (0, 0))
    assert round(dpi[0]) == report.FIGURE_DPI
    svg = (figs / "response_trust_mean.svg").read_text(encoding="utf-8")
    assert "red_property" not in svg                # readable names, not raw ids
    table = pd.read_csv(out / "tables" / "trust_mean_vs_baseline.csv")
    assert {"p_value", "p_adjusted", "significant"} <= set(table.columns)
    ok = table["p_value"].notna()
    assert (table.loc[ok, "p_adjusted"] >= table.loc[ok, "p_value"] - 1e-12).all()
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "code None" not in html and "Benjamini" in html


def test_benjamini_hochberg_matches_the_textbook() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan])
    adj = report.adjust_bh(p)
    # sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04
    np.testing.assert_allclose(adj[:4], [0.02, 0.04, 0.04, 0.02])
    assert np.isnan(adj[4])


def test_palette_never_repeats_within_forty_series() -> None:
    styles = {(s["color"], str(s["linestyle"])) for s in map(report.series_style, range(40))}
    assert len(styles) == 40


# --------------------------------------------------------------------------------------------
# Mesa and EMA hooks
# --------------------------------------------------------------------------------------------
def test_run_model_and_batch_run_end_after_max_days() -> None:
    import mesa

    from commgov.model.community import CommunityModel

    model = CommunityModel(scenario="baseline", rng=1, max_days=7, **SMALL_KW)
    model.run_model()
    assert not model.running and model.day == 7
    assert len(model.datacollector.get_model_vars_dataframe()) == 8
    forever = CommunityModel(scenario="baseline", rng=1, **SMALL_KW)
    forever.run_for(3)
    assert forever.running and forever.max_days is None
    results = mesa.batch_run(CommunityModel,
                             parameters={"scenario": ["baseline"], "max_days": 4, **SMALL_KW},
                             rng=[0], number_processes=1, display_progress=False)
    assert max(r["Step"] for r in results) == 4
    with pytest.raises(ValueError, match="max_days"):
        CommunityModel(scenario="baseline", rng=1, max_days=-1, **SMALL_KW)


def test_agent_reporters_are_off_by_default_and_record_workers_and_firms() -> None:
    from commgov.agents.grid_worker import GridWorker
    from commgov.agents.property_firm import PropertyFirm
    from commgov.model.community import CommunityModel

    plain = CommunityModel(scenario="baseline", rng=2, **SMALL_KW)
    assert not plain.datacollector.agenttype_reporters
    model = CommunityModel(scenario="baseline", rng=2, agent_data=True,
                           workers__admin_hours=7.5, **SMALL_KW)
    model.run_for(5)
    w = model.datacollector.get_agenttype_vars_dataframe(GridWorker)
    assert {"households", "cases_queued", "admin_hours", "overtime_hours"} <= set(w.columns)
    assert len(w) == 6 * len(model.workers)
    assert (w["overtime_hours"] >= 0).all() and (w["overtime_hours"] > 0).any()
    f = model.datacollector.get_agenttype_vars_dataframe(PropertyFirm)
    assert f["quality"].between(0, 1).all() and len(f) == 6 * len(model.firms)
    # the model-level numbers do not depend on the agent tables
    pd.testing.assert_frame_equal(
        CommunityModel(scenario="baseline", rng=2, workers__admin_hours=7.5, **SMALL_KW)
        .datacollector.get_model_vars_dataframe(),
        CommunityModel(scenario="baseline", rng=2, agent_data=True, workers__admin_hours=7.5,
                       **SMALL_KW).datacollector.get_model_vars_dataframe())


def test_ema_outcomes_have_kinds_and_time_series() -> None:
    from ema_workbench import ScalarOutcome, TimeSeriesOutcome

    from commgov.experiments.ema_adapter import commgov_model, outcome_kind, run_commgov

    assert outcome_kind("trust_mean") == "maximize"
    assert outcome_kind("escalated_share") == "minimize"
    assert outcome_kind("issues_reported_total") == "info"
    m = commgov_model(days=5, outcomes=["trust_mean", "petitions_total"],
                      series=["issues_open"])
    kinds = {o.name: o.kind for o in m.outcomes if isinstance(o, ScalarOutcome)}
    assert kinds == {"trust_mean": ScalarOutcome.MAXIMIZE,
                     "petitions_total": ScalarOutcome.MINIMIZE}
    assert [o.name for o in m.outcomes if isinstance(o, TimeSeriesOutcome)] == \
        ["issues_open_daily"]
    out = run_commgov(days=5, outcomes=["trust_mean"], series=["issues_open"], **SMALL_KW)
    assert out["issues_open_daily"].shape == (6,)


def test_run_many_wide_and_tidy_agree() -> None:
    wide = runner.run_many(["baseline", "red_property"], seeds=2, days=4,
                           overrides={k.replace("__", "."): v for k, v in SMALL_KW.items()})
    assert len(wide) == 2 * 2 * 5
    tidy = runner.run_many("baseline", seeds=[1], days=4, tidy=True,
                           overrides={k.replace("__", "."): v for k, v in SMALL_KW.items()})
    assert list(tidy.columns) == ["scenario", "seed", "day", "metric", "value"]
    one = wide[(wide["scenario"] == "baseline") & (wide["seed"] == 1)]
    t = tidy[tidy["metric"] == "trust_mean"]["value"].to_numpy()
    np.testing.assert_array_equal(t, one["trust_mean"].to_numpy())
