"""The "write it yourself" guard: what it catches, in the process where it runs."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import course_lib.derivatives as library
from course_lib.grading._blocking import LibraryFunctionBlocked, blocking

BLOCKED = ["course_lib.derivatives.centered_difference"]


def _own(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_the_students_own_code_runs_and_the_library_is_restored_after():
    original = library.centered_difference.__code__
    with blocking(BLOCKED):
        assert _own(np.sin, 1.0, 1e-5) == pytest.approx(np.cos(1.0), rel=1e-9)
    assert library.centered_difference.__code__ is original
    assert sys.getprofile() is None


def test_a_saved_reference_is_switched_off():
    saved = library.centered_difference
    with pytest.raises(LibraryFunctionBlocked, match="switched off"), blocking(BLOCKED):
        saved(np.sin, 1.0, 1e-5)


def test_the_code_saved_at_import_and_put_back_is_caught():
    saved_code = library.centered_difference.__code__

    def restoring(f, x, h):
        library.centered_difference.__code__ = saved_code
        return library.centered_difference(f, x, h)

    with pytest.raises(LibraryFunctionBlocked, match="restored or copied"), blocking(BLOCKED):
        restoring(np.sin, 1.0, 1e-5)
    assert library.centered_difference.__code__ is saved_code


def test_a_function_rebuilt_from_the_saved_code_is_caught():
    rebuilt = types.FunctionType(
        library.centered_difference.__code__, library.centered_difference.__globals__
    )
    with pytest.raises(LibraryFunctionBlocked, match="restored or copied"), blocking(BLOCKED):
        rebuilt(np.sin, 1.0, 1e-5)


def test_switching_the_watch_off_is_caught():
    with pytest.raises(LibraryFunctionBlocked, match="switched off while this task ran"):
        with blocking(BLOCKED):
            sys.setprofile(None)
