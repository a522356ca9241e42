"""Public cases for ``02_derivatives_and_finite_differences``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_DIFFERENCES = (
    "course_lib.derivatives.forward_difference",
    "course_lib.derivatives.backward_difference",
    "course_lib.derivatives.centered_difference",
    "course_lib.derivatives.gradient",
    "course_lib.derivatives.jacobian",
    "course_lib.derivatives.directional_derivative",
    "course_lib.derivatives.error_versus_step",
)


def cubic(x):
    """x³ − 2x, elementwise (its derivative is 3x² − 2)."""
    return x**3 - 2 * x


def sum_of_squares(x):
    """Σ xᵢ² over the last axis: a batch (m, d) gives (m,)."""
    return np.sum(x**2, axis=-1)


def rosenbrock(x):
    """(1 − x₀)² + 100 (x₁ − x₀²)² over the last axis."""
    return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2


def _rosenbrock_gradient(x):
    x0, x1 = x
    return np.array([-2 * (1 - x0) - 400 * x0 * (x1 - x0**2), 200 * (x1 - x0**2)])


@register(
    "02.forward_difference",
    name="forward_difference",
    hint="(f(x + h) − f(x)) / h, written with arrays so that x can be a whole array.",
    blocks=_DIFFERENCES,
)
def _forward_cases():
    x = np.linspace(-1.0, 2.0, 7)
    return [
        Case(
            "f = sin at x = 1, h = 1e-3",
            (np.sin, 1.0, 1e-3),
            expected=(np.sin(1.001) - np.sin(1.0)) / 1e-3,
            rtol=1e-9,
        ),
        Case(
            "f = x³ − 2x at 7 points, h = 1e-4",
            (cubic, x, 1e-4),
            expected=(cubic(x + 1e-4) - cubic(x)) / 1e-4,
            rtol=1e-9,
        ),
        Case(
            "error ≈ (h/2) f''(x): f = exp at 0, h = 1e-3",
            (np.exp, 0.0, 1e-3),
            expected=1.0 + 1e-3 / 2,
            rtol=1e-6,
        ),
    ]


@register(
    "02.centered_difference",
    name="centered_difference",
    hint="(f(x + h) − f(x − h)) / (2h): note the 2h, the two points are 2h apart.",
    blocks=_DIFFERENCES,
)
def _centered_cases():
    x = np.linspace(-1.0, 2.0, 7)
    return [
        Case(
            "f = sin at x = 1, h = 1e-3",
            (np.sin, 1.0, 1e-3),
            expected=(np.sin(1.001) - np.sin(0.999)) / 2e-3,
            rtol=1e-9,
        ),
        Case(
            "f = x³ − 2x at 7 points, h = 1e-4",
            (cubic, x, 1e-4),
            expected=3 * x**2 - 2 + 1e-8,
            rtol=1e-7,
            atol=1e-8,
        ),
        Case(
            "exact for a quadratic: f = x² at x = 3, h = 0.5",
            (np.square, 3.0, 0.5),
            expected=6.0,
            rtol=1e-12,
        ),
        Case(
            "error ≈ (h²/6) f'''(x): f = exp at 0, h = 1e-2",
            (np.exp, 0.0, 1e-2),
            expected=1.0 + 1e-4 / 6,
            rtol=1e-8,
        ),
    ]


def _slope_two(result, steps, errors_expected):
    e = np.asarray(result, dtype=float)
    if e.shape != steps.shape:
        return f"expected shape {steps.shape} (one error per step), got shape {e.shape}"
    if not np.allclose(e, errors_expected, rtol=1e-4, atol=1e-15):
        i = int(np.argmax(~np.isclose(e, errors_expected, rtol=1e-4, atol=1e-15)))
        return f"error for h = {steps[i]:g}: expected {errors_expected[i]:.6g}, got {e[i]:.6g}"
    return None


@register(
    "02.centered_error_curve",
    name="centered_error_curve",
    hint="Evaluate the centered difference for the whole array of steps at once "
    "(x + steps is an array) and return |approximation − df(x)|.",
    blocks=_DIFFERENCES,
)
def _error_curve_cases():
    steps = np.logspace(-1, -4, 4)
    expected = np.abs((np.sin(1.0 + steps) - np.sin(1.0 - steps)) / (2 * steps) - np.cos(1.0))
    return [
        Case(
            "f = sin, df = cos at x = 1, four steps from 1e-1 to 1e-4",
            (np.sin, np.cos, 1.0, steps),
            verify=lambda result: _slope_two(result, steps, expected),
        ),
        Case(
            "a single step h = 0.1 gives an array of one error",
            (np.exp, np.exp, 0.0, np.array([0.1])),
            expected=np.abs(np.array([np.sinh(0.1) / 0.1 - 1.0])),
            rtol=1e-6,
        ),
    ]


@register(
    "02.numerical_gradient",
    name="numerical_gradient",
    hint="Stack the 2d points x ± h eᵢ into one (2d, d) array (np.eye helps), call f once "
    "on that batch, and combine the two halves.",
    blocks=_DIFFERENCES,
)
def _gradient_cases():
    x = np.array([1.0, -2.0, 0.5])
    p = np.array([-1.2, 1.0])
    return [
        Case(
            "f = Σ xᵢ² at (1, −2, 0.5): gradient 2x",
            (sum_of_squares, x, 1e-5),
            expected=2 * x,
            rtol=1e-8,
        ),
        Case(
            "Rosenbrock at (−1.2, 1), h = 1e-6",
            (rosenbrock, p, 1e-6),
            expected=_rosenbrock_gradient(p),
            rtol=1e-6,
        ),
        Case(
            "one coordinate: f = Σ xᵢ² at (3,)",
            (sum_of_squares, np.array([3.0]), 1e-4),
            expected=np.array([6.0]),
            rtol=1e-9,
        ),
    ]
