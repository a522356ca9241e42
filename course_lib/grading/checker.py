"""``check(task_id, func)``: the student's instant feedback.

A task (``"02.centered_difference"``) is registered in ``course_lib/grading/tasks/nNN.py``
with its public cases, a hint and the library functions it switches off. ``check`` runs the
cases, prints one line when all pass, and otherwise raises :class:`CheckFailed` whose message
is the verdict: the failing case, expected versus returned (shape, first differing value) and
a hint. IPython shows that message instead of a traceback from inside the checker
(``_render_traceback_``); if the student's function raised, the student's own traceback is
shown, trimmed to the student's frames.

The same ``check`` runs in the grader, where ``func`` is a proxy to the student's kernel (see
``autograde``): the comparison then happens outside the student's reach.
"""

from __future__ import annotations

import copy
import difflib
import importlib
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_lib.grading._blocking import LibraryFunctionBlocked, blocking
from course_lib.grading._values import UnsupportedValue

_HERE = str(Path(__file__).resolve().parent)


@dataclass(frozen=True)
class Case:
    """One public test case: call ``func(*args, **kwargs)`` and compare with ``expected``.

    ``verify``, when given, replaces the comparison: ``verify(result)`` returns ``None`` when
    the result is right, else a short sentence saying what is wrong.
    """

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: object = None
    rtol: float = 1e-7
    atol: float = 0.0
    verify: Callable | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Task:
    """A graded task: the student's function ``name`` and the cases that check it."""

    task_id: str
    name: str
    cases: Callable[[], list[Case]]
    hint: str
    blocks: tuple[str, ...] = ()


TASKS: dict[str, Task] = {}


def register(task_id: str, *, name: str, hint: str, blocks=()):
    """Decorator registering a function that returns the public cases of ``task_id``."""

    def decorate(cases):
        TASKS[task_id] = Task(task_id, name, cases, hint, tuple(blocks))
        return cases

    return decorate


def _load_tasks() -> None:
    package = importlib.import_module("course_lib.grading.tasks")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")


def get_task(task_id: str) -> Task:
    """The registered task ``task_id``; a ValueError naming close matches otherwise."""
    if not isinstance(task_id, str):
        raise TypeError(f"task_id must be a string like '02.centered_difference', got {task_id!r}")
    if not TASKS:
        _load_tasks()
    if task_id not in TASKS:
        close = difflib.get_close_matches(task_id, TASKS, n=3)
        also = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"task_id {task_id!r} is not a known task{also}")
    return TASKS[task_id]


def tasks_for_notebook(number: str) -> list[Task]:
    """Every task whose id starts with ``"NN."``."""
    if not TASKS:
        _load_tasks()
    return [t for t in TASKS.values() if t.task_id.startswith(f"{number}.")]


class CheckFailed(AssertionError):
    """A public case failed; the message is the verdict a student reads."""

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return str(self).splitlines()


# --------------------------------------------------------------------------------------
# comparing a returned value with the expected one
# --------------------------------------------------------------------------------------


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, UnsupportedValue):
        return repr(value)
    return f"{type(value).__name__} {value!r}"[:120]


def compare(actual, expected, rtol: float = 1e-7, atol: float = 0.0, where: str = "") -> str | None:
    """``None`` if ``actual`` matches ``expected``, else one sentence saying how it differs."""
    at = f" ({where})" if where else ""
    if actual is None and expected is not None:
        return f"your function returned None{at}: did you forget the `return`?"
    if isinstance(expected, tuple):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            return f"expected a tuple of {len(expected)} values{at}, got {_describe(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=False)):
            message = compare(a, e, rtol, atol, f"item {i} of the tuple")
            if message:
                return message
        return None
    if isinstance(expected, str):
        return None if actual == expected else f"expected {expected!r}{at}, got {actual!r}"
    try:
        got = np.asarray(actual)
    except Exception:  # noqa: BLE001 - any object a student returns
        got = None
    if got is None or got.dtype.kind not in "biufc":
        return f"expected numbers{at}, got {_describe(actual)}"
    want = np.asarray(expected)
    if got.shape != want.shape:
        return f"expected shape {want.shape}{at}, got shape {got.shape}"
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if np.all(close):
        return None
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    position = f" at index {index}" if index else ""
    return (
        f"values differ{at}{position}: expected {want[index].item()!r}, got {got[index].item()!r} "
        f"({int(np.sum(~close))} of {close.size} values differ; tolerance rtol={rtol:g}, "
        f"atol={atol:g})"
    )


# --------------------------------------------------------------------------------------
# running the cases
# --------------------------------------------------------------------------------------


def _student_traceback(exc: BaseException) -> str:
    remote = getattr(exc, "student_traceback", None)
    if remote is not None:
        return remote
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_HERE):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _call(func, task: Task, case: Case):
    args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
    remote = getattr(func, "__course_remote_call__", None)
    if remote is not None:
        return remote(args, kwargs, task.blocks)
    with blocking(task.blocks):
        return func(*args, **kwargs)


def _verdict(task: Task, case: Case, i: int, n: int, problem: str, hint: str | None) -> str:
    lines = [f"✗ {task.task_id}: case {i} of {n} failed: {case.label}", f"  {problem}"]
    if hint:
        lines.append(f"  Hint: {hint}")
    return "\n".join(lines)


def check(task_id: str, func) -> None:
    """Run the public cases of ``task_id`` on ``func`` and print a short verdict.

    Parameters
    ----------
    task_id : str
        ``"NN.name"``, as written in the exercise notebook (``"02.centered_difference"``).
    func : callable
        Your function.

    Raises
    ------
    CheckFailed
        When a case fails; the message says which case, what was expected and what came back,
        with one hint. A student's exception is shown with the student's own traceback.

    Examples
    --------
    >>> check("02.centered_difference", lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    ✓ 02.centered_difference: all 4 public cases pass.
    """
    task = get_task(task_id)
    if not callable(func):
        raise CheckFailed(
            f"✗ {task_id}: check needs your function `{task.name}` itself, got {_describe(func)}"
        )
    cases = task.cases()
    for i, case in enumerate(cases, start=1):
        try:
            result = _call(func, task, case)
        except NotImplementedError:
            raise CheckFailed(
                f"✗ {task_id}: `{task.name}` is not written yet: replace "
                "`raise NotImplementedError()` with your code."
            ) from None
        except Exception as exc:  # noqa: BLE001 - the student's exception, reported
            blocked = isinstance(exc, LibraryFunctionBlocked) or (
                getattr(exc, "student_type", "") == "LibraryFunctionBlocked"
            )
            if blocked:
                problem = (
                    f"your function calls course_lib's own version ({exc}). "
                    "Write the formula yourself: that is the exercise."
                )
                raise CheckFailed(_verdict(task, case, i, len(cases), problem, None)) from None
            shown = _student_traceback(exc).rstrip().replace("\n", "\n    ")
            problem = "your function raised an exception:\n    " + shown
            text = _verdict(task, case, i, len(cases), problem.rstrip(), case.hint or task.hint)
            raise CheckFailed(text) from None
        if case.verify is not None:
            problem = case.verify(result)
        else:
            problem = compare(result, case.expected, case.rtol, case.atol)
        if problem:
            text = _verdict(task, case, i, len(cases), problem, case.hint or task.hint)
            raise CheckFailed(text)
    print(f"✓ {task_id}: all {len(cases)} public cases pass.")
