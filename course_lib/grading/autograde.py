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
the one that hung), so one looping task costs that task only. Memory, CPU and file size are
limited by ``setrlimit`` in the process that starts the kernel.

Everything becomes a report: a file that is not JSON or not a notebook, a renamed file
(identified by its cells), a missing cell, a crash, a timeout. The submission file is only
read. A gradebook (SQLite) records every attempt; an unchanged submission (same bytes, same
solutions, same settings) is skipped on a re-run.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import hashlib
import importlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from course_lib.grading._values import TEST_MODULE
from course_lib.grading.sandbox import Limits, sandbox_available

GRADER_VERSION = 1
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


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
    for cell in submission_nb["cells"]:
        gid = _nbgrader(cell).get("grade_id")
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
        self, kernel, limits: Limits, names: set[str], blocks: dict[str, tuple], imports: str = ""
    ):
        self.kernel, self.limits, self.names, self.blocks = kernel, limits, names, blocks
        self.imports = imports
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
        """Make the kernel usable after a timeout or a death; returns what happened."""
        from course_lib.grading.kernel import KernelDied

        if self.kernel.alive() and self.kernel.recover():
            return "interrupted"
        self.kernel.restart()
        for source in list(self.ran):
            if source == skip:
                continue
            budget = min(self.limits.cell_timeout, self.deadline - time.monotonic())
            run = self.kernel.execute(source, budget)
            if run.status in ("timeout", "died"):
                self.ran.remove(source)
                if run.status == "died" or not self.kernel.recover():
                    self.kernel.restart()
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
        if run.status in ("ok", "error"):
            self.ran.append(step["source"])
        else:
            try:
                record["recovery"] = self.repair(skip=step["source"])
            except KernelDied as err:
                record["recovery"] = f"failed: {err}"
        return record

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
        hidden = [m.span() for m in _HIDDEN.finditer(step["source"])]
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
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    offset = None
    if line is not None:
        offset = sum(len(x) + 1 for x in source.splitlines()[: line - 1])
    in_hidden = offset is not None and any(a <= offset <= b for a, b in hidden)
    text = str(err) if type(err).__name__ == "CheckFailed" else f"{type(err).__name__}: {err}"
    if in_hidden:
        return "a hidden test failed: " + text
    return text


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
) -> tuple[list[dict], list[dict], list[str]]:
    """Run a plan in a fresh kernel: (task results, kernel cell records, notes)."""
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
        runner = _Runner(kernel, limits, names, blocks, imports)
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


def grade_submission(job: dict) -> dict:
    """Grade one submission described by ``job`` (see :func:`grade`) and return its report."""
    import nbformat

    path = Path(job["submission"])
    limits = Limits(**job["limits"])
    report = {
        "submission": str(path),
        "student": job["student"],
        "sha256": job["sha256"],
        "assignment": None,
        "graded_at": datetime.now(timezone.utc).isoformat(),
        "grader_version": GRADER_VERSION,
        "sandbox": {"enabled": job["sandboxed"], "warning": job["sandbox_warning"]},
        "status": "graded",
        "reason": None,
        "notes": [],
        "score": 0.0,
        "max_score": 0.0,
        "manual_max_score": 0.0,
        "tasks": [],
        "cells": [],
        "seconds": 0.0,
    }
    start = time.monotonic()
    data = path.read_bytes()
    nb, problem = read_submission(data)
    solutions = sorted(Path(job["solutions"]).glob("*.ipynb"))
    if nb is None:
        report.update(status="invalid", reason=problem)
        target = next((s for s in solutions if s.stem == path.stem), None)
        if target is not None:
            report["assignment"] = target.stem
            report["tasks"] = _empty_tasks(nbformat.read(target, as_version=4), problem)
        return _totals(report, start)
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
    with tempfile.TemporaryDirectory(prefix="course-grade-") as tmp:
        tasks, cells, notes = run_notebook(
            plan,
            student_names(solution_nb),
            _blocks_by_name(solution_path.stem),
            limits,
            job["sandboxed"],
            Path(tmp),
            instructor_imports(solution_nb),
        )
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


def _worker_main(job_file: str) -> int:
    job = json.loads(Path(job_file).read_text())
    try:
        report = grade_submission(job)
    except Exception:  # noqa: BLE001 - a grader bug still gives a report
        report = {
            "submission": job["submission"],
            "student": job["student"],
            "sha256": job["sha256"],
            "assignment": None,
            "status": "error",
            "reason": "internal grader error:\n" + traceback.format_exc()[-4000:],
            "sandbox": {"enabled": job["sandboxed"], "warning": job["sandbox_warning"]},
            "notes": [],
            "score": 0.0,
            "max_score": 0.0,
            "manual_max_score": 0.0,
            "tasks": [],
            "cells": [],
        }
    Path(job["result"]).write_text(json.dumps(report, indent=1, default=str))
    return 0


# --------------------------------------------------------------------------------------
# many submissions, in parallel
# --------------------------------------------------------------------------------------


