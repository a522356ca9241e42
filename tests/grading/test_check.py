"""check(): the verdict a student reads, and the library function switched off while it runs."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib.derivatives as derivatives
from course_lib.grading import CheckFailed, check
from course_lib.grading._values import decode, dumps_for_kernel, encode, loads_in_kernel
from course_lib.grading.checker import TASKS, compare, get_task


def centered(f, x, h):
    return (f(np.asarray(x, dtype=float) + h) - f(np.asarray(x, dtype=float) - h)) / (2 * h)


def test_a_correct_function_passes_with_a_one_line_verdict(capsys):
    check("02.centered_difference", centered)
    assert capsys.readouterr().out == "✓ 02.centered_difference: all 4 public cases pass.\n"


def test_a_wrong_value_names_the_case_expected_got_and_a_hint():
    with pytest.raises(CheckFailed) as info:
        check("02.centered_difference", lambda f, x, h: (f(x + h) - f(x - h)) / h)
    text = str(info.value)
    assert "case 1 of 4 failed: f = sin at x = 1, h = 1e-3" in text
    expected = (np.sin(1.001) - np.sin(0.999)) / 2e-3
    assert f"expected {float(expected)!r}, got {float(2 * expected)!r}" in text
    assert "Hint: (f(x + h) − f(x − h)) / (2h)" in text


def test_a_wrong_shape_is_reported_as_shapes():
    with pytest.raises(CheckFailed, match=r"expected shape \(3,\), got shape \(2,\)"):
        check("02.numerical_gradient", lambda f, x, h: np.zeros(2))


def test_a_missing_return_is_named():
    with pytest.raises(CheckFailed, match="returned None: did you forget the `return`"):
        check("01.normal_equations", lambda X, y: None)


def test_the_unwritten_stub_says_what_to_do():
    def stub(f, x, h):
        raise NotImplementedError()

    with pytest.raises(CheckFailed, match="not written yet: replace `raise NotImplementedError"):
        check("02.forward_difference", stub)


def test_a_student_exception_shows_the_students_traceback_not_the_checkers():
    def helper(x):
        return x.no_such_attribute

    def forward(f, x, h):
        return helper(x)

    with pytest.raises(CheckFailed) as info:
        check("02.forward_difference", forward)
    text = str(info.value)
    assert "in helper" in text and "AttributeError" in text
    assert "checker.py" not in text and "_blocking.py" not in text
    assert info.value._render_traceback_() == text.splitlines()


def test_the_library_function_is_switched_off_while_its_task_is_checked():
    saved = derivatives.centered_difference  # a reference taken before the check
    with pytest.raises(CheckFailed, match="switched off while this task is checked"):
        check("02.centered_difference", lambda f, x, h: saved(f, x, h))
    with pytest.raises(CheckFailed, match="course_lib's own version"):
        check("02.centered_difference", derivatives.centered_difference)
    # and it works again afterwards, against an independent reference
    assert np.isclose(derivatives.centered_difference(np.sin, 1.0, 1e-5), np.cos(1.0))


def test_unknown_task_ids_get_close_matches():
    with pytest.raises(ValueError, match="did you mean '02.centered_difference'"):
        get_task("02.centred_difference")
    with pytest.raises(TypeError, match="task_id must be a string"):
        get_task(2)


def test_check_refuses_a_non_callable():
    with pytest.raises(CheckFailed, match="needs your function `line_fit` itself"):
        check("01.line_fit", 3.0)


def test_every_registered_library_block_names_an_existing_function():
    get_task("01.line_fit")
    import importlib

    for task in TASKS.values():
        for path in task.blocks:
            module, _, name = path.rpartition(".")
            assert callable(getattr(importlib.import_module(module), name)), path


@pytest.mark.parametrize(
    "actual, expected, message",
    [
        ((1.0, 2.0), (1.0, 2.5), "item 1 of the tuple"),
        ([1.0], (1.0, 2.0), "expected a tuple of 2 values"),
        ("text", 1.0, "expected numbers"),
        (np.array([1.0, np.nan]), np.array([1.0, 2.0]), "index (1,)"),
    ],
)
def test_compare_says_how_values_differ(actual, expected, message):
    assert message in compare(actual, expected)


def test_values_cross_the_kernel_boundary_as_data_only():
    value = (np.arange(6.0).reshape(2, 3), np.float32(1.5), [1, "a", None], {"k": 1j}, float("nan"))
    back = decode(encode(value))
    np.testing.assert_array_equal(back[0], value[0])
    assert back[1] == np.float32(1.5) and back[1].dtype == np.float32
    assert back[2] == [1, "a", None] and back[3] == {"k": 1j} and np.isnan(back[4])
    assert repr(decode(encode(object()))) == "<a object object>"
    assert "unsupported" in str(encode(np.array([object()])))
    with pytest.raises(ValueError, match="non-numeric"):
        decode({"__ndarray__": {"dtype": "|O", "shape": [1], "data": ""}})


def test_test_cell_functions_travel_to_the_kernel_by_value():
    namespace = {"__name__": "__course_test__", "np": np}
    exec("scale = 3.0\nf = lambda x: scale * np.sin(x)\n", namespace)
    rebuilt = loads_in_kernel(dumps_for_kernel((namespace["f"],)))[0]
    assert rebuilt(np.pi / 2) == pytest.approx(3.0)
