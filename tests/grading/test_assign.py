"""`course assign`: exercises are generated from solutions, and nothing leaks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_lib.cli import main
from course_lib.grading.assign import RAISES

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
REGIONS = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)(.*?)### END \1", re.S)


def _cells(path):
    return json.loads(Path(path).read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_regenerated_exercises_equal_the_committed_ones(tmp_path, capsys):
    assert main(["assign", str(ROOT / "solutions"), str(tmp_path)]) == 0
    assert "wrote" in capsys.readouterr().out
    generated = sorted(p.name for p in tmp_path.glob("*.ipynb"))
    assert generated == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    for name in generated:
        assert (tmp_path / name).read_text() == (ROOT / "exercises" / name).read_text(), (
            f"exercises/{name} differs from what `course assign` generates: run `make assign`"
        )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_no_solution_or_hidden_test_line_appears_in_the_exercise(solution):
    cells = _cells(solution)
    secret, public = set(), set()
    for cell in cells:
        text = _source(cell)
        for match in REGIONS.finditer(text):
            secret |= {line.strip() for line in match.group(2).splitlines() if line.strip()}
        public |= {line.strip() for line in REGIONS.sub("", text).splitlines()}
    secret -= public  # a line the solution also shows in the open is not a secret
    assert secret, "a solution notebook without solution regions"
    exercise = "\n".join(_source(c) for c in _cells(ROOT / "exercises" / solution.name))
    leaked = [line for line in secret if line in {s.strip() for s in exercise.splitlines()}]
    assert leaked == []
    assert "BEGIN SOLUTION" not in exercise and "HIDDEN TESTS" not in exercise


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_exercise_cells_are_stubbed_locked_and_tagged(solution):
    for cell in _cells(ROOT / "exercises" / solution.name):
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            assert "raise NotImplementedError()" in _source(cell)
            assert cell["metadata"]["deletable"] is False
        elif meta.get("grade") and not meta.get("solution"):
            assert cell["metadata"]["editable"] is False
            assert RAISES in cell["metadata"]["tags"]
        elif meta.get("solution"):
            assert _source(cell) == "YOUR ANSWER HERE"
        else:
            assert RAISES not in cell["metadata"].get("tags", [])


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_notebooks_follow_the_authoring_rules(solution):
    cells = _cells(solution)
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in cells]
    code_ids = [i for c, i in zip(cells, ids, strict=False) if c["cell_type"] == "code"]
    assert None not in code_ids, "every code cell carries nbgrader metadata with a grade_id"
    assert len(set(filter(None, ids))) == len(list(filter(None, ids))), "duplicate grade_id"
    tests = [
        c
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"
    ]
    written = [
        c
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "markdown"
    ]
    assert 3 <= len(tests) <= 6 and written
    for cell in tests:
        assert "check(" in _source(cell) and "### BEGIN HIDDEN TESTS" in _source(cell)
        assert RAISES not in cell["metadata"].get("tags", [])
