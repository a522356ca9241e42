"""The gradebook: every grading attempt in SQLite, and a CSV with one row per student."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL, assignment TEXT, submission TEXT NOT NULL, sha256 TEXT,
    context TEXT NOT NULL, graded_at TEXT, status TEXT, score REAL, max_score REAL,
    sandboxed INTEGER, report TEXT
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

    def close(self) -> None:
        self.db.close()

    def record(self, report: dict, submission: str, context: str, report_path: str) -> int:
        with self.db:
            cursor = self.db.execute(
                "INSERT INTO attempts (student, assignment, submission, sha256, context, "
                "graded_at, status, score, max_score, sandboxed, report) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def export_csv(self, path) -> None:
        """One row per student: the latest score of each assignment, and the total."""
        latest: dict[tuple[str, str], tuple[float, float]] = {}
        for row in self.attempts():
            assignment = row["assignment"] or Path(row["submission"]).stem
            latest[(row["student"], assignment)] = (row["score"], row["max_score"])
        students = sorted({s for s, _ in latest})
        assignments = sorted({a for _, a in latest})
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", *assignments, "total", "max_total"])
            for student in students:
                cells = [latest.get((student, a)) for a in assignments]
                total = sum(c[0] for c in cells if c)
                max_total = sum(c[1] for c in cells if c)
                writer.writerow(
                    [
                        student,
                        *("" if c is None else f"{c[0]:g}" for c in cells),
                        f"{total:g}",
                        f"{max_total:g}",
                    ]
                )
