"""Public cases for ``07_hessian_and_newton``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_CURVATURE = (
    "course_lib.curvature.hessian_eigen",
    "course_lib.curvature.condition_number",
    "course_lib.curvature.classify_critical_point",
    "course_lib.descent.newton",
    "course_lib.derivatives.hessian",
    "course_lib.derivatives.hessian_from_gradient",
    "course_lib.derivatives.hessian_vector_product",
    "course_lib.derivatives.jacobian",
)


def _rotation(angle):
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


# ---------------------------------------------------------------- the second-derivative test
@register(
    "07.classify_critical_point",
    name="classify_critical_point",
    hint="Decide from the signs of the eigenvalues, treating tiny ones (relative to the largest "
    "|λ|, as the task says) as zero; think about which case must be tested first.",
    blocks=_CURVATURE,
)
def _classify_cases():
    R = _rotation(0.7)
    return [
        Case("diag(2, 3): both curvatures up", (np.diag([2.0, 3.0]),), expected="minimum"),
        Case(
            "a rotated diag(−1, −5): look at eigenvalues, not at single entries",
            (R @ np.diag([-1.0, -5.0]) @ R.T,),
            expected="maximum",
        ),
        Case(
            "[[0, 1], [1, 0]] (f = xy): zero diagonal, eigenvalues ±1",
            (np.array([[0.0, 1.0], [1.0, 0.0]]),),
            expected="saddle",
        ),
        Case(
            "diag(2, 0) (f = x² + y⁴): a zero eigenvalue, the test cannot decide",
            (np.diag([2.0, 0.0]),),
            expected="inconclusive",
        ),
        Case(
            "diag(1, 0, −1): up and down beats a zero eigenvalue",
            (np.diag([1.0, 0.0, -1.0]),),
            expected="saddle",
        ),
    ]


# ---------------------------------------------------------------- one Newton step
def bowl_gradient(x):
    """∇f for f(x) = ½ xᵀAx − bᵀx with A = [[3, 1], [1, 2]], b = (1, 1): A x − b."""
    return np.array([[3.0, 1.0], [1.0, 2.0]]) @ np.asarray(x, dtype=float) - np.array([1.0, 1.0])


def bowl_hessian(x):
    """The constant Hessian [[3, 1], [1, 2]] of the bowl."""
    return np.array([[3.0, 1.0], [1.0, 2.0]])


def cosh_gradient(x):
    """∇f for f(x) = Σ cosh(xᵢ): sinh(x)."""
    return np.sinh(np.asarray(x, dtype=float))


def cosh_hessian(x):
    """∇²f for f(x) = Σ cosh(xᵢ): diag(cosh(x))."""
    return np.diag(np.cosh(np.asarray(x, dtype=float)))


_HILBERT = 1.0 / (np.arange(10)[:, None] + np.arange(10)[None, :] + 1.0)


def hilbert_gradient(x):
    """∇f for f(x) = ½ xᵀHx − 1ᵀx with H the 10 × 10 Hilbert matrix (κ ≈ 1.6e13): Hx − 1."""
    return _HILBERT @ np.asarray(x, dtype=float) - 1.0


def hilbert_hessian(x):
    """The 10 × 10 Hilbert matrix Hᵢⱼ = 1 / (i + j + 1), a famously ill-conditioned Hessian."""
    return _HILBERT.copy()


def _solves_accurately(result):
    """Backward stability: ‖H x⁺ − 1‖ ≤ 1e-14 ‖H‖ ‖x⁺‖ (x⁺ = H⁻¹1 from x = 0)."""
    step = np.asarray(result, dtype=float)
    if step.shape != (10,):
        return f"expected shape (10,), got shape {step.shape}"
    residual = np.linalg.norm(_HILBERT @ step - 1.0)
    scale = np.linalg.norm(_HILBERT, 2) * np.linalg.norm(step)
    if not residual <= 1e-14 * scale:
        return (
            f"the step does not solve H d = ∇f accurately: ‖H d − ∇f‖ / (‖H‖ ‖d‖) = "
            f"{residual / scale:.1e} > 1e-14. Multiplying by np.linalg.inv(H) loses accuracy "
            "when H is ill-conditioned; np.linalg.solve(H, g) does not"
        )
    return None


@register(
    "07.newton_step",
    name="newton_step",
    hint="The Newton direction solves a linear system with the Hessian; solve it rather than "
    "invert, then scale the step by the damping.",
    blocks=_CURVATURE,
)
def _newton_cases():
    x = np.array([2.0, -1.0])
    a = np.array([0.5, -1.0, 2.0])
    return [
        Case(
            "a quadratic bowl: one full step lands on the minimiser A⁻¹b = (0.2, 0.4)",
            (bowl_gradient, bowl_hessian, x),
            expected=np.array([0.2, 0.4]),
            rtol=1e-12,
        ),
        Case(
            "damping 0.5 goes half way",
            (bowl_gradient, bowl_hessian, x, 0.5),
            expected=0.5 * (x + np.array([0.2, 0.4])),
            rtol=1e-12,
        ),
        Case(
            "f = Σ cosh(xᵢ) at (0.5, −1, 2): x − tanh(x), coordinate by coordinate",
            (cosh_gradient, cosh_hessian, a),
            expected=a - np.tanh(a),
            rtol=1e-12,
        ),
        Case(
            "the ill-conditioned Hilbert Hessian (κ ≈ 1.6e13), from x = 0",
            (hilbert_gradient, hilbert_hessian, np.zeros(10)),
            verify=_solves_accurately,
            hint="Solve the linear system H d = g with np.linalg.solve(H, g); do not form H⁻¹.",
        ),
    ]


# ---------------------------------------------------------------- a Hessian from a gradient
def strict_batch(x):
    """Raise unless x is the stacked batch of 2d points, shape (2d, d)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] != 2 * x.shape[1]:
        raise ValueError(
            f"gradient was called with shape {x.shape}: call it once, on all 2d points "
            "x ± h eᵢ stacked into one array of shape (2d, d)"
        )
    return x


