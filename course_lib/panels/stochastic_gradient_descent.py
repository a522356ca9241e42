"""Figures and slider panels of lecture 05, stochastic gradient descent.

The running example is the line y = m x + b of lecture 01, fitted to n = 60 seeded noisy
points by least squares, L(θ) = (1/2n) Σᵢ (xᵢᵀθ − yᵢ)² with xᵢ = (xᵢ, 1) and θ = (m, b).
Everything drawn is computed by the library: :mod:`course_lib.stochastic` for the index
streams, minibatch gradients, schedules and SGD runs, :mod:`course_lib.closed_form` for the
optimum θ*. The module adds the two formulas the lecture checks against the runs:

* the variance of a minibatch gradient, σ²/B with replacement and σ²/B · (n − B)/(n − 1)
  without (:func:`predicted_variance`);
* the noise floor of constant-step SGD with replacement, the stationary excess loss of the
  linear recursion θ ← θ − η g_B(θ) (:func:`noise_floor`), ≈ η tr(C) / (4B) for small η
  (:func:`first_order_floor`).
"""

from __future__ import annotations

import ipywidgets
import numpy as np

from course_lib import closed_form, plots, stochastic, widgets
from course_lib._checks import as_dataset, as_float_array, one_of, positive, positive_int
from course_lib.data import linear_data
from course_lib.objectives import least_squares
from course_lib.trajectory import Trajectory

N = 60  # examples of the running example: 60 has many divisors, so many exact epochs
DATA_SEED = 0
START = np.array([-1.0, 4.0])  # θ₀ = (m₀, b₀), the start of lecture 01
CLOUD_POINT = np.array([0.5, 2.5])  # the θ at which the gradient cloud is drawn
BATCH_SIZES = tuple(b for b in range(1, N + 1) if N % b == 0)  # 1, 2, ..., 30, 60
CLOUD_EPOCHS = 20
SGD_EPOCHS = 40
ETA_RANGE = (1e-3, 0.5)
BOUNDS = ((-2.0, 5.0), (-2.0, 5.0))
ZOOM = 0.6  # half-width of the zoomed view around θ*
SCHEDULES = [
    ("constant", "constant"),
    ("1/t", "inverse_time"),
    ("step", "step"),
    ("cosine", "cosine"),
]
REPLACEMENT = [("without", False), ("with", True)]


# --------------------------------------------------------------------------- the data


def line_problem(n: int = N, noise: float = 1.0, seed: int = DATA_SEED):
    """The running example: design matrix X = [x, 1], targets y and the optimum θ* (lecture 05).

    The points come from :func:`course_lib.data.linear_data` (y = 2x + 1 + ε), the optimum
    from :func:`course_lib.closed_form.lstsq_solution`.

    Returns
    -------
    X : ndarray, shape (n, 2)
    y : ndarray, shape (n,)
    theta_star : ndarray, shape (2,)

    Examples
    --------
    >>> X, y, theta_star = line_problem()
    >>> X.shape, theta_star.round(2).tolist()
    ((60, 2), [1.99, 1.09])
    """
    x, y = linear_data(n, noise=noise, seed=seed)
    X = closed_form.design_matrix(x)
    return X, y, closed_form.lstsq_solution(X, y)


# --------------------------------------------------------------------------- minibatch gradients


def minibatch_gradients(theta, X, y, batch_size, *, epochs=1, replace=False, seed=0):
    """Every minibatch gradient g_B = (1/B) Σ_{i∈B} ∇ℓᵢ(θ) of several epochs (lecture 05).

    The batches are :func:`course_lib.stochastic.minibatch_indices` (a fresh shuffle per
    epoch, or independent draws with ``replace=True``); each gradient is
    :func:`course_lib.stochastic.least_squares_gradient` on the gathered rows X[batch].

    Returns
    -------
    ndarray, shape (epochs, n // batch_size, d)

    Examples
    --------
    >>> X, y, _ = line_problem()
    >>> g = minibatch_gradients(START, X, y, 5, epochs=2)
    >>> g.shape
    (2, 12, 2)
    >>> bool(np.allclose(g[0].mean(axis=0), stochastic.least_squares_gradient(START, X, y)))
    True
    """
    X, y = as_dataset(X, y)
    theta = as_float_array(theta, "theta")
    if theta.shape != (X.shape[1],):
        raise ValueError(f"theta must have shape ({X.shape[1]},), got {theta.shape}")
    idx = stochastic.minibatch_indices(
        X.shape[0], batch_size, epochs=epochs, replace=replace, seed=seed
    )
    return stochastic.least_squares_gradient(theta, X[idx], y[idx])


