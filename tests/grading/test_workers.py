"""The grader's processes: workers die with the grader, folders go, limits hold on time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_lib.grading.autograde import grade
from course_lib.grading.sandbox import Limits, sandbox_available, tree_limits

from .corpus import CORPUS, ROOT, build

LOOPING = next(e for e in CORPUS if e.name == "loop_ignoring_interrupt")
SANDBOXED, _ = sandbox_available()


def _kernel_running(scratch: Path) -> bool:
    return bool(list(scratch.glob("course-grade-run-*/course-grade-*/kernel.log")))


def _processes_mentioning(*needles: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if any(needle in command for needle in needles):
            found.append(f"{entry}: {command[:200]}")
    return found


def test_a_killed_grader_leaves_no_worker_kernel_or_temporary_folder(tmp_path):
    folder, out, scratch = tmp_path / "subs", tmp_path / "out", tmp_path / "scratch"
    scratch.mkdir()
    for n in range(3):  # more submissions than workers: some are still queued
        build(LOOPING, folder / f"s{n}")
    program = (
        "import sys\n"
        "from course_lib.grading.autograde import grade\n"
        "from course_lib.grading.sandbox import Limits\n"
        "grade([sys.argv[1]], sys.argv[2], sys.argv[3], jobs=2, progress=False,\n"
        "      limits=Limits(cell_timeout=60, notebook_timeout=120, memory_mb=1024))\n"
    )
    env = dict(os.environ, TMPDIR=str(scratch))
    with open(tmp_path / "grader.log", "wb") as log:
        grader = subprocess.Popen(
            [sys.executable, "-c", program, str(folder), str(ROOT / "solutions"), str(out)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 120
        while not _kernel_running(scratch):
            assert time.monotonic() < deadline, "no kernel started"
            assert grader.poll() is None, (out / "grades.csv").read_text()
            time.sleep(0.2)
        time.sleep(2.0)  # the student's loop is running
        run_dir = next(scratch.glob("course-grade-run-*"))
        workers = _processes_mentioning(f"course_lib.grading.workers {grader.pid}")
        assert len(workers) == 2, workers
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    worker_pids = [line.split(":")[0] for line in workers]
    needles = (f"course_lib.grading.workers {grader.pid}", str(run_dir))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not _processes_mentioning(*needles) and not list(scratch.iterdir()):
            break
        time.sleep(0.2)
    assert not _processes_mentioning(*needles)
    assert list(scratch.iterdir()) == []
    for pid in worker_pids:  # socket folders made outside TMPDIR when its path is long
        assert not list(Path("/tmp").glob(f"course-rt-{pid}-*"))


def test_sigterm_stops_the_grader_its_workers_and_removes_its_folders(tmp_path):
    folder, out, scratch = tmp_path / "subs", tmp_path / "out", tmp_path / "scratch"
    scratch.mkdir()
    build(LOOPING, folder / "s0")
    program = (
        "import sys\n"
        "from course_lib.grading.autograde import grade\n"
        "from course_lib.grading.sandbox import Limits\n"
        "grade([sys.argv[1]], sys.argv[2], sys.argv[3], jobs=1, progress=False,\n"
        "      limits=Limits(cell_timeout=60, notebook_timeout=120, memory_mb=1024))\n"
    )
    grader = subprocess.Popen(
        [sys.executable, "-c", program, str(folder), str(ROOT / "solutions"), str(out)],
        env=dict(os.environ, TMPDIR=str(scratch)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _kernel_running(scratch):
            assert time.monotonic() < deadline, "no kernel started"
            time.sleep(0.2)
    finally:
        grader.send_signal(signal.SIGTERM)
        code = grader.wait(30)
    assert code == 128 + signal.SIGTERM
    assert not _processes_mentioning(f"course_lib.grading.workers {grader.pid}")
    assert list(scratch.iterdir()) == []


def test_the_notebook_time_limit_bounds_restarts_and_replays(tmp_path):
    """Every cell loops and ignores SIGINT: each one forces an interrupt and a restart.

    Before, each restart and replay got its own budget: `--timeout 120` let a notebook run
    149 s. Now the whole notebook, restarts included, stays within its limit (plus the
    kernel's final shutdown, which the grader does not wait for).
    """
    loop = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
    entry = type(LOOPING)(
        "loops_everywhere",
        edits={
            "forward_difference": loop,
            "centered_difference": loop,
            "centered_error_curve": loop,
            "numerical_gradient": loop,
        },
    )
    path = build(entry, tmp_path / "subs")
    limits = Limits(cell_timeout=3.0, notebook_timeout=5.0, memory_mb=1024, startup_timeout=30.0)
    (summary,) = grade(
        [tmp_path / "subs"],
        ROOT / "solutions",
        tmp_path / "out",
        jobs=1,
        limits=limits,
        progress=False,
    )
    report = json.loads(Path(summary["report"]).read_text())
    assert report["submission"] == str(path.resolve())
    assert report["score"] == 0.0
    assert report["notebook_seconds"] <= limits.notebook_timeout + 1.0, report["notebook_seconds"]
    statuses = {t["status"] for t in report["tasks"]}
    assert "not run" in statuses, statuses  # the time was up before the last tests


# attack -> (task it spends, texts of which the task's message must contain one)
TREE_ATTACKS = {
    "fork_children_hoard_memory": ("test_centered", ("more than the memory limit of 1024 MiB",)),
    "fork_many_processes": (  # the monitor may see the memory of 60 forks first
        "test_gradient",
        ("processes could be started", "processes, more than the limit", "memory limit"),
    ),
    "fill_working_folder": ("test_forward", ("No space left on device", "its files took")),
    "fill_tmp": ("test_forward", ("No space left on device",)),
}


@pytest.mark.parametrize("mechanism", ["cgroup", "monitor"])
def test_the_limits_hold_for_the_whole_process_tree_and_its_files(tmp_path, monkeypatch, mechanism):
    """Memory over many children, many processes, files in /tmp and in the working folder.

    The corpus checks their scores under its 4 s cell limit, where a loaded machine may
    time them out before they reach a limit; here each gets a minute, so the reason in the
    report shows which limit stopped it (before the fixes, each of them succeeded). Run with
    each mechanism this machine offers: a cgroup per kernel, and the monitor (the fallback).
    """
    if mechanism == "cgroup" and tree_limits() != "cgroup":
        pytest.skip("this machine gives the grader no cgroup with memory and pids controllers")
    if mechanism == "monitor":
        monkeypatch.setenv("COURSE_GRADER_CGROUPS_OFF", "1")
    chosen = [e for e in CORPUS if e.name in TREE_ATTACKS and (SANDBOXED or not e.sandbox_only)]
    for entry in chosen:
        build(entry, tmp_path / "subs")
    limits = Limits(cell_timeout=60.0, notebook_timeout=300.0, memory_mb=1024)
    summaries = grade(
        [tmp_path / "subs"], ROOT / "solutions", tmp_path / "out", limits=limits, progress=False
    )
    assert len(summaries) == len(chosen)
    for summary in summaries:
        report = json.loads(Path(summary["report"]).read_text())
        task_id, reasons = TREE_ATTACKS[summary["student"]]
        (task,) = [t for t in report["tasks"] if t["grade_id"] == task_id]
        assert task["points"] == 0.0, (summary["student"], task)
        assert any(r in task["message"] for r in reasons), (summary["student"], task["message"])
        # only the attacked task is lost: every other task of the solution keeps its points
        assert summary["score"] == summary["max_score"] - task["max_points"], summary
        assert report["sandbox"]["tree_limits"] == mechanism
