"""``examples/policy-simulation.ipynb`` runs top to bottom (on a small county)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "policy-simulation.ipynb"


def test_the_policy_simulation_notebook_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("KONGCHUO_NOTEBOOK_CHILDREN", "2000")
    monkeypatch.setenv("KONGCHUO_NOTEBOOK_SEEDS", "3")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "diff_per_week" in text
    assert "children_persuasion" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