def gradient_variance(minibatch_grads, full_gradient) -> float:
    """The mean squared distance E‖g_B − ∇L‖² of minibatch gradients from the full gradient.

    Examples
    --------
    >>> gradient_variance([[1.0, 0.0], [-1.0, 0.0]], [0.0, 0.0])
    1.0
    """
    g = as_float_array(minibatch_grads, "minibatch_grads", ndim_min=1)
    full = as_float_array(full_gradient, "full_gradient")
    if g.shape[-1:] != full.shape:
        raise ValueError(f"minibatch_grads {g.shape} and full_gradient {full.shape} do not match")
    return float(np.mean(np.sum((g - full) ** 2, axis=-1)))


def per_example_variance(per_example) -> float:
    """σ² = (1/n) Σᵢ ‖∇ℓᵢ − ∇L‖², the spread of the per-example gradients (lecture 05).

    Examples
    --------
    >>> per_example_variance([[1.0, 0.0], [-1.0, 0.0]])
    1.0
    """
    g = as_float_array(per_example, "per_example", ndim_min=2)
    return float(np.mean(np.sum((g - g.mean(axis=0)) ** 2, axis=-1)))


def predicted_variance(sigma2, n, batch_size, replace):
    """E‖g_B − ∇L‖² of a batch of B examples out of n (lecture 05).

    With replacement the B draws are independent, each with variance σ²: σ²/B. Without
    replacement they are a simple random sample, negatively correlated (their sum over all
    n examples is fixed): σ²/B · (n − B)/(n − 1), which is 0 for the full batch B = n.

    Parameters
    ----------
    sigma2 : float
        σ², see :func:`per_example_variance`.
    n : int
    batch_size : int or array_like of int
        B, with 1 ≤ B ≤ n.
    replace : bool

    Examples
    --------
    >>> predicted_variance(2.0, 10, np.array([1, 10]), replace=False).tolist()
    [2.0, 0.0]
    >>> float(predicted_variance(2.0, 10, 4, replace=True))
    0.5
    """
    sigma2 = positive(sigma2, "sigma2", allow_zero=True)
    n = positive_int(n, "n")
    b = positive(batch_size, "batch_size")
    if np.any(b > n):
        raise ValueError(f"batch_size must be at most n = {n}, got {batch_size!r}")
    correction = 1.0 if replace or n == 1 else (n - b) / (n - 1)
    return sigma2 / b * correction


def measured_variances(theta, X, y, batch_sizes, *, epochs, replace, seed=0) -> np.ndarray:
    """E‖g_B − ∇L‖² measured over ``epochs`` epochs of batches, for each batch size.

    One :func:`minibatch_gradients` call per batch size (the batch size sets the shape of
    the index array, so the sizes cannot share one array).

    Examples
    --------
    >>> X, y, _ = line_problem()
    >>> bool(measured_variances(START, X, y, [60], epochs=3, replace=False)[0] < 1e-25)
    True
    """
    full = stochastic.least_squares_gradient(as_float_array(theta, "theta"), *as_dataset(X, y))
    return np.array(
        [
            gradient_variance(
                minibatch_gradients(theta, X, y, b, epochs=epochs, replace=replace, seed=seed),
                full,
            )
            for b in batch_sizes
        ]
    )


# --------------------------------------------------------------------------- the noise floor


def gradient_noise(X, y, theta_star):
    """C = (1/n) Σᵢ ∇ℓᵢ(θ*) ∇ℓᵢ(θ*)ᵀ, the covariance of the per-example gradients at θ*.

    At the optimum their mean is 0, so C is their covariance; tr C = σ² at θ*.

    Examples
    --------
    >>> X, y, theta_star = line_problem()
    >>> C = gradient_noise(X, y, theta_star)
    >>> bool(np.isclose(np.trace(C), per_example_variance(
    ...     stochastic.per_example_gradients(theta_star, X, y))))
    True
    """
    g = stochastic.per_example_gradients(theta_star, X, y)
    return g.T @ g / g.shape[0]


