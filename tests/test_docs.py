"""The generated docs match the code: the parameter reference and the README glossary."""

from __future__ import annotations

from pathlib import Path

from commgov.model.metrics import CORE_METRICS, glossary_markdown
from commgov.scenarios.reference import render_parameters

ROOT = Path(__file__).resolve().parents[1]


def test_parameter_reference_is_current():
    text = (ROOT / "docs" / "PARAMETERS.md").read_text(encoding="utf-8")
    assert text == render_parameters(), "docs/PARAMETERS.md is stale: run `python run.py docs`"


def test_readme_glossary_is_current_and_covers_every_core_metric():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert glossary_markdown() in readme, "README glossary is stale: run `python run.py docs`"
    for name in CORE_METRICS:
        assert f"`{name}` (core)" in readme


def test_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = [line for line in readme.splitlines() if line.strip().startswith("make ")][:2]
    assert [c.strip() for c in first] == ["make run", "make test"]
