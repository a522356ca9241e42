"""Figures and slider panels of lecture 07, the Hessian and Newton's method.

Everything drawn here is computed by the numerical modules: the exact gradient and Hessian of
:mod:`course_lib.objectives`, the eigen-decomposition, condition number and second-derivative
test of :mod:`course_lib.curvature`, the paths of :func:`~course_lib.descent.gradient_descent`
and :func:`~course_lib.descent.newton`, and the finite-difference Hessian of
:mod:`course_lib.derivatives` as a check of the exact one.

The surface explorer keeps one figure for all five surfaces. The contours of a surface are
traced once, the first time it is chosen, and then only shown or hidden: switching the
function redraws the still background once (the panel notices the figure is stale), moving
the point only moves the animated artists (arrows, eigen-axes, paths, markers).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from course_lib import curvature, derivatives, plots, widgets
from course_lib._checks import as_float_array, as_points, one_of, positive, positive_int
from course_lib.descent import gradient_descent, newton
from course_lib.objectives import Objective, beale, himmelblau, monkey_saddle, rosenbrock, saddle

VIEW = ((-4.5, 4.5), (-4.5, 4.5))
SURFACES = {
    "Himmelblau": himmelblau,
    "Rosenbrock": rosenbrock,
    "saddle x² − y²": saddle,
    "monkey saddle": monkey_saddle,
    "Beale": beale,
}
FORMULAS = {
    "Himmelblau": "(x₁² + x₂ − 11)² + (x₁ + x₂² − 7)²",
    "Rosenbrock": "100 (x₂ − x₁²)² + (1 − x₁)²",
    "saddle x² − y²": "x₁² − x₂²",
    "monkey saddle": "x₁³ − 3 x₁x₂²",
    "Beale": "Σₖ (cₖ − x₁ + x₁x₂ᵏ)²",
}
LEARNING_RATES = {  # the fixed GD step of each surface: stable near its minima
    "Himmelblau": 0.01,
    "Rosenbrock": 1e-3,
    "saddle x² − y²": 0.1,
    "monkey saddle": 0.05,
    "Beale": 0.01,
}
KINDS = ("minimum", "saddle", "maximum", "inconclusive")
KIND_STYLE = {
    "minimum": {"marker": "*", "color": "k", "ms": 13},
    "saddle": {"marker": "X", "color": "C3", "ms": 10},
    "maximum": {"marker": "^", "color": "C5", "ms": 10},
    "inconclusive": {"marker": "D", "color": "C6", "ms": 9},
}
GD_STEPS = 200
NEWTON_STEPS = 100
MATCH = 1e-3  # two critical points closer than this are the same point
DRAW_LIMIT = 50.0  # a drawn path stops where it first leaves the box |x| <= DRAW_LIMIT
ARROW = 0.9  # drawn length of the gradient arrow (its direction; the readout gives |∇f|)
CROSS = 0.8  # half-length of the longer eigen-axis
SHORTEST = 0.25  # the shorter eigen-axis is drawn at least this fraction of the longer


@functools.cache
def surface(name: str) -> Objective:
    """The objective called ``name`` in :data:`SURFACES`, built once (its contours are cached).

    Examples
    --------
    >>> surface("Himmelblau") is surface("Himmelblau")
    True
    """
    return SURFACES[one_of(name, "name", tuple(SURFACES))]()


# --------------------------------------------------------------------------- critical points


@dataclass(frozen=True)
class CriticalPoints:
    """Critical points of a surface with their second-derivative test (lecture 07).

    Attributes
    ----------
    points : ndarray, shape (m, 2)
    kinds : ndarray of str, shape (m,)
        ``classify_critical_point`` of the Hessian at each point.
    eigenvalues : ndarray, shape (m, 2)
        The Hessian's eigenvalues there, ascending.
    values : ndarray, shape (m,)
        f at each point.
    """

    points: np.ndarray
    kinds: np.ndarray
    eigenvalues: np.ndarray
    values: np.ndarray

    def of_kind(self, kind: str) -> np.ndarray:
        """The points of one kind, shape (k, 2)."""
        return self.points[self.kinds == one_of(kind, "kind", KINDS)]

    def nearest(self, x) -> np.ndarray:
        """Index of the nearest critical point to each point x (..., 2)."""
        x = as_points(x, "x", 2, finite=False)
        distance = np.linalg.norm(x[..., None, :] - self.points, axis=-1)
        return np.argmin(np.where(np.isnan(distance), np.inf, distance), axis=-1)

    def match(self, x, tol: float = MATCH) -> np.ndarray:
        """Index of the critical point within ``tol`` of each x (..., 2), or −1 if none."""
        index = self.nearest(x)
        gap = np.linalg.norm(np.asarray(x, float) - self.points[index], axis=-1)
        return np.where(gap <= tol, index, -1)


def distinct_points(points, tol: float = MATCH) -> np.ndarray:
    """The points with every later point within ``tol`` of an earlier one dropped.

    A point is kept iff the first point within ``tol`` of it is itself (one pairwise distance
    matrix, no loop). Meant for well-separated clusters of size ≪ tol, such as the end points
    of Newton runs that converged to the same critical point.

    Examples
    --------
    >>> distinct_points([[0.0, 0.0], [1.0, 0.0], [1e-5, 0.0]]).tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    points = as_points(points, "points", 2)
    tol = float(positive(tol, "tol"))
    distance = np.linalg.norm(points[:, None] - points[None], axis=-1)
    first = np.argmax(distance <= tol, axis=1)
    return points[first == np.arange(len(points))]