def first_order_floor(X, y, learning_rate, batch_size):
    """The small-η noise floor E[L(θ_t)] − L* ≈ η tr(C) / (4B) of constant-step SGD.

    Near θ* the step is e ← (I − ηH)e − η ξ with noise ξ of covariance C/B. Its stationary
    covariance Σ solves HΣ + ΣH = η C/B + O(η²); the excess loss is ½ tr(HΣ) = η tr(C)/(4B):
    proportional to η, inversely proportional to B, independent of the start.

    Examples
    --------
    >>> X, y, _ = line_problem()
    >>> a, b = first_order_floor(X, y, [0.01, 0.02], 1)
    >>> bool(np.isclose(b, 2 * a))
    True
    """
    X, y = as_dataset(X, y)
    eta = positive(learning_rate, "learning_rate")
    b = positive_int(batch_size, "batch_size")
    C = gradient_noise(X, y, closed_form.lstsq_solution(X, y))
    return eta * np.trace(C) / (4 * b)


def noise_floor(X, y, learning_rate, batch_size):
    """The exact stationary excess loss of constant-step SGD with replacement (lecture 05).

    With e = θ − θ*, a minibatch gradient of least squares is g_B = H_B e + g*_B, where
    H_B = (1/B) Σ_{i∈B} xᵢxᵢᵀ and g*_B is the minibatch gradient at θ* (mean 0, covariance
    C/B). For B independent draws, E[H_B Σ H_B] = HΣH + (M(Σ) − HΣH)/B with
    M(Σ) = (1/n) Σᵢ xᵢxᵢᵀ Σ xᵢxᵢᵀ. The second moment Σ = E[eeᵀ] of e ← e − η g_B is
    stationary when

        HΣ + ΣH − η [HΣH + (M(Σ) − HΣH)/B] = η C/B,

    a linear system for the d² entries of Σ, and then E[L(θ)] − L* = ½ tr(HΣ). For small η
    this is :func:`first_order_floor`. Without replacement there is no such formula (the
    batches of an epoch are dependent); the floor is lower.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    learning_rate : float or array_like, shape (K,)
    batch_size : int

    Returns
    -------
    ndarray, shape of ``learning_rate``
        inf where η is too large for a stationary second moment (the noise is amplified).

    Examples
    --------
    >>> X, y, _ = line_problem()
    >>> exact, approx = noise_floor(X, y, 1e-4, 1), first_order_floor(X, y, 1e-4, 1)
    >>> bool(np.isclose(exact, approx, rtol=1e-3))
    True
    """
    X, y = as_dataset(X, y)
    eta = positive(learning_rate, "learning_rate")
    b = positive_int(batch_size, "batch_size")
    n, d = X.shape
    H = X.T @ X / n
    C = gradient_noise(X, y, closed_form.lstsq_solution(X, y))
    eye = np.eye(d)
    drift = np.kron(H, eye) + np.kron(eye, H)  # vec(HΣ + ΣH) for row-major vec
    HH = np.kron(H, H)  # vec(HΣH)
    M = np.einsum("ni,nj,nk,nl->ijkl", X, X, X, X).reshape(d * d, d * d) / n  # vec(M(Σ))
    e = eta.reshape(-1, 1, 1)
    system = drift - e * (HH + (M - HH) / b)
    sigma = np.linalg.solve(system, (e[..., 0] * C.reshape(1, -1) / b)[..., None])[..., 0]
    sigma = sigma.reshape(-1, d, d)
    floor = 0.5 * np.einsum("ij,kji->k", H, sigma)
    stable = _second_moment_is_stable(H, M, HH, e[:, 0, 0], b)
    return np.where(stable & (floor > 0), floor, np.inf).reshape(eta.shape)[()]


def _second_moment_is_stable(H, M, HH, eta, b):
    """Whether Σ ← E[(I − ηH_B)Σ(I − ηH_B)] contracts (spectral radius below 1) for each η."""
    d = H.shape[0]
    eye = np.eye(d)
    drift = np.kron(H, eye) + np.kron(eye, H)
    maps = (
        np.eye(d * d) - eta[:, None, None] * drift + eta[:, None, None] ** 2 * (HH + (M - HH) / b)
    )
    return np.max(np.abs(np.linalg.eigvals(maps)), axis=-1) < 1.0


