"""Public cases for ``11_gradient_free_nelder_mead``.

A simplex is an array of d + 1 vertices, shape (d + 1, d), with their values f(xᵢ), shape
(d + 1,). The single-iteration cases are worked by hand (the working is in the comments);
the whole-run case is compared with ``scipy.optimize.minimize(method="Nelder-Mead")`` started
from the same simplex, whose rules (Lagarias et al., 1998) the exercise follows.
"""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_NELDER_MEAD = (
    "course_lib.gradient_free.centroid",
    "course_lib.gradient_free.reflect",
    "course_lib.gradient_free.expand",
    "course_lib.gradient_free.contract_outside",
    "course_lib.gradient_free.contract_inside",
    "course_lib.gradient_free.shrink",
    "course_lib.gradient_free.nelder_mead",
)


def bowl(x):
    """x₀² + x₁², over the last axis (one point (2,) or a stack (k, 2))."""
    x = np.asarray(x, dtype=float)
    return np.sum(x**2, axis=-1)


def shifted_bowl(x):
    """(x₀ − 3)² + (x₁ − 2)², over the last axis."""
    x = np.asarray(x, dtype=float)
    return (x[..., 0] - 3.0) ** 2 + (x[..., 1] - 2.0) ** 2


def tilted_valley(x):
    """(x₀ − 1)² + 10 (x₁ − x₀/2)², over the last axis: minimum 0 at (1, ½)."""
    x = np.asarray(x, dtype=float)
    return (x[..., 0] - 1.0) ** 2 + 10.0 * (x[..., 1] - x[..., 0] / 2.0) ** 2


def _without_worst(simplex, values):
    return np.delete(simplex, np.argmax(values), axis=0)


@register(
    "11.centroid",
    name="centroid",
    hint="Find the worst vertex first; the centroid is the mean of the other d vertices, which you "
    "can get without a loop and without sorting.",
    blocks=_NELDER_MEAD,
)
def _centroid_cases():
    tetra = np.random.default_rng(110).normal(size=(4, 3))
    tetra_values = np.array([0.3, 2.5, -1.0, 0.7])
    return [
        Case(
            "triangle (0, 0), (2, 0), (5, 5) with the worst last",
            (np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 5.0]]), np.array([0.0, 1.0, 9.0])),
            expected=np.array([1.0, 0.0]),
        ),
        Case(
            "the same triangle with the worst vertex first",
            (np.array([[5.0, 5.0], [0.0, 0.0], [2.0, 0.0]]), np.array([9.0, 0.0, 1.0])),
            expected=np.array([1.0, 0.0]),
        ),
        Case(
            "a tetrahedron in 3-D, worst vertex second",
            (tetra, tetra_values),
            expected=_without_worst(tetra, tetra_values).mean(axis=0),
            rtol=1e-12,
        ),
    ]


@register(
    "11.reflect",
    name="reflect",
    hint="Reuse your centroid; the worst vertex is the one with the largest value, and rho scales "
    "the step from the centroid, away from the worst vertex.",
    blocks=_NELDER_MEAD,
)
def _reflect_cases():
    triangle = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 1.0]])
    values = np.array([0.0, 1.0, 2.0])  # worst (1, 1), centroid (1, 0)
    return [
        Case("reflect (1, 1) through (1, 0)", (triangle, values), expected=np.array([1.0, -1.0])),
        Case(
            "rho = 2: the expansion point", (triangle, values, 2.0), expected=np.array([1.0, -2.0])
        ),
        Case(
            "rho = −½: the inside contraction point",
            (triangle, values, -0.5),
            expected=np.array([1.0, 0.5]),
        ),
    ]


def ridge(x):
    """−2x₀² + ½x₀ − x₁² − ¼x₁, over the last axis: every line move fails near the origin."""
    x = np.asarray(x, dtype=float)
    return -2.0 * x[..., 0] ** 2 + 0.5 * x[..., 0] - x[..., 1] ** 2 - 0.25 * x[..., 1]


@register(
    "11.choose_move",
    name="choose_move",
    hint="Compute the reflection and its value first, then walk down the table's four cases in "
    "order, comparing with the best, the second worst and the worst value; count each call of f.",
    blocks=_NELDER_MEAD,
)
def _move_cases():
    return [
        # shifted_bowl at (1,0), (0,1), (0,0): 8, 10, 13; centroid (½, ½); x_r = (1, 1): 5 < 8,
        # x_e = (1.5, 1.5): 2.5 < 5, so the expansion is kept. 2 evaluations.
        Case(
            "expansion: f = (x₀ − 3)² + (x₁ − 2)², sorted simplex (1, 0), (0, 1), (0, 0)",
            (
                shifted_bowl,
                np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
                np.array([8.0, 10.0, 13.0]),
            ),
            expected=("expand", np.array([1.5, 1.5]), 2.5, 2),
            rtol=1e-12,
        ),
        # bowl at (1,0), (0,2), (2,3): 1, 4, 13; centroid (½, 1); x_r = (−1, −1): 2, 1 ≤ 2 < 4
        Case(
            "reflection: f = x₀² + x₁², sorted simplex (1, 0), (0, 2), (2, 3)",
            (bowl, np.array([[1.0, 0.0], [0.0, 2.0], [2.0, 3.0]]), np.array([1.0, 4.0, 13.0])),
            expected=("reflect", np.array([-1.0, -1.0]), 2.0, 1),
            rtol=1e-12,
        ),
        # bowl at (1,0), (−1,−1), (0,2): 1, 2, 4; centroid (0, −½); x_r = (0, −3): 9 ≥ 4, so
        # contract inside: (0, −½) − ½(0, −2.5) = (0, ¾): 0.5625 < 4, kept
        Case(
            "inside contraction: f = x₀² + x₁², sorted simplex (1, 0), (−1, −1), (0, 2)",
            (bowl, np.array([[1.0, 0.0], [-1.0, -1.0], [0.0, 2.0]]), np.array([1.0, 2.0, 4.0])),
            expected=("contract inside", np.array([0.0, 0.75]), 0.5625, 2),
            rtol=1e-12,
        ),
        # ridge at (−1,0), (1,0), (0,1): −2.5, −1.5, −1.25; centroid (0, 0); x_r = (0, −1): −0.75
        # ≥ −1.25; x_c = (0, ½): −0.375 ≥ −1.25, so shrink (the last point tried is x_c)
        Case(
            "shrink: a ridge, sorted simplex (−1, 0), (1, 0), (0, 1)",
            (ridge, np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.array([-2.5, -1.5, -1.25])),
            expected=("shrink", np.array([0.0, 0.5]), -0.375, 2),
            rtol=1e-12,
        ),
    ]


