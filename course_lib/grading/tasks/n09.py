"""Public cases for ``09_losses_and_empirical_risk``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_LOSSES = (
    "course_lib.losses.sigmoid",
    "course_lib.losses.hinge_loss",
    "course_lib.losses.hinge_derivative",
    "course_lib.losses.logistic_loss",
    "course_lib.losses.logistic_derivative",
    "course_lib.losses.margin_loss",
    "course_lib.losses.margin_loss_derivative",
    "course_lib.losses.logsumexp",
    "course_lib.losses.empirical_risk",
    "course_lib.losses.empirical_risk_gradient",
    "course_lib.losses.empirical_risk_hessian",
    "course_lib.losses.risk_objective",
    "course_lib.losses.logistic_regression",
    "course_lib.descent.gradient_descent",
    "course_lib.stochastic.sgd",
)

# six points with an intercept column; the classes overlap, so the risk has a minimiser
X6 = np.array(
    [[1.0, -2.0], [1.0, -1.0], [1.0, -0.2], [1.0, 0.3], [1.0, 1.0], [1.0, 2.5]],
)
Y6 = np.array([-1.0, -1.0, 1.0, -1.0, 1.0, 1.0])


def _sigmoid(z):
    """σ(z) = ½(1 + tanh(z/2)): the same function, written without any exponential."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def _risk_gradient(w, X, y):
    return -(X.T @ (y * _sigmoid(-y * (X @ w)))) / len(y)


# ---------------------------------------------------------------- the hinge loss
@register(
    "09.hinge_loss",
    name="hinge_loss",
    hint="You need the elementwise maximum of two arrays (Python's max compares whole arrays).",
    blocks=_LOSSES,
)
def _hinge_cases():
    z = np.array([-1.0, 0.0, 0.5, 1.0, 3.0])
    return [
        Case("margins (−1, 0, 0.5, 1, 3)", (z,), expected=np.array([2.0, 1.0, 0.5, 0.0, 0.0])),
        Case(
            "a 2 × 2 array keeps its shape",
            (np.array([[-3.0, 2.0], [0.25, 1.5]]),),
            expected=np.array([[4.0, 0.0], [0.75, 0.0]]),
        ),
    ]


@register(
    "09.hinge_subgradient",
    name="hinge_subgradient",
    hint="Decide elementwise: is z below 1? The kink itself, z = 1, counts as 'not below'.",
    blocks=_LOSSES,
)
def _hinge_subgradient_cases():
    return [
        Case(
            "margins (−1, 0, 0.5, 3): slope −1 below 1, 0 above",
            (np.array([-1.0, 0.0, 0.5, 3.0]),),
            expected=np.array([-1.0, -1.0, -1.0, 0.0]),
        ),
        Case("at the kink z = 1 we pick 0", (np.array([1.0]),), expected=np.array([0.0])),
        Case(
            "a 2 × 2 array keeps its shape",
            (np.array([[0.999, 1.001], [-5.0, 10.0]]),),
            expected=np.array([[-1.0, 0.0], [-1.0, 0.0]]),
        ),
    ]


# ---------------------------------------------------------------- the logistic loss
@register(
    "09.logistic_loss",
    name="logistic_loss",
    hint="Split off max(0, −z) so that the exponential only ever sees −|z|, and compute "
    "log(1 + t) for tiny t with the NumPy function made for it.",
    blocks=_LOSSES,
)
def _logistic_cases():
    z = np.linspace(-30.0, 30.0, 13)
    return [
        Case("z = 0: log 2", (np.array([0.0]),), expected=np.array([np.log(2.0)]), rtol=1e-12),
        Case(
            "z = 40: log(1 + e^(−40)) ≈ 4.2e-18, not 0 (1 + 4e-18 rounds to 1; use log1p)",
            (np.array([40.0]),),
            expected=np.array([np.exp(-40.0) - np.exp(-80.0) / 2]),
            rtol=1e-12,
        ),
        Case(
            "|z| = 1000: (1000, 0) with no overflow",
            (np.array([-1000.0, 1000.0]),),
            expected=np.array([1000.0, 0.0]),
            rtol=1e-12,
        ),
        Case(
            "13 margins from −30 to 30",
            (z,),
            expected=np.maximum(0.0, -z) + np.log1p(np.exp(-np.abs(z))),
            rtol=1e-12,
        ),
    ]