def stationary_gap(trajectory: Trajectory, minimum: float, burn_in: float = 0.25):
    """The mean of L(θ_t) − L* over the recorded points after the first ``burn_in`` fraction.

    With ``record="step"`` and a constant step this estimates the noise floor; the first
    quarter (the descent from θ₀) is left out.

    Returns
    -------
    ndarray, shape (*batch)

    Examples
    --------
    >>> X, y, theta_star = line_problem()
    >>> run = stochastic.sgd(X, y, theta_star, 0.01, epochs=2, record="step", tol=0.0)
    >>> bool(stationary_gap(run, stochastic.least_squares_loss(theta_star, X, y)) > 0)
    True
    """
    if not 0 <= burn_in < 1:
        raise ValueError(f"burn_in must lie in [0, 1), got {burn_in!r}")
    losses = np.asarray(trajectory.losses, float)
    start = int(burn_in * losses.shape[-1])
    return np.mean(losses[..., start:] - float(minimum), axis=-1)[()]


# --------------------------------------------------------------------------- SGD runs


def schedule_kw(schedule: str, batch_size: int, n: int = N) -> dict | None:
    """The schedule settings of the lecture, in epochs of n // B steps (lecture 05).

    ``"inverse_time"``: η_t = η₀ / (1 + t/t₀) with t₀ one epoch (η halves after the first
    epoch); ``"step"``: halve η every 10 epochs; ``"cosine"`` and ``"constant"``: defaults.

    Examples
    --------
    >>> schedule_kw("inverse_time", 5)
    {'decay_time': 12}
    """
    one_of(schedule, "schedule", stochastic.SCHEDULES)
    steps = n // positive_int(batch_size, "batch_size")
    if schedule == "inverse_time":
        return {"decay_time": steps}
    if schedule == "step":
        return {"step_every": 10 * steps, "factor": 0.5}
    return None


def run_sgd(
    X,
    y,
    learning_rate,
    batch_size,
    *,
    schedule="constant",
    replace=False,
    seed=0,
    epochs=SGD_EPOCHS,
    start=START,
    record="step",
) -> Trajectory:
    """SGD from ``start`` with the lecture's schedule settings, every step recorded.

    :func:`course_lib.stochastic.sgd` with ``schedule_kw`` from :func:`schedule_kw` and
    ``tol=0`` (an SGD run never "converges" on a gradient-norm test: it is noisy).

    Examples
    --------
    >>> X, y, _ = line_problem()
    >>> run_sgd(X, y, 0.05, 10, epochs=3).iterates.shape
    (19, 2)
    """
    n = as_dataset(X, y)[0].shape[0]
    return stochastic.sgd(
        X,
        y,
        start,
        learning_rate,
        batch_size=batch_size,
        epochs=epochs,
        schedule=schedule,
        schedule_kw=schedule_kw(schedule, batch_size, n),
        replace=replace,
        seed=seed,
        record=record,
        tol=0.0,
    )


def epoch_axis(steps: int, batch_size: int, n: int = N) -> np.ndarray:
    """Step t = 0, ..., steps − 1 measured in epochs, t / (n // B)."""
    return np.arange(steps) / (n // positive_int(batch_size, "batch_size"))


# --------------------------------------------------------------------------- figures


def cloud_figure(clouds: dict, full_gradient, per_example) -> plots.Plot:
    """One gradient cloud per batch size, side by side on the same view (lecture 05).

    Parameters
    ----------
    clouds : dict
        Batch size B -> its minibatch gradients, shape (..., 2) (e.g. from
        :func:`minibatch_gradients`).
    full_gradient : array_like, shape (2,)
    per_example : array_like, shape (n, 2)
        The single-example gradients, which set the (common) view.
    """
    fig, axes = plots.new_figure(1, len(clouds), size=(4.0 * len(clouds), 4.2))
    axes = np.atleast_1d(axes)
    for ax, (b, g) in zip(axes, clouds.items(), strict=True):
        g = np.asarray(g, float).reshape(-1, 2)
        plots.gradient_cloud(g, full_gradient, ax=ax)
        _square_view(ax, per_example)
        ax.set_title(f"B = {b}: {len(g)} minibatch gradients")
    return plots.Plot(fig, axes[0])


def _cloud_limit(theta, X, y) -> float:
    """Half-width of a view that holds every single-example gradient at θ (the widest cloud)."""
    g = stochastic.per_example_gradients(theta, X, y)
    return 1.1 * float(np.max(np.abs(g)))


def _square_view(ax, per_example) -> None:
    """Square limits around the single-example gradients and 0 (the widest cloud)."""
    g = np.vstack([np.asarray(per_example, float), np.zeros((1, 2))])
    low, high = g.min(axis=0), g.max(axis=0)
    centre, half = (low + high) / 2, 0.55 * float(np.max(high - low))
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half, centre[1] + half)


