"""``course grade``: score submitted notebooks against the solution sources.

Why a student's code cannot forge its own score
------------------------------------------------
Test cells never run in the student's kernel. The kernel (sandboxed, see ``sandbox``) runs
the student's cells and the instructor's read-only cells, restored by ``grade_id`` from the
solution source. Each graded test cell, with its hidden tests put back, is executed *in the
grader's own process* in a fresh namespace with pristine ``numpy``, ``builtins`` and
``check``. Every name the test uses that a solution cell defines is resolved from the
kernel: a student's function becomes a proxy that sends the arguments to the kernel, calls
the function there, and brings back the result as plain data (JSON numbers and arrays, never
pickle); a student's variable comes back as data. Expected values are computed grader-side
and never enter the kernel. So patching ``check``, builtins, ``numpy.testing``,
``sys.excepthook``, IPython's display or the kernel's reply status changes nothing but the
data the student's own functions return: the verdict is whether the grader's test code raised.

A proxied call, like a student cell, has a time limit; a timed-out kernel is interrupted
and, if it does not answer, killed, restarted and the cells that ran before replayed (minus
the one that hung), so one looping task costs that task only; restarts and replays come out
of the same whole-notebook time. Memory, processes and files are limited for the kernel's
whole process tree, not only per process (``sandbox``: a cgroup per kernel or a monitor;
``kernel.TreeMonitor``). Submissions are graded by reused worker processes
(``workers``), each submission in a fresh kernel; they die with the grader.

Everything becomes a report: a file that is not JSON or not a notebook, a renamed file
(identified by its cells), a missing cell, a crash, a timeout. Which files are submissions,
and whose, is decided by :mod:`course_lib.grading.submissions` (the student is the submission
root's first-level folder; links, FIFOs, nested and loose notebooks are refused with a reason,
see :func:`plan_batch` for duplicates). The grader reads each file once, safely, and the worker
grades those bytes, never the path again. A gradebook (SQLite) records every attempt; an
unchanged submission (same bytes, same solutions, same settings) is skipped on a re-run.
``course grade``'s exit status is :data:`EXIT_OK` / :data:`EXIT_NOT_GRADED` /
:data:`EXIT_USAGE` / :data:`EXIT_LOCKED`.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import hashlib
import importlib
import io
import json
import math
import os
import re
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from course_lib.grading._values import TEST_MODULE
from course_lib.grading.sandbox import Limits, sandbox_available, tree_limits
from course_lib.grading.workers import Pool

GRADER_VERSION = 1
# A hidden block is secret by default: its failure says which line failed, not the values it
# compared. ``### BEGIN HIDDEN TESTS (reveal)`` (any text containing "reveal" after the
# marker; nbgrader only looks for "BEGIN HIDDEN TESTS" in the line) lets that block's
# failures show their message, expected values included: a per-test choice of the author.
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS([^\n]*)(.*?)### END HIDDEN TESTS", re.S)


_BOOL_FIELDS = ("grade", "solution", "locked", "task")


def checked_metadata(cell) -> tuple[dict, list[str]]:
    """A cell's nbgrader metadata with every field validated, and what was dropped and why.

    ``grade_id`` must be a non-empty string (at most 200 characters), ``grade`` / ``solution`` /
    ``locked`` / ``task`` booleans, ``points`` a finite number >= 0, ``schema_version`` an
    integer, ``checksum`` and ``cell_type`` strings. A bad field is dropped: a submitted cell
    whose ``grade_id`` is, say, a JSON list is then simply not matched to a task (it costs only
    that cell) and the report says so.
    """
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    if not isinstance(meta, dict):
        return {}, [f"its nbgrader metadata is a {type(meta).__name__}, not an object"]
    clean, problems = {}, []
    for key, value in meta.items():
        good = True
        if key == "grade_id":
            good = isinstance(value, str) and 0 < len(value) <= 200
        elif key in _BOOL_FIELDS:
            good = isinstance(value, bool)
        elif key == "points":
            good = (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and value >= 0
            )
        elif key == "schema_version":
            good = isinstance(value, int) and not isinstance(value, bool)
        elif key in ("checksum", "cell_type"):
            good = isinstance(value, str)
        if good:
            clean[key] = value
        else:
            problems.append(
                f"nbgrader field {key!r} = {json.dumps(value, default=str)[:80]} is invalid"
            )
    return clean, problems


def _nbgrader(cell) -> dict:
    return checked_metadata(cell)[0]


def _source(cell) -> str:
    src = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(src, list):
        return "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def classify(cell) -> str:
    """``student`` / ``answer`` (manual) / ``test`` / ``instructor`` / ``text``."""
    meta = _nbgrader(cell)
    code = cell.get("cell_type") == "code"
    if meta.get("solution"):
        if code:
            return "student"
        return "answer" if meta.get("grade") else "text"
    if code:
        return "test" if meta.get("grade") else "instructor"
    return "text"


def student_names(solution_nb) -> set[str]:
    """Names bound at top level by the solution cells: what tests may take from the kernel."""
    names: set[str] = set()
    for cell in solution_nb["cells"]:
        if classify(cell) != "student":
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def names_by_cell(solution_nb) -> dict[str, str]:
    """Each name of :func:`student_names` -> the ``grade_id`` of the solution cell binding it."""
    owners: dict[str, str] = {}
    for cell in solution_nb["cells"]:
        gid = _nbgrader(cell).get("grade_id")
        if classify(cell) != "student" or gid is None:
            continue
        single = {"cells": [cell]}
        for name in student_names(single):
            owners.setdefault(name, gid)
    return owners


def syntax_problem(source: str) -> str | None:
    """``SyntaxError: <msg> (line N: <text>)`` for a cell IPython cannot compile, else None."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython's own transformer failing: compile as is
        pass
    try:
        compile(source, "<your cell>", "exec")
    except SyntaxError as err:
        text = (err.text or "").strip()
        where = f"line {err.lineno}" + (f": {text[:120]}" if text else "")
        return f"{type(err).__name__}: {err.msg} ({where})"
    except (ValueError, OverflowError, RecursionError, MemoryError) as err:
        return f"{type(err).__name__}: {err}"
    return None


