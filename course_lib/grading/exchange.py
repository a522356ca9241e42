"""nbgrader's exchange, from the instructor's side: release, collect, return feedback.

A class on JupyterHub (``course hub``, :mod:`course_lib.hub`) moves notebooks through
nbgrader's exchange; these three steps wrap nbgrader's own commands around ``course grade``:

1. :func:`release` puts a generated exercise in ``course/release/<assignment>/`` and runs
   ``nbgrader release_assignment``: students see it in their Assignments tab and fetch it.
2. :func:`collect` runs ``nbgrader collect``: the latest submission of each student lands in
   ``course/submitted/<student>/<assignment>/`` (nbgrader's layout, which ``course grade``
   reads natively: the student is the folder under ``submitted``).
3. After ``course grade course/submitted --solutions ... --out grades``, :func:`return_feedback`
   writes each student's HTML feedback page to ``course/feedback/<student>/<assignment>/``
   and runs ``nbgrader release_feedback``: a student's "fetch feedback" gets only the pages of
   their own submissions (nbgrader files each under a hash of that submission's secret).

Examples
--------
>>> release("class/course", "exercises/02_derivatives.ipynb")  # doctest: +SKIP
'02_derivatives'
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.grading.report import write_feedback_html


class ExchangeError(RuntimeError):
    """An nbgrader command failed; the message carries its output."""


def nbgrader(course_dir, *args: str, timeout: float = 300.0) -> str:
    """Run ``nbgrader ARGS`` in the instructor's course folder; return its output, or raise
    :class:`ExchangeError` with that output when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course_dir,
        capture_output=True,
        text=True,
        timeout=timeout,
        # nbgrader calls `alembic` by name: the environment's scripts come first on PATH
        env={
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        },
    )
    if done.returncode != 0:
        raise ExchangeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout + done.stderr


def _course(course_dir) -> Path:
    course = Path(course_dir).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise ValueError(
            f"course_dir must be an nbgrader course folder with an nbgrader_config.py, got {course}"
        )
    return course


def release(course_dir, exercise, assignment: str | None = None) -> str:
    """Release ``exercise`` (a generated exercise notebook) as ``assignment`` (default: the
    notebook's name) through the exchange; return the assignment id."""
    course = _course(course_dir)
    exercise = Path(exercise)
    if exercise.suffix != ".ipynb" or not exercise.is_file():
        raise ValueError(f"exercise must be an existing .ipynb file, got {exercise}")
    assignment = assignment or exercise.stem
    folder = course / "release" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(exercise, folder / exercise.name)
    nbgrader(course, "release_assignment", assignment, "--force")
    return assignment


def collect(course_dir, assignment: str) -> list[Path]:
    """Collect every student's latest submission of ``assignment``; return the notebooks."""
    course = _course(course_dir)
    nbgrader(course, "collect", assignment, "--update")
    return sorted((course / "submitted").glob(f"*/{assignment}/*.ipynb"))


def _reports(grades_dir: Path) -> dict[Path, dict]:
    """Every JSON report under ``grades_dir``, by the resolved path of the notebook it graded."""
    found = {}
    for path in sorted(grades_dir.rglob("*.json")):
        try:
            report = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(report, dict) and "submission" in report and "student" in report:
            found[Path(report["submission"]).resolve()] = report
    return found


def return_feedback(course_dir, grades_dir, assignment: str) -> list[Path]:
    """Write each collected submission's HTML feedback where nbgrader expects it and release
    it through the exchange; return the pages written. A submission with no report is
    skipped (and not released): grade it first."""
    course = _course(course_dir)
    grades = Path(grades_dir).resolve()
    reports = _reports(grades)
    pages = []
    for notebook in sorted((course / "submitted").glob(f"*/{assignment}/*.ipynb")):
        report = reports.get(notebook.resolve())
        if report is None:
            continue
        student = notebook.parent.parent.name
        folder = course / "feedback" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("timestamp.txt", "submission_secret.txt"):  # nbgrader keys feedback on them
            if (notebook.parent / name).exists():
                shutil.copyfile(notebook.parent / name, folder / name)
        pages.append(write_feedback_html(report, folder / f"{notebook.stem}.html"))
    if pages:
        nbgrader(course, "release_feedback", assignment)
    return pages
