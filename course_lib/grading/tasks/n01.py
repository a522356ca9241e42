"""Public cases for ``01_closed_form_vs_iterative``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_CLOSED_FORMS = (
    "course_lib.closed_form.line_fit",
    "course_lib.closed_form.normal_equations",
    "course_lib.closed_form.lstsq_solution",
    "course_lib.closed_form.pinv_solution",
)


def _line_data(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 3.0, n)
    return x, 1.5 * x - 0.5 + 0.3 * rng.standard_normal(n)


@register(
    "01.line_fit",
    name="line_fit",
    hint="Set the two partial derivatives of the squared error to zero and solve the 2 × 2 system "
    "by hand; the formula needs only the sums Σx, Σy, Σxy and Σx². Return the tuple (m, b).",
    blocks=_CLOSED_FORMS,
)
def _line_fit_cases():
    x, y = _line_data(40, 1)
    m, b = np.polyfit(x, y, 1)
    return [
        Case(
            "points on the line y = 2x + 1", ([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]), expected=(2.0, 1.0)
        ),
        Case("40 noisy points (compared with numpy.polyfit)", (x, y), expected=(m, b), rtol=1e-9),
        Case(
            "a horizontal line y = 4",
            (np.arange(5.0), np.full(5, 4.0)),
            expected=(0.0, 4.0),
            atol=1e-12,
        ),
    ]


@register(
    "01.normal_equations",
    name="normal_equations",
    hint="Form the normal equations and hand them to a linear solver; an explicit inverse is "
    "slower and less accurate.",
    blocks=_CLOSED_FORMS,
)
def _normal_equations_cases():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(30)
    x = np.array([0.0, 1.0, 2.0])
    return [
        Case(
            "the line y = 2x + 1 with design matrix [x, 1]",
            (np.column_stack([x, np.ones(3)]), 2 * x + 1),
            expected=np.array([2.0, 1.0]),
        ),
        Case(
            "30 examples, 3 features (compared with numpy.linalg.lstsq)",
            (X, y),
            expected=np.linalg.lstsq(X, y, rcond=None)[0],
            rtol=1e-9,
        ),
    ]


def _mse_gradient_reference(w, X, y):
    return 2.0 / X.shape[0] * X.T @ (X @ w - y)


@register(
    "01.mse_gradient",
    name="mse_gradient",
    hint="Differentiate (1/n)‖Xw − y‖² with the chain rule; the residual vector appears, and two "
    "matrix-vector products give the gradient, no loop.",
    blocks=(
        "course_lib.stochastic.least_squares_gradient",
        "course_lib.stochastic.per_example_gradients",
        "course_lib.objectives.least_squares",
    ),
)
def _mse_gradient_cases():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((25, 4))
    y = rng.standard_normal(25)
    w = rng.standard_normal(4)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]

    def vanishes(result):
        g = np.asarray(result, dtype=float)
        if g.shape != (4,):
            return f"expected shape (4,), got shape {g.shape}"
        return (
            None
            if np.allclose(g, 0.0, atol=1e-10)
            else (f"the gradient at the least-squares solution must be 0, got {g!r}")
        )

    return [
        Case(
            "25 examples, 4 features, a random w",
            (w, X, y),
            expected=_mse_gradient_reference(w, X, y),
            rtol=1e-9,
        ),
        Case(
            "the gradient vanishes at the least-squares solution", (w_star, X, y), verify=vanishes
        ),
    ]


def _gd_reference(x, y, learning_rate, steps):
    m = b = 0.0
    for _ in range(steps):
        r = m * x + b - y
        m, b = m - learning_rate * 2 * np.mean(r * x), b - learning_rate * 2 * np.mean(r)
    return m, b


@register(
    "01.gd_line_fit",
    name="gd_line_fit",
    hint="Start at m = b = 0 and repeat the gradient step; the two partial derivatives of the mean "
    "squared error are means over the data of the residual times ∂(m x + b)/∂m and ∂/∂b.",
    blocks=(*_CLOSED_FORMS, "course_lib.descent.gradient_descent"),
)
def _gd_line_fit_cases():
    x, y = _line_data(50, 4)
    return [
        Case(
            "one step from (0, 0)", (x, y, 0.1, 1), expected=_gd_reference(x, y, 0.1, 1), rtol=1e-9
        ),
        Case(
            "20 steps, learning rate 0.05",
            (x, y, 0.05, 20),
            expected=_gd_reference(x, y, 0.05, 20),
            rtol=1e-9,
        ),
        Case(
            "2000 steps reach the closed-form line (numpy.polyfit)",
            (x, y, 0.1, 2000),
            expected=tuple(np.polyfit(x, y, 1)),
            rtol=1e-6,
        ),
    ]
