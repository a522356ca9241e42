"""Assignments: ``check`` for students, ``assign`` and ``autograde`` for instructors.

Student side
    ``from course_lib.grading import check``; ``check("02.centered_difference",
    centered_difference)`` runs the task's public cases (``grading/tasks/nNN.py``), prints a
    one-line verdict when they pass and raises :class:`CheckFailed` with a short verdict
    (case, expected versus returned, a hint) when one fails. While a task is checked, the
    ``course_lib`` functions that implement the same idea are switched off.

Instructor side (``course assign``, ``course grade``; needs the ``instructor`` extra)
    :mod:`course_lib.grading.assign` writes ``exercises/`` from ``solutions/`` with nbgrader's
    preprocessors; :mod:`course_lib.grading.autograde` grades submissions. Its docstring
    describes why a verdict cannot be forged by the student's code: test cells never run in the
    student's kernel.

This package imports neither the numerical modules nor nbgrader/jupyter at import time.
"""

from course_lib.grading.checker import Case, CheckFailed, check, register

__all__ = ["Case", "CheckFailed", "check", "register"]
