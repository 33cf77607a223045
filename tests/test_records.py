"""One record per metric (issue 10, item 3): every metric is described once, in its
``Metric`` record in ``model/metrics.py``, and every other table of metrics is derived."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from simhelpers import compare_operands

from commgov.experiments import ema_adapter, labels, runner
from commgov.model import metrics
from commgov.model.metrics import DIRECTIONS, METRICS, SCALES, Metric
from commgov.viz import charts, compare, i18n, session

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("agents", "experiments", "model", "scenarios", "viz")
HOME = ROOT / "model" / "metrics.py"
# "day" is also the id column and an ordinary word (UI keys, `m.name != "day"`).
NAMES = frozenset(m.name for m in METRICS) - {"day"}


# --------------------------------------------------------------------------------------------
# Every record is complete
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", METRICS, ids=lambda m: m.name)
def test_every_metric_record_is_complete(m: Metric) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9_]*", m.name)
    assert m.meaning.strip() and callable(m.fn)
    for field in ("label", "help", "unit"):
        pair = getattr(m, field)
        assert len(pair) == 2 and all(s.strip() for s in pair), (m.name, field, pair)
        assert not re.search(r"[\u4e00-\u9fff]", pair[0].replace("信访", "")
                             .replace("小事不出小区", "")), (m.name, field, "zh in en")
        assert re.search(r"[\u4e00-\u9fff]|^[0–1/ ]+$", pair[1]), (m.name, field, "no zh")
    assert m.direction in (-1, 0, 1)
    assert m.scale in SCALES
    assert not m.colour or re.fullmatch(r"#[0-9a-f]{6}", m.colour)
    assert not m.defined_by or metrics.metric_record(m.defined_by) is not None
    # a share is shown in %: its unit says so, in both languages
    if m.percent:
        assert "%" in m.unit[0] and "%" in m.unit[1], m.name


def test_names_are_unique_and_charted_metrics_have_colours() -> None:
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))
    for m in charts.LIVE_METRICS:
        assert metrics.metric_record(m).colour, m
    assert metrics.metric_record("no_such_metric") is None


def test_a_bad_record_is_refused_where_it_is_written() -> None:
    with pytest.raises(ValueError, match="direction must be one of"):
        Metric("x", "x", lambda m: 0.0, direction=2)
    with pytest.raises(ValueError, match="scale must be one of"):
        Metric("x", "x", lambda m: 0.0, scale="percent")
    assert DIRECTIONS == (-1, 0, 1)


# --------------------------------------------------------------------------------------------
# Nothing is listed twice
# --------------------------------------------------------------------------------------------
def second_tables(source: str, names: frozenset[str] = NAMES) -> list[str]:
    """Places in ``source`` that describe metrics by name outside their records: a dict or
    set literal with two or more metric names as keys / members (a table of metrics), or a
    comparison with a metric name (a property special-cased by name)."""

    def named(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in names

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict) and sum(map(named, filter(None, node.keys))) >= 2:
            found.append(f"line {node.lineno}: dict keyed by metric names")
        elif isinstance(node, ast.Set) and sum(map(named, node.elts)) >= 2:
            found.append(f"line {node.lineno}: set of metric names")
        elif isinstance(node, ast.Compare) and any(map(named, compare_operands(node))):
            found.append(f"line {node.lineno}: compares with a metric name")
    return found


def test_the_scanner_finds_a_second_table() -> None:
    """The check below can fail: each way of listing metrics a second time is caught."""
    assert second_tables('UNITS = {"trust_mean": ("0–1", "0–1"), "on_time_share": ("%", "%")}')
    assert second_tables('PERCENT = {"on_time_share", "trust_mean"}')
    assert second_tables('x = 1 if metric == "trust_mean" else 100')
    assert second_tables('u = "" if m in ("trust_mean", "firm_quality_mean") else "%"')
    # choosing which metrics to show is not describing them
    assert not second_tables('SHOWN = ("trust_mean", "on_time_share")')
    assert not second_tables('row = {"trust_mean": 0.5, "seed": 1}')


def test_no_metric_is_described_outside_its_record() -> None:
    files = [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py")) if p != HOME]
    files.append(ROOT / "run.py")
    assert len(files) > 40
    problems = {str(p.relative_to(ROOT)): hits for p in files
                if (hits := second_tables(p.read_text(encoding="utf-8")))}
    assert not problems, ("metrics described outside model/metrics.py (add a field to "
                          f"Metric and derive the table from the records): {problems}")


def test_the_old_tables_are_views_of_the_records() -> None:
    assert {m.name: m.unit for m in METRICS} == labels.METRIC_UNITS
    assert {m.name: (m.label, m.help) for m in METRICS} == i18n.METRICS
    assert {m.name for m in METRICS if m.scale in ("share", "index")} == charts.PERCENT
    assert {m.name: m.direction for m in METRICS} == charts.DIRECTION
    assert {m.name: m.colour for m in METRICS if m.colour} == charts.COLOURS
    assert {m.name for m in METRICS if m.daily} == compare.DAILY
    assert session._DEFINED_BY == {"resolved_share": "issues_reported_total",
                                   "on_time_share": "issues_resolved_total"}


def test_values_the_app_and_reports_have_always_shown() -> None:
    """A pure move: spot checks of what the tables said before they became views."""
    assert i18n.metric_label("on_time_share", "zh") == "按时办结率"
    assert labels.metric_label("repeat_share_90d", "en", unit=True) == \
        "Repeat complaints (% of reports, 90 days)"
    assert labels.metric_label("office_wait_share_90d", "zh", unit=True) == \
        "办事群众等待比例 (近90天占办事 %)"
    assert charts.shown("trust_mean", 0.5) == 50.0 and charts.shown("issues_open", 5) == 5
    assert not runner.is_percent("trust_mean") and runner.is_percent("on_time_share_90d")
    assert runner.is_percent("retiree_share")           # not a metric: by its suffix
    assert compare.fmt_value("trust_mean", 0.5) == "50.0"
    assert compare.fmt_value("on_time_share", 0.5, signed=True) == "+50.0 pts"
    assert charts.DIRECTION["households_per_worker"] == -1
    assert ema_adapter.outcome_kind("residents") == "info"


# --------------------------------------------------------------------------------------------
# One record is enough
# --------------------------------------------------------------------------------------------
def test_a_new_record_reaches_app_reports_docs_and_files(monkeypatch) -> None:
    new = Metric("widget_share", "Share of widgets fixed today (a test metric).",
                 lambda m: 0.25, label=("Widgets fixed", "修好的小部件"),
                 help=("widgets fixed today", "当天修好的小部件比例"),
                 unit=("% of widgets", "占部件 %"), direction=-1, scale="share", daily=True)
    monkeypatch.setattr(metrics, "METRICS", (*METRICS, new))

    assert metrics.model_reporters()["widget_share"] is new.fn
    # the app
    assert i18n.metric_label("widget_share", "zh") == "修好的小部件"
    assert i18n.metric_help("widget_share", "en") == "widgets fixed today"
    assert charts.shown("widget_share", 0.5) == 50.0
    assert charts.direction("widget_share") == -1
    assert compare.verdict("widget_share", 0.1, 0.2) == -1       # higher is worse
    assert compare.end_value("widget_share", {"widget_share": np.arange(100.0)}) == 84.5
    assert compare.fmt_value("widget_share", 0.5) == "50.0%"
    # reports, result files, the EMA adapter
    assert labels.metric_label("widget_share", "en", unit=True) == "Widgets fixed (% of widgets)"
    assert labels.metric_label("widget_share", "zh", unit=True) == "修好的小部件 (占部件 %)"
    assert runner.is_percent("widget_share") and runner.fmt_metric("widget_share", 0.5) == "50.0%"
    assert runner.column_metadata("widget_share") == {
        "unit": runner.FRACTION_UNIT, "description": new.meaning}
    assert ema_adapter.outcome_kind("widget_share") == "minimize"
    # the README glossary (`python run.py docs`)
    row = next(r for r in metrics.glossary_markdown().splitlines() if "`widget_share`" in r)
    for text in ("Widgets fixed / 修好的小部件", "% of widgets / 占部件 %", "| lower |",
                 new.meaning):
        assert text in row
