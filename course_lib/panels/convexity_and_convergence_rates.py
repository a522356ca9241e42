"""Figures and slider panels of lecture 13, convexity and convergence rates.

Every curve drawn here is measured on a run of the library (:mod:`course_lib.descent`,
:mod:`course_lib.stochastic`) and every dashed line is a bound of :mod:`course_lib.convergence`
evaluated with the constants L, μ (and for SGD L_max, σ*²) of the problem. A figure shows a
measured curve in a colour and its bound dashed in the same colour: the curve must stay under.

The running problems:

* :func:`spectrum_quadratic` — f(x) = ½ xᵀAx in d = 20 with eigenvalues spread geometrically
  over [μ, L] = [1/κ, 1], started at x₀ = (1, ..., 1)/√d · 3 (the rates panel);
* :func:`sgd_problem` — least squares over 100 seeded Gaussian examples in d = 5 (the SGD panel).
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from course_lib import convergence, curvature, plots, widgets
from course_lib._checks import as_float_array, one_of, positive
from course_lib.descent import accelerated_gradient, gradient_descent, heavy_ball, nesterov
from course_lib.objectives import least_squares, quadratic
from course_lib.stochastic import learning_rate_schedule, minibatch_indices, sgd

DIM = 20
RATE_STEPS = 400
KAPPA_RANGE = (1.0, 1e4)
STEP_RANGE = (0.1, 1.9)  # η L
METHODS = ("gradient descent", "Nesterov (strongly convex)", "Nesterov (convex)", "heavy ball")
SGD_N, SGD_D, SGD_SEED = 100, 5, 1
SGD_EPOCHS = 10
SGD_SEEDS = tuple(range(30))
SGD_SCHEDULES = (("constant", "constant"), ("1/t", "inverse_time"))
SGD_STEP_RANGE = (0.05, 1.0)  # η₀ · 2 L_max
DECAY_RANGE = (1.0, 1e4)
FLOOR = 1e-16  # curves are drawn down to here (round-off below)


# --------------------------------------------------------------------------- problems


def spectrum_quadratic(condition_number: float, dim: int = DIM):
    """½ xᵀAx with eigenvalues geometric in [1/κ, 1] (L = 1, μ = 1/κ), and its start x₀.

    Examples
    --------
    >>> f, x0 = spectrum_quadratic(100.0)
    >>> float(f.eigenvalues.min()), float(f.eigenvalues.max())
    (0.01, 1.0)
    """
    kappa = float(positive(condition_number, "condition_number"))
    if kappa < 1:
        raise ValueError(f"condition_number must be >= 1, got {condition_number!r}")
    lam = kappa ** (np.linspace(-1.0, 0.0, dim))
    return quadratic(lam), np.full(dim, 3.0 / np.sqrt(dim))


def sgd_problem(n: int = SGD_N, d: int = SGD_D, seed: int = SGD_SEED):
    """Least squares over n Gaussian examples: X (n, d), y = X w + 0.5 ε (lecture 13).

    Returns
    -------
    X, y, constants
        ``constants`` is :func:`course_lib.convergence.least_squares_data`:
        (L, μ, L_max, σ*², w*).

    Examples
    --------
    >>> X, y, (L, mu, Lmax, noise, w) = sgd_problem()
    >>> X.shape, bool(Lmax > L > mu > 0)
    ((100, 5), True)
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 * rng.normal(size=n)
    return X, y, convergence.least_squares_data(X, y)


# --------------------------------------------------------------------------- measured vs bound


