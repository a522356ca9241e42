"""``course assign``: write ``exercises/`` from ``solutions/`` with nbgrader's preprocessors.

nbgrader is used as a library (no gradebook database, no course folder): solution regions
become a stub raising ``NotImplementedError``, hidden tests are removed, outputs cleared and
graded cells locked. One addition of ours: each autograded test cell of an exercise gets the
``raises-exception`` tag, because it fails until the student has written the task, and
nbclient/nbval read that tag rather than a comment.
"""

from __future__ import annotations

from pathlib import Path

RAISES = "raises-exception"


def assign_notebook(source):
    """The exercise notebook (a NotebookNode) generated from the solution notebook ``source``."""
    import nbformat
    from nbgrader.preprocessors import (
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        ClearSolutions,
        LockCells,
    )

    nb = nbformat.read(str(source), as_version=4)
    resources: dict = {}
    for step in (
        CheckCellMetadata(),
        ClearSolutions(),
        ClearHiddenTests(),
        ClearOutput(),
        LockCells(),
    ):
        nb, resources = step.preprocess(nb, resources)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            tags = list(cell.metadata.get("tags", []))
            if RAISES not in tags:
                cell.metadata["tags"] = [*tags, RAISES]
    return nb


def assign(solutions, exercises) -> list[Path]:
    """Write one exercise per ``solutions/NN_*.ipynb`` into ``exercises``; returns the paths."""
    import nbformat

    solutions, exercises = Path(solutions), Path(exercises)
    sources = sorted(solutions.glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no solution notebooks NN_*.ipynb in {solutions}")
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        target = exercises / source.name
        target.write_text(nbformat.writes(assign_notebook(source)) + "\n", encoding="utf-8")
        written.append(target)
    return written
