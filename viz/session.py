"""One browser session's simulation: the model, its run loop, and the pictures it shows.

Plain Python (no Solara), so it is tested headlessly and reused by the page. Each browser
tab makes its own :class:`Explorer`, so two tabs never share a model. The run loop is a
background thread that steps the model (``CommunityModel``, one step a day) at the chosen
speed and publishes a :class:`Frame` at most ``FRAME_INTERVAL`` seconds apart: the map's
moving layer (:mod:`commgov.viz.network`), the charts (:mod:`commgov.viz.charts`) and the
summary. Drawing is throttled and incremental, so the model, not the drawing, sets the pace.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from commgov.experiments.timemarks import scenario_marks
from commgov.model.community import CommunityModel
from commgov.model.metrics import metric_record
from commgov.viz import limits
from commgov.viz.charts import LIVE_METRICS, LiveCharts
from commgov.viz.inspector import Inspection, Pick, describe, pick
from commgov.viz.levers import (
    LEVER_BY_KEY,
    lever_values,
    model_kwargs,
    scenario_values,
    set_live,
)
from commgov.viz.network import NetworkPicture
from commgov.viz.upload import Upload, register

FRAME_INTERVAL = 0.2            # seconds between published frames while running (5 a second)
MAX_FRAME_INTERVAL = 2.0        # with a full classroom on one server, a picture every 2 s
MAX_BATCH_SECONDS = 0.05        # the loop lets go of the model at least this often
SPEEDS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 0)    # days per second; 0 = max
SUMMARY_METRICS: tuple[str, ...] = ("resolved_share", "on_time_share", "participation_rate",
                                    "trust_mean", "fee_collection_rate")
# A cumulative share of cases swings while the first cases come in (the first resolved
# cases are the quick ones), so its change is measured from the end of the first month,
# or from the first day it is defined at all, whichever is later.
# The count each share is defined over is in its record (model/metrics.py).
_DEFINED_BY: dict[str, str] = {
    m: rec.defined_by for m in SUMMARY_METRICS
    if (rec := metric_record(m)) is not None and rec.defined_by}
WARMUP_DAYS = 30


@dataclass(frozen=True)
class Settings:
    """What builds a model: a scenario file, lever overrides (dotted keys) and a seed."""

    scenario: str = "baseline"
    overrides: tuple[tuple[str, Any], ...] = ()
    seed: int = 0
    upload: Upload | None = None      # an uploaded community; ``scenario`` is then its key

    def prepare(self) -> None:
        """Make an uploaded community loadable in this process (validated as data)."""
        if self.upload is not None:
            register(self.upload)

    @property
    def override_dict(self) -> dict[str, Any]:
        return dict(self.overrides)

    def with_overrides(self, overrides: dict[str, Any]) -> Settings:
        return replace(self, overrides=tuple(sorted(overrides.items())))

    def build(self, wait: float = limits.BUSY_WAIT) -> CommunityModel:
        self.prepare()
        limits.check_settings(self.scenario, self.override_dict)   # never trust the browser
        limits.check_seed(self.seed)
        with limits.heavy(wait):
            return CommunityModel(scenario=limits.scenario_source(self.scenario),
                                  rng=self.seed, **model_kwargs(self.override_dict))


@dataclass(frozen=True)
class SummaryItem:
    value: float | None          # None: not defined yet
    delta: float | None
    since: int                   # the day the delta is measured from


@dataclass(frozen=True)
class Frame:
    """Everything the page shows of one moment of the run (immutable, safe to share)."""

    id: int
    day: int
    settings: Settings
    nodes_png: bytes
    background_png: bytes
    overlay_png: bytes
    charts_png: bytes
    width: int
    height: int
    aggregated: bool
    n_households: int
    n_compounds: int
    n_grids: int
    summary: dict[str, SummaryItem] = field(default_factory=dict)
    days_per_second: float = 0.0
    error: str = ""
    playing: bool = False
    ack: int = 0                 # the last page command the worker had carried out
    levers: dict[str, Any] = field(default_factory=dict)    # the model's own lever values
    frame_interval: float = 0.2  # seconds between pictures while running
    sessions: int = 1            # sessions this server runs (the drawing rate follows it)
    stop_day: int | None = None  # "run to day N": where the run will pause
    changed_day: int | None = None   # the day live levers last changed, if they did
    start: dict[str, float] = field(default_factory=dict)    # every metric on day 0 (or
    #                                                      on changed_day)
    latest: dict[str, float] = field(default_factory=dict)   # and today
    inspection: Inspection | None = None     # the agent clicked on the map, as it is now


def scenario_toml(settings: Settings, day: int = 0) -> str:
    """The settings as a scenario file: ``extends`` the chosen scenario, then the levers.

    ``python run.py simulate FILE --seed S`` reruns exactly this model (an uploaded
    community: next to its uploaded graph file).
    """
    import tomli_w

    if settings.upload is not None:
        from commgov.viz.upload import scenario_text
        return scenario_text(settings.upload, settings.override_dict, settings.seed, day)

    nested: dict[str, Any] = {}
    for key, value in settings.overrides:
        section, name = key.split(".", 1)
        nested.setdefault(section, {})[name] = value
    doc = {"name": f"{settings.scenario}_custom",
           "description": f"{settings.scenario} with the browser app's lever settings "
                          f"(seed {settings.seed}; exported on day {day}).",
           "extends": settings.scenario, **nested}
    head = (f"# Exported from the commgov browser app. Run it with:\n"
            f"#   python run.py simulate this_file.toml --seed {settings.seed}\n")
    return head + tomli_w.dumps(doc)


def summarise(series: dict[str, np.ndarray]) -> dict[str, SummaryItem]:
    """Current value of each summary metric, and its change since it became meaningful."""
    out: dict[str, SummaryItem] = {}
    for m in SUMMARY_METRICS:
        y = series[m]
        defined = np.ones(len(y), dtype=bool)
        warm = 0
        if m in _DEFINED_BY:
            defined = series[_DEFINED_BY[m]] > 0
            warm = WARMUP_DAYS
        if len(y) == 0 or not defined[-1]:
            out[m] = SummaryItem(None, None, warm)
            continue
        start = np.flatnonzero(defined & (np.arange(len(y)) >= warm))
        if len(start) == 0:
            out[m] = SummaryItem(float(y[-1]), None, warm)
            continue
        first = int(start[0])
        out[m] = SummaryItem(float(y[-1]), float(y[-1] - y[first]), first)
    return out


class Explorer:
    """The model of one browser session, its run loop and its latest :class:`Frame`."""

    def __init__(self, settings: Settings | None = None, lang: str = "en",
                 colour_by: str = "issue", on_frame: Callable[[Frame], None] | None = None,
                 width: int = 900) -> None:
        self.lock = threading.RLock()         # guards the model
        self._draw_lock = threading.Lock()    # one frame drawn at a time
        self.lang = lang
        self.colour_by = colour_by
        self.on_frame = on_frame
        self.width = width
        self.speed = 20                       # days per second; 0 = as fast as possible
        self.playing = False
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._generation = 0
        self._frame_id = 0
        self._rate: deque[tuple[float, int]] = deque(maxlen=64)
        self.frame: Frame | None = None
        self.error = ""
        self.ack = 0
        self.frame_interval = FRAME_INTERVAL
        self.sessions = 1
        self.stop_day: int | None = None
        self.changed_day: int | None = None   # the day live levers last changed
        self.selected: Pick | None = None     # the agent inspected on the map
        self.settings = settings or Settings()
        try:
            self.model = self.settings.build(limits.START_WAIT)
        except ValueError as exc:       # e.g. a refused link: say so, run the default instead
            self.error = str(exc)
            self.settings = Settings(seed=self.settings.seed)
            self.model = self.settings.build(limits.START_WAIT)
        self._pictures()
        self.publish()

    # ------------------------------------------------------------------ building
    def _pictures(self) -> None:
        self.picture = NetworkPicture(self.model, self.lang, width=self.width)
        self.charts = LiveCharts(self.lang, width=self.width,
                                 marks=scenario_marks(limits.scenario_source(
                                     self.settings.scenario)))

    def apply(self, settings: Settings) -> bool:
        """New settings: live levers change at the next step; anything else restarts.

        Live changes pass the same checks as a rebuild (:func:`limits.check_settings`: lever
        ranges and the scenario schema) before they touch the running model.
        """
        try:
            settings.prepare()
            limits.check_settings(settings.scenario, settings.override_dict)
        except ValueError as exc:                  # refused: the model runs on unchanged
            self.error = str(exc)
            self.publish()
            return False
        live = False
        with self.lock:
            old = self.settings
            if (settings.scenario == old.scenario and settings.seed == old.seed
                    and not self.error):
                a, b = old.override_dict, settings.override_dict
                changed = {k: b.get(k, base) for k, base in
                           scenario_values(settings.scenario).items()
                           if a.get(k, base) != b.get(k, base)}
                if all(LEVER_BY_KEY[k].live for k in changed):
                    try:
                        set_live(self.model, changed)
                    except (ValueError, TypeError):
                        pass                       # invalid here: a full rebuild reports it
                    else:
                        self.settings = settings
                        if changed:
                            self.changed_day = self.model.day
                        live = True
        if live:
            self.publish()
            return True
        return self.rebuild(settings)

    def rebuild(self, settings: Settings | None = None) -> bool:
        """Build a fresh model at day 0 (same seed unless ``settings`` change it)."""
        settings = settings or self.settings
        try:
            model = settings.build()
        except (ValueError, KeyError) as exc:      # ScenarioError and GraphError are ValueErrors
            self.error = str(exc)
            self.publish()
            return False
        with self.lock:
            self.settings = settings
            self.model = model
            self.error = ""
            self.changed_day = None
            self.selected = None                   # a new model: other agents
            self._generation += 1
            self._rate.clear()
            self._pictures()
        self.publish()
        return True

    def schedule_rebuild(self, settings: Settings, delay: float = 0.3) -> None:
        """Rebuild after ``delay`` s unless asked again meanwhile (a slider being dragged)."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(delay, self.rebuild, args=(settings,))
        self._timer.daemon = True
        self._timer.start()

    def set_view(self, lang: str | None = None, colour_by: str | None = None) -> None:
        """Change the language or the map's colouring; redraws what depends on it."""
        with self.lock:
            if lang is not None and lang != self.lang:
                self.lang = lang
                self._pictures()
            if colour_by is not None:
                self.colour_by = colour_by
        self.publish()

    # ------------------------------------------------------------------ running
    def step(self, days: int = 1) -> None:
        """Advance ``days`` days now (the Step button) and publish a frame."""
        days = min(limits.step_days(days), max(0, limits.MAX_EXPLORE_DAYS - self.model.day))
        with self.lock:
            for _ in range(days):
                self.model.step()
            self._rate.append((time.perf_counter(), self.model.day))
        self.publish()

    def run_to(self, day: int) -> None:
        """Run until day ``day`` and pause there (a day already passed: nothing to do)."""
        with self.lock:
            if day <= self.model.day:
                self.stop_day = None
                return
            self.stop_day = day
        self.play()

    def inspect(self, x: float | None, y: float | None) -> None:
        """Select the agent at map picture pixel (x, y) (None: close); every frame then
        carries its state (:mod:`commgov.viz.inspector`)."""
        with self.lock:
            if x is None or y is None:
                self.selected = None
            else:
                self.selected = pick(self.picture, self.model, float(x), float(y))
        self.publish()

    def set_drawing(self, interval: float, sessions: int) -> None:
        """Seconds between pictures while running: longer when the server is busy."""
        self.frame_interval = float(np.clip(interval, FRAME_INTERVAL, MAX_FRAME_INTERVAL))
        self.sessions = sessions

    def play(self) -> None:
        if self.playing:
            return
        self.playing = True
        self._thread = threading.Thread(target=self._loop, name="commgov-run", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self.playing = False
        self.stop_day = None
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._thread = None
        self.publish()

    def close(self) -> None:
        """Stop the loop and any pending rebuild (the browser tab went away)."""
        if self._timer is not None:
            self._timer.cancel()
        self.playing = False
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def set_speed(self, days_per_second: int) -> None:
        with self.lock:
            self.speed = days_per_second
            self._generation += 1

    def _steps_allowed(self, n: int) -> int:
        """At most ``n`` steps, never past the "run to day" target."""
        if self.stop_day is None:
            return n
        return max(0, min(n, self.stop_day - self.model.day))

    def _loop(self) -> None:
        generation = -1
        t0 = day0 = 0.0
        last_frame = 0.0
        while self.playing:
            if self.model.day >= limits.MAX_EXPLORE_DAYS:     # a session's run is capped
                self.playing = False
                break
            now = time.perf_counter()
            with self.lock:
                if generation != self._generation:      # new model or speed: new clock
                    generation, t0, day0 = self._generation, now, self.model.day
                if self.speed <= 0:
                    while (time.perf_counter() - now < MAX_BATCH_SECONDS
                           and self._steps_allowed(1)):
                        self.model.step()
                    wait = 0.0
                else:
                    due = day0 + int((now - t0) * self.speed) + 1 - self.model.day
                    n = max(0, min(due, int(self.speed * MAX_BATCH_SECONDS) + 1))
                    for _ in range(self._steps_allowed(n)):
                        self.model.step()
                    wait = (self.model.day - day0) / self.speed - (now - t0)
                self._rate.append((time.perf_counter(), self.model.day))
                reached = self.stop_day is not None and self.model.day >= self.stop_day
                if reached:
                    self.playing = False
                    self.stop_day = None
            now = time.perf_counter()
            if (reached or now - last_frame >= self.frame_interval
                    or 0 < self.speed <= 1 / self.frame_interval):
                last_frame = now
                self.publish()
            if wait > 0:
                time.sleep(min(wait, self.frame_interval))

    def days_per_second(self) -> float:
        """Measured speed over the last two seconds of running."""
        with self.lock:
            pts = list(self._rate)
        if len(pts) < 2:
            return 0.0
        t_end, d_end = pts[-1]
        t, d = next(((t, d) for t, d in pts if t_end - t <= 2.0), pts[0])
        return (d_end - d) / (t_end - t) if t_end > t else 0.0

    # ------------------------------------------------------------------ export
    def export(self, what: str) -> bytes:
        """A file of the current run: ``metrics.csv``, ``metrics.parquet`` (one row per day,
        the columns of ``run.py simulate``), ``charts.svg``, ``charts.png``, ``map.png`` or
        ``scenario.toml`` (the settings, which ``run.py simulate`` runs)."""
        import io
        with self._draw_lock, self.lock:       # the same order as publish()
            if what in ("metrics.csv", "metrics.parquet"):
                df = self.model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
                if "day" not in df.columns:
                    df.insert(0, "day", range(len(df)))
                buf = io.BytesIO()
                if what == "metrics.csv":
                    df.to_csv(buf, index=False)
                else:
                    df.to_parquet(buf, index=False, engine="pyarrow")
                return buf.getvalue()
            if what == "charts.svg":
                return self.charts.svg()
            if what == "charts.png":
                return self.frame.charts_png if self.frame else b""
            if what == "map.png":
                pic = self.picture
                return pic.render(pic.colours(self.model, self.colour_by),
                                  pic.highlight(self.model, self.colour_by))
            if what == "scenario.toml":
                return scenario_toml(self.settings, self.model.day).encode()
        raise ValueError(f"unknown export {what!r}")

    # ------------------------------------------------------------------ pictures
    def publish(self) -> Frame:
        """Draw the current state and hand it to ``on_frame``."""
        with self._draw_lock:
            frame = self._draw()
            self.frame = frame
        if self.on_frame is not None:
            self.on_frame(frame)
        return frame

    def _draw(self) -> Frame:
        with self.lock:
            model = self.model
            picture, charts = self.picture, self.charts
            colours = picture.colours(model, self.colour_by)
            highlight = picture.highlight(model, self.colour_by)
            mv = model.datacollector.model_vars
            wanted = set(LIVE_METRICS) | set(SUMMARY_METRICS) | set(_DEFINED_BY.values())
            series = {m: np.asarray(mv[m], dtype=float) for m in wanted}
            day = model.day
            nb = model.neighbourhood
            settings = self.settings
            levers = lever_values(model)
            changed_day = self.changed_day
            since = changed_day or 0
            start = {k: float(v[min(since, len(v) - 1)]) for k, v in mv.items() if len(v)}
            latest = {k: float(v[-1]) for k, v in mv.items() if len(v)}
            inspection = describe(model, self.selected, self.lang) \
                if self.selected is not None else None
            self._frame_id += 1
            frame_id = self._frame_id
        return Frame(
            id=frame_id, day=day, settings=settings,
            nodes_png=picture.nodes_png(colours, highlight),
            background_png=picture.background_png, overlay_png=picture.overlay_png,
            charts_png=charts.update(series), width=picture.width, height=picture.height,
            aggregated=picture.aggregated, n_households=nb.n_households,
            n_compounds=nb.n_compounds, n_grids=nb.n_grids, summary=summarise(series),
            days_per_second=self.days_per_second() if self.playing else 0.0,
            error=self.error, playing=self.playing, ack=self.ack, levers=levers,
            frame_interval=self.frame_interval, sessions=self.sessions,
            stop_day=self.stop_day, start=start, latest=latest,
            changed_day=changed_day, inspection=inspection)
