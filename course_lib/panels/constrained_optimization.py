"""Figures and slider panels of lecture 08, constrained optimisation.

One small problem runs through the lecture: norm-constrained least squares in two unknowns,

    minimise f(x) = ½||Ax − b||²   subject to   ||x||² ≤ r²,

with the three equations of :data:`A_MATRIX` and :data:`B_VECTOR`. Its unconstrained solution
x_ls = (AᵀA)⁻¹Aᵀb has norm 1.93, so every radius below that makes the constraint bind.
Everything drawn here is computed by :mod:`course_lib.constrained`: projected gradient
descent, the circle reparametrisation, the Lagrangian minimiser x(λ), dual ascent on λ and the
KKT check. The helpers below add only what the lecture needs beside them: the exact
multiplier λ* from the secular equation ||x(λ)|| = r (bisection, an independent reference for
dual ascent), the multiplier read off a primal point, and exhaustive search for the nearest
point of a set (an independent reference for the projections).
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, Rectangle

from course_lib import plots, widgets
from course_lib._checks import as_float_array, as_points, positive, positive_int
from course_lib.constrained import (
    circle_point,
    dual_ascent,
    dual_step_limit,
    kkt_check,
    lagrangian,
    lagrangian_minimizer,
    norm_constrained_objective,
    project_ball,
    project_box,
    projected_gradient_descent,
)

A_MATRIX = np.array([[2.0, 1.0], [0.5, 1.0], [1.0, 0.0]])
B_VECTOR = np.array([4.0, 2.0, 1.0])
START = np.array([0.4, -2.2])
RADIUS = 1.0
BOX = 2.5
BOUNDS = ((-BOX, BOX), (-BOX, BOX))
RADIUS_RANGE = (0.4, 2.4)
ETA_RANGE = (0.01, 0.6)
ALPHA_RANGE = (0.02, 3.5)
PGD_STEPS = 200
DUAL_STEPS = 1000
LEVELS = 0.03 + np.geomspace(0.03, 40.0, 16)  # f(x_ls) = 0.0294 plus geometric gaps
LAMBDA_LIMITS = (0.0, 20.0)
LAMBDA_LINEAR = 0.01  # the λ axis is linear below this, logarithmic above (λ* spans 0 to 11)


def problem():
    """(A, b, f) of the lecture's problem, f(x) = ½||Ax − b||² (fresh copies each call).

    Examples
    --------
    >>> A, b, f = problem()
    >>> A.shape, b.shape, f.dim
    ((3, 2), (3,), 2)
    """
    A, b = A_MATRIX.copy(), B_VECTOR.copy()
    return A, b, norm_constrained_objective(A, b)


def _full_rank(A) -> np.ndarray:
    A = as_float_array(A, "A", ndim_min=2)
    if A.ndim != 2 or np.linalg.matrix_rank(A) < A.shape[1]:
        raise ValueError(f"A must be a 2-D array of full column rank, got shape {A.shape}")
    return A


def secular_multiplier(A, b, radius, iterations: int = 100) -> np.ndarray:
    """The optimal multiplier λ*(r) from the secular equation ||x(λ)|| = r (lecture 08).

    x(λ) = (AᵀA + 2λI)⁻¹Aᵀb shrinks monotonically from x(0) = x_ls to 0 as λ grows. If
    ||x_ls|| ≤ r the constraint is inactive and λ* = 0. Otherwise λ* is the one root of
    ||x(λ)|| = r, bracketed by [0, ||Aᵀb|| / (2r)] (there ||x(λ)|| ≤ ||Aᵀb|| / (2λ) ≤ r) and
    found by bisection. A reference for :func:`course_lib.constrained.dual_ascent` that does
    not use it.

    Parameters
    ----------
    A : array_like, shape (m, d)
        Of full column rank.
    b : array_like, shape (m,)
    radius : float or array_like, shape (K,)
        r > 0; an array gives one multiplier per radius (bisected together).
    iterations : int
        Bisection steps (each halves the bracket).

    Returns
    -------
    ndarray, shape of ``radius``

    Examples
    --------
    >>> round(float(secular_multiplier(np.eye(2), np.array([2.0, 0.0]), 1.0)), 12)  # 2/(1 + 2λ) = 1
    0.5
    """
    A = _full_rank(A)
    r = positive(radius, "radius")
    iterations = positive_int(iterations, "iterations")
    active = np.linalg.norm(lagrangian_minimizer(A, b, 0.0)) > r
    lo = np.zeros(r.shape)
    hi = np.full(r.shape, np.linalg.norm(A.T @ np.asarray(b, float))) / (2.0 * r)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        outside = np.linalg.norm(lagrangian_minimizer(A, b, mid), axis=-1) > r
        lo, hi = np.where(outside, mid, lo), np.where(outside, hi, mid)
    return np.where(active, 0.5 * (lo + hi), 0.0)[()]


def recovered_multiplier(A, b, x, radius, rtol: float = 1e-6) -> np.ndarray:
    """The multiplier a primal point implies, λ̂ = max(0, −xᵀ∇f(x) / (2||x||²)) (lecture 08).

    Stationarity asks ∇f(x) + 2λx = 0, and the λ that makes ||∇f(x) + 2λx|| smallest is
    −xᵀ∇f(x) / (2||x||²). Complementary slackness asks λ = 0 off the sphere, so a point with
    ||x|| < r(1 − rtol) gets λ̂ = 0. Used to check the answer of projected gradient descent,
    which computes no multiplier.

    Parameters
    ----------
    A : array_like, shape (m, d)
    b : array_like, shape (m,)
    x : array_like, shape (..., d)
    radius : float or array_like broadcasting against the batch axes of x
    rtol : float
        How close to the sphere counts as on it.

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> float(recovered_multiplier(np.eye(2), np.array([2.0, 0.0]), np.array([1.0, 0.0]), 1.0))
    0.5
    """
    A = as_float_array(A, "A", ndim_min=2)
    b = as_float_array(b, "b", ndim_min=1)
    x = as_points(x, "x", A.shape[1])
    r = positive(radius, "radius")
    rtol = float(positive(rtol, "rtol", allow_zero=True))
    grad = (x @ A.T - b) @ A
    squared = np.sum(x * x, axis=-1)
    on_sphere = squared >= (r * (1.0 - rtol)) ** 2
    fitted = -np.sum(x * grad, axis=-1) / (2.0 * np.where(on_sphere, squared, 1.0))
    return np.where(on_sphere, np.maximum(0.0, fitted), 0.0)[()]


def dual_function(A, b, radius, lam) -> np.ndarray:
    """The dual function q(λ) = minₓ L(x, λ) = L(x(λ), λ), vectorised over λ (lecture 08).

    Concave in λ, with q'(λ) = ||x(λ)||² − r²; its maximum equals the constrained minimum of
    f (no duality gap for this convex problem).

    Examples
    --------
    >>> float(dual_function(np.eye(1), np.array([2.0]), 1.0, 0.5))  # x(½) = 1: ½·1 + ½·0
    0.5
    """
    lam = positive(lam, "lam", allow_zero=True)
    return lagrangian(lagrangian_minimizer(A, b, lam), lam, A, b, radius)


def ridge_path(A, b, n: int = 200, lam_max: float = 1e3) -> np.ndarray:
    """Points x(λ) for λ = 0 and λ log-spaced up to ``lam_max``, shape (n, d) (lecture 08).

    The path every constrained answer lies on: for radius r it crosses the sphere ||x|| = r
    at x(λ*(r)).
    """
    n = positive_int(n, "n")
    lam = np.concatenate([[0.0], np.geomspace(1e-3, float(positive(lam_max, "lam_max")), n - 1)])
    return lagrangian_minimizer(A, b, lam)


def nearest_by_search(points, candidates) -> np.ndarray:
    """For each point, the nearest of ``candidates`` by exhaustive search (lecture 08).

    A brute-force reference for a projection: sample the feasible set densely as
    ``candidates`` and take argmin ||c − x|| over them.

    Parameters
    ----------
    points : array_like, shape (n, d)
    candidates : array_like, shape (k, d)

    Returns
    -------
    ndarray, shape (n, d)

    Examples
    --------
    >>> nearest_by_search([[0.9, 0.0]], [[0.0, 0.0], [1.0, 0.0]]).tolist()
    [[1.0, 0.0]]
    """
    x = as_points(points, "points")
    c = as_points(candidates, "candidates", x.shape[-1])
    if x.ndim != 2 or c.ndim != 2 or len(c) == 0:
        raise ValueError("points must be (n, d) and candidates a non-empty (k, d) array")
    squared = np.sum(x * x, 1)[:, None] - 2.0 * x @ c.T + np.sum(c * c, 1)[None, :]
    return c[np.argmin(squared, axis=1)]


def feasible_samples(radius, lower, upper, n: int = 401):
    """A dense grid of the disc ||z|| ≤ r and of the box lower ≤ z ≤ upper, for the search.

    Returns (disc points (k₁, 2), box points (k₂, 2)): the disc points are those of an
    n × n grid over [−r, r]² inside the disc, plus n points on its circle; the box points an
    n × n grid of the box, edges included.
    """
    r = float(positive(radius, "radius"))
    n = positive_int(n, "n")
    g = np.linspace(-r, r, n)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    theta = np.linspace(0.0, 2.0 * np.pi, 4 * n, endpoint=False)
    disc = np.concatenate([grid[np.linalg.norm(grid, axis=1) <= r], r * circle_point(theta)])
    lo, hi = (as_float_array(v, "bounds") * np.ones(2) for v in (lower, upper))
    gx, gy = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    box = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    return disc, box


# --------------------------------------------------------------------------- figures


def draw_disc(ax, radius: float, **kw) -> Circle:
    """The feasible disc ||x|| ≤ r as a patch (its radius is moved by ``set_radius``)."""
    style = {"facecolor": (0.12, 0.47, 0.71, 0.12), "edgecolor": "k", "lw": 1.2, "zorder": 2}
    return ax.add_patch(Circle((0.0, 0.0), radius, **{**style, **kw}))


def projection_figure(points, radius, lower, upper) -> plots.Plot:
    """Points (dots) joined to their projections (crosses) onto a disc (left) and a box."""
    x = as_points(points, "points", 2)
    lo, hi = (np.asarray(v, float) * np.ones(2) for v in (lower, upper))
    fig, (left, right) = plots.new_figure(1, 2)
    draw_disc(left, radius)
    right.add_patch(Rectangle(lo, *(hi - lo), fc=(0.12, 0.47, 0.71, 0.12), ec="k", lw=1.2))
    for ax, p, title in (
        (left, project_ball(x, radius), f"ball ‖x‖ ≤ {radius:g}: scale back along the ray"),
        (right, project_box(x, lo, hi), "box: clip each coordinate"),
    ):
        for a, q in zip(x, p, strict=True):
            ax.plot([a[0], q[0]], [a[1], q[1]], "-", color="0.5", lw=1)
        ax.plot(*x.T, "o", color="C0", ms=5, label="x")
        ax.plot(*p.T, "x", color="C3", ms=7, mew=2, label="P(x)")
        lim = 1.1 * np.abs(x).max()
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_title(title)
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        ax.legend(fontsize=8, loc="upper left")
    return plots.Plot(fig, left)


SYMBOLS = ("*", "D", "s", "P", "^")


def constrained_figure(objective, paths, labels, radius, *, marks=None, max_paths=None, ax=None):
    """Contours of f, the feasible disc, paths, the ridge path x(λ) and marked points.

    Meant for the lecture's problem (:func:`problem`): the dashed ridge path drawn is that of
    :data:`A_MATRIX` and :data:`B_VECTOR`.

    ``marks`` is a dict label -> point (2,), drawn as large symbols in the order of
    :data:`SYMBOLS` (the first, a star, is meant for x_ls); ``max_paths`` makes room for
    more paths than given (a panel). Returns the :class:`course_lib.plots.ContourPlot` with
    ``plot.disc`` the Circle patch and ``plot.marks`` the dict label -> Line2D.
    """
    plot = plots.contour_plot(
        objective,
        paths,
        labels,
        bounds=BOUNDS,
        levels=LEVELS,
        max_paths=max_paths or max(len(paths), 1),
        ax=ax,
    )
    plot.disc = draw_disc(plot.ax, radius)
    ridge = ridge_path(A_MATRIX, B_VECTOR)
    plot.ax.plot(*ridge.T, "--", color="0.35", lw=1, zorder=2, label="ridge path x(λ)")
    plot.marks = {}
    for k, (label, point) in enumerate((marks or {}).items()):
        style = {"color": f"C{k + 3}", "ms": 11, "mec": "k", "zorder": 5, "label": label}
        x, y = as_points(point, f"marks[{label!r}]", 2)
        (plot.marks[label],) = plot.ax.plot(x, y, SYMBOLS[k % len(SYMBOLS)], **style)
    plot.ax.set_title("")
    plot.ax.legend(fontsize=7, loc="lower right")
    return plot


def circle_figure(reparametrized, trajectory, marks=None) -> plots.Plot:
    """g(θ) = f(cos θ, sin θ) over [−π, π], the GD iterates θ_t on it, vertical marks.

    The iterates are drawn at their angle wrapped into (−π, π] (θ and θ + 2π are one point).
    """
    fig, ax = plots.new_figure()
    theta = np.linspace(-np.pi, np.pi, 721)
    ax.plot(theta, reparametrized.value(theta[:, None]), color="C0", label="g(θ) = f(cos θ, sin θ)")
    path = trajectory.iterates[..., 0]
    wrapped = np.arctan2(np.sin(path), np.cos(path))
    ax.plot(wrapped, trajectory.losses, "o", color="C2", ms=4, label="gradient descent on θ")
    for k, (label, angle) in enumerate((marks or {}).items()):
        ax.axvline(angle, color=f"C{k + 3}", ls=":", lw=1.5, label=label)
    ax.set_xlabel("θ")
    ax.set_ylabel("g(θ)")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "f on the circle, and gradient descent on θ")
    return plots.Plot(fig, ax)


def dual_figure(A, b, radius, result, lam_star, labels) -> plots.Plot:
    """Left: q(λ) with the ascent iterates on it and the primal optimum; right: λ_t against t."""
    fig, (left, right) = plots.new_figure(1, 2)
    lam = np.linspace(0.0, 3.0 * lam_star, 300)
    left.plot(lam, dual_function(A, b, radius, lam), color="C0", label="q(λ) = min_x L(x, λ)")
    fstar = float(norm_constrained_objective(A, b).value(lagrangian_minimizer(A, b, lam_star)))
    left.axhline(fstar, color="k", ls="--", lw=1, label="f(x*), the constrained minimum")
    left.axvline(lam_star, color="0.4", ls=":", lw=1)
    runs = np.atleast_2d(result.lam)
    for k, (path, label) in enumerate(zip(runs, labels, strict=True)):
        stop = int(np.atleast_1d(result.stopped_at)[k])
        shown = path[: min(stop, 40) + 1]
        left.plot(shown, dual_function(A, b, radius, shown), ".", color=f"C{k + 1}", ms=5)
        right.plot(np.arange(1, stop + 2), path[: stop + 1], "-", color=f"C{k + 1}", label=label)
    right.axhline(lam_star, color="k", ls="--", lw=1, label="λ* (secular equation)")
    right.set_xscale("log")
    left.set_xlabel("λ")
    left.set_ylabel("q(λ)")
    right.set_xlabel("ascent step t + 1")
    right.set_ylabel("λ_t")
    left.legend(fontsize=8, loc="lower right")
    right.legend(fontsize=8)
    plots.title_axes(
        fig, "the dual function and the ascent iterates", "the multiplier along dual ascent"
    )
    return plots.Plot(fig, right)


def radius_sweep_figure(radii, lam, lam_reference, norms, ls_norm) -> plots.Plot:
    """λ*(r) measured (dots) over the secular reference (line), and ||x*(r)|| against r."""
    fig, (left, right) = plots.new_figure(1, 2)
    left.plot(radii, lam_reference, "-", color="C0", label="λ* from ||x(λ)|| = r")
    left.plot(radii, lam, ".", color="C1", ms=6, label="dual ascent, one batched call")
    right.plot(radii, norms, ".", color="C1", ms=6, label="||x*|| from dual ascent")
    right.plot(radii, np.minimum(radii, ls_norm), "-", color="C0", lw=1, label="min(r, ||x_ls||)")
    for ax in (left, right):
        ax.axvline(ls_norm, color="k", ls=":", lw=1, label="r = ||x_ls||")
        ax.set_xlabel("radius r")
        ax.legend(fontsize=8)
    left.set_ylabel("λ*")
    right.set_ylabel("||x*||")
    plots.title_axes(
        fig, "the multiplier against the radius", "the norm of the answer against the radius"
    )
    return plots.Plot(fig, left)


def kkt_figure(objective, points: dict, multipliers: dict, radius: float) -> plots.Plot:
    """At each marked point: the arrows −∇f(x) (solid) and 2λx (dashed), and f's level set.

    ``points`` is a dict label -> x (as for :func:`constrained_figure`), ``multipliers`` a dict
    label -> λ for the points that get arrows. Both arrows of a point share one scale.
    Stationarity says −∇f(x) = 2λx: at the constrained minimiser the arrows coincide and the
    level set touches the circle (the descent direction is the outward normal).
    """
    plot = constrained_figure(objective, [], None, radius, marks=points)
    grid = plots.level_grid(objective, BOUNDS)
    for label, lam in multipliers.items():
        x = np.asarray(points[label], float)
        color = plot.marks[label].get_color()
        descent = -objective.gradient(x)
        scale = 0.8 / np.linalg.norm(descent)
        level = [float(objective.value(x))]
        plot.ax.contour(grid.x, grid.y, grid.values, levels=level, colors=[color], linewidths=2)
        for vector, style in ((descent, "-"), (2.0 * lam * x, "--")):
            arrow = {"arrowstyle": "->", "color": color, "ls": style, "lw": 2}
            plot.ax.annotate("", x + scale * vector, x, arrowprops=arrow, zorder=6)
    plot.ax.plot([], [], "-", color="k", lw=2, label="−∇f(x)")
    plot.ax.plot([], [], "--", color="k", lw=2, label="2λx")
    plot.ax.legend(fontsize=7, loc="lower right")
    plot.ax.set_xlim(-1.2, 2.2)
    plot.ax.set_ylim(-1.2, 2.2)
    return plot


# --------------------------------------------------------------------------- the panel


def kkt_line(label: str, report) -> str:
    """One readout row: the four KKT residuals and whether they are all within tolerance."""
    values = (
        report.stationarity,
        report.primal_feasibility,
        report.dual_feasibility,
        report.complementary_slackness,
    )
    cells = "  ".join(f"{float(v) + 0.0:9.2e}" for v in values)  # + 0.0: no "-0.00e+00"
    verdict = "hold" if bool(report.passed) else "FAIL"
    return f"{label:<26}{cells}  → {verdict} (tol {report.tol:g})"


KKT_HEADER = f"{'KKT residuals':<26}{'stationary':>9}  {'primal':>9}  {'dual':>9}  {'slackness':>9}"


def draw_constrained(radius: float = RADIUS):
    """Figure of the panel: contours with the disc and two paths; λ_t against t.

    Returns the figure and a dict of the artists :func:`update_constrained` moves.
    """
    A, b, f = problem()
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.0, 1.0))
    plot = constrained_figure(
        f,
        [START[None], lagrangian_minimizer(A, b, 0.0)[None]],  # replaced by the first move
        ["projected GD", "dual ascent: x(λ_t)"],
        radius,
        marks={"unconstrained x_ls": lagrangian_minimizer(A, b, 0.0)},
        ax=left,
    )
    artists = {"contours": plot, "disc": plot.disc}
    (artists["answer"],) = left.plot([], [], "o", mfc="none", mec="k", ms=14, mew=1.5, zorder=6)
    (artists["lam"],) = right.plot([], [], "-", color="C1", lw=1.5, label="λ_t, dual ascent")
    artists["lam_star"] = right.axhline(0.0, color="k", ls="--", lw=1, label="λ* (secular eq.)")
    right.set_xscale("log")
    right.set_yscale("symlog", linthresh=LAMBDA_LINEAR)
    right.set_xlim(1, DUAL_STEPS + 1)
    right.set_ylim(*LAMBDA_LIMITS)
    right.set_xlabel("ascent step t + 1")
    right.set_ylabel(f"multiplier λ_t (linear below {LAMBDA_LINEAR:g}, log above)")
    right.legend(fontsize=8, loc="upper left")
    left.set_title("projected GD and dual ascent")
    right.set_title("the multiplier of dual ascent")
    return fig, artists


def run_constrained(radius: float, learning_rate: float, dual_step: float):
    """The two runs behind one panel move: projected GD from :data:`START`, dual ascent."""
    A, b, f = problem()
    pgd = projected_gradient_descent(
        f, START, learning_rate, lambda x: project_ball(x, radius), max_iter=PGD_STEPS
    )
    dual = dual_ascent(A, b, radius, dual_step, max_iter=DUAL_STEPS)
    return pgd, dual


def update_constrained(artists: dict, radius: float, learning_rate: float, dual_step: float):
    """Recompute the panel for (r, η, α); returns the readout (one slider move)."""
    A, b, f = problem()
    pgd, dual = run_constrained(radius, learning_rate, dual_step)
    lam_star = float(secular_multiplier(A, b, radius))
    stop = int(dual.stopped_at)
    artists["disc"].set_radius(radius)
    artists["contours"].set_paths([pgd.iterates, dual.x[: stop + 1]])
    artists["answer"].set_data(*lagrangian_minimizer(A, b, lam_star)[:, None])
    artists["lam"].set_data(np.arange(1, stop + 2), dual.lam[: stop + 1])
    artists["lam_star"].set_ydata([lam_star, lam_star])

    norms = np.linalg.norm(pgd.iterates, axis=-1)
    x_ls = float(np.linalg.norm(lagrangian_minimizer(A, b, 0.0)))
    lam_hat = float(recovered_multiplier(A, b, pgd.final, radius))
    state = "active" if x_ls > radius else "inactive"
    feasible = bool(np.all(norms <= radius * (1 + 1e-12)))
    limit_eta = 2.0 / np.linalg.eigvalsh(A.T @ A).max()
    lines = [
        f"r = {radius:.3g}   ||x_ls|| = {x_ls:.3f} → constraint {state}   λ* = {lam_star:.4g}",
        f"projected GD  η = {learning_rate:.3g} (2/L = {limit_eta:.3g}): {pgd.status.item()} "
        f"after {int(pgd.stopped_at)} steps; max ||x_t|| = {norms.max():.4f} "
        + ("≤ r: every iterate feasible" if feasible else "> r: INFEASIBLE"),
        f"dual ascent   α = {dual_step:.3g} (safe below {float(dual_step_limit(A, b)):.3g}): "
        f"{dual.status.item()} after {stop} steps; λ_T = {float(dual.final_lam):.4g}",
        KKT_HEADER,
        kkt_line("dual ascent (x_T, λ_T)", kkt_check(dual.final_x, dual.final_lam, A, b, radius)),
        kkt_line("projected GD (x̂, λ̂)", kkt_check(pgd.final, lam_hat, A, b, radius)),
    ]
    return {"readout": "\n".join(lines), "pgd": pgd, "dual": dual, "lam_star": lam_star}


def constrained_panel(radius: float = RADIUS, learning_rate: float = 0.1, dual_step: float = 0.3):
    """Sliders: radius r, learning rate η of projected GD, ascent step α on λ (lecture 08).

    Left, the contours of ½||Ax − b||² with the feasible disc ||x|| ≤ r, the path of
    projected gradient descent from :data:`START` and the points x(λ_t) visited by dual
    ascent (from x_ls along the ridge path); the circle marks x(λ*). Right, the multipliers
    λ_t of dual ascent against the step, with λ* from the secular equation. The readout gives
    both runs' status, the largest ||x_t|| of projected GD, and the four KKT residuals at
    both answers (λ̂ read off the projected-GD answer by :func:`recovered_multiplier`).

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists (for tests); ``panel.state`` holds the
        runs of the last move.

    Examples
    --------
    >>> panel = constrained_panel()
    >>> "every iterate feasible" in panel.set(radius=0.5)["readout"]
    True
    """
    fig, artists = draw_constrained(radius)

    def update(radius, learning_rate, dual_step):
        return update_constrained(artists, radius, learning_rate, dual_step)

    controls = {
        "radius": widgets.slider(*RADIUS_RANGE, radius, step=0.02, description="radius r"),
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
        "dual_step": widgets.slider(*ALPHA_RANGE, dual_step, log=True, description="α (λ step)"),
    }
    moving = [artists[k] for k in ("disc", "contours", "answer", "lam", "lam_star")]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


PANELS = {"constrained": constrained_panel}
