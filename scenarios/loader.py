"""Load scenario files (TOML) into a validated :class:`~.schema.Scenario`.

A scenario file sets any subset of the schema's parameters; ``extends = "other"`` inherits
another file (child over parent, tables merge, scalars replace). Everything not set keeps the
schema default. Overrides (CLI ``--set key=value`` or model keyword arguments) apply last.
Every problem is reported as one :class:`ScenarioError` whose message names the file, the
dotted key, the value given and what is allowed.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from .schema import META_KEYS, Control, Pair, Scenario

__all__ = [
    "SCENARIO_DIR",
    "LoadedScenario",
    "ParamInfo",
    "ScenarioError",
    "flat_parameters",
    "list_scenarios",
    "load_scenario",
    "parse_set",
    "scenario_to_dict",
]

SCENARIO_DIR: Path = Path(__file__).resolve().parent
TIMELINE = "timeline"    # [[timeline]] tables: timed changes (schema.TimedChange)
SET_LABEL = "--set"

Loc = tuple[str, ...]


class ScenarioError(ValueError):
    """A scenario could not be loaded; the message says where, what and what is allowed."""


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario and where it came from."""

    scenario: Scenario
    name: str
    path: Path | None
    chain: tuple[Path, ...]
    base_dir: Path


@dataclass(frozen=True)
class ParamInfo:
    """One leaf parameter's record, read from its field in ``scenarios/schema.py``: what docs,
    the ODD, reports and the app know about it. ``label``/``help`` are (English, Chinese)
    (empty when it has no planner's name); ``control`` is its lever in the app, if any;
    ``odd`` the ODD submodel table that lists it; ``basis`` what the papers give for the
    value (empty: derived from the source)."""

    key: str
    type: str
    default: Any
    ge: float | None
    le: float | None
    unit: str
    source: str
    description: str
    label: Pair = ("", "")
    help: Pair = ("", "")
    control: Control | None = None
    odd: str = ""
    basis: str = ""


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _show_path(path: Path) -> str:
    """A path as people want to read it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _fmt_num(x: float) -> str:
    """A number without a trailing ``.0`` when it is whole."""
    if isinstance(x, float) and math.isfinite(x) and x.is_integer():
        return str(int(x))
    return repr(x)


def _fmt_value(v: Any, limit: int = 200) -> str:
    """A value in TOML syntax (so it can be copied back into a file)."""
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, int | float):
        s = repr(v)
    elif isinstance(v, str):
        s = json.dumps(v, ensure_ascii=False)
    elif isinstance(v, Mapping):
        s = "{" + ", ".join(f"{k} = {_fmt_value(x, limit)}" for k, x in v.items()) + "}"
    elif isinstance(v, list | tuple):
        s = "[" + ", ".join(_fmt_value(x, limit) for x in v) + "]"
    else:
        s = repr(v)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _suggest(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _submodel(field: FieldInfo) -> type[BaseModel] | None:
    """The section/table model a field holds, or None for a plain value."""
    ann = field.annotation
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model (section/table class) at a dotted location, or None if there is none."""
    model: type[BaseModel] = Scenario
    for part in loc:
        field = model.model_fields.get(part)
        sub = _submodel(field) if field is not None else None
        if sub is None:
            return None
        model = sub
    return model


def _field_at(loc: Loc) -> FieldInfo | None:
    """The FieldInfo at a dotted location, or None."""
    owner = _model_at(loc[:-1]) if loc else None
    return owner.model_fields.get(loc[-1]) if owner is not None else None


def _bounds(field: FieldInfo) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in field.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return lo, hi


def _extra(field: FieldInfo, key: str) -> str:
    extra = field.json_schema_extra
    return str(extra.get(key, "")) if isinstance(extra, dict) else ""


def _type_words(field: FieldInfo) -> str:
    ann = field.annotation
    sub = _submodel(field)
    if sub is not None:
        return f"a table with keys {', '.join(sub.model_fields)}"
    return {bool: "true or false", int: "a whole number", float: "a number",
            str: "a string in quotes"}.get(ann, getattr(ann, "__name__", str(ann)))


