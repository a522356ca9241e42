"""Public cases for ``08_constrained_optimization``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_CONSTRAINED = (
    "course_lib.constrained.project_ball",
    "course_lib.constrained.project_box",
    "course_lib.constrained.gradient_mapping",
    "course_lib.constrained.projected_gradient_descent",
    "course_lib.constrained.lagrangian",
    "course_lib.constrained.lagrangian_minimizer",
    "course_lib.constrained.dual_ascent",
    "course_lib.constrained.kkt_check",
)


# ---------------------------------------------------------------- projections
@register(
    "08.project_ball",
    name="project_ball",
    hint="A point inside stays put; one outside moves along its own direction onto the sphere. One "
    "expression with the row norms can handle both cases for a whole stack.",
    blocks=_CONSTRAINED,
)
def _ball_cases():
    return [
        Case(
            "(3, 4) onto the unit ball: (0.6, 0.8)",
            (np.array([3.0, 4.0]), 1.0),
            expected=np.array([0.6, 0.8]),
            rtol=1e-12,
        ),
        Case(
            "a point inside stays where it is",
            (np.array([0.3, -0.2, 0.1]), 1.0),
            expected=np.array([0.3, -0.2, 0.1]),
            rtol=1e-12,
        ),
        Case(
            "the centre itself stays (no division by zero)",
            (np.zeros(2), 1.0),
            expected=np.zeros(2),
        ),
        Case(
            "a batch of three points, radius 2: each row on its own",
            (np.array([[3.0, 4.0], [0.1, 0.1], [0.0, -10.0]]), 2.0),
            expected=np.array([[1.2, 1.6], [0.1, 0.1], [0.0, -2.0]]),
            rtol=1e-12,
        ),
    ]


@register(
    "08.project_box",
    name="project_box",
    hint="The box is a product of intervals, so each coordinate is projected on its own interval.",
    blocks=_CONSTRAINED,
)
def _box_cases():
    return [
        Case(
            "(−2, 0.5, 7) onto [−1, 1]³",
            (np.array([-2.0, 0.5, 7.0]), -1.0, 1.0),
            expected=np.array([-1.0, 0.5, 1.0]),
        ),
        Case(
            "bounds per coordinate: [0, 1] × [−1, 3]",
            (np.array([5.0, -5.0]), np.array([0.0, -1.0]), np.array([1.0, 3.0])),
            expected=np.array([1.0, -1.0]),
        ),
        Case(
            "a batch, with infinite bounds: [0, ∞) × (−∞, 0]",
            (
                np.array([[-1.0, 2.0], [3.0, -4.0]]),
                np.array([0.0, -np.inf]),
                np.array([np.inf, 0.0]),
            ),
            expected=np.array([[0.0, 0.0], [3.0, -4.0]]),
        ),
    ]


# ---------------------------------------------------------------- projected gradient descent
TARGET = np.array([2.0, 1.0])


def pull_gradient(x):
    """∇f for f(x) = ½‖x − (2, 1)‖²: x − (2, 1)."""
    return np.asarray(x, dtype=float) - TARGET


def unit_ball(x):
    """Projection onto {‖x‖ ≤ 1}."""
    x = np.asarray(x, dtype=float)
    return x / max(1.0, float(np.linalg.norm(x)))


def unit_box(x):
    """Projection onto [0, 1]²."""
    return np.clip(x, 0.0, 1.0)


def _pgd_reference(project, x0, eta, steps):
    xs = [project(np.asarray(x0, dtype=float))]
    for _ in range(steps):
        xs.append(project(xs[-1] - eta * pull_gradient(xs[-1])))
    return np.array(xs)


@register(
    "08.projected_gradient_descent",
    name="projected_gradient_descent",
    hint="Make the start feasible first; then every step is a gradient step followed by the "
    "projection. Keep every iterate, the projected start included.",
    blocks=_CONSTRAINED,
)
def _pgd_cases():
    start = np.array([0.0, 0.0])
    return [
        Case(
            "½‖x − (2, 1)‖² on the unit ball, η = 0.3, 8 steps",
            (pull_gradient, unit_ball, start, 0.3, 8),
            expected=_pgd_reference(unit_ball, start, 0.3, 8),
            rtol=1e-10,
        ),
        Case(
            "η = 1: the first step lands on (2, 1)/√5 and stays there",
            (pull_gradient, unit_ball, start, 1.0, 3),
            expected=np.vstack([start, np.tile(TARGET / np.sqrt(5.0), (3, 1))]),
            rtol=1e-12,
        ),
        Case(
            "an infeasible start (3, −3) is projected first: row 0 is (1, 0)",
            (pull_gradient, unit_box, np.array([3.0, -3.0]), 0.5, 4),
            expected=_pgd_reference(unit_box, np.array([3.0, -3.0]), 0.5, 4),
            rtol=1e-12,
        ),
        Case(
            "zero steps: just the projected start, shape (1, 2)",
            (pull_gradient, unit_box, np.array([3.0, 0.5]), 0.5, 0),
            expected=np.array([[1.0, 0.5]]),
        ),
    ]


# ---------------------------------------------------------------- the KKT conditions
def _kkt_reference(x, lam, A, b, radius):
    """The four residuals, each written out from its definition."""
    slack = x @ x - radius**2
    stationarity = np.linalg.norm(A.T @ (A @ x - b) + 2 * lam * x)
    return (stationarity, max(0.0, slack), max(0.0, -lam), abs(lam * slack))


@register(
    "08.kkt_residuals",
    name="kkt_residuals",
    hint="Write each of the four conditions as a quantity that is zero when it holds and grows "
    "with the violation; the constraint value ‖x‖² − r² appears in three of them.",
    blocks=_CONSTRAINED,
)
def _kkt_cases():
    I2, b = np.eye(2), np.array([2.0, 0.0])
    A = np.array([[1.0, 2.0], [3.0, 1.0], [0.0, 1.0]])
    b3 = np.array([3.0, 1.0, 2.0])
    x = np.array([0.5, 0.25])
    return [
        Case(
            "A = I, b = (2, 0), r = 1: x = (1, 0), λ = ½ satisfies all four",
            (np.array([1.0, 0.0]), 0.5, I2, b, 1.0),
            expected=(0.0, 0.0, 0.0, 0.0),
            atol=1e-12,
        ),
        Case(
            "x = (2, 0), λ = 0: stationary but outside the ball, ‖x‖² − r² = 3",
            (np.array([2.0, 0.0]), 0.0, I2, b, 1.0),
            expected=(0.0, 3.0, 0.0, 0.0),
            atol=1e-12,
        ),
        Case(
            "x = (1, 0), λ = −½: a negative multiplier is not allowed",
            (np.array([1.0, 0.0]), -0.5, I2, b, 1.0),
            expected=(2.0, 0.0, 0.5, 0.0),
            atol=1e-12,
        ),
        Case(
            "a 3 × 2 problem at x = (0.5, 0.25), λ = 0.3, r = 0.5",
            (x, 0.3, A, b3, 0.5),
            expected=_kkt_reference(x, 0.3, A, b3, 0.5),
            rtol=1e-10,
            atol=1e-14,
        ),
    ]
