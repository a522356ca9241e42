"""Gradebook exports a learning-management system imports: Canvas and Moodle CSV.

``course export --lms canvas`` (or ``moodle``) writes the counted score of every student and
assignment (the same numbers as ``grades.csv``: see :mod:`course_lib.grading.gradebook`) in the
columns the LMS's grade import expects:

- **Canvas** (Grades -> Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per assignment, and a second row ``Points Possible`` with each assignment's maximum.
  Canvas matches a row on ``ID``, ``SIS User ID`` or ``SIS Login ID``; a column whose header is
  not an existing assignment becomes a new one.
- **Moodle** (Grades -> Import -> CSV file): ``Username, Email address, ID number``, then one
  column per assignment; map the identifier column and the grade items on Moodle's import page.

The grader knows a student by the name of their submission folder. A roster CSV (``--roster``)
maps that name to the LMS's identity: a ``student`` column plus any of ``name``, ``id``,
``sis_user_id``, ``login_id``, ``section`` (Canvas) and ``username``, ``email``, ``idnumber``
(Moodle). Without a roster, the folder name is used as the login (Canvas ``SIS Login ID``,
Moodle ``Username``): name the folders by login and no roster is needed. Every field passes
through :func:`~course_lib.grading.gradebook.spreadsheet_safe`, so a student named
``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
from pathlib import Path

from course_lib.grading.gradebook import Gradebook, write_csv

LMS = ("canvas", "moodle")
_ROSTER_COLUMNS = {
    "student", "name", "id", "sis_user_id", "login_id", "section", "username", "email",
    "idnumber",
}  # fmt: skip


def read_roster(path) -> dict[str, dict[str, str]]:
    """The roster CSV as ``{student folder name: {column: value}}``; a ValueError names a
    missing ``student`` column, an unknown column or a student listed twice."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "student" not in fields:
            raise ValueError(
                f"roster {str(path)!r} needs a 'student' column (the submission folder names); "
                f"it has {fields}"
            )
        unknown = sorted(set(fields) - _ROSTER_COLUMNS)
        if unknown:
            raise ValueError(
                f"roster {str(path)!r}: unknown column(s) {unknown}; expected some of "
                f"{sorted(_ROSTER_COLUMNS)}"
            )
        roster: dict[str, dict[str, str]] = {}
        for number, row in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            student = row["student"]
            if student in roster:
                raise ValueError(f"roster {str(path)!r} line {number}: {student!r} listed twice")
            roster[student] = row
    return roster


def lms_rows(table: dict, lms: str, roster: dict | None = None) -> list[list]:
    """The CSV rows for ``lms`` from ``table`` = ``{(student, assignment): (score, max)}``."""
    if lms not in LMS:
        raise ValueError(f"lms must be one of {LMS}, got {lms!r}")
    roster = roster or {}
    students = sorted({s for s, _ in table} | set(roster))
    assignments = sorted({a for _, a in table})
    maxima = [max((table[k][1] for k in table if k[1] == a), default=0.0) for a in assignments]

    def scores(student):
        return [
            "" if (student, a) not in table else f"{table[(student, a)][0]:g}" for a in assignments
        ]

    if lms == "canvas":
        rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments]]
        rows.append(["Points Possible", "", "", "", "", *(f"{m:g}" for m in maxima)])
        for s in students:
            who = roster.get(s, {})
            rows.append(
                [
                    who.get("name") or s,
                    who.get("id", ""),
                    who.get("sis_user_id", ""),
                    who.get("login_id") or (s if not who else ""),
                    who.get("section", ""),
                    *scores(s),
                ]
            )
        return rows
    rows = [["Username", "Email address", "ID number", *assignments]]
    for s in students:
        who = roster.get(s, {})
        rows.append(
            [
                who.get("username") or (s if not who else ""),
                who.get("email", ""),
                who.get("idnumber", ""),
                *scores(s),
            ]
        )
    return rows


def export_lms(gradebook, out, lms: str = "canvas", roster=None) -> Path:
    """Write the gradebook's counted scores as ``lms``'s grade-import CSV to ``out``.

    Parameters
    ----------
    gradebook : path
        ``gradebook.sqlite`` written by ``course grade``.
    out : path
        The CSV to write.
    lms : {"canvas", "moodle"}
    roster : path, optional
        A roster CSV (see the module docstring).
    """
    if lms not in LMS:
        raise ValueError(f"lms must be one of {LMS}, got {lms!r}")
    path = Path(gradebook)
    if not path.is_file():
        raise ValueError(f"gradebook must be an existing gradebook.sqlite, got {str(path)!r}")
    book = Gradebook(path)
    try:
        table = book.scores()
    finally:
        book.close()
    names = read_roster(roster) if roster is not None else None
    return write_csv(out, lms_rows(table, lms, names))
