"""The browser app without a browser: words, levers, lessons, pictures, run loop, page.

The page itself is rendered headlessly with ``solara.render`` and driven by clicking its
widgets; the real-browser walk-through is ``tests/test_browser.py``.
"""

from __future__ import annotations

import argparse
import re
import socket
import string
import time

import ipywidgets as widgets
import networkx as nx
import numpy as np
import pytest

from commgov.model.community import CommunityModel
from commgov.model.metrics import METRIC_MEANINGS
from commgov.scenarios.loader import flat_parameters, list_scenarios, load_scenario
from commgov.scenarios.schema import META_KEYS
from commgov.viz import i18n
from commgov.viz.charts import COMPARE_METRICS, DIRECTION, LIVE_METRICS, LiveCharts, compare_png
from commgov.viz.compare import TABLE_METRICS, compare, fmt_value, tradeoff_text
from commgov.viz.fonts import picture_lang
from commgov.viz.lessons import LESSONS, Setup
from commgov.viz.levers import LEVER_BY_KEY, LEVERS, model_kwargs, scenario_values
from commgov.viz.network import COLOUR_BY, NetworkPicture, legend
from commgov.viz.session import SUMMARY_METRICS, Explorer, Settings, summarise

PNG = b"\x89PNG\r\n\x1a\n"
REQUIRED_LEVERS = (
    "grid.merged", "grid.added_staff", "staff.per_10k_residents", "workers.task_access_cut",
    "property.red_property", "participation.volunteer_points", "council.enabled",
    "loop.closed_loop", "platform.integrated", "workers.training",
    "workers.turnover_per_year", "party.activation", "graph.households_per_community",
    "population.turnover_per_year", "population.winter_tide_share")


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _pairs() -> list[tuple[str, tuple[str, str]]]:
    out: list[tuple[str, tuple[str, str]]] = []
    for name, table in (("UI", i18n.UI), ("COLOUR_BY", i18n.COLOUR_BY),
                        ("LEGEND", i18n.LEGEND), ("GROUPS", i18n.GROUPS),
                        ("UNITS", i18n.UNITS), ("ABOUT", i18n.ABOUT)):
        out += [(f"{name}.{k}", v) for k, v in table.items()]
    scenarios = {n: w for n, _ in list_scenarios() if (w := i18n.scenario_words(n))}
    for name, table in (("METRICS", i18n.METRICS), ("PAPERS", i18n.PAPERS),
                        ("SCENARIOS", scenarios), ("LEVERS", i18n.LEVERS)):
        for k, (a, b) in table.items():
            out += [(f"{name}.{k}.0", a), (f"{name}.{k}.1", b)]
    for lid, fields in i18n.LESSONS.items():
        out += [(f"LESSONS.{lid}.{f}", v) for f, v in fields.items()]
    return out


