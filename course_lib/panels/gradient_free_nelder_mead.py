"""Figures and slider panels of lecture 11, gradient-free minimisation with Nelder–Mead.

Everything drawn here is computed by :mod:`course_lib.gradient_free` (the moves and
:func:`~course_lib.gradient_free.nelder_mead`, whose result stores the simplex after every
iteration and the running count of function evaluations) and by
:func:`~course_lib.descent.gradient_descent` for the comparison with a gradient method.

The dimension sweep (evaluations to reach f − f* ≤ 10⁻⁸ on a d-dimensional quadratic, for
d = 2 .. 12) is computed once per process by :func:`dimension_sweep` and cached: the lecture's
figure and the dimension panel draw the same runs, and a slider move only picks one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import ipywidgets
import numpy as np

from course_lib import derivatives, plots, widgets
from course_lib._checks import as_points, mark_rowwise, one_of, positive, positive_int
from course_lib.descent import gradient_descent
from course_lib.gradient_free import (
    MOVES,
    NelderMeadResult,
    centroid,
    coefficients,
    contract_inside,
    contract_outside,
    expand,
    nelder_mead,
    reflect,
    shrink,
)
from course_lib.objectives import himmelblau, quadratic, rosenbrock
from course_lib.trajectory import Trajectory

XATOL = 1e-8  # the simplex is within 1e-8 of its best vertex ...
FATOL = 1e-10  # ... and its values within 1e-10 of the best value: converged
TOL = 1e-8  # "to tolerance": the first time f(best vertex) − f* ≤ 1e-8
DIMS = tuple(range(2, 13))
EIGENVALUES = (1.0, 10.0)  # the sweep's quadratic: eigenvalues spread evenly over [1, 10]
GD_STEP = 0.1  # η = 1/λmax, the textbook "1/L" step
GD_MAX_ITER = 300
SWEEP_BUDGET = 10**5
SWEEP_FATOL = 1e-12  # the sweep's runs stop well after f − f* ≤ TOL, so the count is read off
SCRUB_ITERATIONS = 200
SCRUB_EVALUATIONS = 400
GALLERY_START = (-4.0, 0.5)  # a Rosenbrock run that takes all five moves
MOVE_COLORS = {
    "reflect": "C0",
    "expand": "C2",
    "contract_outside": "C1",
    "contract_inside": "C4",
    "shrink": "C3",
}
FUNCTIONS = {
    "rosenbrock": {"make": rosenbrock, "start": (-1.2, 1.0), "bounds": ((-2.0, 2.0), (-1.0, 3.0))},
    "himmelblau": {"make": himmelblau, "start": (-1.0, 0.5), "bounds": ((-5.0, 5.0), (-5.0, 5.0))},
}


# --------------------------------------------------------------------------- measuring


def evaluations_to_tolerance(result: NelderMeadResult, minimum: float = 0.0, tol: float = TOL):
    """Function evaluations spent when the best vertex first has f − f* ≤ tol (lecture 11).

    Read off the stored run: the first iteration k with ``values[k, 0] − f* ≤ tol`` and
    ``n_evaluations[k]`` there. Returns −1 if the run never got that close.

    Examples
    --------
    >>> res = nelder_mead(quadratic([1.0, 2.0]), [1.0, 1.0], xatol=1e-8, fatol=1e-12)
    >>> n = evaluations_to_tolerance(res, 0.0, 1e-6)
    >>> bool(res.values[np.searchsorted(res.n_evaluations, n), 0] <= 1e-6)
    True
    """
    tol = float(positive(tol, "tol"))
    reached = np.flatnonzero(result.values[:, 0] - float(minimum) <= tol)
    return int(result.n_evaluations[reached[0]]) if reached.size else -1


def gradients_to_tolerance(trajectory: Trajectory, minimum: float = 0.0, tol: float = TOL):
    """Gradient evaluations t of a single run when f(x_t) − f* first drops to ≤ tol, or −1.

    Gradient descent evaluates ∇f once per step, at x₀, ..., x_{t−1}, to reach x_t.

    Examples
    --------
    >>> run = gradient_descent(quadratic([1.0]), [1.0], 0.5, max_iter=50, tol=0.0)
    >>> gradients_to_tolerance(run, 0.0, 0.5 * 0.25**2)  # ½ (½)^(2t) ≤ ½ · ¼²: t = 2
    2
    """
    tol = float(positive(tol, "tol"))
    reached = np.flatnonzero(np.asarray(trajectory.losses) - float(minimum) <= tol)
    return int(reached[0]) if reached.size else -1


def gradient_cost(dim: int, scheme: str = "centered") -> int:
    """Evaluations of f that ONE finite-difference gradient in ℝᵈ makes, counted (lecture 11).

    Calls :func:`course_lib.derivatives.gradient` on a function that counts the points it
    is asked for: 2d for centered differences, d + 1 for forward ones (x itself once).

    Examples
    --------
    >>> gradient_cost(5, "centered"), gradient_cost(5, "forward")
    (10, 6)
    """
    d = positive_int(dim, "dim")
    scheme = one_of(scheme, "scheme", ("centered", "forward", "backward"))
    count = [0]

    def counted(x):
        points = np.asarray(x, float)
        count[0] += points.reshape(-1, d).shape[0]
        return np.sum(points**2, axis=-1)

    # vectorised by construction: marked so, the count holds no check calls (_checks.batch_values)
    derivatives.gradient(mark_rowwise(counted), np.ones(d), scheme=scheme)
    return count[0]


def predicted_gradients(dims, tol: float = TOL, learning_rate: float = GD_STEP) -> np.ndarray:
    """Gradients GD needs on :func:`sweep_quadratic` from x₀ = 1, from the closed form (lecture 04).

    Each coordinate shrinks by its own factor, so f(x_t) = ½ Σᵢ λᵢ (1 − ηλᵢ)^(2t); the count is
    the first t with f(x_t) ≤ tol. It depends on the condition number, hardly on d.

    Examples
    --------
    >>> predicted_gradients([2, 12]).tolist()
    [85, 85]
    """
    tol = float(positive(tol, "tol"))
    eta = float(positive(learning_rate, "learning_rate"))
    counts = []
    for d in np.atleast_1d(dims):
        lam = sweep_quadratic(int(d)).eigenvalues
        factor = np.abs(1.0 - eta * lam)
        if np.max(factor) >= 1.0:
            raise ValueError(f"learning_rate must be below 2/λmax = {2 / lam.max():g}, got {eta}")
        rho = float(np.max(factor))  # f(x_t) ≤ ½ Σλ ρ^(2t): by t_max the bound is below tol
        bound = np.log(2.0 * tol / lam.sum()) / (2.0 * np.log(rho)) if rho > 0 else 1.0
        t = np.arange(int(np.ceil(max(bound, 0.0))) + 1)[:, None]
        f = 0.5 * np.sum(lam * factor ** (2 * t), axis=1)
        counts.append(int(np.argmax(f <= tol)))
    return np.array(counts)


def power_law_fit(dims, counts) -> tuple[float, float]:
    """(c, p) of the least-squares line log n = log c + p log d: n ≈ c dᵖ (lecture 11).

    Examples
    --------
    >>> d = np.array([2.0, 4.0, 8.0])
    >>> c, p = power_law_fit(d, 3 * d**2)
    >>> round(c, 10), round(p, 10)
    (3.0, 2.0)
    """
    d = positive(dims, "dims")
    n = positive(counts, "counts")
    if d.ndim != 1 or d.shape != n.shape or d.size < 2:
        raise ValueError(
            f"dims and counts must be 1-D of equal length >= 2, got {d.shape}, {n.shape}"
        )
    p, log_c = np.polyfit(np.log(d), np.log(n), 1)
    return float(np.exp(log_c)), float(p)


def replay_iteration(objective, result: NelderMeadResult, k: int, adaptive: bool = False):
    """The simplex after iteration k, rebuilt from simplex k and the move the run recorded.

    The worst vertex x_d of simplex k is replaced by the recorded move's point (a shrink
    moves every vertex but x₀), the vertices are sorted by f, best first: the same
    arithmetic as :func:`course_lib.gradient_free.nelder_mead`, so the result equals
    ``result.simplices[k + 1]`` exactly if the run did what its move says.
    """
    k = positive_int(k, "k", allow_zero=True)
    if k >= result.n_iterations:
        raise ValueError(
            f"k must be below the {result.n_iterations} iterations of the run, got {k}"
        )
    before, values = result.simplices[k], result.values[k]
    d = before.shape[1]
    rho, chi, gamma, sigma = coefficients(d, adaptive)
    move = str(result.moves[k])
    after, f_after = before.copy(), values.copy()
    if move == "shrink":
        after = shrink(before, 0, sigma)
        f_after[1:] = objective.value(after[1:])
    else:
        point = {
            "reflect": lambda: reflect(before, d, rho),
            "expand": lambda: expand(before, d, rho, chi),
            "contract_outside": lambda: contract_outside(before, d, rho, gamma),
            "contract_inside": lambda: contract_inside(before, d, gamma),
        }[move]()
        after[d], f_after[d] = point, float(objective.value(point))
    return after[np.argsort(f_after, kind="stable")]


# --------------------------------------------------------------------------- the sweep


def sweep_quadratic(dim: int):
    """The sweep's objective: ½ Σ λ_i x_i² with λ spread evenly over [1, 10] (κ = 10 for all d)."""
    return quadratic(np.linspace(*EIGENVALUES, positive_int(dim, "dim")))


