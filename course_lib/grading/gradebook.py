"""The gradebook: every grading attempt in SQLite, and a CSV with one row per student.

Which attempt counts
--------------------
For each student and assignment, ``grades.csv`` shows the attempt of the *latest submission
time* (``submitted_at``: nbgrader's ``timestamp.txt``, else the file's modification time, see
:mod:`course_lib.grading.submissions`); among attempts of one submission time, the one graded
last. Re-grading an older copy therefore never replaces a newer submission's grade.

Written answers
---------------
Markdown cells with ``grade: true`` are graded by hand. ``course grade --manual scores.csv``
reads a CSV with the header ``student,assignment,grade_id,points`` (and optionally
``comment``): one row per answer, ``points`` between 0 and the cell's ``points``. Entries
are stored in the ``manual_scores`` table (a later entry for the same answer replaces the
earlier one) and added to the assignment's score in ``grades.csv``.

Spreadsheet safety
------------------
Every CSV field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading ``'`` so that a student named ``=HYPERLINK(...)`` is text, not a formula.
"""

from __future__ import annotations

import csv
import math
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """``value`` as CSV text that no spreadsheet reads as a formula."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL, assignment TEXT, submission TEXT NOT NULL, sha256 TEXT,
    context TEXT NOT NULL, graded_at TEXT, status TEXT, score REAL, max_score REAL,
    sandboxed INTEGER, report TEXT
);
CREATE TABLE IF NOT EXISTS manual_scores (
    student TEXT NOT NULL, assignment TEXT NOT NULL, grade_id TEXT NOT NULL,
    points REAL NOT NULL, comment TEXT, entered_at TEXT,
    PRIMARY KEY (student, assignment, grade_id)
);
CREATE TABLE IF NOT EXISTS task_scores (
    attempt_id INTEGER NOT NULL REFERENCES attempts(id), grade_id TEXT, kind TEXT,
    points REAL, max_points REAL, status TEXT
);
"""


class Gradebook:
    """A SQLite file recording attempts (``attempts``) and per-task scores (``task_scores``)."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(_SCHEMA)
        have = {row[1] for row in self.db.execute("PRAGMA table_info(attempts)")}
        for column, kind in (("submitted_at", "TEXT"), ("manual_max_score", "REAL")):
            if column not in have:  # a gradebook written by an older grader
                self.db.execute(f"ALTER TABLE attempts ADD COLUMN {column} {kind}")
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def record(self, report: dict, submission: str, context: str, report_path: str) -> int:
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO attempts (student, assignment, submission, sha256, context, "
                "graded_at, status, score, max_score, sandboxed, report, submitted_at, "
                "manual_max_score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report["student"],
                    report.get("assignment"),
                    submission,
                    report.get("sha256"),
                    context,
                    report.get("graded_at"),
                    report["status"],
                    report["score"],
                    report["max_score"],
                    int(bool(report["sandbox"]["enabled"])),
                    report_path,
                    report.get("submitted_at"),
                    report.get("manual_max_score", 0.0),
                ),
            )
            attempt = cursor.lastrowid
            self.db.executemany(
                "INSERT INTO task_scores VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        attempt,
                        t.get("grade_id"),
                        t["kind"],
                        t.get("points"),
                        t.get("max_points"),
                        t.get("status"),
                    )
                    for t in report.get("tasks", [])
                ],
            )
        return attempt

    def _last(self, submission: str, sha256: str, context: str):
        return self.db.execute(
            "SELECT score, max_score, status FROM attempts WHERE submission = ? AND sha256 = ? "
            "AND context = ? ORDER BY id DESC LIMIT 1",
            (submission, sha256, context),
        ).fetchone()

    def seen(self, submission: str, sha256: str, context: str) -> bool:
        """Whether these exact bytes were graded against these solutions and settings."""
        return self._last(submission, sha256, context) is not None

    def latest_score(self, submission: str, sha256: str, context: str) -> dict:
        score, max_score, status = self._last(submission, sha256, context)
        return {"score": score, "max_score": max_score, "status": status}

    def attempts(self) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM attempts ORDER BY id")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=False)) for row in cursor.fetchall()]

    def set_manual(self, rows: list[dict]) -> None:
        """Store hand-given points (rows from :func:`read_manual_scores`)."""
        now = datetime.now(timezone.utc).isoformat()
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO manual_scores VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        r["student"],
                        r["assignment"],
                        r["grade_id"],
                        r["points"],
                        r.get("comment"),
                        now,
                    )
                    for r in rows
                ],
            )

    def latest_submitted_at(self, student: str, assignment: str | None) -> str | None:
        """The latest submission time recorded for one student's assignment, if any."""
        row = self.db.execute(
            "SELECT MAX(submitted_at) FROM attempts WHERE student = ? AND assignment = ?",
            (student, assignment),
        ).fetchone()
        return row[0] if row else None

    def manual_entries(self, student: str, assignment: str | None) -> dict[str, tuple]:
        """grade_id -> (points, comment) entered by hand for one student's assignment."""
        return {
            gid: (points, comment)
            for gid, points, comment in self.db.execute(
                "SELECT grade_id, points, comment FROM manual_scores "
                "WHERE student = ? AND assignment = ?",
                (student, assignment),
            )
        }

    def manual_scores(self) -> dict[tuple[str, str], float]:
        """(student, assignment) -> the hand-given points entered so far."""
        totals: dict[tuple[str, str], float] = {}
        for student, assignment, points in self.db.execute(
            "SELECT student, assignment, points FROM manual_scores"
        ):
            totals[(student, assignment)] = totals.get((student, assignment), 0.0) + points
        return totals

    def counted(self) -> dict[tuple[str, str], dict]:
        """The attempt that counts for each (student, assignment): latest submission time."""
        chosen: dict[tuple[str, str], dict] = {}
        for row in self.attempts():
            assignment = row["assignment"] or Path(row["submission"]).stem
            key = (row["student"], assignment)
            rank = (row.get("submitted_at") or "", row["id"])
            if key not in chosen or rank >= chosen[key]["_rank"]:
                chosen[key] = {**row, "_rank": rank}
        return chosen

    def scores(self) -> dict[tuple[str, str], tuple[float, float]]:
        """(student, assignment) -> (points, maximum): the counted attempt's autograded score
        plus hand-given points, out of the autograded and hand-graded maximum. A pair with
        hand-given points and no graded attempt has maximum 0 (the maximum is unknown)."""
        counted = self.counted()
        manual = self.manual_scores()
        table = {}
        for key in counted.keys() | manual.keys():
            row, hand = counted.get(key), manual.get(key, 0.0)
            score = (row["score"] if row else 0.0) + hand
            best = row["max_score"] + (row.get("manual_max_score") or 0.0) if row else 0.0
            table[key] = (score, best)
        return table

    def export_csv(self, path) -> None:
        """One row per student: each assignment's counted score plus hand-given points.

        Written to a temporary file and renamed into place, so a reader (or a crash) never
        sees half a file.
        """
        table = self.scores()
        students = sorted({s for s, _ in table})
        assignments = sorted({a for _, a in table})
        rows = [["student", *assignments, "total", "max_total"]]
        for student in students:
            cells = [table.get((student, a)) for a in assignments]
            total = sum(c[0] for c in cells if c)
            max_total = sum(c[1] for c in cells if c)
            values = ["" if c is None else f"{c[0]:g}" for c in cells]
            rows.append([student, *values, f"{total:g}", f"{max_total:g}"])
        write_csv(path, rows)


