"""Figures and slider panels of lecture 01, closed form versus iterative.

The running example is the line y = m x + b fitted to seeded noisy points. Every number drawn
comes from the library: :mod:`course_lib.closed_form` for the closed-form line, the loss surface
and the cost model, :func:`course_lib.descent.gradient_descent` on
:func:`course_lib.objectives.least_squares` for the iterative answer. The contours of the loss
surface are drawn as plain lines (computed with contourpy, which matplotlib itself uses), so a
slider move replaces their data instead of rebuilding the figure.
"""

from __future__ import annotations

import io

import contourpy
import ipywidgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib import closed_form, curvature
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
LEARNING_RATE_RANGE = (0.01, 0.8, 0.1)


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


def _line_ends(m, b, xlim):
    return np.asarray(xlim), m * np.asarray(xlim) + b


def draw_line_fit(size=(10.0, 4.0)):
    """The line-fit panel's figure: data and lines (left), contours and GD path (right).

    Returns the figure and a dict of the artists :func:`update_line_fit` moves.
    """
    fig = Figure(figsize=size, layout="constrained")
    data_ax, surface_ax = fig.subplots(1, 2)
    a = {}
    (a["points"],) = data_ax.plot([], [], "o", color="0.35", ms=4, label="data")
    (a["closed"],) = data_ax.plot([], [], color="k", lw=2.5, alpha=0.4, label="closed form")
    (a["gd_line"],) = data_ax.plot([], [], color="tab:red", lw=1.5, label="GD after k steps")
    data_ax.set_xlim(-3.2, 3.2)
    data_ax.set_ylim(-16.0, 18.0)
    data_ax.set_xlabel("x")
    data_ax.set_ylabel("y")
    data_ax.legend(fontsize=8, loc="upper left")
    a["levels"] = [surface_ax.plot([], [], color="0.6", lw=0.8)[0] for _ in LEVELS]
    (a["path"],) = surface_ax.plot([], [], "o-", color="tab:red", ms=2.5, lw=1, label="GD path")
    (a["star"],) = surface_ax.plot([], [], "*", color="k", ms=12, label="closed form (m*, b*)")
    surface_ax.plot(*START, "s", color="tab:red", ms=6, label="start")
    surface_ax.set_xlim(SLOPES[0], SLOPES[-1])
    surface_ax.set_ylim(INTERCEPTS[0], INTERCEPTS[-1])
    surface_ax.set_xlabel("slope m")
    surface_ax.set_ylabel("intercept b")
    surface_ax.legend(fontsize=8, loc="lower right")
    return fig, a


def update_line_fit(artists, n, noise, steps, learning_rate, *, seed=SEED) -> dict:
    """Recompute the line-fit panel for one slider setting; moves the artists in place.

    Returns
    -------
    dict
        What was drawn: ``x``, ``y``, ``theta_star`` (closed form), ``trajectory`` (GD) and
        ``readout`` (a text summary).
    """
    x, y = linear_data(positive_int(n, "n"), SLOPE, INTERCEPT, noise, seed)
    m, b = closed_form.line_fit(x, y)
    traj = descend(x, y, learning_rate, steps)
    path = np.clip(traj.iterates, -1e3, 1e3)  # a diverged run leaves the box anyway
    mk, bk = path[-1]
    xlim = artists["points"].axes.get_xlim()
    artists["points"].set_data(x, y)
    artists["closed"].set_data(*_line_ends(m, b, xlim))
    artists["gd_line"].set_data(*_line_ends(mk, bk, xlim))
    for line, points in zip(artists["levels"], level_lines(x, y), strict=True):
        line.set_data(*points.T)
    artists["path"].set_data(*path.T)
    artists["star"].set_data([m], [b])
    gap = float(distance_to_closed_form(traj, [m, b]))
    readout = (
        f"closed form: m* = {m:.4f}, b* = {b:.4f}      "
        f"GD after {int(traj.stopped_at)} steps: m = {mk:.4g}, b = {bk:.4g}\n"
        f"‖θ_k − θ*‖ = {gap:.3g}   status: {traj.status.item()}   "
        f"η = {learning_rate:.3g}, stability limit 2/λmax = {stability_limit(x):.3g}"
    )
    return {"x": x, "y": y, "theta_star": np.array([m, b]), "trajectory": traj, "readout": readout}