@dataclass(frozen=True)
class DimensionSweep:
    """Nelder–Mead and gradient descent on :func:`sweep_quadratic` for every d in ``dims``.

    Attributes
    ----------
    dims : ndarray of int
    nelder_mead, adaptive : list of NelderMeadResult
        Runs from x₀ = (1, ..., 1) with the standard and with Gao–Han's coefficients.
    descent : list of Trajectory
        Gradient descent with η = 1/λmax from the same start.
    evaluations, adaptive_evaluations : ndarray of int
        Function evaluations of each Nelder–Mead run to f − f* ≤ tol.
    gradients : ndarray of int
        Gradient evaluations of each descent run to the same tolerance.
    forward_cost, centered_cost : ndarray of int
        f-evaluations of one finite-difference gradient in each dimension, counted.
    """

    dims: np.ndarray
    nelder_mead: list
    adaptive: list
    descent: list
    evaluations: np.ndarray
    adaptive_evaluations: np.ndarray
    gradients: np.ndarray
    forward_cost: np.ndarray
    centered_cost: np.ndarray
    tol: float = TOL
    fit: tuple = field(default=(np.nan, np.nan))

    def index(self, dim: int) -> int:
        """Position of ``dim`` in :attr:`dims` (ValueError if it was not swept)."""
        hits = np.flatnonzero(self.dims == dim)
        if not hits.size:
            raise ValueError(
                f"dim must be one of the swept dimensions {self.dims.tolist()}, got {dim}"
            )
        return int(hits[0])


