"""The browser app: ``solara run viz/app.py`` or ``python run.py viz``.

Explore a community, compare two policies on the same seeds, and classroom lessons, in
English or Chinese. See :mod:`commgov.viz.components` for the page and
:mod:`commgov.viz.session` for the per-session model and run loop.
"""

from __future__ import annotations

from commgov.viz.components import Page

__all__ = ["Page"]