def sweep_figure(learning_rates, measured, predicted, limit, steps, size=(6.5, 3.4)) -> Figure:
    """‖θ_T − θ*‖ after ``steps`` steps against η: measured (dots), ρ(η)^T ‖θ₀ − θ*‖ (line)."""
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.subplots()
    shown = np.where(np.isfinite(measured), np.maximum(measured, 1e-17), np.nan)
    ax.semilogy(learning_rates, np.clip(predicted, 1e-17, 1e30), color="0.4", lw=1.5)
    ax.lines[-1].set_label("predicted ρ(η)^T ‖θ₀ − θ*‖")
    ax.semilogy(
        learning_rates, shown, ".", color="tab:blue", ms=4, label="measured (gaps: diverged)"
    )
    ax.axvline(limit, color="tab:red", lw=1.5, label="2/λmax")
    ax.set_ylim(1e-17, 1e6)
    ax.set_xlabel("learning rate η")
    ax.set_ylabel(f"‖θ_T − θ*‖ after T = {steps} steps")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def paths_figure(cases: dict, half_width: float = 4.5, size=(10.0, 4.2)) -> Figure:
    """Contours and GD paths side by side, one axes per case {title: (x, y, trajectory)}.

    Each axes is centred on its own closed-form answer (m*, b*) and spans ± ``half_width`` in
    both m and b, so the shapes of the two valleys can be compared.
    """
    fig = Figure(figsize=size, layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(cases)))
    offsets = np.linspace(-half_width, half_width, 121)
    for ax, (title, (x, y, traj)) in zip(axes, cases.items(), strict=True):
        m, b = closed_form.line_fit(x, y)
        for line in level_lines(x, y, LEVELS, m + offsets, b + offsets):
            ax.plot(*line.T, color="0.6", lw=0.8)
        ax.plot(*traj.iterates.T, "o-", color="tab:red", ms=2, lw=0.8)
        ax.plot(m, b, "*", color="k", ms=12)
        ax.set_xlim(m - half_width, m + half_width)
        ax.set_ylim(b - half_width, b + half_width)
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("slope m")
        ax.set_ylabel("intercept b")
    return fig


# --------------------------------------------------------------------------- panel


class _Panel:
    """A persistent Agg figure behind sliders (stand-in until course_lib.widgets exists).

    A slider move calls ``update(**values)``, which moves the ``moving`` artists in place and
    returns a dict with a ``readout``. The still parts of the figure (axes, labels, legends)
    are drawn once and cached; each move restores that background, draws only the moving
    artists (blitting) and pushes the pixels as a PNG into an ``ipywidgets.Image``. The update
    runs once at construction.
    """

    def __init__(self, fig, update, sliders, moving):
        self.figure, self._update, self.sliders, self._moving = fig, update, sliders, moving
        self._canvas = FigureCanvasAgg(fig)
        for artist in moving:
            artist.set_animated(True)  # left out of the cached background
        self._canvas.draw()  # lays out the figure once
        fig.set_layout_engine("none")  # and keeps that layout
        self._background = self._canvas.copy_from_bbox(fig.bbox)
        self._holding = False
        self._image = ipywidgets.Image(format="png")
        self._text = ipywidgets.HTML()
        for slider in sliders.values():
            slider.observe(lambda _: self._refresh(), names="value")
        rows = [ipywidgets.HBox(list(sliders.values())[k : k + 2]) for k in (0, 2)]
        self.widget = ipywidgets.VBox([*rows, self._image, self._text])
        self._refresh()

    def set(self, **values):
        """Move the sliders to ``values`` (what a student's drag does) and redraw once."""
        unknown = set(values) - set(self.sliders)
        if unknown:
            raise ValueError(f"unknown slider(s) {sorted(unknown)}; have {sorted(self.sliders)}")
        self._holding = True  # one redraw for several sliders, not one each
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._holding = False
        self._refresh()
        return self.state

    def _refresh(self):
        if self._holding:
            return
        self.state = self._update(**{k: s.value for k, s in self.sliders.items()})
        self.readout = self.state["readout"]
        self._text.value = "<pre>" + self.readout + "</pre>"
        self._canvas.restore_region(self._background)
        for artist in self._moving:
            self.figure.draw_artist(artist)
        pixels = PIL.Image.frombuffer(
            "RGBA", self._canvas.get_width_height(), self._canvas.buffer_rgba()
        )
        buffer = io.BytesIO()
        pixels.save(buffer, format="png", compress_level=1)
        self._image.value = buffer.getvalue()


def _slider(kind, value, bounds, step, description):
    return kind(value=value, min=bounds[0], max=bounds[1], step=step, description=description)


def line_fit_panel(
    n=N_RANGE[2], noise=NOISE_RANGE[2], steps=STEPS_RANGE[2], learning_rate=LEARNING_RATE_RANGE[2]
):
    """The line-fit panel: sliders n, noise, number of GD steps and learning rate (lecture 01).

    Left: the data, the closed-form line and the line after k steps of gradient descent.
    Right: contours of J(m, b) and the gradient-descent path in the (m, b) plane.
    """
    fig, artists = draw_line_fit()
    sliders = {
        "n": _slider(ipywidgets.IntSlider, n, N_RANGE, 1, "n"),
        "noise": _slider(ipywidgets.FloatSlider, noise, NOISE_RANGE, 0.1, "noise"),
        "steps": _slider(ipywidgets.IntSlider, steps, STEPS_RANGE, 1, "GD steps"),
        "learning_rate": _slider(
            ipywidgets.FloatSlider, learning_rate, LEARNING_RATE_RANGE, 0.01, "learning rate"
        ),
    }
    moving = [a for a in artists.values() if not isinstance(a, list)] + artists["levels"]
    return _Panel(fig, lambda **values: update_line_fit(artists, **values), sliders, moving)


PANELS = {"line fit": line_fit_panel}