def variance_figure(batch_sizes, measured: dict, predicted: dict) -> plots.Plot:
    """E‖g_B − ∇L‖² against B, log-log: formula lines and measured dots (lecture 05)."""
    fig, ax = plots.new_figure()
    b = np.asarray(batch_sizes, float)
    for k, label in enumerate(predicted):
        # without replacement B = n gives exactly 0, which a log axis leaves out
        ax.plot(b, _positive(predicted[label]), "-", color=f"C{k}", label=f"formula, {label}")
        ax.plot(
            b,
            _positive(measured[label]),
            "o",
            color=f"C{k}",
            ms=6,
            mfc="none",
            label=f"measured, {label}",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("batch size B")
    ax.set_ylabel(r"$E\,\|g_B - \nabla L\|^2$")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the minibatch noise against the batch size")
    return plots.Plot(fig, ax)


def _positive(values, relative: float = 1e-20) -> np.ndarray:
    """Values for a log axis: zeros (and rounding-level values) become nan, left out.

    A value below ``relative`` times the largest one is a rounding error of an exact zero
    (the full batch drawn without replacement has no variance at all).
    """
    values = np.asarray(values, float)
    with np.errstate(invalid="ignore"):
        top = np.nanmax(np.where(np.isfinite(values), values, np.nan)) if values.size else 0.0
        return np.where(values > relative * top, values, np.nan)


def floor_figure(etas, measured: dict, exact, first_order) -> plots.Plot:
    """Measured noise floors (dots) against η with the exact and first-order predictions."""
    fig, ax = plots.new_figure()
    ax.plot(etas, exact, "-", color="C0", label="predicted (exact, with replacement)")
    ax.plot(etas, first_order, "--", color="0.4", label=r"first order $\eta\,\mathrm{tr}C/(4B)$")
    for k, (label, values) in enumerate(measured.items()):
        ax.plot(etas, values, "o", color=f"C{k}", ms=6, mfc="none", label=f"measured, {label}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel(r"mean of $L(\theta_t) - L^*$ (noise floor)")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the noise floor against η")
    return plots.Plot(fig, ax)


def gap_figure(
    curves: dict, *, x=None, xlabel="epoch", ylabel=r"$L(\theta_t) - L^*$", levels=(), ylim=None
) -> plots.Plot:
    """Curves {label: L(θ_t) − L*} on a log axis against ``x``, with horizontal levels."""
    plot = plots.loss_curves(list(curves.values()), list(curves), ylim=ylim)
    for line, values in zip(plot.lines, curves.values(), strict=True):
        if x is not None:
            line.set_xdata(np.asarray(x, float)[: len(values)])
    if x is not None:
        plot.ax.set_xlim(0, float(np.max(x)))
    for value, label in levels:
        plot.ax.axhline(value, color="0.3", ls="--", lw=1, label=label)
    plot.ax.set_xlabel(xlabel)
    plot.ax.set_ylabel(ylabel)
    plot.ax.legend(fontsize=8)
    return plot


def work_figure(sgd_gaps: dict, gd_gaps: dict, batch_size: int, floors=None) -> plots.Plot:
    """L(θ) − L* against the work done, counted in single-example gradients (lecture 05).

    A step of SGD costs B example gradients, a step of gradient descent n: SGD after t steps
    sits at x = tB, GD at x = tn. ``sgd_gaps`` and ``gd_gaps`` map n to the gap of each step;
    ``floors`` (n -> predicted noise floor of the SGD runs) draws dotted levels.
    """
    fig, ax = plots.new_figure()
    for k, n in enumerate(sgd_gaps):
        gap = _positive(sgd_gaps[n], relative=0.0)
        ax.plot(
            batch_size * np.arange(gap.size),
            gap,
            "-",
            color=f"C{k}",
            lw=0.8,
            alpha=0.8,
            label=f"SGD, B = {batch_size}, n = {n}",
        )
    for k, n in enumerate(gd_gaps):
        gap = _positive(gd_gaps[n], relative=0.0)
        ax.plot(n * np.arange(gap.size), gap, "o--", color=f"C{k}", ms=5, label=f"GD, n = {n}")
    for k, level in enumerate((floors or {}).values()):
        label = "predicted SGD floors" if k == 0 else None
        ax.axhline(level, color=f"C{k}", ls=":", lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("work: single-example gradients computed")
    ax.set_ylabel(r"$L(\theta) - L^*$")
    ax.legend(fontsize=8, ncols=2)
    plots.title_axes(fig, "progress against the work done")
    return plots.Plot(fig, ax)


def path_figure(objective, runs: dict, *, steps=None) -> plots.Plot:
    """SGD paths in the (m, b) plane on the contours of the least-squares loss."""
    fig, ax = plots.new_figure()
    paths = [np.asarray(r.iterates)[:steps] for r in runs.values()]
    plot = plots.contour_plot(objective, paths, list(runs), bounds=BOUNDS, ax=ax)
    for line in plot.paths:
        line.set_markersize(0)
        line.set_linewidth(0.8)
    ax.set_xlabel("slope m")
    ax.set_ylabel("intercept b")
    plots.title_axes(fig, "SGD paths in the (m, b) plane")
    return plot


# --------------------------------------------------------------------------- panels


def _batch_slider(value: int):
    return ipywidgets.SelectionSlider(
        options=list(BATCH_SIZES), value=value, description="batch B", continuous_update=True
    )


def _seed_slider(value: int):
    return widgets.slider(0, 20, value, description="seed")


def draw_cloud_panel(theta=CLOUD_POINT, *, n: int = N):
    """Figure of the cloud panel: the gradient cloud (left), variance against B (right).

    Returns the figure and a dict of the artists :func:`update_cloud_panel` moves, with the
    data it needs.
    """
    X, y, _ = line_problem(n)
    full = stochastic.least_squares_gradient(theta, X, y)
    sigma2 = per_example_variance(stochastic.per_example_gradients(theta, X, y))
    fig, (left, right) = plots.new_figure(1, 2)
    first = minibatch_gradients(theta, X, y, 1, epochs=1).reshape(-1, 2)
    cloud = plots.gradient_cloud(first, full, lim=_cloud_limit(theta, X, y), ax=left)
    _square_view(left, stochastic.per_example_gradients(theta, X, y))
    (circle,) = left.plot([], [], "--", color="C2", lw=1.2, label="predicted spread")
    left.legend(fontsize=8, loc="upper left")
    sizes = np.array(BATCH_SIZES, float)
    for k, replace in enumerate((False, True)):
        shown = sizes if replace else sizes[:-1]  # without replacement B = n gives 0 exactly
        right.plot(
            shown,
            predicted_variance(sigma2, n, shown, replace),
            "-",
            color=f"C{k}",
            label=f"σ²/B{' (n−B)/(n−1)' if not replace else ''}, {_replace_label(replace)}",
        )
    (marker,) = right.plot([], [], "o", color="k", ms=8, mfc="none", label="measured")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_ylim(0.3 * predicted_variance(sigma2, n, BATCH_SIZES[-2], False), 3 * sigma2)
    right.set_xlabel("batch size B")
    right.set_ylabel(r"$E\,\|g_B - \nabla L\|^2$")
    right.legend(fontsize=8, loc="lower left")
    artists = {"cloud": cloud, "circle": circle, "marker": marker}
    data = {"X": X, "y": y, "theta": np.asarray(theta, float), "full": full, "sigma2": sigma2}
    right.set_title("minibatch noise against the batch size")
    return fig, artists, data


def _replace_label(replace: bool) -> str:
    return "with replacement" if replace else "without replacement"


def update_cloud_panel(artists, data, batch_size, replace, seed) -> str:
    """Recompute the cloud panel for (B, replacement, seed); returns the readout."""
    X, y, theta, full = data["X"], data["y"], data["theta"], data["full"]
    n = X.shape[0]
    g = minibatch_gradients(
        theta, X, y, batch_size, epochs=CLOUD_EPOCHS, replace=replace, seed=seed
    )
    artists["cloud"].set_gradients(g.reshape(-1, 2), full)
    predicted = float(predicted_variance(data["sigma2"], n, batch_size, replace))
    angle = np.linspace(0.0, 2.0 * np.pi, 121)
    radius = np.sqrt(predicted)
    artists["circle"].set_data(full[0] + radius * np.cos(angle), full[1] + radius * np.sin(angle))
    measured = gradient_variance(g, full)
    # B = n without replacement: 0 up to rounding, which a log axis leaves out
    shown = measured if measured > 1e-20 * data["sigma2"] else np.nan
    artists["marker"].set_data([batch_size], [shown])
    epoch_error = np.max(np.abs(g.mean(axis=1) - full))  # per epoch: mean of its batches − ∇L
    return (
        f"B = {batch_size}, {_replace_label(replace)}, seed {seed}: "
        f"{g.shape[0]} epochs of {g.shape[1]} batch{'es' if g.shape[1] > 1 else ''}\n"
        f"E‖g_B − ∇L‖²: measured {measured:.4g}, formula {predicted:.4g}\n"
        f"max over epochs of |mean of the epoch's g_B − ∇L| = {epoch_error:.2g}"
    )


def gradient_cloud_panel(batch_size: int = 5, replace: bool = False, seed: int = 0):
    """Controls: batch size B, with / without replacement, seed (lecture 05).

    Left, the minibatch gradients of 20 epochs at :data:`CLOUD_POINT`, around the full
    gradient (red arrow), with a dashed circle of the predicted root-mean-square spread;
    right, E‖g_B − ∇L‖² against B (the two formulas) with the measured value.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` and ``panel.data`` (for tests).

    Examples
    --------
    >>> panel = gradient_cloud_panel()
    >>> "formula" in panel.set(batch_size=12)
    True
    """
    fig, artists, data = draw_cloud_panel()

    def update(batch_size, replace, seed):
        return update_cloud_panel(artists, data, batch_size, replace, seed)

    controls = {
        "batch_size": _batch_slider(batch_size),
        "replace": widgets.choice(REPLACEMENT, replace, buttons=True, description="draws"),
        "seed": _seed_slider(seed),
    }
    moving = [artists["cloud"], artists["circle"], artists["marker"]]
    panel = widgets.Panel(fig, update, controls, moving, artists=artists)
    panel.data = data
    return panel


def zoom_box(theta_star, half_width: float = ZOOM) -> tuple:
    """The square θ* ± ``half_width`` of the zoomed view."""
    m, b = (float(v) for v in theta_star)
    return ((m - half_width, m + half_width), (b - half_width, b + half_width))


def _thin_paths(contour) -> None:
    for line in contour.paths:
        line.set_markersize(0)
        line.set_linewidth(0.8)


def draw_sgd_panel(*, n: int = N, epochs: int = SGD_EPOCHS):
    """Figure of the SGD panel: the path on the loss contours, a zoom on θ*, L(θ_t) − L*.

    Returns the figure, a dict of the artists :func:`update_sgd_panel` moves and the data.
    """
    X, y, theta_star = line_problem(n)
    objective = least_squares(X, y)
    lstar = float(stochastic.least_squares_loss(theta_star, X, y))
    fig, (left, middle, right) = plots.new_figure(1, 3, size=(13.5, 4.4))
    contour = plots.contour_plot(objective, [START[None]], bounds=BOUNDS, ax=left)
    zoom = plots.contour_plot(objective, [theta_star[None]], bounds=zoom_box(theta_star), ax=middle)
    _thin_paths(contour)
    _thin_paths(zoom)
    zoom.paths[0].set_marker(".")
    zoom.paths[0].set_markersize(3)
    left.set_title("SGD path from θ₀")
    middle.set_title("zoom on θ*: the second half of the run")
    for ax in (left, middle):
        ax.set_xlabel("slope m")
        ax.set_ylabel("intercept b")
    losses = plots.loss_curves(
        [np.ones(2), np.ones(2)],
        ["every step", "mean over each epoch"],
        minimum=0.0,
        xlim=(0, epochs),
        ylim=(1e-6, 50.0),
        ax=right,
    )
    losses.lines[0].set_alpha(0.35)
    losses.lines[0].set_linewidth(0.8)
    losses.lines[1].set_color("k")
    (floor,) = right.plot(
        [], [], "--", color="C3", lw=1.2, label="predicted floor, constant η₀ (with replacement)"
    )
    right.set_xlabel("epoch")
    right.set_ylabel(r"$L(\theta_t) - L^*$")
    right.legend(fontsize=8, loc="upper right")
    artists = {"contour": contour, "zoom": zoom, "losses": losses, "floor": floor}
    data = {"X": X, "y": y, "theta_star": theta_star, "lstar": lstar, "epochs": epochs}
    return fig, artists, data


def epoch_means(gap, batch_size: int, n: int = N) -> np.ndarray:
    """The mean of L(θ_t) − L* over the steps of each epoch (the recorded start left out).

    Examples
    --------
    >>> epoch_means(np.array([9.0, 1.0, 3.0, 5.0, 7.0]), 30).tolist()
    [2.0, 6.0]
    """
    gap = as_float_array(gap, "gap", ndim_min=1, finite=False)
    steps = n // positive_int(batch_size, "batch_size")
    if (gap.shape[-1] - 1) % steps:
        raise ValueError(f"gap must hold 1 + a whole number of epochs of {steps} steps")
    return gap[..., 1:].reshape(*gap.shape[:-1], -1, steps).mean(axis=-1)


def update_sgd_panel(artists, data, learning_rate, schedule, batch_size, replace, seed) -> str:
    """Recompute the SGD panel; returns the readout (one control move)."""
    X, y = data["X"], data["y"]
    run = run_sgd(
        X,
        y,
        learning_rate,
        batch_size,
        schedule=schedule,
        replace=replace,
        seed=seed,
        epochs=data["epochs"],
    )
    path = np.clip(run.iterates, -1e3, 1e3)  # a diverged run leaves the view anyway
    artists["contour"].set_paths(path)
    artists["zoom"].set_paths(path[path.shape[0] // 2 :])
    gap = run.losses - data["lstar"]
    every, means = artists["losses"].lines
    every.set_data(epoch_axis(gap.size, batch_size, X.shape[0]), plots._log_visible(gap))
    with np.errstate(invalid="ignore", over="ignore"):
        per_epoch = epoch_means(gap, batch_size, X.shape[0])
    means.set_data(np.arange(1, per_epoch.size + 1), plots._log_visible(per_epoch))
    floor = float(noise_floor(X, y, learning_rate, batch_size))
    artists["floor"].set_data(
        [0, data["epochs"]], [floor] * 2 if np.isfinite(floor) else [np.nan] * 2
    )
    head = (
        f"η₀ = {learning_rate:.3g}, {schedule}, B = {batch_size}, {_replace_label(replace)}, "
        f"seed {seed}: {run.status.item()} after {int(run.stopped_at)} steps\n"
    )
    predicted = f"{floor:.3g}" if np.isfinite(floor) else "none (η₀ too large for a steady state)"
    if run.diverged:
        return head + f"the steps overshoot and L blows up; predicted floor: {predicted}"
    last = gap[-(X.shape[0] // batch_size) :]  # the last epoch
    return (
        head + f"L − L* over the last epoch: mean {np.mean(last):.3g}; "
        f"predicted floor of a constant η₀ with replacement: {predicted}"
    )


def sgd_panel(
    learning_rate: float = 0.05,
    schedule: str = "constant",
    batch_size: int = 5,
    replace: bool = False,
    seed: int = 0,
):
    """Controls: learning rate η₀, schedule, batch size B, replacement, seed (lecture 05).

    Left, the SGD path of 40 epochs from :data:`START` on the contours of L(m, b); right,
    L(θ_t) − L* at every step (x axis in epochs) with the predicted noise floor of a
    constant step (with replacement, :func:`noise_floor`) as a dashed line.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` and ``panel.data`` (for tests).

    Examples
    --------
    >>> panel = sgd_panel()
    >>> "max_iter" in panel.set(schedule="inverse_time")
    True
    """
    fig, artists, data = draw_sgd_panel()

    def update(learning_rate, schedule, batch_size, replace, seed):
        return update_sgd_panel(artists, data, learning_rate, schedule, batch_size, replace, seed)

    controls = {
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η₀"),
        "schedule": widgets.choice(SCHEDULES, schedule, buttons=True, description="schedule"),
        "batch_size": _batch_slider(batch_size),
        "replace": widgets.choice(REPLACEMENT, replace, buttons=True, description="draws"),
        "seed": _seed_slider(seed),
    }
    moving = [artists[k] for k in ("contour", "zoom", "losses", "floor")]
    panel = widgets.Panel(fig, update, controls, moving, artists=artists)
    panel.data = data
    return panel


PANELS = {"gradient cloud": gradient_cloud_panel, "sgd": sgd_panel}
