"""Public cases for ``13_convexity_and_convergence_rates``."""

from __future__ import annotations

import math

import numpy as np

from course_lib.grading.checker import Case, register

_CONVERGENCE = (
    "course_lib.convergence.smoothness_constants",
    "course_lib.convergence.objective_constants",
    "course_lib.convergence.least_squares_data",
    "course_lib.convergence.gd_convex_bound",
    "course_lib.convergence.gd_strongly_convex_bound",
    "course_lib.convergence.gd_strongly_convex_gap_bound",
    "course_lib.convergence.nesterov_strongly_convex_bound",
    "course_lib.convergence.jensen_gap",
    "course_lib.convergence.convexity_check",
    "course_lib.convergence.sgd_distance_bound",
    "course_lib.convergence.sgd_inverse_time_bound",
    "course_lib.curvature.hessian_eigen",
    "course_lib.curvature.condition_number",
)


def parabola(p):
    """3 x², vectorised over a leading batch of 1-D points (shape (..., 1))."""
    p = np.asarray(p, dtype=float)
    return 3.0 * p[..., 0] ** 2


def double_well(p):
    """x⁴/4 − x², vectorised over a leading batch of 1-D points: not convex."""
    p = np.asarray(p, dtype=float)
    return p[..., 0] ** 4 / 4 - p[..., 0] ** 2


def _svd_constants(X):
    """L and μ of (1/2n)‖Xw − y‖² from the singular values: σᵢ²/n (independent of eigh)."""
    s = np.linalg.svd(np.asarray(X, float), compute_uv=False)
    n, d = np.shape(X)
    squares = np.concatenate([s**2, np.zeros(max(d - len(s), 0))]) / n
    return float(squares.max()), float(squares.min())


@register(
    "13.least_squares_constants",
    name="least_squares_constants",
    hint="The Hessian of (1/2n)‖Xw − y‖² is XᵀX / n; L and μ are its largest and smallest "
    "eigenvalues (np.linalg.eigvalsh); return the tuple (L, mu).",
    blocks=_CONVERGENCE,
)
def _constants_cases():
    X1 = np.array([[2.0, 0.0], [0.0, 1.0]])
    X2 = np.array([[1.0, 1.0], [1.0, -1.0], [2.0, 0.0], [0.0, 3.0]])
    X3 = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    return [
        Case("X = diag(2, 1), n = 2", (X1,), expected=(2.0, 0.5), rtol=1e-12),
        Case("a 4 × 2 design", (X2,), expected=_svd_constants(X2), rtol=1e-10),
        Case(
            "dependent columns: μ = 0",
            (X3,),
            expected=_svd_constants(X3),
            rtol=1e-10,
            atol=1e-12,
        ),
    ]


@register(
    "13.gd_bounds",
    name="gd_bounds",
    hint="Return (L R² / (2t), (1 − μ/L)^t R²) with R² = distance_sq; both work on an array t "
    "without a loop.",
    blocks=_CONVERGENCE,
)
def _gd_bounds_cases():
    t = np.array([1.0, 2.0, 10.0])
    return [
        Case(
            "t = 1, 2, 10 with L = 4, μ = 1, R² = 2",
            (t, 4.0, 1.0, 2.0),
            expected=(4.0 * 2.0 / (2 * t), 0.75**t * 2.0),
            rtol=1e-12,
        ),
        Case(
            "μ = L: one step reaches x*",
            (np.array([1.0, 3.0]), 2.0, 2.0, 5.0),
            expected=(np.array([5.0, 5.0 / 3.0]), np.array([0.0, 0.0])),
            rtol=1e-12,
            atol=1e-15,
        ),
    ]


def _steps_reference(kappa, epsilon, accelerated):
    rate = 1 - 1 / math.sqrt(kappa) if accelerated else 1 - 1 / kappa
    t = 0
    while rate**t > epsilon:
        t += 1
    return t


@register(
    "13.steps_needed",
    name="steps_needed",
    hint="The smallest integer t with ρ^t ≤ ε: t = ⌈log ε / log ρ⌉, with ρ = 1 − 1/κ for GD "
    "and ρ = 1 − 1/√κ for Nesterov; return an int.",
    blocks=_CONVERGENCE,
)
def _steps_cases():
    return [
        Case(
            "κ = 100, ε = 1e-6, GD",
            (100.0, 1e-6, False),
            expected=_steps_reference(100, 1e-6, False),
        ),
        Case(
            "κ = 100, ε = 1e-6, Nesterov",
            (100.0, 1e-6, True),
            expected=_steps_reference(100, 1e-6, True),
        ),
        Case("κ = 4, ε = 0.25, Nesterov: exactly 2", (4.0, 0.25, True), expected=2),
    ]


@register(
    "13.jensen_gap",
    name="jensen_gap",
    hint="Evaluate f at θx + (1 − θ)y and subtract θ f(x) + (1 − θ) f(y); with θ of shape "
    "(...,) use theta[..., None] to scale the points (..., d).",
    blocks=_CONVERGENCE,
)
def _jensen_cases():
    x, y = np.array([[1.0], [0.0]]), np.array([[-1.0], [2.0]])
    theta = np.array([0.5, 0.25])
    return [
        Case(
            "3x² on two segments: −3θ(1 − θ)(x − y)²",
            (parabola, x, y, theta),
            expected=-3.0 * theta * (1 - theta) * (x[:, 0] - y[:, 0]) ** 2,
            rtol=1e-12,
        ),
        Case(
            "the double well between its valleys: the chord dips below (gap > 0)",
            (double_well, np.array([-np.sqrt(2.0)]), np.array([np.sqrt(2.0)]), 0.5),
            expected=1.0,
            rtol=1e-12,
        ),
    ]


@register(
    "13.sgd_bound",
    name="sgd_bound",
    hint="Start from r₀ = distance_sq and apply r ← (1 − γ_t μ) r + 2 γ_t² σ² for each step; "
    "return all T + 1 values as an array.",
    blocks=_CONVERGENCE,
)
def _sgd_cases():
    gamma, mu, sigma, R2 = 0.1, 0.5, 2.0, 3.0
    t = np.arange(6)
    q = (1 - gamma * mu) ** t
    return [
        Case(
            "constant γ = 0.1: (1 − γμ)^t R² + (2γσ²/μ)(1 − (1 − γμ)^t)",
            (np.full(5, gamma), mu, sigma, R2),
            expected=q * R2 + 2 * gamma * sigma / mu * (1 - q),
            rtol=1e-12,
        ),
        Case(
            "no noise: a product of the factors",
            (np.array([0.1, 0.2, 0.4]), 1.0, 0.0, 1.0),
            expected=np.array([1.0, 0.9, 0.72, 0.432]),
            rtol=1e-12,
        ),
    ]