def rate_curves(method: str, condition_number: float, step_fraction: float, steps=RATE_STEPS):
    """Measured f(x_t) − f* of one method and its bounds, on :func:`spectrum_quadratic`.

    η = step_fraction / L. The bounds use L' = 1/η (valid because an L-smooth f is also
    1/η-smooth when η ≤ 1/L); for ηL > 1 no theorem applies and the bounds are nan.

    ================================  ================================================
    method                            bounds
    ================================  ================================================
    gradient descent                  L'R²/(2t) and (1 − μ/L')^t (f(x₀) − f*)
    Nesterov (strongly convex)        β = (√κ' − 1)/(√κ' + 1), κ' = L'/μ:
                                      (1 − √(μ/L'))^t (f(x₀) − f* + μ/2 R²)
    Nesterov (convex)                 momentum (t − 1)/(t + 2): 2L'R²/(t + 1)²
    heavy ball                        Polyak's β for κ; no bound beyond quadratics: the
                                      guide is the quadratic rate², for comparison only
    ================================  ================================================

    Returns
    -------
    dict
        ``measured`` (steps + 1,), ``bounds`` {label: array}, ``run`` (the Trajectory),
        ``learning_rate``, ``momentum`` (or None), ``valid`` (ηL ≤ 1).

    Examples
    --------
    >>> out = rate_curves("gradient descent", 100.0, 1.0)
    >>> bool(np.all(out["measured"] <= out["bounds"]["convex: L R²/(2t)"]))
    True
    """
    one_of(method, "method", METHODS)
    f, x0 = spectrum_quadratic(condition_number)
    L, mu = convergence.objective_constants(f)
    eta = float(positive(step_fraction, "step_fraction")) / float(L)
    L_eff = 1.0 / eta
    valid = eta * L <= 1.0 + 1e-12
    xstar = f.minimizers[0]
    R2 = float(np.sum((x0 - xstar) ** 2))
    gap0 = float(f.value(x0) - f.value(xstar))
    t = np.arange(steps + 1)
    beta = None
    if method == "gradient descent":
        run = gradient_descent(f, x0, eta, max_iter=steps, tol=0.0)
        points = run.iterates
        bounds = {
            "convex: L R²/(2t)": convergence.gd_convex_bound(t, L_eff, R2),
            "strongly convex: (1 − μ/L)^t gap₀": convergence.gd_strongly_convex_gap_bound(
                t, L_eff, min(float(mu), L_eff), gap0
            ),
        }
    elif method == "heavy ball":
        eta_star, beta = (float(v) for v in curvature.optimal_momentum(f.eigenvalues))
        eta = step_fraction * eta_star  # the slider scales Polyak's step
        run = heavy_ball(f, x0, eta, beta, max_iter=steps, tol=0.0)
        points = run.iterates
        rho = float(curvature.momentum_rate_for(f.eigenvalues, eta, beta))
        with np.errstate(over="ignore"):  # ρ > 1 (a diverging setting) overflows to inf
            guide = gap0 * np.float_power(rho, 2 * t)
        bounds = {"quadratic theory ρ^(2t) (no guarantee)": guide}
        valid = True
    elif method == "Nesterov (strongly convex)":
        q = min(float(mu) / L_eff, 1.0)
        beta = (1 - np.sqrt(q)) / (1 + np.sqrt(q))
        run = nesterov(f, x0, eta, beta, max_iter=steps, tol=0.0)
        points = convergence.gradient_step_points(f, run, eta)
        bounds = {
            "(1 − √(μ/L))^t (gap₀ + μR²/2)": convergence.nesterov_strongly_convex_bound(
                t, L_eff, min(float(mu), L_eff), gap0, R2
            )
        }
    else:
        run = accelerated_gradient(f, x0, eta, max_iter=steps, tol=0.0)
        points = convergence.gradient_step_points(f, run, eta)
        bounds = {"convex: 2L R²/(t + 1)²": convergence.nesterov_convex_bound(t, L_eff, R2)}
    # a run that reached ∇f = 0 exactly (κ = 1, η = 1/L) stops early: hold its last point
    points = np.concatenate([points, np.repeat(points[-1:], steps + 1 - len(points), axis=0)])
    with np.errstate(over="ignore", invalid="ignore"):
        measured = f.value(points) - f.value(xstar)
    if not valid:
        bounds = {k: np.full(steps + 1, np.nan) for k in bounds}
    return {
        "measured": measured,
        "bounds": bounds,
        "run": run,
        "learning_rate": eta,
        "momentum": beta,
        "valid": valid,
    }