# ---------------------------------------------------------------- the empirical risk gradient
@register(
    "09.logistic_risk_gradient",
    name="logistic_risk_gradient",
    hint="Chain rule: the average of ℓ'(zᵢ) yᵢ xᵢ, one matrix product, no loop. For σ(−z) without "
    "overflow, relate it to your stable logistic loss.",
    blocks=_LOSSES,
)
def _gradient_cases():
    w = np.array([0.5, -1.0])
    return [
        Case(
            "w = 0: σ(0) = ½, so ∇R̂ = −(1/2n) Σ yᵢ xᵢ",
            (np.zeros(2), X6, Y6),
            expected=-(X6.T @ Y6) / (2 * len(Y6)),
            rtol=1e-12,
        ),
        Case(
            "six points, w = (0.5, −1)",
            (w, X6, Y6),
            expected=_risk_gradient(w, X6, Y6),
            rtol=1e-10,
        ),
        Case(
            "huge weights w = (0, −500): margins down to −1250, no overflow or nan",
            (np.array([0.0, -500.0]), X6, Y6),
            expected=_risk_gradient(np.array([0.0, -500.0]), X6, Y6),
            rtol=1e-10,
            atol=1e-12,
        ),
    ]


# ---------------------------------------------------------------- logistic regression by GD
def _gd_reference(X, y, eta, steps):
    W = [np.zeros(X.shape[1])]
    for _ in range(steps):
        W.append(W[-1] - eta * _risk_gradient(W[-1], X, y))
    return np.array(W)


@register(
    "09.logistic_gd",
    name="logistic_gd",
    hint="Start at the zero vector of length d and keep every iterate, w₀ included: steps + 1 "
    "rows.",
    blocks=_LOSSES,
)
def _gd_cases():
    return [
        Case(
            "one step from 0: w₁ = (η / 2n) Σ yᵢ xᵢ",
            (X6, Y6, 2.0, 1),
            expected=np.array([np.zeros(2), 2.0 * (X6.T @ Y6) / (2 * len(Y6))]),
            rtol=1e-12,
            atol=1e-15,
        ),
        Case(
            "η = 1.5, 30 steps on six points",
            (X6, Y6, 1.5, 30),
            expected=_gd_reference(X6, Y6, 1.5, 30),
            rtol=1e-9,
        ),
        Case("zero steps: just w₀ = 0, shape (1, 2)", (X6, Y6, 1.0, 0), expected=np.zeros((1, 2))),
    ]


# ---------------------------------------------------------------- the separable experiment
def _experiment_reference(X, y, eta, steps):
    W = _gd_reference(X, y, eta, steps)
    return np.linalg.norm(W, axis=1), np.sum(y * (W @ X.T) <= 0, axis=1)


# four points that a line through the origin separates (intercept column first)
X4 = np.array([[1.0, -2.0], [1.0, -1.0], [1.0, 1.0], [1.0, 2.0]])
Y4 = np.array([-1.0, -1.0, 1.0, 1.0])


@register(
    "09.separable_experiment",
    name="separable_experiment",
    hint="Run your logistic_gd once, then take the norm of every row of the iterates and count, "
    "for every row, the points whose margin is not positive.",
    blocks=_LOSSES,
)
def _experiment_cases():
    norms, mistakes = _experiment_reference(X4, Y4, 1.0, 50)

    def separable(result):
        got_norms, got_mistakes = (np.asarray(r) for r in result)
        if got_norms.shape != (51,) or got_mistakes.shape != (51,):
            shapes = f"{got_norms.shape} and {got_mistakes.shape}"
            return f"expected two arrays of shape (51,), got {shapes}"
        if not np.allclose(got_norms, norms, rtol=1e-9):
            return "the norms ‖w_t‖ differ from plain gradient descent from w₀ = 0"
        if not np.array_equal(got_mistakes, mistakes):
            return (
                "the mistake counts differ: count the points with y xᵀw ≤ 0 (w₀ = 0 gets all wrong)"
            )
        return None

    return [
        Case(
            "zero steps: ‖w₀‖ = 0 and every point is a mistake at w₀ = 0",
            (X4, Y4, 1.0, 0),
            expected=(np.zeros(1), np.array([4])),
        ),
        Case("four separable points, η = 1, 50 steps", (X4, Y4, 1.0, 50), verify=separable),
        Case(
            "six overlapping points, η = 1.5, 30 steps",
            (X6, Y6, 1.5, 30),
            expected=_experiment_reference(X6, Y6, 1.5, 30),
            rtol=1e-9,
        ),
    ]