def find_submissions(paths) -> list[Path]:
    """Notebook files named directly or found under the folders named."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            found.append(p)
    return found


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
) -> list[dict]:
    """Grade every submission; returns one summary per submission (report path, score...)."""
    from course_lib.grading.gradebook import Gradebook
    from course_lib.grading.report import write_feedback

    limits = limits or Limits()
    solutions, out = Path(solutions), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sandboxed, warning = sandbox_available(sandbox)
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    context = _hash_files(list(solutions.glob("*.ipynb"))) + json.dumps(
        [asdict(limits), sandboxed, GRADER_VERSION], sort_keys=True
    )
    context = hashlib.sha256(context.encode()).hexdigest()
    book = Gradebook(gradebook or out / "gradebook.sqlite")
    paths = find_submissions(submissions)
    summaries, pending = [], []
    for path in paths:
        student = path.resolve().parent.name
        report_path = out / student / (path.stem + ".json")
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as err:
            report = {
                "submission": str(path),
                "student": student,
                "sha256": None,
                "assignment": None,
                "status": "invalid",
                "reason": f"the file could not be read ({err})",
                "sandbox": {"enabled": sandboxed, "warning": warning},
                "notes": [],
                "score": 0.0,
                "max_score": 0.0,
                "manual_max_score": 0.0,
                "tasks": [],
                "cells": [],
            }
            summaries.append(_finish(report, report_path, book, context, write_feedback))
            continue
        if not force and report_path.exists() and book.seen(str(path.resolve()), sha, context):
            summaries.append(
                {
                    "submission": str(path),
                    "student": student,
                    "skipped": True,
                    "report": str(report_path),
                    **book.latest_score(str(path.resolve()), sha, context),
                }
            )
            continue
        pending.append(
            {
                "submission": str(path.resolve()),
                "student": student,
                "sha256": sha,
                "solutions": str(solutions.resolve()),
                "limits": asdict(limits),
                "sandboxed": sandboxed,
                "sandbox_warning": warning,
                "report_path": str(report_path),
            }
        )
    bar = _Progress(len(paths)) if progress else None
    for summary in summaries:
        if bar:
            bar.step(f"{summary['student']}/{Path(summary['submission']).name} (unchanged)")
    jobs = max(1, jobs or os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="course-jobs-") as tmp:
        running: list[tuple[subprocess.Popen, dict, float, object]] = []
        queue = list(enumerate(pending))
        while queue or running:
            while queue and len(running) < jobs:
                i, job = queue.pop(0)
                job["result"] = str(Path(tmp) / f"result{i}.json")
                job_file = Path(tmp) / f"job{i}.json"
                job_file.write_text(json.dumps(job))
                log = open(Path(tmp) / f"worker{i}.log", "wb")  # noqa: SIM115
                proc = subprocess.Popen(
                    [sys.executable, "-m", "course_lib.grading.autograde", str(job_file)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                )
                running.append((proc, job, time.monotonic(), log))
            time.sleep(0.05)
            for entry in list(running):
                proc, job, started, log = entry
                overdue = (
                    time.monotonic() - started
                    > limits.notebook_timeout + 2 * limits.startup_timeout + 60
                )
                if proc.poll() is None and not overdue:
                    continue
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                log.close()
                running.remove(entry)
                report = _collect(job, overdue)
                summary = _finish(report, Path(job["report_path"]), book, context, write_feedback)
                summaries.append(summary)
                if bar:
                    bar.step(
                        f"{job['student']}/{Path(job['submission']).name} "
                        f"{summary['score']:g}/{summary['max_score']:g}"
                    )
    book.export_csv(out / "grades.csv")
    book.close()
    return summaries


def _collect(job: dict, overdue: bool) -> dict:
    result = Path(job["result"])
    if result.exists():
        return json.loads(result.read_text())
    reason = (
        "grading this submission took longer than the whole-notebook limit allows"
        if overdue
        else "the grading process for this submission crashed"
    )
    return {
        "submission": job["submission"],
        "student": job["student"],
        "sha256": job["sha256"],
        "assignment": None,
        "status": "error",
        "reason": reason,
        "sandbox": {"enabled": job["sandboxed"], "warning": job["sandbox_warning"]},
        "notes": [],
        "score": 0.0,
        "max_score": 0.0,
        "manual_max_score": 0.0,
        "tasks": [],
        "cells": [],
    }


def _finish(report: dict, report_path: Path, book, context: str, write_feedback) -> dict:
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=1, default=str))
    write_feedback(report, report_path.with_suffix(".md"))
    from course_lib.grading.report import write_feedback_html

    write_feedback_html(report, report_path.with_suffix(".html"))
    book.record(report, str(Path(report["submission"]).resolve()), context, str(report_path))
    return {
        "submission": report["submission"],
        "student": report["student"],
        "skipped": False,
        "report": str(report_path),
        "status": report["status"],
        "score": report["score"],
        "max_score": report["max_score"],
    }


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1]))