def sgd_curves(schedule: str, step_fraction: float, decay_time: float, *, seeds=SGD_SEEDS):
    """Mean ‖w_t − w*‖² over seeded SGD runs and its bounds, on :func:`sgd_problem`.

    The runs of :func:`course_lib.stochastic.sgd` (batch size 1, examples drawn with
    replacement, one run per seed, every step recorded, ``tol=0``), step by step
    w_{t+1} = w_t − γ_t (x_iᵀw_t − y_i) x_i, computed by :func:`_sgd_iterates` (the same
    draws and the same floating-point operations, without the per-step checks and the
    full-batch judging the panel does not use), η₀ = step_fraction / (2 L_max), so every step
    satisfies γ_t ≤ 1/(2 L_max). Bounds: the recursion of
    :func:`course_lib.convergence.sgd_distance_bound` for the schedule used (any schedule),
    and, for ``"inverse_time"`` η₀/(1 + t/t₀) with cμ > 1 (c = η₀t₀), the closed form
    C/(t + t₀) of :func:`course_lib.convergence.sgd_inverse_time_bound`.

    ``seeds`` is a non-empty sequence of ints, one run each (TypeError / ValueError
    otherwise); ``one_run`` is the run of the first.

    Returns
    -------
    dict
        ``measured`` (T + 1,), ``one_run`` (T + 1,), ``bounds`` {label: array},
        ``learning_rates`` (T,), ``constants`` (L, μ, L_max, σ*², w*).

    Examples
    --------
    >>> out = sgd_curves("inverse_time", 1.0, 300.0)
    >>> worst_ratio(out["measured"], out["bounds"]["recursion (any schedule)"]) <= 1
    True
    """
    one_of(schedule, "schedule", [v for _, v in SGD_SCHEDULES])
    seeds = _seed_tuple(seeds)
    X, y, constants = _sgd_data()
    L, mu, Lmax, noise, w_star = constants
    eta0 = float(positive(step_fraction, "step_fraction")) * 0.5 / Lmax
    if eta0 > 0.5 / Lmax * (1 + 1e-12):
        raise ValueError(f"step_fraction must be at most 1 (η₀ ≤ 1/(2 L_max)), got {step_fraction}")
    t0 = float(positive(decay_time, "decay_time"))
    kw = {"decay_time": t0} if schedule == "inverse_time" else None
    w0 = np.zeros(X.shape[1])
    steps = SGD_EPOCHS * X.shape[0]  # batch size 1: n steps per epoch
    etas = learning_rate_schedule(schedule, eta0, steps, **(kw or {}))
    iterates = _sgd_iterates(seeds, etas, w0)  # (seeds, T + 1, d)
    distances = np.sum((iterates - w_star) ** 2, axis=-1)  # (seeds, T + 1)
    R2 = float(np.sum((w0 - w_star) ** 2))
    bounds = {"recursion (any schedule)": convergence.sgd_distance_bound(etas, Lmax, mu, noise, R2)}
    if schedule == "inverse_time" and eta0 * t0 * mu > 1:
        t = np.arange(steps + 1)
        bounds["C/(t + t₀)"] = convergence.sgd_inverse_time_bound(t, eta0 * t0, t0, mu, noise, R2)
    return {
        "measured": distances.mean(axis=0),
        "one_run": distances[0],
        "bounds": bounds,
        "learning_rates": etas,
        "constants": constants,
    }


def _seed_tuple(seeds) -> tuple:
    """The seeds of :func:`sgd_curves` as a tuple of ints (the key of its cached draws)."""
    if isinstance(seeds, (str, bytes)) or not np.iterable(seeds):
        raise TypeError(f"seeds must be a sequence of ints, got {type(seeds).__name__}")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must not be an empty sequence")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"seeds must be a sequence of ints, got an element {s!r}")
    return tuple(int(s) for s in seeds)


@functools.cache
def _sgd_data():
    """:func:`sgd_problem` with its defaults, computed once, its arrays read-only."""
    X, y, constants = sgd_problem()
    for a in (X, y, constants[-1]):
        a.flags.writeable = False
    return X, y, constants


@functools.lru_cache(maxsize=4)
def _seeded_examples(seeds: tuple):
    """The example every seeded run of :func:`sgd_curves` draws at every step (cached).

    Run k draws, at step t, row i = order[k, t] of X, where ``order[k]`` is
    :func:`course_lib.stochastic.minibatch_indices` (n, 1, epochs, replace=True,
    seed=seeds[k]) flattened: the stream that :func:`course_lib.stochastic.sgd` with
    ``batch_size=1, replace=True, seed=list(seeds)`` draws (one generator per seed, one draw
    of n indices per epoch). No slider changes it: it is drawn once per seed tuple.

    Returns
    -------
    Xb : ndarray, shape (T, K, 1, d)
        the batch x_iᵀ (one row) of run k at step t, contiguous per step.
    yb : ndarray, shape (T, K, 1)
    """
    X, y, _ = _sgd_data()
    n = X.shape[0]
    order = np.stack(
        [minibatch_indices(n, 1, epochs=SGD_EPOCHS, replace=True, seed=s).ravel() for s in seeds]
    ).T  # (T, K)
    Xb = np.take(X, order, axis=0)[:, :, None, :]
    yb = np.take(y, order)[:, :, None]
    Xb.flags.writeable = yb.flags.writeable = False
    return Xb, yb


