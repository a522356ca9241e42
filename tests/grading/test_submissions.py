"""Who submitted what: layouts, identity, links, the gradebook's counted attempt, the CSV,
the output lock, manual scores and ``course grade``'s exit status (issues 19, 20, 22)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from pathlib import Path

import pytest

from course_lib import cli
from course_lib.grading import autograde
from course_lib.grading.autograde import (
    EXIT_LOCKED,
    EXIT_NOT_GRADED,
    EXIT_OK,
    _failure_message,
    checked_metadata,
    grade,
)
from course_lib.grading.gradebook import Gradebook, read_manual_scores, spreadsheet_safe
from course_lib.grading.sandbox import Limits
from course_lib.grading.submissions import (
    FolderLock,
    OutputLocked,
    discover,
    parse_timestamp,
    read_regular_file,
)

from .corpus import EX02, LAYOUT_CASES, NB02, ROOT, VICTIM, build_layouts

LIMITS = Limits(cell_timeout=10.0, notebook_timeout=90.0, memory_mb=1024, startup_timeout=30.0)
SOLUTIONS = ROOT / "solutions"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


# ------------------------------------------------------------------ the layout corpus


@pytest.fixture(scope="module")
def layout_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("layouts").resolve() / "submitted"
    out = tmp_path_factory.mktemp("layout-grades")
    paths = build_layouts(root)
    summaries = grade([root], SOLUTIONS, out, jobs=2, limits=LIMITS, progress=False)
    by_path = {s["submission"]: s for s in summaries}
    return {"root": root, "out": out, "paths": paths, "summaries": summaries, "by": by_path}


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=[c.name for c in LAYOUT_CASES])
def test_each_layout_case_is_graded_or_refused_as_expected(layout_run, case):
    summary = layout_run["by"][str(layout_run["paths"][case.name])]
    assert summary["status"] == case.status, summary
    if case.status == "refused":
        assert case.reason in summary["reason"], summary["reason"]
        refused = json.loads((layout_run["out"] / "refused.json").read_text())
        assert str(layout_run["paths"][case.name]) in {r["submission"] for r in refused}
    else:
        assert summary["student"] == case.student
    if case.score is not None:
        assert summary["score"] == case.score


def test_the_victim_keeps_her_one_report_and_her_grade(layout_run):
    victim = layout_run["by"][str(layout_run["paths"][VICTIM])]
    assert (victim["status"], victim["score"]) == ("graded", 8.0)
    assert Path(victim["report"]) == layout_run["out"] / VICTIM / (NB02.stem + ".json")
    with sqlite3.connect(layout_run["out"] / "gradebook.sqlite") as db:
        students = [r[0] for r in db.execute("SELECT student FROM attempts")]
    assert students.count(VICTIM) == 1
    assert "solutions" not in students and "carol" not in students and "bob" not in students
    assert json.loads(Path(victim["report"]).read_text())["score"] == 8.0


def test_identity_is_the_first_level_folder_and_nbgrader_time_is_the_submission_time(layout_run):
    dan = layout_run["by"][str(layout_run["paths"]["nbgrader_submitted_layout"])]
    report = json.loads(Path(dan["report"]).read_text())
    assert report["student"] == "dan" and report["assignment"] == NB02.stem
    assert report["submitted_at"] == "2026-12-01T10:00:00+00:00"
    ivy = layout_run["by"][str(layout_run["paths"]["two_notebooks_the_named_one_is_graded"])]
    assert "named like the assignment" in json.dumps(json.loads(Path(ivy["report"]).read_text()))


def test_no_csv_field_can_start_a_formula(layout_run):
    rows = _csv_rows(layout_run["out"] / "grades.csv")
    assert ['\'=HYPERLINK("evil")'] == [r[0] for r in rows if "HYPERLINK" in r[0]]
    assert not any(field.startswith(FORMULA_START) for row in rows for field in row)
    assert sorted(r[0] for r in rows[1:]) == sorted(['\'=HYPERLINK("evil")', VICTIM, "dan", "ivy"])


# ------------------------------------------------------------------ discovery, unit level


def test_reading_refuses_links_fifos_and_oversized_files_without_blocking(tmp_path):
    big = tmp_path / "big.ipynb"
    big.write_bytes(b"x" * 2000)
    assert read_regular_file(big, 2000) == b"x" * 2000
    with pytest.raises(OSError, match="more than the 1999-byte limit"):
        read_regular_file(big, 1999)
    (tmp_path / "link.ipynb").symlink_to(big)
    with pytest.raises(OSError, match="symbolic link"):
        read_regular_file(tmp_path / "link.ipynb")
    os.mkfifo(tmp_path / "pipe.ipynb")  # nobody writes: an open() without O_NONBLOCK would hang
    with pytest.raises(OSError, match="FIFO"):
        read_regular_file(tmp_path / "pipe.ipynb")


def test_discovery_rules_for_files_checkpoints_and_deep_folders(tmp_path):
    root = tmp_path / "root"
    (root / "amy" / ".ipynb_checkpoints").mkdir(parents=True)
    (root / "amy" / ".ipynb_checkpoints" / "02-checkpoint.ipynb").write_text("{}")
    (root / "amy" / "02.ipynb").write_text("{}")
    (root / "amy" / "old" / "deeper").mkdir(parents=True)
    (root / "amy" / "old" / "deeper" / "02.ipynb").write_text("{}")
    (root / "ben" / "ps02" / "extra").mkdir(parents=True)
    (root / "ben" / "ps02" / "02.ipynb").write_text("{}")
    (root / "ben" / "ps02" / "extra" / "02.ipynb").write_text("{}")
    found = {str(c.path.relative_to(root)): c for c in discover([root])}
    assert sorted(found) == [
        "amy/02.ipynb",
        "amy/old/deeper/02.ipynb",
        "ben/ps02/02.ipynb",
        "ben/ps02/extra/02.ipynb",
    ]
    assert found["amy/02.ipynb"].refused is None and found["amy/02.ipynb"].student == "amy"
    assert "nested folder" in found["amy/old/deeper/02.ipynb"].refused
    assert found["ben/ps02/02.ipynb"].layout == "nbgrader"
    assert "nested deeper" in found["ben/ps02/extra/02.ipynb"].refused
    # a file named on the command line is the instructor's choice: its folder names the student
    (explicit,) = discover([root / "amy" / "02.ipynb"])
    assert (explicit.student, explicit.refused) == ("amy", None)
    with pytest.raises(ValueError, match="does not exist"):
        discover([tmp_path / "missing"])


def test_nbgrader_timestamps_parse_to_utc():
    assert parse_timestamp("2026-12-01 10:00:00.5 UTC") == "2026-12-01T10:00:00.500000+00:00"
    assert parse_timestamp("2026-12-01T12:00:00+02:00") == "2026-12-01T10:00:00+00:00"
    assert parse_timestamp("yesterday") is None


def test_every_nbgrader_field_is_validated_and_a_bad_one_dropped():
    cell = {
        "cell_type": "code",
        "metadata": {
            "nbgrader": {
                "grade_id": ["x"],
                "grade": "yes",
                "points": float("nan"),
                "solution": True,
                "schema_version": 3,
                "locked": False,
            }
        },
    }
    meta, problems = checked_metadata(cell)
    assert meta == {"solution": True, "schema_version": 3, "locked": False}
    assert len(problems) == 3 and all("is invalid" in p for p in problems)
    assert checked_metadata({"metadata": {"nbgrader": [1]}}) == (
        {},
        ["its nbgrader metadata is a list, not an object"],
    )
    assert checked_metadata({"metadata": {"nbgrader": {"points": -1}}})[0] == {}
    assert checked_metadata({"metadata": {"nbgrader": {"points": True}}})[0] == {}


# ------------------------------------------------------------------ feedback


def _raise_in_test(source: str):
    filename = "<test cell t>"
    try:
        exec(compile(source, filename, "exec"), {})  # noqa: S102 - a made-up test cell
    except Exception as err:  # noqa: BLE001
        return err, filename
    raise AssertionError("the test cell did not fail")


@pytest.mark.parametrize("reveal", [False, True])
def test_hidden_failures_show_values_only_when_the_block_says_reveal(reveal):
    marker = " (reveal)" if reveal else ""
    source = (
        "x = 1\n"
        f"### BEGIN HIDDEN TESTS{marker}\n"
        "assert 41 == 42, 'expected 42, got 41'\n"
        "### END HIDDEN TESTS\n"
    )
    err, filename = _raise_in_test(source)
    hidden = [
        (*m.span(), "reveal" in m.group(1).lower()) for m in autograde._HIDDEN.finditer(source)
    ]
    message = _failure_message(err, source, filename, hidden)
    assert message.startswith("a hidden test failed")
    assert ("expected 42" in message) is reveal
    if not reveal:
        assert "line 3" in message and "not shown" in message
    # outside a hidden block the message is shown in full, as before
    err, filename = _raise_in_test("assert 1 == 2, 'public: 1 != 2'\n")
    assert "public: 1 != 2" in _failure_message(err, "assert 1 == 2\n", filename, [])


def test_the_reveal_marker_survives_nbgrader_and_leaves_no_hidden_test_in_the_exercise():
    from nbformat.v4 import new_code_cell, new_notebook

    from course_lib.grading.assign import assign_notebook

    nb = new_notebook(
        cells=[
            new_code_cell(
                "x = 1\n### BEGIN HIDDEN TESTS (reveal)\nassert x == 1\n### END HIDDEN TESTS\n",
                metadata={
                    "nbgrader": {
                        "grade": True,
                        "grade_id": "t",
                        "points": 1,
                        "solution": False,
                        "locked": True,
                        "schema_version": 3,
                    }
                },
            )
        ]
    )
    import tempfile

    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "01_x.ipynb"
        nbformat.write(nb, path)
        exercise = assign_notebook(path)
    assert "HIDDEN" not in exercise.cells[0].source and "assert" not in exercise.cells[0].source


# ------------------------------------------------------------------ gradebook and CSV


def _report(student, score, submitted_at, assignment=NB02.stem):
    return {
        "student": student,
        "assignment": assignment,
        "sha256": "x",
        "graded_at": "now",
        "submitted_at": submitted_at,
        "status": "graded",
        "score": score,
        "max_score": 8.0,
        "manual_max_score": 2.0,
        "sandbox": {"enabled": True},
        "tasks": [],
    }


def test_csv_counts_the_latest_submission_not_the_last_graded(tmp_path):
    book = Gradebook(tmp_path / "g.sqlite")
    book.record(_report("amy", 8.0, "2026-12-02T09:00:00+00:00"), "/s/amy/new", "c", "r")
    book.record(_report("amy", 2.0, "2026-12-01T09:00:00+00:00"), "/s/amy/old", "c", "r")
    book.record(_report("bo", 3.0, "2026-12-01T09:00:00+00:00"), "/s/bo/a", "c", "r")
    book.record(_report("bo", 5.0, "2026-12-01T09:00:00+00:00"), "/s/bo/a", "c", "r")
    book.export_csv(tmp_path / "grades.csv")
    rows = {r[0]: r for r in _csv_rows(tmp_path / "grades.csv")}
    assert rows["amy"][1] == "8"  # the older copy graded later does not replace it
    assert rows["bo"][1] == "5"  # same submission time: the one graded last
    assert rows["amy"][3] == "10"  # max_total counts the written answer's 2 points
    book.close()


@pytest.mark.parametrize("name", ["=1+1", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx", "plain"])
def test_spreadsheet_safe_neutralises_formula_starts(name):
    safe = spreadsheet_safe(name)
    assert not safe.startswith(FORMULA_START)
    assert safe in (name, "'" + name)


def test_manual_scores_are_checked_and_merged_into_the_csv(tmp_path):
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "student,assignment,grade_id,points,comment\n"
        f"amy,{NB02.stem},answer_step,1.5,clear but short\n"
    )
    out = tmp_path / "out"
    book = Gradebook(out / "gradebook.sqlite")
    book.record(_report("amy", 8.0, "2026-12-02T09:00:00+00:00"), "/s/amy/a", "c", "r")
    book.close()
    code = cli.main(["grade", "--manual", str(scores), "--solutions", str(SOLUTIONS),
                     "--out", str(out), "--quiet"])  # fmt: skip
    assert code == EXIT_OK
    rows = {r[0]: r for r in _csv_rows(out / "grades.csv")}
    assert rows["amy"][1:] == ["9.5", "9.5", "10"]
    for bad, message in [
        (f"amy,{NB02.stem},answer_step,2.5", "between 0 and 2"),
        (f"amy,{NB02.stem},test_forward,1", "not a written answer"),
        ("amy,99_nothing,answer_step,1", "no assignment"),
        (f"amy,{NB02.stem},answer_step,lots", "not a number"),
    ]:
        scores.write_text("student,assignment,grade_id,points\n" + bad + "\n")
        with pytest.raises(ValueError, match=message) as info:
            read_manual_scores(scores, sorted(SOLUTIONS.glob("*.ipynb")))
        assert "line 2" in str(info.value)


# ------------------------------------------------------------------ the run as a whole


def test_a_second_grader_on_the_same_folder_is_refused(tmp_path):
    with FolderLock(tmp_path):
        with pytest.raises(OutputLocked, match="another `course grade`"):
            FolderLock(tmp_path).__enter__()
        with pytest.raises(OutputLocked):
            grade([tmp_path], SOLUTIONS, tmp_path, limits=LIMITS, progress=False)
    with FolderLock(tmp_path):  # released: a later run takes it
        pass


def test_exit_status_says_whether_everything_was_graded(tmp_path, capsys):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "someone.ipynb").write_bytes(NB02.read_bytes())
    args = ["--solutions", str(SOLUTIONS), "--out", str(tmp_path / "out"), "--quiet"]
    assert cli.main(["grade", str(flat), *args]) == EXIT_NOT_GRADED
    assert "flat folder of files is ambiguous" in capsys.readouterr().out
    with FolderLock(tmp_path / "out"):
        assert cli.main(["grade", str(flat), *args]) == EXIT_LOCKED
    assert "another `course grade`" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["grade", str(tmp_path / "missing"), *args])
    assert info.value.code == 2
    good = tmp_path / "good"
    (good / "amy").mkdir(parents=True)
    (good / "amy" / NB02.name).write_bytes(NB02.read_bytes())
    args[3] = str(tmp_path / "out2")
    assert cli.main(["grade", str(good), "--cell-timeout", "10", *args]) == EXIT_OK
    assert cli.main(["grade", str(good), *args]) == EXIT_OK  # unchanged: still fine


def test_the_csv_exists_after_a_crash_mid_batch(tmp_path, monkeypatch):
    root, out = tmp_path / "root", tmp_path / "out"
    for student in ("amy", "ben"):
        (root / student).mkdir(parents=True)
        (root / student / NB02.name).write_bytes(b"not json")
    real, calls = autograde._collect, []

    def crash_on_second(job, overdue):
        calls.append(job)
        if len(calls) == 2:
            raise RuntimeError("the grader was killed")
        return real(job, overdue)

    monkeypatch.setattr(autograde, "_collect", crash_on_second)
    with pytest.raises(RuntimeError, match="killed"):
        grade([root], SOLUTIONS, out, jobs=1, limits=LIMITS, progress=False)
    rows = _csv_rows(out / "grades.csv")
    assert [r[0] for r in rows[1:]] == [calls[0]["student"]]


def test_an_exercise_file_copied_twice_under_other_names_is_refused_not_summed(tmp_path):
    """Issue 22: a flat folder became one student with the sum of all scores."""
    root = tmp_path / "root"
    (root / "amy").mkdir(parents=True)
    for name in ("a.ipynb", "b.ipynb"):
        (root / "amy" / name).write_bytes(EX02.read_bytes())
    summaries = grade([root], SOLUTIONS, tmp_path / "out", limits=LIMITS, progress=False)
    assert [s["status"] for s in summaries] == ["refused", "refused"]
    assert all("none is graded" in s["reason"] for s in summaries)
