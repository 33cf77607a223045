"""Charts of the core metrics: live (incremental, blitted) and A-versus-B comparisons.

The live chart draws its axes, titles and legend once; each frame restores that picture
and draws only the lines (matplotlib blitting on Agg), so a frame costs a few
milliseconds. Axes are redrawn only when the run passes the end of the x axis or a count
outgrows its y axis. Metrics, their labels, scales, directions and colours are defined
in their records (``model/metrics.py``); the papers behind them are cited there.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from commgov.experiments.timemarks import Mark
from commgov.model.metrics import METRICS, metric_record
from commgov.viz import i18n
from commgov.viz.fonts import font_context, picture_lang
from commgov.viz.network import png_bytes

# Views of the metric records (model/metrics.py), for code that reads the tables. Shares and
# 0–1 indices are shown as 0–100; higher is better (+1) or worse (-1), for verdicts and
# summary arrows; the live chart's line colours.
PERCENT: frozenset[str] = frozenset(m.name for m in METRICS if m.hundredfold)
DIRECTION: dict[str, int] = {m.name: m.direction for m in METRICS}
COLOURS: dict[str, str] = {m.name: m.colour for m in METRICS if m.colour}
PANELS: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = (
    (("Handling residents' issues (%)", "诉求办理（%）"),
     ("resolved_share", "on_time_share", "escalated_share")),
    (("Residents (%; trust 0–100)", "居民（%；信任 0–100）"),
     ("participation_rate", "trust_mean", "fee_collection_rate")),
    (("Grid workers and the office (%)", "网格员与社区办公室（%）"),
     ("worker_field_share", "office_uncovered_share")),
    (("Open issues (count)", "未结诉求（件）"), ("issues_open",)),
)
LIVE_METRICS: tuple[str, ...] = tuple(m for _, ms in PANELS for m in ms)
COMPARE_METRICS: tuple[str, ...] = (
    "on_time_share_90d", "overdue_open_per_1k", "escalated_share", "office_wait_share_90d",
    "participation_rate", "trust_mean", "fee_collection_rate", "office_uncovered_share")
A_COLOUR, B_COLOUR = "#1f5f99", "#e0701b"
MARK_COLOUR = "#555555"


def draw_marks(ax: object, marks: Sequence[Mark], lang: str, colour: str = MARK_COLOUR,
               label: bool = True, prefix: str = "") -> None:
    """A timed policy's steps ([[timeline]]) on a time axis: a dashed vertical line each,
    labelled ("policy starts, day 180") along the line, so a chart reads as before/after."""
    for mark in marks:
        ax.axvline(mark.day, color=colour, lw=1.1, ls=(0, (4, 3)), alpha=0.85, zorder=1)
        if label:
            ax.annotate(prefix + mark.label(lang), xy=(mark.day, 1.0),
                        xycoords=("data", "axes fraction"), xytext=(3, -3),
                        textcoords="offset points", ha="left", va="top", fontsize=7.5,
                        color=colour, rotation=90, gid="cg-policy-mark")


def hundredfold(metric: str) -> bool:
    """Whether the app shows ``metric`` ×100 (shares in %, 0–1 indices as 0–100)."""
    rec = metric_record(metric)
    return rec is not None and rec.hundredfold


def direction(metric: str) -> int:
    """+1 if higher is better, -1 if worse, 0 for no judgement (or not a metric)."""
    rec = metric_record(metric)
    return rec.direction if rec else 0


def shown(metric: str, values: np.ndarray | float) -> np.ndarray | float:
    """A metric's values in display units (0–100 for shares and indices)."""
    return values * 100.0 if hundredfold(metric) else values


def _colour(metric: str) -> str:
    """The live chart's line colour, from the metric's record (one is required there)."""
    rec = metric_record(metric)
    if rec is None or not rec.colour:
        raise KeyError(f"metric {metric!r} is charted live but its record in "
                       f"model/metrics.py has no colour")
    return rec.colour


def _rgb(fig: Figure) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])


