"""The neighbourhood graph: who lives where and who knows whom.

Households are the nodes. Each node sits in the spatial nesting the papers use (DOMAIN.md §1):
street ⊃ community ⊃ grid ⊃ compound ⊃ building ⊃ household. Ties are dense within a building,
sparse across buildings of a compound (a "stranger society" [004]) and rare across compounds.
The model reads the hierarchy from flat int arrays (fast group-bys with ``np.bincount``) and
the ties from the CSR adjacency; the ``nx.Graph`` is built on first use, for export and
drawing (the model never needs it: on a 400,000-household street it would cost about 1 KB per
household and a second of build time).

A graph comes from the nested size spec (:func:`generate`) or from a planner's own file
(:func:`load`); :func:`build` picks one from a :class:`GraphSpec`.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from commgov.scenarios.schema import COMPOUND_KINDS, GraphSpec

__all__ = ["GraphError", "Neighbourhood", "build", "generate", "load"]

ATTRS: tuple[str, ...] = ("building", "compound", "grid", "community", "compound_kind")
_KINDS_TEXT = ", ".join(COMPOUND_KINDS)
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
_SIZE_FLOOR = 0.4      # no compound smaller than this share of the mean compound size
_SIZE_ALPHA = 3.0      # Dirichlet concentration of compound sizes (lower = more varied)


class GraphError(ValueError):
    """A graph spec or file the model cannot use; the message is meant for the planner."""


# --------------------------------------------------------------------------------------------
# The graph
# --------------------------------------------------------------------------------------------
@dataclass(eq=False)
class Neighbourhood:
    """Households, their place in the nesting, and their neighbour ties.

    Arrays hold dense 0-based global indices so the model can aggregate by any level with
    ``np.bincount`` instead of walking the graph.
    """

    building: np.ndarray        # int32 [N]
    compound: np.ndarray        # int32 [N]
    grid: np.ndarray            # int32 [N]
    community: np.ndarray       # int32 [N]
    compound_kind: np.ndarray   # int8  [C], index into COMPOUND_KINDS
    compound_grid: np.ndarray   # int32 [C]
    grid_community: np.ndarray  # int32 [G]
    edges: np.ndarray           # int32 [E, 2], u < v, each tie once
    labels: list[str] | None = None   # original node ids of a loaded graph, in node order
    _graph: nx.Graph | None = field(default=None, init=False, repr=False)
    _adjacency: sp.csr_matrix | None = field(default=None, init=False, repr=False)
    _positions: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        """The index arrays in the dtypes above, whoever built them (generated or loaded)."""
        for name in ("building", "compound", "grid", "community", "compound_grid",
                     "grid_community"):
            setattr(self, name, getattr(self, name).astype(np.int32))
        self.compound_kind = self.compound_kind.astype(np.int8)

    @property
    def n_households(self) -> int:
        return int(self.building.size)

    @property
    def n_compounds(self) -> int:
        return int(self.compound_kind.size)

    @property
    def n_grids(self) -> int:
        return int(self.grid_community.size)

    @property
    def n_communities(self) -> int:
        return int(self.grid_community.max()) + 1 if self.grid_community.size else 0

    @property
    def n_buildings(self) -> int:
        return int(self.building.max()) + 1 if self.building.size else 0

    @property
    def graph(self) -> nx.Graph:
        """The households as an ``nx.Graph`` with the nesting as node attributes (and
        ``label`` for a loaded graph), built once on first use."""
        if self._graph is None:
            kind_names = np.asarray(COMPOUND_KINDS, dtype=object)[
                self.compound_kind[self.compound]].tolist()
            self._graph = _make_graph(self.edges, self.building, self.compound, self.grid,
                                      self.community, kind_names, self.labels)
        return self._graph

    def adjacency(self) -> sp.csr_matrix:
        """Symmetric 0/1 adjacency (cached): peer effects and trust diffusion are A @ x."""
        if self._adjacency is None:
            n = self.n_households
            u, v = self.edges[:, 0], self.edges[:, 1]
            rows = np.concatenate([u, v])
            cols = np.concatenate([v, u])
            data = np.ones(rows.size, dtype=np.float64)
            self._adjacency = sp.csr_matrix((data, (rows, cols)), shape=(n, n))
        return self._adjacency

    def positions(self) -> np.ndarray:
        """Deterministic [N, 2] layout read off the nesting, so maps are comparable across runs.

        Communities tile a square grid of unit cells; compounds tile their community in grid
        order (serpentine, so a grid's compounds stay side by side); buildings tile their
        compound; households sit on a sunflower spiral round their building's centre.
        """
        if self._positions is not None:
            return self._positions
        n_c = self.n_compounds
        comp_comm = self.grid_community[self.compound_grid]
        bld_comp = np.zeros(self.n_buildings, dtype=np.int64)
        bld_comp[self.building] = self.compound

        # communities: unit cells
        k = self.n_communities
        kcols = max(1, math.ceil(math.sqrt(k)))
        comm_xy = np.stack([np.arange(k) % kcols, np.arange(k) // kcols], 1).astype(float)

        # compounds inside their community, ordered by grid
        c_order = np.lexsort((np.arange(n_c), self.compound_grid, comp_comm))
        c_rank, c_count = _rank(comp_comm, c_order, k)
        c_cols = np.ceil(np.sqrt(c_count[comp_comm])).astype(np.int64)
        c_cell = 0.9 / c_cols
        c_xy = _serpentine(c_rank, c_cols) * c_cell[:, None] + 0.05 + comm_xy[comp_comm]

        # buildings inside their compound
        n_b = bld_comp.size
        b_rank, b_count = _rank(bld_comp, np.argsort(bld_comp, kind="stable"), n_c)
        b_cols = np.ceil(np.sqrt(b_count[bld_comp])).astype(np.int64)
        b_cell = c_cell[bld_comp] * 0.85 / b_cols
        b_xy = (c_xy[bld_comp] + c_cell[bld_comp, None] * 0.075
                + (_serpentine(b_rank, b_cols) + 0.5) * b_cell[:, None])

        # households round their building centre
        h_rank, h_count = _rank(self.building, np.argsort(self.building, kind="stable"), n_b)
        radius = 0.4 * b_cell[self.building] * np.sqrt((h_rank + 0.5) / h_count[self.building])
        angle = h_rank * _GOLDEN_ANGLE
        pos = b_xy[self.building] + radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1)
        self._positions = pos.astype(np.float64)
        return self._positions


def _rank(group: np.ndarray, order: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank of each item within its group (in `order`) and each group's size, without loops."""
    counts = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = np.arange(group.size) - starts[group[order]]
    return rank, counts


def _serpentine(rank: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Cell (col, row) of a rank on a boustrophedon raster: neighbours in rank stay adjacent."""
    row = rank // cols
    col = rank % cols
    col = np.where(row % 2 == 1, cols - 1 - col, col)
    return np.stack([col, row], 1).astype(np.float64)


def _make_graph(edges: np.ndarray, building: np.ndarray,
                compound: np.ndarray, grid: np.ndarray, community: np.ndarray,
                kind_names: list[str], labels: list[str] | None = None) -> nx.Graph:
    """Build the nx.Graph in bulk (per-node add_node calls dominate run time otherwise)."""
    cols = zip(building.tolist(), compound.tolist(), grid.tolist(), community.tolist(),
               kind_names, labels if labels is not None else kind_names, strict=True)
    if labels is None:
        attrs = [{"building": b, "compound": c, "grid": g, "community": k, "compound_kind": s}
                 for b, c, g, k, s, _ in cols]
    else:
        attrs = [{"building": b, "compound": c, "grid": g, "community": k, "compound_kind": s,
                  "label": lab} for b, c, g, k, s, lab in cols]
    g = nx.Graph()
    g.add_nodes_from(enumerate(attrs))
    g.add_edges_from(edges.tolist())
    return g


def _unique_edges(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Drop self-loops and duplicates; each undirected edge once with u < v, sorted."""
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    keep = u != v
    u, v = u[keep], v[keep]
    key = np.minimum(u, v) * n + np.maximum(u, v)
    del u, v, keep
    key.sort()
    if key.size:
        key = key[np.concatenate([[True], key[1:] != key[:-1]])]
    return np.stack([key // n, key % n], 1).astype(np.int32).reshape(-1, 2)


# --------------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------------
def _largest_remainder(quota: np.ndarray, total: int) -> np.ndarray:
    """Integer counts summing to `total` that are as close to `quota` as integers allow."""
    counts = np.floor(quota + 1e-9).astype(np.int64)
    need = total - int(counts.sum())
    if need > 0:
        counts[np.argsort(-(quota - counts), kind="stable")[:need]] += 1
    return counts


def _compound_kinds(spec: GraphSpec, rng: np.random.Generator) -> np.ndarray:
    """Kinds per compound, [K, Cp]: exact street-wide mix, each community within ±1 of it."""
    k, cp = spec.communities, spec.compounds_per_community
    mix = spec.compound_mix
    shares = np.array([getattr(mix, name) for name in COMPOUND_KINDS], dtype=np.float64)
    street = _largest_remainder(shares * k * cp, k * cp)
    base = np.floor(shares * cp + 1e-9).astype(np.int64)
    extra = street - k * base                 # each in [0, k]: at most one extra per community
    # Deal the extras out cyclically: a block of <= k consecutive items hits distinct
    # communities, so no community gets two extras of one kind.
    items = np.repeat(np.arange(len(COMPOUND_KINDS)), extra)
    who = rng.permutation(k)[np.arange(items.size) % k]
    counts = np.tile(base, (k, 1))
    np.add.at(counts, (who, items), 1)
    kinds = np.repeat(np.tile(np.arange(len(COMPOUND_KINDS)), k), counts.ravel())
    return rng.permuted(kinds.reshape(k, cp), axis=1).astype(np.int8)


def _grid_of_compound(sizes: np.ndarray, gp: int) -> np.ndarray:
    """Local grid of each compound, [K, Cp]: contiguous runs of compounds, near-equal households.

    A grid starts at the compound boundary nearest each 1/gp share of households, nudged so
    every grid keeps at least one whole compound.
    """
    k, cp = sizes.shape
    if gp == 1:
        return np.zeros((k, cp), dtype=np.int64)
    cum = np.cumsum(sizes, axis=1)
    j = np.arange(1, gp)
    starts = np.empty((k, gp - 1), dtype=np.int64)
    for c in range(k):   # one small search per community
        target = cum[c, -1] * j / gp
        starts[c] = np.abs(cum[c][:, None] - target[None, :]).argmin(0) + 1
    slack = np.maximum.accumulate(np.clip(starts - j, 0, cp - gp), axis=1)
    starts = slack + j                        # strictly increasing, within 1..cp-1
    mark = np.zeros((k, cp), dtype=np.int64)
    mark[np.arange(k)[:, None], starts] = 1
    return np.cumsum(mark, axis=1)


def generate(spec: GraphSpec, rng: np.random.Generator) -> Neighbourhood:
    """A synthetic street from the nested size spec; same spec and rng state, same graph."""
    k, h = spec.communities, spec.households_per_community
    gp, cp = spec.grids_per_community, spec.compounds_per_community
    if gp > cp:
        raise GraphError(
            f"graph.grids_per_community = {gp} is more than graph.compounds_per_community = "
            f"{cp}, but each grid must hold at least one whole compound (grid ⊃ compound); "
            f"set graph.grids_per_community to at most {cp} or raise "
            f"graph.compounds_per_community to at least {gp}.")
    if cp > h:
        raise GraphError(
            f"graph.compounds_per_community = {cp} is more than "
            f"graph.households_per_community = {h}, but each compound must hold at least one "
            f"household; set graph.compounds_per_community to at most {h}.")
    n = k * h

    # compound sizes: a floor plus a Dirichlet-multinomial share of the rest
    floor = max(1, int(_SIZE_FLOOR * h / cp))
    weights = rng.gamma(_SIZE_ALPHA, size=(k, cp))
    extra = rng.multinomial(h - floor * cp, weights / weights.sum(axis=1, keepdims=True))
    sizes = (floor + extra).astype(np.int64)                   # [K, Cp], rows sum to h

    kinds = _compound_kinds(spec, rng)                         # [K, Cp]
    local_grid = _grid_of_compound(sizes, gp)                  # [K, Cp]
    compound_grid = (local_grid + gp * np.arange(k)[:, None]).ravel()
    grid_community = np.repeat(np.arange(k), gp)

    csize = sizes.ravel()
    cstart = np.cumsum(csize) - csize                          # global first household
    compound = np.repeat(np.arange(k * cp), csize)
    hh = np.arange(n, dtype=np.int64)
    local = hh - cstart[compound]

    # buildings: consecutive households, about households_per_building each
    nb = np.maximum(1, np.rint(csize / spec.households_per_building)).astype(np.int64)
    boff = np.cumsum(nb) - nb
    building = boff[compound] + local * nb[compound] // csize[compound]
    bsize = np.bincount(building)
    bstart = np.cumsum(bsize) - bsize

    us: list[np.ndarray] = []
    vs: list[np.ndarray] = []

    # dense within a building
    p = spec.building_tie_prob
    if p > 0:
        for s in np.unique(bsize):             # few distinct building sizes
            if s < 2:
                continue
            first = bstart[bsize == s]
            iu, ju = np.triu_indices(int(s), 1)
            b, pair = np.nonzero(rng.random((first.size, iu.size)) < p)
            us.append(first[b] + iu[pair])
            vs.append(first[b] + ju[pair])

    # sparse small-world ties to other buildings of the compound
    t = spec.compound_ties
    if t > 0:
        src = np.repeat(hh, t)
        c = compound[src]
        cs, cz = cstart[c], csize[c]
        b = building[src]
        b_local, bz = bstart[b] - cs, bsize[b]
        outside = cz - bz                       # households of the compound in other buildings
        r = rng.integers(0, np.maximum(outside, 1))
        across = cs + np.where(r < b_local, r, r + bz)
        # a one-building compound: any other household of it instead
        r1 = rng.integers(0, np.maximum(cz - 1, 1))
        inside = cs + (src - cs + 1 + r1) % cz
        tgt = np.where(outside > 0, across, inside)
        ok = cz > 1
        us.append(src[ok])
        vs.append(tgt[ok])
        # free the per-tie temporaries now: on a large street they set the peak memory
        del src, c, cs, cz, b, b_local, bz, outside, r, across, r1, inside, tgt, ok

    # few ties to other compounds of the same community
    lam = spec.cross_compound_ties
    if lam > 0 and cp > 1:
        src = np.repeat(hh, rng.poisson(lam, n))
        c = compound[src]
        comm_start = (src // h) * h
        c_local = cstart[c] - comm_start
        cz = csize[c]
        r = rng.integers(0, h - cz)             # cz < h since every compound is non-empty
        us.append(src)
        vs.append(comm_start + np.where(r < c_local, r, r + cz))
        del src, c, comm_start, c_local, cz, r

    if us:
        u_all, v_all = np.concatenate(us), np.concatenate(vs)
        del us, vs
        edges = _unique_edges(u_all, v_all, n)
        del u_all, v_all
    else:
        edges = np.empty((0, 2), dtype=np.int32)

    grid = compound_grid[compound]
    community = grid_community[grid]
    kind_flat = kinds.ravel()
    return Neighbourhood(building=building, compound=compound, grid=grid, community=community,
                         compound_kind=kind_flat, compound_grid=compound_grid,
                         grid_community=grid_community, edges=edges)


# --------------------------------------------------------------------------------------------
# load
# --------------------------------------------------------------------------------------------
def _fail(where: str, text: str) -> GraphError:
    return GraphError(f"{where}: {text}")


def _read_graphml(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node table and edge table from GraphML; edges to undeclared nodes are kept as dangling."""
    try:
        g = nx.read_graphml(path)
        declared: dict[str, None] = {}
        for el in ET.parse(path).iter():
            if el.tag == "node" or el.tag.endswith("}node"):
                declared[str(el.get("id"))] = None
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one readable message
        raise _fail(str(path), f"cannot be read as GraphML ({type(exc).__name__}: {exc}); "
                               "give a valid .graphml file, or an edge list CSV 'source,target'"
                               " with a node table.") from None
    rows = []
    for node in declared:
        data = g.nodes[node] if node in g else {}
        rows.append({"node": node, **{a: data.get(a) for a in ATTRS}})
    nodes = pd.DataFrame(rows, columns=["node", *ATTRS])
    edges = pd.DataFrame([(str(u), str(v)) for u, v in g.edges()],
                         columns=["source", "target"])
    return nodes, edges


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, skipinitialspace=True)
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one readable message
        raise _fail(str(path), f"cannot be read as a CSV {what} ({type(exc).__name__}: "
                               f"{exc}).") from None


def _read_edge_list(path: Path, node_table: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node table and edge table from two CSV files."""
    if not node_table.is_file():
        raise _fail(str(node_table), "no such node table file (graph.node_table); it must be "
                                     "a CSV with columns node," + ",".join(ATTRS) + ".")
    edges = _read_csv(path, "edge list")
    missing = [c for c in ("source", "target") if c not in edges.columns]
    if missing:
        raise _fail(str(path), f"the edge list has no column {missing[0]!r} (its header is "
                               f"{','.join(map(str, edges.columns))!r}); an edge list needs "
                               "the header 'source,target'.")
    nodes = _read_csv(node_table, "node table")
    if "node" not in nodes.columns:
        raise _fail(str(node_table), "the node table has no column 'node' (its header is "
                                     f"{','.join(map(str, nodes.columns))!r}); it needs "
                                     "columns node," + ",".join(ATTRS) + ".")
    for a in ATTRS:
        if a not in nodes.columns:
            nodes[a] = None
    return nodes[["node", *ATTRS]], edges[["source", "target"]]


def _codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Dense 0-based codes in order of first appearance, and the value of each code."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), sort=False)
    return codes.astype(np.int64), [str(x) for x in uniques]


_NESTING = "street ⊃ community ⊃ grid ⊃ compound ⊃ building"


def _check_parent(file: str, labels: list[str], child: np.ndarray, child_vals: list[str],
                  parent: np.ndarray, parent_vals: list[str], child_attr: str,
                  parent_attr: str, rule: str) -> np.ndarray:
    """Parent of each child; refuses a child (compound, grid) split across two parents."""
    first = np.full(len(child_vals), -1, dtype=np.int64)
    order = np.arange(child.size)[::-1]
    first[child[order]] = order                     # first node of each child wins
    bad = np.flatnonzero(parent != parent[first[child]])
    if bad.size:
        i = int(bad[0])
        j = int(first[child[i]])
        raise _fail(file, f"{child_attr} {child_vals[child[i]]!r} has households under two "
                          f"values of {parent_attr}: node {labels[j]!r} "
                          f"has {parent_attr} {parent_vals[parent[j]]!r} but node "
                          f"{labels[i]!r} has {parent_attr} {parent_vals[parent[i]]!r}; "
                          f"{rule}.")
    return parent[first]


def _from_tables(file: str, nodes: pd.DataFrame, edges: pd.DataFrame,
                 edge_file: str, edge_row: str) -> Neighbourhood:
    """Validate a node table and edge table and turn them into a Neighbourhood.

    `file` names where the nodes come from, `edge_file` where the edges do; `edge_row` says
    how to number an edge in `edge_file` ("" where the parser loses file order).
    """
    if len(nodes) == 0:
        raise _fail(file, "the graph is empty (no nodes); give at least one household node "
                          "with attributes " + ", ".join(ATTRS) + ".")
    labels = [str(x) for x in nodes["node"].tolist()]
    n = len(labels)
    seen = pd.Index(labels)
    if seen.has_duplicates:
        dup = str(seen[seen.duplicated()][0])
        raise _fail(file, f"node {dup!r} is listed more than once; each node (household) "
                          "must appear once.")

    cols: dict[str, list[str]] = {}
    for a in ATTRS:
        raw = nodes[a].tolist()
        miss = [i for i, x in enumerate(raw)
                if x is None or (isinstance(x, float) and math.isnan(x)) or str(x).strip() == ""]
        if miss:
            raise _fail(file, f"node {labels[miss[0]]!r} has no {a!r} attribute ({len(miss)} "
                              f"of {n} nodes lack it); every node needs the attributes "
                              + ", ".join(ATTRS) + ".")
        cols[a] = [str(x).strip() for x in raw]

    kind_of = {name: i for i, name in enumerate(COMPOUND_KINDS)}
    kinds = [kind_of.get(x.lower(), -1) for x in cols["compound_kind"]]
    if -1 in kinds:
        i = kinds.index(-1)
        raise _fail(file, f"node {labels[i]!r} has compound_kind {cols['compound_kind'][i]!r}, "
                          f"which is not a compound kind; allowed kinds are {_KINDS_TEXT}.")

    ends = {}
    for col in ("source", "target"):
        raw = edges[col].tolist()
        keys = ["" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x).strip()
                for x in raw]
        pos = seen.get_indexer(keys)
        if (pos < 0).any():
            e = int(np.flatnonzero(pos < 0)[0])
            s, t = edges["source"].iloc[e], edges["target"].iloc[e]
            where = f" ({edge_row} {e + 1})" if edge_row else ""
            raise _fail(edge_file, f"edge {s}–{t}{where} has {col} "
                                   f"{keys[e]!r}, which is not a node in {file}; every edge "
                                   "endpoint must be a declared node with attributes "
                                   + ", ".join(ATTRS) + ".")
        ends[col] = pos.astype(np.int64)
    u, v = ends["source"], ends["target"]

    community, comm_vals = _codes(cols["community"])
    grid, grid_vals = _codes(cols["grid"])
    compound, comp_vals = _codes(cols["compound"])
    b_local, _ = _codes(cols["building"])
    building, _ = _codes((compound * (b_local.max() + 1) + b_local).tolist())
    kind = np.asarray(kinds, dtype=np.int64)

    unique_ids = "compound and grid ids must be unique across the file"
    _check_parent(file, labels, compound, comp_vals, community, comm_vals, "compound",
                  "community", f"a compound lies in exactly one community ({_NESTING}); "
                               + unique_ids)
    compound_grid = _check_parent(
        file, labels, compound, comp_vals, grid, grid_vals, "compound", "grid",
        f"a compound lies in exactly one grid ({_NESTING}); " + unique_ids)
    grid_community = _check_parent(
        file, labels, grid, grid_vals, community, comm_vals, "grid", "community",
        f"a grid lies in exactly one community ({_NESTING}); " + unique_ids)
    compound_kind = _check_parent(
        file, labels, compound, comp_vals, kind, list(COMPOUND_KINDS), "compound",
        "compound_kind", "all households of a compound share its compound_kind")
    edge_arr = _unique_edges(u, v, n)
    return Neighbourhood(building=building, compound=compound, grid=grid, community=community,
                         compound_kind=compound_kind, compound_grid=compound_grid,
                         grid_community=grid_community, edges=edge_arr, labels=labels)


def load(path: str | Path, node_table: str | Path | None = None) -> Neighbourhood:
    """A planner's own graph: GraphML, or an edge list CSV plus a node table CSV.

    Node ids and attribute values may be any strings or ints; nodes are renumbered 0..N-1 in
    file order (original id kept as 'label'). Community, grid and compound ids are taken as
    unique across the file (so a split compound or grid can be caught); building ids only
    within their compound.
    """
    path = Path(path)
    try:
        exists = path.is_file()
    except (OSError, ValueError):      # a name too long for the system, a NUL byte
        exists = False
    if not exists:
        raise _fail(str(path), "no such graph file (graph.file); give a .graphml file, or an "
                               "edge list CSV 'source,target' with graph.node_table.")
    if path.suffix.lower() in (".graphml", ".xml"):
        nodes, edges = _read_graphml(path)
        return _from_tables(str(path), nodes, edges, str(path), "")
    if node_table is not None:
        nodes, edges = _read_edge_list(path, Path(node_table))
        return _from_tables(str(node_table), nodes, edges, str(path), "data row")
    raise _fail(str(path), f"graph file type {path.suffix or '(none)'!r} needs a node "
                           "table: give a .graphml file, or an edge list CSV "
                           "'source,target' together with graph.node_table (columns node,"
                           + ",".join(ATTRS) + ").")


def build(spec: GraphSpec, rng: np.random.Generator,
          base_dir: Path | None = None) -> Neighbourhood:
    """The scenario's graph: generated from the spec, or loaded from `spec.file`.

    Relative file names are resolved against `base_dir` (the scenario file's folder).
    """
    if not spec.file:
        return generate(spec, rng)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    table = base / spec.node_table if spec.node_table else None
    return load(base / spec.file, table)
