"""Figures and slider panels of lecture 03, gradient descent.

Everything drawn here is computed by the numerical modules: :func:`gradient_descent` for the
paths and the one-step losses, the objectives' exact gradients and Hessians for the Taylor
models (the lecture measures the slopes with
:func:`course_lib.derivatives.directional_derivative`). Its two questions have helpers here:

* *Which unit direction u makes f(x + r u) smallest for a step of length r?* A dense sweep
  of angles (:func:`step_values`, one vectorised call of f), refined by a parabola through
  the three best samples (:func:`best_angles`). As r → 0 the answer tends to −∇f/‖∇f‖, at
  the rate :func:`predicted_deviation` gives.
* *Is a step along −∇f a descent?* :func:`one_step_losses` runs one step of gradient descent
  for a whole array of learning rates at once.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from course_lib import plots, widgets
from course_lib._checks import as_points, positive, positive_int
from course_lib.descent import gradient_descent
from course_lib.objectives import Objective, himmelblau, rosenbrock

POINT = np.array([0.5, 0.0])  # the point on Rosenbrock's banana where directions are compared
N_ANGLES = 3600  # directions in a sweep: one every 0.1°
RADIUS_RANGE = (1e-3, 0.5)
ZOOM = 0.6  # half-width of the box drawn around POINT

START = np.array([-1.0, 0.5])  # default start of the descent panel, on Himmelblau's function
ETA_RANGE = (1e-4, 0.05)
MAX_STEPS = 300
START_RANGE = (-4.5, 4.5)


# --------------------------------------------------------------------------- directions


def _objective(objective) -> Objective:
    if not isinstance(objective, Objective):
        raise TypeError(
            f"objective must be a course_lib.objectives.Objective, got {type(objective).__name__}"
        )
    if objective.dim != 2:
        raise ValueError(f"objective must be 2-D for a sweep of angles, got dim={objective.dim}")
    return objective


def unit_directions(n_angles: int = N_ANGLES):
    """The angles θ_k = 2πk/n and the unit vectors u_k = (cos θ_k, sin θ_k) (lecture 03).

    Returns
    -------
    angles : ndarray, shape (n,)
    directions : ndarray, shape (n, 2)

    Examples
    --------
    >>> angles, U = unit_directions(4)
    >>> np.round(U, 12).tolist()
    [[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [-0.0, -1.0]]
    """
    n = positive_int(n_angles, "n_angles")
    if n < 3:
        raise ValueError(f"n_angles must be >= 3 to locate a minimum, got {n}")
    angles = 2.0 * np.pi * np.arange(n) / n
    return angles, np.stack([np.cos(angles), np.sin(angles)], axis=-1)


def wrapped(angle):
    """An angle (radians) brought into (−π, π]: the signed turn from one direction to another."""
    angle = np.asarray(angle, dtype=float)
    return np.pi - np.mod(np.pi - angle, 2.0 * np.pi)


def steepest_angle(objective, x) -> float:
    """The angle of −∇f(x), the steepest descent direction (lecture 03)."""
    g = _objective(objective).gradient(as_points(x, "x", 2))
    if not np.any(g):
        raise ValueError("the gradient is zero at x: every direction is flat to first order")
    return float(np.arctan2(-g[1], -g[0]))


def step_values(objective, x, radii, n_angles: int = N_ANGLES):
    """f(x + r u_k) − f(x) on the circle of radius r, for every radius (lecture 03).

    One vectorised call of ``objective.value`` on all (R, n) points.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    x : array_like, shape (2,)
    radii : float or array_like, shape (R,)
        Step lengths r > 0.
    n_angles : int
        Directions on the circle (see :func:`unit_directions`).

    Returns
    -------
    angles : ndarray, shape (n,)
    changes : ndarray, shape (n,) or (R, n)
        The change of f for a step of length r along each direction.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> _, change = step_values(quadratic([2.0, 2.0]), [1.0, 0.0], 0.5, 4)
    >>> change.round(12).tolist()  # f = |x|²: steps right, up, left, down
    [1.25, 0.25, -0.75, 0.25]
    """
    f = _objective(objective)
    x = as_points(x, "x", 2)
    r = positive(radii, "radii")
    angles, U = unit_directions(n_angles)
    points = x + r[..., None, None] * U
    return angles, f.value(points) - f.value(x)


def _parabola_vertex(left, middle, right) -> np.ndarray:
    """Offset (in grid steps, within ±½) of the vertex of the parabola through 3 samples."""
    curvature = left - 2.0 * middle + right
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = 0.5 * (left - right) / curvature
    return np.where(curvature > 0, np.clip(offset, -0.5, 0.5), 0.0)


def best_angles(objective, x, radii, n_angles: int = N_ANGLES) -> np.ndarray:
    """The direction θ*(r) of the lowest point on the circle of radius r about x (lecture 03).

    The lowest of n samples f(x + r u_k), moved to the vertex of the parabola through it and
    its two neighbours (the error falls from O(2π/n) to O((2π/n)³) for a smooth minimum).

    Returns
    -------
    ndarray, shape () or (R,)
        θ*(r) in radians, in (−π, π].

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> f = quadratic([1.0, 1.0])  # |x|²/2: the best step from (1, 1) points at the origin
    >>> round(float(np.degrees(best_angles(f, [1.0, 1.0], 0.3, 360))), 6)
    -135.0
    """
    angles, change = step_values(objective, x, radii, n_angles)
    k = np.argmin(change, axis=-1)
    n = angles.size

    def at(j):
        return np.take_along_axis(change, (j % n)[..., None], axis=-1)[..., 0]

    offset = _parabola_vertex(at(k - 1), at(k), at(k + 1))
    return wrapped(angles[k] + offset * 2.0 * np.pi / n)


def deviation_from_gradient(objective, x, radii, n_angles: int = N_ANGLES) -> np.ndarray:
    """θ*(r) − angle of −∇f(x): how far the best direction for a step r turns (radians)."""
    return wrapped(best_angles(objective, x, radii, n_angles) - steepest_angle(objective, x))


def _frame(objective, x):
    """g, ‖g‖, u₀ = −g/‖g‖, t = u₀ turned by +90°, and the Hessian H at x."""
    x = as_points(x, "x", 2)
    g = _objective(objective).gradient(x)
    norm = float(np.linalg.norm(g))
    if norm == 0.0:
        raise ValueError("the gradient is zero at x: every direction is flat to first order")
    u0 = -g / norm
    return g, norm, u0, np.array([-u0[1], u0[0]]), objective.hessian(x)


def predicted_deviation(objective, x, radii) -> np.ndarray:
    """First-order prediction α(r) ≈ −r tᵀH u₀ / ‖∇f‖ of the turn θ*(r) − θ(−∇f) (lecture 03).

    On the circle u(α) = cos α u₀ + sin α t (u₀ = −∇f/‖∇f‖, t ⟂ u₀), the second-order model
    r ∇f·u + ½ r² uᵀHu = −r‖∇f‖ cos α + ½ r² uᵀHu has its minimum where
    r‖∇f‖ α + r² tᵀHu₀ ≈ 0. The turn grows in proportion to r and vanishes as r → 0.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> float(predicted_deviation(quadratic([1.0, 1.0]), [1.0, 1.0], 0.1))  # H = I: no turn
    0.0
    """
    _, norm, u0, t, H = _frame(objective, x)
    return -positive(radii, "radii") * float(t @ H @ u0) / norm


def predicted_gain(objective, x, radii) -> np.ndarray:
    """f(x − r u₀) − min over the circle ≈ r³ (tᵀHu₀)² / (2‖∇f‖): what the best turn buys.

    Put α(r) of :func:`predicted_deviation` into the model r‖∇f‖ α²/2 + r² tᵀHu₀ α. The
    gain is third order in r, while the decrease itself, r‖∇f‖, is first order (lecture 03).
    """
    _, norm, u0, t, H = _frame(objective, x)
    return positive(radii, "radii") ** 3 * float(t @ H @ u0) ** 2 / (2.0 * norm)


# --------------------------------------------------------------------------- steps along −∇f


def one_step_losses(objective, x, learning_rates) -> np.ndarray:
    """f(x − η∇f(x)) for every η: one batched step of :func:`gradient_descent` (lecture 03).

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> one_step_losses(quadratic([1.0]), [2.0], [0.5, 1.0, 2.0]).tolist()  # ½ x²
    [0.5, 0.0, 2.0]
    """
    run = gradient_descent(objective, x, learning_rates, max_iter=1, tol=0.0)
    return run.losses[..., 1]


def first_increase(losses) -> int:
    """The first step t at which f(x_t) > f(x_{t−1}), or −1 if f never rose (lecture 03).

    Examples
    --------
    >>> first_increase([3.0, 2.0, 2.5, 1.0])
    2
    >>> first_increase([3.0, 2.0, 2.0])
    -1
    """
    f = np.asarray(losses, dtype=float)
    if f.ndim != 1:
        raise ValueError(f"losses must be 1-D (one run), got shape {f.shape}")
    rose = np.flatnonzero(~(f[1:] <= f[:-1]))  # nan or inf after a finite value counts
    return int(rose[0]) + 1 if rose.size else -1


def flow_paths(objective, x0, learning_rates, duration: float) -> list:
    """Gradient descent for T = duration / η steps, for every η: ONE batched run (lecture 03).

    Gradient descent is Euler's method for the gradient flow dx/ds = −∇f(x): after T steps
    of size η it has travelled for "time" s = Tη, so the paths end at the same s.
    ``duration / η`` must be a whole number for every η.

    Returns
    -------
    list of ndarray, shape (T_k + 1, 2)
        The path x_0, ..., x_{T_k} of each learning rate.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> [len(p) for p in flow_paths(quadratic([1.0, 2.0]), [1.0, 1.0], [0.1, 0.05], 0.5)]
    [6, 11]
    """
    etas = positive(learning_rates, "learning_rates").reshape(-1)
    duration = float(positive(duration, "duration"))
    steps = duration / etas
    counts = np.rint(steps).astype(int)
    if not np.allclose(steps, counts, rtol=1e-9) or np.any(counts < 1):
        raise ValueError(f"duration / learning_rates must be whole numbers >= 1, got {steps}")
    run = gradient_descent(objective, x0, etas, max_iter=int(counts.max()), tol=0.0)
    return [run.iterates[k, : counts[k] + 1] for k in range(etas.size)]


def flow_points(objective, x0, learning_rates, duration: float) -> np.ndarray:
    """The end points x_T, T = duration / η, of :func:`flow_paths`, shape (K, 2)."""
    return np.array([path[-1] for path in flow_paths(objective, x0, learning_rates, duration)])


def basin_index(final_points, minimizers, tol: float = 1e-6) -> np.ndarray:
    """Which known minimum each run ended at: its index, or −1 if none within ``tol``.

    Examples
    --------
    >>> basin_index(np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 5.0]]), np.array([[1.0, 1.0]]))
    array([-1,  0, -1])
    """
    x = as_points(final_points, "final_points", 2, finite=False)
    m = as_points(minimizers, "minimizers", 2)
    distance = np.linalg.norm(x[..., None, :] - m, axis=-1)  # (..., number of minima)
    with np.errstate(invalid="ignore"):
        near = distance <= positive(tol, "tol")
    return np.where(near.any(axis=-1), np.argmax(near, axis=-1), -1)


# --------------------------------------------------------------------------- static figures


def slope_figure(offsets, measured, exact, norm: float) -> plots.Plot:
    """Slope ∇f·u against the turn from −∇f: finite differences (dots) over the exact line."""
    fig, ax = plots.new_figure()
    degrees = np.degrees(offsets)
    order = np.argsort(degrees)
    ax.plot(degrees[order], exact[order], "-", color="C0", label="∇f·u (exact gradient)")
    ax.plot(
        degrees[order][::60],
        measured[order][::60],
        "o",
        color="C1",
        ms=4,
        label="finite-difference slope",
    )
    ax.axhline(-norm, color="k", ls=":", lw=1, label="−‖∇f‖")
    ax.axvline(0.0, color="C3", ls="--", lw=1, label="u = −∇f/‖∇f‖")
    ax.set_xlabel("angle of u from −∇f (degrees)")
    ax.set_ylabel("slope of f along u")
    ax.set_xticks(np.arange(-180, 181, 90))
    ax.legend(fontsize=8, loc="upper center")
    plots.title_axes(fig, "the slope of f along u, against the turn from −∇f")
    return plots.Plot(fig, ax)


def one_step_figure(etas, change, norm: float, curvature: float) -> plots.Plot:
    """One step along −∇f: f(x − η∇f) − f(x) against η, with the Taylor models (lecture 03).

    Left, on linear axes: the measured change, the first-order model −η‖∇f‖² and the
    second-order model −η‖∇f‖² + ½η² ∇fᵀH∇f (``curvature`` = ∇fᵀH∇f). Right, log-log: the
    error of the first-order model against its prediction ½η² ∇fᵀH∇f.
    """
    fig, (left, right) = plots.new_figure(1, 2)
    first = -etas * norm**2
    second = first + 0.5 * etas**2 * curvature
    left.plot(etas, change, "o", color="C1", ms=3, label="measured: f(x − η∇f) − f(x)")
    left.plot(etas, first, "-", color="C0", label="first order: −η‖∇f‖²")
    left.plot(etas, second, "--", color="C2", label="second order: + ½η² ∇fᵀH∇f")
    left.axhline(0.0, color="k", lw=0.8)
    left.set_ylim(1.5 * change.min(), -0.8 * change.min())
    left.set_xlabel("learning rate η")
    left.set_ylabel("change of f in one step")
    left.legend(fontsize=7, loc="upper left")
    right.loglog(etas, np.abs(change - first), "o", color="C1", ms=3, label="measured model error")
    right.loglog(etas, 0.5 * etas**2 * curvature, "-", color="C2", label="½η² ∇fᵀH∇f")
    right.set_xlabel("learning rate η")
    right.set_ylabel("|f(x − η∇f) − (f(x) − η‖∇f‖²)|")
    right.legend(fontsize=7, loc="upper left")
    plots.title_axes(
        fig, "one step along −∇f, and its Taylor models", "the error of the first-order model"
    )
    return plots.Plot(fig, left)


def turn_figure(radii, turn, turn_predicted, gain, gain_predicted) -> plots.Plot:
    """Left: |θ*(r) − θ(−∇f)| against r with r·|tᵀHu₀|/‖∇f‖; right: the gain, with r³."""
    fig, (left, right) = plots.new_figure(1, 2)
    left.loglog(radii, np.degrees(np.abs(turn)), "o", color="C1", ms=3, label="measured (sweep)")
    left.loglog(
        radii,
        np.degrees(np.abs(turn_predicted)),
        "-",
        color="C0",
        label="first order: r |tᵀHu₀| / ‖∇f‖",
    )
    left.set_xlabel("step length r")
    left.set_ylabel("turn of the best direction (degrees)")
    left.legend(fontsize=7, loc="upper left")
    right.loglog(radii, gain, "o", color="C1", ms=3, label="f(x − r u₀) − min over the circle")
    right.loglog(radii, gain_predicted, "-", color="C0", label="r³ (tᵀHu₀)² / (2‖∇f‖)")
    right.set_xlabel("step length r")
    right.set_ylabel("extra decrease of the best direction")
    right.legend(fontsize=7, loc="upper left")
    plots.title_axes(
        fig, "how far the best direction turns from −∇f", "what the best direction gains"
    )
    return plots.Plot(fig, left)


def paths_figure(objective, runs, labels, *, minimum: float = 0.0, bounds=None) -> plots.Plot:
    """Paths on the contours of f (left) and f(x_t) − f* against t on a log scale (right)."""
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.0, 1.2))
    plots.contour_plot(objective, runs, labels, bounds=bounds, ax=left)
    named = [f"{label} ({run.status.item()})" for run, label in zip(runs, labels, strict=True)]
    plots.loss_curves(list(runs), named, minimum=minimum, ax=right)
    plots.title_axes(fig, "the paths on the contours", "progress of each run")
    return plots.Plot(fig, left)


def mark_directions(plot: plots.Plot, x, directions: dict, length: float = 1.0) -> list:
    """Arrows of the given length from x along each direction {label: vector} on plot.ax."""
    x = as_points(x, "x", 2)
    arrows = []
    for k, (label, v) in enumerate(directions.items()):
        v = np.asarray(v, dtype=float)
        tip = x + length * v / np.linalg.norm(v)
        style = {"arrowstyle": "-|>", "color": f"C{k + 3}", "lw": 2}
        arrows.append(plot.ax.annotate("", tip, x, arrowprops=style, zorder=5))
        plot.ax.plot([], [], color=f"C{k + 3}", lw=2, label=label)
    plot.ax.legend(fontsize=8, loc="upper left")
    return arrows


def basin_figure(objective, side, index) -> plots.Plot:
    """Start points on a grid coloured by the minimum gradient descent reached from them."""
    plot = plots.contour_plot(objective)
    colours = np.array(["0.6", "C0", "C1", "C2", "C3"], dtype=object)[np.asarray(index) + 1]
    X, Y = np.meshgrid(side, side)
    plot.ax.scatter(X.ravel(), Y.ravel(), c=list(colours.ravel()), s=6, zorder=2)
    for k, m in enumerate(objective.minimizers):
        plot.ax.plot(*m, "*", color=f"C{k}", ms=16, mec="k", zorder=5)
    plot.ax.set_title(f"{objective.name}: which minimum each start reaches")
    return plot


def flow_figure(objective, runs, labels, etas, errors, *, bounds=None) -> plots.Plot:
    """Paths of GD with shrinking η on the contours, and their distance to the flow (log-log)."""
    fig, (left, right) = plots.new_figure(1, 2)
    plots.contour_plot(objective, runs, labels, bounds=bounds, ax=left)
    right.loglog(etas, errors, "o-", color="C1", label="‖x_T − x(s)‖, measured")
    right.loglog(etas, errors[-1] * etas / etas[-1], "--", color="0.4", label="slope 1 (∝ η)")
    right.set_xlabel("learning rate η")
    right.set_ylabel("distance to the gradient flow at s = Tη")
    right.xaxis.set_minor_formatter(NullFormatter())
    right.set_xticks(etas[::2], [f"{eta:g}" for eta in etas[::2]])
    right.legend(fontsize=8)
    plots.title_axes(
        fig, "gradient descent with shrinking steps", "the distance to the gradient flow"
    )
    return plots.Plot(fig, left)


# --------------------------------------------------------------------------- finite-step panel


def draw_finite_step(objective=None, point=POINT):
    """Figure of the finite-step panel; returns the figure and the artists that move."""
    f = rosenbrock() if objective is None else objective
    p = as_points(point, "point", 2)
    fig, (left, right) = plots.new_figure(1, 2)
    box = ((p[0] - ZOOM, p[0] + ZOOM), (p[1] - ZOOM, p[1] + ZOOM))
    plots.contour_plot(f, bounds=box, levels=25, ax=left)
    left.plot(*p, "o", color="k", ms=5)
    a = {"objective": f, "point": p}
    (a["circle"],) = left.plot([], [], "-", color="0.3", lw=1)
    (a["gradient_step"],) = left.plot(
        [], [], "-o", color="C3", ms=5, markevery=[1], label="step r along −∇f"
    )
    (a["best_step"],) = left.plot(
        [], [], "-o", color="C2", ms=5, markevery=[1], label="best step of length r"
    )
    left.legend(fontsize=7, loc="lower right")
    g, norm, u0, t, H = _frame(f, p)
    a["frame"] = (g, norm, u0, t, H)
    offsets = np.linspace(-np.pi, np.pi, 721)
    U = np.cos(offsets)[:, None] * u0 + np.sin(offsets)[:, None] * t
    a["offsets"], a["directions"] = offsets, U
    right.plot(np.degrees(offsets), U @ g, "-", color="C0", label="∇f·u (first order)")
    (a["measured"],) = right.plot([], [], "-", color="C1", label="[f(x + r u) − f(x)] / r")
    (a["second"],) = right.plot([], [], "--", color="C2", label="∇f·u + ½ r uᵀHu")
    a["best_line"] = right.axvline(0.0, color="C2", lw=1.2)
    right.axvline(0.0, color="C3", ls=":", lw=1.2)
    right.set_xlim(-180, 180)
    right.set_xticks(np.arange(-180, 181, 90))
    right.set_ylim(-1.5 * norm, 1.5 * norm)
    right.set_xlabel("angle of u from −∇f (degrees)")
    right.set_ylabel("change of f per unit length")
    right.legend(fontsize=7, loc="upper center")
    right.set_title("change of f per unit length, every direction")
    return fig, a


def update_finite_step(a: dict, radius: float) -> str:
    """Recompute the finite-step panel for step length r; returns the readout."""
    f, p = a["objective"], a["point"]
    g, norm, u0, t, H = a["frame"]
    offsets, U = a["offsets"], a["directions"]
    change = f.value(p + radius * U) - f.value(p)  # f on the circle, one call
    a["measured"].set_data(np.degrees(offsets), change / radius)
    curvature = np.einsum("ki,ij,kj->k", U, H, U)
    a["second"].set_data(np.degrees(offsets), U @ g + 0.5 * radius * curvature)
    a["circle"].set_data(*(p + radius * U).T)
    turn = float(deviation_from_gradient(f, p, radius))
    best = np.cos(turn) * u0 + np.sin(turn) * t
    a["best_line"].set_xdata([np.degrees(turn)] * 2)
    a["gradient_step"].set_data(*np.stack([p, p + radius * u0]).T)
    a["best_step"].set_data(*np.stack([p, p + radius * best]).T)
    along_gradient = float(f.value(p + radius * u0) - f.value(p))
    along_best = float(f.value(p + radius * best) - f.value(p))
    predicted = float(np.degrees(predicted_deviation(f, p, radius)))
    return (
        f"r = {radius:.3g}: the best direction is {np.degrees(turn):+.2f}° from −∇f "
        f"(first-order prediction {predicted:+.2f}°)"
        f"\nf changes by {along_best:+.4g} along it and by {along_gradient:+.4g} along −∇f "
        f"(first-order model −r‖∇f‖ = {-radius * norm:+.4g})"
    )


def finite_step_panel(radius: float = 0.05):
    """Slider: the step length r (lecture 03).

    Left, Rosenbrock's contours around :data:`POINT`, the circle of radius r, the step of
    length r along −∇f (red) and the best step of that length (green, from a dense sweep of
    angles). Right, the change of f per unit length, [f(x + r u) − f(x)] / r, over all unit
    directions u, with the first-order model ∇f·u (fixed) and the second-order model.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists (for tests).

    Examples
    --------
    >>> panel = finite_step_panel()
    >>> panel.set(radius=0.001).startswith("r = 0.001")
    True
    """
    fig, artists = draw_finite_step()

    def update(radius):
        return update_finite_step(artists, radius)

    controls = {"radius": widgets.slider(*RADIUS_RANGE, radius, log=True, description="r")}
    moving = [
        artists[k]
        for k in ("circle", "gradient_step", "best_step", "measured", "second", "best_line")
    ]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


# --------------------------------------------------------------------------- descent panel


def descent_readout(trajectory, objective) -> str:
    """Status, steps, last point, nearest known minimum, and whether f fell at every step."""
    x = trajectory.iterates[-1]
    line = (
        f"{trajectory.status.item()} after {int(trajectory.stopped_at)} steps, "
        f"f = {float(trajectory.final_loss):.4g}"
    )
    if trajectory.status.item() != "diverged" and objective.minimizers.size:
        nearest = objective.minimizers[np.argmin(np.linalg.norm(objective.minimizers - x, axis=1))]
        line += (
            f" at ({x[0]:.3f}, {x[1]:.3f}); nearest minimum ({nearest[0]:.3f}, {nearest[1]:.3f})"
        )
    rose = first_increase(trajectory.losses)
    line += "\nf fell at every step" if rose < 0 else f"\nf rose at step {rose}"
    return line


def draw_descent(objective=None):
    """Figure of the descent panel: contours with a path (left), f(x_t) − f* per step (right)."""
    f = himmelblau() if objective is None else objective
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.0, 1.2))
    contour = plots.contour_plot(f, max_paths=1, ax=left)
    losses = plots.loss_curves(
        np.ones(MAX_STEPS + 1), minimum=0.0, xlim=(0, MAX_STEPS), ylim=(1e-16, 1e5), ax=right
    )
    plots.title_axes(fig, "the path on the contours", "progress of the run")
    return fig, {"objective": f, "contour": contour, "losses": losses}


def update_descent(a: dict, learning_rate: float, x0: float, y0: float, steps: int) -> str:
    """Run gradient descent for the slider values and move the path and the loss curve."""
    f = a["objective"]
    run = gradient_descent(f, [x0, y0], learning_rate, max_iter=steps)
    a["run"] = run
    a["contour"].set_paths(run)
    a["losses"].set_curves(run)  # f* = 0 at all four minima of Himmelblau's function
    return f"η = {learning_rate:.3g}, start ({x0:.2f}, {y0:.2f}): " + descent_readout(run, f)


def descent_panel(learning_rate: float = 0.005, start=START, steps: int = 60):
    """Sliders: learning rate η, start point (x₀, y₀) and number of steps (lecture 03).

    Left, gradient descent x_{t+1} = x_t − η∇f(x_t) on Himmelblau's function (four minima);
    right, f(x_t) against t on a log scale (f* = 0). The readout says where the run ended
    and whether f fell at every step.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists and the last run (for tests).

    Examples
    --------
    >>> panel = descent_panel()
    >>> "f fell at every step" in panel.set(learning_rate=0.002)
    True
    """
    x0, y0 = (float(v) for v in as_points(start, "start", 2))
    fig, artists = draw_descent()

    def update(learning_rate, x0, y0, steps):
        return update_descent(artists, learning_rate, x0, y0, steps)

    controls = {
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
        "x0": widgets.slider(*START_RANGE, x0, step=0.1, description="start x₁"),
        "y0": widgets.slider(*START_RANGE, y0, step=0.1, description="start x₂"),
        "steps": widgets.slider(1, MAX_STEPS, steps, description="steps"),
    }
    moving = [artists["contour"], artists["losses"]]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


PANELS = {"descent": descent_panel, "finite step": finite_step_panel}
