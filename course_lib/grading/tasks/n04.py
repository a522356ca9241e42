"""Public cases for ``04_step_size_and_line_search``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_STEP_RULES = (
    "course_lib.descent.gradient_descent",
    "course_lib.descent.optimal_step",
    "course_lib.descent.backtracking_step",
    "course_lib.curvature.stability_limit",
    "course_lib.curvature.optimal_gd_step",
    "course_lib.curvature.gd_rate",
)


def bowl(x):
    """½(x₀² + 10 x₁²), vectorised over a leading batch of points."""
    x = np.asarray(x, dtype=float)
    return 0.5 * (x[..., 0] ** 2 + 10 * x[..., 1] ** 2)


def rosenbrock(x):
    """(1 − x₀)² + 100 (x₁ − x₀²)², vectorised over a leading batch of points."""
    x = np.asarray(x, dtype=float)
    return (1 - x[..., 0]) ** 2 + 100 * (x[..., 1] - x[..., 0] ** 2) ** 2


def _gd_reference(A, x0, eta, steps):
    x = np.asarray(x0, dtype=float)
    for _ in range(steps):
        x = x - eta * (A @ x)
    return x, bool(np.linalg.norm(x) > np.linalg.norm(x0))


def _armijo_reference(f, x, g, t, c, rho):
    while f(x - t * g) > f(x) - c * t * (g @ g):
        t *= rho
    return t


@register(
    "04.gd_on_quadratic",
    name="gd_on_quadratic",
    hint="The gradient of ½ xᵀAx is Ax; take the steps in a loop, then compare the final distance "
    "to the minimum with the starting one.",
    blocks=_STEP_RULES,
)
def _gd_on_quadratic_cases():
    A = np.diag([1.0, 10.0])
    x0 = np.array([1.0, 1.0])
    return [
        Case(
            "η = 0.15 < 2/10 on diag(1, 10): converges",
            (A, x0, 0.15, 50),
            expected=_gd_reference(A, x0, 0.15, 50),
            rtol=1e-9,
            atol=1e-300,
        ),
        Case(
            "η = 0.21 > 2/10 on diag(1, 10): diverges",
            (A, x0, 0.21, 50),
            expected=_gd_reference(A, x0, 0.21, 50),
            rtol=1e-9,
        ),
        Case(
            "zero steps: x0 itself, not diverged",
            (A, x0, 0.5, 0),
            expected=(x0, False),
        ),
    ]


@register(
    "04.stability_limit",
    name="stability_limit",
    hint="Only the largest eigenvalue matters; NumPy has an eigenvalue routine for symmetric "
    "matrices (and says in which order it returns them).",
    blocks=_STEP_RULES,
)
def _stability_cases():
    R = np.array([[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])
    return [
        Case("diag(1, 10)", (np.diag([1.0, 10.0]),), expected=0.2, rtol=1e-12),
        Case(
            "a rotated diag(2, 8): eigenvalues, not the diagonal",
            (R @ np.diag([2.0, 8.0]) @ R.T,),
            expected=0.25,
            rtol=1e-12,
        ),
        Case(
            "[[2, 1], [1, 2]] has eigenvalues 1 and 3",
            (np.array([[2.0, 1.0], [1.0, 2.0]]),),
            expected=2.0 / 3.0,
            rtol=1e-12,
        ),
    ]


@register(
    "04.optimal_step",
    name="optimal_step",
    hint="The formula in the task needs two scalars built from g and H; no matrix inverse is "
    "needed.",
    blocks=_STEP_RULES,
)
def _optimal_step_cases():
    return [
        Case(
            "g = (1, 1), H = diag(1, 3)",
            (np.array([1.0, 1.0]), np.diag([1.0, 3.0])),
            expected=0.5,
            rtol=1e-12,
        ),
        Case(
            "g an eigenvector of H (eigenvalue 4): t* = 1/4",
            (np.array([0.0, 2.0]), np.diag([1.0, 4.0])),
            expected=0.25,
            rtol=1e-12,
        ),
        Case(
            "g = (1, −2), H = [[2, 1], [1, 3]]",
            (np.array([1.0, -2.0]), np.array([[2.0, 1.0], [1.0, 3.0]])),
            expected=5.0 / 10.0,
            rtol=1e-12,
        ),
    ]


@register(
    "04.armijo_step",
    name="armijo_step",
    hint="Evaluate f(x) and gᵀg once; then test the sufficient-decrease condition and shrink t for "
    "as long as it fails.",
    blocks=_STEP_RULES,
)
def _armijo_cases():
    x = np.array([2.0, 1.0])
    g = x * np.array([1.0, 10.0])
    p = np.array([-1.2, 1.0])
    gp = np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)])
    return [
        Case(
            "the bowl at (2, 1): t = 1 is too long, halve until it is not",
            (bowl, x, g, 1.0, 1e-4, 0.5),
            expected=_armijo_reference(bowl, x, g, 1.0, 1e-4, 0.5),
            rtol=1e-12,
        ),
        Case(
            "a short initial step is accepted as it is",
            (bowl, x, g, 0.01, 1e-4, 0.5),
            expected=0.01,
            rtol=1e-12,
        ),
        Case(
            "Rosenbrock at (−1.2, 1), c = 0.5, shrink 0.3",
            (rosenbrock, p, gp, 1.0, 0.5, 0.3),
            expected=_armijo_reference(rosenbrock, p, gp, 1.0, 0.5, 0.3),
            rtol=1e-12,
        ),
    ]