def quadratic_gradient(x):
    """∇f = xA (row by row) for f = ½ xᵀAx, A = [[2, 1, 0], [1, 3, −1], [0, −1, 4]]."""
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    return strict_batch(x) @ A


def rosenbrock_gradient(x):
    """∇f of the Rosenbrock function (1 − x₀)² + 100 (x₁ − x₀²)², for a batch (m, 2)."""
    x = strict_batch(x)
    x0, x1 = x[:, 0], x[:, 1]
    return np.stack([-2 * (1 - x0) - 400 * x0 * (x1 - x0**2), 200 * (x1 - x0**2)], axis=-1)


def _is_symmetric(result, expected):
    H = np.asarray(result, dtype=float)
    if H.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {H.shape}"
    if not np.array_equal(H, H.T):
        return "the result is not exactly symmetric: return ½(J + Jᵀ)"
    if not np.allclose(H, expected, rtol=1e-6, atol=1e-6):
        return f"expected about {expected.round(4).tolist()}, got {H.round(4).tolist()}"
    return None


@register(
    "07.hessian_from_gradient",
    name="hessian_from_gradient",
    hint="Centered differences of the gradient along each coordinate give the columns; evaluate "
    "all 2d shifted points in one call, and remember a Hessian is symmetric.",
    blocks=_CURVATURE,
)
def _hessian_cases():
    A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    p = np.array([-1.2, 1.0])
    exact = np.array([[1200 * p[0] ** 2 - 400 * p[1] + 2, -400 * p[0]], [-400 * p[0], 200.0]])
    return [
        Case(
            "a quadratic ½ xᵀAx: the Hessian is A, at any point",
            (quadratic_gradient, np.array([0.3, -1.0, 2.0])),
            expected=A,
            rtol=1e-7,
            atol=1e-7,
        ),
        Case(
            "Rosenbrock at (1, 1): [[802, −400], [−400, 200]]",
            (rosenbrock_gradient, np.array([1.0, 1.0])),
            expected=np.array([[802.0, -400.0], [-400.0, 200.0]]),
            rtol=1e-6,
        ),
        Case(
            "Rosenbrock at (−1.2, 1), h = 1e-4: exactly symmetric",
            (rosenbrock_gradient, p, 1e-4),
            verify=lambda result: _is_symmetric(result, exact),
        ),
    ]


# ---------------------------------------------------------------- the condition number
@register(
    "07.condition_number",
    name="condition_number",
    hint="The eigenvalue routine accepts a stack of matrices; work with the absolute values along "
    "the last axis, and decide what a zero smallest value must give.",
    blocks=_CURVATURE,
)
def _condition_cases():
    R = _rotation(0.4)
    return [
        Case("diag(1, 10)", (np.diag([1.0, 10.0]),), expected=10.0, rtol=1e-12),
        Case(
            "[[2, 1], [1, 2]] has eigenvalues 1 and 3",
            (np.array([[2.0, 1.0], [1.0, 2.0]]),),
            expected=3.0,
            rtol=1e-12,
        ),
        Case(
            "a saddle diag(−4, 2): magnitudes, κ = 2",
            (R @ np.diag([-4.0, 2.0]) @ R.T,),
            expected=2.0,
            rtol=1e-12,
        ),
        Case(
            "a stack of two matrices gives two numbers",
            (np.stack([np.diag([1.0, 4.0]), np.diag([5.0, 0.5])]),),
            expected=np.array([4.0, 10.0]),
            rtol=1e-12,
        ),
        Case(
            "a stack holding the singular diag(1, 0): κ = inf there",
            (np.stack([np.diag([1.0, 0.0]), np.diag([2.0, 1.0])]),),
            expected=np.array([np.inf, 2.0]),
            rtol=1e-12,
        ),
    ]