# ------------------------------------------------------------------------------- words
@pytest.mark.parametrize(("key", "pair"), _pairs(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_label_has_english_and_chinese(key: str, pair: tuple[str, str]) -> None:
    en, zh = pair
    assert en.strip() and zh.strip(), key
    assert _fields(en) == _fields(zh), f"{key}: placeholders differ"
    # English may quote a Chinese term, but is mostly English; Chinese is mostly Chinese.
    cjk = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
    assert len(cjk.findall(en)) <= 0.4 * len(en), key
    if len(re.sub(r"[\W\d_]", "", zh)) > 3 and key not in ("LEGEND.grid",):
        assert cjk.search(zh), key


def test_words_cover_levers_metrics_scenarios_lessons() -> None:
    assert set(i18n.LEVERS) == {lv.key for lv in LEVERS}
    for m in {*LIVE_METRICS, *COMPARE_METRICS, *TABLE_METRICS, *SUMMARY_METRICS}:
        assert m in i18n.METRICS, m
        assert m in METRIC_MEANINGS, m
    for name, _ in list_scenarios():
        assert i18n.scenario_words(name), f"scenario {name} has no title and title_zh"
    for lesson in LESSONS:
        assert set(i18n.LESSONS[lesson.id]) == set(i18n.LESSON_FIELDS)
    assert i18n.sources_text("[000, 003]", "zh") == "[000] 新疆阜康 · [003] 宿迁幸福社区"
    assert i18n.sources_text("assumption", "en") == "assumption"


# ------------------------------------------------------------------------------- levers
def test_levers_cover_the_policy_levers_and_stay_in_schema_ranges() -> None:
    params = flat_parameters()
    assert set(REQUIRED_LEVERS) <= set(LEVER_BY_KEY)
    for lv in LEVERS:
        info = params[lv.key]
        assert lv.source, lv.key
        if lv.is_bool:
            continue
        assert info.ge is None or lv.lo / lv.scale >= info.ge, lv.key
        assert info.le is None or lv.hi / lv.scale <= info.le, lv.key
        default = scenario_values("baseline")[lv.key]
        assert lv.lo <= lv.to_display(default) <= lv.hi, lv.key
        assert lv.to_model(lv.to_display(default)) == pytest.approx(default), lv.key
    # Overrides from the page load like a scenario file's values.
    kwargs = model_kwargs({"staff.per_10k_residents": 24.5, "grid.merged": True})
    assert load_scenario("baseline", kwargs).scenario.staff.per_10k_residents == 24.5


def test_lessons_load_and_watch_real_metrics() -> None:
    assert len(LESSONS) >= 4
    for lesson in LESSONS:
        for setup in (lesson.explore, lesson.a, lesson.b):
            load_scenario(setup.scenario, model_kwargs(setup.overrides))
        assert lesson.a != lesson.b
        assert set(lesson.watch) <= set(METRIC_MEANINGS)
        assert set(lesson.papers) <= set(i18n.PAPERS)
        assert lesson.colour_by in COLOUR_BY


# ------------------------------------------------------------------------------- pictures
@pytest.fixture(scope="module")
def model() -> CommunityModel:
    m = CommunityModel(scenario="grid_merge", rng=3)
    m.run_for(40)
    return m


@pytest.mark.parametrize("colour_by", COLOUR_BY)
def test_map_draws_every_state_in_both_languages(model: CommunityModel, colour_by: str) -> None:
    pic = NetworkPicture(model, "zh")
    assert not pic.aggregated
    colours = pic.colours(model, colour_by)
    assert colours.shape == (model.neighbourhood.n_households, 3)
    layer = pic.nodes_layer(colours, pic.highlight(model, colour_by))
    assert layer.shape == (pic.height, pic.width, 4) and layer[..., 3].any()
    assert pic.nodes_png(colours).startswith(PNG)
    assert pic.background_png.startswith(PNG) and pic.overlay_png.startswith(PNG)
    for lang in i18n.LANGS:
        assert legend(colour_by, False, lang) and legend(colour_by, True, lang)


def test_map_colours_follow_the_households_state(model: CommunityModel) -> None:
    pic = NetworkPicture(model, "en")
    before = pic.frame(pic.colours(model, "trust"))
    model.households.trust[:] = 0.0
    low = pic.frame(pic.colours(model, "trust"))
    assert (before != low).any()
    # the picture is the background where no disc or marker is drawn
    assert (low[0, 0] == pic.background[0, 0]).all()


def test_large_graphs_draw_one_disc_per_compound() -> None:
    m = CommunityModel(scenario="baseline", rng=0, graph__households_per_community=6000)
    pic = NetworkPicture(m, "en")
    assert pic.aggregated
    assert pic.colours(m, "kind").shape == (m.neighbourhood.n_compounds, 3)
    for cb in COLOUR_BY:
        assert pic.nodes_png(pic.colours(m, cb), pic.highlight(m, cb)).startswith(PNG)


def test_no_spring_layout_at_start_or_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("spring layout called")
    monkeypatch.setattr(nx, "spring_layout", refuse)
    monkeypatch.setattr(nx.drawing.layout, "spring_layout", refuse)
    ex = Explorer(Settings("baseline", seed=1))
    ex.step(3)
    assert ex.rebuild()
    assert ex.frame is not None and ex.frame.day == 0
    ex.close()


def test_live_charts_update_incrementally() -> None:
    charts = LiveCharts("zh")
    series = {m: np.linspace(0, 1, 400) for m in LIVE_METRICS}
    series["issues_open"] = np.linspace(0, 80, 400)        # outgrows the y axis
    first = charts.update({m: v[:10] for m, v in series.items()})
    # Counted, not timed (a loaded machine makes any time bound flaky): a new day redraws
    # only the lines; the whole figure is redrawn only when an axis has to grow.
    full, real = [], charts._full_redraw
    charts._full_redraw = lambda: (full.append(1), real())[1]
    charts.update({m: v[:12] for m, v in series.items()})   # only the lines are redrawn
    assert not full
    later = charts.update({m: v[:200] for m, v in series.items()})
    redraws = len(full)
    longer = charts.update(series)                          # past day 365: x axis grows
    assert len(full) == redraws + 1
    assert first.startswith(PNG) and first != later != longer
    assert charts.horizon >= 399


def test_chinese_pictures_need_a_font_or_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import commgov.viz.fonts as fonts
    monkeypatch.setattr(fonts, "setup_matplotlib", lambda: False)
    assert fonts.picture_lang("zh") == "en"
    assert fonts.picture_lang("en") == "en"
    monkeypatch.undo()
    assert picture_lang("zh") in ("zh", "en")


# ------------------------------------------------------------------------------- session
def test_explorer_steps_resets_and_matches_a_plain_run() -> None:
    frames = []
    ex = Explorer(Settings("red_property", seed=5), on_frame=frames.append)
    ex.step(30)
    assert ex.frame.day == 30 and frames[-1].day == 30
    assert [f.id for f in frames] == sorted(f.id for f in frames)
    direct = CommunityModel(scenario="red_property", rng=5)
    direct.run_for(30)
    assert ex.model.datacollector.model_vars["trust_mean"] == \
        direct.datacollector.model_vars["trust_mean"]
    ex.rebuild()
    assert ex.frame.day == 0
    ex.step(30)
    assert ex.model.datacollector.model_vars["trust_mean"] == \
        direct.datacollector.model_vars["trust_mean"]
    ex.close()


def test_settings_changes_are_debounced_and_bad_ones_reported() -> None:
    ex = Explorer(Settings())
    for v in (19.0, 20.0, 21.0):
        ex.schedule_rebuild(Settings(overrides=(("staff.per_10k_residents", v),)), delay=0.1)
    deadline = time.time() + 10
    while ex.settings.override_dict.get("staff.per_10k_residents") != 21.0:
        assert time.time() < deadline
        time.sleep(0.05)
    assert ex.model.params.staff.per_10k_residents == 21.0
    assert not ex.rebuild(Settings("no_such_scenario"))
    assert "no_such_scenario" in ex.frame.error
    ex.close()


def test_summary_measures_change_from_a_defined_start() -> None:
    ex = Explorer(Settings(seed=2))
    ex.step(60)
    s = ex.frame.summary
    assert set(s) == set(SUMMARY_METRICS)
    assert s["trust_mean"].since == 0 and s["resolved_share"].since > 0
    assert s["fee_collection_rate"].value == pytest.approx(
        ex.model.datacollector.model_vars["fee_collection_rate"][-1])
    empty = summarise({m: np.zeros(1) for m in (*SUMMARY_METRICS, "issues_reported_total",
                                                  "issues_resolved_total")})
    assert empty["resolved_share"].value is None
    ex.close()


def test_two_sessions_do_not_share_a_model() -> None:
    a, b = Explorer(Settings(seed=1)), Explorer(Settings(seed=1))
    a.step(10)
    assert a.model is not b.model and b.frame.day == 0 and a.frame.day == 10
    a.close()
    b.close()


def test_run_loop_keeps_pace_and_stays_responsive() -> None:
    """Stepping 3,000 households while drawing: the set speed, and ≥ 20 days/s at max."""
    ex = Explorer(Settings("baseline", seed=1))
    frames = []
    ex.on_frame = frames.append
    ex.set_speed(20)
    ex.play()
    time.sleep(2.0)
    t = time.perf_counter()
    ex.pause()
    assert time.perf_counter() - t < 1.0            # the loop lets go promptly
    assert 15 <= ex.model.day <= 50     # ~20 days/s for 2 s (lenient: a shared machine)
    ex.rebuild()
    ex.set_speed(0)
    frames.clear()
    start = time.perf_counter()
    ex.play()
    time.sleep(3.0)
    ex.pause()
    rate = ex.model.day / (time.perf_counter() - start)
    print(f"\n3,000 households, drawing {len(frames) / 3:.1f} frames/s: {rate:.0f} days/s")
    assert rate >= 20
    assert len(frames) >= 6                         # it kept drawing while running
    ex.close()


# ------------------------------------------------------------------------------- compare
def test_same_policy_on_same_seeds_shows_no_difference() -> None:
    res = compare(Setup("baseline"), Setup("baseline"), days=60, seeds=(0, 1))
    assert all(r.diff == 0 and r.verdict == 0 for r in res.rows)
    assert tradeoff_text(res, "en") == i18n.t("compare.nodiff", "en")


def test_verdicts_need_a_confidence_interval_that_excludes_zero() -> None:
    from commgov.viz.compare import verdict
    assert verdict("on_time_share", 0.01, 0.03) == 1           # higher is better, CI > 0
    assert verdict("issues_open", 1.0, 2.0) == -1              # more open issues: worse
    assert verdict("escalated_share", -0.02, -0.01) == 1       # fewer escalations: better
    assert verdict("on_time_share", -0.01, 0.03) == 0          # CI spans zero
    assert verdict("on_time_share", float("nan"), float("nan")) == 0   # one replication
    assert verdict("residents", 5.0, 9.0) == 0                 # no good direction


def test_grid_merging_shows_its_trade_off_with_paired_intervals() -> None:
    from scipy import stats

    from commgov.viz.compare import end_value
    seeds = (0, 1, 2, 3)
    res = compare(Setup("baseline"), Setup("grid_merge"), days=120, seeds=seeds)
    rows = {r.metric: r for r in res.rows}
    assert rows["office_uncovered_share"].verdict == -1
    assert rows["office_wait_share_90d"].verdict == -1     # the office's cost [000, 001]
    assert rows["households_per_worker"].verdict == 1      # cadres join the grid
    for r in res.rows:                      # a verdict exactly when the CI excludes zero
        assert r.n == len(seeds)
        assert (r.verdict != 0) == (r.lo > 0 or r.hi < 0) or DIRECTION.get(r.metric, 0) == 0
    # the interval is the paired t interval of B − A on the same seeds
    d = np.array([end_value("on_time_share", b) - end_value("on_time_share", a)
                  for a, b in zip(res.runs_a, res.runs_b, strict=True)])
    lo, hi = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert rows["on_time_share"].lo == pytest.approx(lo)
    assert rows["on_time_share"].hi == pytest.approx(hi)
    for lang in i18n.LANGS:
        text = tradeoff_text(res, lang)
        assert i18n.metric_label("office_uncovered_share", lang) in text
    assert compare_png(res.runs_a, res.runs_b, COMPARE_METRICS, "A", "B", "zh").startswith(PNG)
    assert fmt_value("on_time_share", 0.8123) == "81.2%"
    assert fmt_value("on_time_share", 0.05, signed=True) == "+5.0 pts"
    assert fmt_value("trust_mean", 0.5) == "50.0"


def test_one_replication_gives_no_verdict() -> None:
    res = compare(Setup("baseline"), Setup("grid_merge"), days=60, seeds=(0,))
    assert all(r.verdict == 0 and np.isnan(r.half) for r in res.rows)


def test_comparison_in_a_process_pool_matches_one_in_process() -> None:
    from commgov.experiments.engine import SharedPool
    here = compare(Setup("baseline"), Setup("red_property"), days=20, seeds=(0, 1))
    seen = []
    pool = SharedPool(2)
    try:
        there = compare(Setup("baseline"), Setup("red_property"), days=20, seeds=(0, 1),
                        pool=pool, progress=lambda d, t: seen.append((d, t)))
        assert there.rows == here.rows
        assert seen[-1] == (4, 4) and len(seen) == 4
        warm = pool.executor()
        assert compare(Setup(), Setup(), days=20, seeds=(0,), pool=pool,
                       cancelled=lambda: True) is None
        assert pool.executor() is warm      # the same warm workers for the next request
    finally:
        pool.close()


def test_the_app_compares_in_the_servers_one_pool() -> None:
    from commgov.experiments import engine
    from commgov.viz import compare as cmp
    from commgov.viz import limits, worker
    assert cmp.server_pool() is cmp.server_pool() is engine.shared_pool(limits.COMPARE_WORKERS)
    assert not hasattr(worker, "compare_pool")


def test_compare_can_be_cancelled() -> None:
    assert compare(Setup(), Setup(), days=30, seeds=(0,), cancelled=lambda: True) is None


# ------------------------------------------------------------------------------- serve
def test_viz_command_line() -> None:
    from commgov.viz import assets, serve
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    serve.add_parser(sub)
    args = parser.parse_args(["viz"])
    assert (args.host, args.port, args.func) == ("127.0.0.1", 8765, serve.cmd_viz)
    args = parser.parse_args(["viz", "--host", "0.0.0.0", "--port", "9000"])
    assert (args.host, args.port) == ("0.0.0.0", 9000)
    cmd = serve.server_command("127.0.0.1", 9000)
    assert str(serve.APP) in cmd and "--production" in cmd and "9000" in cmd
    assert serve.address("127.0.0.1", 9000) == "http://127.0.0.1:9000/"
    assert {p for p, _ in assets.required()} >= {"requirejs", "font-awesome"}


def test_viz_refuses_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    from commgov.viz import serve
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code = serve.cmd_viz(argparse.Namespace(host="127.0.0.1", port=port))
    assert code == 2 and "in use" in capsys.readouterr().err


# ------------------------------------------------------------------------------- page
def _all_widgets(root: widgets.Widget) -> list[widgets.Widget]:
    out, stack, seen = [], [root], set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        out.append(w)
        stack.extend(c for c in (getattr(w, "children", None) or ())
                     if isinstance(c, widgets.Widget))
    return out


def _by_class(root: widgets.Widget, cls: str) -> list[widgets.Widget]:
    def has(w: widgets.Widget) -> bool:
        attrs = getattr(w, "attributes", None) or {}
        return (cls in str(getattr(w, "class_", "") or "").split()
                or cls in (getattr(w, "_dom_classes", ()) or ())
                or cls in str(attrs.get("class", "")).split())
    return [w for w in _all_widgets(root) if has(w)]


def _text(root: widgets.Widget) -> str:
    parts = []
    for w in _all_widgets(root):
        for c in getattr(w, "children", None) or ():
            if isinstance(c, str):
                parts.append(c)
        if isinstance(getattr(w, "v_model", None), str):
            parts.append(w.v_model)
        if isinstance(getattr(w, "unsafe_innerHTML", None), str):
            parts.append(w.unsafe_innerHTML)
    return " ".join(parts)


def _wait(cond, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.serial         # waits for renders: run alone by `make test`
def test_page_renders_and_reacts_headlessly() -> None:
    import solara
    from solara.components.applayout import AppLayout

    from commgov.viz.components import Page

    box, rc = solara.render(AppLayout(children=[Page()]), handle_error=False)
    try:
        assert "Explore a community" in _text(box)
        _wait(lambda: bool(_by_class(box, "cg-summary")), timeout=150)   # worker started
        day = _by_class(box, "cg-day")[0]
        assert day.children[0].startswith("Day 0")
        _by_class(box, "cg-step")[0].click()
        _wait(lambda: _by_class(box, "cg-day")[0].children[0].startswith("Day 1"), 30)
        _by_class(box, "cg-month")[0].click()
        _wait(lambda: _by_class(box, "cg-day")[0].children[0].startswith("Day 31"), 30)
        # language switch (the toggle's value is what the browser sets): labels change
        _by_class(box, "cg-lang")[0].v_model = "zh"
        _wait(lambda: "探索社区" in _text(box))
        _wait(lambda: "前进 1 天" in _text(box), 60)   # the page re-renders in parts
        # a lesson loads its "before" state; "make the change" switches the lever live
        import ipyvuetify as v
        [t for t in _all_widgets(box) if isinstance(t, v.Tabs)][0].v_model = 2
        _wait(lambda: bool(_by_class(box, "cg-lesson-load")))
        load = [w for w in _by_class(box, "cg-lesson-load")
                if w in _all_widgets(_by_class(box, "cg-lesson-red_property")[0])][0]
        load.click()
        _wait(lambda: bool(_by_class(box, "cg-lesson-title")))
        assert "红色物业" in _text(box)
        _wait(lambda: _by_class(box, "cg-day")[0].children[0].startswith("第 0 天"), 30)
        _by_class(box, "cg-month")[0].click()
        _wait(lambda: _by_class(box, "cg-day")[0].children[0].startswith("第 30 天"), 30)
        _by_class(box, "cg-lesson-apply")[0].click()
        _wait(lambda: "已改变" in _text(box), 30)
        _wait(lambda: not _by_class(box, "cg-pending"), 30)       # the model caught up
        assert _by_class(box, "cg-day")[0].children[0].startswith("第 30 天")   # same run
    finally:
        rc.close()


# ------------------------------------------------------------------------------- fonts
def _fresh_session_rc() -> None:
    """What a second Solara session sees: its own rcParams, at matplotlib's defaults."""
    import matplotlib
    matplotlib.rcParams.update(matplotlib.rcParamsDefault)
    matplotlib.rcParams["backend"] = "Agg"


def test_every_picture_sets_its_own_fonts(model: CommunityModel) -> None:
    """Chinese labels get the CJK font even when this session's rcParams never got it."""
    import matplotlib

    from commgov.viz.charts import compare_figure, figure_svg, text_families
    from commgov.viz.fonts import cjk_family
    fam = cjk_family()
    if fam is None:
        pytest.skip("no CJK font installed (tests/browser/setup.sh installs one)")
    saved = dict(matplotlib.rcParams)
    try:
        for _ in range(2):                       # first and second "session"
            _fresh_session_rc()
            charts = LiveCharts("zh")
            charts.update({m: np.linspace(0, 1, 30) for m in LIVE_METRICS})
            pic = NetworkPicture(model, "zh")
            res = compare(Setup("baseline"), Setup("baseline"), days=5, seeds=(0,))
            cmp = compare_figure(res.runs_a, res.runs_b, COMPARE_METRICS, "甲", "乙", "zh")
            for fig in (charts.fig, pic.overlay_fig, cmp):
                families = text_families(fig)
                assert families and all(fam in f for f in families)
            svg = charts.svg()
            assert fam.replace(" ", "").encode() in svg      # glyph outlines from the CJK font
            assert figure_svg(cmp).count(fam.replace(" ", "").encode()) > 5
    finally:
        matplotlib.rcParams.update(saved)


# ------------------------------------------------------------------------------- runs
def test_live_lever_applies_at_the_next_step_and_others_restart() -> None:
    ex = Explorer(Settings("baseline", seed=4))
    ex.step(30)
    fee_before = ex.model.datacollector.model_vars["fee_collection_rate"][-1]
    assert fee_before < 0.7                                 # the status quo: ~60%
    red = Settings("baseline", (("property.red_property", True),), 4)
    assert ex.apply(red)
    assert ex.model.day == 30 and ex.frame.changed_day == 30  # same run, changed today
    assert ex.frame.levers["property.red_property"] is True
    ex.step(300)
    fee_after = ex.model.datacollector.model_vars["fee_collection_rate"][-1]
    assert fee_after > fee_before + 0.15                   # the class sees fees climb
    assert ex.frame.start["fee_collection_rate"] == pytest.approx(
        ex.model.datacollector.model_vars["fee_collection_rate"][30])
    merged = Settings("baseline", (("grid.merged", True), ("property.red_property", True)), 4)
    assert ex.apply(merged)                                 # structural: a clean restart
    assert ex.model.day == 0 and ex.frame.levers["grid.merged"] is True
    assert ex.frame.changed_day is None
    ex.close()


def test_run_to_day_stops_exactly_there() -> None:
    ex = Explorer(Settings(seed=1))
    ex.set_speed(0)
    ex.run_to(45)
    deadline = time.time() + 60
    while ex.frame.playing or ex.frame.day == 0:       # what the page watches
        assert time.time() < deadline
        time.sleep(0.05)
    assert ex.model.day == 45 and ex.frame.day == 45 and not ex.playing
    ex.run_to(10)                                           # already passed: nothing runs
    assert not ex.playing and ex.model.day == 45
    ex.close()


def test_exports_are_files_the_cli_reads(tmp_path) -> None:
    import io

    import pandas as pd

    from commgov.scenarios.loader import load_scenario as load
    settings = Settings("red_property", (("staff.per_10k_residents", 24.5),
                                         ("workers.task_access_cut", 0.4)), 7)
    ex = Explorer(settings)
    ex.step(12)
    csv = pd.read_csv(io.BytesIO(ex.export("metrics.csv")))
    pq = pd.read_parquet(io.BytesIO(ex.export("metrics.parquet")))
    assert len(csv) == len(pq) == 13 and "fee_collection_rate" in pq.columns
    assert ex.export("charts.svg").lstrip().startswith(b"<?xml")
    assert ex.export("map.png").startswith(PNG)
    path = tmp_path / "mine.toml"
    path.write_bytes(ex.export("scenario.toml"))
    loaded = load(str(path)).scenario
    assert loaded.staff.per_10k_residents == 24.5 and loaded.property.red_property
    assert loaded.workers.task_access_cut == 0.4
    with pytest.raises(ValueError, match="unknown export"):
        ex.export("secrets.txt")
    ex.close()


def test_share_links_round_trip_and_name_bad_parts() -> None:
    from commgov.viz.links import parse_query, share_query
    s = Settings("red_property", (("grid.merged", True), ("staff.per_10k_residents", 24.5)), 9)
    back, problems = parse_query(share_query(s, "zh"))
    assert back["settings"] == s and back["lang"] == "zh" and not problems
    back, problems = parse_query("scenario=nope&seed=-3&staff.per_10k_residents=999"
                                 "&grid.merged=maybe&rm_rf=1")
    assert back["settings"] == Settings()
    text = " | ".join(problems)
    for part in ("scenario='nope'", "seed='-3'", "staff.per_10k_residents='999'",
                 "allowed: 10 to 50", "grid.merged='maybe'", "unknown key 'rm_rf'"):
        assert part in text, part
    assert parse_query("x=" + "1" * 5000)[1]


def test_lessons_start_before_the_change_and_the_change_makes_b() -> None:
    from commgov.viz.components import lever_changes
    for ls in LESSONS:
        change = ls.change()
        assert change, ls.id
        assert ls.explore == ls.a
        made = load_scenario(ls.a.scenario, model_kwargs({**ls.a.overrides, **change}))
        want = load_scenario(ls.b.scenario, model_kwargs(ls.b.overrides))
        a, b = made.scenario.model_dump(), want.scenario.model_dump()
        for key in META_KEYS:           # names and descriptions; every parameter agrees
            a.pop(key), b.pop(key)
        assert a == b, ls.id
        for lang in i18n.LANGS:
            assert all("→" in c for c in lever_changes(ls, lang))
    m = CommunityModel(scenario="baseline", rng=0)        # red property's lesson start
    assert m.datacollector.model_vars["fee_collection_rate"][0] < 0.7


# ------------------------------------------------------------------------------- workers
def test_remote_session_runs_in_its_own_process_and_never_goes_out_of_step() -> None:
    import os

    from commgov.viz.worker import RemoteExplorer, drawing_interval
    assert drawing_interval(1) == 0.2 and drawing_interval(6) == pytest.approx(0.4)
    assert drawing_interval(30) == 2.0
    r = RemoteExplorer(Settings(seed=2))
    try:
        assert r.wait_frame() is not None
        assert r._worker.proc.pid != os.getpid()
        r.set_speed(0)
        r.play()
        # a burst of changes while running: the model ends with the last one, never another
        for i in range(12):
            r.rebuild(Settings(overrides=(("staff.per_10k_residents", 18.0 + i),
                                          ("grid.merged", i % 2 == 1)), seed=2))
        deadline = time.time() + 90
        while r.pending or r.frame.levers["staff.per_10k_residents"] != 29.0:
            assert time.time() < deadline, "the worker never caught up"
            time.sleep(0.1)
        f = r.frame
        assert f.settings == r.settings and f.levers["grid.merged"] is True
        assert f.playing
        r.pause()
        day = r.frame.day
        assert r.fetch("scenario.toml").startswith(b"# Exported")
        time.sleep(0.5)
        assert r.frame.day == day or not r.frame.playing
    finally:
        r.close()
    assert not r._worker.is_alive()


# ------------------------------------------------------------------ upload and inspect
@pytest.mark.parametrize("files, says", [
    ([("s.toml", b"[staff]\nper_10k_residents = -3\n")],
     "s.toml: staff.per_10k_residents = -3 is out of range"),
    ([("s.toml", b'[graph]\nfile = "/etc/passwd"\n')], "cannot name files on the server"),
    ([("s.toml", b'extends = "../../etc/x"\n')], "may extend only one of the app's"),
    ([("s.toml", b"a = [\n")], "s.toml, end of document: invalid TOML"),
    ([("s.toml", b"#" * 2_000_001)], "2,000,001 bytes; the app accepts files up to"),
    ([("s.toml", b'[graph]\ncommunities = 20\nhouseholds_per_community = 10000\n')],
     "s.toml: 200,000 households is more than the app runs"),
    ([("../../etc/passwd", b"x")], "passwd: not a file type the app reads"),
    ([("g.graphml", b"<graphml>nope")], "g.graphml: cannot be read as GraphML"),
    ([("edges.csv", b"source,target\n1,2\n")], "needs its node table"),
])
def test_uploads_are_data_with_the_clis_named_errors(files, says) -> None:
    from commgov.viz import limits, upload
    with pytest.raises(limits.AppLimitError, match=re.escape(says)) as err:
        upload.accept(files)
    assert "commgov-upload-" not in str(err.value)      # our private folder is never shown


def test_an_uploaded_graph_runs_exports_and_is_inspected(tmp_path) -> None:
    import io

    import networkx as nx

    from commgov.model.graph import generate
    from commgov.scenarios.loader import load_scenario
    from commgov.scenarios.schema import GraphSpec
    from commgov.viz import upload
    from commgov.viz.session import Explorer
    nb = generate(GraphSpec(communities=1, households_per_community=200,
                            grids_per_community=2, compounds_per_community=3),
                  np.random.default_rng(3))
    buf = io.BytesIO()
    nx.write_graphml(nb.graph, buf)
    up = upload.accept([("my street.graphml", buf.getvalue())])
    ex = Explorer(Settings(up.key, (("staff.per_10k_residents", 24.5),), 1, upload=up))
    try:
        assert ex.error == "" and ex.model.neighbourhood.n_households == 200
        ex.step(20)
        # the exported scenario runs next to the uploaded file, as uploaded
        (tmp_path / "my street.graphml").write_bytes(buf.getvalue())
        (tmp_path / "s.toml").write_bytes(ex.export("scenario.toml"))
        loaded = load_scenario(tmp_path / "s.toml")
        assert loaded.scenario.staff.per_10k_residents == 24.5
        # a click on a household's disc, a worker's triangle, a compound's corner
        pic = ex.picture
        px, py = pic.node_px
        ex.inspect(px[7], py[7])
        assert ex.frame.inspection.title == "Household 8"
        rows = dict(ex.frame.inspection.rows)
        trust = ex.model.households.trust[7]
        assert rows["Trust in the community"] == f"{100 * trust:.0f}%"
        wx, wy = pic.worker_px
        ex.inspect(wx[0], wy[0])
        assert ex.frame.inspection.pick.kind == "worker"
        ex.set_view(lang="zh")
        assert ex.frame.inspection.title.startswith("网格员")
        ex.inspect(-1, -1)
        assert ex.frame.inspection is None
    finally:
        ex.close()
    # the key is no path: an unknown upload key is refused by name
    from commgov.viz import limits
    with pytest.raises(limits.AppLimitError, match="upload the file again"):
        limits.check_settings("upload:0000000000000000", {})


@pytest.mark.parametrize("households", [
    1500, pytest.param(3000, marks=pytest.mark.slow)])
def test_budget_lesson_is_a_trade_off_at_about_the_same_cost(households: int) -> None:
    """'What 150,000 yuan a year buys': more staff (A) against red property with the
    integrated platform (B), paired seeds. In the app's community (3,000 households) they
    cost about the same; at any size B collects far more fees [000] and frees grid workers'
    time [000, 003], A keeps the office from making residents wait [001]; the cost table
    prices B's gains or says n/a."""
    from commgov.model.community import CommunityModel
    from commgov.model.costs import cost_per_year
    from commgov.viz.lessons import LESSON_BY_ID
    ls = LESSON_BY_ID["budget"]
    costs = []
    for setup in (Setup(), ls.a, ls.b):       # the lesson's own community, at day 0
        costs.append(cost_per_year(CommunityModel(scenario=setup.scenario, rng=0,
                                                  **model_kwargs(setup.overrides))))
    base, a, b = costs
    assert 120_000 < a - base < 200_000 and 120_000 < b - base < 200_000
    assert abs(a - b) < 0.1 * (a - base), "two mixes of about the same cost"
    size = {"graph.households_per_community": households}
    res = compare(Setup(ls.a.scenario, {**ls.a.overrides, **size}),
                  Setup(ls.b.scenario, {**ls.b.overrides, **size}), days=300, seeds=(0, 1, 2))
    rows = {r.metric: r for r in res.rows}
    assert rows["fee_collection_rate"].lo > 0.15              # B: fees [000]
    assert rows["worker_field_share"].lo > 0                  # B: time in the field
    assert rows["office_wait_share_90d"].lo > 0               # A: nobody waits [001]
    assert rows["office_wait_share_90d"].a < rows["office_wait_share_90d"].b
    for lang in i18n.LANGS:
        text = tradeoff_text(res, lang)
        assert i18n.metric_label("fee_collection_rate", lang) in text
        assert i18n.metric_label("office_wait_share_90d", lang) in text
    assert {r.outcome for r in res.costs} == {"resolved", "trust", "participant"}


@pytest.mark.serial         # waits for renders and a comparison in the server's pool
def test_compare_panel_runs_a_comparison_in_the_servers_pool_headlessly() -> None:
    import solara

    from commgov.viz.components import ComparePanel

    a, b = solara.reactive(Setup("baseline")), solara.reactive(Setup("red_property"))
    days, reps = solara.reactive(90), solara.reactive(2)
    result, progress = solara.reactive(None), solara.reactive((0, 0))
    run_request = solara.reactive(0)
    box, rc = solara.render(ComparePanel(a, b, days, reps, result, progress, run_request,
                                         "en"), handle_error=False)
    try:
        slider = _by_class(box, "cg-seeds")[0]
        assert (slider.min, slider.max, slider.v_model) == (1, 30, 2)
        slider.v_model = 3                       # what the browser sets
        _wait(lambda: reps.value == 3)
        _wait(lambda: "Replications (paired seeds): 3" in _text(box))
        assert "Days to simulate: 90" in _text(box)
        reps.set(2)
        run_request.set(1)                       # a lesson's "Compare A and B"
        _wait(lambda: result.value is not None, 120)
        req, res = result.value
        assert req.reps == 2 and not isinstance(res, str), res
        here = compare(Setup("baseline"), Setup("red_property"), days=90, seeds=(0, 1))
        assert res.rows == here.rows             # the pool's numbers are this process's
    finally:
        rc.close()
