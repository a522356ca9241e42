"""Switching off the library function a task asks the student to write.

While a task is checked, each ``course_lib`` function named in its ``blocks`` list has its
code object swapped for one that raises :class:`LibraryFunctionBlocked`. Swapping the code
(rather than the module attribute) also catches a reference the student saved earlier with
``from course_lib.derivatives import centered_difference``.

Swapping alone is not enough: a student who saved the function's ``__code__`` at import can
put it back inside the task, or build a new function from it. So while the task runs a
profile hook (``sys.setprofile``, also for new threads) watches for the library's original
code object (or an equal copy of it) starting to run; if it ran, the call fails with
:class:`LibraryFunctionBlocked` afterwards, whatever the student's function returned, and
so does a call during which the hook was removed.

What it does not catch, and does not claim to: this is a teaching guard against calling the
library's version, not a security boundary. The student's code runs in the same process
and the library is open source: a student who copies the library's source, compiles a
changed copy of its code (``code.replace``), or takes the hook out and puts it back
within the call, is not stopped here. That is copying, for the instructor to judge.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
import types


class LibraryFunctionBlocked(RuntimeError):
    """Raised by a ``course_lib`` function that is switched off while a task is checked."""

    def __init__(self, name: str, how: str = "is switched off while this task is checked"):
        self.name = name
        super().__init__(
            f"{name} {how}: the task is to write it yourself, without calling the library's version"
        )


def _blocked_template(*args, **kwargs):  # pragma: no cover - runs under a swapped name
    import sys as _sys

    _frame = _sys._getframe()
    _where = _frame.f_globals.get("__name__", "?") + "." + _frame.f_code.co_name
    _blocking = __import__("course_lib.grading._blocking", fromlist=["LibraryFunctionBlocked"])
    raise _blocking.LibraryFunctionBlocked(_where)


def _resolve(path: str):
    module_name, _, attr = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    fn = getattr(module, attr, None)
    if isinstance(fn, types.FunctionType) and not fn.__code__.co_freevars:
        return fn
    return None


@contextlib.contextmanager
def blocking(paths):
    """Within the block, every function named in ``paths`` raises LibraryFunctionBlocked.

    Raises LibraryFunctionBlocked at the end of the block if the original code of one of
    them ran anyway (restored ``__code__``, a function rebuilt from it), or if the watch
    on it was switched off.
    """
    saved = []
    originals: dict = {}
    used: list[str] = []

    watched: set[str] = set()  # a cheap first test: most calls are of other names

    def watch(frame, event, arg):
        if event == "call" and frame.f_code.co_name in watched and frame.f_code in originals:
            if not used:
                used.append(originals[frame.f_code])

    previous = sys.getprofile()
    previous_threads = getattr(threading, "getprofile", lambda: None)()
    try:
        for path in paths or ():
            fn = _resolve(path)
            if fn is None:
                continue
            names = {"co_name": fn.__code__.co_name}
            if hasattr(fn.__code__, "co_qualname"):  # Python >= 3.11
                names["co_qualname"] = fn.__code__.co_qualname
            code = _blocked_template.__code__.replace(**names)
            saved.append((fn, fn.__code__))
            originals[fn.__code__] = path
            watched.add(fn.__code__.co_name)
            fn.__code__ = code
        if originals:
            sys.setprofile(watch)
            threading.setprofile(watch)
        yield
        switched_off = bool(originals) and sys.getprofile() is not watch
    finally:
        if originals:
            sys.setprofile(previous)
            threading.setprofile(previous_threads)
        for fn, code in reversed(saved):
            fn.__code__ = code
    if used:
        raise LibraryFunctionBlocked(
            used[0], "ran while this task was checked (its code was restored or copied)"
        )
    if switched_off:
        raise LibraryFunctionBlocked(
            ", ".join(originals.values()),
            "could not be watched: the grader's guard was switched off while this task ran",
        )
