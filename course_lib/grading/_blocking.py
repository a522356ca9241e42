"""Switching off the library function a task asks the student to write.

While a task is checked, each ``course_lib`` function named in its ``blocks`` list has its
code object swapped for one that raises :class:`LibraryFunctionBlocked`. Swapping the code
(rather than the module attribute) also catches a reference the student saved earlier with
``from course_lib.derivatives import centered_difference``. This is a teaching guard, not a
security boundary: the library is open source and a student can always copy it.
"""

from __future__ import annotations

import contextlib
import importlib
import types


class LibraryFunctionBlocked(RuntimeError):
    """Raised by a ``course_lib`` function that is switched off while a task is checked."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"{name} is switched off while this task is checked: "
            "the task is to write it yourself, without calling the library's version"
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
    """Within the block, every function named in ``paths`` raises LibraryFunctionBlocked."""
    saved = []
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
            fn.__code__ = code
        yield
    finally:
        for fn, code in reversed(saved):
            fn.__code__ = code
