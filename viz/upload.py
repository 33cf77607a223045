"""A planner's own community, uploaded in the browser: a scenario TOML, a GraphML file, or an
edge list CSV with its node table CSV.

An upload is *data*, never a path: the bytes are written under names we choose into a
private folder of this process, then checked by the same code as the CLI (the scenario
loader's schema and :func:`commgov.model.graph.load`), so a mistake gets the CLI's named
error (with the uploaded file's name in place of our folder). What an uploaded scenario may
point to is narrowed first: ``extends`` only a scenario of the scenario folder, and no
``graph.file`` / ``graph.node_table`` (upload the graph itself instead), so no file of the
machine is read because a browser asked. Files are capped at ``limits.MAX_UPLOAD_BYTES``
and the community at ``limits.MAX_HOUSEHOLDS`` households.

An accepted :class:`Upload` is registered under a key (``upload:<digest>``) that takes the
place of a scenario name in the session's settings; the worker process that runs the model
registers the same bytes again (:func:`register`), so nothing but data crosses processes.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from commgov.viz import limits

PREFIX = "upload:"
SCENARIO_SUFFIXES = (".toml",)
GRAPHML_SUFFIXES = (".graphml", ".xml")
CSV_SUFFIXES = (".csv", ".txt", ".edgelist")
ALLOWED = "a scenario .toml, a .graphml file, or an edge list .csv with its node table .csv"


class UploadError(limits.AppLimitError):
    """An uploaded file the app cannot use; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Upload:
    """Validated uploaded files: what to call them, their kind and their bytes."""

    name: str                                   # the uploaded file name(s), for display
    kind: str                                   # "scenario", "graphml" or "edgelist"
    files: tuple[tuple[str, str, bytes], ...]   # (our file name, uploaded name, bytes)

    @property
    def key(self) -> str:
        h = hashlib.sha256()
        for ours, _, data in self.files:
            h.update(ours.encode() + b"\0" + hashlib.sha256(data).digest())
        return PREFIX + h.hexdigest()[:16]


def _display(name: Any) -> str:
    """A file name to show: its last part, printable characters only, at most 80."""
    text = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    text = re.sub(r"[^\w.\- ()\u4e00-\u9fff]", "_", text)[:80]
    return text or "upload"


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


_lock = threading.Lock()
_dirs: dict[str, Path] = {}
_uploads: dict[str, Upload] = {}


def _write(up: Upload) -> Path:
    """The upload's files in a private folder of this process; the scenario file's path."""
    with _lock:
        folder = _dirs.get(up.key)
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="commgov-upload-"))
            for ours, _, data in up.files:
                tmp = folder / f".{ours}.part"
                tmp.write_bytes(data)
                tmp.replace(folder / ours)
            _dirs[up.key] = folder
    return folder / "scenario.toml"


def _named(text: str, up: Upload) -> str:
    """An error message with our private folder's paths replaced by the uploaded names."""
    folder = _dirs.get(up.key)
    if folder is not None:
        for ours, theirs, _ in up.files:
            text = text.replace(str(folder / ours), theirs)
        text = text.replace(str(folder), "(upload)")
    return text


def _scenario_for_graph(kind: str) -> bytes:
    graph: dict[str, Any] = ({"file": "graph.graphml"} if kind == "graphml"
                             else {"file": "edges.csv", "node_table": "nodes.csv"})
    return tomli_w.dumps({"name": "uploaded_community", "extends": "baseline",
                          "description": "A community uploaded in the browser app.",
                          "graph": graph}).encode()