def find_critical_points(
    objective, bounds=VIEW, n: int = 19, *, max_iter: int = 100
) -> CriticalPoints:
    """Every critical point Newton's method finds from an n × n grid of starts (lecture 07).

    Newton solves ∇f = 0, so it converges to minima, saddles and maxima alike: one batched
    :func:`~course_lib.descent.newton` call from the grid, the converged end points inside
    ``bounds``, merged with the objective's listed critical points (listed ones first, so an
    end point within :data:`MATCH` of a listed point is replaced by the exact one), each
    classified by :func:`~course_lib.curvature.classify_critical_point`.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    bounds : ((xmin, xmax), (ymin, ymax))
    n : int
        Grid points per axis.
    max_iter : int
        Newton steps per run.

    Returns
    -------
    CriticalPoints
        Sorted by kind (minimum, saddle, maximum, inconclusive), then by x.

    Examples
    --------
    >>> table = find_critical_points(surface("saddle x² − y²"))
    >>> table.kinds.tolist(), table.points.tolist()
    (['saddle'], [[0.0, 0.0]])
    """
    box = np.asarray(plots._bounds(objective, bounds))
    axes = [np.linspace(low, high, positive_int(n, "n")) for low, high in box]
    starts = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, 2)
    runs = newton(objective, starts, max_iter=max_iter)
    ends = runs.final[runs.converged]
    ends = ends[np.all((ends >= box[:, 0]) & (ends <= box[:, 1]), axis=1)]
    listed = [np.asarray(p, float).reshape(-1, 2) for p in objective.critical_points.values()]
    points = distinct_points(np.concatenate([*listed, ends]))
    hessians = objective.hessian(points)
    kinds = np.atleast_1d(curvature.classify_critical_point(hessians))
    order = np.lexsort((points[:, 0], [KINDS.index(k) for k in kinds]))
    return CriticalPoints(
        points=points[order],
        kinds=kinds[order],
        eigenvalues=curvature.hessian_eigen(hessians)[0][order],
        values=objective.value(points)[order],
    )


@functools.cache
def critical_points(name: str) -> CriticalPoints:
    """:func:`find_critical_points` of the surface ``name`` over :data:`VIEW`, computed once."""
    return find_critical_points(surface(name))


def end_kinds(trajectory, table: CriticalPoints) -> np.ndarray:
    """Where each run ended: the kind of the critical point it converged to (lecture 07).

    A converged run whose last iterate is within :data:`MATCH` of a point of ``table`` gets
    that point's kind; any other run gets its status (``"diverged"``, ``"max_iter"``, or
    ``"converged"`` for a critical point not in the table). Vectorised over the batch.
    """
    final = trajectory.final
    index = table.match(np.where(np.isfinite(final), final, np.nan))
    found = trajectory.converged & (index >= 0)
    return np.where(found, table.kinds[np.maximum(index, 0)], trajectory.status)[()]


# --------------------------------------------------------------------------- the maths, by pieces


