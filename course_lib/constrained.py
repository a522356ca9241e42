"""Constrained optimisation: projections, reparametrisation, Lagrangian and KKT (lecture 08).

Three ways to respect a constraint x ∈ C:

1. *Project*: after each gradient step, move back to the nearest feasible point,
   x_{t+1} = P_C(x_t − η∇f(x_t)) (:func:`projected_gradient_descent`).
2. *Reparametrise*: write the feasible set as the image of an unconstrained variable. The unit
   circle is (cos θ, sin θ), so minimise g(θ) = f(cos θ, sin θ) over θ ∈ ℝ
   (:func:`circle_reparametrization`).
3. *Lagrangian*: add the constraint to the objective with a multiplier λ ≥ 0 and look for a
   saddle point of the Lagrangian (:func:`dual_ascent`, checked by :func:`kkt_check`).

The worked problem is norm-constrained least squares,

    minimise f(x) = ½||Ax − b||²   subject to   ||x||² ≤ r².

**Convention for the factor 2.** This module uses the halved objective ½||Ax − b||² and the
Lagrangian L(x, λ) = ½||Ax − b||² + λ(||x||² − r²). Setting ∇ₓL = Aᵀ(Ax − b) + 2λx = 0 gives

    x(λ) = (AᵀA + 2λI)⁻¹ Aᵀb,

the ridge-regression solution with penalty 2λ. (With the unhalved objective ||Ax − b||² the
same point has multiplier μ = 2λ and x = (AᵀA + μI)⁻¹Aᵀb.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._checks import (
    as_float_array,
    as_points,
    broadcast_together,
    callable_arg,
    objective_arg,
    positive,
    positive_int,
)
from course_lib.objectives import Objective, _objective
from course_lib.trajectory import CONVERGED, MAX_ITER, Trajectory, iterate


# --------------------------------------------------------------------------- projections
def project_ball(x, radius=1.0, center=None):
    """Euclidean projection onto the ball {z : ||z − c|| ≤ r} (lecture 08).

    P(x) = c + (x − c) · min(1, r / ||x − c||): a point inside stays put, a point outside is
    pulled along the ray towards the centre until it reaches the sphere. The norm is taken
    as m‖v/m‖ with m = max|vᵢ|, so points near 1e200 (whose squares overflow) project too.

    Parameters
    ----------
    x : array_like, shape (..., d)
        One point or a batch of points.
    radius : float or array_like, shape (...)
        r ≥ 0 (an array broadcasts against the batch axes of x).
    center : array_like, shape (d,), optional
        c, the origin by default.

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> project_ball(np.array([0.0, 3.0]), 1.0).tolist()
    [0.0, 1.0]
    """
    x = as_points(x, "x")
    r = positive(radius, "radius", allow_zero=True)
    c = np.zeros(x.shape[-1]) if center is None else as_points(center, "center", x.shape[-1])
    v = x - c
    norm = _safe_norm(v)
    outside = norm > r
    scale = np.where(outside, r / np.where(outside, norm, 1.0), 1.0)
    return c + v * scale[..., None]


def _safe_norm(v):
    """‖v‖ over the last axis as m·‖v/m‖ with m = max|vᵢ|: squaring 1e200 overflows to inf,
    squaring 1e-200 underflows to 0, the scaled entries (at most 1 in size) do neither."""
    v = np.asarray(v, dtype=float)
    m = np.max(np.abs(v), axis=-1, keepdims=True)
    safe = np.where((m > 0) & np.isfinite(m), m, 1.0)
    norm = safe[..., 0] * np.sqrt(np.sum((v / safe) ** 2, axis=-1))
    return np.where(np.isfinite(m[..., 0]), norm, m[..., 0])


def project_box(x, lower, upper):
    """Euclidean projection onto the box {z : lower ≤ z ≤ upper} (lecture 08).

    The box is a product of intervals, so the projection clips each coordinate:
    P(x)ᵢ = min(max(xᵢ, lowerᵢ), upperᵢ).

    Parameters
    ----------
    x : array_like, shape (..., d)
    lower, upper : float or array_like, shape (d,)
        Bounds with lower ≤ upper (±inf allowed).

    Examples
    --------
    >>> project_box(np.array([-2.0, 0.5, 7.0]), -1.0, 1.0).tolist()
    [-1.0, 0.5, 1.0]
    """
    x = as_points(x, "x")
    lo = as_float_array(lower, "lower", finite=False)
    hi = as_float_array(upper, "upper", finite=False)
    if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
        raise ValueError("lower and upper must not contain nan")
    broadcast_together(x=x, lower=lo, upper=hi)
    if np.any(lo > hi):
        raise ValueError("lower must be <= upper in every coordinate")
    return np.clip(x, lo, hi)


def gradient_mapping(objective, project, x, learning_rate):
    """G_η(x) = (x − P(x − η∇f(x))) / η, the projected-gradient analogue of ∇f (lecture 08).

    A projected gradient step is x − ηG_η(x), and G_η(x) = 0 exactly at the points where
    projected gradient descent stands still (the constrained stationary points). Without a
    constraint (P = identity) it is ∇f(x).

    Parameters
    ----------
    objective : Objective
    project : callable
        x (..., d) → P(x) (..., d).
    x : array_like, shape (..., d)
    learning_rate : float or array_like broadcasting against the batch axes of x

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> f = quadratic([1.0, 1.0], b=[2.0, 0.0])  # minimiser (2, 0), outside the unit ball
    >>> gradient_mapping(f, project_ball, np.array([1.0, 0.0]), 0.5).tolist()
    [0.0, 0.0]
    """
    objective_arg(objective)
    callable_arg(project, "project")
    eta = positive(learning_rate, "learning_rate")[..., None]
    x = objective.check_points(x, "x")
    return (x - project(x - eta * objective.gradient(x))) / eta


def projected_gradient_descent(
    objective, x0, learning_rate, project, *, max_iter=1000, tol=1e-8
) -> Trajectory:
    """Projected gradient descent x_{t+1} = P(x_t − η∇f(x_t)) (lecture 08).

    Every iterate is feasible: the start is projected first, and each step ends with a
    projection. The run stops (converged) when the gradient mapping, not the gradient, is
    small: at a constrained minimiser ∇f ≠ 0 in general, but ||G_η(x)|| = 0 (see
    :func:`gradient_mapping`). So ``grad_norms`` of the result records ||G_η(x_t)||.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like, shape (K,)
        η > 0; K values run K descents at once (iterates of shape (K, T+1, d)).
    project : callable
        x (..., d) → P(x), e.g. ``lambda x: project_ball(x, 2.0)``.
    max_iter : int
    tol : float
        Stop when ||G_η(x_t)|| ≤ tol.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> f = quadratic([1.0, 1.0], b=[2.0, 0.0])
    >>> traj = projected_gradient_descent(f, [0.0, 0.0], 0.5, project_ball)
    >>> bool(np.allclose(traj.final, [1.0, 0.0]))
    True
    """
    objective_arg(objective)
    callable_arg(project, "project")
    lr = positive(learning_rate, "learning_rate")
    positive_int(max_iter, "max_iter", allow_zero=True)
    positive(tol, "tol", allow_zero=True)
    x0 = objective.check_points(x0, "x0")
    batch = np.broadcast_shapes(x0.shape[:-1], lr.shape)
    x0 = project(np.broadcast_to(x0, (*batch, objective.dim)))
    eta = np.broadcast_to(lr, batch)

    def mapping(x):
        return gradient_mapping(objective, project, x, eta)

    def step(x, g, t):
        return project(x - eta[..., None] * objective.gradient(x))

    return iterate(
        step,
        x0,
        objective.value,
        mapping,
        max_iter=max_iter,
        tol=tol,
        method="projected gradient descent",
        params={"learning_rate": learning_rate},
    )


# --------------------------------------------------------------------------- reparametrisation
def circle_point(theta):
    """The point u(θ) = (cos θ, sin θ) of the unit circle, shape (..., 2) for θ (...).

    Examples
    --------
    >>> circle_point(0.0).tolist()
    [1.0, 0.0]
    """
    t = as_float_array(theta, "theta")
    return np.stack([np.cos(t), np.sin(t)], axis=-1)


def circle_reparametrization(objective) -> Objective:
    """The objective restricted to the unit circle, g(θ) = f(cos θ, sin θ) (lecture 08).

    The constraint x₁² + x₂² = 1 disappears: every θ ∈ ℝ is feasible, so plain gradient
    descent on g solves the constrained problem. With u(θ) = (cos θ, sin θ) and
    u'(θ) = (−sin θ, cos θ), the chain rule gives

        g'(θ)  = ∇f(u)ᵀ u'(θ),
        g''(θ) = u'(θ)ᵀ ∇²f(u) u'(θ) − ∇f(u)ᵀ u(θ)     (because u''(θ) = −u(θ)).

    Parameters
    ----------
    objective : Objective
        A function of two variables.

    Returns
    -------
    Objective
        Of dimension 1: θ has shape (..., 1).

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> g = circle_reparametrization(quadratic([1.0, 3.0]))
    >>> float(g.value(np.array([0.0]))), float(g.value(np.array([np.pi / 2])))
    (0.5, 1.5)
    """
    objective_arg(objective)
    if objective.dim != 2:
        raise ValueError(f"objective must be a function of 2 variables, got dim {objective.dim}")

    def value(theta):
        return objective.value(circle_point(theta[..., 0]))

    def gradient(theta):
        t = theta[..., 0]
        du = np.stack([-np.sin(t), np.cos(t)], axis=-1)
        return np.sum(objective.gradient(circle_point(t)) * du, axis=-1)[..., None]

    def hessian(theta):
        t = theta[..., 0]
        u = circle_point(t)
        du = np.stack([-np.sin(t), np.cos(t)], axis=-1)
        H = objective.hessian(u)
        curv = np.einsum("...i,...ij,...j->...", du, H, du)
        return (curv - np.sum(objective.gradient(u) * u, axis=-1))[..., None, None]

    return _objective(
        f"{objective.name} on the unit circle", value, gradient, hessian, 1, {}, ((-np.pi, np.pi),)
    )


# --------------------------------------------------------------------------- Lagrangian / KKT
def _problem(A, b, radius):
    A = as_float_array(A, "A", ndim_min=2)
    if A.ndim != 2:
        raise ValueError(f"A must be a 2-D array (m, d), got shape {A.shape}")
    b = as_float_array(b, "b", ndim_min=1)
    if b.shape != (A.shape[0],):
        raise ValueError(f"b must have shape ({A.shape[0]},) to match A {A.shape}, got {b.shape}")
    r = positive(radius, "radius", allow_zero=True) if radius is not None else None
    return A, b, r


def norm_constrained_objective(A, b) -> Objective:
    """f(x) = ½||Ax − b||², with ∇f = Aᵀ(Ax − b) and ∇²f = AᵀA (lecture 08).

    Examples
    --------
    >>> f = norm_constrained_objective(np.eye(2), np.array([1.0, 0.0]))
    >>> float(f.value(np.zeros(2)))
    0.5
    """
    A, b, _ = _problem(A, b, None)
    AtA, Atb, d = A.T @ A, A.T @ b, A.shape[1]

    def value(x):
        r = x @ A.T - b
        return 0.5 * np.sum(r * r, axis=-1)

    def gradient(x):
        return x @ AtA - Atb

    def hessian(x):
        return np.broadcast_to(AtA, (*x.shape[:-1], d, d)).copy()

    return _objective("½||Ax − b||²", value, gradient, hessian, d, {}, ((-3.0, 3.0),) * min(d, 2))


def lagrangian(x, lam, A, b, radius):
    """L(x, λ) = ½||Ax − b||² + λ(||x||² − r²) (lecture 08; factor-2 convention above).

    Vectorised: x (..., d) and λ (...) broadcast.

    Examples
    --------
    >>> float(lagrangian(np.array([1.0, 0.0]), 2.0, np.eye(2), np.zeros(2), 0.5))
    2.0
    """
    A, b, r = _problem(A, b, radius)
    x = as_points(x, "x", A.shape[1])
    lam = as_float_array(lam, "lam")
    res = x @ A.T - b
    return 0.5 * np.sum(res * res, axis=-1) + lam * (np.sum(x * x, axis=-1) - r**2)


def lagrangian_minimizer(A, b, lam):
    """x(λ) = argminₓ L(x, λ) = (AᵀA + 2λI)⁻¹Aᵀb, vectorised over λ (lecture 08).

    Computed from the eigendecomposition AᵀA = V diag(s) Vᵀ as
    x(λ) = V diag(1 / (s + 2λ)) Vᵀ Aᵀb, so K multipliers cost one decomposition.

    Parameters
    ----------
    A : array_like, shape (m, d)
    b : array_like, shape (m,)
    lam : float or array_like, shape (...)
        λ ≥ 0 (λ = 0 needs AᵀA invertible).

    Returns
    -------
    ndarray, shape (..., d)

    Examples
    --------
    >>> lagrangian_minimizer(np.eye(2), np.array([2.0, 0.0]), 0.5).tolist()
    [1.0, 0.0]
    """
    A, b, _ = _problem(A, b, None)
    lam = positive(lam, "lam", allow_zero=True)
    return _ridge_solver(A, b)(lam)


def _ridge_solver(A, b):
    """λ ↦ x(λ) = V diag(1 / (s + 2λ)) VᵀAᵀb, with AᵀA = V diag(s) Vᵀ decomposed once."""
    s, V = np.linalg.eigh(A.T @ A)
    c = V.T @ (A.T @ b)
    return lambda lam: (c / (s + 2.0 * np.asarray(lam)[..., None])) @ V.T


def dual_step_limit(A, b):
    """The largest safe ascent step on λ, 2 / |q''(0)| = 1 / (2 Σᵢ cᵢ² / sᵢ³) (lecture 08).

    The dual function q(λ) = minₓ L(x, λ) has q'(λ) = ||x(λ)||² − r² and, with
    AᵀA = V diag(s) Vᵀ and c = VᵀAᵀb, q''(λ) = −4 Σᵢ cᵢ² / (sᵢ + 2λ)³. Its size is largest at
    λ = 0, so any step α < 2 / |q''(0)| makes gradient ascent on q a contraction (the
    classic 2/L limit of lecture 04, for the dual). Needs AᵀA invertible.

    Examples
    --------
    >>> float(dual_step_limit(np.eye(1), np.array([1.0])))
    0.5
    """
    A, b, _ = _problem(A, b, None)
    s, V = np.linalg.eigh(A.T @ A)
    if s.min() <= 0:
        raise ValueError("A must have full column rank (AᵀA invertible) for the dual step limit")
    c = V.T @ (A.T @ b)
    return 2.0 / (4.0 * np.sum(c**2 / s**3))


@dataclass(frozen=True)
class DualAscentResult:
    """The record of :func:`dual_ascent`.

    Attributes
    ----------
    x : ndarray, shape (*batch, T + 1, d)
        x(λ_t) for every multiplier visited; ``x[..., -1, :]`` is the answer.
    lam : ndarray, shape (*batch, T + 1)
        The multipliers λ_0, ..., λ_T.
    objective : ndarray, shape (*batch, T + 1)
        ½||Ax_t − b||².
    constraint : ndarray, shape (*batch, T + 1)
        ||x_t||² − r², the constraint value (≤ 0 when feasible; the dual gradient).
    status : ndarray of str, shape (*batch)
        ``"converged"`` (λ moved by at most tol) or ``"max_iter"``.
    stopped_at : ndarray of int, shape (*batch)
    """

    x: np.ndarray
    lam: np.ndarray
    objective: np.ndarray
    constraint: np.ndarray
    status: np.ndarray
    stopped_at: np.ndarray

    @property
    def final_x(self) -> np.ndarray:
        """The last primal point, shape (*batch, d)."""
        return self.x[..., -1, :]

    @property
    def final_lam(self) -> np.ndarray:
        """The last multiplier, shape (*batch)."""
        return self.lam[..., -1]


def dual_ascent(A, b, radius, step_size, *, lam0=0.0, max_iter=1000, tol=1e-10):
    """Norm-constrained least squares by alternating x-solves and gradient ascent on λ.

    Minimise ½||Ax − b||² subject to ||x||² ≤ r² (lecture 08). Each iteration

        x_t     = (AᵀA + 2λ_t I)⁻¹ Aᵀb                 (minimise L(·, λ_t), a linear solve)
        λ_{t+1} = max(0, λ_t + α(||x_t||² − r²))       (ascent on the dual, kept ≥ 0)

    The dual function q(λ) = minₓ L(x, λ) is concave with q'(λ) = ||x(λ)||² − r², so a small
    enough α climbs to its maximiser λ*; then x(λ*) solves the constrained problem. If the
    unconstrained least-squares solution is feasible, λ* = 0. Stops when |λ_{t+1} − λ_t| ≤ tol.
    Vectorised: ``radius`` and ``step_size`` of shape (K,) run K problems at once.

    Parameters
    ----------
    A : array_like, shape (m, d)
    b : array_like, shape (m,)
    radius : float or array_like, shape (K,)
        r ≥ 0.
    step_size : float or array_like, shape (K,)
        α > 0, the ascent step on λ; below :func:`dual_step_limit` it converges.
    lam0 : float
        Starting multiplier λ_0 ≥ 0.
    max_iter : int
    tol : float

    Returns
    -------
    DualAscentResult

    Examples
    --------
    >>> res = dual_ascent(np.eye(2), np.array([2.0, 0.0]), 1.0, 0.5)
    >>> bool(np.allclose(res.final_x, [1.0, 0.0])), bool(np.isclose(res.final_lam, 0.5))
    (True, True)
    """
    A, b, r = _problem(A, b, radius)
    alpha = positive(step_size, "step_size")
    lam = np.broadcast_to(
        positive(lam0, "lam0", allow_zero=True), np.broadcast_shapes(r.shape, alpha.shape)
    )
    lam = lam.astype(float)
    max_iter = positive_int(max_iter, "max_iter", allow_zero=True)
    tol = float(positive(tol, "tol", allow_zero=True))
    x_of = _ridge_solver(A, b)
    lams, active = [lam], np.ones(lam.shape, dtype=bool)
    stopped = np.full(lam.shape, max_iter)
    for t in range(max_iter):
        x = x_of(lam)  # minimise L(·, λ): one linear solve
        new = np.maximum(0.0, lam + alpha * (np.sum(x * x, axis=-1) - r**2))
        done = active & (np.abs(new - lam) <= tol)
        stopped[done] = t + 1
        lam = np.where(active, new, lam)
        active &= ~done
        lams.append(lam)
        if not active.any():
            break
    lam_hist = np.stack(lams, axis=-1)
    xs = x_of(lam_hist)
    res = xs @ A.T - b
    return DualAscentResult(
        x=xs,
        lam=lam_hist,
        objective=0.5 * np.sum(res * res, axis=-1),
        constraint=np.sum(xs * xs, axis=-1) - r[..., None] ** 2,
        status=np.where(active, MAX_ITER, CONVERGED),
        stopped_at=stopped,
    )


@dataclass(frozen=True)
class KKTResult:
    """Residuals of the KKT conditions at (x, λ); each is 0 at an exact solution.

    Attributes
    ----------
    stationarity : ndarray
        ||Aᵀ(Ax − b) + 2λx||, the norm of ∇ₓL(x, λ).
    primal_feasibility : ndarray
        max(0, ||x||² − r²).
    dual_feasibility : ndarray
        max(0, −λ).
    complementary_slackness : ndarray
        |λ(||x||² − r²)|.
    passed : ndarray of bool
        Every residual ≤ tol.
    tol : float
    """

    stationarity: np.ndarray
    primal_feasibility: np.ndarray
    dual_feasibility: np.ndarray
    complementary_slackness: np.ndarray
    passed: np.ndarray
    tol: float


def kkt_check(x, lam, A, b, radius, tol=1e-6) -> KKTResult:
    """Check the KKT conditions of min ½||Ax − b||² s.t. ||x||² ≤ r² at (x, λ) (lecture 08).

    The four conditions, each turned into a residual that vanishes when it holds:

    - stationarity              ∇ₓL = Aᵀ(Ax − b) + 2λx = 0
    - primal feasibility        ||x||² − r² ≤ 0
    - dual feasibility          λ ≥ 0
    - complementary slackness   λ(||x||² − r²) = 0

    For this convex problem they are necessary and sufficient: passing means x is optimal.

    Parameters
    ----------
    x : array_like, shape (..., d)
    lam : float or array_like, shape (...)
    A : array_like, shape (m, d)
    b : array_like, shape (m,)
    radius : float or array_like, shape (...)
    tol : float
        Absolute tolerance on every residual.

    Returns
    -------
    KKTResult

    Examples
    --------
    >>> kkt_check(np.array([1.0, 0.0]), 0.5, np.eye(2), np.array([2.0, 0.0]), 1.0).passed
    array(True)
    """
    A, b, r = _problem(A, b, radius)
    x = as_points(x, "x", A.shape[1])
    lam = as_float_array(lam, "lam")
    tol = float(positive(tol, "tol", allow_zero=True))
    g = (x @ A.T - b) @ A + 2.0 * lam[..., None] * x
    slack = np.sum(x * x, axis=-1) - r**2
    residuals = (
        np.linalg.norm(g, axis=-1),
        np.maximum(0.0, slack),
        np.abs(np.minimum(lam, 0.0)) + 0.0 * np.abs(slack),  # +0.0, never −0.0, at λ = 0
        np.abs(lam * slack),
    )
    passed = np.all(np.stack(residuals) <= tol, axis=0)
    return KKTResult(*residuals, passed=np.asarray(passed), tol=tol)
