"""Behaviour of the neighbourhood graph: nesting, ties, layout, and what a planner file may hold."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from commgov.model.graph import GraphError, Neighbourhood, build, generate, load
from commgov.scenarios.schema import COMPOUND_KINDS, GraphSpec

SPEC = GraphSpec(communities=3, households_per_community=1500, grids_per_community=3,
                 compounds_per_community=7, households_per_building=20)


@pytest.fixture(scope="module")
def nb() -> Neighbourhood:
    return generate(SPEC, np.random.default_rng(42))


def small() -> Neighbourhood:
    spec = GraphSpec(communities=2, households_per_community=60, grids_per_community=2,
                     compounds_per_community=3, households_per_building=10)
    return generate(spec, np.random.default_rng(7))


# --------------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------------
def test_sizes_and_nesting(nb: Neighbourhood) -> None:
    k, h = SPEC.communities, SPEC.households_per_community
    assert nb.n_households == k * h
    assert nb.n_communities == k
    assert nb.n_grids == k * SPEC.grids_per_community
    assert nb.n_compounds == k * SPEC.compounds_per_community
    for arr in (nb.building, nb.compound, nb.grid, nb.community):
        assert arr.dtype == np.int32 and arr.shape == (nb.n_households,)
    assert nb.compound_kind.dtype == np.int8
    # every level's indices are dense and every unit holds households
    assert np.all(np.bincount(nb.community) == h)
    assert np.all(np.bincount(nb.grid, minlength=nb.n_grids) > 0)
    assert np.all(np.bincount(nb.compound, minlength=nb.n_compounds) > 0)
    assert np.all(np.bincount(nb.building, minlength=nb.n_buildings) > 0)
    # grid ⊃ compound, community ⊃ grid, compound ⊃ building
    assert np.array_equal(nb.compound_grid[nb.compound], nb.grid)
    assert np.array_equal(nb.grid_community[nb.grid], nb.community)
    bld_comp = pd.Series(nb.compound).groupby(nb.building).nunique()
    assert (bld_comp == 1).all()
    # each grid holds whole, contiguous compounds; sizes vary but none is tiny
    assert np.all(np.diff(nb.compound_grid) >= 0)
    sizes = np.bincount(nb.compound)
    mean = SPEC.households_per_community / SPEC.compounds_per_community
    assert sizes.min() >= 0.3 * mean and sizes.std() > 0
    # buildings of about households_per_building
    bsizes = np.bincount(nb.building)
    assert 0.5 * 20 <= np.median(bsizes) <= 1.5 * 20
    # node attributes mirror the arrays
    node = nb.graph.nodes[17]
    assert node["compound"] == nb.compound[17] and node["grid"] == nb.grid[17]
    assert node["compound_kind"] == COMPOUND_KINDS[nb.compound_kind[nb.compound[17]]]
    assert nb.graph.number_of_nodes() == nb.n_households


def test_kind_mix_follows_spec() -> None:
    spec = GraphSpec(communities=4, households_per_community=200, grids_per_community=2,
                     compounds_per_community=10)
    n = generate(spec, np.random.default_rng(1))
    counts = np.bincount(n.compound_kind, minlength=3)
    assert counts.tolist() == [16, 16, 8]            # 0.4 / 0.4 / 0.2 of 40 compounds
    per_comm = np.zeros((4, 3), dtype=int)
    np.add.at(per_comm, (n.grid_community[n.compound_grid], n.compound_kind), 1)
    assert np.all(np.abs(per_comm - np.array([4, 4, 2])) <= 1)
    other = spec.model_copy(update={"compound_mix": spec.compound_mix.model_copy(
        update={"old": 0.0, "commercial": 0.3, "resettlement": 0.7})})
    counts = np.bincount(generate(other, np.random.default_rng(1)).compound_kind, minlength=3)
    assert counts.tolist() == [0, 12, 28]


def test_determinism(nb: Neighbourhood) -> None:
    again = generate(SPEC, np.random.default_rng(42))
    for name in ("building", "compound", "grid", "community", "compound_kind",
                 "compound_grid", "grid_community", "edges"):
        assert np.array_equal(getattr(nb, name), getattr(again, name)), name
    other = generate(SPEC, np.random.default_rng(43))
    assert not (nb.edges.shape == other.edges.shape and np.array_equal(nb.edges, other.edges))
    assert not np.array_equal(nb.compound, other.compound)


def test_edge_structure(nb: Neighbourhood) -> None:
    e = nb.edges
    assert e.dtype == np.int32 and e.ndim == 2 and e.shape[1] == 2
    assert np.all(e[:, 0] < e[:, 1])
    assert len(np.unique(e, axis=0)) == len(e)
    u, v = e[:, 0], e[:, 1]
    same_b = nb.building[u] == nb.building[v]
    same_c = nb.compound[u] == nb.compound[v]
    assert np.all(nb.community[u] == nb.community[v])  # cross-compound ties stay home

    def pairs(groups: np.ndarray) -> int:
        s = np.bincount(groups).astype(np.int64)
        return int((s * (s - 1) // 2).sum())

    in_b = pairs(nb.building)
    in_c = pairs(nb.compound) - in_b
    across = pairs(nb.community) - pairs(nb.compound)
    d_b = same_b.sum() / in_b
    d_c = (same_c & ~same_b).sum() / in_c
    d_x = (~same_c).sum() / across
    assert abs(d_b - SPEC.building_tie_prob) < 0.05
    assert d_b > 5 * d_c > 0
    assert d_c > 5 * d_x > 0
    deg = 2 * len(e) / nb.n_households
    assert 4 < deg < 14


def test_adjacency(nb: Neighbourhood) -> None:
    a = nb.adjacency()
    assert a.shape == (nb.n_households,) * 2
    assert (a != a.T).nnz == 0
    assert a.diagonal().sum() == 0
    assert a.sum() == 2 * len(nb.edges)
    deg = np.asarray(a.sum(axis=1)).ravel()
    assert np.array_equal(deg, [d for _, d in sorted(nb.graph.degree())])
    assert nb.adjacency() is a


def test_positions_deterministic_and_grouped(nb: Neighbourhood) -> None:
    pos = nb.positions()
    assert pos.shape == (nb.n_households, 2) and pos.dtype == np.float64
    assert np.isfinite(pos).all()
    again = generate(SPEC, np.random.default_rng(42)).positions()
    assert np.array_equal(pos, again)
    assert len(np.unique(pos, axis=0)) == nb.n_households
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, nb.n_households, (2, 20_000))
    dist = np.linalg.norm(pos[i] - pos[j], axis=1)
    same = nb.compound[i] == nb.compound[j]
    assert dist[same & (i != j)].mean() < 0.5 * dist[~same].mean()
    same_b = nb.building[i] == nb.building[j]
    assert dist[same_b & (i != j)].mean() < dist[same & ~same_b].mean()


def test_more_grids_than_compounds_is_refused() -> None:
    spec = GraphSpec(grids_per_community=8, compounds_per_community=5)
    with pytest.raises(GraphError) as err:
        generate(spec, np.random.default_rng(0))
    msg = str(err.value)
    assert "graph.grids_per_community" in msg and "graph.compounds_per_community" in msg
    assert "8" in msg and "5" in msg and "whole compound" in msg


def test_more_compounds_than_households_is_refused() -> None:
    spec = GraphSpec(households_per_community=50, compounds_per_community=60,
                     grids_per_community=2)
    with pytest.raises(GraphError, match="graph.compounds_per_community = 60"):
        generate(spec, np.random.default_rng(0))


def test_build_generates_or_loads(tmp_path: Path) -> None:
    spec = GraphSpec(communities=2, households_per_community=60, grids_per_community=2,
                     compounds_per_community=3)
    a = build(spec, np.random.default_rng(5))
    b = generate(spec, np.random.default_rng(5))
    assert np.array_equal(a.edges, b.edges)
    nx.write_graphml(b.graph, tmp_path / "g.graphml")
    loaded = build(spec.model_copy(update={"file": "g.graphml"}), np.random.default_rng(5),
                   base_dir=tmp_path)
    assert np.array_equal(loaded.compound, b.compound)


# --------------------------------------------------------------------------------------------
# load: round trips
# --------------------------------------------------------------------------------------------
def same_hierarchy(a: Neighbourhood, b: Neighbourhood) -> None:
    for name in ("building", "compound", "grid", "community", "compound_kind",
                 "compound_grid", "grid_community", "edges"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_graphml_round_trip(tmp_path: Path) -> None:
    n = small()
    g = nx.relabel_nodes(n.graph, {i: f"hh-{i}" for i in n.graph})
    nx.write_graphml(g, tmp_path / "street.graphml")
    back = load(tmp_path / "street.graphml")
    same_hierarchy(n, back)
    assert back.graph.nodes[3]["label"] == "hh-3"
    assert back.graph.number_of_edges() == len(n.edges)


def node_table(n: Neighbourhood) -> pd.DataFrame:
    """A planner-style node table: string ids, compounds named, buildings numbered per compound."""
    b_start = pd.Series(n.building).groupby(n.compound).transform("min").to_numpy()
    return pd.DataFrame({
        "node": [f"h{i}" for i in range(n.n_households)],
        "building": n.building - b_start + 1,       # "1", "2" … again in every compound
        "compound": [f"Garden {c}" for c in n.compound],
        "grid": [f"G{g}" for g in n.grid],
        "community": [f"C{k}" for k in n.community],
        "compound_kind": [COMPOUND_KINDS[n.compound_kind[c]] for c in n.compound],
    })


def edge_table(n: Neighbourhood) -> pd.DataFrame:
    return pd.DataFrame({"source": [f"h{u}" for u in n.edges[:, 0]],
                         "target": [f"h{v}" for v in n.edges[:, 1]]})


def write_csv(tmp_path: Path, nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[Path, Path]:
    e, t = tmp_path / "edges.csv", tmp_path / "nodes.csv"
    edges.to_csv(e, index=False)
    nodes.to_csv(t, index=False)
    return e, t


def test_edge_list_round_trip(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    assert nodes["building"].nunique() < n.n_buildings   # building ids repeat across compounds
    edges = edge_table(n)
    # reversed, duplicated and self-loop rows are tolerated
    extra = pd.DataFrame({"source": [edges.target[0], "h5"], "target": [edges.source[0], "h5"]})
    back = load(*write_csv(tmp_path, nodes, pd.concat([edges, extra])))
    same_hierarchy(n, back)
    assert back.graph.nodes[0]["label"] == "h0"


def test_edge_list_without_node_table_is_refused(tmp_path: Path) -> None:
    n = small()
    e, _ = write_csv(tmp_path, node_table(n), edge_table(n))
    with pytest.raises(GraphError, match="node_table"):
        load(e)


# --------------------------------------------------------------------------------------------
# load: refusals
# --------------------------------------------------------------------------------------------
def refusal(tmp_path: Path, nodes: pd.DataFrame, edges: pd.DataFrame,
            names: str = "nodes.csv") -> str:
    """The one-paragraph message of a refused file, which names the file at fault."""
    with pytest.raises(GraphError) as err:
        load(*write_csv(tmp_path, nodes, edges))
    msg = str(err.value)
    assert names in msg and "\n" not in msg and "Traceback" not in msg
    return msg


def test_missing_attribute(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n).astype(object)
    nodes.loc[[4, 9], "grid"] = None
    msg = refusal(tmp_path, nodes, edge_table(n))
    assert "'h4'" in msg and "'grid'" in msg and "2 of 120" in msg


def test_missing_attribute_column(tmp_path: Path) -> None:
    n = small()
    msg = refusal(tmp_path, node_table(n).drop(columns="compound_kind"), edge_table(n))
    assert "'h0'" in msg and "compound_kind" in msg and "120 of 120" in msg


def test_dangling_edge(tmp_path: Path) -> None:
    n = small()
    edges = edge_table(n)
    edges.loc[3, "target"] = "ghost"
    msg = refusal(tmp_path, node_table(n), edges, names="edges.csv")
    assert "'ghost'" in msg and "target" in msg and edges.source[3] in msg
    assert "nodes.csv" in msg and "data row 4" in msg


def test_unknown_compound_kind(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    nodes.loc[nodes.compound == nodes.compound[30], "compound_kind"] = "villa"
    msg = refusal(tmp_path, nodes, edge_table(n))
    first = nodes.index[nodes.compound_kind == "villa"][0]
    assert f"'h{first}'" in msg and "compound_kind" in msg and "'villa'" in msg
    assert "old, commercial, resettlement" in msg


def test_compound_in_two_grids(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    last = nodes.index[nodes.compound == "Garden 0"][-1]
    assert nodes.grid[last] == "G0"
    nodes.loc[last, "grid"] = "G1"                 # G1 is in the same community C0
    msg = refusal(tmp_path, nodes, edge_table(n))
    assert f"'h{last}'" in msg and "grid" in msg and "'G1'" in msg and "'Garden 0'" in msg


def test_compound_in_two_communities(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    last = nodes.index[nodes.compound == "Garden 0"][-1]
    nodes.loc[last, "community"] = "C9"
    msg = refusal(tmp_path, nodes, edge_table(n))
    assert f"'h{last}'" in msg and "community" in msg and "'C9'" in msg
    assert "'Garden 0'" in msg and "'C0'" in msg


def test_grid_in_two_communities(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    moved = nodes.index[nodes.community == "C1"][0]
    nodes.loc[nodes.compound == nodes.compound[moved], "grid"] = "G0"   # a whole compound
    msg = refusal(tmp_path, nodes, edge_table(n))
    assert "grid 'G0'" in msg and f"'h{moved}'" in msg and "community" in msg
    assert "'C0'" in msg and "'C1'" in msg


def test_compound_with_two_kinds(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    last = nodes.index[nodes.compound == "Garden 0"][-1]
    kind = nodes.compound_kind[0]
    nodes.loc[last, "compound_kind"] = next(k for k in COMPOUND_KINDS if k != kind)
    msg = refusal(tmp_path, nodes, edge_table(n))
    assert f"'h{last}'" in msg and "compound_kind" in msg and "'Garden 0'" in msg


def test_duplicate_node(tmp_path: Path) -> None:
    n = small()
    nodes = node_table(n)
    nodes.loc[5, "node"] = "h4"
    msg = refusal(tmp_path, nodes, edge_table(n))
    assert "'h4'" in msg and "more than once" in msg


def test_empty_graph(tmp_path: Path) -> None:
    n = small()
    msg = refusal(tmp_path, node_table(n).iloc[:0], edge_table(n).iloc[:0])
    assert "empty" in msg
    (tmp_path / "empty.graphml").write_text(
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<graph edgedefault="undirected"/></graphml>')
    with pytest.raises(GraphError, match="empty"):
        load(tmp_path / "empty.graphml")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match="nowhere.graphml.*no such"):
        load(tmp_path / "nowhere.graphml")
    bad = tmp_path / "bad.graphml"
    bad.write_text("this is not <xml")
    with pytest.raises(GraphError) as err:
        load(bad)
    assert "bad.graphml" in str(err.value) and "ParseError" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__
    empty = tmp_path / "edges.csv"
    empty.write_text("")
    (tmp_path / "nodes.csv").write_text("node,building,compound,grid,community,compound_kind\n")
    with pytest.raises(GraphError, match="edges.csv.*cannot be read"):
        load(empty, tmp_path / "nodes.csv")
    with pytest.raises(GraphError, match="missing.csv.*no such"):
        load(empty, tmp_path / "missing.csv")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("from,to\na,b\n")
    with pytest.raises(GraphError, match="'source'"):
        load(wrong, tmp_path / "nodes.csv")


GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="b" for="node" attr.name="building" attr.type="string"/>
  <key id="c" for="node" attr.name="compound" attr.type="string"/>
  <key id="g" for="node" attr.name="grid" attr.type="string"/>
  <key id="k" for="node" attr.name="community" attr.type="int"/>
  <key id="t" for="node" attr.name="compound_kind" attr.type="string"/>
  <graph edgedefault="undirected">
    {nodes}
    <edge source="a" target="b"/>
    <edge source="b" target="{target}"/>
  </graph>
</graphml>
"""


