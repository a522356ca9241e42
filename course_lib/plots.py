"""The figures of the course, each returning the artists a slider panel moves.

Every builder draws on a ``matplotlib.figure.Figure`` with an Agg canvas (never pyplot: no
global state, no inline backend drawing the figure twice) and returns a small result object
holding ``fig``, ``ax`` and the artists it made, with a method that moves those artists in
place. :mod:`course_lib.widgets` builds the slider panels on them; a lecture can also show a
result directly (it renders itself as a PNG in a notebook).

=========================  ==========================================================  =======
builder                    what it shows                                               lecture
=========================  ==========================================================  =======
``contour_plot``           level sets of f with optimisation paths on top              03-07
``loss_curves``            f(x_t) (or f(x_t) − f*) against t on a log scale            03-06
``error_versus_step``      finite-difference error against h, log-log, with h^p guides 02
``gradient_cloud``         minibatch gradients scattered around the full gradient      05
``gradient_contributions`` per-example gradients, chained tip to tail (they cancel)    05
``stability_diagram``      the GD rate |1 − ηλ_i| against η, with the line η = 2/λmax  04
=========================  ==========================================================  =======

The level grid of an objective is computed once per (objective, bounds, resolution) and
cached, so a lecture that draws the same surface several times evaluates f once.

Colours: the course's colour cycle (``"C0"`` ... ``"C7"``) is the Okabe–Ito palette
(:data:`PALETTE`), which stays readable for colour-blind readers; importing this module
installs it (:func:`use_palette`). Every figure describes itself in words
(:func:`describe`): the alt text of its picture in the course site.
"""

from __future__ import annotations

import base64
import io
import re
import weakref
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from cycler import cycler
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from course_lib._checks import as_float_array, one_of, positive_int
from course_lib.trajectory import Trajectory

# --------------------------------------------------------------------------- style

STYLES = {
    "default": {"width": 6.4, "height": 4.4, "dpi": 100, "font": 10, "line": 1.5, "marker": 4},
    "presentation": {"width": 9.6, "height": 6.0, "dpi": 100, "font": 16, "line": 3, "marker": 8},
}
_STYLE = {"name": "default"}


def use_style(name: str = "default") -> None:
    """Switch the look of every figure built afterwards: ``"default"`` or ``"presentation"``.

    The presentation style (for a projector) has a larger figure, bigger fonts, thicker lines
    and bigger markers. Figures already built keep their look.

    Examples
    --------
    >>> use_style("presentation"); style()["font"]
    16
    >>> use_style("default")
    """
    _STYLE["name"] = one_of(name, "name", tuple(STYLES))


# --------------------------------------------------------------------------- palette

PALETTE_NAME = "Okabe–Ito"
PALETTE = (
    "#0072B2",  # C0 blue
    "#E69F00",  # C1 orange
    "#009E73",  # C2 bluish green
    "#D55E00",  # C3 vermillion (the course's "diverged" / "too big" colour)
    "#CC79A7",  # C4 reddish purple
    "#56B4E9",  # C5 sky blue
    "#F0E442",  # C6 yellow
    "#000000",  # C7 black
)
"""The colour cycle of every course figure: the Okabe–Ito palette (M. Okabe and K. Ito,
*Color Universal Design*, 2008), ordered like matplotlib's default cycle (C0 blue, C1 orange,
C2 green, C3 red-ish) so a colour keeps its role. Any two of its colours stay apart for
readers with deuteranopia (checked in ``tests/test_palette.py`` by simulating it with the
Machado, Oliveira and Fernandes 2009 matrix and measuring the CIELAB distance)."""


def use_palette() -> None:
    """Make :data:`PALETTE` matplotlib's colour cycle, so ``"C0"``... name its colours.

    Called when this module is imported; call it again after a ``matplotlib.rcdefaults()``.
    """
    matplotlib.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))


use_palette()


def style() -> dict:
    """The settings of the current style (figure size, dpi, font, line and marker sizes)."""
    return dict(STYLES[_STYLE["name"]])


def new_figure(nrows: int = 1, ncols: int = 1, *, size=None, **subplot_kw):
    """A figure with an Agg canvas and its axes, built without pyplot.

    Parameters
    ----------
    nrows, ncols : int
        The grid of axes.
    size : (width, height) in inches, optional
        Defaults to the current style's size, widened for several columns.
    **subplot_kw
        Passed to ``Figure.subplots`` (``sharex``, ``width_ratios``, ...).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or ndarray of Axes (squeezed like ``plt.subplots``)

    Examples
    --------
    >>> fig, (left, right) = new_figure(1, 2)
    """
    s = style()
    nrows = positive_int(nrows, "nrows")
    ncols = positive_int(ncols, "ncols")
    if size is None:
        size = (s["width"] * (1 + 0.6 * (ncols - 1)), s["height"] * (1 + 0.6 * (nrows - 1)))
    fig = Figure(figsize=size, dpi=s["dpi"], layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, **subplot_kw)
    for ax in np.atleast_1d(axes).ravel():
        _style_axes(ax)
    return fig, axes


def _style_axes(ax) -> None:
    font = style()["font"]
    ax.tick_params(labelsize=0.9 * font)
    ax.xaxis.label.set_size(font)
    ax.yaxis.label.set_size(font)
    ax.title.set_size(font)


def _target(ax):
    """The figure and axes to draw on: ``ax`` if given, else a new figure."""
    if ax is None:
        fig, ax = new_figure()
        return fig, ax
    _style_axes(ax)
    return ax.figure, ax


def _line_kw(**extra) -> dict:
    s = style()
    return {"lw": s["line"], "ms": s["marker"], **extra}


def _legend(ax, **kw) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=0.85 * style()["font"], **kw)