def _sgd_iterates(seeds: tuple, etas: np.ndarray, w0: np.ndarray) -> np.ndarray:
    """Every iterate of the seeded least-squares SGD runs of :func:`sgd_curves`, (K, T + 1, d).

    The iterates of ``sgd(X, y, w0, η₀, batch_size=1, epochs=SGD_EPOCHS, schedule=...,
    replace=True, seed=list(seeds), record="step", tol=0.0)`` on :func:`sgd_problem`, bit for
    bit: the same draws (:func:`_seeded_examples`) and, at each step, the same floating-point
    operations as sgd's step through :func:`course_lib.stochastic.least_squares_gradient`,

        r = x_iᵀw_t − y_i  (one matmul),   g = r x_i  (one matmul),   w_{t+1} = w_t − γ_t g,

    done for the K runs at once in preallocated buffers, without sgd's per-step argument
    checks and without its full-batch loss and gradient norm at every recorded point
    (K (T + 1) passes over X, which the panel does not draw). That judging cannot stop these
    runs: γ_t ≤ 1/(2 L_max) makes I − γ_t x_i x_iᵀ a contraction (no divergence), and with
    tol = 0 a run stops only where the full gradient is exactly 0.
    """
    Xb, yb = _seeded_examples(seeds)
    T, K, _, d = Xb.shape
    ws = np.empty((T + 1, K, d))
    ws[0] = w0
    W = ws[..., None]  # (T + 1, K, d, 1): w_t of every run as a column
    R = np.empty((K, 1, 1))
    G = np.empty((K, 1, d))
    step = np.empty((K, d))
    residual, gradient = R[:, :, 0], G[:, 0, :]
    for t, gamma in enumerate(etas.tolist()):  # over steps only; the runs are vectorized
        np.matmul(Xb[t], W[t], out=R)
        np.subtract(residual, yb[t], out=residual)
        np.matmul(R, Xb[t], out=G)
        np.multiply(gradient, gamma, out=step)
        np.subtract(ws[t], step, out=ws[t + 1])
    return np.moveaxis(ws, 0, 1)


HORIZONS = (10, 30, 100, 300, 1000)


def convex_sgd_problem():
    """:func:`sgd_problem` with its first feature repeated as a sixth: μ = 0 (convex, not
    strongly), the minimisers a line; returns X, y and (L, μ, L_max, σ*², w* of least norm)."""
    X, y, _ = sgd_problem()
    X = np.column_stack([X, X[:, 0]])
    return X, y, convergence.least_squares_data(X, y)


def sgd_convex_curves(horizons=HORIZONS, seeds=SGD_SEEDS, base_step=None):
    """E f(x̄_T) − f* of SGD with the step γ_T = γ₀/√T chosen for each horizon T, and its bound.

    On :func:`convex_sgd_problem`, from w₀ = 0. ONE :func:`course_lib.stochastic.sgd` call
    runs every horizon (learning rates of shape (J, 1)) against every seed (K): iterates
    (J, K, T_max + 1, d). For horizon T the average x̄_T = (1/T) Σ_{k<T} x_k of the first T
    iterates of its run is scored; the bound is :func:`convergence.sgd_convex_bound`.
    γ₀ defaults to √T_min / (4 L_max), so that every γ_T ≤ 1/(4 L_max).

    Returns
    -------
    dict
        ``horizons`` (J,), ``measured`` (J,) (mean over seeds), ``bound`` (J,),
        ``learning_rates`` (J,), ``constants``.

    Examples
    --------
    >>> out = sgd_convex_curves((10, 100), seeds=(0, 1))
    >>> bool(np.all(out["measured"] <= out["bound"]))
    True
    """
    T = np.asarray(horizons, dtype=int)
    if T.ndim != 1 or np.any(T < 1):
        raise ValueError(f"horizons must be a 1-D array of step counts >= 1, got {horizons!r}")
    X, y, constants = convex_sgd_problem()
    L, mu, Lmax, noise, w_star = constants
    gamma0 = np.sqrt(T.min()) / (4 * Lmax) if base_step is None else float(base_step)
    gammas = gamma0 / np.sqrt(T)
    epochs = int(np.ceil(T.max() / X.shape[0]))
    runs = sgd(
        X,
        y,
        np.zeros(X.shape[1]),
        gammas[:, None],
        batch_size=1,
        epochs=epochs,
        replace=True,
        seed=list(seeds),
        record="step",
        tol=0.0,
    )
    totals = np.cumsum(runs.iterates, axis=-2)  # (J, K, T_max + 1, d)
    averages = totals[np.arange(T.size), :, T - 1, :] / T[:, None, None]  # (J, K, d)
    f = least_squares(X, y)
    gaps = f.value(averages) - f.value(w_star)
    R2 = float(w_star @ w_star)
    return {
        "horizons": T,
        "measured": gaps.mean(axis=1),
        "bound": convergence.sgd_convex_bound(T, gammas, Lmax, noise, R2),
        "learning_rates": gammas,
        "constants": constants,
    }


