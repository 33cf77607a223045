"""The page's Solara components: explore a community, compare two policies, lessons.

Mesa's SolaraViz is not used for the page itself: its controller labels cannot be
translated, its reset rebuilds only from ``model_params``, and its network drawing runs a
spring layout. Instead each browser session owns an :class:`~commgov.viz.session.Explorer`
(model, run loop in a thread, pictures) and these components show its latest frame.
Every visible word comes from :mod:`commgov.viz.i18n`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import reacton.ipyvuetify as rv
import solara

from commgov.experiments import costeff
from commgov.experiments.timemarks import Mark, scenario_marks
from commgov.model.metrics import metric_record
from commgov.scenarios.loader import list_scenarios
from commgov.viz import i18n, limits
from commgov.viz import upload as upload_mod
from commgov.viz.charts import COMPARE_METRICS, compare_png, direction
from commgov.viz.compare import (
    Comparison,
    Row,
    compare,
    fmt_value,
    server_pool,
    tradeoff_text,
)
from commgov.viz.lessons import LESSON_BY_ID, LESSONS, Lesson, Setup
from commgov.viz.levers import (
    GROUP_ORDER,
    LEVER_BY_KEY,
    LEVERS,
    Lever,
    clean_overrides,
    effective,
    timeline_keys,
)
from commgov.viz.links import parse_query, share_query
from commgov.viz.network import COLOUR_BY, legend
from commgov.viz.session import SPEEDS, SUMMARY_METRICS, Frame, Settings
from commgov.viz.upload import Upload
from commgov.viz.worker import RemoteExplorer

PRIMARY = "#1f5f99"
# Vuetify's default alert colours (info #2196F3, warning #FB8C00, success #4CAF50) are 2.2-3.1:1
# on white, below WCAG AA's 4.5:1 for text (issue 13, item 8); these darker tones are 6.4-6.9:1.
ALERT_COLOURS = {"info": "#0d5aa7", "warning": "#8c4a00", "error": "#b3261e",
                 "success": "#2e6b30"}
CLASS_DAYS_PER_S = 20       # what a lesson needs (issue 13): below it, a shared server says so
CSS = """
.cg-page { max-width: 1680px; margin: 0 auto; padding: 0 18px 24px 18px;
           font-size: 14.5px; color: #1f2933; }
.cg-header { background: #16324f; color: white; padding: 14px 22px; margin: 0 -18px 0 -18px;
             display: flex; align-items: center; justify-content: space-between; }
.cg-header > div, .cg-header .v-sheet { background: transparent !important; }
.cg-header h1 { font-size: 23px; font-weight: 600; margin: 0; color: white !important; }
.cg-header .cg-sub { font-size: 13.5px; color: #dde6ef !important; margin-top: 2px; }
.cg-lang .v-btn { text-transform: none !important; font-size: 14px; letter-spacing: 0; }
.cg-grid { display: grid; grid-template-columns: 320px minmax(0, 1fr) 340px; gap: 16px;
           align-items: start; margin-top: 12px; }
/* A projector (1280×720) or a laptop: two columns, so the map and charts get the width. */
@media (max-width: 1500px) { .cg-grid { grid-template-columns: 300px minmax(0, 1fr); }
                             .cg-right { grid-column: 1 / -1; } }
/* A phone (390 px): one column, nothing wider than the screen. */
@media (max-width: 760px) {
  .cg-page { padding: 0 8px 16px 8px; max-width: 100vw; box-sizing: border-box; }
  .cg-header { margin: 0 -8px; padding: 10px 12px; flex-wrap: wrap; gap: 8px; }
  .cg-header h1 { font-size: 19px; }
  .cg-grid { grid-template-columns: minmax(0, 1fr); }
  .cg-cmp { grid-template-columns: minmax(0, 1fr) !important; }
  .cg-lessons { grid-template-columns: minmax(0, 1fr) !important; }
  .cg-tabs .v-tab { font-size: 13px; padding: 0 8px; min-width: 0; }
  .cg-cmp-slider { min-width: 0; flex: 1 1 100%; }
  .cg-compare-result, .cg-cmp-controls, .cg-panel { max-width: 100%; }
}
.cg-page * { min-width: 0; }
/* An indeterminate bar's moving stripe must not widen the page on a phone. */
.cg-page .v-progress-linear, .cg-page .v-field__loader { overflow: hidden; max-width: 100%;
                                                          contain: paint; }
.cg-page img { max-width: 100%; }
.sr-label .v-label, .cg-slider .v-label, .cg-speed .v-label, .cg-days .v-label,
.cg-seeds .v-label { position: absolute !important; width: 1px; height: 1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.cg-table-wrap { overflow-x: auto; }
/* WCAG AA contrast for Vuetify's field labels (its default is 3.97:1). */
.cg-page .v-field-label, .cg-page .v-label { opacity: 1 !important; color: #3e4c59 !important; }
.cg-cmp-controls { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: center; }
.cg-cmp-slider { min-width: 220px; flex: 1 1 220px; }
.cg-pending .cg-lever-label::after { content: " …"; }
.cg-pending-note, .cg-page .cg-slow { color: #8a4b00; }
/* Stale results: a dashed frame and a grey chart, not faded text (faded text fails AA). */
.cg-stale { outline: 2px dashed #8c4a00; outline-offset: -2px; }
.cg-stale img { filter: grayscale(1); }
.cg-lesson-body { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr));
                  gap: 0 22px; }
.cg-lesson-body .cg-q { font-size: 14.5px; font-weight: 600; margin: 0 0 4px 0; }
.cg-try { font-size: 13.5px; margin: 0; }
.cg-watch { display: grid; grid-template-columns: 1fr; gap: 4px; margin: 2px 0 6px 0; }
.cg-watch-item { display: flex; justify-content: space-between; gap: 8px;
                 background: #fff8e1; border-left: 4px solid #e0701b; padding: 3px 8px;
                 font-size: 13.5px; }
.cg-changes { margin: 0 0 4px 0; padding-left: 18px; font-size: 13.5px; }
.cg-inspect-table { border-collapse: collapse; font-size: 13px; width: 100%; }
.cg-inspect-table th { text-align: left; font-weight: 500; color: #3e4c59; padding: 1px 8px 1px 0; }
.cg-inspect-table td { padding: 1px 0; }
.cg-inspect h4 { font-size: 14.5px; margin: 4px 0; color: #16324f; }
.cg-upload h3 { font-size: 14px; font-weight: 600; margin: 8px 0 2px 0; color: #16324f; }
.cg-info .cg-h4 { font-size: 14px; font-weight: 600; margin: 10px 0 3px 0; color: #16324f; }
.cg-info .cg-h { font-size: 16.5px; font-weight: 600; margin: 2px 0 6px 0; color: #16324f; }
.cg-explain summary { cursor: pointer; font-weight: 600; color: #1f5f99; margin-top: 8px; }
.cg-explain p { font-size: 13.5px; line-height: 1.5; margin: 4px 0; }
h2.cg-h { font-size: 15.5px; font-weight: 600; margin: 0 0 8px 0; color: #16324f; }
.cg-panel { background: white; border: 1px solid #d9e2ec; border-radius: 8px;
            padding: 12px 14px; }
.cg-panel h3 { font-size: 15.5px; font-weight: 600; margin: 0 0 8px 0; color: #16324f; }
.cg-caption { font-size: 12px; color: #52606d; line-height: 1.3; }
.cg-lever { padding: 6px 0 8px 0; border-bottom: 1px solid #eef2f6; }
.cg-lever .cg-lever-label { font-size: 13.5px; font-weight: 500; }
.cg-lever .cg-value { font-weight: 600; color: #16324f; text-align: right; }
.cg-lever .v-switch .v-label { white-space: normal; }
.cg-lever .v-selection-control { min-width: 0; max-width: 100%; }
img.cg-compare-img { width: 100%; height: auto; }
.cg-changed .cg-lever-label::after { content: " ●"; color: #e0701b; }
.cg-lever .v-switch .v-label { font-size: 13.5px; opacity: 1; font-weight: 500; }
.cg-cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr));
            gap: 10px; }
.cg-card { background: white; border: 1px solid #d9e2ec; border-radius: 8px;
           padding: 9px 11px; }
.cg-card .cg-card-label { font-size: 12.5px; color: #52606d; min-height: 32px; }
.cg-card .cg-card-value { font-size: 25px; font-weight: 650; color: #16324f;
                          line-height: 1.15; }
.cg-card .cg-up { color: #2f855a; font-size: 12.5px; }
.cg-card .cg-down { color: #c53030; font-size: 12.5px; }
.cg-card .cg-flat { color: #52606d; font-size: 12.5px; }
.cg-map { position: relative; width: 100%; }
.cg-map img.cg-layer { position: absolute; top: 0; left: 0; width: 100%; height: 100%; }
.cg-map img.cg-base { position: relative; display: block; width: 100%; height: auto; }
.cg-legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12.5px;
             color: #334e68; margin-top: 6px; align-items: center; }
.cg-swatch { display: inline-block; width: 13px; height: 13px; border-radius: 50%;
             margin-right: 5px; vertical-align: -2px; border: 1px solid rgba(0,0,0,.25); }
.cg-swatch.cg-bar { width: 46px; border-radius: 3px; }
.cg-charts img { width: 100%; height: auto; display: block; }
.cg-day { font-size: 17px; font-weight: 600; color: #16324f; }
.cg-info h4 { font-size: 14px; font-weight: 600; margin: 12px 0 3px 0; color: #16324f; }
.cg-info p { margin: 0 0 4px 0; line-height: 1.5; font-size: 13.5px; }
.cg-papers { font-size: 12.5px; color: #52606d; margin-top: 10px; }
.cg-lessons { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr));
              gap: 16px; margin-top: 12px; }
.cg-lesson h3 { font-size: 16.5px; }
.cg-lesson .cg-q { font-size: 14.5px; font-style: italic; margin-bottom: 6px; }
.cg-table, .cg-cost-table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
.cg-table th, .cg-cost-table th { text-align: left; border-bottom: 2px solid #bcccdc;
               padding: 5px 8px; color: #334e68; }
.cg-table td, .cg-cost-table td { border-bottom: 1px solid #e4e7eb; padding: 4px 8px; }
.cg-table td.num, .cg-cost-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cg-better { color: #2f855a; font-weight: 600; }
.cg-worse { color: #c53030; font-weight: 600; }
.cg-cmp { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin-top: 12px; }
.cg-footer { font-size: 12px; color: #52606d; margin-top: 18px; text-align: center; }
.cg-tabs .v-tab { text-transform: none !important; font-size: 15px; letter-spacing: 0; }
.cg-error { color: #c53030; font-size: 13px; white-space: pre-wrap; }
.cg-btns .v-btn { text-transform: none !important; letter-spacing: 0; font-size: 14px; }
"""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def date_text(day: int, lang: str) -> str:
    """Day 0 is 1 January of year 1 (the model's calendar)."""
    year, doy = divmod(day, 365)
    d = dt.date(2023, 1, 1) + dt.timedelta(days=doy)
    month = i18n.t("months", lang).split()[d.month - 1]
    return i18n.t("date", lang, d=d.day, m=month, y=year + 1)


def speed_text(speed: int, lang: str) -> str:
    return i18n.t("run.max", lang) if speed <= 0 else f"{speed} {i18n.t('run.days_per_s', lang)}"


def _is_index(metric: str) -> bool:
    """A 0–1 index (trust) shown as 0–100 without a % sign, by its record's scale."""
    rec = metric_record(metric)
    return rec is not None and rec.scale == "index"


def summary_value(metric: str, value: float) -> str:
    return f"{value * 100:.0f}" if _is_index(metric) else f"{value * 100:.1f}%"


def scenario_names() -> list[tuple[str, str]]:
    return list_scenarios()


def _css_id(key: str) -> str:
    return key.replace(".", "-")


def run_in_thread(fn: Callable[[], Any]) -> None:
    """Run ``fn`` in the background; Solara hands the thread this session's context."""
    threading.Thread(target=fn, daemon=True).start()


# --------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------
@solara.component
def ScenarioPicker(value: str, on_value: Callable[[str], None], lang: str,
                   label_key: str = "scenario", css: str = "cg-scenario",
                   uploaded: Upload | None = None) -> None:
    """Any file in ``scenarios/``, by its planner-facing name; the description below.
    ``uploaded``: the session's uploaded community, offered as one more choice."""
    names = solara.use_memo(scenario_names, [])
    items = [{"title": i18n.scenario_label(n, lang), "value": n} for n, _ in names]
    desc = dict(names).get(value, "")
    if uploaded is not None:
        label = i18n.t("upload.loaded", lang, name=uploaded.name)
        items.append({"title": label, "value": uploaded.key})
        if value == uploaded.key:
            desc = label
    with solara.Column(gap="2px"):
        rv.Select(label=i18n.t(label_key, lang), items=items, v_model=value,
                  on_v_model=lambda v: on_value(str(v)), density="compact",
                  hide_details=True, variant="outlined", class_=css)
        solara.Text(i18n.scenario_description(value, lang, desc), classes=["cg-caption"])


@solara.component_vue("upload_input.vue")
def UploadInput(label: str, accept: str, max_bytes: int,
                event_upload: Callable[[list[dict[str, Any]]], None]) -> None:
    """A file input whose files reach the server as data (base64 text), never as paths."""


def read_upload(items: Any) -> upload_mod.Upload:
    """The browser's ``[{name, size, data}]`` as an accepted upload, or UploadError."""
    if not isinstance(items, list) or not items:
        raise upload_mod.UploadError(f"no file arrived; upload {upload_mod.ALLOWED}.")
    files: list[tuple[Any, bytes]] = []
    for item in items[:3]:
        item = item if isinstance(item, dict) else {}
        name = upload_mod._display(item.get("name", "upload"))
        size, data = item.get("size"), item.get("data")
        if isinstance(size, int) and size > limits.MAX_UPLOAD_BYTES or \
                isinstance(data, str) and len(data) > limits.MAX_UPLOAD_BYTES * 4 // 3 + 8:
            raise upload_mod.UploadError(
                f"{name} is {size:,} bytes; the app accepts files up to "
                f"{limits.MAX_UPLOAD_BYTES:,} bytes. Run bigger communities with "
                f"`run.py simulate`." if isinstance(size, int) else
                f"{name}: larger than the app accepts ({limits.MAX_UPLOAD_BYTES:,} bytes).")
        if not isinstance(data, str):
            raise upload_mod.UploadError(f"{name}: no file content arrived; upload it again.")
        try:
            raw = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise upload_mod.UploadError(f"{name}: the file did not arrive intact; upload it "
                                         f"again.") from None
        files.append((name, raw))
    return upload_mod.accept(files)


@solara.component
def UploadPanel(on_upload: Callable[[upload_mod.Upload], None], lang: str) -> None:
    """Upload a scenario or a graph, checked on the server like the CLI checks it."""
    problem = solara.use_reactive("")

    def got(items: list[dict[str, Any]]) -> None:
        try:
            up = read_upload(items)
        except limits.AppLimitError as exc:       # UploadError: named, shown, nothing runs
            problem.set(str(exc))
            return
        problem.set("")
        on_upload(up)

    with solara.Column(gap="4px", classes=["cg-upload"]):
        solara.HTML("h3", unsafe_innerHTML=i18n.t("upload.title", lang), classes=["cg-h4"])
        UploadInput(label=i18n.t("upload.button", lang),
                    accept=".toml,.graphml,.xml,.csv,.txt,.edgelist",
                    max_bytes=limits.MAX_UPLOAD_BYTES, event_upload=got)
        solara.Text(i18n.t("upload.help", lang, mb=f"{limits.MAX_UPLOAD_BYTES / 1e6:g}"),
                    classes=["cg-caption"])
        if problem.value:
            solara.Error(problem.value, classes=["cg-upload-error"])


@solara.component_vue("map_click.vue")
def MapClick(width: int, height: int, event_pick: Callable[[dict[str, float]], None]) -> None:
    """A transparent layer over the map that reports clicks in picture pixels."""


@solara.component
def InspectPanel(frame: Frame, on_close: Callable[[], None], lang: str) -> None:
    """The clicked household, grid worker or compound's firm, as it is on this day."""
    ins = frame.inspection
    with solara.Column(gap="2px", classes=["cg-inspect"]):
        if ins is None:
            solara.Text(i18n.t("inspect.hint", lang), classes=["cg-caption"])
            return
        with solara.Row(justify="space-between", style={"align-items": "baseline"}):
            solara.HTML("h4", unsafe_innerHTML=html.escape(ins.title),
                        classes=["cg-inspect-title"])
            solara.Button(i18n.t("inspect.close", lang), text=True, color="primary",
                          on_click=on_close, classes=["cg-inspect-close"])
        rows = "".join(f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td>"
                       f"</tr>" for k, v in ins.rows)
        solara.HTML("table", unsafe_innerHTML=f"<tbody>{rows}</tbody>",
                    classes=["cg-inspect-table"])


@solara.component
def LeverControl(lever: Lever, value: Any, on_value: Callable[[Any], None], lang: str,
                 changed: bool = False, disabled: bool = False, pending: bool = False) -> None:
    """One lever: label in a planner's words, value with its unit, source paper.

    ``pending``: the model does not run this value yet (it is restarting with it).
    """
    label = i18n.pick(lever.label, lang)
    help_pair = lever.help
    unit = i18n.pick(i18n.UNITS[lever.unit], lang)
    caption = f"{i18n.pick(help_pair, lang)} — {i18n.sources_text(lever.source, lang)}"
    shown = lever.to_display(value)
    classes = ["cg-lever", f"cg-lever-{_css_id(lever.key)}"] + (["cg-changed"] if changed else [])
    classes.append("cg-pending" if pending else "cg-applied")
    # A switch is server-authoritative: the browser toggles it at once, the server applies
    # the value it reports, then draws the switch anew from its own state after every click
    # (a new key), so a click that crossed a redraw in flight can never leave the page
    # showing what the model does not run (issue 13, item 3).
    clicks = solara.use_reactive(0)

    def clicked(v: Any) -> None:
        on_value(bool(v))
        clicks.set(clicks.value + 1)

    with solara.Column(gap="0px", classes=classes):
        if lever.is_bool:
            with solara.Row(gap="10px", style={"align-items": "center",
                                               "flex-wrap": "nowrap"}):
                rv.Switch(v_model=bool(shown), on_v_model=clicked, hide_details=True,
                          density="compact", color="primary", disabled=disabled,
                          class_="cg-switch", style_="flex: 0 0 auto",
                          label=label).key(f"{lever.key}-{clicks.value}")
        else:
            text = f"{shown:g}" if isinstance(shown, float) else f"{shown:,}"
            with solara.Row(gap="6px", justify="space-between"):
                solara.Text(label, classes=["cg-lever-label"])
                solara.Text(f"{text} {unit}", classes=["cg-value"])
            rv.Slider(v_model=shown, min=lever.lo, max=lever.hi, step=lever.step,
                      on_v_model=lambda v: on_value(lever.to_model(v)), hide_details=True,
                      density="compact", color="primary", disabled=disabled,
                      thumb_label=True, class_="cg-slider", label=label)
        if pending:
            solara.Text(i18n.t("run.pending", lang), classes=["cg-caption", "cg-pending-note"])
        solara.Text(caption, classes=["cg-caption"])


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    try:
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    except (TypeError, ValueError):
        return a == b


@solara.component
def LeverPanel(settings: Settings, on_settings: Callable[[Settings], None], lang: str,
               compact: bool = False, running: dict[str, Any] | None = None,
               current: Callable[[], Settings] | None = None) -> None:
    """Every lever and setting, grouped as a planner thinks of them.

    ``running``: the lever values of the running model (from its latest frame); a control
    whose value the model does not run yet is marked as pending.
    """
    values = effective(settings.scenario, settings.override_dict)
    # A lever the scenario's timeline changes follows the timeline: it shows what the model
    # runs today and is not set by hand (model/mechanisms/timeline.py).
    timed = timeline_keys(settings.scenario) - set(settings.override_dict)
    if running is not None:
        for key in timed:
            if key in running:
                values[key] = running[key]
    open_groups = solara.use_reactive([] if compact else [0])
    # A control may report a value after the settings changed under it (the browser
    # echoing a value the server set): read the settings of the latest render, and ignore
    # a "change" to the value that is already set, so a late echo never undoes a change.
    latest = solara.use_ref(settings)
    latest.current = settings

    def setter(key: str) -> Callable[[Any], None]:
        def set_value(v: Any) -> None:
            cur = latest.current
            if LEVER_BY_KEY[key].is_bool and current is not None:
                # A switch reports the value the browser shows after the click; it is
                # applied to the page's settings as they are now (the switch then shows
                # the server's state again: LeverControl).
                cur = current()
            if _same(effective(cur.scenario, cur.override_dict)[key], v):
                return
            merged = clean_overrides(cur.scenario, {**cur.override_dict, key: v})
            on_settings(cur.with_overrides(merged))
        return set_value

    # A fixed structure (the reset button is always there, only disabled), so a change
    # never re-creates the sliders and the keyboard focus stays where it is.
    with solara.Column(gap="4px"):
        with rv.ExpansionPanels(multiple=True, v_model=open_groups.value,
                                on_v_model=open_groups.set, variant="accordion",
                                class_="cg-groups"):
            for gi, group in enumerate(GROUP_ORDER):
                with rv.ExpansionPanel(value=gi):
                    rv.ExpansionPanelTitle(children=[i18n.pick(i18n.GROUPS[group], lang)],
                                           class_=f"cg-group-{group}")
                    with rv.ExpansionPanelText():
                        for lv in (x for x in LEVERS if x.group == group):
                            LeverControl(
                                lv, values[lv.key], setter(lv.key), lang,
                                changed=lv.key in settings.override_dict,
                                disabled=lv.key in timed or (bool(lv.disabled_unless)
                                                             and not values[lv.disabled_unless]),
                                pending=running is not None
                                and not _same(running.get(lv.key), values[lv.key]))
        solara.Button(i18n.t("settings.reset", lang), text=True, color="primary",
                      disabled=not settings.overrides,
                      on_click=lambda: on_settings(latest.current.with_overrides({})),
                      classes=["cg-settings-reset"])


@solara.component
def RunControls(explorer: RemoteExplorer, frame_r: solara.Reactive[Frame | None],
                playing: solara.Reactive[bool], settings: solara.Reactive[Settings],
                apply: Callable[[Settings], None], lang: str) -> None:
    """Step, run/pause, run to day N, reset, speed; the day, the date and the measured speed."""
    frame = frame_r.value
    day = frame.day if frame is not None else 0
    # The worker's frames say whether the model runs; until it has carried out the
    # last command, the page shows what was asked (so a click answers at once).
    running = playing.value if frame is None or explorer.pending else frame.playing
    speed_idx = solara.use_reactive(SPEEDS.index(explorer.speed))
    target = solara.use_reactive(365)

    def toggle() -> None:
        if running:
            explorer.pause()
            playing.set(False)
        else:
            explorer.play()
            playing.set(True)

    def reset() -> None:
        explorer.reset(settings.value)
        playing.set(False)

    def run_to() -> None:
        if target.value > day:
            explorer.run_to(int(target.value))
            playing.set(True)

    def set_speed(i: int) -> None:
        speed_idx.set(i)
        explorer.set_speed(SPEEDS[i])

    def set_seed(v: int | None) -> None:
        apply(Settings(settings.value.scenario, settings.value.overrides, int(v or 0)))

    with solara.Column(gap="8px", classes=["cg-panel"]):
        with solara.Row(justify="space-between", style={"align-items": "baseline"}):
            solara.Text(i18n.t("run.day", lang, d=day), classes=["cg-day"])
            solara.Text(date_text(day, lang), classes=["cg-caption", "cg-date"])
        with solara.Row(gap="6px", classes=["cg-btns"], style={"flex-wrap": "wrap"}):
            solara.Button(i18n.t("run.pause" if running else "run.play", lang),
                          icon_name="mdi-pause" if running else "mdi-play",
                          color="primary", on_click=toggle, classes=["cg-play"])
            solara.Button(i18n.t("run.step", lang), outlined=True, disabled=running,
                          on_click=lambda: explorer.step(1), classes=["cg-step"])
            solara.Button(i18n.t("run.month", lang), outlined=True, disabled=running,
                          on_click=lambda: explorer.step(30), classes=["cg-month"])
            solara.Button(i18n.t("run.reset", lang), outlined=True, on_click=reset,
                          icon_name="mdi-restore", classes=["cg-reset"])
        with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputInt(i18n.t("run.to_day", lang), value=target, dense=True,
                            continuous_update=True, classes=["cg-target"])
            with solara.Div(classes=["cg-btns"]):
                solara.Button(i18n.t("run.go", lang, d=target.value), outlined=True,
                              color="primary",
                              on_click=run_to, disabled=target.value <= day,
                              classes=["cg-run-to"])
        solara.Text(i18n.t("speed.label", lang, v=speed_text(SPEEDS[speed_idx.value], lang)),
                    classes=["cg-lever-label"])
        rv.Slider(v_model=speed_idx.value, min=0, max=len(SPEEDS) - 1, step=1,
                  on_v_model=lambda v: set_speed(int(v)), hide_details=True,
                  density="compact", color="primary", class_="cg-speed",
                  label=i18n.t("speed.short", lang))
        if frame is not None and running and frame.days_per_second > 0:
            solara.Text(f"{i18n.t('run.measured', lang)}: {frame.days_per_second:.0f} "
                        f"{i18n.t('run.days_per_s', lang)}", classes=["cg-caption", "cg-rate"])
        if frame is not None and running and frame.sessions > 1 and \
                0 < frame.days_per_second < CLASS_DAYS_PER_S and \
                (SPEEDS[speed_idx.value] == 0
                 or SPEEDS[speed_idx.value] > 1.5 * frame.days_per_second):
            # Degrading gracefully: a crowded server slows every session; say so and why.
            solara.Text(i18n.t("run.slow", lang, n=frame.sessions, c=os.cpu_count() or 1,
                               v=frame.days_per_second), classes=["cg-caption", "cg-slow"])
        if frame is not None and frame.sessions > 3:
            solara.Text(i18n.t("run.busy", lang, n=frame.sessions, s=f"{frame.frame_interval:.1f}"),
                        classes=["cg-caption", "cg-busy"])
        solara.InputInt(i18n.t("seed", lang), value=settings.value.seed, on_value=set_seed,
                        dense=True, classes=["cg-seed"])
        solara.Text(i18n.t("run.restart_note", lang), classes=["cg-caption"])


# --------------------------------------------------------------------------------------------
# What the run shows
# --------------------------------------------------------------------------------------------
@solara.component
def SummaryPanel(frame: Frame, lang: str) -> None:
    """Resolved share, on-time share, participation, trust, fees: now and change."""
    with solara.Div(classes=["cg-cards", "cg-summary"]):
        for m in SUMMARY_METRICS:
            item = frame.summary.get(m)
            with solara.Div(classes=["cg-card", f"cg-summary-{m}"]):
                solara.HTML("div", unsafe_innerHTML=(
                    f'<span title="{html.escape(i18n.metric_help(m, lang))}">'
                    f'{i18n.metric_label(m, lang)}</span>'), classes=["cg-card-label"])
                if item is None or item.value is None:
                    solara.Div(children=["–"], classes=["cg-card-value"])
                    solara.Div(children=[i18n.t("summary.na", lang)], classes=["cg-flat"])
                    continue
                solara.Div(children=[summary_value(m, item.value)],
                           classes=["cg-card-value", "cg-value-text"])
                if item.delta is None:
                    solara.Div(children=[i18n.t("summary.from", lang, d=item.since)],
                               classes=["cg-flat"])
                    continue
                delta = item.delta
                good = delta * direction(m)
                cls = "cg-up" if good > 0.0005 else "cg-down" if good < -0.0005 else "cg-flat"
                arrow = "▲" if delta > 0.0005 else "▼" if delta < -0.0005 else "●"
                index = _is_index(m)
                pts = round(delta * 100, 0 if index else 1)
                num = f"{pts:+g}" if pts else "0"
                if not index:
                    num += " 个百分点" if lang == "zh" else " pts"
                since = i18n.t("summary.since", lang, d=item.since)
                solara.Div(children=[f"{arrow} {num} {since}"], classes=[cls])


@solara.component
def MapView(frame: Frame, colour_by: str, on_colour_by: Callable[[str], None],
            lang: str, on_pick: Callable[[float | None, float | None], None] | None = None
            ) -> None:
    """The neighbourhood graph: three stacked pictures (static, moving, static)."""
    items = [{"title": i18n.pick(i18n.COLOUR_BY[k], lang), "value": k} for k in COLOUR_BY]
    note = (i18n.t("map.aggregated", lang, n=frame.n_households) if frame.aggregated else
            i18n.t("map.households", lang, n=frame.n_households, c=frame.n_compounds,
                   g=frame.n_grids))
    with solara.Column(gap="6px", classes=["cg-panel"]):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.HTML("h3", unsafe_innerHTML=i18n.t("map.title", lang))
            rv.Select(label=i18n.t("map.colour_by", lang), items=items, v_model=colour_by,
                      on_v_model=lambda v: on_colour_by(str(v)), density="compact",
                      hide_details=True, variant="outlined", class_="cg-colour-by",
                      style_="max-width: 330px")
        with solara.Div(classes=["cg-map"]):
            solara.Image(frame.background_png, classes=["cg-base"])
            solara.Image(frame.nodes_png, classes=["cg-layer", "cg-nodes"])
            solara.Image(frame.overlay_png, classes=["cg-layer"])
            if on_pick is not None:
                MapClick(width=frame.width, height=frame.height,
                         event_pick=lambda p: on_pick(p.get("x"), p.get("y")))
        if on_pick is not None:
            InspectPanel(frame, lambda: on_pick(None, None), lang)
        with solara.Div(classes=["cg-legend"]):
            for it in legend(colour_by, frame.aggregated, lang):
                bar = "linear-gradient" in it.css
                solara.HTML("span", unsafe_innerHTML=(
                    f'<span class="cg-swatch{" cg-bar" if bar else ""}" '
                    f'style="background:{it.css}"></span>{it.label}'))
            solara.HTML("span", unsafe_innerHTML=(
                f'<b style="color:#1d3557">▲</b> {i18n.pick(i18n.UI["map.legend.worker"], lang)}'
                f' &nbsp;<b style="color:#1d3557">△</b> '
                f'{i18n.pick(i18n.UI["map.legend.cadre"], lang)}'
                f' &nbsp;<b style="color:#d62828">★</b> '
                f'{i18n.pick(i18n.UI["map.legend.branch"], lang)}'))
            solara.HTML("span", unsafe_innerHTML=(
                f'{i18n.t("map.legend.grid", lang)}; {i18n.t("map.legend.kind", lang)}: '
                + ", ".join(
                    f'<span class="cg-swatch" style="border-radius:3px;background:{c}"></span>'
                    f'{i18n.pick(i18n.LEGEND["compound." + k], lang)}'
                    for k, c in (("old", "#f4ecdf"), ("commercial", "#e6eff8"),
                                 ("resettlement", "#e9f3e3")))))
        solara.Text(note, classes=["cg-caption"])


@solara.component
def ChartsView(frame: Frame, lang: str) -> None:
    with solara.Column(gap="4px", classes=["cg-panel", "cg-charts"]):
        solara.HTML("h3", unsafe_innerHTML=i18n.t("charts.title", lang))
        solara.Image(frame.charts_png, classes=["cg-chart-img"])


def _section(title: str, text: str) -> None:
    solara.HTML("h4", unsafe_innerHTML=title)
    solara.HTML("p", unsafe_innerHTML=text)


def lever_changes(lesson: Lesson, lang: str) -> list[str]:
    """"Lever: before → after" for every lever that differs between the lesson's A and B."""
    va = effective(lesson.a.scenario, lesson.a.overrides)
    vb = effective(lesson.b.scenario, lesson.b.overrides)
    out = []
    for lv in LEVERS:
        if _same(va[lv.key], vb[lv.key]):
            continue
        note = "" if lv.live else f" <i>({i18n.t('lesson.restarts', lang)})</i>"
        unit = "" if lv.is_bool else " " + i18n.pick(i18n.UNITS[lv.unit], lang)

        def show(v: Any, lv: Lever = lv) -> str:
            if lv.is_bool:
                return i18n.t("on" if v else "off", lang)
            d = lv.to_display(v)
            return f"{d:g}" if isinstance(d, float) else f"{d:,}"
        out.append(f"{i18n.pick(lv.label, lang)}: <b>{show(va[lv.key])}</b> → "
                   f"<b>{show(vb[lv.key])}</b>{unit}{note}")
    return out


@solara.component
def LessonWatch(lesson: Lesson, lang: str, frame_r: solara.Reactive[Frame | None]) -> None:
    """The measures a lesson asks to watch: day 0 → today, highlighted, live."""
    frame = frame_r.value
    with solara.Div(classes=["cg-watch"]):
        for m in lesson.watch:
            if frame is None or m not in frame.latest:
                continue
            a, b = frame.start[m], frame.latest[m]
            solara.HTML("div", unsafe_innerHTML=(
                f"<span class='cg-watch-label'>{i18n.metric_label(m, lang)}</span>"
                f"<span class='cg-watch-value'>{fmt_value(m, a)} → "
                f"<b>{fmt_value(m, b)}</b></span>"), classes=["cg-watch-item", f"cg-watch-{m}"])
        if frame is not None:
            solara.Text(i18n.t("lesson.since", lang, d=frame.day), classes=["cg-caption"])


@solara.component
def LessonView(lesson: Lesson, lang: str, frame_r: solara.Reactive[Frame | None] | None,
               on_apply: Callable[[Lesson], None] | None = None, applied: bool = False
               ) -> None:
    """A lesson on one screen: question, the change (before → after), what to watch (live),
    then the question to discuss and the explanation (folded), as NetLogo's Info tab."""
    text = i18n.LESSONS[lesson.id]
    with solara.Div(classes=["cg-lesson-body"]):
        with solara.Div():
            solara.HTML("div", unsafe_innerHTML=i18n.t("info.lesson", lang),
                        classes=["cg-caption"])
            solara.HTML("h2", unsafe_innerHTML=i18n.pick(text["title"], lang),
                        classes=["cg-lesson-title", "cg-h"])
            solara.HTML("p", unsafe_innerHTML=i18n.pick(text["question"], lang),
                        classes=["cg-q"])
            solara.HTML("h3", unsafe_innerHTML=i18n.t("lesson.change", lang),
                        classes=["cg-h4"])
            solara.HTML("ul", unsafe_innerHTML="".join(
                f"<li>{c}</li>" for c in lever_changes(lesson, lang)), classes=["cg-changes"])
            if on_apply is not None:
                with solara.Div(classes=["cg-btns"]):
                    solara.Button(
                        i18n.t("lesson.applied" if applied else "lesson.apply", lang),
                        color="primary", outlined=applied, disabled=applied,
                        icon_name="mdi-swap-horizontal", on_click=lambda: on_apply(lesson),
                        classes=["cg-lesson-apply"])
        with solara.Div():
            solara.HTML("h3", unsafe_innerHTML=i18n.t("lesson.watch", lang),
                        classes=["cg-h4"])
            if frame_r is not None:
                LessonWatch(lesson, lang, frame_r)
            solara.HTML("h3", unsafe_innerHTML=i18n.t("lesson.try", lang), classes=["cg-h4"])
            solara.HTML("p", unsafe_innerHTML=i18n.pick(text["try"], lang), classes=["cg-try"])
            solara.HTML("details", unsafe_innerHTML=(
                f"<summary>{i18n.t('lesson.explain', lang)}</summary>"
                f"<p>{i18n.pick(text['notice'], lang)}</p>"
                f"<p>{i18n.pick(text['mechanism'], lang)}</p>"), classes=["cg-explain"])
            solara.HTML("div", unsafe_innerHTML=" · ".join(
                i18n.paper_label(c, lang) for c in lesson.papers), classes=["cg-papers"])


@solara.component
def InfoPanel(lesson: Lesson | None, lang: str, on_close: Callable[[], None],
              frame_r: solara.Reactive[Frame | None] | None = None,
              on_apply: Callable[[Lesson], None] | None = None,
              applied: bool = False) -> None:
    """NetLogo-style info beside the model: the lesson if one is loaded, else the model."""
    with solara.Column(gap="0px", classes=["cg-panel", "cg-info"]):
        if lesson is None:
            solara.HTML("h3", unsafe_innerHTML=i18n.t("info.title", lang))
            a = i18n.ABOUT
            _section(i18n.t("info.what", lang), i18n.pick(a["what"], lang))
            _section(i18n.t("info.how", lang), i18n.pick(a["how"], lang))
            _section(i18n.t("info.notice", lang), i18n.pick(a["notice"], lang))
            _section(i18n.t("info.try", lang), i18n.pick(a["try"], lang))
            solara.HTML("h4", unsafe_innerHTML=i18n.t("info.papers", lang))
            for code, (place, title) in i18n.PAPERS.items():
                solara.HTML("p", unsafe_innerHTML=(
                    f"[{code}] {i18n.pick(place, lang)}: {i18n.pick(title, lang)}"),
                    classes=["cg-caption"])
            return
        LessonView(lesson, lang, frame_r, on_apply, applied)
        solara.Button(i18n.t("info.close", lang), text=True, color="primary",
                      on_click=on_close, classes=["cg-lesson-close"])


@solara.component
def CentreColumn(frame_r: solara.Reactive[Frame | None], settings: Settings, colour_by: str,
                 on_colour_by: Callable[[str], None], lang: str,
                 explorer: RemoteExplorer) -> None:
    """Summary, map and charts: with the run controls, the only part re-rendered per frame."""
    frame = frame_r.value
    with solara.Column(gap="12px"):
        if frame is None:
            solara.Text(i18n.t("run.starting", lang), classes=["cg-caption", "cg-starting"])
            solara.ProgressLinear(True)
            return
        if frame.error:
            solara.Error(f"{i18n.t('error', lang)}: {frame.error}", classes=["cg-error"])
        elif frame.settings != settings:
            solara.ProgressLinear(True)
        SummaryPanel(frame, lang)
        MapView(frame, colour_by, on_colour_by, lang, on_pick=explorer.inspect)
        ChartsView(frame, lang)
        ExportPanel(explorer, settings, lang)


@solara.component
def ExportPanel(explorer: RemoteExplorer, settings: Settings, lang: str) -> None:
    """Download the run (CSV, Parquet), the charts (PNG, SVG), the map (PNG), the scenario
    (TOML for ``run.py simulate``), and a link that reopens these settings."""
    files = ("metrics.csv", "metrics.parquet", "charts.png", "charts.svg", "map.png",
             "scenario.toml")
    with solara.Column(gap="6px", classes=["cg-panel", "cg-export"]):
        solara.HTML("h3", unsafe_innerHTML=i18n.t("export.title", lang))
        with solara.Row(gap="6px", classes=["cg-btns"], style={"flex-wrap": "wrap"}):
            for what in files:
                stem, ext = what.rsplit(".", 1)
                with solara.Div(classes=[f"cg-export-{stem}-{ext}"]):
                    solara.FileDownload(
                        lambda what=what: explorer.fetch(what), filename=f"commgov_{what}",
                        label=f"{i18n.t('export.' + stem, lang)} ({ext.upper()})")
        link = share_query(settings)
        solara.HTML("div", unsafe_innerHTML=(
            f'{i18n.t("share.title", lang)}: <a class="cg-share" href="?{link}">?{link}</a>'),
            classes=["cg-caption"])


# --------------------------------------------------------------------------------------------
# Compare
# --------------------------------------------------------------------------------------------
def setup_label(setup: Setup, lang: str) -> str:
    name = i18n.scenario_label(setup.scenario, lang)
    return f"{name} *" if setup.overrides else name


@solara.component
def SetupEditor(title: str, setup: Setup, on_setup: Callable[[Setup], None], lang: str,
                css: str) -> None:
    """Scenario A or B, and (folded) its levers."""
    settings = Settings(setup.scenario, tuple(sorted(setup.overrides.items())))
    with solara.Column(gap="6px", classes=["cg-panel", css]):
        solara.HTML("h3", unsafe_innerHTML=title)
        ScenarioPicker(setup.scenario, lambda n: on_setup(Setup(n)), lang,
                       css=f"{css}-scenario")
        solara.Text(i18n.t("compare.adjust", lang), classes=["cg-caption"])
        LeverPanel(settings, lambda s: on_setup(Setup(s.scenario, s.override_dict)), lang,
                   compact=True)


def setup_marks(setup: Setup) -> tuple[Mark, ...]:
    """The steps of the setup's scenario timeline that its overrides leave in force (a lever
    set by hand is not changed by the timeline, model/mechanisms/timeline.py)."""
    marks = scenario_marks(limits.scenario_source(setup.scenario))
    return tuple(mk for mk in marks
                 if any(k not in setup.overrides for k, _ in mk.changes))


def ci_text(row: Row) -> str:
    if not np.isfinite(row.half):
        return "–"
    return f"{fmt_value(row.metric, row.lo, signed=True)} … " \
           f"{fmt_value(row.metric, row.hi, signed=True)}"


@solara.component
def ResultTable(result: Comparison, lang: str) -> None:
    head = (f"<thead><tr><th scope='col'>{i18n.t('compare.measure', lang)}</th>"
            f"<th scope='col' class='num'>A</th><th scope='col' class='num'>B</th>"
            f"<th scope='col' class='num'>{i18n.t('compare.diff', lang)}</th>"
            f"<th scope='col' class='num'>{i18n.t('compare.ci', lang)}</th>"
            f"<th scope='col'>{i18n.t('compare.verdict', lang)}</th></tr></thead>")
    rows = []
    for r in result.rows:
        cls, word = {1: ("cg-better", i18n.t("compare.better", lang)),
                     -1: ("cg-worse", i18n.t("compare.worse", lang))}.get(
            r.verdict, ("cg-nodiff", i18n.t("compare.same", lang)))
        rows.append(
            f"<tr class='cg-row-{r.metric}'><td>{i18n.metric_label(r.metric, lang)}</td>"
            f"<td class='num'>{fmt_value(r.metric, r.a)}</td>"
            f"<td class='num'>{fmt_value(r.metric, r.b)}</td>"
            f"<td class='num'>{fmt_value(r.metric, r.diff, signed=True)}</td>"
            f"<td class='num cg-ci'>{ci_text(r)}</td>"
            f"<td class='{cls}'>{word}</td></tr>")
    solara.HTML("div", unsafe_innerHTML=(
        f"<table class='cg-table'>{head}<tbody>{''.join(rows)}</tbody></table>"),
        classes=["cg-table-wrap"])


def cost_rows_html(result: Comparison, lang: str) -> str:
    """The cost table: per outcome B − A with its CI and the yuan a unit of it costs, or why
    there is no number (``experiments/costeff.py``); names from the Metric records."""
    head = (f"<thead><tr><th scope='col'>{i18n.t('compare.outcome', lang)}</th>"
            f"<th scope='col' class='num'>{i18n.t('compare.d_outcome', lang)}</th>"
            f"<th scope='col' class='num'>{i18n.t('compare.per_unit', lang)}</th></tr></thead>")
    rows = []
    by_key = {o.key: o for o in costeff.OUTCOMES}
    for r in result.costs:
        o = by_key[r.outcome]
        ci = ("" if not np.isfinite(r.d_outcome_lo) else
              f" ({r.d_outcome_lo:+,.1f} … {r.d_outcome_hi:+,.1f})")
        cls = "num" if r.shown else "cg-nodiff"
        rows.append(
            f"<tr class='cg-cost-{r.outcome}'><td>{i18n.metric_label(o.metric, lang)}</td>"
            f"<td class='num'>{r.d_outcome:+,.1f}{ci}</td>"
            f"<td class='{cls}'>{costeff.ratio_text(r, lang)}<br><small>"
            f"{costeff.pick(o.unit, lang)}</small></td></tr>")
    return f"<table class='cg-cost-table'>{head}<tbody>{''.join(rows)}</tbody></table>"


@solara.component
def CostTable(result: Comparison, lang: str) -> None:
    if not result.costs:
        return
    solara.HTML("h4", unsafe_innerHTML=i18n.t("compare.cost_title", lang), classes=["cg-h4"])
    solara.Text(i18n.t("compare.cost_note", lang), classes=["cg-caption"])
    solara.HTML("div", unsafe_innerHTML=cost_rows_html(result, lang),
                classes=["cg-table-wrap"])


@dataclass(frozen=True)
class CompareRequest:
    a: Setup
    b: Setup
    days: int
    reps: int


def _count_slider(label: str, value: solara.Reactive[int], lo: int, hi: int, step: int,
                  cls: str) -> None:
    """A whole-number slider of the compare panel (days, replications) under its label,
    which shows the value."""
    with solara.Column(gap="0px", classes=["cg-cmp-slider"]):
        solara.Text(f"{label}: {value.value}", classes=["cg-lever-label"])
        rv.Slider(v_model=value.value, min=lo, max=hi, step=step,
                  on_v_model=lambda v: value.set(int(v)), hide_details=True,
                  density="compact", color="primary", class_=cls, label=label)


@solara.component
def ComparePanel(a: solara.Reactive[Setup], b: solara.Reactive[Setup],
                 days: solara.Reactive[int], reps: solara.Reactive[int],
                 result: solara.Reactive[Any],
                 progress: solara.Reactive[tuple[int, int]],
                 run_request: solara.Reactive[int], lang: str) -> None:
    """Two policies on common random numbers: curves, paired differences with 95% CIs.

    The runs go to the server's shared process pool in the background; the page shows progress. The
    result remembers what it was run with, so it is marked out of date the moment A, B,
    the days or the replications change.
    """
    generation = solara.use_ref(0)
    current = CompareRequest(a.value, b.value, days.value, reps.value)

    def run() -> None:
        generation.current += 1
        mine = generation.current
        req = CompareRequest(a.value, b.value, days.value, reps.value)
        progress.set((0, 2 * req.reps))

        def work() -> None:
            try:
                res = compare(req.a, req.b, req.days, tuple(range(req.reps)),
                              progress=lambda done, total: progress.set((done, total)),
                              cancelled=lambda: generation.current != mine,
                              pool=server_pool())
            except Exception as exc:  # noqa: BLE001 - shown on the page, never a dead tab
                if generation.current == mine:
                    result.set((req, str(exc)))
                    progress.set((0, 0))
                return
            if res is not None and generation.current == mine:
                result.set((req, res))
                progress.set((0, 0))
        run_in_thread(work)

    # A lesson's "Compare A and B" asks for a run by bumping run_request.
    solara.use_effect(lambda: run() if run_request.value else None, [run_request.value])

    req, res = result.value if result.value is not None else (None, None)
    png = solara.use_memo(
        lambda: compare_png(res.runs_a, res.runs_b, COMPARE_METRICS,
                            setup_label(res.a, lang), setup_label(res.b, lang), lang,
                            marks_a=setup_marks(res.a), marks_b=setup_marks(res.b))
        if isinstance(res, Comparison) else b"", [res, lang])
    with solara.Column(gap="8px"):
        solara.Text(i18n.t("compare.intro", lang), classes=["cg-caption"])
        with solara.Div(classes=["cg-cmp"]):
            SetupEditor(i18n.t("compare.a", lang), a.value, a.set, lang, "cg-a")
            SetupEditor(i18n.t("compare.b", lang), b.value, b.set, lang, "cg-b")
        with solara.Div(classes=["cg-panel", "cg-cmp-controls"]):
            _count_slider(i18n.t("compare.days", lang), days, 90, limits.MAX_COMPARE_DAYS,
                          15, "cg-days")
            _count_slider(i18n.t("compare.seeds", lang), reps, 1, limits.MAX_COMPARE_SEEDS,
                          1, "cg-seeds")
            done, total = progress.value
            with solara.Div(classes=["cg-btns"]):
                solara.Button(i18n.t("compare.run", lang), color="primary",
                              icon_name="mdi-scale-balance", on_click=run,
                              classes=["cg-compare-run"])
            if total:
                solara.Text(i18n.t("compare.running", lang, done=done, total=total),
                            classes=["cg-caption", "cg-compare-progress"])
        if total:
            solara.ProgressLinear(done / total if total else True)
        if isinstance(res, str):
            solara.Error(f"{i18n.t('error', lang)}: {res}", classes=["cg-error"])
        if isinstance(res, Comparison):
            stale = req != current
            classes = ["cg-panel", "cg-compare-result"] + (["cg-stale"] if stale else [])
            with solara.Column(gap="8px", classes=classes):
                if stale:
                    solara.Warning(i18n.t("compare.stale", lang), classes=["cg-stale-note"])
                solara.HTML("h3", unsafe_innerHTML=i18n.t(
                    "compare.result", lang, days=res.days, seeds=len(res.seeds)))
                solara.Info(tradeoff_text(res, lang), classes=["cg-tradeoff"])
                solara.Text(i18n.t("compare.same_seeds", lang,
                                   seeds=", ".join(map(str, res.seeds))),
                            classes=["cg-caption"])
                solara.Text(i18n.t("compare.ci_note", lang) if len(res.seeds) > 1
                            else i18n.t("compare.one_rep", lang), classes=["cg-caption"])
                ResultTable(res, lang)
                CostTable(res, lang)
                solara.Text(i18n.t("compare.chart", lang), classes=["cg-caption"])
                solara.Image(png, classes=["cg-compare-img"])


# --------------------------------------------------------------------------------------------
# Lessons
# --------------------------------------------------------------------------------------------
@solara.component
def LessonCard(lesson: Lesson, lang: str, on_load: Callable[[Lesson], None],
               on_compare: Callable[[Lesson], None]) -> None:
    text = i18n.LESSONS[lesson.id]
    with solara.Column(gap="4px", classes=["cg-panel", "cg-lesson", f"cg-lesson-{lesson.id}"]):
        solara.HTML("h3", unsafe_innerHTML=i18n.pick(text["title"], lang))
        solara.HTML("div", unsafe_innerHTML=i18n.pick(text["question"], lang),
                    classes=["cg-q"])
        with solara.Div(classes=["cg-info"]):
            _section(i18n.t("lesson.change", lang), i18n.pick(text["change"], lang))
            _section(i18n.t("lesson.watch", lang), i18n.pick(text["watch"], lang))
            _section(i18n.t("lesson.mechanism", lang), i18n.pick(text["mechanism"], lang))
        solara.HTML("div", unsafe_innerHTML=" · ".join(
            i18n.paper_label(c, lang) for c in lesson.papers), classes=["cg-papers"])
        with solara.Row(gap="8px", classes=["cg-btns"]):
            solara.Button(i18n.t("lesson.load", lang), color="primary", icon_name="mdi-play",
                          on_click=lambda: on_load(lesson), classes=["cg-lesson-load"])
            solara.Button(i18n.t("lesson.compare", lang), outlined=True, color="primary",
                          icon_name="mdi-scale-balance", on_click=lambda: on_compare(lesson),
                          classes=["cg-lesson-compare"])


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------
@solara.component_vue("page_fixes.vue")
def PageFixes(lang: str, names: dict[str, Any]) -> None:
    """Page language, phone zoom and accessible names the template and Vuetify leave out."""


def a11y_names(lang: str) -> dict[str, Any]:
    return {"progress": i18n.t("a11y.progress", lang),
            "images": {"cg-base": i18n.t("a11y.map", lang),
                       "cg-chart-img": i18n.t("charts.title", lang),
                       "cg-compare-img": i18n.t("compare.chart", lang)}}

@solara.component
def Page() -> None:
    """One browser session: its own model (in its own worker process), run loop and state."""
    solara.lab.theme.themes.light.primary = PRIMARY
    for name, colour in ALERT_COLOURS.items():
        setattr(solara.lab.theme.themes.light, name, colour)
    router = solara.use_router()
    initial, link_problems = solara.use_memo(lambda: parse_query(router.search or ""), [])
    lang = solara.use_reactive(initial.get("lang", "en"))
    tab = solara.use_reactive(0)
    colour_by = solara.use_reactive("issue")
    settings = solara.use_reactive(initial["settings"])
    lesson_id = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    cmp_a = solara.use_reactive(Setup("baseline"))
    cmp_b = solara.use_reactive(Setup("grid_merge"))
    cmp_days = solara.use_reactive(365)
    cmp_reps = solara.use_reactive(10)
    cmp_result = solara.use_reactive(None)
    cmp_progress = solara.use_reactive((0, 0))
    cmp_request = solara.use_reactive(0)
    uploaded = solara.use_reactive(None)

    def start() -> RemoteExplorer | str:
        try:
            return RemoteExplorer(settings.value, lang=lang.value, colour_by=colour_by.value)
        except limits.AppLimitError as exc:     # the server is full: say so, start nothing
            return str(exc)
    explorer_or_full = solara.use_memo(start, [])
    full = explorer_or_full if isinstance(explorer_or_full, str) else ""
    explorer = None if full else explorer_or_full
    frame = solara.use_reactive(None if explorer is None else explorer.frame)
    running_levers = solara.use_reactive(None)

    def connect() -> Callable[[], None] | None:
        if explorer is None:
            return None
        def on_frame(f: Frame) -> None:
            current = frame.value
            if current is not None and f.id <= current.id:
                return
            frame.set(f)
            if f.levers != running_levers.value:
                running_levers.set(f.levers)
            if f.ack >= explorer.seq and f.playing != playing.value:
                playing.set(f.playing)       # e.g. "run to day N" reached its day
        explorer.on_frame = on_frame
        if explorer.frame is not None:
            on_frame(explorer.frame)
        return explorer.close
    solara.use_effect(connect, [])

    def set_lang(v: str) -> None:
        lang.set(v)
        explorer.set_view(lang=v)

    def set_colour_by(v: str) -> None:
        colour_by.set(v)
        explorer.set_view(colour_by=v)

    def apply(new: Settings) -> None:
        """The one place settings change: the page's state, then the model, in order."""
        settings.set(new)
        explorer.rebuild(new)

    def pick_scenario(name: str) -> None:
        up = uploaded.value if uploaded.value is not None and name == uploaded.value.key \
            else None
        apply(Settings(name, (), settings.value.seed, upload=up))

    def load_upload(up: Upload) -> None:
        """A planner's own community: a fresh start from day 0, paused."""
        uploaded.set(up)
        playing.set(False)
        new = Settings(up.key, (), settings.value.seed, upload=up)
        settings.set(new)
        explorer.reset(new)

    def load_lesson(ls: Lesson) -> None:
        playing.set(False)
        lesson_id.set(ls.id)
        tab.set(0)
        set_colour_by(ls.colour_by)
        new = Settings(ls.explore.scenario, tuple(sorted(ls.explore.overrides.items())),
                       settings.value.seed)
        settings.set(new)
        explorer.reset(new)              # a lesson starts from day 0, paused

    def apply_lesson(ls: Lesson) -> None:
        """The lesson's change on top of what runs now: live levers switch at the next
        step, so the class sees the before and the after in one run."""
        cur = settings.value
        merged = clean_overrides(cur.scenario, {**cur.override_dict, **ls.change()})
        apply(cur.with_overrides(merged))

    def lesson_applied(ls: Lesson) -> bool:
        cur = effective(settings.value.scenario, settings.value.override_dict)
        return all(_same(cur[k], v) for k, v in ls.change().items())

    def compare_lesson(ls: Lesson) -> None:
        lesson_id.set(ls.id)
        cmp_a.set(ls.a)
        cmp_b.set(ls.b)
        tab.set(1)
        cmp_request.set(cmp_request.value + 1)

    L = lang.value  # noqa: N806
    solara.Title(i18n.t("app.title", L))
    solara.Style(CSS)
    if explorer is None:
        solara.Error(f"{i18n.t('error', L)}: {full}", classes=["cg-error", "cg-full"])
        return
    PageFixes(lang=L, names=a11y_names(L))
    with solara.Column(gap="0px", classes=["cg-page"]):
        with solara.Div(classes=["cg-header"]):
            with solara.Column(gap="0px"):
                solara.HTML("h1", unsafe_innerHTML=i18n.t("app.title", L))
                solara.HTML("div", unsafe_innerHTML=i18n.t("app.subtitle", L),
                            classes=["cg-sub"])
            with solara.ToggleButtonsSingle(value=L, on_value=set_lang, classes=["cg-lang"]):
                solara.Button("English", value="en", classes=["cg-lang-en"])
                solara.Button("中文", value="zh", classes=["cg-lang-zh"])
        for problem in link_problems:
            solara.Warning(problem, classes=["cg-link-problem"])
        with solara.Div(classes=["cg-tabs"]), solara.lab.Tabs(value=tab, color="#16324f"):
            solara.lab.Tab(i18n.t("tab.explore", L), classes=["cg-tab-explore"])
            solara.lab.Tab(i18n.t("tab.compare", L), classes=["cg-tab-compare"])
            solara.lab.Tab(i18n.t("tab.lessons", L), classes=["cg-tab-lessons"])
        if tab.value == 0:
            with solara.Div(classes=["cg-grid"]):
                with solara.Column(gap="12px", classes=["cg-left"]):
                    with solara.Column(gap="8px", classes=["cg-panel"]):
                        ScenarioPicker(settings.value.scenario, pick_scenario, L,
                                       uploaded=uploaded.value)
                        UploadPanel(load_upload, L)
                    RunControls(explorer, frame, playing, settings, apply, L)
                    with solara.Column(gap="4px", classes=["cg-panel"]):
                        solara.HTML("h2", unsafe_innerHTML=i18n.t("settings", L),
                                    classes=["cg-h"])
                        LeverPanel(settings.value, apply, L, running=running_levers.value,
                                   current=lambda: settings.value)
                lesson = LESSON_BY_ID.get(lesson_id.value) if lesson_id.value else None
                with solara.Column(gap="12px", classes=["cg-centre"]):
                    if lesson is not None:       # a lesson sits above the map: one screen
                        InfoPanel(lesson, L, lambda: lesson_id.set(None), frame,
                                  apply_lesson, lesson_applied(lesson))
                    CentreColumn(frame, settings.value, colour_by.value, set_colour_by, L,
                                 explorer)
                with solara.Column(gap="12px", classes=["cg-right"]):
                    InfoPanel(None, L, lambda: lesson_id.set(None))
        elif tab.value == 1:
            ComparePanel(cmp_a, cmp_b, cmp_days, cmp_reps, cmp_result, cmp_progress,
                         cmp_request, L)
        else:
            solara.Text(i18n.t("lessons.intro", L), classes=["cg-caption"],
                        style={"margin-top": "12px", "font-size": "14px"})
            with solara.Div(classes=["cg-lessons"]):
                for ls in LESSONS:
                    LessonCard(ls, L, load_lesson, compare_lesson)
        solara.Text(i18n.t("footer", L), classes=["cg-footer"])
