"""The parameter reference (docs/PARAMETERS.md), generated from the schema so it cannot drift.

Regenerate with ``python run.py docs``; a test fails when the committed file is stale.
"""

from __future__ import annotations

from commgov.scenarios.loader import flat_parameters
from commgov.scenarios.schema import SECTIONS, Scenario

HEADER = """# Parameter reference

Every parameter a scenario file (or `--set section.key=value`, or a keyword argument
`section__key=value`) can set: default, allowed range, unit, source paper and meaning.
Sources are the papers in `shared/seeds/` by file-name prefix: [000] Fukang, [001] Yanzhou,
[002] Hangzhou, [003] Xingfu/Suqian, [004] Nantong. "assumption" marks values the papers do
not give; the meaning says why the value was chosen. Generated from `scenarios/schema.py` by
`python run.py docs`; do not edit by hand.
"""


def _fmt(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def render_parameters() -> str:
    params = flat_parameters()
    out = [HEADER]
    for section in SECTIONS:
        doc = (Scenario.model_fields[section].annotation.__doc__ or "").strip()
        out.append(f"\n## `[{section}]`\n\n{doc}\n")
        out.append("| key | default | range | unit | source | meaning |")
        out.append("|---|---|---|---|---|---|")
        for key, p in params.items():
            if key.split(".")[0] != section:
                continue
            rng = "" if p.ge is None and p.le is None else f"{_fmt(p.ge)} – {_fmt(p.le)}"
            if p.type == "bool":
                rng = "true / false"
            desc = p.description.replace("|", "\\|").replace("\n", " ")
            out.append(f"| `{key}` | {_fmt(p.default)} | {rng} | {p.unit} | {p.source} | "
                       f"{desc} |")
    return "\n".join(out) + "\n"
