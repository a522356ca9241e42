"""Every exercise runs top to bottom and fails only in the test cells of unwritten tasks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem for p in EXERCISES])
def test_exercise_fails_only_in_the_cells_a_student_must_fill_in(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(ROOT)}},
    ).execute()
    failed, graded = [], []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            graded.append(meta["grade_id"])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            failed.append(meta.get("grade_id"))
            assert errors[0]["ename"] == "CheckFailed"
            assert "not written yet" in errors[0]["evalue"]
    assert failed == graded
