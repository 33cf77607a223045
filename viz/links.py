"""Shareable links: the Explore tab's settings as a URL query, and back.

``?scenario=red_property&seed=3&lang=zh&staff.per_10k_residents=24.5&grid.merged=1``
reopens the same community, levers and seed. A link is user input: every key and value is
checked (scenario name, lever key, type and slider range), and a bad one is named in a
message on the page and ignored, never a traceback.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from commgov.scenarios.loader import list_scenarios
from commgov.viz.levers import LEVER_BY_KEY, clean_overrides
from commgov.viz.session import Settings

MAX_QUERY = 2_000          # characters; longer links are refused as a whole
META = ("scenario", "seed", "lang")


def share_query(settings: Settings, lang: str | None = None) -> str:
    """The query string (without ``?``) that :func:`parse_query` turns back into ``settings``."""
    items: list[tuple[str, str]] = [("scenario", settings.scenario), ("seed", str(settings.seed))]
    if lang:
        items.append(("lang", lang))
    for key, value in settings.overrides:
        items.append((key, str(int(value)) if isinstance(value, bool) else repr(value)))
    return urlencode(items, safe=".")


def _value(key: str, text: str) -> Any:
    lv = LEVER_BY_KEY[key]
    if lv.is_bool:
        if text.lower() in ("1", "true", "on", "yes"):
            return True
        if text.lower() in ("0", "false", "off", "no"):
            return False
        raise ValueError("expected 1 or 0 (on or off)")
    number = float(text)
    lo, hi = lv.lo / lv.scale, lv.hi / lv.scale
    if not lo <= number <= hi:
        raise ValueError(f"allowed: {lo:g} to {hi:g}")
    return int(round(number)) if lv.is_int else number


def parse_query(query: str) -> tuple[dict[str, Any], list[str]]:
    """``{"settings": Settings, "lang": ...}`` from a link, and a message per bad part."""
    query = query.lstrip("?")
    problems: list[str] = []
    out: dict[str, Any] = {}
    if len(query) > MAX_QUERY:
        return {"settings": Settings()}, [
            f"link ignored: {len(query)} characters, more than the {MAX_QUERY} allowed"]
    names = [n for n, _ in list_scenarios()]
    scenario, seed, overrides = "baseline", 0, {}
    for key, text in parse_qsl(query, keep_blank_values=True):
        if key == "scenario":
            if text in names:
                scenario = text
            else:
                problems.append(f"link: scenario={text!r} is not a scenario; allowed: "
                                f"{', '.join(names)}")
        elif key == "seed":
            if text.isdigit():
                seed = int(text)
            else:
                problems.append(f"link: seed={text!r} is not a whole number ≥ 0")
        elif key == "lang":
            if text in ("en", "zh"):
                out["lang"] = text
            else:
                problems.append(f"link: lang={text!r}; allowed: en, zh")
        elif key in LEVER_BY_KEY:
            try:
                overrides[key] = _value(key, text)
            except ValueError as exc:
                msg = str(exc) if "allowed" in str(exc) or "expected" in str(exc) \
                    else "not a number"
                problems.append(f"link: {key}={text!r}: {msg}")
        else:
            problems.append(f"link: unknown key {key!r}; allowed: {', '.join(META)} or a "
                            f"lever key such as staff.per_10k_residents")
    cleaned = clean_overrides(scenario, overrides)
    out["settings"] = Settings(scenario, tuple(sorted(cleaned.items())), seed)
    return out, problems