# --------------------------------------------------------------------------- static figures


def convex_set_figure(seed: int = 0) -> plots.Plot:
    """Left, a convex set (an ellipse) with a segment inside it; right, a crescent with a
    segment that leaves it, found by :func:`course_lib.convergence.set_convexity_check`."""
    ellipse = ellipse_set
    fig, axes = plots.new_figure(1, 2)
    grid = np.linspace(-1.6, 1.6, 241)
    P = np.stack(np.meshgrid(grid, grid), axis=-1)
    for ax, contains, title in (
        (axes[0], ellipse, "convex: every segment stays inside"),
        (axes[1], crescent_set, "not convex: a segment leaves the set"),
    ):
        ax.contourf(grid, grid, contains(P).astype(float), levels=[0.5, 1.5], colors=["#cfe3f3"])
        ax.contour(grid, grid, contains(P).astype(float), levels=[0.5], colors=["C0"])
        check = convergence.set_convexity_check(contains, -1.6, 1.6, 2, seed=seed)
        a, b = check.x, check.y
        ax.plot(*np.stack([a, b]).T, "-", color="C3" if not check.convex else "C2", lw=2)
        ax.plot(*np.stack([a, b]).T, "o", color="k", ms=4)
        if not check.convex:
            p = check.theta * a + (1 - check.theta) * b
            ax.plot(*p, "x", color="C3", ms=10, mew=2)
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")
        ax.set_xlim(-1.6, 1.6)
        ax.set_ylim(-1.6, 1.6)
    return plots.Plot(fig, axes)


def ellipse_set(p):
    """Points inside the ellipse (x/1.4)² + (y/0.8)² ≤ 1 (convex)."""
    p = as_float_array(p, "p", ndim_min=1)
    return (p[..., 0] / 1.4) ** 2 + (p[..., 1] / 0.8) ** 2 <= 1.0


def crescent_set(p):
    """The unit disc minus a disc of radius 0.8 centred at (0.5, 0): a crescent (not convex)."""
    p = as_float_array(p, "p", ndim_min=1)
    r2 = np.sum(p**2, axis=-1)
    return (r2 <= 1.0) & ((p[..., 0] - 0.5) ** 2 + p[..., 1] ** 2 > 0.64)


def softplus_bowl(x):
    """log(1 + eˣ) + 0.05 x², a convex 1-D function (the logistic loss plus a little ridge)."""
    x = as_float_array(x, "x")
    return np.logaddexp(0.0, x) + 0.05 * x**2


def double_well(x):
    """x⁴/4 − x² + 0.3x, a non-convex 1-D function with two valleys."""
    x = as_float_array(x, "x")
    return x**4 / 4 - x**2 + 0.3 * x


def chord_figure(seed: int = 0) -> plots.Plot:
    """The chord above the graph: a convex function (left) and, right, a double well with the
    chord that dips furthest below its graph (found by :func:`convergence.convexity_check`)."""
    fig, axes = plots.new_figure(1, 2)
    xs = np.linspace(-2.5, 2.5, 400)
    for ax, fn, ends, title in (
        (axes[0], softplus_bowl, (-2.0, 2.2), "convex: chord above the graph"),
        (axes[1], double_well, None, "not convex: the chord dips below"),
    ):
        ax.plot(xs, fn(xs), "-", color="C0", label="f")
        if ends is None:
            check = convergence.convexity_check(
                lambda p, fn=fn: fn(p[..., 0]), -2.2, 2.2, 1, seed=seed
            )
            ends = (float(check.x[0]), float(check.y[0]))
        a, b = ends
        theta = np.linspace(0.0, 1.0, 50)
        seg = theta * a + (1 - theta) * b
        chord = theta * fn(a) + (1 - theta) * fn(b)
        ax.plot(seg, chord, "-", color="C3", lw=2, label="chord θf(x) + (1−θ)f(y)")
        ax.fill_between(seg, fn(seg), chord, color="C3", alpha=0.15)
        ax.plot([a, b], [fn(a), fn(b)], "o", color="k", ms=4)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("x")
        ax.legend(fontsize=8, loc="upper center")
    return plots.Plot(fig, axes)