def instructor_imports(solution_nb) -> str:
    """The import statements of the instructor's cells: every test namespace starts with them."""
    lines = []
    for cell in solution_nb["cells"]:
        if classify(cell) not in ("instructor", "test"):
            continue
        try:
            tree = ast.parse(_source(cell))
        except SyntaxError:
            continue
        lines += [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    return "\n".join(dict.fromkeys(lines))


# --------------------------------------------------------------------------------------
# reading and matching a submission
# --------------------------------------------------------------------------------------


def read_submission(data: bytes):
    """The notebook as a dict, or ``(None, reason)``."""
    import nbformat

    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"the file is not valid JSON ({err}), so it is not a notebook"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return None, "the file is JSON but not a Jupyter notebook (no list of cells)"
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as err:  # noqa: BLE001 - any malformed notebook
        return None, f"the file is not a readable Jupyter notebook ({str(err)[:300]})"
    return nb, None


def _grade_ids(nb) -> set[str]:
    return {str(_nbgrader(c).get("grade_id")) for c in nb["cells"] if _nbgrader(c).get("grade_id")}


def identify(path: Path, nb, solutions: list[Path]):
    """The solution this submission answers, and a note if it was found by its cells."""
    by_stem = {p.stem: p for p in solutions}
    if path.stem in by_stem:
        return by_stem[path.stem], None
    ids = _grade_ids(nb)
    best, overlap = None, 0
    for candidate in solutions:
        import nbformat

        common = len(ids & _grade_ids(nbformat.read(candidate, as_version=4)))
        if common > overlap:
            best, overlap = candidate, common
    if best is None:
        return None, None
    return best, (
        f"the file name {path.name!r} matches no assignment; it was identified as "
        f"{best.stem!r} by its cells"
    )


def build_plan(solution_nb, submission_nb) -> tuple[list[dict], list[str]]:
    """The cells to run, in the solution's order, and notes about what was restored."""
    notes = []
    sub_by_id: dict[str, object] = {}
    extras: dict[str | None, list[str]] = {}
    anchor = None
    solution_ids = _grade_ids(solution_nb)
    instructor_sources = {
        _source(c).strip() for c in solution_nb["cells"] if classify(c) in ("instructor", "test")
    }
    for number, cell in enumerate(submission_nb["cells"], 1):
        if not isinstance(cell, dict):
            notes.append(f"cell {number} of the submission is not a notebook cell; it was ignored")
            continue
        meta, problems = checked_metadata(cell)
        if problems:
            notes.append(
                f"cell {number} of the submission: "
                + "; ".join(problems)
                + " (the field was ignored, so this cell alone may not count)"
            )
        gid = meta.get("grade_id")
        if gid in solution_ids:
            if gid in sub_by_id:
                notes.append(f"cell {gid!r} appears twice in the submission; the first was used")
            else:
                sub_by_id[gid] = cell
            anchor = gid
        elif cell.get("cell_type") == "code" and _source(cell).strip():
            if _source(cell).strip() not in instructor_sources:
                extras.setdefault(anchor, []).append(_source(cell))
    plan = [{"kind": "student", "grade_id": None, "source": s} for s in extras.get(None, [])]
    for cell in solution_nb["cells"]:
        kind, gid = classify(cell), _nbgrader(cell).get("grade_id")
        if kind == "student":
            if gid in sub_by_id:
                plan.append({"kind": "student", "grade_id": gid, "source": _source(sub_by_id[gid])})
            else:
                notes.append(f"the cell {gid!r} (your code) is missing from the submission")
        elif kind == "answer":
            answer = _source(sub_by_id[gid]) if gid in sub_by_id else ""
            if gid not in sub_by_id:
                notes.append(f"the written answer {gid!r} is missing from the submission")
            plan.append(
                {
                    "kind": "answer",
                    "grade_id": gid,
                    "source": answer,
                    "points": float(_nbgrader(cell).get("points", 0)),
                }
            )
        elif kind == "test":
            plan.append(
                {
                    "kind": "test",
                    "grade_id": gid,
                    "source": _source(cell),
                    "points": float(_nbgrader(cell).get("points", 0)),
                }
            )
        elif kind == "instructor":
            plan.append({"kind": "instructor", "grade_id": gid, "source": _source(cell)})
        if gid is not None:
            plan += [
                {"kind": "student", "grade_id": None, "source": s} for s in extras.get(gid, [])
            ]
    return plan, notes


# --------------------------------------------------------------------------------------
# running the plan
# --------------------------------------------------------------------------------------


class StudentFunction:
    """Grader-side stand-in for a student's function: calls it in the kernel, returns data."""

    def __init__(self, runner: _Runner, name: str, blocks: tuple[str, ...]):
        self._runner, self._name, self._blocks = runner, name, blocks

    def __call__(self, *args, **kwargs):
        return self.__course_remote_call__(args, kwargs, self._blocks)

    def __course_remote_call__(self, args, kwargs, blocks):
        return self._runner.call(self._name, args, kwargs, blocks)

    def __repr__(self) -> str:
        return f"<your function {self._name}>"


class _Runner:
    def __init__(
        self,
        kernel,
        limits: Limits,
        names: set[str],
        blocks: dict[str, tuple],
        imports: str = "",
        owners: dict[str, str] | None = None,
    ):
        self.kernel, self.limits, self.names, self.blocks = kernel, limits, names, blocks
        self.imports = imports
        self.owners = owners or {}  # name -> grade_id of the cell that defines it
        self.cell_failures: dict[str, str] = {}  # grade_id -> what stopped that student cell
        self.deadline = time.monotonic() + limits.notebook_timeout
        self.cell_deadline = self.deadline
        self.ran: list[str] = []  # kernel cells that completed, replayed after a restart

    def remaining(self) -> float:
        return min(self.cell_deadline, self.deadline) - time.monotonic()

    def call(self, name, args, kwargs, blocks):
        from course_lib.grading.kernel import CallTimeout

        if self.remaining() <= 0:
            raise CallTimeout("the time limit of this cell was used up")
        return self.kernel.call(name, args, kwargs, blocks, self.remaining())

    def repair(self, skip: str | None = None) -> str:
        """Make the kernel usable after a timeout or a death; returns what happened.

        Every step takes at most what is left of the notebook's time: past it, the kernel
        is not restarted (nothing more will run in it).
        """
        from course_lib.grading.kernel import KernelDied

        def left() -> float:
            return self.deadline - time.monotonic()

        if self.kernel.alive() and left() > 0 and self.kernel.recover(min(3.0, left())):
            return "interrupted"
        if left() <= 0:
            self.kernel.shutdown()
            raise KernelDied("the notebook's time limit was used up")
        self.kernel.restart(min(self.limits.startup_timeout, left()))
        for source in list(self.ran):
            if source == skip:
                continue
            if left() <= 0:
                raise KernelDied("the notebook's time limit was used up while replaying cells")
            run = self.kernel.execute(source, min(self.limits.cell_timeout, left()))
            if run.status in ("timeout", "died"):
                self.ran.remove(source)
                if run.status == "died" or not self.kernel.recover(min(3.0, max(left(), 0.1))):
                    if left() <= 0:
                        self.kernel.shutdown()
                        raise KernelDied("the notebook's time limit was used up")
                    self.kernel.restart(min(self.limits.startup_timeout, left()))
                    raise KernelDied("the kernel could not be restored")
        return "restarted"

    def run_kernel_cell(self, step: dict) -> dict:
        from course_lib.grading.kernel import KernelDied

        budget = min(self.limits.cell_timeout, self.deadline - time.monotonic())
        run = self.kernel.execute(step["source"], budget)
        record = {
            "grade_id": step["grade_id"],
            "origin": step["kind"],
            "status": run.status,
            "seconds": round(run.seconds, 3),
            "output": run.output[-2000:],
            "error": run.error,
        }
        if step["kind"] == "student" and step["grade_id"] and run.status != "ok":
            self.cell_failures[step["grade_id"]] = self._describe_failure(step["source"], run)
        if run.status in ("ok", "error"):
            self.ran.append(step["source"])
        else:
            if run.status == "died":
                reason = self.kernel.death_reason("the kernel died (a crash or os._exit)")
                record["error"] = {"ename": "KernelDied", "evalue": reason, "traceback": ""}
            try:
                record["recovery"] = self.repair(skip=step["source"])
            except KernelDied as err:
                record["recovery"] = f"failed: {err}"
        return record

    @staticmethod
    def _describe_failure(source: str, run) -> str:
        if run.status == "timeout":
            return "it ran past the time limit"
        if run.status == "died":
            return "it crashed the kernel"
        error = run.error or {}
        if error.get("ename") in ("SyntaxError", "IndentationError", "TabError"):
            found = syntax_problem(source)
            if found:
                return found
        return f"{error.get('ename', 'an error')}: {error.get('evalue', '')}"[:500]

    def _cell_blame(self, source: str, err: Exception) -> str | None:
        """Why a test failed when a name it uses comes from a student cell that did not run."""
        try:
            used = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        except SyntaxError:
            return None
        for name in sorted(used & self.names):
            gid = self.owners.get(name)
            if gid in self.cell_failures:
                failure = self.cell_failures[gid]
                missing = isinstance(err, NameError) and f"'{name}'" in str(err)
                if missing:
                    return f"your cell {gid!r} did not run ({failure}), so {name} is not defined"
                return f"note: your cell {gid!r} stopped with {failure}"
        return None

    def _namespace(self, source: str) -> dict:
        tree = ast.parse(source)
        wanted = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & self.names
        ns = {"__name__": TEST_MODULE, "__builtins__": builtins}
        exec(compile(self.imports, "<instructor imports>", "exec"), ns)  # noqa: S102
        for name in sorted(wanted):
            info = self.kernel.describe(name, max(self.remaining(), 0.05))
            kind = info.get("kind")
            if kind == "callable":
                ns[name] = StudentFunction(self, name, self.blocks.get(name, ()))
            elif kind == "value":
                from course_lib.grading._values import decode

                ns[name] = decode(info.get("value"))
            elif kind == "module" and str(info.get("module")) in sys.modules:
                ns[name] = importlib.import_module(str(info["module"]))
        return ns

    def run_test(self, step: dict) -> dict:
        from course_lib.grading.kernel import CallTimeout, KernelDied, StudentError

        self.cell_deadline = time.monotonic() + self.limits.cell_timeout
        result = {
            "grade_id": step["grade_id"],
            "kind": "autograded",
            "max_points": step["points"],
            "points": 0.0,
            "status": "failed",
            "message": None,
            "student_traceback": None,
            "output": "",
        }
        if time.monotonic() >= self.deadline:
            result.update(
                status="not run", message="the notebook's time limit was used up before this test"
            )
            return result
        hidden = [
            (*m.span(), "reveal" in m.group(1).lower()) for m in _HIDDEN.finditer(step["source"])
        ]
        filename = f"<test cell {step['grade_id']}>"
        buffer = io.StringIO()
        try:
            code = compile(step["source"], filename, "exec")
            ns = self._namespace(step["source"])
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                exec(code, ns)  # noqa: S102 - instructor's test code, grader side
            result.update(status="passed", points=step["points"])
        except CallTimeout as err:
            result.update(status="timeout", message=str(err))
            result["recovery"] = self._repair_quietly()
        except KernelDied as err:
            result.update(status="crashed", message=str(err))
            result["recovery"] = self._repair_quietly()
        except Exception as err:  # noqa: BLE001 - a failing test, reported
            result["message"] = _failure_message(err, step["source"], filename, hidden)
            blame = None if isinstance(err, StudentError) else self._cell_blame(step["source"], err)
            if blame and blame.startswith("your cell"):
                result["message"] = blame
            elif blame:
                result["message"] = f"{result['message']}\n({blame})"
            if isinstance(err, StudentError):
                result["student_traceback"] = err.student_traceback
        finally:
            self.cell_deadline = self.deadline
        result["output"] = buffer.getvalue()[-4000:]
        return result

    def _repair_quietly(self) -> str:
        from course_lib.grading.kernel import KernelDied

        try:
            return self.repair()
        except KernelDied as err:
            return f"failed: {err}"


def _failure_message(err: Exception, source: str, filename: str, hidden) -> str:
    """What the student reads about a failed test.

    Outside hidden blocks: the error as it is (public tests show what they compare). Inside
    a hidden block: the line of the test cell and the kind of error only, unless the block
    was marked ``(reveal)`` by its author; an error raised by the student's own code is
    theirs to see either way.
    """
    from course_lib.grading.kernel import StudentError

    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    offset = None
    if line is not None:
        offset = sum(len(x) + 1 for x in source.splitlines()[: line - 1])
    block = next((h for h in hidden if offset is not None and h[0] <= offset <= h[1]), None)
    text = str(err) if type(err).__name__ == "CheckFailed" else f"{type(err).__name__}: {err}"
    if block is None:
        return text
    if block[2] or isinstance(err, StudentError):
        return "a hidden test failed: " + text
    kind = "an assertion" if isinstance(err, AssertionError) else type(err).__name__
    return (
        f"a hidden test failed ({kind} at line {line} of the test cell); the values it "
        "compares are not shown"
    )


def _blocks_by_name(assignment: str) -> dict[str, tuple]:
    from course_lib.grading.checker import tasks_for_notebook

    number = assignment.split("_", 1)[0]
    blocks: dict[str, tuple] = {}
    for task in tasks_for_notebook(number):
        blocks[task.name] = tuple(sorted(set(blocks.get(task.name, ())) | set(task.blocks)))
    return blocks


def run_notebook(
    plan: list[dict],
    names: set[str],
    blocks: dict,
    limits: Limits,
    sandboxed: bool,
    root: Path,
    imports: str = "",
    owners: dict[str, str] | None = None,
    timing: dict | None = None,
) -> tuple[list[dict], list[dict], list[str]]:
    """Run a plan in a fresh kernel: (task results, kernel cell records, notes).

    ``timing["notebook_seconds"]``, if given, receives the time from the kernel's first
    start to the end of the plan: what ``limits.notebook_timeout`` bounds.
    """
    from course_lib.grading.kernel import Kernel, KernelDied

    tasks, cells, notes = [], [], []
    kernel = Kernel(root, limits, sandboxed)
    try:
        try:
            kernel.start()
        except KernelDied as err:
            notes.append(f"the kernel could not be started: {err}")
            for step in plan:
                if step["kind"] == "test":
                    tasks.append(
                        {
                            "grade_id": step["grade_id"],
                            "kind": "autograded",
                            "points": 0.0,
                            "max_points": step["points"],
                            "status": "not run",
                            "message": str(err),
                        }
                    )
            return tasks, cells, notes
        runner = _Runner(kernel, limits, names, blocks, imports, owners)
        began = time.monotonic()
        for step in plan:
            if step["kind"] in ("student", "instructor"):
                if time.monotonic() >= runner.deadline:
                    cells.append(
                        {"grade_id": step["grade_id"], "origin": step["kind"], "status": "not run"}
                    )
                    continue
                cells.append(runner.run_kernel_cell(step))
            elif step["kind"] == "test":
                tasks.append(runner.run_test(step))
            elif step["kind"] == "answer":
                tasks.append(
                    {
                        "grade_id": step["grade_id"],
                        "kind": "manual",
                        "points": None,
                        "max_points": step["points"],
                        "status": "needs manual grading",
                        "answer": step["source"][:20_000],
                    }
                )
        if timing is not None:
            timing["notebook_seconds"] = round(time.monotonic() - began, 3)
        if kernel.starts > 1:
            notes.append(
                f"the kernel was restarted {kernel.starts - 1} time(s) after a "
                "timeout or a crash; earlier cells were replayed"
            )
    finally:
        kernel.shutdown()
    return tasks, cells, notes


# --------------------------------------------------------------------------------------
# one submission, in its own process
# --------------------------------------------------------------------------------------


def _empty_tasks(solution_nb, reason: str) -> list[dict]:
    tasks = []
    for cell in solution_nb["cells"]:
        kind, meta = classify(cell), _nbgrader(cell)
        if kind in ("test", "answer"):
            tasks.append(
                {
                    "grade_id": meta.get("grade_id"),
                    "kind": "autograded" if kind == "test" else "manual",
                    "points": 0.0,
                    "max_points": float(meta.get("points", 0)),
                    "status": "not run",
                    "message": reason,
                }
            )
    return tasks


def empty_report(job: dict, status: str, reason: str | None = None) -> dict:
    """A report with nothing scored yet: who, which file, the sandbox, empty tasks and cells.

    The start of every report: :func:`grade_submission` fills it in; a worker that could not
    grade a submission returns it with status ``error`` (:mod:`course_lib.grading.workers`).
    """
    return {
        "submission": str(job["submission"]),
        "student": job["student"],
        "sha256": job["sha256"],
        "assignment": None,
        "status": status,
        "reason": reason,
        "sandbox": {"enabled": job["sandboxed"], "warning": job["sandbox_warning"]},
        "notes": [],
        "score": 0.0,
        "max_score": 0.0,
        "manual_max_score": 0.0,
        "tasks": [],
        "cells": [],
    }


def grade_submission(job: dict) -> dict:
    """Grade one submission described by ``job`` (see :func:`grade`) and return its report."""
    import nbformat

    path = Path(job["submission"])
    limits = Limits(**job["limits"])
    report = {
        **empty_report(job, "graded"),
        "graded_at": datetime.now(timezone.utc).isoformat(),
        "grader_version": GRADER_VERSION,
        "seconds": 0.0,
    }
    report["sandbox"]["tree_limits"] = tree_limits()
    start = time.monotonic()
    # The bytes the grader read (and hashed) itself, with links refused: never the path again.
    data = Path(job["data_file"]).read_bytes() if job.get("data_file") else path.read_bytes()
    report["notes"] += list(job.get("notes", []))
    nb, problem = read_submission(data)
    solutions = sorted(Path(job["solutions"]).glob("*.ipynb"))
    chosen = job.get("assignment")
    if nb is None:
        report.update(status="invalid", reason=problem)
        target = next((s for s in solutions if s.stem in (chosen, path.stem)), None)
        if target is not None:
            report["assignment"] = target.stem
            report["tasks"] = _empty_tasks(nbformat.read(target, as_version=4), problem)
        return _totals(report, start)
    if chosen is not None:
        solution_path, note = Path(job["solutions"]) / f"{chosen}.ipynb", None
    else:
        solution_path, note = identify(path, nb, solutions)
    if solution_path is None:
        report.update(
            status="unidentified",
            reason="the notebook matches no assignment in "
            "the solutions folder (neither by file name nor by its cells)",
        )
        return _totals(report, start)
    if note:
        report["notes"].append(note)
    report["assignment"] = solution_path.stem
    solution_nb = nbformat.read(solution_path, as_version=4)
    plan, notes = build_plan(solution_nb, nb)
    report["notes"] += notes
    timing: dict = {}
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        tasks, cells, notes = run_notebook(
            plan,
            student_names(solution_nb),
            _blocks_by_name(solution_path.stem),
            limits,
            job["sandboxed"],
            Path(tmp),
            instructor_imports(solution_nb),
            names_by_cell(solution_nb),
            timing,
        )
    report.update(timing)
    report["tasks"], report["notes"] = tasks, report["notes"] + notes
    report["cells"] = cells
    return _totals(report, start)


def _totals(report: dict, start: float) -> dict:
    auto = [t for t in report["tasks"] if t["kind"] == "autograded"]
    report["score"] = float(sum(t["points"] or 0.0 for t in auto))
    report["max_score"] = float(sum(t["max_points"] for t in auto))
    report["manual_max_score"] = float(
        sum(t["max_points"] for t in report["tasks"] if t["kind"] == "manual")
    )
    report["seconds"] = round(time.monotonic() - start, 3)
    return report


# --------------------------------------------------------------------------------------
# many submissions, in parallel
# --------------------------------------------------------------------------------------


def find_submissions(paths) -> list[Path]:
    """The notebooks that would be graded (refused ones left out); see :mod:`.submissions`."""
    from course_lib.grading.submissions import discover

    return [c.path for c in discover(paths) if c.refused is None]


def _hash_files(paths) -> str:
    digest = hashlib.sha256()
    for p in sorted(paths):
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()


class _Progress:
    def __init__(self, total: int, stream=None):
        self.total, self.done, self.stream = total, 0, stream or sys.stderr
        self.tty = getattr(self.stream, "isatty", lambda: False)()

    def step(self, label: str) -> None:
        self.done += 1
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
        if self.tty:
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\rgrading {bar} {label[:40]:<40}{end}")
        else:
            self.stream.write(f"grading {bar} {label}\n")
        self.stream.flush()


EXIT_OK, EXIT_NOT_GRADED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
"""``course grade`` exit status: 0 every submission graded (or unchanged since it was);
1 at least one was refused, unreadable, unidentified or crashed the grader (see the summary,
``OUT/refused.json`` and the reports); 2 a usage error (missing folder, bad manual-score
file); 3 another ``course grade`` holds the output folder."""


def _solution_ids(solutions: list[Path]) -> dict[str, set[str]]:
    """Each solution's grade_ids; ValueError naming the cell if a solution's metadata is bad.

    A submission's bad field costs only its cell; a bad field in the instructor's own
    solution would silently change every student's grade, so it stops the run instead.
    """
    import nbformat

    ids = {}
    for path in solutions:
        nb = nbformat.read(path, as_version=4)
        for number, cell in enumerate(nb["cells"], 1):
            problems = checked_metadata(cell)[1]
            if problems:
                raise ValueError(f"--solutions: {path.name}, cell {number}: " + "; ".join(problems))
        ids[path.stem] = _grade_ids(nb)
    return ids


def _identify_bytes(path: Path, data: bytes, solution_ids: dict[str, set[str]]):
    """(assignment stem or None, note) from the file name, else from the cells' grade_ids."""
    if path.stem in solution_ids:
        return path.stem, None
    nb, _problem = read_submission(data)
    if nb is None:
        return None, None
    ids = _grade_ids(nb)
    best, overlap = None, 0
    for stem, known in sorted(solution_ids.items()):
        if len(ids & known) > overlap:
            best, overlap = stem, len(ids & known)
    if best is None:
        return None, None
    return best, (
        f"the file name {path.name!r} matches no assignment; it was identified as "
        f"{best!r} by its cells"
    )


def plan_batch(candidates, solutions: list[Path], out: Path, max_bytes: int, spool: Path):
    """Read, identify and de-duplicate the candidates: ``(to_grade, refused)``.

    Rules, each refusal costing only its own file:
    - the file must pass :func:`submissions.read_regular_file` (type, links, size);
    - two notebooks of one student answering one assignment: the one whose file name is the
      assignment's (``02_derivatives_and_finite_differences.ipynb``) is graded and the others
      are refused; if none is named so, all are refused (which one counts is the student's
      to say, by its name);
    - a report path is given to one file only: nothing is ever overwritten within a run.

    The bytes read are written to ``spool`` (``data_file``) at once, not held in memory: the
    worker grades exactly those bytes.
    """
    from course_lib.grading.submissions import read_regular_file

    solution_ids = _solution_ids(solutions)
    refused, readable = [], []
    for cand in candidates:
        item = {
            "path": cand.path,
            "student": cand.student,
            "submitted_at": cand.submitted_at,
            "layout": cand.layout,
        }
        if cand.refused:
            refused.append({**item, "reason": cand.refused})
            continue
        try:
            data = read_regular_file(cand.path, max_bytes)
        except OSError as err:
            refused.append({**item, "reason": f"the file was not read: {err.strerror or err}"})
            continue
        item["sha256"] = hashlib.sha256(data).hexdigest()
        item["data_file"] = spool / f"submission{len(readable)}.ipynb"
        item["data_file"].write_bytes(data)
        try:
            item["assignment"], item["note"] = _identify_bytes(cand.path, data, solution_ids)
        except Exception as err:  # noqa: BLE001 - e.g. a RecursionError on absurd nesting
            item["assignment"], item["note"] = None, f"the file could not be identified ({err})"
        readable.append(item)
    groups: dict[tuple, list[dict]] = {}
    for item in readable:
        if item["assignment"] is not None:
            groups.setdefault((item["student"], item["assignment"]), []).append(item)
    for (student, assignment), items in groups.items():
        if len(items) < 2:
            continue
        names = ", ".join(sorted(str(i["path"].name) for i in items))
        named = [i for i in items if i["path"].stem == assignment]
        keep = named[0] if len(named) == 1 else None
        for item in items:
            if item is keep:
                item["notes"] = [
                    f"{len(items)} notebooks of {student!r} answer {assignment!r} ({names}): "
                    "this one is graded because it is named like the assignment"
                ]
                continue
            if keep is not None:
                why = f"{keep['path'].name} is the one graded (the file named like the assignment)"
            elif named:
                why = (
                    f"{len(named)} are named {assignment}.ipynb (in different folders), so none "
                    "is graded: keep one"
                )
            else:
                why = f"none is named {assignment}.ipynb, so none is graded: keep one, named so"
            item["refused"] = (
                f"{len(items)} notebooks of {student!r} answer {assignment!r} ({names}); {why}"
            )
    taken: dict[Path, dict] = {}
    to_grade = []
    for item in readable:
        if item.get("refused"):
            refused.append(item)
            continue
        stem = item["assignment"] or item["path"].stem
        report_path = out / _safe_name(item["student"]) / (stem + ".json")
        if report_path in taken:
            item["refused"] = (
                f"its report {report_path.relative_to(out)} is already the report of "
                f"{taken[report_path]['path']}: nothing is overwritten"
            )
            refused.append(item)
            continue
        taken[report_path] = item
        item["report_path"] = report_path
        to_grade.append(item)
    for item in refused:
        item["reason"] = item.get("reason") or item.get("refused")
    return to_grade, refused


def _safe_name(name: str | None) -> str:
    """A student's folder name, used as a folder of the output (never a path of its own)."""
    name = name or "_unknown"
    if name in (".", "..") or "/" in name or "\\0" in name:
        return "_" + name.replace("/", "_").replace("\\0", "_")
    return name


def grade(
    submissions,
    solutions,
    out,
    *,
    jobs: int | None = None,
    limits: Limits | None = None,
    sandbox: bool = True,
    force: bool = False,
    gradebook: Path | None = None,
    progress: bool = True,
    manual=None,
    max_bytes: int | None = None,
    shard: tuple[int, int] | None = None,
) -> list[dict]:
    """Grade every submission; returns one summary per submission (report path, score...).

    ``shard = (K, N)`` grades only the students of shard K of N
    (:func:`~course_lib.grading.submissions.shard_of`): N graders, on N machines, share a class.

    ``submissions`` are submission roots (folders; see :mod:`course_lib.grading.submissions`
    for the layout) or single notebook files. ``manual`` is an optional CSV of hand-given
    points for written answers (see :mod:`course_lib.grading.gradebook`). Holds an exclusive
    lock on ``out`` (and on the gradebook's folder) for the whole run: a second grader on the
    same folder raises :class:`~course_lib.grading.submissions.OutputLocked` at once. The
    CSV is rewritten after every submission, so it exists even if the run is killed.
    """
    from course_lib.grading.submissions import MAX_NOTEBOOK_BYTES, FolderLock

    limits = limits or Limits()
    solutions, out = Path(solutions), Path(out)
    if not solutions.is_dir():
        raise ValueError(f"--solutions {str(solutions)!r} is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    book_path = Path(gradebook) if gradebook else out / "gradebook.sqlite"
    with contextlib.ExitStack() as stack:
        stack.enter_context(FolderLock(out))
        if book_path.resolve().parent != out.resolve():
            stack.enter_context(FolderLock(book_path.resolve().parent))
        return _grade_locked(
            submissions,
            solutions,
            out,
            book_path,
            jobs,
            limits,
            sandbox,
            force,
            progress,
            manual,
            max_bytes or MAX_NOTEBOOK_BYTES,
            shard,
        )


def _grade_locked(
    submissions,
    solutions,
    out,
    book_path,
    jobs,
    limits,
    sandbox,
    force,
    progress,
    manual,
    max_bytes,
    shard=None,
) -> list[dict]:
    from course_lib.grading.gradebook import Gradebook, read_manual_scores
    from course_lib.grading.report import write_feedback
    from course_lib.grading.submissions import discover, shard_of

    solution_files = sorted(solutions.glob("*.ipynb"))
    manual_rows = read_manual_scores(manual, solution_files) if manual else []
    candidates = discover(submissions)
    if shard is not None:
        candidates = [c for c in candidates if shard_of(c.student, shard[1]) == shard[0]]
    sandboxed, warning = sandbox_available(sandbox)
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    sandbox_info = {"enabled": sandboxed, "warning": warning}
    context = _hash_files(solution_files) + json.dumps(
        [asdict(limits), sandboxed, GRADER_VERSION], sort_keys=True
    )
    context = hashlib.sha256(context.encode()).hexdigest()
    book = Gradebook(book_path)
    csv_path = out / "grades.csv"
    try:
        if manual_rows:
            book.set_manual(manual_rows)
            _refresh_manual_reports(manual_rows, out, book, write_feedback)
        book.export_csv(csv_path)
        # The pool's run folder also holds the spooled submissions: workers remove it with
        # everything in it when the grader dies, even by SIGKILL.
        workers = max(1, jobs or os.cpu_count() or 1)
        with _stopped_by_sigterm(), Pool(workers, limits) as pool:
            spool = pool.run_dir / "submissions"
            spool.mkdir()
            summaries = _run_batch(
                candidates,
                solution_files,
                solutions,
                out,
                book,
                csv_path,
                context,
                limits,
                sandboxed,
                sandbox_info,
                force,
                progress,
                max_bytes,
                spool,
                write_feedback,
                pool,
            )
        book.export_csv(csv_path)
    finally:
        book.close()
    return summaries


def _run_batch(
    candidates,
    solution_files,
    solutions,
    out,
    book,
    csv_path,
    context,
    limits,
    sandboxed,
    sandbox_info,
    force,
    progress,
    max_bytes,
    tmp: Path,
    write_feedback,
    pool,
) -> list[dict]:
    to_grade, refused = plan_batch(candidates, solution_files, out, max_bytes, tmp)
    summaries, pending = [], []
    for item in refused:
        summaries.append(
            {
                "submission": str(item["path"]),
                "student": item["student"],
                "skipped": False,
                "report": None,
                "status": "refused",
                "reason": item["reason"],
                "score": 0.0,
                "max_score": 0.0,
            }
        )
    (out / "refused.json").write_text(
        json.dumps(
            [
                {"submission": str(i["path"]), "student": i["student"], "reason": i["reason"]}
                for i in refused
            ],
            indent=1,
        )
    )
    for item in to_grade:
        submission = str(item["path"])
        report_path = item["report_path"]
        if not force and report_path.exists() and book.seen(submission, item["sha256"], context):
            summaries.append(
                {
                    "submission": submission,
                    "student": item["student"],
                    "skipped": True,
                    "report": str(report_path),
                    **book.latest_score(submission, item["sha256"], context),
                }
            )
            continue
        pending.append(
            {
                "submission": submission,
                "student": item["student"],
                "sha256": item["sha256"],
                "submitted_at": item["submitted_at"],
                "assignment": item["assignment"],
                "notes": ([item["note"]] if item.get("note") else []) + item.get("notes", []),
                "data_file": str(item["data_file"]),
                "solutions": str(solutions.resolve()),
                "limits": asdict(limits),
                "sandboxed": sandboxed,
                "sandbox_warning": sandbox_info["warning"],
                "report_path": str(report_path),
            }
        )
    total = len(summaries) + len(pending)
    bar = _Progress(total) if progress else None
    for summary in summaries:
        if bar:
            what = "unchanged" if summary["skipped"] else "refused"
            bar.step(f"{summary['student']}/{Path(summary['submission']).name} ({what})")
    for job, report in pool.run(pending):
        summary = _finish(report, job, book, context, write_feedback)
        book.export_csv(csv_path)
        summaries.append(summary)
        if bar:
            bar.step(
                f"{job['student']}/{Path(job['submission']).name} "
                f"{summary['score']:g}/{summary['max_score']:g}"
            )
    return summaries


@contextlib.contextmanager
def _stopped_by_sigterm():
    """SIGTERM ends the grader like Ctrl-C does: workers stopped, temporary folders removed."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def apply_manual(report: dict, book) -> dict:
    """Put the hand-given points of the gradebook into the report's written-answer tasks."""
    entered = book.manual_entries(report["student"], report.get("assignment"))
    for task in report.get("tasks", []):
        if task["kind"] == "manual" and task["grade_id"] in entered:
            points, comment = entered[task["grade_id"]]
            task.update(points=points, status="graded by hand")
            if comment:
                task["comment"] = comment
    report["manual_score"] = float(
        sum(t["points"] or 0.0 for t in report.get("tasks", []) if t["kind"] == "manual")
    )
    return report


def _refresh_manual_reports(rows, out: Path, book, write_feedback) -> None:
    """Rewrite the reports (JSON and Markdown) that hand-given points just changed."""
    for student, assignment in sorted({(r["student"], r["assignment"]) for r in rows}):
        path = out / _safe_name(student) / f"{assignment}.json"
        if not path.is_file() or path.is_symlink():
            continue
        report = apply_manual(json.loads(path.read_text()), book)
        path.write_text(json.dumps(report, indent=1, default=str))
        write_feedback(report, path.with_suffix(".md"))


def _finish(report: dict, job: dict, book, context: str, write_feedback) -> dict:
    # Who and when come from the grader's own discovery, never from the worker's report.
    report.update(
        submission=job["submission"],
        student=job["student"],
        sha256=job["sha256"],
        submitted_at=job.get("submitted_at"),
    )
    apply_manual(report, book)
    report_path = Path(job["report_path"])
    newest = book.latest_submitted_at(report["student"], report.get("assignment"))
    if newest and report["submitted_at"] and newest > report["submitted_at"]:
        # An older copy graded after a newer one: the newer one still counts, and its
        # report stays where the student looks; this one is kept beside it.
        report["notes"].append(
            f"a newer submission of this assignment (submitted {newest}) is the one that "
            "counts; this older one was graded for the record"
        )
        report_path = report_path.with_name(f"{report_path.stem}.older-{job['sha256'][:12]}.json")
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=1, default=str))
    write_feedback(report, report_path.with_suffix(".md"))
    from course_lib.grading.report import write_feedback_html

    write_feedback_html(report, report_path.with_suffix(".html"))
    book.record(report, job["submission"], context, str(report_path))
    return {
        "submission": report["submission"],
        "student": report["student"],
        "skipped": False,
        "report": str(report_path),
        "status": report["status"],
        "reason": report.get("reason"),
        "score": report["score"],
        "max_score": report["max_score"],
    }