def title_axes(fig, *titles: str) -> None:
    """Give the axes of ``fig`` that have no title yet the ``titles``, in order.

    Every course figure carries a title (issue 18: a reader who cannot tell the colours apart
    still reads what each panel shows); a builder calls this last, so titles set by the
    builders it used (a contour plot's name, a caller's ``ax``) are kept. Colour bars are
    skipped: their label names their quantity.

    Examples
    --------
    >>> fig, (a, b) = new_figure(1, 2)
    >>> _ = a.set_title("kept")
    >>> title_axes(fig, "given")
    >>> [a.get_title(), b.get_title()]
    ['kept', 'given']
    """
    untitled = [ax for ax in fig.axes if not ax.get_title() and ax.get_label() != "<colorbar>"]
    for ax, title in zip(untitled, titles, strict=False):  # extra titles: axes the caller titled
        ax.set_title(title)


def figure_png(fig) -> bytes:
    """The whole figure (moving artists included) as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nabla": "∇", "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "sum": "Σ", "tau": "τ", "phi": "φ",
    "ell": "ℓ", "infty": "∞", "top": "ᵀ", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "approx": "≈", "times": "×", "pm": "±", "to": "→", "min": "min", "max": "max",
}  # fmt: skip


def plain_text(label: str) -> str:
    """A matplotlib label in words for a screen reader: mathtext ``$\\eta$`` becomes ``η``."""
    text = str(label).replace("$", "")
    text = re.sub(r"\\(mathrm|mathbf|text|operatorname|boldsymbol)\s*", "", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\\[,;:! ]", " ", text)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def _labels_of(ax) -> list[str]:
    legend = ax.get_legend()
    if legend is not None:
        texts = [t.get_text() for t in legend.get_texts()]
    else:
        texts = [a.get_label() for a in ax.lines + ax.collections]
    return [plain_text(t) for t in texts if t and not t.startswith("_")]


def _describe_axes(ax) -> str:
    words = []
    kinds = []
    if any(type(c).__name__ in ("QuadContourSet", "ContourSet") for c in ax.collections):
        kinds.append("level sets")
    lines = [line for line in ax.lines if line.get_visible() and len(line.get_xdata())]
    if lines:
        kinds.append(f"{len(lines)} line{'s' * (len(lines) > 1)}")
    if ax.images:
        kinds.append("an image")
    if ax.patches:
        kinds.append(f"{len(ax.patches)} shape{'s' * (len(ax.patches) > 1)}")
    title = plain_text(ax.get_title())
    if title:
        words.append(title)
    for name, label, scale in (
        ("x", ax.get_xlabel(), ax.get_xscale()),
        ("y", ax.get_ylabel(), ax.get_yscale()),
    ):
        if label:
            scale = f" ({scale} scale)" if scale != "linear" else ""
            words.append(f"{name}: {plain_text(label)}{scale}")
    if kinds:
        words.append("shows " + ", ".join(kinds))
    labels = _labels_of(ax)
    if labels:
        words.append("legend: " + "; ".join(labels))
    return ", ".join(words)


def describe(fig) -> str:
    """Alt text for a figure, read from what is drawn on it.

    The figure's title, then for each plot: its title, axis labels (and log scales), what
    it draws (level sets, lines, images) and its legend, in words (mathtext becomes Unicode:
    ``$\\eta$`` -> ``η``). The course site gives every picture this text, so a reader who
    cannot see the figure learns what it shows.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([1, 2], [3, 4], label=r"$\\eta = 0.1$")
    >>> _ = ax.set_xlabel("step t"); _legend(ax)
    >>> describe(fig)
    'Figure: x: step t, shows 1 line, legend: η = 0.1'
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    title = fig._suptitle.get_text() if fig._suptitle is not None else ""
    parts = [_describe_axes(ax) for ax in axes]
    if len(parts) > 1:
        parts = [f"plot {k + 1}: {p}" for k, p in enumerate(parts) if p]
    head = "Figure" + (f" '{plain_text(title)}'" if title else "")
    if len(axes) > 1:
        head += f" with {len(axes)} plots"
    body = "; ".join(p for p in parts if p)
    return f"{head}: {body}" if body else head


@dataclass
class Plot:
    """A figure, its axes and the artists a panel moves (see the subclasses)."""

    fig: Figure
    ax: object

    @property
    def animated(self) -> list:
        """The artists that change when a slider moves (drawn over a cached background)."""
        return []

    @property
    def alt_text(self) -> str:
        """What the figure shows, in words (:func:`describe`)."""
        return describe(self.fig)

    def _repr_png_(self) -> bytes:
        return figure_png(self.fig)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The picture as PNG with its alt text in the output's metadata (the course site
        uses it as the image's ``alt``)."""
        png = base64.b64encode(figure_png(self.fig)).decode("ascii")
        text = f"<{type(self).__name__}: {self.alt_text}>"
        return {"image/png": png, "text/plain": text}, {"image/png": {"alt": self.alt_text}}


# --------------------------------------------------------------------------- inputs


def _runs(trajectory: Trajectory) -> list[Trajectory]:
    if not trajectory.batch_shape:
        return [trajectory]
    return [trajectory.run(index) for index in np.ndindex(trajectory.batch_shape)]


def _as_list(data, name: str) -> list:
    """``data`` as a list of items: one Trajectory / array, or a sequence of them."""
    if isinstance(data, Trajectory):
        return _runs(data)
    if isinstance(data, dict):
        data = list(data.values())
    if isinstance(data, (list, tuple)):
        items = []
        for item in data:
            items.extend(_runs(item) if isinstance(item, Trajectory) else [item])
        return items
    if isinstance(data, np.ndarray) and data.dtype == object:
        raise TypeError(f"{name} must be a Trajectory, an array or a list of them")
    return [data]