def sandwich_figure(objective, x, direction, smoothness, strong_convexity, span=3.0):
    """f along the line x + s·u between its two quadratic bounds (lecture 13).

    f(x) + s ∇f(x)ᵀu + μ/2 s² ≤ f(x + su) ≤ f(x) + s ∇f(x)ᵀu + L/2 s² (‖u‖ = 1); the tangent
    line (μ = 0) is drawn too. Returns the Plot, with ``plot.values`` the four curves.
    """
    x = objective.check_points(x, "x")
    u = as_float_array(direction, "direction")
    u = u / np.linalg.norm(u)
    s = np.linspace(-span, span, 301)
    fx, gx = objective.value_and_gradient(x)
    slope = float(gx @ u)
    along = float(fx) + slope * s
    values = {
        "f(x + s u)": objective.value(x + s[:, None] * u),
        "tangent": along,
        "μ-quadratic (below)": along + 0.5 * float(strong_convexity) * s**2,
        "L-quadratic (above)": along + 0.5 * float(smoothness) * s**2,
    }
    fig, ax = plots.new_figure()
    styles = ("-", ":", "--", "--")
    colors = ("C0", "0.5", "C2", "C3")
    for (label, v), ls, c in zip(values.items(), styles, colors, strict=True):
        ax.plot(s, v, ls, color=c, label=label)
    ax.plot([0.0], [float(fx)], "o", color="k", ms=4)
    ax.set_xlabel("s (distance along u)")
    ax.legend(fontsize=8)
    plot = plots.Plot(fig, ax)
    plot.values = values
    plots.title_axes(fig, "f along a line, between its two quadratic bounds")
    return plot


def bound_figure(measured: dict, bounds: dict, *, xscale="linear", ylabel="") -> plots.Plot:
    """Measured curves (solid) and their bounds (dashed, same colour), log y axis.

    ``measured`` maps labels to 1-D arrays; ``bounds`` maps the same labels to a dict
    {bound label: array} (or a single array). Measured values below 10⁻¹⁴ of the curve's
    largest (round-off, or exactly 0) are left out.
    """
    fig, ax = plots.new_figure()
    styles = ("--", ":", "-.")
    for k, (label, values) in enumerate(measured.items()):
        color = f"C{k % 10}"
        v = np.asarray(values, float)
        t = np.arange(v.size)
        shown = v > 1e-14 * np.nanmax(np.abs(v))  # round-off below: left out
        ax.plot(t[shown], v[shown], "-", color=color, label=f"{label}: measured")
        extra = bounds.get(label, {})
        extra = extra if isinstance(extra, dict) else {"bound": extra}
        for j, (name, b) in enumerate(extra.items()):
            b = np.asarray(b, float)
            ax.plot(np.arange(b.size), b, styles[j % 3], color=color, lw=1.2, label=f"  {name}")
    ax.set_yscale("log")
    ax.set_xscale(xscale)
    ax.set_xlabel("iteration t")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)
    plots.title_axes(fig, "measured curves and their bounds")
    return plots.Plot(fig, ax)


def horizon_figure(curves: dict) -> plots.Plot:
    """:func:`sgd_convex_curves` against the horizon T on log–log axes: the measured mean gap
    of the averaged iterate (dots) and :func:`convergence.sgd_convex_bound` (squares)."""
    T = np.asarray(curves["horizons"])
    fig, ax = plots.new_figure()
    ax.plot(T, curves["measured"], "o-", color="C0", label="measured: mean f(x̄_T) − f*")
    ax.plot(T, curves["bound"], "s--", color="C3", label="bound, γ = γ₀/√T")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("horizon T")
    ax.set_ylabel("$f(\\bar x_T) - f^*$")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "SGD's mean gap against the horizon T")
    return plots.Plot(fig, ax)


# --------------------------------------------------------------------------- the rates panel


def _positive_part(values: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (values > FLOOR), values, np.nan)