def _allowed(field: FieldInfo) -> str:
    """``"allowed 1 to 200 (unit)"`` from the field's bounds and unit; may be empty."""
    lo, hi = _bounds(field)
    unit = _extra(field, "unit")
    if lo is not None and hi is not None:
        s = f"allowed {_fmt_num(lo)} to {_fmt_num(hi)}"
    elif lo is not None:
        s = f"allowed {_fmt_num(lo)} or more"
    elif hi is not None:
        s = f"allowed up to {_fmt_num(hi)}"
    else:
        s = ""
    if unit:
        s = f"{s} ({unit})" if s else f"({unit})"
    return s


def _valid_keys_text(loc: Loc) -> str:
    """The valid keys of the table at ``loc``, worded for people."""
    model = _model_at(loc)
    if model is None:
        return ""
    if not loc:
        sections = [k for k in model.model_fields if k not in (*META_KEYS, TIMELINE)]
        return (f"Valid top-level keys: {', '.join(META_KEYS)}, [[{TIMELINE}]]; "
                f"valid sections: {', '.join(sections)}.")
    return f"Valid keys in [{'.'.join(loc)}]: {', '.join(model.model_fields)}."


def _leaves(d: Mapping[str, Any], prefix: Loc = ()) -> Iterator[Loc]:
    """Every leaf location of a nested mapping (an empty table counts as a leaf)."""
    if not d and prefix:
        yield prefix
    for k, v in d.items():
        if isinstance(v, Mapping):
            yield from _leaves(v, (*prefix, k))
        else:
            yield (*prefix, k)


def _deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``top`` over ``base`` in place: tables merge, anything else replaces."""
    for k, v in top.items():
        if isinstance(v, Mapping) and isinstance(base.get(k), dict):
            _deep_merge(base[k], v)
        else:
            base[k] = copy.deepcopy(dict(v)) if isinstance(v, Mapping) else copy.deepcopy(v)
    return base


def _get(d: Mapping[str, Any], loc: Loc) -> Any:
    for part in loc:
        if not isinstance(d, Mapping) or part not in d:
            return None
        d = d[part]
    return d


def _plain(v: Any) -> Any:
    """NumPy scalars → Python scalars (strict validation refuses ``numpy.int64``)."""
    if type(v).__module__ == "numpy" and hasattr(v, "item"):
        return v.item()
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    return v


# --------------------------------------------------------------------------------------------
# Files and the extends chain
# --------------------------------------------------------------------------------------------
def _available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def _is_name(s: str) -> bool:
    return not Path(s).suffix and "/" not in s and os.sep not in s


def is_file(path: Path) -> bool:
    """``Path.is_file`` that says False (not a traceback) for names too long for the system
    or holding a NUL byte."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolve(name_or_path: str | Path) -> Path:
    """A bare name → ``SCENARIO_DIR/<name>.toml``; anything else is a file path."""
    s = str(name_or_path)
    if _is_name(s):
        path = SCENARIO_DIR / f"{s}.toml"
        if not is_file(path):
            names = _available()
            raise ScenarioError(
                f"Unknown scenario '{s}'{_suggest(s, names) or '.'} Available scenarios in "
                f"{_show_path(SCENARIO_DIR)}: {', '.join(names) or '(none)'}. "
                f"Give a file path (e.g. my_scenario.toml) to load a file from elsewhere.")
        return path
    path = Path(s).expanduser()
    if not is_file(path):
        raise ScenarioError(f"Scenario file {_show_path(path)} does not exist. Nothing was run.")
    return path.resolve()


def _read_toml(path: Path) -> dict[str, Any]:
    """Parse one file; syntax errors become a ScenarioError with line and column."""
    shown = _show_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise ScenarioError(f"{shown}: cannot read the file ({e.strerror}).") from None
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{shown}: not UTF-8 text (byte {e.start}); save the file as "
                            f"UTF-8.") from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ScenarioError(f"{shown}: tables or arrays are nested too deeply to be a "
                            f"scenario (allowed: at most {MAX_DEPTH} levels). Nothing was "
                            f"run.") from None
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.match(r"(.*) \(at line (\d+), column (\d+)\)$", msg)
        if m:
            reason, line, col = m.groups()
            where = f"line {line}, column {col}"
        else:
            reason, _, where = msg.partition(" (at ")
            where = where.rstrip(")") or "unknown position"
        raise ScenarioError(f"{shown}, {where}: invalid TOML: {reason}. Nothing was run.") \
            from None
    if too_deep(data):
        raise ScenarioError(f"{shown}: tables or arrays are nested more than {MAX_DEPTH} "
                            f"levels deep; a scenario has at most 3 (section.table.key). "
                            f"Nothing was run.")
    return data