@lru_cache(maxsize=4)
def _sweep(dims: tuple, tol: float) -> DimensionSweep:
    # One run per dimension: d changes the shape of x, so dimensions cannot share a batch axis.
    runs = {"nelder_mead": [], "adaptive": [], "descent": []}
    for d in dims:
        f, x0 = sweep_quadratic(d), np.ones(d)
        budget = {"max_iter": SWEEP_BUDGET, "max_evaluations": SWEEP_BUDGET}
        runs["nelder_mead"].append(nelder_mead(f, x0, xatol=XATOL, fatol=SWEEP_FATOL, **budget))
        runs["adaptive"].append(
            nelder_mead(f, x0, xatol=XATOL, fatol=SWEEP_FATOL, adaptive=True, **budget)
        )
        runs["descent"].append(gradient_descent(f, x0, GD_STEP, max_iter=GD_MAX_ITER, tol=0.0))
    evaluations = np.array([evaluations_to_tolerance(r, 0.0, tol) for r in runs["nelder_mead"]])
    return DimensionSweep(
        dims=np.array(dims),
        evaluations=evaluations,
        adaptive_evaluations=np.array(
            [evaluations_to_tolerance(r, 0.0, tol) for r in runs["adaptive"]]
        ),
        gradients=np.array([gradients_to_tolerance(r, 0.0, tol) for r in runs["descent"]]),
        forward_cost=np.array([gradient_cost(d, "forward") for d in dims]),
        centered_cost=np.array([gradient_cost(d, "centered") for d in dims]),
        tol=tol,
        fit=power_law_fit(dims, evaluations),
        **runs,
    )


def dimension_sweep(dims=DIMS, tol: float = TOL) -> DimensionSweep:
    """Evaluations to f − f* ≤ tol versus dimension, measured once and cached (lecture 11).

    For each d: Nelder–Mead (standard and adaptive coefficients) and gradient descent
    (η = 1/λmax = 0.1) on ½ Σ λ_i x_i², λ evenly spread over [1, 10], from x₀ = (1, ..., 1).
    About a second for d = 2 .. 12; a second call with the same arguments is free.

    Examples
    --------
    >>> sweep = dimension_sweep((2, 3))
    >>> sweep.evaluations.tolist() == dimension_sweep((2, 3)).evaluations.tolist()
    True
    """
    dims = tuple(int(positive_int(d, "dims")) for d in np.atleast_1d(dims))
    if len(dims) < 2 or min(dims) < 2:
        raise ValueError(f"dims must hold at least two dimensions >= 2, got {dims}")
    return _sweep(dims, float(positive(tol, "tol")))


# --------------------------------------------------------------------------- figures


def _closed(simplex) -> np.ndarray:
    """The vertices of a 2-D simplex with the first repeated: a closed polygon for a line."""
    simplex = np.asarray(simplex, float)
    return np.vstack([simplex, simplex[:1]])


@dataclass
class MovesPlot(plots.Plot):
    """The one-step picture; ``points`` holds every point it draws, by name."""

    points: dict = field(default_factory=dict)


