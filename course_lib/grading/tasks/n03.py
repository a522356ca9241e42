"""Public cases for ``03_gradient_descent``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_DESCENT = (
    "course_lib.descent.gradient_descent",
    "course_lib.descent.heavy_ball",
    "course_lib.descent.nesterov",
)


def bowl_gradient(x):
    """Gradient (x₀, 10 x₁) of the elongated bowl ½(x₀² + 10 x₁²)."""
    return np.asarray(x, dtype=float) * np.array([1.0, 10.0])


def rosenbrock_gradient(x):
    """Gradient of (1 − x₀)² + 100 (x₁ − x₀²)²."""
    x0, x1 = np.asarray(x, dtype=float)
    return np.array([-2 * (1 - x0) - 400 * x0 * (x1 - x0**2), 200 * (x1 - x0**2)])


def _descend_reference(gradient, x0, learning_rate, tol, max_iter):
    x = np.asarray(x0, dtype=float)
    for t in range(max_iter + 1):
        g = gradient(x)
        if np.linalg.norm(g) <= tol or t == max_iter:
            return x, t
        x = x - learning_rate * g
    raise AssertionError("unreachable")


@register(
    "03.gd_step",
    name="gd_step",
    hint="Call the gradient function at x, then move against what it returns; build a new array "
    "rather than changing x.",
    blocks=_DESCENT,
)
def _gd_step_cases():
    x = np.array([2.0, 1.0])
    p = np.array([-1.2, 1.0])
    return [
        Case(
            "the bowl ½(x₀² + 10 x₁²) at (2, 1), learning rate 0.1",
            (bowl_gradient, x, 0.1),
            expected=np.array([1.8, 0.0]),
            rtol=1e-12,
            atol=1e-15,
        ),
        Case(
            "Rosenbrock at (−1.2, 1), learning rate 1e-3",
            (rosenbrock_gradient, p, 1e-3),
            expected=p - 1e-3 * rosenbrock_gradient(p),
            rtol=1e-12,
        ),
        Case(
            "learning rate 0 does not move",
            (bowl_gradient, x, 0.0),
            expected=x,
            rtol=0.0,
        ),
    ]


@register(
    "03.descend",
    name="descend",
    hint="Test the stopping rule before every step, the first one included (zero steps are "
    "possible), and count only the steps you actually take.",
    blocks=_DESCENT,
)
def _descend_cases():
    x0 = np.array([2.0, 1.0])
    p = np.array([-1.2, 1.0])
    ref = _descend_reference(bowl_gradient, x0, 0.15, 1e-6, 1000)
    capped = _descend_reference(rosenbrock_gradient, p, 1e-3, 1e-8, 50)
    return [
        Case(
            "already at the minimum: zero steps",
            (bowl_gradient, np.zeros(2), 0.1, 1e-8, 100),
            expected=(np.zeros(2), 0),
        ),
        Case(
            "the bowl from (2, 1), learning rate 0.15, tol 1e-6",
            (bowl_gradient, x0, 0.15, 1e-6, 1000),
            expected=ref,
            rtol=1e-9,
            atol=1e-15,
        ),
        Case(
            "Rosenbrock stops at max_iter = 50",
            (rosenbrock_gradient, p, 1e-3, 1e-8, 50),
            expected=capped,
            rtol=1e-9,
        ),
    ]


@register(
    "03.directional_derivative",
    name="directional_derivative",
    hint="Normalise each direction by its own length; one matrix-vector product then gives all "
    "the slopes, for one direction or a stack.",
    blocks=("course_lib.derivatives.directional_derivative",),
)
def _directional_cases():
    g = np.array([3.0, 4.0])
    return [
        Case("g = (3, 4) along e₀", (g, np.array([1.0, 0.0])), expected=3.0, rtol=1e-12),
        Case(
            "g = (3, 4) along (0, 2): the length of v does not matter",
            (g, np.array([0.0, 2.0])),
            expected=4.0,
            rtol=1e-12,
        ),
        Case(
            "three directions at once, shape (3, 2)",
            (g, np.array([[1.0, 0.0], [1.0, 1.0], [-3.0, -4.0]])),
            expected=np.array([3.0, 7.0 / np.sqrt(2.0), -5.0]),
            rtol=1e-12,
        ),
    ]


def _is_steepest(result, g):
    u = np.asarray(result, dtype=float)
    if u.shape != g.shape:
        return f"expected shape {g.shape}, got shape {u.shape}"
    norms = np.linalg.norm(u, axis=-1)
    if not np.allclose(norms, 1.0, rtol=1e-12):
        return f"the direction must have length 1, got length(s) {norms}"
    slopes = np.sum(u * g, axis=-1)
    if not np.allclose(slopes, -np.linalg.norm(g, axis=-1), rtol=1e-12):
        return f"the slope g·u must be −‖g‖ = {-np.linalg.norm(g, axis=-1)}, got {slopes}"
    return None


@register(
    "03.steepest_direction",
    name="steepest_direction",
    hint="Scale −g to length 1; for a stack, each row by its own length (keep the axis so the "
    "division broadcasts).",
    blocks=("course_lib.derivatives.directional_derivative",),
)
def _steepest_cases():
    batch = np.array([[1.0, 0.0], [0.5, -0.5], [-2.0, 7.0]])
    return [
        Case(
            "g = (3, 4)",
            (np.array([3.0, 4.0]),),
            expected=np.array([-0.6, -0.8]),
            rtol=1e-12,
        ),
        Case(
            "a batch of three gradients, shape (3, 2)",
            (batch,),
            verify=lambda result: _is_steepest(result, batch),
        ),
    ]


# ---------------------------------------------------------------- the best finite step
def bowl(P):
    """½(x₀² + 10 x₁²) for one point (2,) or a stack (k, 2)."""
    P = np.asarray(P, dtype=float)
    return 0.5 * (P[..., 0] ** 2 + 10.0 * P[..., 1] ** 2)


def _best_reference(f, g, x, r, k):
    theta = np.linspace(0.0, 2.0 * np.pi, k, endpoint=False)
    U = np.column_stack([np.cos(theta), np.sin(theta)])
    u = U[np.argmin(f(np.asarray(x, dtype=float) + r * U))]
    minus_g = -np.asarray(g, dtype=float) / np.linalg.norm(g)
    return u, float(np.degrees(np.arccos(np.clip(u @ minus_g, -1.0, 1.0))))


@register(
    "03.best_finite_step",
    name="best_finite_step",
    hint="Build all k angles as one array, turn them into a (k, 2) array of unit vectors, call f "
    "once on x + r·U, pick the smallest; the angle to −g comes from a dot product of unit vectors.",
    blocks=_DESCENT,
)
def _finite_step_cases():
    x, g = np.array([2.0, 1.0]), np.array([2.0, 10.0])
    return [
        Case(
            "four directions, the bowl at (2, 1), r = 1: (0, −1) is best, 11.3° from −∇f",
            (bowl, g, x, 1.0, 4),
            expected=_best_reference(bowl, g, x, 1.0, 4),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "360 directions, r = 0.01: almost exactly −∇f",
            (bowl, g, x, 0.01, 360),
            expected=_best_reference(bowl, g, x, 0.01, 360),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "360 directions, r = 2: far from −∇f",
            (bowl, g, x, 2.0, 360),
            expected=_best_reference(bowl, g, x, 2.0, 360),
            rtol=1e-9,
            atol=1e-12,
        ),
    ]
