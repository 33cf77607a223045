"""The neighbourhood map: households on the hierarchy layout, drawn fast enough to animate.

Positions come from ``Neighbourhood.positions()`` (compounds tile their community in grid
order, buildings tile their compound, households circle their building [001, 003, 004]);
there is no spring layout. Everything that does not change while the model runs (compound
boxes shaded by compound type, grid outlines, neighbour ties, grid workers, party
branches, labels) is drawn once with matplotlib; each frame only stamps the household
discs onto a transparent layer with numpy and encodes it as a PNG (about 10 ms for 3,000
households); the browser stacks the three layers. Above ``AGGREGATE_ABOVE`` households
the map shows one disc per compound instead.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from scipy.spatial import cKDTree

from commgov.scenarios.schema import COMPOUND_KINDS, HOUSEHOLD_KINDS
from commgov.viz import i18n
from commgov.viz.fonts import font_context, picture_lang

if TYPE_CHECKING:
    from commgov.model.community import CommunityModel

AGGREGATE_ABOVE = 5_000          # households; larger graphs are drawn one disc per compound
COLOUR_BY: tuple[str, ...] = ("trust", "issue", "participation", "kind", "fee")

GRID_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
                "#17becf", "#bcbd22", "#7f7f7f", "#d62728")
KIND_TINT = {"old": "#f4ecdf", "commercial": "#e6eff8", "resettlement": "#e9f3e3"}
HOUSEHOLD_KIND_COLOURS = {"local": "#4c78a8", "resettled": "#f58518",
                          "new_resident": "#e45756", "retiree": "#54a24b"}
VACANT = "#d4d4d4"
ISSUE_COLOURS = ("#d3dbe0", "#f2a33a", "#d7263d")     # none, open on time, overdue
YES_NO = {"participation": ("#c9d3dc", "#2e7dbe"), "fee": ("#f0a35e", "#3a9d5d")}
TRUST_STOPS = ("#c0392b", "#f1c40f", "#27ae60")        # low → high
TRUST_RANGE = (0.25, 0.75)       # trust mapped onto the full ramp (most households sit near 0.5)
WORKER = "#1d3557"
BRANCH = "#d62828"
ISSUE_SHARE_FULL = 0.03          # compound map: this share of households with an open issue = red


def _ramp(stops: tuple[str, ...], n: int = 256) -> np.ndarray:
    """An n×3 uint8 colour ramp through ``stops``."""
    cols = np.array([to_rgb(c) for c in stops])
    x = np.linspace(0, 1, n) * (len(stops) - 1)
    i = np.minimum(x.astype(int), len(stops) - 2)
    f = (x - i)[:, None]
    return np.round((cols[i] * (1 - f) + cols[i + 1] * f) * 255).astype(np.uint8)


TRUST_RAMP = _ramp(TRUST_STOPS)
ISSUE_RAMP = _ramp((ISSUE_COLOURS[0], ISSUE_COLOURS[1], ISSUE_COLOURS[2]))
YES_NO_RAMPS = {k: _ramp(v) for k, v in YES_NO.items()}


def _trust_index(trust: np.ndarray) -> np.ndarray:
    lo, hi = TRUST_RANGE
    return np.clip(((trust - lo) / (hi - lo) * 255).astype(int), 0, 255)


def _u8(colour: str) -> np.ndarray:
    return np.round(np.array(to_rgb(colour)) * 255).astype(np.uint8)


@dataclass(frozen=True)
class LegendItem:
    """A swatch (CSS colour or gradient) and its label, for the HTML legend."""

    css: str
    label: str


def legend(colour_by: str, aggregated: bool, lang: str) -> list[LegendItem]:
    """The colour key of the map for ``colour_by``."""
    L = i18n.LEGEND  # noqa: N806

    def p(key: str) -> str:
        return i18n.pick(L[key], lang)

    def grad(stops: tuple[str, ...]) -> str:
        return f"linear-gradient(90deg, {', '.join(stops)})"

    if colour_by == "trust":
        lo, hi = TRUST_RANGE
        items = [LegendItem(grad(TRUST_STOPS),
                            f"{p('low')} (≤{lo * 100:.0f}) → {p('high')} (≥{hi * 100:.0f})")]
    elif colour_by == "issue":
        if aggregated:
            items = [LegendItem(grad(ISSUE_COLOURS),
                                f"0 → {ISSUE_SHARE_FULL:.0%} {p('issue.open')}")]
        else:
            items = [LegendItem(c, p(k)) for c, k in zip(
                ISSUE_COLOURS, ("issue.none", "issue.open", "issue.overdue"), strict=True)]
    elif colour_by in YES_NO:
        no, yes = YES_NO[colour_by]
        key = "part" if colour_by == "participation" else "fee"
        items = ([LegendItem(grad((no, yes)), f"0% → 100% {p(key + '.yes')}")] if aggregated
                 else [LegendItem(yes, p(key + ".yes")), LegendItem(no, p(key + ".no"))])
    else:
        items = [LegendItem(HOUSEHOLD_KIND_COLOURS[k], p("kind." + k)) for k in HOUSEHOLD_KINDS]
    if not aggregated:
        items.append(LegendItem(VACANT, i18n.t("map.legend.vacant", lang)))
    return items


def household_colours(model: CommunityModel, colour_by: str) -> np.ndarray:
    """One RGB colour per household (uint8, N×3) for the chosen state."""
    hh = model.households
    n = hh.n
    if colour_by == "trust":
        out = TRUST_RAMP[_trust_index(hh.trust)]
    elif colour_by == "issue":
        state = np.where(hh.open_issue, np.where(model.day > hh.due_day, 2, 1), 0)
        out = np.stack([_u8(c) for c in ISSUE_COLOURS])[state]
    elif colour_by == "participation":
        recent = (model.day - hh.last_participation) < model.params.participation.window_days
        out = np.stack([_u8(c) for c in YES_NO["participation"]])[recent.astype(int)]
    elif colour_by == "fee":
        out = np.stack([_u8(c) for c in YES_NO["fee"]])[hh.fee_paid.astype(int)]
    elif colour_by == "kind":
        pal = np.stack([_u8(HOUSEHOLD_KIND_COLOURS[k]) for k in HOUSEHOLD_KINDS])
        out = pal[hh.kind.astype(int)]
    else:
        raise ValueError(f"unknown colour_by {colour_by!r}; choose one of {COLOUR_BY}")
    out = np.array(out, dtype=np.uint8, copy=True).reshape(n, 3)
    out[~hh.occupied] = _u8(VACANT)
    return out


def compound_colours(model: CommunityModel, colour_by: str) -> np.ndarray:
    """One RGB colour per compound (uint8, C×3): the compound's average state."""
    hh = model.households
    nb = model.neighbourhood
    c = nb.n_compounds
    occ = hh.occupied
    n_occ = np.maximum(np.bincount(hh.compound[occ], minlength=c), 1)

    def share(mask: np.ndarray) -> np.ndarray:
        return np.bincount(hh.compound[occ & mask], minlength=c) / n_occ

    if colour_by == "trust":
        mean = np.bincount(hh.compound[occ], weights=hh.trust[occ], minlength=c) / n_occ
        return TRUST_RAMP[_trust_index(mean)]
    if colour_by == "issue":
        s = np.clip(share(hh.open_issue) / ISSUE_SHARE_FULL, 0, 1)
        return ISSUE_RAMP[(s * 255).astype(int)]
    if colour_by == "participation":
        recent = (model.day - hh.last_participation) < model.params.participation.window_days
        return YES_NO_RAMPS["participation"][(share(recent) * 255).astype(int)]
    if colour_by == "fee":
        return YES_NO_RAMPS["fee"][(share(hh.fee_paid) * 255).astype(int)]
    if colour_by == "kind":
        counts = np.stack([np.bincount(hh.compound[occ & (hh.kind == k)], minlength=c)
                           for k in range(len(HOUSEHOLD_KINDS))], 1)
        pal = np.stack([_u8(HOUSEHOLD_KIND_COLOURS[k]) for k in HOUSEHOLD_KINDS])
        return pal[counts.argmax(1)]
    raise ValueError(f"unknown colour_by {colour_by!r}; choose one of {COLOUR_BY}")


