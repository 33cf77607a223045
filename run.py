"""Entry point: ``python run.py [COMMAND] [options]``; without a command it runs the demo.

A thin wrapper so the project runs from a fresh clone without installing the console script;
everything lives in :mod:`commgov.experiments.cli`.
"""

from __future__ import annotations

from commgov.experiments.cli import main

if __name__ == "__main__":   # guarded: worker processes import this module too
    raise SystemExit(main())