def step_points(simplex) -> dict:
    """Every point of one Nelder–Mead step from a simplex sorted best first (lecture 11).

    Keys: ``centroid``, ``worst``, the four trial points ``reflect``, ``expand``,
    ``contract_outside``, ``contract_inside`` (standard coefficients) and ``shrink`` (the
    whole shrunk simplex).
    """
    simplex = as_points(simplex, "simplex")
    if simplex.ndim != 2 or simplex.shape[0] != simplex.shape[1] + 1:
        raise ValueError(f"simplex must have shape (d + 1, d), got {simplex.shape}")
    w = simplex.shape[0] - 1
    return {
        "centroid": centroid(simplex, w),
        "worst": simplex[w],
        "reflect": reflect(simplex, w),
        "expand": expand(simplex, w),
        "contract_outside": contract_outside(simplex, w),
        "contract_inside": contract_inside(simplex, w),
        "shrink": shrink(simplex, 0),
    }


STEP_SIMPLEX = np.array([[2.0, 0.0], [2.3, 1.3], [0.0, 0.9]])  # best, middle, worst
STEP_LABELS = {
    "reflect": "reflect $x_r$\n(ρ = 1)",
    "expand": "expand $x_e$\n(ρχ = 2)",
    "contract_outside": "outside $x_{oc}$\n(ργ = ½)",
    "contract_inside": "inside $x_{ic}$\n(−γ = −½)",
}


def _draw_simplex(ax, simplex, names=("best $x_0$", "$x_1$", "worst $x_2$")) -> None:
    ax.fill(*simplex.T, color="0.88", zorder=0)
    ax.plot(*_closed(simplex).T, "k-", lw=1.5)
    for (x, y), name in zip(simplex, names, strict=True):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(4, 6), fontsize=9)


def moves_figure(simplex=STEP_SIMPLEX) -> MovesPlot:
    """One step, drawn: the four trial points on the line from x_worst through x̄ (left) and
    the shrink towards the best vertex (right). ``simplex`` is 2-D, sorted best first."""
    simplex = as_points(simplex, "simplex")
    if simplex.shape != (3, 2):
        raise ValueError(f"simplex must be a 2-D triangle of shape (3, 2), got {simplex.shape}")
    pts = step_points(simplex)
    fig, (left, right) = plots.new_figure(1, 2, size=(10.0, 3.6), width_ratios=(2.3, 1.0))
    _draw_simplex(left, simplex)
    left.plot(*np.array([pts["worst"], pts["expand"]]).T, ":", color="0.4", lw=1)
    left.plot(*pts["centroid"], "kx", ms=9)
    left.annotate(
        r"centroid $\bar x$",
        pts["centroid"],
        textcoords="offset points",
        xytext=(2, 10),
        fontsize=9,
    )
    for move, label in STEP_LABELS.items():
        left.plot(*pts[move], "o", color=MOVE_COLORS[move], ms=8)
        left.annotate(
            label,
            pts[move],
            textcoords="offset points",
            xytext=(-12, -34),
            fontsize=8,
            color=MOVE_COLORS[move],
        )
    left.set_title(r"trial points $\bar x + t\,(\bar x - x_2)$, t = 1, 2, ½, −½")
    _draw_simplex(right, simplex)
    right.fill(*pts["shrink"].T, color=MOVE_COLORS["shrink"], alpha=0.35, zorder=1)
    right.plot(*_closed(pts["shrink"]).T, "-", color=MOVE_COLORS["shrink"], lw=2)
    right.set_title(r"shrink: $x_i \leftarrow x_0 + \frac{1}{2}(x_i - x_0)$")
    for ax, box in ((left, np.vstack([simplex, pts["expand"]])), (right, simplex)):
        ax.set_xlim(box[:, 0].min() - 0.4, box[:, 0].max() + 0.6)
        ax.set_ylim(box[:, 1].min() - 0.7, box[:, 1].max() + 0.4)
        ax.set_aspect("equal")
    return MovesPlot(fig, left, pts)


@dataclass
class GalleryPlot(plots.Plot):
    """The five moves as a real run took them; ``iterations[move]`` is the iteration shown."""

    iterations: dict = field(default_factory=dict)


def first_iterations(result: NelderMeadResult) -> dict:
    """{move: the first iteration k at which the run took it}, for the moves it took."""
    return {
        m: int(np.flatnonzero(result.moves == m)[0]) for m in MOVES if np.any(result.moves == m)
    }


