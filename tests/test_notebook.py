"""The tutorial notebook runs top to bottom (single run, sweep, report, EMA PRIM).

Executed with nbclient in a fresh kernel of this interpreter, from a temporary directory;
the notebook itself writes only to a temporary folder. Tiny sizes: about a minute.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


@pytest.mark.timeout(600)
def test_tutorial_notebook_executes(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "\n".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
                     for o in outputs)
    assert "failed" in text and "0 failed" in text          # the sweep cell's own line
    assert "issues_open_daily" in text                      # the EMA time-series outcome
