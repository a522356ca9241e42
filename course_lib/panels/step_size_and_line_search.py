"""Figures and slider panels of lecture 04, step size and line search.

Everything drawn here is computed by the numerical modules: :func:`gradient_descent` for the
paths, :mod:`course_lib.curvature` for the stability diagram. The level sets of a quadratic
½ xᵀAx are ellipses, so they are drawn as lines whose data a slider can replace in place
(no contour recomputation when the condition number moves).
"""

from __future__ import annotations

import numpy as np

from course_lib import curvature, plots, widgets
from course_lib._checks import positive, positive_int
from course_lib.descent import gradient_descent
from course_lib.objectives import ill_conditioned_quadratic

START = np.array([-1.9, -0.7])
ANGLE = np.pi / 6
LEVELS = (0.05, 0.2, 0.5, 1.0, 2.0, 4.0, 8.0)
ETA_RANGE = (1e-3, 3.0)
BOX = 2.6


def measured_rate(trajectory, minimizer, window: int = 5) -> np.ndarray:
    """Contraction of the error per step at the end of each run, (‖e_s‖ / ‖e_{s−k}‖)^(1/k).

    e_t = x_t − x*, s is the step at which the run stopped and k = min(window, s). For
    gradient descent on a quadratic this tends to max_i |1 − ηλ_i| (lecture 04).

    Parameters
    ----------
    trajectory : Trajectory
        A single or batched run.
    minimizer : array_like, shape (d,)
        x*.
    window : int
        Number of final steps k to average over (geometric mean).

    Returns
    -------
    ndarray, shape (*batch)
        The measured rate of each run (nan for a run that stopped at step 0).

    Examples
    --------
    >>> f = ill_conditioned_quadratic(10.0)
    >>> traj = gradient_descent(f, [1.0, 1.0], 0.1, max_iter=50, tol=0.0)
    >>> round(float(measured_rate(traj, [0.0, 0.0])), 6)
    0.9
    """
    window = positive_int(window, "window")
    err = trajectory.distance_to(minimizer)
    stop = np.asarray(trajectory.stopped_at)[..., None]
    k = np.minimum(stop, window)
    end = np.take_along_axis(err, stop, axis=-1)
    begin = np.take_along_axis(err, stop - k, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(k > 0, (end / begin) ** (1.0 / np.maximum(k, 1)), np.nan)
    return rate[..., 0][()]


def level_ellipses(objective, levels=LEVELS, n: int = 121) -> np.ndarray:
    """Points on the level sets f(x) = f* + c of a positive-definite quadratic (lecture 04).

    With A = Q diag(λ) Qᵀ, the set ½ (x − x*)ᵀA(x − x*) = c is the ellipse
    x = x* + Q diag(√(2c/λ)) (cos θ, sin θ), semi-axes √(2c/λ_i) along the eigenvectors.

    Parameters
    ----------
    objective : Quadratic
        A 2-D quadratic with positive eigenvalues (``objective.A``).
    levels : sequence of float
        The heights c > 0 above the minimum.
    n : int
        Points per ellipse.

    Returns
    -------
    ndarray, shape (len(levels), n, 2)

    Examples
    --------
    >>> pts = level_ellipses(ill_conditioned_quadratic(4.0), [2.0])
    >>> np.allclose(ill_conditioned_quadratic(4.0).value(pts), 2.0)
    True
    """
    lam, Q = curvature.hessian_eigen(objective.A)
    c = positive(levels, "levels")
    theta = np.linspace(0.0, 2.0 * np.pi, positive_int(n, "n"))
    circle = np.stack([np.cos(theta), np.sin(theta)], axis=-1)  # (n, 2)
    semi = np.sqrt(2.0 * c[:, None] / lam)  # (L, 2)
    xstar = objective.minimizers[0]
    return xstar + (circle[None] * semi[:, None, :]) @ Q.T


def stability_curves(eigenvalues, etas) -> np.ndarray:
    """|1 − ηλ_i| for every η and every eigenvalue, shape (len(etas), d) (lecture 04)."""
    return np.abs(1.0 - np.asarray(etas, float)[:, None] * np.asarray(eigenvalues, float))


def draw_bowl(ax, objective, levels=LEVELS, box: float = BOX) -> list:
    """Draw the level ellipses of a 2-D quadratic on ``ax``; return the line artists."""
    lines = [ax.plot(*e.T, color="0.6", lw=0.8)[0] for e in level_ellipses(objective, levels)]
    ax.plot(*objective.minimizers[0], marker="*", color="k", ms=9)
    ax.set_xlim(-box, box)
    ax.set_ylim(-box, box)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return lines


def update_bowl(lines: list, objective, levels=LEVELS) -> None:
    """Move the level ellipses drawn by :func:`draw_bowl` to a new quadratic."""
    for line, e in zip(lines, level_ellipses(objective, levels), strict=True):
        line.set_data(*e.T)


def _mark_best_step(ax, eigenvalues):
    """A dotted vertical line at η* = 2/(λmin + λmax) on a stability diagram."""
    return ax.axvline(curvature.optimal_gd_step(eigenvalues), color="k", ls=":", label="η*")


def paths_figure(objective, trajectories, labels, *, path_steps: int = 60) -> plots.Plot:
    """Paths on the contours (left, first ``path_steps`` steps) and f(x_t) − f* (right)."""
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.0, 1.3))
    fstar = float(objective.value(objective.minimizers[0]))
    plots.contour_plot(
        objective,
        [traj.iterates[: path_steps + 1] for traj in trajectories],
        bounds=((-BOX, BOX), (-BOX, BOX)),
        levels=fstar + np.array(LEVELS),
        ax=left,
    )
    pairs = zip(trajectories, labels, strict=True)
    named = [f"{label} ({traj.status.item()})" for traj, label in pairs]
    plots.loss_curves(list(trajectories), named, minimum=fstar, ax=right)
    plots.title_axes(fig, "the paths on the contours", "progress of each run")
    return plots.Plot(fig, left)


