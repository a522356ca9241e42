"""`course grade` end to end: the hostile corpus, graded in parallel, sandboxed and not."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from course_lib.grading.autograde import grade
from course_lib.grading.sandbox import Limits, sandbox_available

from .corpus import CORPUS as FULL_CORPUS
from .corpus import NB02, ROOT, build

LIMITS = Limits(cell_timeout=4.0, notebook_timeout=90.0, memory_mb=1024, startup_timeout=30.0)
SANDBOXED, _ = sandbox_available()
# Without bubblewrap a submission that deletes files would delete the developer's own /tmp:
# such entries run only where the sandbox contains them.
CORPUS = [e for e in FULL_CORPUS if SANDBOXED or not e.sandbox_only]
needs_bwrap = pytest.mark.skipif(not SANDBOXED, reason="bubblewrap cannot sandbox here")


def _digest(paths):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("grades")
    paths = {entry.name: build(entry, folder) for entry in CORPUS}
    before = _digest(paths.values())
    summaries = grade([folder], ROOT / "solutions", out, jobs=2, limits=LIMITS, progress=False)
    # One report per student, named after the assignment it answers (not after the file).
    reports = {s["student"]: json.loads(Path(s["report"]).read_text()) for s in summaries}
    assert sorted(reports) == sorted(e.name for e in CORPUS)
    return {
        "folder": folder,
        "out": out,
        "paths": paths,
        "before": before,
        "summaries": summaries,
        "reports": reports,
    }


@pytest.mark.parametrize("entry", CORPUS, ids=[e.name for e in CORPUS])
def test_each_corpus_submission_scores_exactly_as_expected(corpus_run, entry):
    report = corpus_run["reports"][entry.name]
    scores = {t["grade_id"]: t["points"] for t in report["tasks"] if t["kind"] == "autograded"}
    assert scores == entry.points, json.dumps(report, indent=1)[:3000]
    text = json.dumps(report, ensure_ascii=False)
    for needle in entry.contains + (entry.sandboxed_contains if SANDBOXED else ()):
        assert needle in text, f"{needle!r} not in the report of {entry.name}"
    for needle in entry.absent:
        assert needle not in text
    assert report["sandbox"]["enabled"] is SANDBOXED


def test_grading_never_modifies_a_submission(corpus_run):
    assert _digest(corpus_run["paths"].values()) == corpus_run["before"]


def test_every_submission_gets_a_report_and_markdown_feedback(corpus_run):
    for summary in corpus_run["summaries"]:
        feedback = Path(summary["report"]).with_suffix(".md")
        assert "Score:" in feedback.read_text()
    assert len(corpus_run["summaries"]) == len(CORPUS)


def test_a_flood_of_output_is_cut_in_the_report(corpus_run):
    report_file = corpus_run["out"] / "print_megabytes" / (NB02.stem + ".json")
    assert report_file.stat().st_size < 200_000


@needs_bwrap
def test_the_sandbox_hides_solutions_and_the_grader_command_line(corpus_run):
    report = corpus_run["reports"]["read_hidden_tests"]
    assert "BEGIN HIDDEN TESTS" not in json.dumps(report)
    assert report["sandbox"]["warning"] is None


def test_gradebook_records_every_attempt_and_csv_has_one_row_per_student(corpus_run):
    out = corpus_run["out"]
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        attempts = db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
        tasks = db.execute("SELECT COUNT(*) FROM task_scores").fetchone()[0]
    assert attempts == len(CORPUS)
    assert tasks > 4 * len(CORPUS) - 20
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["student"] for r in rows) == sorted(e.name for e in CORPUS)
    by_student = {r["student"]: r for r in rows}
    assert by_student["correct"]["02_derivatives_and_finite_differences"] == "8"
    assert by_student["patch_everything"]["total"] == "0"


def test_unchanged_submissions_are_skipped_and_changed_ones_regraded(tmp_path):
    folder, out = tmp_path / "subs", tmp_path / "out"
    good = build(CORPUS[0], folder)
    bad = build(next(e for e in CORPUS if e.name == "not_json"), folder)
    first = grade([folder], ROOT / "solutions", out, jobs=2, limits=LIMITS, progress=False)
    assert [s["skipped"] for s in first] == [False, False]
    second = grade([folder], ROOT / "solutions", out, jobs=2, limits=LIMITS, progress=False)
    assert all(s["skipped"] for s in second)
    assert {s["score"] for s in second} == {8.0, 0.0}
    bad.write_text(good.read_text())
    third = grade([folder], ROOT / "solutions", out, jobs=2, limits=LIMITS, progress=False)
    regraded = {Path(s["submission"]).parent.name: s for s in third if not s["skipped"]}
    assert list(regraded) == ["not_json"] and regraded["not_json"]["score"] == 8.0


def test_without_sandbox_every_report_says_so_loudly_and_tampering_still_fails(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("COURSE_GRADER_SANDBOX", "off")
    chosen = [e for e in CORPUS if e.name in ("correct", "patch_everything", "read_hidden_tests")]
    spying = next(e for e in chosen if e.name == "read_hidden_tests")
    folder, out = tmp_path / "subs", tmp_path / "out"
    paths = {e.name: build(e, folder) for e in chosen}
    grade([folder], ROOT / "solutions", out, jobs=2, limits=LIMITS, progress=False)
    assert "UNSANDBOXED" in capsys.readouterr().err
    for entry in chosen:
        report = json.loads((out / entry.name / (paths[entry.name].stem + ".json")).read_text())
        assert report["sandbox"]["enabled"] is False
        assert "UNSANDBOXED" in report["sandbox"]["warning"]
        assert "UNSANDBOXED" in (out / entry.name / (paths[entry.name].stem + ".md")).read_text()
        if entry is spying:
            # Without the sandbox the spy walks the whole real disk: it finds a hidden-test
            # notebook, or runs out of cell time on a big disk. Either way it does not report
            # the "found: 0" it reports inside the sandbox: the sandbox is what hides them.
            assert "hidden-test notebooks found: 0;" not in str(report["cells"])
            continue
        assert {
            t["grade_id"]: t["points"] for t in report["tasks"] if t["kind"] == "autograded"
        } == entry.points


def test_every_solution_scores_full_marks_and_every_unmodified_exercise_scores_zero(tmp_path):
    """The published notebooks through `course grade` itself: the authoring round trip."""
    folder, out = tmp_path / "subs", tmp_path / "out"
    for kind in ("solutions", "exercises"):
        for path in sorted((ROOT / kind).glob("[0-9][0-9]_*.ipynb")):
            student = folder / f"{kind}-{path.stem[:2]}"
            student.mkdir(parents=True)
            (student / path.name).write_bytes(path.read_bytes())
    # Generous per-cell limits: this is about the notebooks, not about hostile code.
    roomy = Limits(cell_timeout=60.0, notebook_timeout=300.0, memory_mb=2048, startup_timeout=60.0)
    summaries = grade([folder], ROOT / "solutions", out, jobs=2, limits=roomy, progress=False)
    scores = {s["student"]: (s["score"], s["max_score"]) for s in summaries}
    reports = {s["student"]: json.loads(Path(s["report"]).read_text()) for s in summaries}
    assert len(scores) == 2 * len(list((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")))
    for student, (score, maximum) in scores.items():
        assert maximum > 0, student
        expected = maximum if student.startswith("solutions") else 0.0
        lost = [(t["grade_id"], t["status"]) for t in reports[student]["tasks"] if t["points"] == 0]
        assert score == expected, f"{student}: {score}/{maximum}, tasks at 0: {lost}"
