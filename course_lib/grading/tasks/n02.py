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
    hint="The slope of the secant through x and x + h; write it with array operations so that x "
    "can be a whole array.",
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


def _best_step_reference(f, df, x, scheme):
    steps = np.logspace(-16, -1, 151)
    if scheme == "forward":
        errors = np.abs((f(x + steps) - f(x)) / steps - df(x))
    else:
        errors = np.abs((f(x + steps) - f(x - steps)) / (2 * steps) - df(x))
    keep = steps >= 1e-3
    slope = np.polyfit(np.log10(steps[keep]), np.log10(errors[keep]), 1)[0]
    return steps[np.argmin(errors)], errors.min(), slope


@register(
    "02.best_step",
    name="best_step",
    hint="Make the 151 steps one array and evaluate the difference quotient on all of them at "
    "once; the best is where the error array is smallest, and the slope is the first "
    "coefficient of a degree-1 fit of log10(error) against log10(h) on the truncation range.",
    blocks=_DIFFERENCES,
)
def _best_step_cases():
    return [
        Case(
            "f = sin, df = cos at x = 1, centered",
            (np.sin, np.cos, 1.0, "centered"),
            expected=_best_step_reference(np.sin, np.cos, 1.0, "centered"),
            rtol=1e-9,
        ),
        Case(
            "f = sin, df = cos at x = 1, forward",
            (np.sin, np.cos, 1.0, "forward"),
            expected=_best_step_reference(np.sin, np.cos, 1.0, "forward"),
            rtol=1e-9,
        ),
    ]


@register(
    "02.numerical_gradient",
    name="numerical_gradient",
    hint="Build all 2d shifted points as one (2d, d) array (the identity matrix holds the "
    "directions), call f once, and pair each + value with its − value.",
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