def stability_figure(eigenvalues, etas, measured=None) -> plots.Plot:
    """``plots.stability_diagram`` with η* marked, and measured rates as dots if given."""
    plot = plots.stability_diagram(eigenvalues, etas)
    _mark_best_step(plot.ax, eigenvalues)
    if measured is not None:
        plot.ax.plot(etas, measured, ".", color="C2", ms=3, label="measured on the runs")
    plot.ax.legend(fontsize=8, loc="upper left")
    return plot


def eigen_error_figure(z, z_formula, eigenvalues) -> plots.Plot:
    """|z_{t,i}| measured on a run (dots) over (1 − ηλ_i)^t z_{0,i} (lines), log scale."""
    labels = [f"formula, λ = {lam:g}" for lam in eigenvalues]
    plot = plots.loss_curves(list(np.abs(z_formula).T), labels)
    for i in range(z.shape[-1]):
        label = "measured on the run" if i == 0 else None
        plot.ax.plot(np.abs(z[:, i]), "o", ms=3, color=f"C{i}", label=label)
    plot.ax.set_ylabel("|error along eigenvector i|")
    plot.ax.legend(fontsize=8)
    return plot


def curves_figure(curves: dict, *, ylabel="", marks=(), levels=()) -> plots.Plot:
    """Curves {label: y} on a log y-axis, vertical marks [(x, label)], levels [(y, label)]."""
    plot = plots.loss_curves(list(curves.values()), list(curves))
    for x, label in marks:
        plot.ax.axvline(x, color="k", ls=":", lw=1, label=label)
    for y, label in levels:
        plot.ax.axhline(y, color="0.4", ls="--", lw=1, label=label)
    plot.ax.set_ylabel(ylabel)
    plot.ax.legend(fontsize=8)
    return plot


# --------------------------------------------------------------------------- panels


def _clipped(points: np.ndarray, limit: float = 1e3) -> np.ndarray:
    """A path with its runaway iterates clipped (a diverged run leaves the box anyway)."""
    return np.clip(points, -limit, limit)


def draw_step_size(condition_number: float = 10.0):
    """Figure of the step-size panel: stability diagram (log η) and the bowl with a path.

    Returns the figure and a dict of the artists :func:`update_step_size` moves.
    """
    fig, (left, right) = plots.new_figure(1, 2)
    f = ill_conditioned_quadratic(condition_number, angle=ANGLE)
    etas = np.geomspace(*ETA_RANGE, 300)
    stability = plots.stability_diagram(f.eigenvalues, etas, ax=left)
    left.set_xscale("log")
    artists = {"stability": stability, "best": _mark_best_step(left, f.eigenvalues)}
    (artists["measured"],) = left.plot([], [], ".", color="C2", ms=4, label="measured")
    left.legend(fontsize=7, loc="lower left")
    artists["ellipses"] = draw_bowl(right, f)
    (artists["path"],) = right.plot([], [], ".-", color="C2", ms=5, lw=1)
    artists["etas"] = etas[::5]  # the sweep: one batched run over the slider's range
    right.set_title("60 steps from the same start")
    return fig, artists


def sweep_rates(objective, etas, steps: int = 200) -> np.ndarray:
    """Measured rate of GD for every η in ``etas``: ONE batched run of K learning rates."""
    sweep = gradient_descent(objective, START, etas, max_iter=steps, tol=0.0)
    return measured_rate(sweep, objective.minimizers[0])