def as_paths(trajectories, name: str = "trajectories", dim: int = 2) -> list[np.ndarray]:
    """The iterates of one or several runs as a list of (T_k + 1, dim) arrays.

    Accepts a :class:`~course_lib.trajectory.Trajectory` (a batched one gives one path per
    run, each trimmed to the steps it took), an array (T, dim) or (K, T, dim), or a list of
    those. Non-finite points (a diverged run) are kept as nan so the line stops there.
    """
    paths = []
    for item in _as_list(trajectories, name):
        points = item.iterates if isinstance(item, Trajectory) else item
        arr = as_float_array(points, name, ndim_min=2, finite=False)
        if arr.shape[-1] != dim:
            raise ValueError(
                f"{name} must hold points in R^{dim} (last axis {dim}), got shape {arr.shape}"
            )
        runs = int(np.prod(arr.shape[:-2]))  # not -1: an empty (0, dim) path is one path
        paths.extend(arr.reshape(runs, *arr.shape[-2:]))
    return [_drawable(p) for p in paths]


def _drawable(points: np.ndarray, limit: float = 1e12) -> np.ndarray:
    """Points with every non-finite or astronomically large row replaced by nan."""
    with np.errstate(invalid="ignore"):
        bad = ~np.all(np.isfinite(points) & (np.abs(points) < limit), axis=-1)
    return np.where(bad[..., None], np.nan, points)


def as_curves(curves, name: str = "curves") -> list[np.ndarray]:
    """Losses of one or several runs as a list of 1-D arrays.

    Accepts a Trajectory (its ``losses``; one curve per run of a batch), a 1-D array, a 2-D
    array (K, T) of K curves, or a list of those.
    """
    out = []
    for item in _as_list(curves, name):
        values = item.losses if isinstance(item, Trajectory) else item
        arr = as_float_array(values, name, ndim_min=1, finite=False)
        out.extend(arr.reshape(-1, arr.shape[-1]))
    return out


def _labels(labels, n: int, name: str = "labels") -> list:
    if labels is None:
        return [None] * n
    if isinstance(labels, str):
        labels = [labels]
    labels = list(labels)
    if len(labels) != n:
        raise ValueError(f"{name} must have one entry per curve ({n}), got {len(labels)}")
    return labels


def _bounds(objective, bounds) -> tuple:
    box = objective.bounds if bounds is None else bounds
    arr = as_float_array(box, "bounds")
    if arr.shape != (2, 2) or np.any(arr[:, 0] >= arr[:, 1]):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)) with min < max, got {box!r}")
    return tuple(map(tuple, arr.tolist()))


# --------------------------------------------------------------------------- level grids


@dataclass(frozen=True)
class LevelGrid:
    """f on a grid: ``values[i, j] = f(x[j], y[i])``, with contour levels chosen for it."""

    x: np.ndarray
    y: np.ndarray
    values: np.ndarray
    levels: np.ndarray


_GRIDS: dict = {}


def clear_level_cache() -> None:
    """Forget every cached level grid."""
    _GRIDS.clear()


def _grid_values(objective, bounds, resolution):
    # Keyed by the objective object itself (objectives are frozen): a name is not enough,
    # since every least-squares objective is called "least squares" whatever its data.
    key = (id(objective), bounds, resolution)
    if key not in _GRIDS:
        x = np.linspace(*bounds[0], resolution)
        y = np.linspace(*bounds[1], resolution)
        points = np.stack(np.meshgrid(x, y), axis=-1)
        with np.errstate(over="ignore", invalid="ignore"):
            values = np.asarray(objective.value(points), dtype=float)
        _GRIDS[key] = (x, y, values)
        weakref.finalize(objective, _GRIDS.pop, key, None)
    return _GRIDS[key]


def contour_levels(values, n: int = 20) -> np.ndarray:
    """n contour levels for a grid of values of f.

    If the grid's lowest value m lies inside the grid (a minimum in view), the gaps c_k − m
    grow geometrically from the 0.2 % to the 95 % quantile of f − m: the rings around the
    minimum stay visible however flat or steep f is (a bowl, a banana valley). Otherwise
    (a saddle, a slope) the levels are the quantiles p_k = k / (n + 1) of the values,
    which follow the function wherever it lives.

    Examples
    --------
    >>> x = np.linspace(-1, 1, 101)
    >>> bowl = x[:, None] ** 2 + x[None, :] ** 2
    >>> levels = contour_levels(bowl, 5)
    >>> bool(np.allclose(np.diff(np.log(levels)), np.log(levels[1] / levels[0])))
    True
    """
    n = positive_int(n, "n")
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError("the objective is not finite anywhere on the grid")
    low = np.nanargmin(np.where(np.isfinite(values), values, np.nan))
    i, j = np.unravel_index(low, values.shape)
    inside = 0 < i < values.shape[0] - 1 and 0 < j < values.shape[1] - 1
    m = finite.min()
    first, last = np.quantile(finite, [0.002, 0.95]) - m
    if inside and first > 0:
        return m + np.geomspace(first, last, n)
    return np.unique(np.quantile(finite, np.arange(1, n + 1) / (n + 1)))


