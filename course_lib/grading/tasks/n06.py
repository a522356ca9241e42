"""Public cases for ``06_momentum``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_MOMENTUM = (
    "course_lib.descent.gradient_descent",
    "course_lib.descent.heavy_ball",
    "course_lib.descent.nesterov",
    "course_lib.curvature.optimal_momentum",
    "course_lib.curvature.momentum_rate",
    "course_lib.curvature.momentum_rate_for",
    "course_lib.curvature.optimal_gd_step",
)


def ravine_gradient(x):
    """Gradient (x₀, 50 x₁) of the ravine ½(x₀² + 50 x₁²)."""
    return np.asarray(x, dtype=float) * np.array([1.0, 50.0])


def _gd(x0, eta, steps):
    xs = [np.asarray(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - eta * ravine_gradient(xs[-1]))
    return np.array(xs)


def _two_step(x0, eta, beta, steps):
    """x_{k+1} = x_k − η∇f(x_k) + β(x_k − x_{k−1}), x_{−1} = x_0: the heavy ball, rewritten."""
    xs = [np.asarray(x0, dtype=float)]
    previous = xs[0]
    for _ in range(steps):
        x = xs[-1]
        xs.append(x - eta * ravine_gradient(x) + beta * (x - previous))
        previous = x
    return np.array(xs)


def _nesterov_reference(x0, eta, beta, steps):
    """Nesterov written with the look-ahead point y = x + β(x − x_prev), then re-expressed.

    In torch's form x_{k+1} = x_k − η(g_k + βV_{k+1}) with V_{k+1} = βV_k + g_k; here the same
    iteration is written as x_{k+1} = x_k − η(1 + β) g_k + β(x_k − x_{k−1}) + ηβ g_{k−1}
    (g_{−1} = 0, x_{−1} = x_0), derived by eliminating V.
    """
    xs = [np.asarray(x0, dtype=float)]
    previous, g_previous = xs[0], np.zeros_like(xs[0])
    for _ in range(steps):
        x = xs[-1]
        g = ravine_gradient(x)
        xs.append(x - eta * (1 + beta) * g + beta * (x - previous) + eta * beta * g_previous)
        previous, g_previous = x, g
    return np.array(xs)


@register(
    "06.heavy_ball",
    name="heavy_ball",
    hint="The velocity starts at zero and is updated before θ in every step; keep every iterate, "
    "θ₀ included.",
    blocks=_MOMENTUM,
)
def _heavy_ball_cases():
    x0 = np.array([1.0, 1.0])
    return [
        Case(
            "β = 0 is gradient descent, exactly",
            (ravine_gradient, x0, 0.03, 0.0, 10),
            expected=_gd(x0, 0.03, 10),
            rtol=0.0,
        ),
        Case(
            "η = 0.03, β = 0.7, 20 steps on the ravine ½(x₀² + 50 x₁²)",
            (ravine_gradient, x0, 0.03, 0.7, 20),
            expected=_two_step(x0, 0.03, 0.7, 20),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "zero steps: just x0, shape (1, 2)",
            (ravine_gradient, x0, 0.03, 0.7, 0),
            expected=x0[None, :],
        ),
    ]


@register(
    "06.optimal_momentum",
    name="optimal_momentum",
    hint="Both formulas need only the extreme eigenvalues of A (and their square roots); return "
    "the tuple (η, β).",
    blocks=_MOMENTUM,
)
def _optimal_cases():
    return [
        Case("λmin = 1, λmax = 9", (1.0, 9.0), expected=(0.25, 0.25), rtol=1e-12),
        Case(
            "λmin = 1, λmax = 100",
            (1.0, 100.0),
            expected=(4.0 / 121.0, (9.0 / 11.0) ** 2),
            rtol=1e-12,
        ),
        Case("κ = 1: no momentum needed", (2.0, 2.0), expected=(0.5, 0.0), rtol=1e-12, atol=1e-15),
    ]


@register(
    "06.nesterov",
    name="nesterov",
    hint="Start from your heavy ball: the velocity update is the same, only the direction of the θ "
    "step changes, as the task's formula says.",
    blocks=_MOMENTUM,
)
def _nesterov_cases():
    x0 = np.array([1.0, 1.0])
    return [
        Case(
            "β = 0 is gradient descent, exactly",
            (ravine_gradient, x0, 0.03, 0.0, 10),
            expected=_gd(x0, 0.03, 10),
            rtol=0.0,
        ),
        Case(
            "η = 0.03, β = 0.7, 20 steps on the ravine",
            (ravine_gradient, x0, 0.03, 0.7, 20),
            expected=_nesterov_reference(x0, 0.03, 0.7, 20),
            rtol=1e-9,
            atol=1e-12,
        ),
    ]