def gallery_figure(result: NelderMeadResult) -> GalleryPlot:
    """For each move, the first iteration that took it: simplex k (grey) and k + 1 (colour)."""
    if result.simplices.shape[-1] != 2:
        raise ValueError("result must be a 2-D run to draw its simplices")
    shown = first_iterations(result)
    fig, axes = plots.new_figure(1, len(shown), size=(2.6 * len(shown), 3.0))
    for ax, (move, k) in zip(np.atleast_1d(axes), shown.items(), strict=True):
        before, after = result.simplices[k], result.simplices[k + 1]
        ax.fill(*before.T, color="0.85")
        ax.plot(*_closed(before).T, "-", color="0.5", lw=1.2, label=f"simplex {k}")
        ax.plot(*before[-1], "o", color="0.3", ms=5)
        ax.plot(*_closed(after).T, "-", color=MOVE_COLORS[move], lw=2, label=f"simplex {k + 1}")
        ax.plot(*centroid(before, 2), "kx", ms=6)
        ax.set_title(f"k = {k}: {move.replace('_', ' ')}", fontsize=9)
        ax.set_aspect("equal", adjustable="datalim")
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6, loc="best")
    return GalleryPlot(fig, np.atleast_1d(axes)[0], shown)


def run_figure(objective, result: NelderMeadResult, *, every: int = 6, bounds=None) -> plots.Plot:
    """Left: the simplex every ``every`` iterations on the contours (start ○, end ×).
    Right: f(best vertex) − f* against the function evaluations spent (log scale)."""
    every = positive_int(every, "every")
    fig, (left, right) = plots.new_figure(1, 2)
    plots.contour_plot(objective, bounds=bounds, ax=left)
    for k in range(0, result.n_iterations + 1, every):
        simplex = result.simplices[k]
        left.fill(*simplex.T, color="C3", alpha=0.35, zorder=4)
        left.plot(*_closed(simplex).T, "-", color="C3", lw=1.0, zorder=4)
    left.plot(*result.simplices[0, 0], "o", mfc="none", color="k", ms=9, zorder=5)
    left.plot(*result.x, "X", color="k", ms=8, zorder=5)
    left.set_title(f"{objective.name}: the simplex every {every} iterations")
    fstar = float(objective.value(objective.minimizers[0]))
    gap = result.values[:, 0] - fstar
    right.semilogy(result.n_evaluations, np.where(gap > 0, gap, np.nan), ".-", color="C3")
    right.set_xlabel("function evaluations")
    right.set_ylabel("f(best vertex) − f*")
    right.set_title(f"{result.total_evaluations} evaluations, {result.status}")
    return plots.Plot(fig, left)


def starts_figure(objective, results, *, bounds=None) -> plots.Plot:
    """Best-vertex paths of several runs on the contours, each final simplex marked."""
    paths = [r.simplices[:, 0] for r in results]
    labels = [f"from ({p[0, 0]:g}, {p[0, 1]:g})" for p in paths]
    plot = plots.contour_plot(objective, paths, labels, bounds=bounds)
    return plot