def taylor_models(objective, x, direction, steps) -> dict:
    """f and its first- and second-order Taylor models along a line (lecture 07).

    With g = ∇f(x), H = ∇²f(x) and the unit vector v along ``direction``:

        m₁(t) = f(x) + t gᵀv,      m₂(t) = m₁(t) + ½ t² vᵀHv.

    Returns
    -------
    dict
        ``"f"``, ``"first"``, ``"second"``: arrays of shape (len(steps),) of f(x + tv),
        m₁(t), m₂(t).

    Examples
    --------
    >>> models = taylor_models(surface("saddle x² − y²"), [1.0, 2.0], [1.0, 1.0], [0.5])
    >>> bool(np.isclose(models["second"][0], models["f"][0]))   # a quadratic is its model
    True
    """
    x = as_points(x, "x", objective.dim)
    v = as_float_array(direction, "direction")
    if v.shape != x.shape or not np.linalg.norm(v) > 0:
        raise ValueError(f"direction must be a non-zero vector of shape {x.shape}")
    v = v / np.linalg.norm(v)
    t = as_float_array(steps, "steps", ndim_min=1)
    slope = objective.gradient(x) @ v
    bend = v @ objective.hessian(x) @ v
    first = objective.value(x) + t * slope
    return {
        "f": objective.value(x + t[:, None] * v),
        "first": first,
        "second": first + 0.5 * t**2 * bend,
    }


def newton_in_eigenbasis(g, H):
    """The gradient and the Newton step −H⁻¹g along the eigenvectors of H (lecture 07).

    With H = Σᵢ λᵢ qᵢqᵢᵀ, the gradient's coordinates are cᵢ = qᵢᵀg and the Newton step's are
    −cᵢ/λᵢ: each direction gets its own step 1/λᵢ. Where λᵢ < 0 the sign flips and the step
    goes uphill along qᵢ (gradient descent's −ηcᵢ always goes downhill).

    Returns
    -------
    eigenvalues, gradient_coordinates, newton_coordinates : ndarray, shape (d,) each

    Examples
    --------
    >>> lam, c, step = newton_in_eigenbasis([2.0, -1.0], np.diag([2.0, -2.0]))
    >>> lam.tolist(), step.tolist()
    ([-2.0, 2.0], [-0.5, -1.0])
    """
    lam, Q = curvature.hessian_eigen(H)
    c = as_float_array(g, "g") @ Q
    return lam, c, -c / lam


def third_derivatives(objective, x) -> np.ndarray:
    """T[i, j, k] = ∂³f/∂xᵢ∂xⱼ∂xₖ at x, centered differences of the exact Hessian (lecture 07)."""
    x = as_points(x, "x", objective.dim)
    d = x.size

    def flat_hessian(p):
        return objective.hessian(p).reshape(*p.shape[:-1], d * d)

    return derivatives.jacobian(flat_hessian, x).reshape(d, d, d)


def predicted_newton_errors(objective, minimizer, errors) -> np.ndarray:
    """The next error of a full Newton step predicted from the current one (lecture 07).

    With e = x − x*, ∇f(x) = H*e + ½T[e, e] + O(e³) and H(x) = H* + T[e] + O(e²), so one
    step x − H(x)⁻¹∇f(x) leaves the error

        e_next ≈ ½ H*⁻¹ T[e, e],       ‖e_next‖ ≈ C ‖e‖²:

    quadratic convergence, the number of correct digits doubling per step.

    Parameters
    ----------
    objective : Objective
    minimizer : array_like, shape (d,)
        x*, where ∇f(x*) = 0 and H* = ∇²f(x*) is invertible.
    errors : array_like, shape (..., d)
        The errors e_k.

    Returns
    -------
    ndarray, shape (...)
        ‖½ H*⁻¹ T[e_k, e_k]‖ for each e_k.
    """
    xstar = as_points(minimizer, "minimizer", objective.dim)
    e = as_points(errors, "errors", objective.dim)
    T = third_derivatives(objective, xstar)
    bent = np.einsum("ijk,...j,...k->...i", T, e, e)
    step = np.linalg.solve(objective.hessian(xstar), bent[..., None])[..., 0]
    return 0.5 * np.linalg.norm(step, axis=-1)