MAX_DEPTH = 16


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether tables/arrays nest deeper than ``limit`` (checked without recursion)."""
    stack = [(value, 0)]
    while stack:
        v, d = stack.pop()
        if d > limit:
            return True
        if isinstance(v, Mapping):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list | tuple):
            stack.extend((x, d + 1) for x in v)
    return False


def _extends_target(value: str, child: Path) -> Path:
    """Resolve ``extends`` relative to the child's folder (bare names also in SCENARIO_DIR)."""
    rel = Path(value).expanduser()
    candidates = [rel if rel.is_absolute() else child.parent / rel]
    if _is_name(value):
        candidates = [child.parent / f"{value}.toml", SCENARIO_DIR / f"{value}.toml"]
    for c in candidates:
        if is_file(c):
            return c.resolve()
    tried = ", ".join(_show_path(c) for c in dict.fromkeys(candidates))
    names = _available()
    raise ScenarioError(
        f"{_show_path(child)}: extends = {_fmt_value(value)} but no such scenario was found "
        f"(looked for {tried}){_suggest(value, names) or '.'} "
        f"Available scenarios: {', '.join(names)}.")


def _read_chain(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """The file and every file it extends, child first; refuses cycles."""
    chain: list[tuple[Path, dict[str, Any]]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        if current in seen:
            cycle = " → ".join(_show_path(p) for p in [*seen[seen.index(current):], current])
            raise ScenarioError(f"extends cycle: {cycle}. A scenario cannot (indirectly) "
                                f"extend itself.")
        seen.append(current)
        data = _read_toml(current)
        for meta in META_KEYS:
            if meta in data and not isinstance(data[meta], str):
                raise ScenarioError(
                    f"{_show_path(current)}: {meta} = {_fmt_value(data[meta])}: expected a "
                    f"string in quotes. Nothing was run.")
        chain.append((current, data))
        ext = data.get("extends", "")
        current = _extends_target(ext, current) if ext else None
    return chain


# --------------------------------------------------------------------------------------------
# Overrides
# --------------------------------------------------------------------------------------------
def _override_problem(loc: Loc) -> str | None:
    """Why an override path is not a schema key, or None if it is."""
    model: type[BaseModel] = Scenario
    for i, part in enumerate(loc):
        where = f"in [{'.'.join(loc[:i])}]" if i else "at top level"
        field = model.model_fields.get(part)
        if field is None:
            return (f"{SET_LABEL} {'.'.join(loc)}: unknown key '{part}' {where}"
                    f"{_suggest(part, list(model.model_fields)) or '.'} "
                    f"{_valid_keys_text(loc[:i])}")
        sub = _submodel(field)
        if sub is None and i < len(loc) - 1:
            return (f"{SET_LABEL} {'.'.join(loc)}: '{'.'.join(loc[: i + 1])}' is a single "
                    f"value, not a table, so it has no key '{loc[i + 1]}'.")
        if sub is not None:
            model = sub
    if loc == ("extends",):
        return f"{SET_LABEL} extends: 'extends' can only be set in a scenario file."
    return None


def _nest(loc: Loc, value: Any) -> dict[str, Any]:
    out: Any = value
    for part in reversed(loc):
        out = {part: out}
    return out


# --------------------------------------------------------------------------------------------
# Pydantic errors → readable problems
# --------------------------------------------------------------------------------------------
class _Provenance:
    """Which source (a file or ``--set``) set each leaf, child-most last."""

    def __init__(self) -> None:
        self._by_loc: dict[Loc, str] = {}

    def record(self, data: Mapping[str, Any], label: str, prefix: Loc = ()) -> None:
        for leaf in _leaves(data, prefix):
            self._by_loc.pop(leaf, None)  # re-insert so dict order = setting order
            self._by_loc[leaf] = label

    def sources(self, loc: Loc) -> list[str]:
        """Sources that set ``loc``, an ancestor of it, or something inside it."""
        n = len(loc)
        hits = [src for leaf, src in self._by_loc.items()
                if leaf[:n] == loc or loc[: len(leaf)] == leaf]
        return list(dict.fromkeys(reversed(hits)))  # child-most first, unique


def _src_text(srcs: list[str], default_src: str) -> str:
    """The prefix naming where a value came from: ``"file.toml: "`` or ``"--set "``."""
    if srcs == [SET_LABEL]:
        return f"{SET_LABEL} "
    return f"{', '.join(srcs) if srcs else default_src}: "


def _problem(err: Mapping[str, Any], merged: Mapping[str, Any], prov: _Provenance,
             default_src: str) -> str:
    """One pydantic error as a sentence."""
    loc: Loc = tuple(str(p) for p in err["loc"])
    kind = err["type"]
    src = _src_text(prov.sources(loc), default_src)

    if kind == "extra_forbidden":
        key, parent = loc[-1], loc[:-1]
        owner = _model_at(parent)
        valid = list(owner.model_fields) if owner else []
        where = f"in [{'.'.join(parent)}]" if parent else "at top level"
        if src == f"{SET_LABEL} ":
            src = f"{SET_LABEL} {'.'.join(loc)}: "
        return (f"{src}unknown key '{key}' {where}{_suggest(key, valid) or '.'} "
                f"{_valid_keys_text(parent)}")

    key = ".".join(loc) or "(top level)"
    if kind == "value_error":  # a model validator (shares must sum to 1 …)
        reason = str(err.get("ctx", {}).get("error", err["msg"]))
        owner = _model_at(loc)
        if owner is not None:  # narrow to the sub-table the message names
            for name in owner.model_fields:
                if reason.startswith(name) and _submodel(owner.model_fields[name]):
                    loc = (*loc, name)
                    key = ".".join(loc)
                    src = _src_text(prov.sources(loc), default_src)
                    break
        value = _get(merged, loc)
        unset = [".".join(leaf[len(loc):]) for leaf in _leaves(value, loc)
                 if isinstance(value, Mapping) and not prov.sources(leaf)]
        hint = f"; {', '.join(unset)} not set, so at the default" if unset else ""
        return f"{src}{key} = {_fmt_value(value)}: {reason}{hint}."

    value = _fmt_value(err.get("input"))
    field = _field_at(loc)
    if field is None:
        return f"{src}{key} = {value}: {err['msg']}."
    allowed = _allowed(field)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{src}{key} = {value} is out of range: {allowed}."
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return (f"{src}{key} = {value}: expected a table [{key}]. "
                f"{_valid_keys_text(loc)}")
    expected = _type_words(field)
    unit = _extra(field, "unit")
    lo, hi = _bounds(field)
    if lo is not None or hi is not None:
        tail = f", {allowed}"
    elif unit:
        tail = f" ({unit})"
    else:
        tail = ""
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{src}{key} = {value}: expected {expected}{tail}."
    return f"{src}{key} = {value}: {err['msg']}; expected {expected}{tail}."


def _raise(problems: list[str], label: str) -> None:
    if len(problems) == 1:
        raise ScenarioError(f"{problems[0]} Nothing was run.")
    body = "\n".join(f"  - {p}" for p in problems)
    raise ScenarioError(f"{label}: {len(problems)} problems; nothing was run.\n{body}")


def _anchor_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Make graph.file / graph.node_table absolute: relative to the scenario file that names
    them, or to the working directory for an override (what a person typing it expects)."""
    graph = data.get("graph")
    if not isinstance(graph, dict):
        return data
    fixed = dict(graph)
    for key in ("file", "node_table"):
        value = fixed.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            # A NUL byte or a path too long cannot resolve; the schema names the mistake.
            with contextlib.suppress(OSError, ValueError):
                fixed[key] = str((base / value).resolve())
    return {**data, "graph": fixed}


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def load_scenario(name_or_path: str | Path,
                  overrides: Mapping[str, Any] | None = None) -> LoadedScenario:
    """Load, merge (``extends``), override and validate a scenario.

    ``name_or_path``: a bare name (``baseline``) is ``SCENARIO_DIR/<name>.toml``; anything with
    a suffix or a path separator is a file path. ``overrides`` map dotted keys
    (``"staff.per_10k_residents"``) or double-underscore keys (``staff__per_10k_residents``) to
    values; they apply after merging. Raises :class:`ScenarioError` listing every problem.
    """
    path = _resolve(name_or_path)
    chain = _read_chain(path)
    shown = [_show_path(p) for p, _ in chain]
    labels = [shown[0]] + [f"{s} (extended by {shown[0]})" for s in shown[1:]]

    merged: dict[str, Any] = Scenario().model_dump()
    prov = _Provenance()
    for (file, data), label in zip(reversed(chain), reversed(labels), strict=True):
        _deep_merge(merged, _anchor_paths(data, file.parent))
        prov.record(data, label)
    top = chain[0][1]
    merged["name"] = top.get("name") or path.stem
    merged["extends"] = top.get("extends", "")
    for meta in ("title", "title_zh"):     # a file's own names, never its parent's
        merged[meta] = top.get(meta, "")

    problems: list[str] = []
    for raw_key, raw_value in (overrides or {}).items():
        if too_deep(raw_value):
            problems.append(f"{SET_LABEL} {raw_key}: the value is nested more than "
                            f"{MAX_DEPTH} levels deep; allowed: a number, true/false, a "
                            f"string or a small table.")
            continue
        loc: Loc = tuple(str(raw_key).replace("__", ".").split("."))
        if any(not p for p in loc):
            problems.append(f"{SET_LABEL} {raw_key}: malformed key; expected the form "
                            f"section.key (or section__key).")
            continue
        why = _override_problem(loc)
        if why:
            problems.append(why)
            continue
        patch = _anchor_paths(_nest(loc, _plain(raw_value)), Path.cwd())
        _deep_merge(merged, patch)
        prov.record(patch, SET_LABEL)

    for step in merged.get(TIMELINE) or []:
        if isinstance(step, dict) and isinstance(step.get("set"), dict):
            # TOML reads set = { platform.integrated = true } as nested tables: dotted keys.
            table = step["set"]
            step["set"] = {".".join(loc): _get(table, loc) for loc in _leaves(table)}
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as e:
        problems += [_problem(err, merged, prov, shown[0]) for err in e.errors()]
    else:
        problems += _timeline_problems(scenario, merged, shown[0])
    if problems:
        _raise(problems, shown[0])
    return LoadedScenario(scenario=scenario, name=scenario.name, path=path,
                          chain=tuple(p for p, _ in chain), base_dir=path.parent)


#: Parameters that change the staff roster; a timeline may change them mid-run
#: (``Staffing.restaff`` re-staffs and splits the flats again), the app restarts.
RESTAFF_KEYS: tuple[str, ...] = ("grid.merged", "grid.added_staff", "grid.cadre_field_share")


def live_keys() -> list[str]:
    """Parameters the model reads every day, so they may change during a run (the app's
    live levers)."""
    return sorted(k for k, info in flat_parameters().items()
                  if info.control is not None and info.control.live)


def timed_keys() -> list[str]:
    """Parameters a scenario's ``[[timeline]]`` may change: the live levers and the
    roster's (``RESTAFF_KEYS``)."""
    return sorted({*live_keys(), *RESTAFF_KEYS})


def _timeline_problems(scenario: Scenario, merged: dict[str, Any], where: str) -> list[str]:
    """Each timed change: days in order, keys that may change during a run, and the scenario
    still valid after each step (ranges and cross-field rules)."""
    problems: list[str] = []
    allowed = timed_keys()
    known = flat_parameters()
    state = copy.deepcopy(merged)
    state[TIMELINE] = []
    last = 0
    for i, step in enumerate(scenario.timeline):
        label = f"{where}: [[{TIMELINE}]] {i + 1} (day {step.day})"
        if step.day <= last:
            problems.append(f"{label}: days must increase from one step to the next "
                            f"(the step before is on day {last}).")
        last = step.day
        trial = copy.deepcopy(state)
        for key, value in step.set.items():
            if key not in known:
                problems.append(f"{label}: unknown parameter {key!r}; a timed change can "
                                f"set: {', '.join(allowed)}.")
            elif key not in allowed:
                problems.append(f"{label}: {key} is built into the model when it starts "
                                f"(graph, branches or other institutions) and cannot change "
                                f"during a run; a timed change can set: {', '.join(allowed)}.")
            else:
                _deep_merge(trial, _nest(tuple(key.split(".")), value))
        try:
            Scenario.model_validate(trial)
        except ValidationError as e:
            problems += [f"{label}: {'.'.join(str(x) for x in err['loc'])} = "
                         f"{_fmt_value(err.get('input'))}: {err['msg']}" for err in e.errors()]
        else:
            state = trial          # the scenario as it stands after this step
    return problems


def parse_set(items: Sequence[str]) -> dict[str, Any]:
    """Parse CLI ``--set section.key=value`` items; values are TOML, else plain strings."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(
                f"--set {item!r}: expected the form --set section.key=value "
                f"(e.g. --set staff.per_10k_residents=24.5).")
        raw = raw.strip()
        try:
            parsed = tomllib.loads(f"v = {raw}")
            value = parsed["v"] if list(parsed) == ["v"] else raw
        except tomllib.TOMLDecodeError:
            value = raw
        except RecursionError:
            value = None
        if value is None or too_deep(value):
            raise ScenarioError(f"--set {key}: the value is nested more than {MAX_DEPTH} "
                                f"levels deep; allowed: a number, true/false, a string or "
                                f"a small table.")
        out[key] = value
    return out


def list_scenarios() -> list[tuple[str, str]]:
    """``(name, one-line description)`` of every file in SCENARIO_DIR, sorted by name."""
    out: list[tuple[str, str]] = []
    for name in _available():
        try:
            desc = load_scenario(name).scenario.description
        except ScenarioError as e:
            desc = f"(invalid: {str(e).splitlines()[0]})"
        out.append((name, " ".join(desc.split())))
    return out


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """Every resolved parameter as JSON-able nested dicts (for run manifests)."""
    return s.model_dump(mode="json")


def param_info(key: str, field: FieldInfo, default: Any, *, parent: FieldInfo | None = None,
               table_doc: str = "", section_odd: str = "") -> ParamInfo:
    """The record of one leaf: its own field's metadata, else the table field's that holds it
    (a per-kind table's meaning, unit, source, ODD table and basis sit on that field), else
    its section's ODD table (``ODD_SECTION``)."""

    def extra(f: FieldInfo | None) -> dict[str, Any]:
        x = f.json_schema_extra if f is not None else None
        return x if isinstance(x, dict) else {}

    own, up = extra(field), extra(parent)
    basis = own.get("basis") or up.get("basis") or ""
    if isinstance(basis, dict):
        basis = basis.get(key.rsplit(".", 1)[1], "")
    control = own.get("control")
    lo, hi = _bounds(field)
    ann = field.annotation
    return ParamInfo(
        key=key, type=getattr(ann, "__name__", str(ann)), default=default, ge=lo, le=hi,
        unit=str(own.get("unit") or up.get("unit") or ""),
        source=str(up.get("source", "") if parent and not field.description
                   else own.get("source", "")),
        description=field.description or (parent.description if parent else "") or table_doc,
        label=tuple(own.get("label", ("", ""))), help=tuple(own.get("help", ("", ""))),
        control=Control(**control) if control else None,
        odd=str(own.get("odd") or up.get("odd") or section_odd), basis=str(basis))


def flat_parameters() -> dict[str, ParamInfo]:
    """Dotted key → :class:`ParamInfo` for every leaf parameter (metadata keys excluded)."""
    defaults = Scenario().model_dump()
    out: dict[str, ParamInfo] = {}

    def walk(model: type[BaseModel], loc: Loc, parent=None, section_odd: str = "") -> None:
        for name, field in model.model_fields.items():
            if not loc and name in (*META_KEYS, TIMELINE):
                continue
            sub = _submodel(field)
            if sub is not None:
                # A per-kind table's meaning, unit and source sit on the field that holds it.
                walk(sub, (*loc, name), field if field.description else parent,
                     section_odd or getattr(sub, "ODD_SECTION", ""))
                continue
            key = ".".join((*loc, name))
            out[key] = param_info(
                key, field, _get(defaults, (*loc, name)), parent=parent,
                table_doc=(model.__doc__ or "").strip() if len(loc) > 1 else "",
                section_odd=section_odd)

    walk(Scenario, ())
    return out