def update_step_size(artists: dict, learning_rate: float, condition_number: float) -> str:
    """Recompute the step-size panel for (η, κ); returns the readout (one slider move)."""
    f = ill_conditioned_quadratic(condition_number, angle=ANGLE)
    artists["stability"].set_eigenvalues(f.eigenvalues)
    artists["best"].set_xdata([curvature.optimal_gd_step(f.eigenvalues)] * 2)
    update_bowl(artists["ellipses"], f)
    if artists.get("kappa") != condition_number:  # the sweep depends on κ only
        artists["kappa"] = condition_number
        artists["measured"].set_data(artists["etas"], sweep_rates(f, artists["etas"]))
    traj = gradient_descent(f, START, learning_rate, max_iter=60)
    artists["path"].set_data(*_clipped(traj.iterates).T)
    rate = artists["stability"].mark(learning_rate)  # max_i |1 − ηλ_i|
    return (
        f"η = {learning_rate:.4g}   2/λmax = {float(curvature.stability_limit(f.eigenvalues)):.4g}"
        f"   η* = {float(curvature.optimal_gd_step(f.eigenvalues)):.4g}"
        f"   rate max|1 − ηλ| = {rate:.4f}"
        f"\n→ {traj.status.item()} after {int(traj.stopped_at)} steps, "
        f"f − f* = {float(traj.final_loss):.3g}"
    )


SEARCHES = [("off (fixed η)", "fixed"), ("backtracking", "backtracking"), ("exact", "exact")]


def steps_taken(trajectory, objective) -> np.ndarray:
    """The step s_t of each move x_{t+1} = x_t − s_t ∇f(x_t), read off the path (lecture 04)."""
    x = trajectory.iterates[: int(trajectory.stopped_at) + 1]
    g = objective.gradient(x[:-1])
    return np.sum((x[:-1] - x[1:]) * g, axis=-1) / np.sum(g * g, axis=-1)


def draw_line_search(condition_number: float = 10.0, max_iter: int = 100):
    """Figure of the line-search panel: the bowl with a path, and f(x_t) − f* per step."""
    fig, (left, right) = plots.new_figure(1, 2)
    artists = {
        "ellipses": draw_bowl(left, ill_conditioned_quadratic(condition_number, angle=ANGLE))
    }
    (artists["path"],) = left.plot([], [], ".-", color="C4", ms=5, lw=1)
    losses = plots.loss_curves(
        np.ones(max_iter + 1), minimum=0.0, xlim=(0, max_iter), ylim=(1e-18, 1e4), ax=right
    )
    artists["losses"] = losses
    artists["max_iter"] = max_iter
    left.set_title("the path of the line search")
    return fig, artists


def update_line_search(
    artists: dict, line_search: str, learning_rate: float, condition_number: float
) -> str:
    """Recompute the line-search panel; returns the readout (one slider move)."""
    f = ill_conditioned_quadratic(condition_number, angle=ANGLE)
    update_bowl(artists["ellipses"], f)
    traj = gradient_descent(
        f,
        START,
        learning_rate if line_search == "fixed" else None,
        line_search=line_search,
        max_iter=artists["max_iter"],
    )
    artists["path"].set_data(*_clipped(traj.iterates).T)
    artists["losses"].set_curves(traj)  # minus f* = 0, the minimum of these quadratics
    first = ", ".join(f"{s:.3g}" for s in steps_taken(traj, f)[:4])
    return (
        f"line search: {line_search}   first steps s_t: {first}"
        f"\n→ {traj.status.item()} after {int(traj.stopped_at)} steps, "
        f"f − f* = {float(traj.final_loss):.3g}"
    )


def step_size_panel(learning_rate: float = 0.15, condition_number: float = 10.0):
    """Sliders: learning rate η and condition number κ (lecture 04).

    Left, the stability diagram |1 − ηλ_i| of the quadratic with eigenvalues 1 and κ, the
    current η marked on the rate ρ(η) and, as dots, the rates measured on one batched run
    over the slider's range; right, 60 steps of gradient descent from :data:`START`.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists (for tests).

    Examples
    --------
    >>> panel = step_size_panel()
    >>> "diverged" in panel.set(learning_rate=2.5)
    True
    """
    fig, artists = draw_step_size(condition_number)

    def update(learning_rate, condition_number):
        return update_step_size(artists, learning_rate, condition_number)

    controls = {
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
        "condition_number": widgets.slider(1.0, 100.0, condition_number, log=True, description="κ"),
    }
    moving = [artists[k] for k in ("stability", "best", "measured", "ellipses", "path")]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


def line_search_panel(
    line_search: str = "exact", learning_rate: float = 0.15, condition_number: float = 10.0
):
    """Controls: line search off / backtracking / exact, learning rate, condition number.

    Left, the path of gradient descent (at most 100 steps) on the quadratic with eigenvalues
    1 and κ; right, f(x_t) − f* per step. With a line search on, η is not used.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists (for tests).

    Examples
    --------
    >>> panel = line_search_panel()
    >>> "converged" in panel.set(line_search="backtracking")
    True
    """
    fig, artists = draw_line_search(condition_number)

    def update(line_search, learning_rate, condition_number):
        return update_line_search(artists, line_search, learning_rate, condition_number)

    controls = {
        "line_search": widgets.choice(SEARCHES, line_search, buttons=True, description="search"),
        "learning_rate": widgets.slider(1e-3, 0.5, learning_rate, log=True, description="η"),
        "condition_number": widgets.slider(1.0, 100.0, condition_number, log=True, description="κ"),
    }
    moving = [artists[k] for k in ("ellipses", "path", "losses")]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


PANELS = {"step size": step_size_panel, "line search": line_search_panel}