def graphml_node(node: str, building: str = "1", kind: str = "old", skip: str = "") -> str:
    data = {"b": building, "c": "East", "g": "g1", "k": "7", "t": kind}
    body = "".join(f'<data key="{k}">{v}</data>' for k, v in data.items() if k != skip)
    return f'<node id="{node}">{body}</node>'


def test_graphml_refusals(tmp_path: Path) -> None:
    path = tmp_path / "planner.graphml"

    def attempt(nodes: list[str], target: str = "c") -> str:
        path.write_text(GRAPHML.format(nodes="\n    ".join(nodes), target=target))
        with pytest.raises(GraphError) as err:
            load(path)
        assert "planner.graphml" in str(err.value)
        return str(err.value)

    ok = [graphml_node("a"), graphml_node("b", "2"), graphml_node("c", "2")]
    path.write_text(GRAPHML.format(nodes="\n    ".join(ok), target="c"))
    n = load(path)
    assert (n.n_households, n.n_buildings, n.n_compounds, len(n.edges)) == (3, 2, 1, 2)

    msg = attempt([graphml_node("a"), graphml_node("b", skip="g"), graphml_node("c")])
    assert "'b'" in msg and "'grid'" in msg and "1 of 3" in msg
    msg = attempt(ok, target="zz")
    assert "'zz'" in msg and "target" in msg
    msg = attempt([graphml_node("a"), graphml_node("b"), graphml_node("c", kind="Villa")])
    assert "'c'" in msg and "compound_kind" in msg and "'Villa'" in msg
