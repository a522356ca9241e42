"""Deterministic iterative methods: gradient descent, line search, momentum, Newton.

Lectures 03 (gradient descent), 04 (step size and line search), 06 (momentum), 07
(Newton) and 13 (Nesterov's accelerated gradient for convex functions). Every method takes
an :class:`~course_lib.objectives.Objective` and a start point x0 of shape (d,) or
(*batch, d), and returns a :class:`~course_lib.trajectory.Trajectory`.
A learning rate or momentum given as an array of K values runs K configurations together in
one vectorised loop (iterates of shape (K, T + 1, d)).
"""

from __future__ import annotations

import numpy as np

from course_lib._checks import (
    as_float_array,
    as_points,
    broadcast_together,
    callable_arg,
    in_unit_interval,
    objective_arg,
    one_of,
    positive,
    positive_int,
)
from course_lib.trajectory import Trajectory, iterate

LINE_SEARCHES = ("fixed", "backtracking", "exact", "optimal")


def _setup(objective, x0, max_iter, tol, *hyper):
    """Validate the common arguments; broadcast x0 against the hyper-parameters' batch shape."""
    objective_arg(objective)
    x0 = as_points(x0, "x0", objective.dim)
    positive_int(max_iter, "max_iter")
    if np.ndim(tol) != 0:
        raise ValueError(f"tol must be a single number, got shape {np.shape(tol)}")
    positive(tol, "tol", allow_zero=True)
    shapes = [x0.shape[:-1], *(np.shape(h) for h in hyper)]
    try:
        batch = np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            "x0's batch shape and the hyper-parameters' shapes must broadcast together, got "
            + ", ".join(str(s) for s in shapes)
        ) from None
    return np.broadcast_to(x0, (*batch, objective.dim)).copy()


def _column(value):
    """A per-run scalar as a column that broadcasts against iterates (*batch, d)."""
    return np.asarray(value, float)[..., None]