def _disc(radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pixel offsets of an anti-aliased disc: dy, dx, coverage, outline weight."""
    r = int(np.ceil(radius + 1))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    d = np.hypot(dy, dx)
    cover = np.clip(radius + 0.5 - d, 0, 1)
    ring = np.clip(1 - np.abs(d - (radius - 0.6)), 0, 1) * (radius >= 2.5)
    keep = cover > 0
    return dy[keep], dx[keep], cover[keep], ring[keep]


class NetworkPicture:
    """The map of one model, in one language; ``render(colours)`` gives PNG bytes."""

    def __init__(self, model: CommunityModel, lang: str = "en", width: int = 900,
                 aggregate: bool | None = None) -> None:
        self.lang = picture_lang(lang)
        with font_context():
            self._build(model, width, aggregate)

    def _build(self, model: CommunityModel, width: int, aggregate: bool | None) -> None:
        nb = model.neighbourhood
        self.aggregated = (nb.n_households > AGGREGATE_ABOVE) if aggregate is None \
            else aggregate
        pos = nb.positions()
        c = nb.n_compounds
        counts = np.bincount(nb.compound, minlength=c)
        lo = np.full((c, 2), np.inf)
        hi = np.full((c, 2), -np.inf)
        np.minimum.at(lo, nb.compound, pos)
        np.maximum.at(hi, nb.compound, pos)
        centre = np.stack([np.bincount(nb.compound, weights=pos[:, k], minlength=c)
                           for k in (0, 1)], 1) / np.maximum(counts, 1)[:, None]
        size = (hi - lo).max(1)
        pad = 0.10 * np.median(size) + 0.004
        lo -= pad
        hi += pad
        self.box_lo, self.box_hi, self.centre = lo, hi, centre

        # Figure geometry: fixed width, height from the data's aspect (equal axes).
        x0, y0 = lo.min(0) - pad
        x1, y1 = hi.max(0) + pad
        aspect = (y1 - y0) / (x1 - x0)
        self.width = width
        self.height = int(np.clip(round(width * aspect), 360, 760))
        target = self.height / self.width
        if aspect < target:                       # widen y to keep equal axes
            extra = (target * (x1 - x0) - (y1 - y0)) / 2
            y0, y1 = y0 - extra, y1 + extra
        else:
            extra = ((y1 - y0) / target - (x1 - x0)) / 2
            x0, x1 = x0 - extra, x1 + extra
        self.limits = (x0, x1, y0, y1)

        self.background = self._draw_background(model, pos)
        self._overlay_idx, self._overlay_rgb, self._overlay_a = self._draw_overlay(model)
        self._prepare_nodes(model, pos, counts)

    # ------------------------------------------------------------------ static layers
    def _figure(self, transparent: bool) -> tuple[Figure, object]:
        fig = Figure(figsize=(self.width / 100, self.height / 100), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        x0, x1, y0, y1 = self.limits
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        if transparent:
            fig.patch.set_alpha(0)
            ax.patch.set_alpha(0)
        else:
            fig.patch.set_facecolor("white")
        return fig, ax

    @staticmethod
    def _pixels(fig: Figure) -> np.ndarray:
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()

    def _draw_background(self, model: CommunityModel, pos: np.ndarray) -> np.ndarray:
        nb = model.neighbourhood
        fig, ax = self._figure(transparent=False)
        lang = self.lang
        grid_of = nb.compound_grid
        for c in range(nb.n_compounds):
            kind = COMPOUND_KINDS[int(nb.compound_kind[c])]
            w, h = self.box_hi[c] - self.box_lo[c]
            ax.add_patch(FancyBboxPatch(
                tuple(self.box_lo[c]), w, h, boxstyle="round,pad=0,rounding_size=0.006",
                facecolor=KIND_TINT[kind],
                edgecolor=GRID_COLOURS[int(grid_of[c]) % len(GRID_COLOURS)],
                linewidth=2.2 if not self.aggregated else 1.2, zorder=1))
        if nb.n_communities > 1:
            comm = nb.grid_community[grid_of]
            for k in range(nb.n_communities):
                sel = comm == k
                lo = self.box_lo[sel].min(0)
                hi = self.box_hi[sel].max(0)
                m = 0.012
                ax.add_patch(FancyBboxPatch(
                    tuple(lo - m), *(hi - lo + 2 * m), boxstyle="round,pad=0,rounding_size=0.01",
                    facecolor="none", edgecolor="#90a4ae", linewidth=1.0, linestyle="--",
                    zorder=0.5))
                ax.text(lo[0] - m, hi[1] + m * 1.3,
                        f"{i18n.pick(i18n.LEGEND['community'], lang)} {k + 1}",
                        fontsize=8, color="#455a64", va="bottom", ha="left", zorder=5)
        e = nb.edges
        if self.aggregated:
            cu, cv = nb.compound[e[:, 0]], nb.compound[e[:, 1]]
            sel = cu != cv
            pairs, weight = np.unique(np.stack([np.minimum(cu[sel], cv[sel]),
                                                np.maximum(cu[sel], cv[sel])], 1),
                                      axis=0, return_counts=True)
            if len(pairs):
                segs = self.centre[pairs]
                lw = 0.4 + 1.6 * np.log1p(weight) / np.log1p(weight.max())
                ax.add_collection(LineCollection(segs, colors="#78909c", linewidths=lw,
                                                 alpha=0.45, zorder=2))
        elif len(e):
            segs = pos[e]
            ax.add_collection(LineCollection(segs, colors="#8d99a6", linewidths=0.35,
                                             alpha=0.2, zorder=2))
        rgba = self._pixels(fig)
        self.background_fig = fig            # kept for SVG export and font checks
        return np.ascontiguousarray(rgba[..., :3])

    def _draw_overlay(self, model: CommunityModel
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Grid workers, party branches and grid labels, above the household discs."""
        nb = model.neighbourhood
        pos = nb.positions()
        fig, ax = self._figure(transparent=True)
        lang = self.lang
        ms = 8 if not self.aggregated else 5
        wxy: list[tuple[float, float]] = []
        widx: list[int] = []
        for w in model.workers:
            if len(w.households) == 0:
                continue
            x, y = pos[w.households].mean(0)
            wxy.append((x, y))
            widx.append(w.index)
            face = "white" if w.cadre else WORKER
            ax.plot([x], [y], marker="^", markersize=ms, markerfacecolor=face,
                    markeredgecolor=WORKER, markeredgewidth=1.3, zorder=6)
        span = self.box_hi - self.box_lo
        for b in model.branches:
            if b is None:
                continue
            cx = self.box_hi[b.compound, 0] - 0.10 * span[b.compound, 0]
            cy = self.box_hi[b.compound, 1] - 0.10 * span[b.compound, 1]
            ax.plot([cx], [cy], marker="*", markersize=ms + 5, markerfacecolor=BRANCH,
                    markeredgecolor="white", markeredgewidth=0.8, zorder=7)
        if not self.aggregated:
            word = i18n.pick(i18n.LEGEND["grid"], lang)
            kinds = i18n.LEGEND
            for c in range(nb.n_compounds):
                g = int(nb.compound_grid[c])
                kind = COMPOUND_KINDS[int(nb.compound_kind[c])]
                label = f"{word} {g + 1} · {i18n.pick(kinds['compound.' + kind], lang)}"
                ax.text(self.box_lo[c, 0] + 0.004, self.box_hi[c, 1] - 0.004, label,
                        fontsize=7.5, color=GRID_COLOURS[g % len(GRID_COLOURS)],
                        fontweight="bold" if lang == "en" else "normal", va="top",
                        ha="left", zorder=8,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                              "edgecolor": "none", "alpha": 0.8})
        # Where the triangles are, in picture pixels: a click on one inspects the worker.
        self.worker_px = self.to_px(np.asarray(wxy, dtype=float).reshape(-1, 2))
        self.worker_index = np.asarray(widx, dtype=int)
        self.worker_radius = ms * 0.75 + 3        # marker size in points ≈ pixels at 100 dpi
        self.overlay_fig = fig
        rgba = self._pixels(fig).astype(np.float32) / 255.0
        a = rgba[..., 3].ravel()
        idx = np.flatnonzero(a > 0.01)
        return idx, rgba[..., :3].reshape(-1, 3)[idx] * 255.0, a[idx, None]

    def to_px(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Model layout coordinates [K, 2] → picture pixels (x right, y down)."""
        x0, x1, y0, y1 = self.limits
        return ((pts[:, 0] - x0) / (x1 - x0) * self.width,
                (y1 - pts[:, 1]) / (y1 - y0) * self.height)

    def compound_at(self, x: float, y: float) -> int | None:
        """The compound whose box holds picture pixel (x, y), if any (the smallest box)."""
        x0, x1, y0, y1 = self.limits
        mx = x0 + x / self.width * (x1 - x0)
        my = y1 - y / self.height * (y1 - y0)
        inside = np.flatnonzero((self.box_lo[:, 0] <= mx) & (mx <= self.box_hi[:, 0])
                                & (self.box_lo[:, 1] <= my) & (my <= self.box_hi[:, 1]))
        if len(inside) == 0:
            return None
        area = np.prod(self.box_hi[inside] - self.box_lo[inside], axis=1)
        return int(inside[int(np.argmin(area))])

    def _prepare_nodes(self, model: CommunityModel, pos: np.ndarray,
                       counts: np.ndarray) -> None:
        """Pixel indices and coverage of every disc, computed once."""
        pts = self.centre if self.aggregated else pos
        px, py = self.to_px(pts)
        self.node_px = (px, py)             # disc centres: a click picks the nearest
        if len(pts) > 1:
            d, _ = cKDTree(np.stack([px, py], 1)).query(np.stack([px, py], 1), k=2)
            spacing = float(np.median(d[:, 1])) if not self.aggregated else float(d[:, 1].min())
        else:
            spacing = 40.0
        if self.aggregated:
            r_max = float(np.clip(0.48 * spacing, 3, 40))
            radii = np.maximum(2.0, r_max * np.sqrt(counts / max(counts.max(), 1)))
        else:
            radii = np.full(len(pts), float(np.clip(0.5 * spacing, 1.5, 7)))
        radii = np.round(radii * 2) / 2
        cy, cx = np.round(py).astype(int), np.round(px).astype(int)
        self._discs = self._stamps(cy, cx, radii)
        # Highlighted households (an open issue) are drawn again, larger, on top.
        self._big = self._stamps(cy, cx, np.round(np.maximum(radii * 1.7, radii + 2) * 2) / 2)
        self.radius = float(radii.max())

    def _stamps(self, cy: np.ndarray, cx: np.ndarray, radii: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Flat pixel index, node, coverage and shading of every disc's pixels."""
        idx_parts, node_parts, cover_parts, ring_parts = [], [], [], []
        for r in np.unique(radii):
            nodes = np.flatnonzero(radii == r)
            dy, dx, cover, ring = _disc(float(r))
            rows = cy[nodes, None] + dy[None, :]
            cols = cx[nodes, None] + dx[None, :]
            ok = (rows >= 0) & (rows < self.height) & (cols >= 0) & (cols < self.width)
            idx_parts.append((rows * self.width + cols)[ok])
            node_parts.append(np.broadcast_to(nodes[:, None], rows.shape)[ok])
            cover_parts.append(np.broadcast_to(cover, rows.shape)[ok])
            ring_parts.append(np.broadcast_to(ring, rows.shape)[ok])
        cover = np.concatenate(cover_parts).astype(np.float32)[:, None]
        shade = (1 - 0.35 * np.concatenate(ring_parts)).astype(np.float32)[:, None]
        return np.concatenate(idx_parts), np.concatenate(node_parts), cover, shade

    def _pixels_of(self, colours: np.ndarray, highlight: np.ndarray | None
                   ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(pixel index, colour, coverage) passes: all discs, then highlighted ones big."""
        passes = []
        layers = [(self._discs, None)]
        if highlight is not None and highlight.any():
            layers.append((self._big, highlight))
        for (idx, node, cover, shade), mask in layers:
            if mask is not None:
                keep = mask[node]
                idx, node, cover, shade = idx[keep], node[keep], cover[keep], shade[keep]
            passes.append((idx, colours.astype(np.float32)[node] * shade, cover))
        return passes

    # ------------------------------------------------------------------ per frame
    def colours(self, model: CommunityModel, colour_by: str) -> np.ndarray:
        return (compound_colours(model, colour_by) if self.aggregated
                else household_colours(model, colour_by))

    def highlight(self, model: CommunityModel, colour_by: str) -> np.ndarray | None:
        """Households drawn larger: those with an open issue, when colouring by issue."""
        if self.aggregated or colour_by != "issue":
            return None
        return model.households.open_issue.copy()

    @cached_property
    def background_png(self) -> bytes:
        """The static bottom layer: compound boxes and neighbour ties (sent once)."""
        return png_bytes(self.background, level=6)

    @cached_property
    def overlay_png(self) -> bytes:
        """The static top layer: grid workers, party branches, labels (RGBA, sent once)."""
        rgba = np.zeros((self.height * self.width, 4), dtype=np.uint8)
        rgba[self._overlay_idx, :3] = np.round(self._overlay_rgb).astype(np.uint8)
        rgba[self._overlay_idx, 3] = np.round(self._overlay_a[:, 0] * 255).astype(np.uint8)
        return png_bytes(rgba.reshape(self.height, self.width, 4), level=6)

    def nodes_layer(self, colours: np.ndarray,
                    highlight: np.ndarray | None = None) -> np.ndarray:
        """The moving layer: only the discs, on transparency (H×W×4 uint8)."""
        rgba = np.zeros((self.height * self.width, 4), dtype=np.uint8)
        for idx, col, cover in self._pixels_of(colours, highlight):
            rgba[idx, :3] = col.astype(np.uint8)
            rgba[idx, 3] = np.maximum(rgba[idx, 3], (cover[:, 0] * 255).astype(np.uint8))
        return rgba.reshape(self.height, self.width, 4)

    def nodes_png(self, colours: np.ndarray, highlight: np.ndarray | None = None) -> bytes:
        """PNG of :meth:`nodes_layer`: what changes from frame to frame."""
        return png_bytes(self.nodes_layer(colours, highlight))

    def frame(self, colours: np.ndarray, highlight: np.ndarray | None = None) -> np.ndarray:
        """The three layers composited (H×W×3 uint8), for saving or testing."""
        img = self.background.reshape(-1, 3).astype(np.float32)
        for idx, col, cover in self._pixels_of(colours, highlight):
            img[idx] = img[idx] * (1 - cover) + col * cover
        o = self._overlay_idx
        img[o] = img[o] * (1 - self._overlay_a) + self._overlay_rgb * self._overlay_a
        return np.clip(img, 0, 255).astype(np.uint8).reshape(self.height, self.width, 3)

    def render(self, colours: np.ndarray, highlight: np.ndarray | None = None) -> bytes:
        """PNG bytes of :meth:`frame`."""
        return png_bytes(self.frame(colours, highlight))


def png_bytes(pixels: np.ndarray, level: int = 1) -> bytes:
    """Encode RGB or RGBA pixels as PNG: no row filter and fast zlib, because frames go
    over loopback or a LAN and encoding time matters more than size (~6 ms for 900×700)."""
    h, w = pixels.shape[:2]
    ch = 1 if pixels.ndim == 2 else pixels.shape[2]
    colour_type = {1: 0, 3: 2, 4: 6}[ch]
    raw = np.zeros((h, w * ch + 1), dtype=np.uint8)      # filter byte 0 on every row
    raw[:, 1:] = pixels.reshape(h, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))