class LiveCharts:
    """Four panels of the core metrics for one run, redrawn incrementally."""

    def __init__(self, lang: str = "en", width: int = 900, height: int = 560,
                 marks: Sequence[Mark] = ()) -> None:
        self.lang = picture_lang(lang)
        self.marks = tuple(marks)      # the scenario's timeline: lines drawn with the axes
        with font_context():
            self._build(width, height)

    def _build(self, width: int, height: int) -> None:
        self.horizon = 365
        self.fig = Figure(figsize=(width / 100, height / 100), dpi=100)
        FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(2, 2, sharex=True)
        self.fig.subplots_adjust(left=0.06, right=0.985, top=0.85, bottom=0.09, hspace=0.72,
                                 wspace=0.26)
        self.lines: dict[str, object] = {}
        for ax, (title, metrics) in zip(self.axes.flat, PANELS, strict=True):
            ax.set_title(i18n.pick(title, self.lang), fontsize=11, loc="left",
                         pad={1: 6, 2: 19}.get(len(metrics), 35))
            for m in metrics:
                (line,) = ax.plot([], [], color=_colour(m), lw=1.8,
                                  label=i18n.metric_label(m, self.lang))
                self.lines[m] = line
            if hundredfold(metrics[0]):
                ax.set_ylim(0, 100)
            else:
                ax.set_ylim(0, 20)
            ax.grid(alpha=0.3, lw=0.6)
            ax.tick_params(labelsize=9)
            ax.spines[["top", "right"]].set_visible(False)
            draw_marks(ax, self.marks, self.lang)
            if len(metrics) > 1:
                # Above the plot, drawn once with the axes: lines never hide it, and a
                # frame does not pay for laying out its text again.
                ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2,
                          fontsize=9, frameon=False, borderaxespad=0.1, handlelength=1.2,
                          columnspacing=0.9, handletextpad=0.4)
        for ax in self.axes[1]:
            ax.set_xlabel(i18n.t("day_axis", self.lang), fontsize=8.5)
        self._set_xlim()
        self._background = None

    def _set_xlim(self) -> None:
        for ax in self.axes.flat:
            ax.set_xlim(0, self.horizon)

    def _full_redraw(self) -> None:
        for line in self.lines.values():
            line.set_visible(False)
        self.fig.canvas.draw()
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        for line in self.lines.values():
            line.set_visible(True)

    def update(self, series: Mapping[str, np.ndarray]) -> bytes:
        """PNG of the panels with ``series`` (metric → values from day 0)."""
        with font_context():
            return self._update(series)

    def svg(self) -> bytes:
        """The panels as they were last drawn, as SVG (the text as glyph outlines)."""
        import io
        buf = io.BytesIO()
        with font_context():
            self.fig.savefig(buf, format="svg")
        self._background = None          # savefig drew the lines into the cached canvas
        return buf.getvalue()

    def _update(self, series: Mapping[str, np.ndarray]) -> bytes:
        n = len(next(iter(series.values()))) if series else 0
        day = max(n - 1, 0)
        stale = self._background is None
        if day > self.horizon:
            while self.horizon < day:          # doubling: few full redraws on long runs
                self.horizon *= 2
            self._set_xlim()
            stale = True
        for ax, (_, metrics) in zip(self.axes.flat, PANELS, strict=True):
            if hundredfold(metrics[0]):
                continue
            top = max((float(np.max(series[m])) for m in metrics if m in series and n),
                      default=0.0)
            if top > ax.get_ylim()[1] * 0.95:
                ax.set_ylim(0, max(20.0, top * 1.5))
                stale = True
        if stale:
            self._full_redraw()
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        x = np.arange(n)
        for m, line in self.lines.items():
            y = shown(m, np.asarray(series.get(m, np.zeros(n)), dtype=float))
            line.set_data(x, y)
            line.axes.draw_artist(line)
        return png_bytes(_rgb(self.fig))