def error_norms(trajectory, point) -> np.ndarray:
    """‖x_t − x*‖ along a (batched) run, shape (*batch, T + 1)."""
    return trajectory.distance_to(point)


def drawable_path(points, limit: float = DRAW_LIMIT) -> np.ndarray:
    """A path up to the first point outside |x| ≤ ``limit`` (later points nan): a run that
    leaves the picture for good is drawn until it leaves, without astronomical coordinates.

    Examples
    --------
    >>> drawable_path([[0.0, 0.0], [1.0, 99.0], [0.0, 1.0]]).tolist()
    [[0.0, 0.0], [1.0, 99.0], [nan, nan]]
    """
    points = as_float_array(points, "points", ndim_min=2, finite=False)
    with np.errstate(invalid="ignore"):
        outside = ~np.all(np.isfinite(points) & (np.abs(points) <= limit), axis=-1)
    after = np.cumsum(outside, axis=-1) - outside > 0  # strictly after the first outside point
    return np.where((after | ~np.isfinite(points).all(-1))[..., None], np.nan, points)


# --------------------------------------------------------------------------- static figures


def _critical_markers(ax, table: CriticalPoints, *, labels: bool = True) -> list:
    """One marker line per kind present in ``table``; returns the artists."""
    drawn = []
    for kind in KINDS:
        pts = table.of_kind(kind)
        if len(pts):
            style = KIND_STYLE[kind]
            label = kind if labels else None
            drawn += ax.plot(*pts.T, ls="none", mec="w", zorder=5, label=label, **style)
    return drawn


def _contours(ax, objective, bounds=VIEW, levels=20, alpha=1.0):
    """The cached level grid of ``objective`` as contour lines on ``ax``."""
    grid = plots.level_grid(objective, bounds, levels=levels)
    colors = colormaps["viridis"](np.linspace(0.0, 0.95, len(grid.levels)))
    return ax.contour(
        grid.x, grid.y, grid.values, levels=grid.levels, colors=colors, alpha=alpha, zorder=1
    )


