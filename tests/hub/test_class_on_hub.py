"""A class on JupyterHub with nbgrader's exchange, end to end, on one machine.

The instructor releases an exercise; three students (correct, partial, hostile) log in through
the hub, fetch it through their own servers' nbgrader API, work it and submit; the instructor
collects; ``course grade`` grades the collected folder (killed once midway and run again);
feedback goes back through the exchange and each student fetches only their own.

Needs the ``hub`` extra (jupyterhub) and configurable-http-proxy (``make hub-deps``); skips with
a message saying what to install otherwise.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

pytest.importorskip("jupyterhub", reason="hub tests skipped: pip install -e '.[hub]'")

from course_lib.grading import exchange  # noqa: E402
from course_lib.grading.sandbox import sandbox_available  # noqa: E402
from course_lib.hub import proxy_command, start_hub  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "02_derivatives_and_finite_differences"
STUDENTS = ("alice", "bob", "mallory")


def _solution_sources() -> dict[str, str]:
    """grade_id -> source of every solution code cell of the assignment's solution."""
    nb = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    return {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    }


def _work(exercise: dict, student: str, alice_path: Path) -> dict:
    """The notebook ``student`` submits: alice solves everything, bob the first half,
    mallory replaces every answer by code that tries to read alice's submission and run it."""
    nb = copy.deepcopy(exercise)
    answers = _solution_sources()
    ids = list(answers)
    thief = (
        "import pathlib, json\n"
        f"_p = pathlib.Path({str(alice_path)!r})\n"
        "try:\n"
        "    for _c in json.loads(_p.read_text())['cells']:\n"
        "        if _c['cell_type'] == 'code' and 'def ' in ''.join(_c['source']):\n"
        "            exec(''.join(_c['source']))\n"
        "except Exception as _e:\n"
        "    print('could not read a classmate:', type(_e).__name__)\n"
    )
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or not meta.get("solution"):
            continue
        gid = meta["grade_id"]
        if student == "alice" or (student == "bob" and ids.index(gid) < len(ids) // 2):
            cell["source"] = answers[gid]
        elif student == "mallory":
            cell["source"] = thief
    return nb


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _grade(course: Path, out: Path, *, kill_after_first: bool = False) -> int:
    """``course grade`` on the collected folder; optionally SIGKILL its whole process group as
    soon as the first report is written (a grader machine that dies midway)."""
    cmd = [
        sys.executable, "-m", "course_lib.cli", "grade", str(course / "submitted"),
        "--solutions", str(ROOT / "solutions"), "--out", str(out), "--jobs", "1", "--quiet",
        "--cell-timeout", "60", "--timeout", "300",
    ]  # fmt: skip
    process = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    if kill_after_first:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            if any(out.rglob("*.json")):
                os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.1)
    output, _ = process.communicate(timeout=600)
    if not kill_after_first:
        assert process.returncode == 0, output.decode(errors="replace")
    return process.returncode


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if proxy_command() is None:
        pytest.skip(
            "hub tests skipped: configurable-http-proxy is missing "
            "(make hub-deps, or npm install -g configurable-http-proxy)"
        )
    root = tmp_path_factory.mktemp("class")
    with start_hub(root, students=STUDENTS, log=root / "hub.log") as running:
        yield running


def test_a_class_releases_works_submits_is_graded_and_gets_its_own_feedback(hub, tmp_path):
    course = hub.course_dir
    course_id = {"course_id": hub.course_id, "assignment_id": ASSIGNMENT}

    # The instructor releases the generated exercise.
    assert exchange.release(course, ROOT / "exercises" / f"{ASSIGNMENT}.ipynb") == ASSIGNMENT

    # Students log in through the hub (the authenticator checks the password) ...
    assert not hub.login("alice", "not-the-password")
    assert not hub.login("eve")  # not on the class list
    tokens = {}
    for student in STUDENTS:
        assert hub.login(student)
        tokens[student] = hub.start_server(student)

    # ... see the assignment, fetch it into their own server, work it and submit it.
    alice_submitted = course / "submitted" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student in STUDENTS:
        status, listing = hub.user_api(
            student, tokens[student], "GET", f"assignments?course_id={hub.course_id}"
        )
        assert status == 200 and listing["success"], listing
        assert [a["status"] for a in listing["value"]] == ["released"]
        status, listing = hub.user_api(
            student, tokens[student], "POST", "assignments/fetch", course_id
        )
        assert status == 200 and listing["value"][0]["status"] == "fetched", listing
        path = f"api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
        status, model = hub.user_api(student, tokens[student], "GET", path)
        assert status == 200, model
        work = _work(model["content"], student, alice_submitted)
        status, answer = hub.user_api(
            student, tokens[student], "PUT", path, {"type": "notebook", "content": work}
        )
        assert status == 200, answer
        status, listing = hub.user_api(
            student, tokens[student], "POST", "assignments/submit", course_id
        )
        assert status == 200, listing
        assert any(a["status"] == "submitted" for a in listing["value"]), listing

    # The hub keeps students apart: one student's token opens no other student's server.
    for student in STUDENTS:
        for other in STUDENTS:
            if other != student:
                status, _ = hub.request("GET", f"user/{other}/api/contents", token=tokens[student])
                assert status == 403, (student, other, status)

    # The instructor collects: one folder per student, nothing merged.
    collected = exchange.collect(course, ASSIGNMENT)
    assert sorted(p.parent.parent.name for p in collected) == sorted(STUDENTS)
    before = {p: _sha(p) for p in collected}

    # Grading dies midway and is run again: every submission graded, none lost or changed.
    out = tmp_path / "grades"
    _grade(course, out, kill_after_first=True)
    _grade(course, out)
    assert {p: _sha(p) for p in collected} == before
    reports = {}
    for path in out.rglob("*.json"):
        report = json.loads(path.read_text())
        if isinstance(report, dict) and "student" in report:
            reports[report["student"]] = report
    assert sorted(reports) == sorted(STUDENTS), sorted(reports)
    full = reports["alice"]["max_score"]
    assert full > 0 and reports["alice"]["score"] == full, reports["alice"]
    assert 0 < reports["bob"]["score"] < full, reports["bob"]
    if sandbox_available():  # the sandbox hides alice's submission from mallory's kernel
        assert reports["mallory"]["score"] == 0, reports["mallory"]

    # Feedback goes back through the exchange; each student fetches only their own page.
    pages = exchange.return_feedback(course, out, ASSIGNMENT)
    assert len(pages) == len(STUDENTS)
    for student in STUDENTS:
        status, _ = hub.user_api(
            student, tokens[student], "POST", "assignments/fetch_feedback", course_id
        )
        assert status == 200
        status, folder = hub.user_api(
            student, tokens[student], "GET", f"api/contents/{ASSIGNMENT}/feedback"
        )
        assert status == 200, folder
        htmls = []
        for stamp in folder["content"]:
            status, listing = hub.user_api(
                student, tokens[student], "GET", f"api/contents/{quote(stamp['path'])}"
            )
            htmls += [f for f in listing["content"] if f["name"].endswith(".html")]
        assert len(htmls) == 1, htmls
        status, page = hub.user_api(
            student, tokens[student], "GET", f"api/contents/{quote(htmls[0]['path'])}?format=text"
        )
        assert status == 200
        text = page["content"]
        assert f"({student})" in text
        assert f"Score: {reports[student]['score']:g} / {full:g}" in text
        for other in STUDENTS:
            assert other == student or f"({other})" not in text