def level_grid(objective, bounds=None, resolution: int = 200, levels: int = 20) -> LevelGrid:
    """f on a ``resolution`` × ``resolution`` grid over ``bounds`` (cached), with its levels.

    One vectorised call ``objective.value(points)`` on the (resolution, resolution, 2) grid;
    the values are cached per (objective, bounds, resolution).

    Parameters
    ----------
    objective : Objective
        A 2-D objective (``objective.dim == 2``).
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Defaults to ``objective.bounds``.
    resolution : int
        Grid points per axis.
    levels : int or array_like
        Number of levels (see :func:`contour_levels`) or the levels themselves.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> grid = level_grid(quadratic([1.0, 4.0]), resolution=50)
    >>> grid.values.shape
    (50, 50)
    """
    if getattr(objective, "dim", None) != 2 or not callable(getattr(objective, "value", None)):
        raise ValueError("objective must be a 2-D Objective (objective.dim == 2) to draw contours")
    box = _bounds(objective, bounds)
    resolution = positive_int(resolution, "resolution")
    x, y, values = _grid_values(objective, box, resolution)
    if np.ndim(levels) == 0:
        chosen = contour_levels(values, positive_int(levels, "levels"))
    else:
        chosen = np.sort(as_float_array(levels, "levels", ndim_min=1))
    return LevelGrid(x=x, y=y, values=values, levels=chosen)


# --------------------------------------------------------------------------- contours + paths


@dataclass
class ContourPlot(Plot):
    """Contours of f with optimisation paths. Move them with :meth:`set_paths`."""

    contours: object = None
    paths: list = field(default_factory=list)
    starts: object = None
    ends: object = None
    minimizers: object = None

    @property
    def animated(self) -> list:
        return [*self.paths, self.starts, self.ends]

    def set_paths(self, trajectories) -> None:
        """Show new paths (at most as many as the plot was built with; extra lines empty)."""
        paths = as_paths(trajectories)
        if len(paths) > len(self.paths):
            raise ValueError(
                f"trajectories holds {len(paths)} paths but this plot was built for "
                f"{len(self.paths)}; build it with max_paths={len(paths)}"
            )
        empty = np.empty((0, 2))
        padded = paths + [empty] * (len(self.paths) - len(paths))
        for line, path in zip(self.paths, padded, strict=True):
            line.set_data(path[:, 0], path[:, 1])
        firsts = np.array([p[0] for p in paths if len(p)]).reshape(-1, 2)
        lasts = np.array([_last_finite(p) for p in paths if len(p)]).reshape(-1, 2)
        self.starts.set_data(firsts[:, 0], firsts[:, 1])
        self.ends.set_data(lasts[:, 0], lasts[:, 1])


def _last_finite(path: np.ndarray) -> np.ndarray:
    finite = np.flatnonzero(np.all(np.isfinite(path), axis=-1))
    return path[finite[-1]] if finite.size else np.full(2, np.nan)