def write_csv(path, rows) -> Path:
    """Write ``rows`` as CSV with every field :func:`spreadsheet_safe`, atomically (a
    temporary file renamed into place: a reader, or a crash, never sees half a file)."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([[spreadsheet_safe(x) for x in row] for row in rows])
    os.replace(partial, path)
    return path


def read_manual_scores(path, solutions) -> list[dict]:
    """Rows of a manual-score CSV, checked against the written answers of ``solutions``.

    ``solutions`` are the solution notebook paths. Raises ValueError naming the row for an
    unknown assignment or answer, or points outside ``[0, points of the cell]``.
    """
    import nbformat

    from course_lib.grading.autograde import checked_metadata, classify

    answers: dict[str, dict[str, float]] = {}
    for sol in solutions:
        nb = nbformat.read(sol, as_version=4)
        answers[Path(sol).stem] = {
            checked_metadata(c)[0].get("grade_id"): float(checked_metadata(c)[0].get("points", 0))
            for c in nb.cells
            if classify(c) == "answer"
        }
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        need = {"student", "assignment", "grade_id", "points"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise ValueError(
                f"manual scores {str(path)!r}: expected the header "
                "student,assignment,grade_id,points[,comment]"
            )
        for number, row in enumerate(reader, 2):
            where = f"manual scores {str(path)!r}, line {number}"
            assignment, gid = row["assignment"].strip(), row["grade_id"].strip()
            if assignment not in answers:
                raise ValueError(f"{where}: no assignment {assignment!r} in the solutions")
            if gid not in answers[assignment]:
                known = ", ".join(sorted(answers[assignment])) or "none"
                raise ValueError(
                    f"{where}: {gid!r} is not a written answer of {assignment} (answers: {known})"
                )
            try:
                points = float(row["points"])
            except ValueError:
                raise ValueError(f"{where}: points {row['points']!r} is not a number") from None
            top = answers[assignment][gid]
            if not (math.isfinite(points) and 0 <= points <= top):
                raise ValueError(f"{where}: points must be between 0 and {top:g}, got {points:g}")
            if not row["student"].strip():
                raise ValueError(f"{where}: the student is empty")
            rows.append(
                {
                    "student": row["student"].strip(),
                    "assignment": assignment,
                    "grade_id": gid,
                    "points": points,
                    "comment": (row.get("comment") or "").strip() or None,
                }
            )
    return rows