def worst_ratio(measured, bound) -> float:
    """max over t ≥ 1 of measured_t / bound_t (≤ 1: the bound holds), 0 where both are 0.

    Examples
    --------
    >>> worst_ratio([1.0, 0.5, 0.0], [1.0, 1.0, 0.0])
    0.5
    """
    m = as_float_array(measured, "measured", ndim_min=1, finite=False)[1:]
    b = as_float_array(bound, "bound", ndim_min=1, finite=False)[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(m == 0, 0.0, m / b)
    return float(np.max(r, initial=0.0))


def draw_rates():
    """Figure of the rates panel: a measured curve and up to two bounds, log y axis."""
    fig, ax = plots.new_figure()
    t = np.arange(RATE_STEPS + 1)
    artists = {"t": t}
    (artists["measured"],) = ax.plot(t, np.ones_like(t, float), "-", color="C0", label="measured")
    artists["bounds"] = [
        ax.plot(t, np.full(t.size, np.nan), ls, color=c, lw=1.5, label=label)[0]
        for ls, c, label in (("--", "C3", "bound (dashed)"), (":", "C1", "second bound (dotted)"))
    ]
    ax.set_yscale("log")
    ax.set_ylim(1e-14, 1e3)
    ax.set_xlim(0, RATE_STEPS)
    ax.set_xlabel("iteration t")
    ax.set_ylabel("$f(x_t) - f^*$")
    ax.legend(fontsize=8, loc="lower left")
    # What the lines are changes with the method, not with κ or ηL: a still text (drawn
    # into the cached background), so only a new method, which changes it, redraws in full.
    artists["names"] = ax.text(
        0.98,
        0.97,
        "",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
        bbox={"facecolor": "white", "edgecolor": "0.8", "alpha": 0.9},
    )
    ax.set_title("the measured gap and its bounds")
    return fig, artists


def update_rates(artists, method: str, condition_number: float, step_fraction: float) -> str:
    """One slider move of the rates panel: rerun, redraw the curve and bounds; the readout."""
    out = rate_curves(method, condition_number, step_fraction)
    artists["measured"].set_ydata(_positive_part(out["measured"]))
    names = list(out["bounds"])
    described = [f"solid: {method}"]
    for k, (line, style) in enumerate(zip(artists["bounds"], ("dashed", "dotted"), strict=True)):
        if k < len(names):
            line.set_ydata(_positive_part(out["bounds"][names[k]]))
            described.append(f"{style}: {names[k]}" + ("" if out["valid"] else " (not valid)"))
        else:
            line.set_ydata(np.full(RATE_STEPS + 1, np.nan))
    artists["names"].set_text("\n".join(described))
    run = out["run"]
    eta = out["learning_rate"]
    lines = [
        f"{method}: κ = {condition_number:.4g} (L = 1, μ = {1 / condition_number:.3g}),"
        f" η = {eta:.4g}" + ("" if out["momentum"] is None else f", β = {out['momentum']:.4f}"),
        f"run: {run.status.item()}",
    ]
    if method == "heavy ball":
        lines.append("the dashed guide is the quadratic rate; heavy ball has no bound for all f")
    elif not out["valid"]:
        lines.append("ηL > 1: the theorems assume η ≤ 1/L, no bound is drawn")
    else:
        ratio = {k: worst_ratio(out["measured"], b) for k, b in out["bounds"].items()}
        lines.append(
            "max over t ≥ 1 of measured / bound: "
            + ", ".join(f"{k} {v:.3g}" for k, v in ratio.items())
        )
        lines.append("bound holds" if max(ratio.values()) <= 1 + 1e-9 else "BOUND VIOLATED")
    artists["state"] = out
    return "\n".join(lines)


def rates_panel(
    method: str = "gradient descent", condition_number: float = 100.0, step_fraction: float = 1.0
):
    """Method, κ and ηL: the measured gap f(x_t) − f* against its bound (lecture 13).

    On :func:`spectrum_quadratic` (d = 20, L = 1, μ = 1/κ). Past ηL = 1 the bounds vanish
    (their assumptions fail), although GD still converges up to ηL < 2 (lecture 04).

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` (``measured``, ``bounds``, ``state``: the last
        :func:`rate_curves` result).

    Examples
    --------
    >>> panel = rates_panel()
    >>> "bound holds" in panel.set(method="Nesterov (convex)")
    True
    """
    fig, artists = draw_rates()

    def update(method, condition_number, step_fraction):
        return update_rates(artists, method, condition_number, step_fraction)

    controls = {
        "method": widgets.choice(METHODS, method, description="method"),
        "condition_number": widgets.slider(
            *KAPPA_RANGE, condition_number, log=True, description="κ"
        ),
        "step_fraction": widgets.slider(*STEP_RANGE, step_fraction, step=0.05, description="η L"),
    }
    moving = [artists["measured"], *artists["bounds"]]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


# --------------------------------------------------------------------------- the SGD panel


def draw_sgd():
    """Figure of the SGD panel: mean ‖w_t − w*‖², one run, and the bounds, log-log axes."""
    fig, ax = plots.new_figure()
    steps = SGD_EPOCHS * SGD_N
    t = np.arange(steps + 1)
    artists = {}
    (artists["one_run"],) = ax.plot(t, np.ones(t.size), "-", color="0.75", lw=0.8, label="one run")
    (artists["measured"],) = ax.plot(
        t, np.ones(t.size), "-", color="C0", label=f"mean of {len(SGD_SEEDS)} runs"
    )
    (artists["recursion"],) = ax.plot(
        t, np.ones(t.size), "--", color="C3", label="bound: recursion (any schedule)"
    )
    (artists["closed_form"],) = ax.plot(
        t, np.full(t.size, np.nan), ":", color="C1", lw=2, label="bound: C/(t + t₀)"
    )
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    ax.set_ylim(1e-4, 1e2)
    ax.set_xlabel("step t")
    ax.set_ylabel(r"$\|w_t - w^*\|^2$")
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("SGD: the measured error and its bounds")
    return fig, artists


def update_sgd(artists, schedule: str, step_fraction: float, decay_time: float) -> str:
    """One slider move of the SGD panel; returns the readout."""
    out = sgd_curves(schedule, step_fraction, decay_time)
    artists["measured"].set_ydata(_positive_part(out["measured"]))
    artists["one_run"].set_ydata(_positive_part(out["one_run"]))
    artists["recursion"].set_ydata(out["bounds"]["recursion (any schedule)"])
    closed = out["bounds"].get("C/(t + t₀)")
    artists["closed_form"].set_ydata(
        np.full(out["measured"].size, np.nan) if closed is None else closed
    )
    L, mu, Lmax, noise, _ = out["constants"]
    eta0 = out["learning_rates"][0]
    worst = max(worst_ratio(out["measured"], b) for b in out["bounds"].values())
    lines = [
        f"μ = {mu:.3g}, L = {L:.3g}, L_max = {Lmax:.3g}, σ*² = {noise:.3g};"
        f"  η₀ = {eta0:.4g} (≤ 1/(2 L_max) = {0.5 / Lmax:.4g})",
        f"final mean ‖w_T − w*‖² = {out['measured'][-1]:.3g},"
        f" bound {out['bounds']['recursion (any schedule)'][-1]:.3g}",
    ]
    if schedule == "constant":
        lines.append(
            f"constant step: the bound levels off at the noise floor 2ησ*²/μ = "
            f"{2 * eta0 * noise / mu:.3g}"
        )
    elif closed is None:
        lines.append(f"c μ = η₀ t₀ μ = {eta0 * decay_time * mu:.3g} ≤ 1: no O(1/t) guarantee")
    else:
        lines.append(f"c μ = η₀ t₀ μ = {eta0 * decay_time * mu:.3g} > 1: O(1/t)")
    lines.append(f"max over t ≥ 1 of mean measured / bound = {worst:.3g}")
    artists["state"] = out
    return "\n".join(lines)


def sgd_panel(
    schedule: str = "inverse_time", step_fraction: float = 1.0, decay_time: float = 300.0
):
    """Schedule, η₀ and the decay time t₀: SGD's mean squared distance against its bounds.

    On :func:`sgd_problem`, 30 seeded runs of 1000 single-example steps per move (the draws
    are made once, :func:`_seeded_examples`; the runs are one loop over the steps).

    Returns
    -------
    course_lib.widgets.Panel

    Examples
    --------
    >>> panel = sgd_panel()
    >>> "O(1/t)" in panel.readout
    True
    """
    fig, artists = draw_sgd()

    def update(schedule, step_fraction, decay_time):
        return update_sgd(artists, schedule, step_fraction, decay_time)

    controls = {
        "schedule": widgets.choice(SGD_SCHEDULES, schedule, description="schedule"),
        "step_fraction": widgets.slider(
            *SGD_STEP_RANGE, step_fraction, step=0.05, description="2η₀L_max"
        ),
        "decay_time": widgets.slider(*DECAY_RANGE, decay_time, log=True, description="t₀"),
    }
    moving = [artists[k] for k in ("one_run", "measured", "recursion", "closed_form")]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


PANELS = {"rates": rates_panel, "sgd": sgd_panel}
