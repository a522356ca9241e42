"""Figures and the slider panel of lecture 01, closed form versus iterative.

The running example is the line y = m x + b fitted to seeded noisy points. Every number drawn
comes from the library: :mod:`course_lib.closed_form` for the closed-form line, the loss surface
and the cost model, :func:`course_lib.descent.gradient_descent` on
:func:`course_lib.objectives.least_squares` for the iterative answer. The contours of the loss
surface are drawn as plain lines (computed with contourpy, which matplotlib itself uses), so a
slider move replaces their data instead of rebuilding the figure; :class:`course_lib.widgets.Panel`
then redraws only the moving artists over a cached background.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import contourpy
import numpy as np

from course_lib import closed_form, curvature, plots, widgets
from course_lib._checks import as_float_array, positive, positive_int
from course_lib.data import linear_data
from course_lib.descent import gradient_descent
from course_lib.objectives import least_squares

SEED = 0
SLOPE, INTERCEPT = 2.0, 1.0
START = np.array([-1.0, 4.0])  # (m, b) where gradient descent starts
SLOPES = np.linspace(-2.5, 6.5, 121)
INTERCEPTS = np.linspace(-3.5, 5.5, 121)
LEVELS = (0.25, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0)  # J − J* of the drawn contours
TOL = 1e-10

# slider ranges: (low, high, default); the learning rate runs past 2/λmax ≈ 0.67
N_RANGE = (5, 200, 40)
NOISE_RANGE = (0.0, 3.0, 1.0)
STEPS_RANGE = (1, 300, 25)
LR_RANGE = (0.01, 0.8, 0.1)


def line_objective(x, y):
    """The loss L(m, b) = (1/2n) Σ (m xᵢ + b − yᵢ)² of the line fit as an Objective (lecture 01).

    It is :func:`~course_lib.objectives.least_squares` on the design matrix [x, 1], so its
    gradient is (1/n) Xᵀ(Xθ − y) with θ = (m, b), and its Hessian is (1/n) XᵀX.

    Examples
    --------
    >>> f = line_objective([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    >>> f.minimizers[0].round(12).tolist()
    [2.0, 1.0]
    """
    return least_squares(closed_form.design_matrix(x), y)


def descend(x, y, learning_rate, steps, *, start=START, tol=TOL):
    """Gradient descent on the line fit from ``start``: θ_{t+1} = θ_t − η ∇L(θ_t) (lecture 01).

    Parameters
    ----------
    x, y : array_like, shape (n,)
        The data.
    learning_rate : float or array_like, shape (K,)
        η; K values run K descents in one call (iterates of shape (K, steps + 1, 2)).
    steps : int
        Number of steps (the run stops earlier if ||∇L|| ≤ ``tol``).
    start : array_like, shape (2,)
        θ₀ = (m₀, b₀).
    tol : float

    Returns
    -------
    Trajectory
        Iterates θ_t = (m_t, b_t).

    Examples
    --------
    >>> traj = descend([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], 0.3, 500)
    >>> traj.final.round(6).tolist(), str(traj.status)
    ([2.0, 1.0], 'converged')
    """
    steps = positive_int(steps, "steps")
    objective = line_objective(x, y)
    return gradient_descent(objective, start, learning_rate, max_iter=steps, tol=tol)


def distance_to_closed_form(trajectory, theta_star) -> np.ndarray:
    """‖θ_T − θ*‖ for the last iterate of each run, inf for a diverged run (lecture 01).

    Examples
    --------
    >>> traj = descend([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], [0.3, 2.0], 300)
    >>> distance_to_closed_form(traj, [2.0, 1.0]) < 1e-8
    array([ True, False])
    """
    theta_star = as_float_array(theta_star, "theta_star")
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.linalg.norm(trajectory.final - theta_star, axis=-1)
    return np.where(trajectory.diverged | ~np.isfinite(gap), np.inf, gap)


def level_lines(x, y, levels=LEVELS, slopes=SLOPES, intercepts=INTERCEPTS) -> list:
    """Contour lines J(m, b) = J* + c of the mean squared error, one (N, 2) array per level.

    J is evaluated on the (m, b) grid by :func:`course_lib.closed_form.line_fit_loss_surface`;
    the pieces of one level are joined with a row of nan, so one Line2D draws a whole level.

    Examples
    --------
    >>> lines = level_lines([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], [1.0])
    >>> len(lines), lines[0].shape[1]
    (1, 2)
    """
    x, y = as_float_array(x, "x"), as_float_array(y, "y")
    c = positive(levels, "levels")
    surface = closed_form.line_fit_loss_surface(x, y, slopes, intercepts)
    m, b = closed_form.line_fit(x, y)
    jstar = closed_form.line_fit_loss_surface(x, y, [m], [b])[0, 0]
    generator = contourpy.contour_generator(slopes, intercepts, surface.T)  # rows are b
    lines = []
    for level in jstar + np.atleast_1d(c):
        pieces = generator.lines(level)
        joined = [np.vstack([p, [np.nan, np.nan]]) for p in pieces]
        lines.append(np.vstack(joined) if joined else np.full((1, 2), np.nan))
    return lines


def learning_rate_sweep(x, y, learning_rates, steps):
    """K descents in ONE batched call, with the measured and the predicted error (lecture 01).

    The loss is a quadratic with Hessian H = (1/n) XᵀX, so after T steps of a fixed step η the
    error obeys ‖θ_T − θ*‖ ≤ ρ(η)^T ‖θ₀ − θ*‖ with ρ(η) = max_i |1 − ηλ_i(H)|
    (:func:`course_lib.curvature.gd_rate`). The runs use tol = 0, so each takes all T steps.

    Parameters
    ----------
    x, y : array_like, shape (n,)
    learning_rates : array_like, shape (K,)
    steps : int
        T.

    Returns
    -------
    trajectory : Trajectory
        Batched over the K learning rates.
    measured : ndarray, shape (K,)
        ‖θ_T − θ*‖ (inf for a diverged run).
    predicted : ndarray, shape (K,)
        The bound ρ(η)^T ‖θ₀ − θ*‖.

    Examples
    --------
    >>> x, y = linear_data(20, noise=0.5)
    >>> _, measured, predicted = learning_rate_sweep(x, y, [0.05, 0.2], 50)
    >>> bool(np.all(measured <= predicted * (1 + 1e-9)))
    True
    """
    steps = positive_int(steps, "steps")
    objective = line_objective(x, y)
    theta_star = objective.minimizers[0]
    traj = gradient_descent(objective, START, learning_rates, max_iter=steps, tol=0.0)
    rate = curvature.gd_rate(objective.hessian(theta_star), learning_rates)
    predicted = rate**steps * np.linalg.norm(START - theta_star)
    return traj, distance_to_closed_form(traj, theta_star), predicted


def stability_limit(x) -> float:
    """The stability limit 2/λmax of the line-fit loss (lecture 01).

    The Hessian of L(m, b) is (1/n) XᵀX = [[mean x², mean x], [mean x, 1]], whatever y is.

    Examples
    --------
    >>> round(stability_limit([-1.0, 1.0]), 12)
    2.0
    """
    X = closed_form.design_matrix(x)
    return float(curvature.stability_limit(X.T @ X / X.shape[0]))


# --------------------------------------------------------------------------- figures


@dataclass
class LineFitPlot(plots.Plot):
    """The line-fit figure: data and lines (left), contours of J and the GD path (right).

    ``update(n, noise, steps, learning_rate)`` recomputes with the library and moves the
    artists in place; it is the callback of :func:`line_fit_panel`.
    """

    artists: dict = field(default_factory=dict)

    @property
    def animated(self) -> list:
        """Everything that depends on the sliders: points, both lines, contours, path, star."""
        a = self.artists
        return [a["points"], a["closed"], a["gd_line"], *a["levels"], a["path"], a["star"]]

    def update(self, n, noise, steps, learning_rate, *, seed=SEED) -> dict:
        """Draw the data for (n, noise), its closed-form line and ``steps`` steps of GD.

        Returns
        -------
        dict
            What was drawn: ``x``, ``y``, ``theta_star`` (closed form), ``trajectory`` (GD)
            and ``readout`` (a text summary).
        """
        a = self.artists
        x, y = linear_data(positive_int(n, "n"), SLOPE, INTERCEPT, noise, seed)
        m, b = closed_form.line_fit(x, y)
        traj = descend(x, y, learning_rate, steps)
        path = np.clip(traj.iterates, -1e3, 1e3)  # a diverged run leaves the box anyway
        mk, bk = path[-1]
        ends = np.asarray(a["points"].axes.get_xlim())
        a["points"].set_data(x, y)
        a["closed"].set_data(ends, m * ends + b)
        a["gd_line"].set_data(ends, mk * ends + bk)
        for line, points in zip(a["levels"], level_lines(x, y), strict=True):
            line.set_data(*points.T)
        a["path"].set_data(*path.T)
        a["star"].set_data([m], [b])
        gap = float(distance_to_closed_form(traj, [m, b]))
        readout = (
            f"closed form: m* = {m:.4f}, b* = {b:.4f}      "
            f"GD after {int(traj.stopped_at)} steps: m = {mk:.4g}, b = {bk:.4g}\n"
            f"‖θ_k − θ*‖ = {gap:.3g}   status: {traj.status.item()}   "
            f"η = {learning_rate:.3g}, stability limit 2/λmax = {stability_limit(x):.3g}"
        )
        return {
            "x": x,
            "y": y,
            "theta_star": np.array([m, b]),
            "trajectory": traj,
            "readout": readout,
        }


def line_fit_plot(size=None) -> LineFitPlot:
    """An empty :class:`LineFitPlot`; call its ``update`` to draw a setting."""
    fig, (data_ax, surface_ax) = plots.new_figure(1, 2, size=size)
    a = {}
    (a["points"],) = data_ax.plot([], [], "o", color="0.35", ms=4, label="data")
    (a["closed"],) = data_ax.plot([], [], color="k", lw=3, alpha=0.4, label="closed form")
    (a["gd_line"],) = data_ax.plot([], [], color="C3", lw=1.5, label="GD after k steps")
    data_ax.set_xlim(-3.2, 3.2)
    data_ax.set_ylim(-16.0, 18.0)
    data_ax.set_xlabel("x")
    data_ax.set_ylabel("y")
    data_ax.legend(fontsize="small", loc="upper left")
    a["levels"] = [surface_ax.plot([], [], color="0.6", lw=0.8)[0] for _ in LEVELS]
    (a["path"],) = surface_ax.plot([], [], "o-", color="C3", ms=3, lw=1, label="GD path")
    (a["star"],) = surface_ax.plot([], [], "*", color="k", ms=12, label="closed form (m*, b*)")
    surface_ax.plot(*START, "s", color="C3", ms=6, label="start")
    surface_ax.set_xlim(SLOPES[0], SLOPES[-1])
    surface_ax.set_ylim(INTERCEPTS[0], INTERCEPTS[-1])
    surface_ax.set_xlabel("slope m")
    surface_ax.set_ylabel("intercept b")
    surface_ax.legend(fontsize="small", loc="lower right")
    data_ax.set_title("the data, the closed form and GD's line")
    surface_ax.set_title("the loss over (m, b) and the GD path")
    return LineFitPlot(fig, (data_ax, surface_ax), a)


def sweep_figure(learning_rates, measured, predicted, limit, steps) -> plots.Plot:
    """‖θ_T − θ*‖ after ``steps`` steps against η: measured (dots), ρ(η)^T ‖θ₀ − θ*‖ (line)."""
    fig, ax = plots.new_figure()
    shown = np.where(np.isfinite(measured), np.maximum(measured, 1e-17), np.nan)
    ax.semilogy(learning_rates, np.clip(predicted, 1e-17, 1e30), color="0.4", lw=1.5)
    ax.lines[-1].set_label("predicted ρ(η)^T ‖θ₀ − θ*‖")
    ax.semilogy(learning_rates, shown, ".", color="C0", ms=4, label="measured (gaps: diverged)")
    ax.axvline(limit, color="C3", lw=1.5, label="2/λmax")
    ax.set_ylim(1e-17, 1e6)
    ax.set_xlabel("learning rate η")
    ax.set_ylabel(f"‖θ_T − θ*‖ after T = {steps} steps")
    ax.legend(fontsize="small", loc="upper left")
    plots.title_axes(fig, "the distance after T steps, against η")
    return plots.Plot(fig, ax)


def paths_figure(cases: dict, half_width: float = 4.5) -> plots.Plot:
    """Contours and GD paths side by side, one axes per case {title: (x, y, trajectory)}.

    Each axes is centred on its own closed-form answer (m*, b*) and spans ± ``half_width`` in
    both m and b, so the shapes of the two valleys can be compared.
    """
    fig, axes = plots.new_figure(1, len(cases))
    axes = np.atleast_1d(axes)
    offsets = np.linspace(-half_width, half_width, 121)
    for ax, (title, (x, y, traj)) in zip(axes, cases.items(), strict=True):
        m, b = closed_form.line_fit(x, y)
        for line in level_lines(x, y, LEVELS, m + offsets, b + offsets):
            ax.plot(*line.T, color="0.6", lw=0.8)
        ax.plot(*traj.iterates.T, "o-", color="C3", ms=2, lw=0.8)
        ax.plot(m, b, "*", color="k", ms=12)
        ax.set_xlim(m - half_width, m + half_width)
        ax.set_ylim(b - half_width, b + half_width)
        ax.set_aspect("equal")
        ax.set_title(title)
        ax.set_xlabel("slope m")
        ax.set_ylabel("intercept b")
    return plots.Plot(fig, axes)


# --------------------------------------------------------------------------- panel


def line_fit_panel(
    n=N_RANGE[2], noise=NOISE_RANGE[2], steps=STEPS_RANGE[2], learning_rate=LR_RANGE[2]
) -> widgets.Panel:
    """The line-fit panel: sliders n, noise, number of GD steps and learning rate (lecture 01).

    Left: the data, the closed-form line and the line after k steps of gradient descent.
    Right: contours of J(m, b) (from ``line_fit_loss_surface``) and the GD path in (m, b).
    ``panel.state`` holds what :meth:`LineFitPlot.update` returned for the current setting.

    Examples
    --------
    >>> panel = line_fit_panel()
    >>> str(panel.set(learning_rate=0.3, steps=200)["trajectory"].status)
    'converged'
    """
    plot = line_fit_plot()
    controls = {
        "n": widgets.slider(*N_RANGE[:2], n, description="n"),
        "noise": widgets.slider(*NOISE_RANGE[:2], noise, step=0.1, description="noise"),
        "steps": widgets.slider(*STEPS_RANGE[:2], steps, description="GD steps"),
        "learning_rate": widgets.slider(
            *LR_RANGE[:2], learning_rate, step=0.01, description="learning rate"
        ),
    }
    panel = widgets.Panel(plot, plot.update, controls)
    panel.plot = plot
    return panel


PANELS = {"line fit": line_fit_panel}