def sweep_figure(sweep: DimensionSweep, *, ax=None) -> plots.Plot:
    """Evaluations to f − f* ≤ tol against d (log-log): measured Nelder–Mead counts with their
    power-law fit, and gradient descent's gradients costed at 1 (backprop), d + 1 and 2d."""
    fig, ax = plots._target(ax)
    d = sweep.dims
    c, p = sweep.fit
    ax.plot(d, sweep.evaluations, "o", color="C3", label="Nelder–Mead (measured)")
    ax.plot(
        d, c * d.astype(float) ** p, "-", color="C3", lw=1, label=f"fit {c:.3g}·$d^{{{p:.2f}}}$"
    )
    ax.plot(d, sweep.adaptive_evaluations, "s", color="C1", ms=4, label="Nelder–Mead, adaptive")
    g = sweep.gradients
    ax.plot(d, g * sweep.centered_cost, "^-", color="C0", ms=4, label="GD, centered FD (2d)")
    ax.plot(d, g * sweep.forward_cost, "v-", color="C5", ms=4, label="GD, forward FD (d + 1)")
    ax.plot(d, g, "D-", color="C2", ms=4, label="GD, backprop (≈ 1 each)")
    predicted = predicted_gradients(d, sweep.tol)
    ax.plot(d, predicted, "o", mfc="none", mec="k", ms=8, label="GD, predicted (lecture 04)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(d, [str(v) for v in d])
    ax.minorticks_off()
    ax.set_xlabel("dimension d")
    ax.set_ylabel(f"f-evaluations to f − f* ≤ {sweep.tol:g}")
    ax.legend(fontsize=7, loc="upper left")
    return plots.Plot(fig, ax)


# --------------------------------------------------------------------------- the simplex panel


ZOOM_RESOLUTION = 2.0**-30
"""The smallest zoom half-width, relative to the largest coordinate (about 1e-9, far below
the lecture's XATOL = 1e-8 simplices): a narrower simplex cannot be centred to better than
rounding (the centre is known to eps·|x| only), so it is drawn, smaller, in a box this wide."""


def zoom_frame(*simplices, margin: float = 1.15) -> tuple[np.ndarray, float]:
    """(c, s): the centre and half-width of a square that holds every vertex given (lecture 11).

    The zoom view of the simplex panel draws u = (x − c) / s on fixed axes [−1, 1]², so a
    simplex a thousand times smaller than the contour plot is drawn at full size, with its
    shape (one scale for both axes) intact:

        c = (low + high) / 2,   s = margin · max(r, floor),   r = max‖vertex − c‖∞,

    with r measured from the centre as rounded (so |u| ≤ 1/margin holds in floating point,
    even for a simplex a few ulps wide) and floor = max(tiny, 2⁻³⁰·max|x|): below the
    smallest normal number (``np.finfo(float).tiny``) floats are subnormal and lose their
    precision, and below 2⁻³⁰ of the coordinates the centre itself is rounding noise. A
    simplex narrower than the floor (a point, too) is drawn smaller than the box, not
    stretched out of rounding errors.

    Examples
    --------
    >>> c, s = zoom_frame(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0]]), margin=1.0)
    >>> c.tolist(), s
    ([1.0, 0.5], 1.0)
    """
    margin = float(positive(margin, "margin"))
    points = np.vstack([as_points(p, "simplices", 2).reshape(-1, 2) for p in simplices])
    low, high = points.min(axis=0), points.max(axis=0)
    center = (low + high) / 2.0
    reach = float(np.max(np.maximum(high - center, center - low)))
    floor = max(float(np.finfo(float).tiny), ZOOM_RESOLUTION * float(np.max(np.abs(points))))
    return center, margin * max(reach, floor)


def _zoom_axes(ax) -> dict:
    """The zoom view: simplex k − 1 (grey, dashed) and simplex k (colour) in the zoom frame."""
    (before,) = ax.plot([], [], "--", color="0.45", lw=1.2, label="simplex k − 1")
    (fill,) = ax.fill([], [], color="C3", alpha=0.3)
    (after,) = ax.plot([], [], "-", color="C3", lw=2, label="simplex k")
    (best,) = ax.plot([], [], "o", color="C2", ms=7, label="best")
    (worst,) = ax.plot([], [], "o", color="C3", ms=7, label="worst")
    scale = ax.text(0.02, 0.03, "", transform=ax.transAxes, fontsize=8)
    ax.set_xlim(-1.05, 1.05)
    ax.set_ylim(-1.05, 1.05)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("zoom on the move", fontsize=10)
    ax.legend(fontsize=7, loc="upper right")
    return {
        "before": before,
        "fill": fill,
        "after": after,
        "best": best,
        "worst": worst,
        "scale": scale,
    }


def draw_simplex(function: str = "rosenbrock"):
    """Figure of the simplex panel: contours with the run (left), a zoom that follows the
    simplex (middle), progress per evaluation (right).

    Returns the figure and a dict of the artists :func:`update_simplex` moves.
    """
    spec = FUNCTIONS[one_of(function, "function", tuple(FUNCTIONS))]
    objective = spec["make"]()
    fig, (left, mid, right) = plots.new_figure(1, 3, size=(11.5, 3.9), width_ratios=(1.0, 0.8, 1.0))
    view = plots.contour_plot(objective, [], bounds=spec["bounds"], max_paths=1, ax=left)
    view.paths[0].set_alpha(0.35)
    (triangle,) = left.plot([], [], "-", color="C3", lw=1.8, zorder=5)
    (here,) = left.plot([], [], "s", mfc="none", color="C3", ms=12, mew=1.5, zorder=6)
    move = left.text(0.02, 0.03, "", transform=left.transAxes, fontsize=9, zorder=7)
    zoom = _zoom_axes(mid)
    right.set_xlim(0, SCRUB_EVALUATIONS + 10)
    right.set_yscale("log")
    right.set_ylim(1e-18, 1e4)
    (progress,) = right.plot([], [], ".-", color="C3", ms=3, lw=1)
    (marker,) = right.plot([], [], "o", color="k", ms=7)
    right.axhline(TOL, color="0.5", ls=":", lw=1, label=f"f − f* = {TOL:g}")
    right.set_xlabel("function evaluations")
    right.set_ylabel("f(best vertex) − f*")
    right.legend(fontsize=7)
    artists = {"view": view, "triangle": triangle, "here": here, "move": move, "zoom": zoom}
    artists.update(progress=progress, marker=marker, objective=objective, start=None, run=None)
    right.set_title("progress of the best vertex")
    return fig, artists


def scrub_run(objective, x: float, y: float) -> NelderMeadResult:
    """The stored run the scrubber shows: Nelder–Mead from (x, y), 200 iterations at most."""
    return nelder_mead(
        objective,
        [x, y],
        xatol=XATOL,
        fatol=FATOL,
        max_iter=SCRUB_ITERATIONS,
        max_evaluations=SCRUB_EVALUATIONS,
    )


def update_simplex(artists: dict, x: float, y: float, iteration: int) -> str:
    """Rerun from (x, y) if the start moved; then draw the simplex at ``iteration``."""
    objective = artists["objective"]
    if artists["start"] != (x, y):  # a new start: a new run; a new k only moves the triangle
        run = scrub_run(objective, x, y)
        artists.update(start=(x, y), run=run)
        artists["view"].set_paths(run.simplices[:, 0])
        fstar = float(objective.value(objective.minimizers[0]))
        gap = run.values[:, 0] - fstar
        artists["gap"] = np.where(gap > 0, gap, np.nan)  # exactly 0 has no place on a log axis
        artists["progress"].set_data(run.n_evaluations, artists["gap"])
    run = artists["run"]
    k = min(int(iteration), run.n_iterations)
    simplex, previous = run.simplices[k], run.simplices[max(k - 1, 0)]
    artists["triangle"].set_data(*_closed(simplex).T)
    artists["here"].set_data([simplex[0, 0]], [simplex[0, 1]])
    artists["marker"].set_data([run.n_evaluations[k]], [artists["gap"][k]])
    center, half = zoom_frame(previous, simplex)
    u, u_before = (simplex - center) / half, (previous - center) / half
    zoom = artists["zoom"]
    zoom["before"].set_data(*_closed(u_before).T)
    zoom["after"].set_data(*_closed(u).T)
    zoom["fill"].set_xy(_closed(u))
    zoom["best"].set_data([u[0, 0]], [u[0, 1]])
    zoom["worst"].set_data([u[-1, 0]], [u[-1, 1]])
    zoom["scale"].set_text(f"box width {2 * half:.2g}")
    taken = "start" if k == 0 else str(run.moves[k - 1]).replace("_", " ")
    artists["move"].set_text(f"k = {k}: {taken}")
    artists["k"] = k
    capped = f" (the run stopped at {run.n_iterations})" if k < int(iteration) else ""
    return (
        f"iteration {k}{capped}: {taken}, {int(run.n_evaluations[k])} evaluations so far, "
        f"best f = {run.values[k, 0]:.4g} at ({simplex[0, 0]:.4f}, {simplex[0, 1]:.4f})"
        f"\nrun from ({x:g}, {y:g}): {run.status} after {run.n_iterations} iterations, "
        f"{run.total_evaluations} evaluations, x = ({run.x[0]:.6f}, {run.x[1]:.6f})"
    )


def simplex_panel(function: str = "rosenbrock", x=None, y=None, iteration: int = 10):
    """Sliders: start point (x, y) and iteration k, with a play button (lecture 11).

    Left, the simplex at iteration k of the stored Nelder–Mead run on the contours of
    ``function`` ("rosenbrock" or "himmelblau"), the path of the best vertex faint; middle,
    a zoom that follows the simplex (:func:`zoom_frame`): simplex k − 1 dashed, simplex k in
    colour, best vertex green, worst red; right, f(best vertex) − f* against the evaluations
    spent, with iteration k marked. Moving the start reruns :func:`scrub_run`; moving k only moves
    the triangle and the markers (the stored run is scrubbed, as in the EPFL OptML labs).

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists and the stored run (for tests).

    Examples
    --------
    >>> panel = simplex_panel()
    >>> panel.set(iteration=0).startswith("iteration 0: start")
    True
    """
    spec = FUNCTIONS[one_of(function, "function", tuple(FUNCTIONS))]
    (xlo, xhi), (ylo, yhi) = spec["bounds"]
    x = spec["start"][0] if x is None else x
    y = spec["start"][1] if y is None else y
    fig, artists = draw_simplex(function)

    def update(x, y, iteration):
        return update_simplex(artists, x, y, iteration)

    controls = {
        "x": widgets.slider(float(xlo), float(xhi), float(x), step=0.1, description="start x"),
        "y": widgets.slider(float(ylo), float(yhi), float(y), step=0.1, description="start y"),
        "iteration": widgets.slider(0, SCRUB_ITERATIONS, iteration, description="iteration k"),
    }
    moving = [artists["view"], *(artists[k] for k in ("triangle", "here", "move", "zoom"))]
    moving += [artists["progress"], artists["marker"]]
    panel = widgets.Panel(fig, update, controls, moving, artists=artists)
    player = ipywidgets.Play(min=0, max=SCRUB_ITERATIONS, interval=120, description="play")
    ipywidgets.jslink((player, "value"), (controls["iteration"], "value"))
    panel.widget.children = (
        ipywidgets.HBox([player, *panel.controls.values()]),
        *panel.widget.children[1:],
    )
    return panel


def himmelblau_panel(x=None, y=None, iteration: int = 10):
    """:func:`simplex_panel` on Himmelblau's function: which of its four minima is found."""
    return simplex_panel("himmelblau", x, y, iteration)


# --------------------------------------------------------------------------- the dimension panel


def _gd_curves(sweep: DimensionSweep, i: int) -> dict:
    """f − f* of the descent run in dimension dims[i] against the f-evaluations it costs."""
    run = sweep.descent[i]
    t = np.arange(len(run.losses))
    gap = np.asarray(run.losses)
    return {
        "backprop": (np.maximum(t, 1), gap),  # a gradient by backprop: about one f
        "forward": (t * sweep.forward_cost[i], gap),
        "centered": (t * sweep.centered_cost[i], gap),
    }


def draw_dimension(sweep: DimensionSweep):
    """Figure of the dimension panel: the sweep (left), the runs for one d (right)."""
    fig, (left, right) = plots.new_figure(1, 2)
    sweep_figure(sweep, ax=left)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlim(1, 2e4)
    right.set_ylim(1e-12, 1e2)
    (cursor,) = left.plot([], [], "o", mfc="none", mec="k", ms=12, mew=1.5)
    (vline,) = left.plot([], [], "-", color="0.3", lw=0.8)
    lines = {
        "nelder_mead": right.plot([], [], "-", color="C3", label="Nelder–Mead")[0],
        "adaptive": right.plot([], [], "-", color="C1", lw=1, label="NM adaptive")[0],
        "centered": right.plot([], [], "-", color="C0", label="GD, centered FD")[0],
        "forward": right.plot([], [], "-", color="C5", label="GD, forward FD")[0],
        "backprop": right.plot([], [], "-", color="C2", label="GD, backprop")[0],
    }
    right.axhline(sweep.tol, color="0.5", ls=":", lw=1)
    right.set_xlabel("function evaluations (or their cost)")
    right.set_ylabel("f − f*")
    right.legend(fontsize=7, loc="lower left")
    artists = {"cursor": cursor, "vline": vline, "lines": lines, "sweep": sweep}
    left.set_title("evaluations to the tolerance, by dimension")
    right.set_title("the stored runs at this d")
    return fig, artists


def update_dimension(artists: dict, dimension: int) -> str:
    """Mark ``dimension`` on the sweep and show its stored runs; returns the readout."""
    sweep = artists["sweep"]
    i = sweep.index(int(dimension))
    n = int(sweep.evaluations[i])
    artists["cursor"].set_data([dimension], [n])
    artists["vline"].set_data([dimension, dimension], [1, 1e5])
    lines = artists["lines"]
    for key in ("nelder_mead", "adaptive"):
        run = getattr(sweep, key)[i]
        gap = run.values[:, 0]
        lines[key].set_data(run.n_evaluations, np.where(gap > 0, gap, np.nan))
    for key, (cost, gap) in _gd_curves(sweep, i).items():
        lines[key].set_data(np.maximum(cost, 1), np.where(gap > 0, gap, np.nan))
    g = int(sweep.gradients[i])
    return (
        f"d = {dimension}: Nelder–Mead {n} evaluations to f − f* ≤ {sweep.tol:g} "
        f"(adaptive {int(sweep.adaptive_evaluations[i])}), {n / dimension:.0f} per dimension"
        f"\ngradient descent: {g} gradients = {g} f-evaluations by backprop (≈ 1 each), "
        f"{g * int(sweep.forward_cost[i])} by forward and {g * int(sweep.centered_cost[i])} "
        f"by centered differences"
    )


def dimension_panel(dimension: int = 4):
    """Slider: dimension d (lecture 11).

    Left, the cached sweep (:func:`dimension_sweep`): evaluations to f − f* ≤ 10⁻⁸ against d
    for Nelder–Mead (measured, with the power-law fit) and for gradient descent with its
    gradients costed at 1, d + 1 or 2d evaluations, the current d circled. Right, the stored
    runs for that d: f − f* against the evaluations spent. Nothing is recomputed on a move.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists and the sweep (for tests).

    Examples
    --------
    >>> panel = dimension_panel()
    >>> panel.set(dimension=8).startswith("d = 8")
    True
    """
    sweep = dimension_sweep()
    fig, artists = draw_dimension(sweep)

    def update(dimension):
        return update_dimension(artists, dimension)

    dims = sweep.dims
    controls = {
        "dimension": widgets.slider(int(dims[0]), int(dims[-1]), dimension, description="d")
    }
    moving = [artists["cursor"], artists["vline"], *artists["lines"].values()]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


PANELS = {
    "simplex (Rosenbrock)": simplex_panel,
    "simplex (Himmelblau)": himmelblau_panel,
    "dimension": dimension_panel,
}
