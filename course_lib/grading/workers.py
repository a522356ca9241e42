"""The grader's worker processes: each one grades many submissions, one after the other.

A worker (``python -m course_lib.grading.workers``) imports the grader's libraries once
(``nbformat``, ``jupyter_client``, NumPy, ``course_lib``; about two seconds that a fresh
process per submission paid every time) and then reads jobs, one JSON line each, from its
standard input. For each job it grades the submission in a fresh, sandboxed kernel of its
own (:func:`course_lib.grading.autograde.grade_submission`) and answers with one JSON line:
the report. Nothing of a submission survives it in the worker: the kernel, its process
tree, its cgroup and its temporary folder are gone before the answer is sent.

Workers never outlive the grader. Each asks Linux for ``SIGTERM`` when its parent dies
(``PR_SET_PDEATHSIG``); on ``SIGTERM`` it kills its kernel's tree (bwrap's
``--die-with-parent`` would too) and removes the run's temporary folder, then exits. The
grader (:class:`Pool`) also stops every worker when it ends, normally or by an exception,
``SIGINT`` or ``SIGTERM``.

The whole-notebook time limit is enforced inside the worker (every cell, call, restart and
replay gets at most what is left of it); a worker that still runs
``startup_timeout + notebook_timeout + HARD_GRACE`` seconds after it took a job is killed
and replaced, and that submission is reported as over time.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HARD_GRACE = 10.0
_RUN_PREFIX = "course-grade-run-"


def error_report(job: dict, reason: str) -> dict:
    """The report of a submission the grader could not grade."""
    from course_lib.grading.autograde import empty_report  # autograde imports this module

    return empty_report(job, "error", reason)


# --------------------------------------------------------------------------------------
# the worker process
# --------------------------------------------------------------------------------------


def _die_with_parent(sig: int) -> None:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG


_PARENT = 0  # the grader's pid


def _stop(signum, frame) -> None:  # pragma: no cover - runs in the worker on SIGTERM
    """Kill this worker's kernel, remove its folders, exit; all the run's if the grader died."""
    from course_lib.grading.kernel import RUNNING, kill_tree

    for kernel in list(RUNNING):
        try:
            if kernel.proc is not None:
                kill_tree(kernel.proc)
            if kernel.cgroup is not None:
                kernel.cgroup.kill_and_remove()
            for folder in [kernel.root, *kernel._outside]:
                shutil.rmtree(folder, ignore_errors=True)
        except Exception:  # noqa: BLE001, S110 - dying anyway
            pass
    run_dir = os.environ.get("COURSE_GRADER_RUN_DIR")
    orphaned = os.getppid() != _PARENT
    if orphaned and run_dir and Path(run_dir).name.startswith(_RUN_PREFIX):
        shutil.rmtree(run_dir, ignore_errors=True)
    os._exit(128 + signum)


def serve(parent: int) -> int:
    """The worker's loop: one job per line of stdin, one report per line of the answer pipe."""
    global _PARENT
    _PARENT = parent
    _die_with_parent(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _stop)
    if os.getppid() != parent:  # the grader died before the death signal was armed
        _stop(signal.SIGTERM, None)
    # Everything the student's code or a library prints goes to the log, never into answers.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import nbformat  # noqa: F401 - imported once here, used by every job
    import numpy  # noqa: F401
    from jupyter_client.blocking import BlockingKernelClient  # noqa: F401

    from course_lib.grading import autograde, checker  # noqa: F401

    answers.write(json.dumps({"ready": os.getpid()}) + "\n")
    for line in sys.stdin:
        job = json.loads(line)
        try:
            report = autograde.grade_submission(job)
        except Exception:  # noqa: BLE001 - a grader bug still gives a report
            report = error_report(job, "internal grader error:\n" + traceback.format_exc()[-4000:])
        answers.write(json.dumps(report, default=str) + "\n")
    return 0


# --------------------------------------------------------------------------------------
# the grader's side
# --------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, run_dir: Path, number: int):
        self.log = open(run_dir / f"worker{number}.log", "ab")  # noqa: SIM115 - closed in stop
        env = dict(os.environ, COURSE_GRADER_RUN_DIR=str(run_dir), TMPDIR=str(run_dir))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "course_lib.grading.workers", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
            bufsize=0,
        )
        self.buffer = b""
        self.ready = False
        self.job: dict | None = None
        self.started = 0.0

    def send(self, job: dict) -> None:
        self.job, self.started = job, time.monotonic()
        try:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
        except OSError:  # the worker died: its end of stdout closes, and the job is reported
            pass

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.log.close()


class Pool:
    """``jobs`` reusable workers; :meth:`run` grades a list of jobs and yields reports."""

    def __init__(self, jobs: int, limits):
        self.jobs, self.limits = max(1, jobs), limits
        self.run_dir = Path(tempfile.mkdtemp(prefix=f"{_RUN_PREFIX}{os.getpid()}-"))
        self.workers: list[_Worker] = []
        self.count = 0

    def _spawn(self) -> _Worker:
        self.count += 1
        worker = _Worker(self.run_dir, self.count)
        self.workers.append(worker)
        return worker

    def _hard_limit(self) -> float:
        return self.limits.startup_timeout + self.limits.notebook_timeout + HARD_GRACE

    def run(self, pending: list[dict]):
        """Yield ``(job, report)`` for every job, in the order they finish."""
        queue = list(pending)
        selector = selectors.DefaultSelector()

        def spawn() -> None:
            worker = self._spawn()
            selector.register(worker.proc.stdout, selectors.EVENT_READ, worker)

        def retire(worker: _Worker) -> dict | None:
            selector.unregister(worker.proc.stdout)
            job = worker.job
            worker.stop()
            self.workers.remove(worker)
            if not worker.ready:  # it could not even start: another one would not either
                log = Path(worker.log.name).read_text(errors="replace")[-3000:]
                raise RuntimeError(f"a grading worker could not start:\n{log}")
            if queue:
                spawn()
            return job

        for _ in range(min(self.jobs, len(queue))):
            spawn()
        while queue or any(w.job is not None for w in self.workers):
            for worker in self.workers:
                if worker.ready and worker.job is None and queue:
                    worker.send(queue.pop(0))
            for key, _ in selector.select(timeout=0.5):
                worker = key.data
                chunk = os.read(worker.proc.stdout.fileno(), 1 << 20)
                if not chunk:  # the worker ended: its job is lost, a new worker takes over
                    job = retire(worker)
                    if job is not None:
                        yield job, self._lost(job, late=False)
                    continue
                lines = (worker.buffer + chunk).split(b"\n")
                worker.buffer = lines.pop()
                for line in lines:
                    answer = json.loads(line)
                    if "ready" in answer:
                        worker.ready = True
                        continue
                    job, worker.job = worker.job, None
                    yield job, answer
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.job is not None and now - worker.started > self._hard_limit():
                    job = retire(worker)
                    yield job, self._lost(job, late=True)
        selector.close()

    def _lost(self, job: dict, late: bool) -> dict:
        if late:
            return error_report(
                job,
                "grading this submission took longer than the whole-notebook limit allows "
                f"({self.limits.notebook_timeout:g} s)",
            )
        return error_report(job, "the grading process for this submission crashed")

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1])))