@register(
    "11.nelder_mead_step",
    name="nelder_mead_step",
    hint="Sort a copy first, let your choose_move pick the move, then either put its point in the "
    "worst vertex's place or shrink the other d vertices towards the best (d more calls of f); "
    "sort again before returning.",
    blocks=_NELDER_MEAD,
)
def _step_cases():
    return [
        # shifted_bowl at (1,0), (0,1), (0,0): 8, 10, 13; centroid (½, ½); x_r = (1, 1): 5 < 8,
        # so expand to x_e = (½, ½) + 2(½, ½) = (1.5, 1.5): 2.5 < 5, kept. 2 evaluations.
        Case(
            "expansion: f = (x₀ − 3)² + (x₁ − 2)², simplex (1, 0), (0, 1), (0, 0)",
            (
                shifted_bowl,
                np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]),
                np.array([8.0, 10.0, 13.0]),
            ),
            expected=(
                np.array([[1.5, 1.5], [1.0, 0.0], [0.0, 1.0]]),
                np.array([2.5, 8.0, 10.0]),
                2,
            ),
            rtol=1e-12,
        ),
        # bowl at (1,0), (0,2), (2,3): 1, 4, 13; centroid (½, 1); x_r = (−1, −1): 2, and
        # 1 ≤ 2 < 4, so the reflection is kept. 1 evaluation.
        Case(
            "reflection: f = x₀² + x₁², simplex (1, 0), (0, 2), (2, 3)",
            (bowl, np.array([[1.0, 0.0], [0.0, 2.0], [2.0, 3.0]]), np.array([1.0, 4.0, 13.0])),
            expected=(
                np.array([[1.0, 0.0], [-1.0, -1.0], [0.0, 2.0]]),
                np.array([1.0, 2.0, 4.0]),
                1,
            ),
            rtol=1e-12,
        ),
        # bowl at (1,0), (0,2), (−1,−1): 1, 4, 2 (not sorted); worst (0, 2), centroid (0, −½);
        # x_r = (0, −3): 9 ≥ 4, so contract inside: x_ic = (0, −½) − ½(0, −2.5) = (0, ¾):
        # 0.5625 < 4, kept. 2 evaluations.
        Case(
            "inside contraction, input not sorted: f = x₀² + x₁², simplex (1, 0), (0, 2), (−1, −1)",
            (bowl, np.array([[1.0, 0.0], [0.0, 2.0], [-1.0, -1.0]]), np.array([1.0, 4.0, 2.0])),
            expected=(
                np.array([[0.0, 0.75], [1.0, 0.0], [-1.0, -1.0]]),
                np.array([0.5625, 1.0, 2.0]),
                2,
            ),
            rtol=1e-12,
        ),
    ]


def _scipy_run(f, simplex, xatol, fatol):
    from scipy.optimize import minimize

    res = minimize(
        f,
        simplex[0],
        method="Nelder-Mead",
        options={
            "initial_simplex": simplex,
            "xatol": xatol,
            "fatol": fatol,
            "maxiter": 100_000,
            "maxfev": 100_000,
        },
    )
    return res.x, res.nfev


@register(
    "11.evaluations_to_converge",
    name="evaluations_to_converge",
    hint="Count the d + 1 starting evaluations, sort, and loop: test the two stopping rules (and "
    "the budget) before every step, and add what each nelder_mead_step reports.",
    blocks=_NELDER_MEAD,
)
def _converge_cases():
    start = np.array([[0.1, -0.3], [0.7, 0.05], [-0.2, 0.6]])
    tiny = np.array([[1.0, 0.5], [1.0 + 1e-6, 0.5], [1.0, 0.5 + 1e-6]])
    return [
        Case(
            "already converged: just the d + 1 = 3 starting evaluations",
            (tilted_valley, tiny, 1e-4, 1e-4, 1000),
            expected=(np.array([1.0, 0.5]), 3),
            rtol=0.0,
        ),
        Case(
            "tilted valley (x₀ − 1)² + 10(x₁ − x₀/2)²: as scipy's Nelder–Mead from this simplex",
            (tilted_valley, start, 1e-6, 1e-8, 10_000),
            expected=_scipy_run(tilted_valley, start, 1e-6, 1e-8),
            rtol=1e-9,
            atol=1e-12,
        ),
    ]