def _wrap(text: str, lang: str, width: int) -> str:
    """Break a title over lines so neighbouring panels' titles never run into each other."""
    if lang == "zh":
        w = max(4, width // 2)
        return "\n".join(text[i:i + w] for i in range(0, len(text), w))
    return textwrap.fill(text, width)


def compare_figure(runs_a: Sequence[Mapping[str, np.ndarray]],
                   runs_b: Sequence[Mapping[str, np.ndarray]], metrics: Sequence[str],
                   label_a: str, label_b: str, lang: str = "en", cols: int = 4,
                   width: int = 1100, marks_a: Sequence[Mark] = (),
                   marks_b: Sequence[Mark] = ()) -> Figure:
    """Small multiples: A (solid) and B (dashed) on shared axes, each run thin, mean bold.

    Titles are wrapped to the panel width and the good direction sits on its own line, so
    the figure stays legible when a projector (1280×720) shrinks it. A timed policy's steps
    (``marks_a``/``marks_b``) are dashed vertical lines in A's or B's colour, labelled in the
    first panel.
    """
    lang = picture_lang(lang)
    rows = int(np.ceil(len(metrics) / cols))
    panel_h = 2.7
    height = panel_h * rows + 0.5
    chars = int(width / cols / 7.2)
    with font_context():
        fig = Figure(figsize=(width / 100, height), dpi=100)
        FigureCanvasAgg(fig)
        axes = np.atleast_2d(fig.subplots(rows, cols, sharex=True, squeeze=False))
        fig.subplots_adjust(left=0.055, right=0.99, top=1 - 0.45 / height,
                            bottom=0.42 / height, hspace=0.75, wspace=0.3)
        for ax, m in zip(axes.flat, metrics, strict=False):
            for runs, colour, style in ((runs_a, A_COLOUR, "-"), (runs_b, B_COLOUR, "--")):
                ys = [shown(m, np.asarray(r[m], dtype=float)) for r in runs]
                x = np.arange(len(ys[0]))
                for y in ys:
                    ax.plot(x, y, color=colour, lw=0.6, alpha=0.3, ls=style)
                ax.plot(x, np.mean(ys, axis=0), color=colour, lw=2.0, ls=style)
            first = ax is axes.flat[0]
            both = {(mk.day, mk.kind) for mk in marks_a} & {(mk.day, mk.kind) for mk in marks_b}
            draw_marks(ax, [mk for mk in marks_a if (mk.day, mk.kind) in both], lang,
                       MARK_COLOUR, label=first, prefix="A, B: ")
            draw_marks(ax, [mk for mk in marks_a if (mk.day, mk.kind) not in both], lang,
                       A_COLOUR, label=first, prefix="A: ")
            draw_marks(ax, [mk for mk in marks_b if (mk.day, mk.kind) not in both], lang,
                       B_COLOUR, label=first, prefix="B: ")
            hint = {1: "higher_better", -1: "lower_better"}.get(direction(m))
            title = _wrap(i18n.metric_label(m, lang), lang, chars)
            if hint:
                title += "\n" + i18n.t(hint, lang)
            ax.set_title(title, fontsize=10, loc="left", linespacing=1.15)
            ax.grid(alpha=0.3, lw=0.6)
            ax.tick_params(labelsize=8)
            ax.spines[["top", "right"]].set_visible(False)
            if hundredfold(m):
                lo, hi = ax.get_ylim()
                ax.set_ylim(max(0.0, lo), min(100.0, hi) if hi <= 100 else hi)
        for ax in axes.flat[len(metrics):]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel(i18n.t("days", lang), fontsize=8.5)
        handles = [axes.flat[0].plot([], [], color=A_COLOUR, lw=2.2, ls="-")[0],
                   axes.flat[0].plot([], [], color=B_COLOUR, lw=2.2, ls="--")[0]]
        fig.legend(handles, [f"A: {label_a}", f"B: {label_b}"], loc="upper center", ncol=2,
                   fontsize=10, frameon=False, bbox_to_anchor=(0.5, 1.0))
        fig.canvas.draw()
    return fig


def compare_png(runs_a: Sequence[Mapping[str, np.ndarray]],
                runs_b: Sequence[Mapping[str, np.ndarray]], metrics: Sequence[str],
                label_a: str, label_b: str, lang: str = "en", width: int = 1100,
                marks_a: Sequence[Mark] = (), marks_b: Sequence[Mark] = ()) -> bytes:
    """PNG of :func:`compare_figure`."""
    fig = compare_figure(runs_a, runs_b, metrics, label_a, label_b, lang, width=width,
                         marks_a=marks_a, marks_b=marks_b)
    return png_bytes(_rgb(fig), level=6)


def figure_svg(fig: Figure) -> bytes:
    """A figure as SVG, drawn with the app's fonts (text as glyph outlines)."""
    import io
    buf = io.BytesIO()
    with font_context():
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def text_families(fig: Figure) -> list[list[str]]:
    """The font families of every non-empty piece of text in ``fig`` (for tests)."""
    texts = fig.findobj(lambda a: hasattr(a, "get_fontproperties") and hasattr(a, "get_text"))
    return [list(t.get_fontproperties().get_family()) for t in texts if t.get_text()]
