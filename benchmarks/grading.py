"""Case 8: grading throughput, reused workers against a fresh process per submission.

`course grade` runs N copies of the solution of notebook 02 with 2 jobs. Ours: the grader's
pool (:mod:`course_lib.grading.workers`), two long-lived workers that import the grader's
libraries once and grade submission after submission, each in its own fresh sandboxed
kernel. Anchor: the design it replaced, one new Python process per submission, two at a
time, each importing the libraries before it grades (the same
:func:`course_lib.grading.autograde.grade_submission`). Bar: ≥ 2× the anchor's rate.
Every report must give the full 8 points.

Run alone (a few minutes; it writes its own results file):

    python -m benchmarks.run --only grading --output benchmarks/GRADING_RESULTS.md
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks.harness import Context, Row

TITLE = "10. Grading throughput: reused workers (`course grade`, 2 jobs)"
DESCRIPTION = (
    "N copies of the solution of notebook 02 graded by `course_lib.grading.autograde.grade` "
    "with 2 jobs: two reused workers, each submission in a fresh sandboxed kernel. Anchor: a "
    "new Python process per submission (two at a time) that imports the grader's libraries, "
    "then grades it with the same `grade_submission`: the design before issue 22. Times are "
    "wall times of the whole batch, one run each (a batch is long enough). Bar: ≥ 2× the "
    "anchor's rate. Agreement: every report gives 8/8 on both sides."
)

JOBS = 2
_ONE_SHOT = (
    "import json, sys\n"
    "from course_lib.grading.autograde import grade_submission\n"
    "job = json.loads(sys.stdin.read())\n"
    "print(json.dumps(grade_submission(job), default=str))\n"
)


def _fresh_process_per_submission(jobs: list[dict]) -> list[dict]:
    """The anchor: at most JOBS one-shot processes at a time, one per submission."""
    reports, running, queue = [], [], list(jobs)
    while queue or running:
        while queue and len(running) < JOBS:
            job = queue.pop(0)
            proc = subprocess.Popen(
                [sys.executable, "-c", _ONE_SHOT],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            proc.stdin.write(json.dumps(job))
            proc.stdin.close()
            running.append(proc)
        time.sleep(0.02)
        for proc in [p for p in running if p.poll() is not None]:
            running.remove(proc)
            reports.append(json.loads(proc.stdout.read()))
            proc.stdout.close()
    return reports


def run(ctx: Context) -> list[Row]:
    from course_lib.grading.autograde import grade
    from course_lib.grading.sandbox import Limits, sandbox_available, tree_limits

    root = Path(__file__).resolve().parents[1]
    solution = root / "solutions" / "02_derivatives_and_finite_differences.ipynb"
    n = ctx.size(40, 4)
    limits = Limits()
    sandboxed, warning = sandbox_available()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        folder = Path(tmp) / "submissions"
        for i in range(n):
            student = folder / f"student{i:03d}"
            student.mkdir(parents=True)
            (student / solution.name).write_bytes(solution.read_bytes())

        start = time.perf_counter()
        summaries = grade(
            [folder], root / "solutions", Path(tmp) / "out", jobs=JOBS, progress=False
        )
        ours_s = time.perf_counter() - start
        ours_reports = [json.loads(Path(s["report"]).read_text()) for s in summaries]

        jobs = [
            {
                "submission": str(path),
                "student": path.parent.name,
                "sha256": "",
                "solutions": str(root / "solutions"),
                "limits": asdict(limits),
                "sandboxed": sandboxed,
                "sandbox_warning": warning,
            }
            for path in sorted(folder.glob("*/*.ipynb"))
        ]
        start = time.perf_counter()
        anchor_reports = _fresh_process_per_submission(jobs)
        anchor_s = time.perf_counter() - start
    load_after = os.getloadavg()[0]

    scores = [r["score"] for r in ours_reports + anchor_reports]
    agree = len(scores) == 2 * n and all(s == 8.0 for s in scores)
    notebook = sum(r.get("notebook_seconds", 0.0) for r in ours_reports) / n
    row = Row(
        case=TITLE,
        setting=f"N = {n}, {JOBS} jobs",
        ours="reused workers",
        ours_s=ours_s,
        anchor="a fresh process per submission",
        anchor_s=anchor_s,
        agree=agree,
        agree_detail=f"{sum(s == 8.0 for s in scores)}/{2 * n} reports at 8/8",
        note=(
            f"{60 * n / ours_s:.0f} vs {60 * n / anchor_s:.0f} submissions/minute; "
            f"sandbox {'on' if sandboxed else 'OFF'}, tree limits: {tree_limits()}"
        ),
    ).require_speedup(2.0)
    per_ours, per_anchor = JOBS * ours_s / n, JOBS * anchor_s / n
    ctx.finding(
        TITLE,
        f"Per submission, in core-seconds (wall × {JOBS} jobs / N): ours {per_ours:.2f} s, "
        f"the anchor {per_anchor:.2f} s; the notebook itself (its cells and tests in the "
        f"kernel, from the kernel's first start) takes {notebook:.2f} s of that, so the "
        f"per-submission overhead (kernel start, sandbox, reading and planning, reports) is "
        f"{per_ours - notebook:.2f} s with reused workers against {per_anchor - notebook:.2f} s "
        "with a fresh process each.",
    )
    ctx.finding(
        TITLE,
        f"Load average (1 min) before and after this case: {load_before:.2f}, "
        f"{load_after:.2f} on {os.cpu_count()} cores: the grader itself loads both cores; "
        "other processes on the machine slow both sides.",
    )
    return [row]