def _check_toml(name: str, data: bytes) -> None:
    """What an uploaded scenario may refer to: only scenario names, never files."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return                          # the loader names the syntax error with line/column
    ext = doc.get("extends", "")
    if ext and (not isinstance(ext, str) or ext not in limits.scenario_names()):
        raise UploadError(f"{name}: extends = {str(ext)[:80]!r}: an uploaded scenario may "
                          f"extend only one of the app's scenarios: "
                          f"{', '.join(limits.scenario_names())}.")
    graph = doc.get("graph")
    if isinstance(graph, dict):
        for key in ("file", "node_table"):
            if graph.get(key):
                raise UploadError(f"{name}: graph.{key} = {str(graph[key])[:80]!r}: an "
                                  f"uploaded scenario cannot name files on the server; "
                                  f"upload the graph file (.graphml, or an edge list .csv "
                                  f"with its node table .csv) instead.")


def accept(files: list[tuple[Any, bytes]]) -> Upload:
    """Check uploaded ``(file name, bytes)`` and return the :class:`Upload`, or raise
    :class:`UploadError` naming the file, what is wrong and what is allowed."""
    if not 1 <= len(files) <= 2:
        raise UploadError(f"{len(files)} files: upload one file ({ALLOWED}).")
    named = [(_display(n), d) for n, d in files]
    for name, data in named:
        if not isinstance(data, bytes | bytearray):
            raise UploadError(f"{name}: no file content arrived; upload it again.")
        if len(data) > limits.MAX_UPLOAD_BYTES:
            raise UploadError(f"{name} is {len(data):,} bytes; the app accepts files up to "
                              f"{limits.MAX_UPLOAD_BYTES:,} bytes. Run bigger communities "
                              f"with `run.py simulate`.")
        if not data:
            raise UploadError(f"{name} is empty; upload {ALLOWED}.")
    suffixes = [_suffix(n) for n, _ in named]
    if len(named) == 1 and suffixes[0] in SCENARIO_SUFFIXES:
        name, data = named[0]
        _check_toml(name, bytes(data))
        up = Upload(name, "scenario", (("scenario.toml", name, bytes(data)),))
    elif len(named) == 1 and suffixes[0] in GRAPHML_SUFFIXES:
        name, data = named[0]
        up = Upload(name, "graphml", (("graph.graphml", name, bytes(data)),
                                      ("scenario.toml", "scenario.toml",
                                       _scenario_for_graph("graphml"))))
    elif len(named) == 2 and all(s in CSV_SUFFIXES for s in suffixes):
        heads = [bytes(d).lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
                 .replace(" ", "").lower().split(",") for _, d in named]
        edges = [i for i, h in enumerate(heads) if h[:2] == ["source", "target"]]
        nodes = [i for i, h in enumerate(heads) if h and h[0] == "node"]
        if len(edges) != 1 or len(nodes) != 1 or edges == nodes:
            raise UploadError(f"{named[0][0]}, {named[1][0]}: an edge list needs the header "
                              f"'source,target' and its node table the header 'node,...' "
                              f"(building, compound, grid, community, compound_kind).")
        e, n = named[edges[0]], named[nodes[0]]
        up = Upload(f"{e[0]} + {n[0]}", "edgelist",
                    (("edges.csv", e[0], bytes(e[1])), ("nodes.csv", n[0], bytes(n[1])),
                     ("scenario.toml", "scenario.toml", _scenario_for_graph("edgelist"))))
    elif len(named) == 1 and suffixes[0] in CSV_SUFFIXES:
        raise UploadError(f"{named[0][0]}: an edge list needs its node table: upload both "
                          f".csv files together (columns source,target and node,building,"
                          f"compound,grid,community,compound_kind).")
    else:
        raise UploadError(f"{', '.join(n for n, _ in named)}: not a file type the app "
                          f"reads; upload {ALLOWED}.")
    register(up)
    return up


def register(up: Upload) -> Path:
    """Validate ``up`` in this process (once) and make its key loadable; its scenario path.

    The checks are the CLI's: the scenario schema (``load_scenario``) and, for a graph, the
    graph loader; then the size cap. Errors name the uploaded files.
    """
    from commgov.model import graph as graph_mod
    from commgov.scenarios.loader import load_scenario

    with _lock:
        known = up.key in _uploads
    path = _write(up)
    if known:
        return path
    try:
        loaded = load_scenario(path)
        g = loaded.scenario.graph
        if g.file:
            table = path.parent / g.node_table if g.node_table else None
            n = graph_mod.load(path.parent / g.file, table).n_households
        else:
            n = g.communities * g.households_per_community
    except ValueError as exc:           # ScenarioError and GraphError: the CLI's words
        raise UploadError(_named(str(exc), up)) from None
    if n > limits.MAX_HOUSEHOLDS:
        raise UploadError(f"{up.name}: {n:,} households is more than the app runs "
                          f"({limits.MAX_HOUSEHOLDS:,}); use `run.py simulate` for bigger "
                          f"communities.")
    with _lock:
        _uploads[up.key] = up
    return path


def path_of(key: str) -> Path | None:
    """The scenario file of a registered upload, or None."""
    with _lock:
        up = _uploads.get(key)
        folder = _dirs.get(key)
    return None if up is None or folder is None else folder / "scenario.toml"


def get(key: str) -> Upload | None:
    with _lock:
        return _uploads.get(key)


def scenario_text(up: Upload, overrides: dict[str, Any], seed: int, day: int) -> str:
    """The uploaded community with the page's lever settings, as a scenario file that
    ``run.py simulate`` runs next to the uploaded graph file (named as uploaded)."""
    by_ours = {ours: (theirs, data) for ours, theirs, data in up.files}
    doc = tomllib.loads(by_ours["scenario.toml"][1].decode("utf-8"))
    graph = doc.get("graph")
    if up.kind != "scenario" and isinstance(graph, dict):
        graph["file"] = by_ours["graph.graphml" if up.kind == "graphml" else "edges.csv"][0]
        if up.kind == "edgelist":
            graph["node_table"] = by_ours["nodes.csv"][0]
    for key, value in overrides.items():
        section, name = key.split(".", 1)
        doc.setdefault(section, {})[name] = value
    head = (f"# Exported from the commgov browser app (uploaded: {up.name}; exported on day "
            f"{day}). Run it with:\n#   python run.py simulate this_file.toml --seed {seed}\n")
    return head + tomli_w.dumps(doc)
