"""The asserts that keep a lecture's figures honest sit in collapsed check cells.

The convention (decided for the whole course): a lecture cell that contains an ``assert`` is a
*check cell* and carries

- the cell tag ``hide-cell`` (Jupyter Book / myst-nb and the slides hide it behind a toggle),
- ``metadata.jupyter.source_hidden = true`` (JupyterLab shows it collapsed),
- a first line ``# Checked: <what the asserts check>``, one line,

and prints nothing, so a student sees the story and the figures, and one click shows the checks.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("[0-9][0-9]_*.ipynb"))


def _asserts(source: str) -> bool:
    """Whether the code asserts: an assert statement or a call of an ``assert...`` function."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # an IPython magic: fall back to the text
        return "assert" in source
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.startswith("assert"):
                return True
    return False


def _check_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [
        (index, cell)
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code" and _asserts("".join(cell["source"]))
    ]


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_every_assert_cell_follows_the_check_cell_convention(path):
    wrong = []
    for index, cell in _check_cells(path):
        source = "".join(cell["source"])
        first = source.split("\n", 1)[0]
        meta = cell["metadata"]
        problems = [
            "no hide-cell tag" if "hide-cell" not in meta.get("tags", []) else "",
            "not source_hidden" if meta.get("jupyter", {}).get("source_hidden") is not True else "",
            "first line is not '# Checked: ...'"
            if not (first.startswith("# Checked: ") and len(first) > 20)
            else "",
        ]
        problems = [p for p in problems if p]
        if problems:
            wrong.append(f"cell {index} ({cell.get('id')}): {', '.join(problems)}")
    assert wrong == [], f"{path.name}: " + "; ".join(wrong)


@pytest.mark.parametrize("path", LECTURES, ids=[p.stem for p in LECTURES])
def test_check_cells_do_not_print(path):
    printing = [
        index
        for index, cell in _check_cells(path)
        if any(
            isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print"
            for node in ast.walk(ast.parse("".join(cell["source"])))
        )
    ]
    assert printing == [], f"{path.name}: check cells {printing} print; print in the visible cell"


def test_the_convention_is_recognised_on_a_made_up_cell():
    assert _asserts("x = 1\nassert x == 1")
    assert _asserts("np.testing.assert_allclose(a, b)")
    assert not _asserts("print('the asserts check nothing here')")
    assert [i for i, _ in _check_cells(LECTURES[0])], "lecture 01 has check cells"