def optimal_step(g, H):
    """The step that minimises the quadratic model along −g: t* = gᵀg / gᵀHg (lecture 04).

    Along x − t g the second-order Taylor model is f − t gᵀg + ½ t² gᵀHg; setting its
    derivative to zero gives t*. For a quadratic it is the exact line-search step.

    Parameters
    ----------
    g : array_like, shape (..., d)
        Gradients.
    H : array_like, shape (..., d, d)
        Hessians (broadcast against g).

    Returns
    -------
    ndarray, shape (...)
        t* for every gradient (inf where gᵀHg ≤ 0: the model has no minimum along −g).

    Examples
    --------
    >>> float(optimal_step(np.array([1.0, 1.0]), np.diag([1.0, 3.0])))
    0.5
    """
    g = as_float_array(g, "g", ndim_min=1)
    H = as_float_array(H, "H", ndim_min=2)
    d = g.shape[-1]
    if H.shape[-2:] != (d, d):
        raise ValueError(
            f"H must have shape (..., {d}, {d}) to match g of shape {g.shape}, got {H.shape}"
        )
    broadcast_together(g=g[..., 0], H=H[..., 0, 0])
    gg = np.sum(g * g, axis=-1)
    gHg = np.einsum("...i,...ij,...j->...", g, H, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(gHg > 0, gg / np.where(gHg > 0, gHg, 1.0), np.inf)


def backtracking_step(f, x, g, *, initial_step=1.0, armijo=1e-4, shrink=0.5, max_halvings=60):
    """Armijo backtracking: the first t = t₀ ρᵏ with f(x − t g) ≤ f(x) − c t gᵀg (lecture 04).

    Vectorised over a batch of points: all runs shrink together, each stops shrinking once
    its own sufficient-decrease condition holds.

    Parameters
    ----------
    f : callable
        Vectorised objective, (..., d) -> (...).
    x, g : ndarray, shape (..., d)
        Current points and gradients.
    initial_step, armijo, shrink : float
        t₀ > 0, the constant 0 < c < 1 and the factor 0 < ρ < 1.
    max_halvings : int
        Give up shrinking after this many reductions (the step is then t₀ ρ^max_halvings).

    Returns
    -------
    ndarray, shape (...)
        The accepted step for each point.

    Examples
    --------
    >>> f = lambda x: 0.5 * np.sum(x**2, -1)
    >>> float(backtracking_step(f, np.array([1.0]), np.array([1.0])))
    1.0
    """
    callable_arg(f, "f")
    x = as_float_array(x, "x", ndim_min=1, finite=False)
    g = as_float_array(g, "g", ndim_min=1, finite=False)
    if g.shape != x.shape:
        raise ValueError(f"g must have the shape of x {x.shape}, got {g.shape}")
    t0 = _scalar_in(initial_step, "initial_step", 0.0, np.inf)
    c = _scalar_in(armijo, "armijo", 0.0, 1.0)
    rho = _scalar_in(shrink, "shrink", 0.0, 1.0)
    positive_int(max_halvings, "max_halvings", allow_zero=True)
    gg = np.sum(g * g, axis=-1)
    t = np.full(gg.shape, t0)
    with np.errstate(over="ignore", invalid="ignore"):
        fx = f(x)
        # A point where f or g is not finite has no descent to find: it keeps t₀.
        done = ~(np.isfinite(fx) & np.isfinite(gg))
        for _ in range(max_halvings):
            done |= f(x - t[..., None] * g) <= fx - c * t * gg
            if np.all(done):
                break
            t = np.where(done, t, rho * t)
    return t


def _scalar_in(value, name, low, high):
    """A float in the open interval (low, high), or a ValueError naming ``name``."""
    arr = as_float_array(value, name)
    if arr.ndim != 0 or not low < float(arr) < high:
        raise ValueError(f"{name} must be a number in ({low:g}, {high:g}), got {value!r}")
    return float(arr)


def _exact_quadratic_step(f, x, g):
    """Exact minimiser of φ(t) = f(x − t g) for a quadratic f, from function values only.

    φ is a parabola: φ(t) = φ(0) − t gᵀg + a t², so one more value φ(τ) gives
    a = (φ(τ) − φ(0) + τ gᵀg) / τ² and t* = gᵀg / (2a). No Hessian is used, which is what
    makes it a check on g'g/g'Hg. The trial step is τ = 1, or τ = 1/‖g‖ when ‖g‖ < 1 so
    that the trial point stays a unit distance away: near a minimiser a step of length ‖g‖
    changes f by less than its rounding error, and the parabola would be noise.
    Where a < 0 the parabola has no minimum (the line runs downhill for ever): t* = inf,
    as in :func:`optimal_step`, and the run is reported diverged. Where φ(τ) − φ(0) + τgᵀg
    is within the rounding error of the f-values the curvature is unknown: t* = 0.
    """
    gg = np.sum(g * g, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tau = np.where((gg < 1.0) & (gg > 0.0), 1.0 / np.sqrt(gg), 1.0)
        f_trial, f_here = f(x - tau[..., None] * g), f(x)
        excess = f_trial - f_here + tau * gg  # a τ²
        noise = 8 * np.finfo(float).eps * (np.abs(f_trial) + np.abs(f_here) + tau * gg)
        resolved = excess > noise
        step = np.where(resolved, gg * tau**2 / (2 * np.where(resolved, excess, 1.0)), np.inf)
    return np.where(np.abs(excess) <= noise, 0.0, step)


def gradient_descent(
    objective,
    x0,
    learning_rate=None,
    *,
    line_search="fixed",
    max_iter=1000,
    tol=1e-8,
    armijo=1e-4,
    shrink=0.5,
    initial_step=1.0,
) -> Trajectory:
    """Gradient descent x_{t+1} = x_t − η_t ∇f(x_t) (lectures 03 and 04).

    The step η_t is fixed (``line_search="fixed"``, η = ``learning_rate``), found by Armijo
    backtracking, by exact minimisation along −g for a quadratic (``"exact"``, from the
    parabola through f-values) or by the quadratic model's optimum η = gᵀg / gᵀHg
    (``"optimal"``, with the Hessian at x_t). On a quadratic with fixed η the error contracts
    by max|1 − ηλ| per step and the run diverges exactly when η > 2/λmax.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
        η > 0, required for ``"fixed"``; an array of K values runs K descents at once
        (x0's batch axes and η broadcast together). Ignored by the other line searches,
        which choose their own step (use ``initial_step`` for backtracking's t₀).
    line_search : {"fixed", "backtracking", "exact", "optimal"}
        ``"exact"`` is exact only for a quadratic f; on other functions it takes the
        minimum of the parabola through f(x), the slope −gᵀg and f(x − τg) (τ = 1, or
        1/‖g‖ when ‖g‖ < 1). Where the curvature along −g is not positive, ``"exact"`` and
        ``"optimal"`` have no finite step and the run stops as diverged (keeping the last
        finite iterate).
    max_iter : int
    tol : float
        Stop (converged) when ||∇f|| ≤ tol.
    armijo, shrink, initial_step : float
        Settings of the backtracking search.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> traj = gradient_descent(quadratic([1.0, 4.0]), [1.0, 1.0], 0.2)
    >>> str(traj.status)
    'converged'
    >>> gradient_descent(quadratic([1.0, 4.0]), [1.0, 1.0], [0.2, 0.6]).status.tolist()
    ['converged', 'diverged']
    """
    one_of(line_search, "line_search", LINE_SEARCHES)
    initial_step = _scalar_in(initial_step, "initial_step", 0.0, np.inf)
    armijo = _scalar_in(armijo, "armijo", 0.0, 1.0)
    shrink = _scalar_in(shrink, "shrink", 0.0, 1.0)
    if line_search == "fixed":
        if learning_rate is None:
            raise ValueError('learning_rate is required when line_search="fixed"')
        lr = positive(learning_rate, "learning_rate")
    else:
        lr = np.asarray(1.0 if learning_rate is None else positive(learning_rate, "learning_rate"))
    x = _setup(objective, x0, max_iter, tol, *([lr] if line_search == "fixed" else []))
    f = objective.value
    eta = _column(lr)

    def step(x, g, t):
        if line_search == "fixed":
            return x - eta * g
        if line_search == "backtracking":
            s = backtracking_step(f, x, g, initial_step=initial_step, armijo=armijo, shrink=shrink)
        elif line_search == "exact":
            s = _exact_quadratic_step(f, x, g)
        else:
            s = optimal_step(g, objective.hessian(x))
        return x - s[..., None] * g

    params = {"learning_rate": learning_rate, "line_search": line_search}
    return iterate(
        step,
        x,
        f,
        objective.gradient,
        value_and_gradient=objective.value_and_gradient,
        max_iter=max_iter,
        tol=tol,
        method=f"gradient descent ({line_search})",
        params=params,
    )


def _momentum_method(
    update, method, objective, x0, learning_rate, momentum, max_iter, tol, *more_settings
):
    """Run a momentum update ``update(x, g, velocity, η, β) -> x_next`` from V₀ = 0.

    The shared part of heavy ball and Nesterov: argument checks, the batch of (η, β) (and of
    ``more_settings``, arrays that broadcast with them), the velocity buffer (updated in
    place by ``update``) and the iteration loop.
    """
    lr = positive(learning_rate, "learning_rate")
    beta = in_unit_interval(momentum, "momentum")
    x = _setup(objective, x0, max_iter, tol, lr, beta, *more_settings)
    eta, b = _column(lr), _column(beta)
    velocity = np.zeros_like(x)
    return iterate(
        lambda x, g, t: update(x, g, velocity, eta, b),
        x,
        objective.value,
        objective.gradient,
        value_and_gradient=objective.value_and_gradient,
        max_iter=max_iter,
        tol=tol,
        method=method,
        params={"learning_rate": learning_rate, "momentum": momentum},
    )


def heavy_ball(objective, x0, learning_rate, momentum, *, max_iter=1000, tol=1e-8) -> Trajectory:
    """Heavy-ball momentum: V ← βV + ∇f(θ), θ ← θ − ηV, with V₀ = 0 (lecture 06).

    Equivalently θ_{t+1} = θ_t − η∇f(θ_t) + β(θ_t − θ_{t−1}). β = 0 is plain gradient
    descent, bit for bit; this is the update of ``torch.optim.SGD(lr=η, momentum=β,
    dampening=0, nesterov=False)``. On a quadratic with κ = λmax/λmin the tuned setting
    η = 4/(√λmax + √λmin)², β = ((√κ − 1)/(√κ + 1))² contracts at rate (√κ − 1)/(√κ + 1).

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
        η > 0 (an array runs several at once).
    momentum : float or array_like
        β in [0, 1); broadcasts with ``learning_rate``.
    max_iter : int
    tol : float

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> str(heavy_ball(quadratic([1.0, 100.0]), [1.0, 1.0], 0.0132, 0.67).status)
    'converged'
    """

    def step(x, g, velocity, eta, b):
        velocity[...] = b * velocity + g  # V ← βV + ∇f(θ)
        return x - eta * velocity  # θ ← θ − ηV

    return _momentum_method(
        step, "heavy ball", objective, x0, learning_rate, momentum, max_iter, tol
    )


def nesterov(objective, x0, learning_rate, momentum, *, max_iter=1000, tol=1e-8) -> Trajectory:
    """Nesterov momentum in torch's form: V ← βV + ∇f(θ), θ ← θ − η(∇f(θ) + βV) (lecture 06).

    The step looks one momentum step ahead; this is ``torch.optim.SGD(..., nesterov=True,
    dampening=0)``. β = 0 is again plain gradient descent.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
    momentum : float or array_like
        β in [0, 1).
    max_iter : int
    tol : float

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> str(nesterov(quadratic([1.0, 100.0]), [1.0, 1.0], 0.01, 0.8).status)
    'converged'
    """

    def step(x, g, velocity, eta, b):
        velocity[...] = b * velocity + g  # V ← βV + ∇f(θ)
        return x - eta * (g + b * velocity)  # θ ← θ − η(∇f(θ) + βV)

    return _momentum_method(step, "Nesterov", objective, x0, learning_rate, momentum, max_iter, tol)


def momentum_batch(
    objective, x0, learning_rate, momentum, nesterov, *, max_iter=1000, tol=1e-8
) -> Trajectory:
    """Heavy-ball and Nesterov runs in one batch: run k steps as Nesterov where nesterov[k].

    V ← βV + ∇f(θ), then θ ← θ − ηV (heavy ball) or θ ← θ − η(∇f(θ) + βV) (Nesterov), with
    V₀ = 0; the two updates share the gradient at θ, so one loop runs both kinds. Each run
    equals :func:`heavy_ball` or :func:`nesterov` with its own (η, β) alone, bit for bit
    (the same operations): lecture 06's race runs tuned GD, the heavy ball and Nesterov as
    one call instead of two.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
    momentum : float or array_like
        β in [0, 1).
    nesterov : bool or array_like of bool
        Which runs take Nesterov's step; broadcasts with ``learning_rate`` and ``momentum``.
    max_iter : int
    tol : float

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> runs = momentum_batch(quadratic([1.0, 100.0]), [1.0, 1.0], 0.01, 0.8, [False, True])
    >>> [str(s) for s in runs.status]
    ['converged', 'converged']
    """
    ahead = np.asarray(nesterov)
    if ahead.dtype != bool:
        raise TypeError(f"nesterov must be True, False or an array of them, got {ahead.dtype}")
    lookahead = ahead[..., None]

    def step(x, g, velocity, eta, b):
        velocity[...] = b * velocity + g  # V ← βV + ∇f(θ)
        return x - eta * np.where(lookahead, g + b * velocity, velocity)

    return _momentum_method(
        step, "heavy ball / Nesterov", objective, x0, learning_rate, momentum, max_iter, tol, ahead
    )


def accelerated_momentum(t):
    """The momentum β_t = max(t − 1, 0)/(t + 2) of Nesterov's method for convex f (lecture 13).

    It grows from 0 towards 1: no fixed β gives the O(1/t²) rate without a μ > 0 to tune it
    to (Su, Boyd & Candès 2016). Vectorised over t.

    Examples
    --------
    >>> accelerated_momentum(np.arange(5)).tolist()
    [0.0, 0.0, 0.25, 0.4, 0.5]
    """
    t = as_float_array(t, "t")
    if np.any(t < 0):
        raise ValueError(f"t must hold step counts t ≥ 0, got {t!r}")  # t = −2 divides by 0
    return np.maximum(t - 1, 0) / (t + 2)


def accelerated_gradient(objective, x0, learning_rate, *, max_iter=1000, tol=1e-8) -> Trajectory:
    """Nesterov's accelerated gradient for convex f: momentum β_t = (t − 1)/(t + 2) (lecture 13).

    The classical form, from y₀ = x₀:

        x_{t+1} = y_t − η∇f(y_t),    y_{t+1} = x_{t+1} + β_{t+1} (x_{t+1} − x_t),

    with :func:`accelerated_momentum` β_t. As in :func:`nesterov`, the trajectory stores the
    points y_t where the gradient is taken (``V ← β_t V + ∇f(θ)``,
    ``θ ← θ − η(∇f(θ) + β_{t+1} V)`` is the same iteration in torch's form); the x_t are
    ``convergence.gradient_step_points``. With η ≤ 1/L on a convex L-smooth f,
    f(x_t) − f* ≤ 2‖x₀ − x*‖² / (η(t + 1)²) (``convergence.nesterov_convex_bound``).

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
        η > 0 (an array runs several at once).
    max_iter : int
    tol : float

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> str(accelerated_gradient(quadratic([0.01, 1.0]), [1.0, 1.0], 1.0).status)
    'converged'
    """
    lr = positive(learning_rate, "learning_rate")
    x = _setup(objective, x0, max_iter, tol, lr)
    eta = _column(lr)
    velocity = np.zeros_like(x)

    def step(y, g, t):
        velocity[...] = accelerated_momentum(t) * velocity + g  # x_t − x_{t+1} = η V
        return y - eta * (g + accelerated_momentum(t + 1) * velocity)

    return iterate(
        step,
        x,
        objective.value,
        objective.gradient,
        value_and_gradient=objective.value_and_gradient,
        max_iter=max_iter,
        tol=tol,
        method="accelerated gradient",
        params={"learning_rate": learning_rate},
    )


def _usable_hessian(H):
    """Hessians safe to solve with, and a mask of those that are singular or not finite.

    H counts as singular when σmin ≤ d ε σmax (numerically rank-deficient, whatever its
    scale). Those are replaced by the identity so one batched ``solve`` never raises.
    """
    d = H.shape[-1]
    finite = np.all(np.isfinite(H), axis=(-2, -1))
    H = np.where(finite[..., None, None], H, np.eye(d))
    sigma = np.linalg.svd(H, compute_uv=False)
    singular = ~finite | (sigma[..., -1] <= d * np.finfo(float).eps * sigma[..., 0])
    return np.where(singular[..., None, None], np.eye(d), H), singular


def newton(objective, x0, *, damping=1.0, max_iter=100, tol=1e-10) -> Trajectory:
    """Newton's method x ← x − α H(x)⁻¹ ∇f(x) (lecture 07).

    With α = 1 it jumps to the minimum of the second-order Taylor model, so it solves a
    positive-definite quadratic in one step. It is attracted to any critical point, saddles
    included, because it solves ∇f = 0 rather than descending. A singular Hessian
    (σmin ≤ d ε σmax) stops that run with status ``"diverged"`` (the Newton step is
    undefined) instead of raising ``LinAlgError``; the other runs of a batch go on.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    damping : float or array_like
        The step fraction α > 0 (1 is the full Newton step; an array runs several at once).
    max_iter : int
    tol : float

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> int(newton(quadratic([1.0, 100.0], b=[1.0, 1.0]), [5.0, -3.0]).stopped_at)
    1
    """
    alpha = positive(damping, "damping")
    x = _setup(objective, x0, max_iter, tol, alpha)
    a = _column(alpha)

    def step(x, g, t):
        H, singular = _usable_hessian(objective.hessian(x))
        dx = np.linalg.solve(H, g[..., None])[..., 0]
        return np.where(singular[..., None], np.nan, x - a * dx)

    return iterate(
        step,
        x,
        objective.value,
        objective.gradient,
        value_and_gradient=objective.value_and_gradient,
        max_iter=max_iter,
        tol=tol,
        method="Newton",
        params={"damping": damping},
    )