def contour_plot(
    objective,
    trajectories=(),
    labels=None,
    *,
    bounds=None,
    resolution: int = 200,
    levels=20,
    filled: bool = False,
    max_paths: int | None = None,
    ax=None,
) -> ContourPlot:
    """Level sets of a 2-D objective with optimisation paths drawn on top (lectures 03-07).

    The curves {x : f(x) = c} for the levels c of :func:`level_grid` (cached per objective),
    the known minimisers as stars, and each path x_0, x_1, ..., x_T as a line with dots, a
    circle at x_0 and a cross at the last finite iterate.

    Parameters
    ----------
    objective : Objective
        A 2-D objective.
    trajectories : Trajectory, array (T, 2) or (K, T, 2), or a list of them
        The paths to draw (may be empty).
    labels : list of str, optional
        One legend entry per path.
    bounds, resolution, levels
        See :func:`level_grid`.
    filled : bool
        Filled contours (``contourf``) instead of lines.
    max_paths : int, optional
        Lines to make room for (default: as many as ``trajectories`` holds).
    ax : Axes, optional
        Draw there instead of on a new figure.

    Returns
    -------
    ContourPlot
        ``fig, ax, contours, paths`` (one Line2D per path), ``starts``, ``ends``,
        ``minimizers``.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> plot = contour_plot(quadratic([1.0, 4.0]), np.array([[1.5, 1.0], [0.5, 0.2]]))
    >>> plot.paths[0].get_xdata().tolist()
    [1.5, 0.5]
    """
    grid = level_grid(objective, bounds, resolution, levels)
    paths = as_paths(trajectories)
    count = len(paths) if max_paths is None else positive_int(max_paths, "max_paths")
    names = _labels(labels, len(paths)) + [None] * max(count - len(paths), 0)
    if count < len(paths):
        raise ValueError(f"max_paths must be >= the {len(paths)} paths given, got {count}")
    fig, ax = _target(ax)
    draw = ax.contourf if filled else ax.contour
    colors = colormaps["viridis"](np.linspace(0.0, 0.95, len(grid.levels)))  # one per level
    contours = draw(grid.x, grid.y, grid.values, levels=grid.levels, colors=colors, zorder=1)
    minima = objective.minimizers.reshape(-1, 2)
    stars = ax.plot(
        minima[:, 0], minima[:, 1], "*", color="k", **_line_kw(ms=3 * style()["marker"])
    )
    lines = [
        ax.plot([], [], ".-", color=f"C{k % 10}", label=name, zorder=3, **_line_kw())[0]
        for k, name in enumerate(names)
    ]
    starts = ax.plot(
        [], [], "o", mfc="none", color="k", zorder=4, **_line_kw(ms=2 * style()["marker"])
    )[0]
    ends = ax.plot([], [], "X", color="k", zorder=4, **_line_kw(ms=2 * style()["marker"]))[0]
    ax.set_xlim(grid.x[0], grid.x[-1])
    ax.set_ylim(grid.y[0], grid.y[-1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(objective.name)
    plot = ContourPlot(fig, ax, contours, lines, starts, ends, stars[0])
    plot.set_paths(paths)
    _legend(ax, loc="upper right")
    return plot


# --------------------------------------------------------------------------- loss curves


@dataclass
class LossPlot(Plot):
    """Loss against iteration on a log axis. Move the curves with :meth:`set_curves`."""

    lines: list = field(default_factory=list)
    minimum: float = 0.0

    @property
    def animated(self) -> list:
        return list(self.lines)

    def set_curves(self, curves) -> None:
        """Show new curves (at most as many as the plot was built with)."""
        values = as_curves(curves)
        if len(values) > len(self.lines):
            raise ValueError(
                f"curves holds {len(values)} curves but this plot was built for {len(self.lines)}"
            )
        for k, line in enumerate(self.lines):
            y = _log_visible(values[k] - self.minimum) if k < len(values) else np.empty(0)
            line.set_data(np.arange(y.size), y)


def _log_visible(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: non-positive or non-finite entries become nan (a gap)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def loss_curves(
    curves,
    labels=None,
    *,
    minimum: float | None = None,
    xscale: str = "linear",
    xlim=None,
    ylim=None,
    ax=None,
) -> LossPlot:
    """Loss curves f(x_t) against t, on a logarithmic y axis (lectures 03-06).

    With ``minimum = f*`` the curves show the gap f(x_t) − f*, whose straight lines on a
    log axis are linear convergence: log(f(x_t) − f*) ≈ log C + t log ρ. Values ≤ 0 or not
    finite are left out (the line has a gap there).

    Parameters
    ----------
    curves : Trajectory, array (T,) or (K, T), or a list of them
    labels : list of str, optional
    minimum : float, optional
        f*, subtracted from every curve.
    xscale : {"linear", "log"}
    xlim, ylim : (low, high), optional
        Fixed limits (a panel keeps them while the curves move).
    ax : Axes, optional

    Returns
    -------
    LossPlot
        ``fig, ax, lines`` (one Line2D per curve; x data 0, 1, ..., T).

    Examples
    --------
    >>> plot = loss_curves(0.5 ** np.arange(10))
    >>> plot.ax.get_yscale()
    'log'
    """
    values = as_curves(curves)
    names = _labels(labels, len(values))
    fig, ax = _target(ax)
    lines = [
        ax.plot([], [], "-", color=f"C{k % 10}", label=name, **_line_kw())[0]
        for k, name in enumerate(names)
    ]
    offset = 0.0 if minimum is None else float(as_float_array(minimum, "minimum"))
    plot = LossPlot(fig, ax, lines, offset)
    plot.set_curves(values)
    ax.set_yscale("log")
    ax.set_xscale(one_of(xscale, "xscale", ("linear", "log")))
    _fit_limits(ax, lines, xlim, ylim)
    ax.set_xlabel("iteration t")
    ax.set_ylabel("$f(x_t) - f^*$" if minimum is not None else "$f(x_t)$")
    ax.set_title("progress of each run" if minimum is not None else "the value along each run")
    _legend(ax)
    return plot


def _fit_limits(ax, lines, xlim, ylim) -> None:
    """Limits from the data of ``lines`` (ignoring nan), unless given."""
    xs = np.concatenate([np.asarray(line.get_xdata(), float) for line in lines] or [np.empty(0)])
    ys = np.concatenate([np.asarray(line.get_ydata(), float) for line in lines] or [np.empty(0)])
    ok = np.isfinite(xs) & np.isfinite(ys)
    if xlim is None and ok.any():
        lo, hi = xs[ok].min(), xs[ok].max()
        xlim = (lo, hi) if hi > lo else (lo - 1, hi + 1)
    if ylim is None and ok.any():
        lo, hi = ys[ok].min(), ys[ok].max()
        ylim = (lo / 2, hi * 2) if ax.get_yscale() == "log" else (lo, hi)
        if ylim[1] <= ylim[0]:
            ylim = (ylim[0] - 1, ylim[1] + 1)
    if xlim is not None:
        ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)


# --------------------------------------------------------------------------- error versus h


@dataclass
class ErrorPlot(Plot):
    """Error against step on log-log axes, with reference slopes and a movable marker."""

    lines: list = field(default_factory=list)
    references: dict = field(default_factory=dict)
    best: list = field(default_factory=list)
    marker: object = None

    @property
    def animated(self) -> list:
        return [*self.lines, self.marker]

    def set_curves(self, curves) -> None:
        """Show new (steps, errors) curves (as many as the plot was built with, or fewer)."""
        pairs = _step_curves(curves)
        if len(pairs) > len(self.lines):
            raise ValueError(
                f"curves holds {len(pairs)} curves but this plot was built for {len(self.lines)}"
            )
        for k, line in enumerate(self.lines):
            h, e = pairs[k][:2] if k < len(pairs) else (np.empty(0), np.empty(0))
            line.set_data(h, _log_visible(e))

    def mark(self, step: float, error: float) -> None:
        """Put the marker at (h, error): the step a slider currently selects."""
        self.marker.set_data([step], [_log_visible([error])[0]])


def _step_curves(curves) -> list[tuple]:
    """(steps, errors, label, predicted best step) for each curve given."""
    items = curves if isinstance(curves, (list, dict)) else [curves]
    if isinstance(items, dict):
        items = list(items.values())
    out = []
    for item in items:
        if hasattr(item, "steps") and hasattr(item, "errors"):
            steps, errors = item.steps, item.errors
            label = getattr(item, "scheme", None)
            best = getattr(item, "predicted_best_step", None)
        elif isinstance(item, tuple) and len(item) == 2:
            (steps, errors), label, best = item, None, None
        else:
            raise TypeError(
                "curves must be a StepErrorCurve, a (steps, errors) pair, or a list of them"
            )
        h = as_float_array(steps, "steps", ndim_min=1)
        e = as_float_array(errors, "errors", ndim_min=1, finite=False)
        if h.shape != e.shape or h.ndim != 1:
            raise ValueError(
                f"steps and errors must be 1-D of equal length, got {h.shape}, {e.shape}"
            )
        if np.any(h <= 0):
            raise ValueError("steps must be positive for a log-log plot")
        out.append((h, e, label, best))
    return out


def reference_slope(steps, order: float, anchor: tuple) -> np.ndarray:
    """The guide line e(h) = e_a (h / h_a)^p through the anchor (h_a, e_a).

    On log-log axes it is a straight line of slope p: the error of a scheme of order p in
    its truncation regime runs parallel to it.

    Examples
    --------
    >>> reference_slope(np.array([0.1, 1.0]), 2, (1.0, 3.0)).tolist()
    [0.030000000000000006, 3.0]
    """
    h_a, e_a = anchor
    return e_a * (np.asarray(steps, dtype=float) / h_a) ** order


def error_versus_step(
    curves,
    labels=None,
    *,
    reference_orders=(1, 2),
    anchor=None,
    show_best: bool = True,
    ylim=None,
    ax=None,
) -> ErrorPlot:
    """The error |D_h f(x) − f'(x)| against the step h on log-log axes (lecture 02).

    Each curve is V-shaped: truncation error C h^p on the right, round-off ε|f|/h on the
    left. Dashed guides of slope p (:func:`reference_slope`) show the truncation orders;
    dotted vertical lines show each curve's predicted best step, when it carries one.

    Parameters
    ----------
    curves : StepErrorCurve, (steps, errors), or a list / dict of them
        A ``StepErrorCurve`` from :func:`course_lib.derivatives.error_versus_step` (anything
        with ``steps`` and ``errors``; ``scheme`` and ``predicted_best_step`` are used if
        present).
    labels : list of str, optional
        Default: each curve's ``scheme``.
    reference_orders : sequence of float
        The slopes p of the guides.
    anchor : (h_a, e_a), optional
        The point every guide passes through. Default: the largest step h_a of the first
        curve, and a tenth of its error there (so the guides run just below the curves).
    show_best : bool
        Draw the predicted best steps.
    ylim : (low, high), optional
    ax : Axes, optional

    Returns
    -------
    ErrorPlot
        ``fig, ax, lines``, ``references`` (order -> Line2D), ``best`` (vertical lines) and
        ``marker`` (empty until :meth:`ErrorPlot.mark`).

    Examples
    --------
    >>> h = np.logspace(-8, -1, 30)
    >>> plot = error_versus_step((h, h**2), reference_orders=(2,))
    >>> plot.ax.get_xscale(), plot.ax.get_yscale()
    ('log', 'log')
    """
    pairs = _step_curves(curves)
    if not pairs:
        raise ValueError("curves must hold at least one (steps, errors) curve")
    names = _labels(labels, len(pairs)) if labels is not None else [p[2] for p in pairs]
    fig, ax = _target(ax)
    ax.set_xscale("log")
    ax.set_yscale("log")
    lines = [
        ax.plot([], [], ".-", color=f"C{k % 10}", label=name, **_line_kw())[0]
        for k, name in enumerate(names)
    ]
    plot = ErrorPlot(fig, ax, lines)
    plot.set_curves(curves)
    h0, e0 = pairs[0][0], pairs[0][1]
    if anchor is None:  # a decade below the first curve at its largest step
        top = int(np.argmax(h0))
        anchor = (h0[top], 0.1 * e0[top])
    h_a, e_a = (float(v) for v in as_float_array(anchor, "anchor"))
    span = np.array([min(p[0].min() for p in pairs), max(p[0].max() for p in pairs)])
    for k, order in enumerate(reference_orders):
        p = float(order)
        ref = ax.plot(
            span,
            reference_slope(span, p, (h_a, e_a)),
            "--",
            color="0.4",
            dashes=(2 + 3 * k, 2),
            label=f"slope {p:g}",
            **_line_kw(lw=0.7 * style()["line"]),
        )[0]
        plot.references[order] = ref
    if show_best:
        for k, pair in enumerate(pairs):
            if pair[3] is not None:
                plot.best.append(ax.axvline(float(pair[3]), ls=":", color=f"C{k % 10}"))
    plot.marker = ax.plot([], [], "o", color="k", zorder=5, **_line_kw(ms=2 * style()["marker"]))[0]
    _fit_limits(ax, lines, (span[0], span[1]), ylim)
    ax.set_xlabel("step h")
    ax.set_ylabel("error")
    ax.set_title("finite-difference error against the step h")
    _legend(ax)
    return plot


# --------------------------------------------------------------------------- minibatch gradients


@dataclass
class GradientCloud(Plot):
    """Minibatch gradients around the full gradient. Move them with :meth:`set_gradients`."""

    cloud: object = None
    full: object = None
    mean: object = None

    @property
    def animated(self) -> list:
        return [self.cloud, self.full, self.mean]

    def set_gradients(self, minibatch_gradients, full_gradient) -> None:
        """Show new minibatch gradients (m, 2) and full gradient (2,)."""
        g_b, g = _cloud_arrays(minibatch_gradients, full_gradient)
        self.cloud.set_offsets(g_b)
        self.full.set_data([0.0, g[0]], [0.0, g[1]])
        mean = g_b.mean(axis=0) if len(g_b) else np.full(2, np.nan)
        self.mean.set_data(mean[:1], mean[1:])


def _cloud_arrays(minibatch_gradients, full_gradient):
    g_b = as_float_array(minibatch_gradients, "minibatch_gradients", ndim_min=2)
    if g_b.ndim != 2 or g_b.shape[1] != 2:
        raise ValueError(
            f"minibatch_gradients must have shape (m, 2) (2-D gradients), got {g_b.shape}"
        )
    g = as_float_array(full_gradient, "full_gradient")
    if g.shape != (2,):
        raise ValueError(f"full_gradient must have shape (2,), got {g.shape}")
    return g_b, g


def gradient_cloud(minibatch_gradients, full_gradient, *, lim=None, ax=None) -> GradientCloud:
    """Minibatch gradients g_B = (1/|B|) Σ_{i∈B} ∇ℓ_i scattered around ∇L (lecture 05).

    The minibatch gradient is an unbiased estimate, E[g_B] = ∇L: the cloud is centred on the
    full gradient (drawn as an arrow from 0), and its spread shrinks as the batch grows.
    The cross marks the mean of the cloud.

    Parameters
    ----------
    minibatch_gradients : array_like, shape (m, 2)
    full_gradient : array_like, shape (2,)
    lim : float, optional
        Half-width of the square view around 0 (default: fits the data; a panel whose batch
        size moves should fix it).
    ax : Axes, optional

    Returns
    -------
    GradientCloud
        ``fig, ax, cloud`` (PathCollection), ``full`` (Line2D from 0 to ∇L), ``mean``.

    Examples
    --------
    >>> plot = gradient_cloud(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0.5, 0.5]))
    >>> plot.mean.get_xdata().tolist()
    [0.5]
    """
    g_b, g = _cloud_arrays(minibatch_gradients, full_gradient)
    fig, ax = _target(ax)
    s = style()
    cloud = ax.scatter(g_b[:, 0], g_b[:, 1], s=2 * s["marker"] ** 2, alpha=0.5, label="$g_B$")
    full = ax.plot(
        [],
        [],
        "-",
        color="C3",
        marker="o",
        markevery=[1],
        label=r"$\nabla L$",
        **_line_kw(lw=2 * s["line"], ms=2 * s["marker"]),
    )[0]
    mean = ax.plot([], [], "X", color="k", label="mean of $g_B$", **_line_kw(ms=2.5 * s["marker"]))[
        0
    ]
    plot = GradientCloud(fig, ax, cloud, full, mean)
    plot.set_gradients(g_b, g)
    if lim is None:
        lim = 1.15 * float(np.max(np.abs(np.vstack([g_b, g[None], [[1e-12, 1e-12]]]))))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal", adjustable="box")
    ax.axhline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.8", lw=0.8, zorder=0)
    ax.set_xlabel("$g_1$")
    ax.set_ylabel("$g_2$")
    ax.set_title("minibatch gradients around the full gradient")
    _legend(ax, loc="upper left")
    return plot


@dataclass
class ContributionPlot(Plot):
    """Per-example gradients from 0 and chained tip to tail. Move with :meth:`set_gradients`."""

    vectors: object = None
    chain: object = None
    total: object = None

    @property
    def animated(self) -> list:
        return [self.vectors, self.chain, self.total]

    def set_gradients(self, per_example_gradients) -> None:
        """Show new per-example gradients, shape (n, 2)."""
        g = _contributions(per_example_gradients)
        self.vectors.set_segments(np.stack([np.zeros_like(g), g], axis=1))
        chain = np.vstack([np.zeros(2), np.cumsum(g, axis=0)])
        self.chain.set_data(chain[:, 0], chain[:, 1])
        self.total.set_data(chain[-1:, 0], chain[-1:, 1])


def _contributions(per_example_gradients) -> np.ndarray:
    g = as_float_array(per_example_gradients, "per_example_gradients", ndim_min=2)
    if g.ndim != 2 or g.shape[1] != 2:
        raise ValueError(f"per_example_gradients must have shape (n, 2), got {g.shape}")
    return g


def gradient_contributions(per_example_gradients, *, lim=None, ax=None) -> ContributionPlot:
    """The per-example gradients ∇ℓ_i(w), each from 0 and all chained tip to tail (lecture 05).

    The chain ends at Σ_i ∇ℓ_i(w) = n ∇L(w): at the optimum w* of the empirical risk it
    closes (the examples pull in different directions and cancel exactly), although no single
    ∇ℓ_i(w*) is zero. That is why a constant-step SGD keeps moving near w*.

    Parameters
    ----------
    per_example_gradients : array_like, shape (n, 2)
        E.g. :func:`course_lib.stochastic.per_example_gradients` for a 2-parameter model.
    lim : float, optional
        Half-width of the view (default: fits the vectors and the chain).
    ax : Axes, optional

    Returns
    -------
    ContributionPlot
        ``fig, ax, vectors`` (LineCollection of the segments 0 → ∇ℓ_i), ``chain`` (Line2D
        through the partial sums), ``total`` (the sum).

    Examples
    --------
    >>> plot = gradient_contributions(np.array([[1.0, 2.0], [-1.0, -2.0]]))
    >>> plot.total.get_xdata().tolist()
    [0.0]
    """
    g = _contributions(per_example_gradients)
    fig, ax = _target(ax)
    s = style()
    vectors = LineCollection(
        [], colors="C0", alpha=0.6, linewidths=s["line"], label=r"$\nabla\ell_i$"
    )
    ax.add_collection(vectors)
    chain = ax.plot([], [], ".-", color="C1", label="partial sums", **_line_kw())[0]
    total = ax.plot(
        [], [], "X", color="k", label=r"$\sum_i \nabla\ell_i$", **_line_kw(ms=2.5 * s["marker"])
    )[0]
    plot = ContributionPlot(fig, ax, vectors, chain, total)
    plot.set_gradients(g)
    if lim is None:
        reach = np.vstack([g, np.cumsum(g, axis=0), [[1e-12, 1e-12]]])
        lim = 1.1 * float(np.max(np.abs(reach)))
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(r"$\partial\ell_i/\partial w_1$")
    ax.set_ylabel(r"$\partial\ell_i/\partial w_2$")
    ax.set_title("per-example gradients, chained tip to tail")
    _legend(ax, loc="upper left")
    return plot


# --------------------------------------------------------------------------- stability


@dataclass
class StabilityPlot(Plot):
    """The rates |1 − ηλ_i| against η, the line η = 2/λmax and a marker for the chosen η."""

    rates: list = field(default_factory=list)
    worst: object = None
    limit: object = None
    unit: object = None
    marker: object = None
    eigenvalues: np.ndarray = None

    @property
    def animated(self) -> list:
        return [*self.rates, self.worst, self.limit, self.marker]

    def set_eigenvalues(self, eigenvalues) -> None:
        """Redraw for new eigenvalues (as many as the plot was built with)."""
        lam = _eigenvalues(eigenvalues)
        if lam.size != len(self.rates):
            raise ValueError(f"eigenvalues must have {len(self.rates)} entries, got {lam.size}")
        self.eigenvalues = lam
        eta = np.asarray(self.worst.get_xdata(), dtype=float)
        rho = np.abs(1.0 - eta[:, None] * lam)
        for line, column in zip(self.rates, rho.T, strict=True):
            line.set_data(eta, column)
        self.worst.set_data(eta, rho.max(axis=1))
        top = lam.max()
        self.limit.set_xdata([2.0 / top] * 2 if top > 0 else [np.nan] * 2)

    def mark(self, learning_rate: float) -> float:
        """Put the marker at (η, ρ(η)) with ρ(η) = max_i |1 − ηλ_i|; returns ρ(η)."""
        rho = float(np.max(np.abs(1.0 - float(learning_rate) * self.eigenvalues)))
        self.marker.set_data([float(learning_rate)], [rho])
        return rho


def _eigenvalues(eigenvalues) -> np.ndarray:
    lam = as_float_array(eigenvalues, "eigenvalues", ndim_min=1)
    if lam.ndim != 1:
        raise ValueError(f"eigenvalues must be a 1-D array, got shape {lam.shape}")
    return lam


def stability_diagram(
    eigenvalues,
    learning_rates,
    *,
    show_each: bool = True,
    ylim=(0.0, 2.0),
    ax=None,
) -> StabilityPlot:
    """The stability diagram of gradient descent on a quadratic (lecture 04).

    Along eigenvector i, GD multiplies the error by 1 − ηλ_i each step, so the run converges
    iff the rate ρ(η) = max_i |1 − ηλ_i| is below 1, i.e. iff 0 < η < 2/λmax (the vertical
    line). Each thin line is one |1 − ηλ_i|; the thick one is ρ(η).

    Parameters
    ----------
    eigenvalues : array_like, shape (d,)
        The eigenvalues λ_i of the Hessian.
    learning_rates : array_like, shape (m,)
        The η axis.
    show_each : bool
        Draw every |1 − ηλ_i|, not only the maximum.
    ylim : (low, high)
    ax : Axes, optional

    Returns
    -------
    StabilityPlot
        ``fig, ax, rates`` (one Line2D per eigenvalue), ``worst`` (ρ), ``limit`` (the line
        η = 2/λmax; nan if λmax ≤ 0), ``unit`` (ρ = 1) and ``marker`` (see
        :meth:`StabilityPlot.mark`).

    Examples
    --------
    >>> plot = stability_diagram([1.0, 4.0], np.linspace(0, 1, 11))
    >>> float(plot.limit.get_xdata()[0])
    0.5
    """
    lam = _eigenvalues(eigenvalues)
    eta = as_float_array(learning_rates, "learning_rates", ndim_min=1)
    if eta.ndim != 1 or eta.size < 2:
        raise ValueError(f"learning_rates must be a 1-D array of >= 2 values, got {eta.shape}")
    fig, ax = _target(ax)
    s = style()
    rates = [
        ax.plot(
            eta,
            np.zeros_like(eta),
            "-",
            lw=0.6 * s["line"],
            alpha=0.7,
            label=r"$|1-\eta\lambda_i|$" if k == 0 else None,
            visible=show_each,
        )[0]
        for k in range(lam.size)
    ]
    worst = ax.plot(eta, np.zeros_like(eta), "-", color="k", label=r"$\rho(\eta)$", **_line_kw())[0]
    limit = ax.axvline(
        eta.max(), color="C3", ls="--", lw=s["line"], label=r"$\eta = 2/\lambda_{max}$"
    )
    unit = ax.axhline(1.0, color="0.5", lw=0.8 * s["line"])
    marker = ax.plot([], [], "o", color="C3", zorder=5, **_line_kw(ms=2 * s["marker"]))[0]
    plot = StabilityPlot(fig, ax, rates, worst, limit, unit, marker, lam)
    plot.set_eigenvalues(lam)
    ax.set_xlim(eta.min(), eta.max())
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("rate per step")
    ax.set_title("the rate of gradient descent against η")
    _legend(ax, loc="upper left")
    return plot


__all__ = [
    "STYLES",
    "ContourPlot",
    "ContributionPlot",
    "ErrorPlot",
    "GradientCloud",
    "LevelGrid",
    "LossPlot",
    "Plot",
    "StabilityPlot",
    "as_curves",
    "as_paths",
    "clear_level_cache",
    "contour_levels",
    "contour_plot",
    "error_versus_step",
    "figure_png",
    "gradient_cloud",
    "gradient_contributions",
    "level_grid",
    "loss_curves",
    "new_figure",
    "reference_slope",
    "stability_diagram",
    "style",
    "use_style",
]