def _surface_axes(ax, title: str, bounds=VIEW) -> None:
    ax.set_xlim(*bounds[0])
    ax.set_ylim(*bounds[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


def critical_points_figure(names=tuple(SURFACES)) -> plots.Plot:
    """Contours of each named surface with its critical points marked by kind (lecture 07)."""
    names = list(names)
    cols = min(len(names), 3)
    rows = -(-len(names) // cols)
    fig, axes = plots.new_figure(rows, cols, size=(3.6 * cols, 3.5 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        _contours(ax, surface(name))
        _critical_markers(ax, critical_points(name))
        _surface_axes(ax, name)
    for ax in axes.ravel()[len(names) :]:
        ax.set_axis_off()
    handles = [Line2D([], [], ls="none", mec="w", label=k, **KIND_STYLE[k]) for k in KINDS]
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=9)
    plots.title_axes(fig, "the critical points, by kind")
    return plots.Plot(fig, axes)


def quadratic_models_figure(objectives, titles) -> plots.Plot:
    """Contours of a few 2-D functions side by side, each titled with its test (lecture 07)."""
    fig, axes = plots.new_figure(1, len(objectives), size=(3.2 * len(objectives), 3.4))
    for ax, f, title in zip(np.atleast_1d(axes), objectives, titles, strict=True):
        box = ((-2.0, 2.0), (-2.0, 2.0))
        _contours(ax, f, box, levels=15)
        _surface_axes(ax, title, box)
        ax.plot(0.0, 0.0, "o", color="k", ms=5)
    plots.title_axes(fig, "the quadratic model")
    return plots.Plot(fig, axes)


def taylor_figure(objective, x, direction, steps, span: float = 1.5) -> plots.Plot:
    """Left: f along a line, |t| ≤ ``span``, and its two Taylor models; right: the models'
    errors at ``steps``, log-log, with dashed guides of slope 2 (m₁) and 3 (m₂)."""
    fig, (left, right) = plots.new_figure(1, 2)
    t = np.linspace(-span, span, 201)
    models = taylor_models(objective, x, direction, t)
    left.plot(t, models["f"], color="k", lw=2.5, label="f(x + tv)")
    left.plot(t, models["first"], "--", color="C0", label="first-order model")
    left.plot(t, models["second"], "-", color="C3", label="second-order model")
    left.axvline(0.0, color="0.8", lw=0.8)
    left.set_xlabel("t")
    left.legend(fontsize=8)
    far = taylor_models(objective, x, direction, steps)
    errors = [(steps, np.abs(far["f"] - far[k])) for k in ("first", "second")]
    plots.error_versus_step(
        errors, ["|f − m₁|", "|f − m₂|"], reference_orders=(2, 3), show_best=False, ax=right
    )
    right.set_xlabel("step t along v")
    plots.title_axes(fig, "f along a line and its two Taylor models", "the errors of the models")
    return plots.Plot(fig, (left, right))


def paths_figure(
    objective, runs, labels, *, bounds=VIEW, table=None, path_steps=None
) -> plots.Plot:
    """Paths of several runs on the contours (the first ``path_steps`` steps, if given), with
    the critical points of ``table`` marked."""
    stop = None if path_steps is None else positive_int(path_steps, "path_steps") + 1
    drawn = [drawable_path(r.iterates[:stop]) for r in runs]
    plot = plots.contour_plot(objective, drawn, labels, bounds=bounds)
    if table is not None:
        _critical_markers(plot.ax, table, labels=False)
    return plot


def error_figure(measured: dict, predicted: dict, *, ylabel="error ‖x_t − x*‖") -> plots.Plot:
    """Measured errors (dots) with their predictions (lines), log y, one colour per run."""
    fig, ax = plots.new_figure()
    for k, (label, errors) in enumerate(measured.items()):
        t = np.arange(len(errors))
        ax.plot(t, plots._log_visible(errors), "o", color=f"C{k}", ms=5, label=label)
        if label in predicted:
            guess = np.asarray(predicted[label], float)
            ax.plot(np.arange(len(guess)), plots._log_visible(guess), "-", color=f"C{k}", lw=1)
    ax.plot([], [], "-", color="0.3", lw=1, label="prediction")
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the measured errors and their predictions")
    return plots.Plot(fig, ax)


BASIN_COLORS = {"minimum": "#9ecae1", "saddle": "#fc9272", "maximum": "#fdd0a2"}


def basins_figure(objective, axis_points, kinds: dict, table: CriticalPoints) -> plots.Plot:
    """Where each start of a grid ends, by kind, for several methods (lecture 07).

    ``kinds`` maps a method's name to an array (n, n) of :func:`end_kinds` over the grid
    ``axis_points`` × ``axis_points``; white: a run that did not converge to a critical point.
    """
    fig, axes = plots.new_figure(1, len(kinds), size=(4.4 * len(kinds), 5.0))
    names = list(BASIN_COLORS)
    cmap = ListedColormap([*BASIN_COLORS.values(), "white"])
    lo, hi = float(axis_points[0]), float(axis_points[-1])
    for ax, (method, grid) in zip(np.atleast_1d(axes), kinds.items(), strict=True):
        codes = np.select([grid == k for k in names], range(len(names)), len(names))
        ax.imshow(codes, origin="lower", extent=(lo, hi, lo, hi), cmap=cmap, vmin=0, vmax=3)
        _contours(ax, objective, ((lo, hi), (lo, hi)))
        _critical_markers(ax, table, labels=False)
        share = {k: np.mean(grid == k) for k in names}
        _surface_axes(ax, f"{method}\n" + ", ".join(f"{v:.0%} {k}" for k, v in share.items()))
    patches = [Patch(color=c, label=f"ends at a {k}") for k, c in BASIN_COLORS.items()]
    fig.legend(handles=patches, loc="outside lower center", ncols=3, fontsize=9)
    plots.title_axes(fig, "where each start ends")
    return plots.Plot(fig, axes)


# --------------------------------------------------------------------------- the explorer panel


def _arrow(ax, color, lw=2.0):
    arrow = FancyArrowPatch(
        (0, 0), (0, 0), arrowstyle="-|>", mutation_scale=14, color=color, lw=lw, zorder=6
    )
    ax.add_patch(arrow)
    return arrow


def _legend_handles() -> list:
    line = {"ls": "-", "lw": 2}
    return [
        Line2D([], [], color="C0", label="eigen-axis, λ > 0", **line),
        Line2D([], [], color="C3", ls="--", lw=2, label="eigen-axis, λ < 0"),
        Line2D([], [], color="0.25", marker=">", label="∇f (direction)", **line),
        Line2D([], [], color="C1", marker=">", label="GD step −η∇f", **line),
        Line2D([], [], color="C4", marker=">", label="Newton step −αH⁻¹∇f", **line),
        Line2D([], [], color="C1", lw=1, marker=".", label="GD path"),
        Line2D([], [], color="C4", lw=1, marker=".", label="Newton path"),
        Line2D([], [], ls="none", marker="o", mfc="none", mec="k", ms=12, label="nearest critical"),
        *[Line2D([], [], ls="none", mec="w", label=k, **KIND_STYLE[k]) for k in KINDS],
    ]


def draw_explorer():
    """Figure of the surface explorer: one axes, the moving artists, a legend outside.

    Returns the figure and a dict of artists; the contours and critical-point markers of a
    surface are added by :func:`show_surface` the first time it is shown.
    """
    fig, ax = plots.new_figure(size=(7.0, 7.4))
    _surface_axes(ax, "")
    art = {"ax": ax, "backgrounds": {}, "shown": None}
    art["gd_path"] = ax.plot([], [], ".-", color="C1", lw=1, ms=3, zorder=3)[0]
    art["newton_path"] = ax.plot([], [], ".-", color="C4", lw=1, ms=4, zorder=3)[0]
    art["axes"] = [ax.plot([], [], lw=2.5, zorder=4)[0] for _ in range(2)]
    art["gradient"] = _arrow(ax, "0.25", lw=1.5)
    art["gd_step"] = _arrow(ax, "C1")
    art["newton_step"] = _arrow(ax, "C4")
    art["nearest"] = ax.plot([], [], "o", mfc="none", mec="k", ms=18, mew=1.5, zorder=5)[0]
    art["point"] = ax.plot([], [], "o", color="k", ms=6, zorder=7)[0]
    fig.legend(handles=_legend_handles(), loc="outside lower center", ncols=4, fontsize=8)
    plots.title_axes(fig, "the surface explorer")
    return fig, art


def moving_artists(art: dict) -> list:
    """The artists a move of the point changes (drawn over the cached background)."""
    keys = ("gd_path", "newton_path", "axes", "gradient", "gd_step", "newton_step")
    return [*(art[k] for k in keys), art["nearest"], art["point"]]


def show_surface(art: dict, name: str) -> None:
    """Show the contours and critical points of ``name``, hide the others' (traced once)."""
    if art["shown"] == name:
        return
    ax = art["ax"]
    if name not in art["backgrounds"]:
        contours = _contours(ax, surface(name), alpha=0.55)
        art["backgrounds"][name] = [contours, *_critical_markers(ax, critical_points(name))]
    for key, artists in art["backgrounds"].items():
        for artist in artists:
            artist.set_visible(key == name)
    ax.set_title(f"{name}:  f = {FORMULAS[name]}")
    art["shown"] = name


def _set_arrow(arrow, start, step) -> None:
    """Arrow from ``start`` along ``step``; hidden when the step is zero or undefined."""
    end = start + step
    visible = bool(np.all(np.isfinite(end)) and np.linalg.norm(step) > 0)
    arrow.set_visible(visible)
    if visible:
        arrow.set_positions(tuple(start), tuple(end))


def eigen_axis_lengths(eigenvalues, longest: float = CROSS) -> np.ndarray:
    """Half-lengths of the drawn eigen-axes: ∝ |λᵢ|, the longer one ``longest`` (lecture 07).

    A weak but non-zero curvature is drawn at least :data:`SHORTEST` × ``longest`` long so
    it stays visible (the readout gives the true ratio, κ); an eigenvalue that
    ``classify_critical_point`` counts as zero (|λ| ≤ 1e-8 max(1, max|λ|)) gets length 0.

    Examples
    --------
    >>> eigen_axis_lengths([-2.0, 8.0], longest=1.0).tolist()
    [0.25, 1.0]
    >>> eigen_axis_lengths([0.0, 1e-3], longest=1.0).tolist()
    [0.0, 1.0]
    """
    lam = np.abs(as_float_array(eigenvalues, "eigenvalues", ndim_min=1))
    top = lam.max(axis=-1, keepdims=True)
    zero = lam <= 1e-8 * np.maximum(1.0, top)
    share = lam / np.where(top > 0, top, 1.0)
    return np.where(zero, 0.0, longest * np.maximum(share, SHORTEST))


def _set_eigen_axes(lines, point, lam, Q) -> None:
    """Segments point ± (half-length) qᵢ: blue solid for λᵢ > 0, red dashed for λᵢ < 0."""
    for line, value, half, q in zip(lines, lam, eigen_axis_lengths(lam), Q.T, strict=True):
        line.set_data(*np.stack([point - half * q, point + half * q]).T)
        line.set_visible(half > 0)
        line.set_color("C0" if value > 0 else "C3")
        line.set_linestyle("-" if value > 0 else "--")


def _steps(n: int) -> str:
    return f"{n} step" if n == 1 else f"{n} steps"


def _where(kind, run, table: CriticalPoints) -> str:
    """'→ saddle point (3.385, 0.074) after 5 steps', or what became of the run."""
    steps = int(run.stopped_at)
    if kind in KINDS:
        x, y = table.points[table.match(run.final)]
        return f"→ {kind} point ({x:.3f}, {y:.3f}) after {_steps(steps)}"
    if kind != "max_iter":
        return f"→ {kind} at step {steps}"
    end = run.final
    if not np.all(np.abs(end) <= DRAW_LIMIT):
        return "→ left the picture (f unbounded below)"
    near = int(table.nearest(end))
    gap = float(np.linalg.norm(end - table.points[near]))
    if gap < 0.1:
        x, y = table.points[near]
        return (
            f"heading for the {table.kinds[near]} point ({x:.3f}, {y:.3f}): "
            f"{gap:.1e} away after {_steps(steps)}"
        )
    return f"still moving after {_steps(steps)}"


MODEL_SHAPES = {
    "minimum": "a bowl",
    "maximum": "a cap",
    "saddle": "a saddle",
    "inconclusive": "flat along an eigen-axis",
}


def explore_point(objective, table: CriticalPoints, point, learning_rate, damping) -> dict:
    """Everything the explorer shows at one point (lecture 07), computed by the library.

    Returns
    -------
    dict
        ``gradient``, ``hessian``, ``eigenvalues``, ``eigenvectors`` (columns), ``shape`` (the
        test applied to H: the shape of the local model), ``condition_number``,
        ``finite_difference_gap`` (max |H_fd − H|), the runs ``gd`` and ``newton`` from the
        point and their first steps ``gd_step``, ``newton_step``, where they ended
        (``gd_end``, ``newton_end``, see :func:`end_kinds`) and the index ``nearest`` of the
        nearest critical point in ``table``.
    """
    p = as_points(point, "point", objective.dim)
    H = objective.hessian(p)
    lam, Q = curvature.hessian_eigen(H)
    gd = gradient_descent(objective, p, learning_rate, max_iter=GD_STEPS)
    nt = newton(objective, p, damping=damping, max_iter=NEWTON_STEPS)
    return {
        "gradient": objective.gradient(p),
        "hessian": H,
        "eigenvalues": lam,
        "eigenvectors": Q,
        "shape": curvature.classify_critical_point(H),
        "condition_number": float(curvature.condition_number(H)),
        "finite_difference_gap": float(np.max(np.abs(derivatives.hessian(objective.value, p) - H))),
        "gd": gd,
        "newton": nt,
        "gd_step": gd.iterates[min(1, int(gd.stopped_at))] - p,
        "newton_step": nt.iterates[min(1, int(nt.stopped_at))] - p,
        "gd_end": str(end_kinds(gd, table)),
        "newton_end": str(end_kinds(nt, table)),
        "nearest": int(table.nearest(p)),
    }


def _draw_point(art: dict, p, state: dict, table: CriticalPoints) -> None:
    """Move the explorer's artists to the point ``p`` and what :func:`explore_point` found."""
    art["gd_path"].set_data(*drawable_path(state["gd"].iterates).T)
    art["newton_path"].set_data(*drawable_path(state["newton"].iterates).T)
    _set_eigen_axes(art["axes"], p, state["eigenvalues"], state["eigenvectors"])
    g = state["gradient"]
    norm = np.linalg.norm(g)
    _set_arrow(art["gradient"], p, ARROW * g / norm if norm > 0 else g)
    _set_arrow(art["gd_step"], p, state["gd_step"])
    _set_arrow(art["newton_step"], p, state["newton_step"])
    art["nearest"].set_data(*table.points[state["nearest"], :, None])
    art["point"].set_data(p[:1], p[1:])


def _pair(values) -> str:
    return f"({values[0] + 0.0:.3g}, {values[1] + 0.0:.3g})"  # + 0.0: no "-0"


def explorer_readout(name: str, p, state: dict, table: CriticalPoints, damping: float) -> str:
    """The explorer's five lines of numbers (lecture 07)."""
    f, near = surface(name), state["nearest"]
    cx, cy = table.points[near]
    gd, nt = state["gd"], state["newton"]
    # a Newton step that cannot be taken (singular Hessian) ends the run at step 0 as
    # diverged, keeping the start point (trajectory.iterate never records a non-finite step)
    no_step = str(nt.status) == "diverged" and int(nt.stopped_at) == 0
    if no_step or not np.all(np.isfinite(state["newton_step"])):
        newton_text = "Hessian singular: no Newton step"
    else:
        newton_text = (
            f"step {np.linalg.norm(state['newton_step']):.3g} "
            f"{_where(state['newton_end'], nt, table)}"
        )
    return "\n".join(
        [
            f"{name} at ({p[0]:.2f}, {p[1]:.2f}):  f = {float(f.value(p)):.4g},  "
            f"|∇f| = {np.linalg.norm(state['gradient']):.3g}",
            f"Hessian λ = {_pair(state['eigenvalues'])}: the model is "
            f"{MODEL_SHAPES[state['shape']]}, κ = {state['condition_number']:.3g};  "
            f"finite-difference Hessian within {state['finite_difference_gap']:.1e}",
            f"nearest critical point ({cx:.3f}, {cy:.3f}): {table.kinds[near]}, "
            f"λ = {_pair(table.eigenvalues[near])}",
            f"GD (η = {LEARNING_RATES[name]:g}): step {np.linalg.norm(state['gd_step']):.3g} "
            f"{_where(state['gd_end'], gd, table)}",
            f"Newton (α = {damping:.2f}): {newton_text}",
        ]
    )


def update_explorer(art: dict, function: str, x: float, y: float, damping: float) -> dict:
    """One move of the explorer: show the surface, compute at (x, y), move the artists.

    Returns the dict of :func:`explore_point` with the ``readout`` added.
    """
    show_surface(art, function)
    table = critical_points(function)
    p = np.array([x, y], dtype=float)
    state = explore_point(surface(function), table, p, LEARNING_RATES[function], damping)
    _draw_point(art, p, state, table)
    state["readout"] = explorer_readout(function, p, state, table, damping)
    return state


def explorer_panel(
    function: str = "Himmelblau", x: float = 3.0, y: float = 0.5, damping: float = 1.0
):
    """Controls: the function, the point (x, y) and Newton's damping α (lecture 07).

    On the contours of the chosen surface (its critical points marked by kind): the point,
    the direction of ∇f, the Hessian's eigen-axes (length ∝ |λ|, blue λ > 0, red dashed
    λ < 0), the GD step −η∇f and the Newton step −αH⁻¹∇f as arrows from the point, the
    paths both methods take from there, and a ring on the nearest critical point. The
    readout gives the numbers and where each method ends.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the artists (for tests); ``panel.state`` is the dict
        :func:`update_explorer` returned.

    Examples
    --------
    >>> panel = explorer_panel()
    >>> panel.set(x=3.0, y=0.5)["newton_end"], panel.state["gd_end"]
    ('saddle', 'minimum')
    """
    fig, art = draw_explorer()

    def update(function, x, y, damping):
        return update_explorer(art, function, x, y, damping)

    controls = {
        "function": widgets.choice(list(SURFACES), function, buttons=True, description="function"),
        "x": widgets.slider(*VIEW[0], x, step=0.05, description="x₁"),
        "y": widgets.slider(*VIEW[1], y, step=0.05, description="x₂"),
        "damping": widgets.slider(0.05, 2.0, damping, step=0.05, description="damping α"),
    }
    return widgets.Panel(fig, update, controls, moving_artists(art), artists=art)


PANELS = {"surface explorer": explorer_panel}
