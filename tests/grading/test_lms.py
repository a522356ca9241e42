"""Canvas and Moodle exports of the gradebook: columns the LMS expects, the counted scores."""

from __future__ import annotations

import csv

import pytest

from course_lib.cli import main
from course_lib.grading.gradebook import Gradebook
from course_lib.grading.lms import export_lms, lms_rows, read_roster


def _attempt(book, student, assignment, score, max_score, submitted_at):
    book.record(
        {
            "student": student,
            "assignment": assignment,
            "sha256": f"{student}{assignment}{submitted_at}",
            "graded_at": submitted_at,
            "submitted_at": submitted_at,
            "status": "graded",
            "score": score,
            "max_score": max_score,
            "sandbox": {"enabled": True},
            "tasks": [],
        },
        f"/sub/{student}/{assignment}.ipynb",
        "ctx",
        "report.json",
    )


@pytest.fixture
def gradebook(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    book = Gradebook(path)
    _attempt(book, "alice", "02_derivatives", 8, 8, "2026-01-02")
    _attempt(book, "alice", "02_derivatives", 3, 8, "2026-01-01")  # older submission, graded later
    _attempt(book, "bob", "02_derivatives", 4, 8, "2026-01-02")
    _attempt(book, "bob", "04_step_size", 5, 10, "2026-01-03")
    _attempt(book, "=HYPERLINK(1)", "04_step_size", 0, 10, "2026-01-03")
    book.close()
    return path


def _read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_export_has_canvas_columns_points_possible_and_counted_scores(gradebook, tmp_path):
    rows = _read(export_lms(gradebook, tmp_path / "canvas.csv", "canvas"))
    assert rows[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section", "02_derivatives", "04_step_size"
    ]  # fmt: skip
    assert rows[1] == ["Points Possible", "", "", "", "", "8", "10"]
    by_login = {r[3]: r for r in rows[2:]}
    assert by_login["alice"][5:] == ["8", ""]  # the latest submission counts, not the last graded
    assert by_login["bob"][5:] == ["4", "5"]
    # a name a spreadsheet would run as a formula is written as text
    assert by_login["'=HYPERLINK(1)"][0] == "'=HYPERLINK(1)"


def test_moodle_export_uses_the_roster_for_username_and_email(gradebook, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student,username,email,idnumber\n"
        "alice,asmith,alice@example.edu,1001\n"
        "carol,cjones,carol@example.edu,1003\n"
    )
    rows = _read(export_lms(gradebook, tmp_path / "moodle.csv", "moodle", roster))
    assert rows[0] == ["Username", "Email address", "ID number", "02_derivatives", "04_step_size"]
    table = {r[0]: r for r in rows[1:]}
    assert table["asmith"] == ["asmith", "alice@example.edu", "1001", "8", ""]
    assert table["cjones"][3:] == ["", ""]  # on the roster, nothing graded: blank, not zero
    assert table["bob"][3:] == ["4", "5"]  # graded, not on the roster: the folder name


def test_lms_rows_match_the_gradebook_table_for_every_student(gradebook):
    book = Gradebook(gradebook)
    table = book.scores()
    book.close()
    rows = lms_rows(table, "canvas")
    assignments = rows[0][5:]
    for row in rows[2:]:
        student = row[3]
        for a, value in zip(assignments, row[5:], strict=True):
            key = (student.lstrip("'"), a)
            assert value == ("" if key not in table else f"{table[key][0]:g}")


def test_bad_lms_roster_and_gradebook_are_named(gradebook, tmp_path):
    with pytest.raises(ValueError, match="lms must be one of"):
        export_lms(gradebook, tmp_path / "x.csv", "blackboard")
    with pytest.raises(ValueError, match="gradebook must be"):
        export_lms(tmp_path / "missing.sqlite", tmp_path / "x.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("login,email\na,b\n")
    with pytest.raises(ValueError, match="needs a 'student' column"):
        read_roster(bad)
    twice = tmp_path / "twice.csv"
    twice.write_text("student,email\na,x\na,y\n")
    with pytest.raises(ValueError, match="listed twice"):
        read_roster(twice)


def test_course_export_command_writes_the_csv(gradebook, tmp_path, capsys):
    out = tmp_path / "canvas.csv"
    assert main(["export", "--gradebook", str(gradebook), "--out", str(out)]) == 0
    assert out.exists() and "Canvas" in capsys.readouterr().out
