"""Panels and figures of lecture 02: derivatives and finite differences.

The lecture's function is f = sin, whose derivatives are known exactly (cos, −sin, −cos),
so every error the figures draw is measured against the true slope. The numbers come from
:mod:`course_lib.derivatives`; this module only lays them out:

* :func:`difference_view` — what the panel shows for one point x, step h and scheme;
* :func:`difference_panel` — sliders h (log scale), scheme, x: the function with its
  tangent and the scheme's secant, next to the error-versus-h curve with a marker at h;
* :func:`error_curves_figure`, :func:`tangent_error_figure`, :func:`cost_figure` — the
  static figures of the notebook;
* :class:`EvaluationCounter` — counts the points a function is evaluated at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib import derivatives, plots, widgets
from course_lib._checks import as_float_array, callable_arg, one_of, positive

#: f = sin and its first three derivatives, exact.
FUNCTION = np.sin
DERIVATIVES = (np.cos, lambda t: -np.sin(t), lambda t: -np.cos(t))
#: The steps of every error curve: 161 values from 1e-16 to 1, 20 a decade.
STEPS = np.logspace(-16, 0, 161)
#: The window of h where the truncation error dominates (fits of the order use it).
TRUNCATION_WINDOW = (1e-3, 1e-1)
#: Errors that are exactly zero are drawn at this height on the log axes.
ERROR_FLOOR = 1e-17
COLORS = {"forward": "C0", "backward": "C2", "centered": "C1"}


def stencil(x: float, h: float, scheme: str) -> np.ndarray:
    """The two abscissas a scheme evaluates f at: (x, x+h), (x−h, x) or (x−h, x+h)."""
    offsets = {"forward": (0.0, 1.0), "backward": (-1.0, 0.0), "centered": (-1.0, 1.0)}
    return x + h * np.array(offsets[scheme])


def truncation_model(x: float, steps) -> dict[str, np.ndarray]:
    """The leading truncation errors of lecture 02 for f = sin at x, for every step.

    forward/backward: (h/2)|f''(x)| (slope 1 on log-log axes); centered: (h²/6)|f'''(x)|
    (slope 2). Also the slope −1 guide ε/h of the round-off error.
    """
    h = np.asarray(steps, dtype=float)
    return {
        "h": h / 2 * abs(DERIVATIVES[1](x)),
        "h2": h**2 / 6 * abs(DERIVATIVES[2](x)),
        "roundoff": derivatives.EPS / h,
    }


def _order(curve: derivatives.StepErrorCurve) -> float:
    """The fitted order on the truncation window, or nan if the errors there are all zero."""
    try:
        return derivatives.fitted_order(
            curve.steps, curve.errors, low=TRUNCATION_WINDOW[0], high=TRUNCATION_WINDOW[1]
        )
    except ValueError:
        return float("nan")


@dataclass(frozen=True)
class DifferenceView:
    """Everything the finite-difference panel draws for one (x, h, scheme).

    Attributes
    ----------
    x, h : float
    scheme : str
    nodes, values : ndarray, shape (2,)
        The two points the scheme uses and f there (the ends of the secant).
    slope : float
        The difference quotient D_h f(x) (the slope of the secant).
    exact : float
        f'(x) (the slope of the tangent).
    error : float
        |slope − exact|.
    curve : StepErrorCurve
        The error for every step of :data:`STEPS` (the right-hand plot).
    order : float
        The slope of the curve fitted on :data:`TRUNCATION_WINDOW` (nan if undefined).
    """

    x: float
    h: float
    scheme: str
    nodes: np.ndarray
    values: np.ndarray
    slope: float
    exact: float
    error: float
    curve: derivatives.StepErrorCurve
    order: float

    @property
    def regime(self) -> str:
        """The error that dominates at h: "truncation" above the best step, else "round-off"."""
        return "truncation" if self.h > self.curve.predicted_best_step else "round-off"


def difference_view(x: float = 1.0, h: float = 1e-2, scheme: str = "forward") -> DifferenceView:
    """The secant of ``scheme`` at x with step h, and its error curve, for f = sin.

    Examples
    --------
    >>> view = difference_view(1.0, 1e-3, "centered")
    >>> view.error < 1e-7, round(view.order, 2)
    (True, 2.0)
    """
    scheme = one_of(scheme, "scheme", derivatives.SCHEMES)
    h = float(positive(h, "h"))
    x = float(as_float_array(x, "x"))
    scalar_scheme = {
        "forward": derivatives.forward_difference,
        "backward": derivatives.backward_difference,
        "centered": derivatives.centered_difference,
    }[scheme]
    slope = float(scalar_scheme(FUNCTION, x, h))
    exact = float(DERIVATIVES[0](x))
    curve = derivatives.error_versus_step(FUNCTION, DERIVATIVES[0], x, STEPS, scheme=scheme)
    nodes = stencil(x, h, scheme)
    return DifferenceView(
        x,
        h,
        scheme,
        nodes,
        FUNCTION(nodes),
        slope,
        exact,
        abs(slope - exact),
        curve,
        _order(curve),
    )


# ---------------------------------------------------------------------------------------
# Static figures of the notebook (course_lib.plots figures; they show as PNG in a notebook)
# ---------------------------------------------------------------------------------------


def _visible(values):
    """Values with those below :data:`ERROR_FLOOR` hidden (nan), for a reference line."""
    return np.where(values > ERROR_FLOOR, values, np.nan)


def _taylor_lines(ax, x: float) -> dict:
    """Dotted predictions (h/2)|f''(x)| and (h²/6)|f'''(x)|, and the ε/h round-off guide."""
    model = truncation_model(x, STEPS)
    styles = {
        "h": ("Taylor (h/2)|f''(x)|  ∝ h", COLORS["forward"]),
        "h2": ("Taylor (h²/6)|f'''(x)|  ∝ h²", COLORS["centered"]),
        "roundoff": ("ε/h  (round-off)", "gray"),
    }
    return {
        key: ax.plot(STEPS, _visible(model[key]), ":", color=color, lw=1.8, label=label)[0]
        for key, (label, color) in styles.items()
    }


def tangent_error_figure(curve: derivatives.StepErrorCurve, x: float) -> plots.Plot:
    """Left: sin with its tangent at x. Right: the tangent's prediction error against h.

    The prediction error |f(x + h) − f(x) − f'(x)h| equals h · |D₊f(x) − f'(x)|, so it is
    read off a forward-difference ``curve``; Taylor says it is ≈ (h²/2)|f''(x)|.
    """
    fig, (left, right) = plots.new_figure(1, 2, size=(10, 3.8))
    t = np.linspace(-np.pi, np.pi, 200)
    left.plot(t, FUNCTION(t), color="black", label="f(x) = sin x")
    tangent = FUNCTION(x) + DERIVATIVES[0](x) * (t - x)
    left.plot(t, tangent, "--", color="C3", label="tangent f(x) + f'(x)·h")
    left.plot([x], [FUNCTION(x)], "o", color="C3")
    left.set_ylim(-1.6, 1.6)
    left.set_xlabel("x")
    left.legend(loc="lower right")
    left.set_title(f"the tangent at x = {x:g}")
    keep = curve.steps >= 1e-6
    h = curve.steps[keep]
    taylor = h**2 / 2 * abs(DERIVATIVES[1](x))
    right.plot(h, taylor, color="gray", lw=5, alpha=0.35, label="Taylor: (h²/2)|f''(x)|")
    right.plot(h, h * curve.errors[keep], color="C3", label="|f(x+h) − f(x) − f'(x)h|")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("step h")
    right.set_ylabel("prediction error")
    right.legend(loc="upper left")
    right.set_title("the linear prediction errs by O(h²)")
    return plots.Plot(fig, (left, right))


def error_curves_figure(curves: dict, x: float) -> plots.ErrorPlot:
    """Error against h (log-log) for each scheme, with the Taylor predictions dotted.

    Built on :func:`course_lib.plots.error_versus_step` (the curves, and dotted vertical lines
    at each curve's predicted best step ε^(1/2) or ε^(1/3)); the Taylor lines come from
    :func:`truncation_model`.

    Parameters
    ----------
    curves : dict of scheme -> StepErrorCurve
        The curves to draw (all at the same point x).
    x : float
        The point, for the truncation model and the title.
    """
    fig, ax = plots.new_figure(size=(8, 4.6))
    plot = plots.error_versus_step(curves, reference_orders=(), ylim=(ERROR_FLOOR, 30), ax=ax)
    for line, scheme in zip(plot.lines, curves, strict=True):
        line.set_color(COLORS[scheme])
        line.set_marker("")
    for line, (scheme, curve) in zip(plot.best, curves.items(), strict=True):
        line.set_color(COLORS[scheme])
        line.set_label(f"predicted best h, {scheme}: {curve.predicted_best_step:.1e}")
    _taylor_lines(ax, x)
    ax.legend(loc="lower left", fontsize=8, ncol=2)
    ax.set_title(f"f = sin at x = {x:g}: round-off (left) against truncation (right)")
    return plot


def cost_figure(dims, counts: dict) -> plots.Plot:
    """Evaluations of f per gradient against the dimension d (log-log).

    ``counts`` maps a label ("centered differences", "analytic", ...) to the counted
    evaluations, one per entry of ``dims``.
    """
    fig, ax = plots.new_figure(size=(6, 3.8))
    for label, count in counts.items():
        ax.plot(dims, count, "o-", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("evaluations of f per gradient")
    ax.legend()
    ax.set_title("the cost of one gradient")
    return plots.Plot(fig, ax)


# ---------------------------------------------------------------------------------------
# Counting evaluations
# ---------------------------------------------------------------------------------------


class EvaluationCounter:
    """Wrap a function of points (..., d) and count how many points it is evaluated at.

    ``rowwise=True`` says f maps a batch (m, d) row by row, so the derivatives skip the two
    single-point calls with which they check an unknown function (and the count is theirs
    alone). ``calls`` counts calls; ``points`` counts evaluations, a batch of shape (m, d) counting
    m (so a vectorised call on 2d stacked points counts 2d, as 2d separate calls would).

    Examples
    --------
    >>> f = EvaluationCounter(lambda x: np.sum(x**2, axis=-1))
    >>> _ = f(np.zeros((5, 3))); _ = f(np.zeros(3))
    >>> f.calls, f.points
    (2, 6)
    """

    def __init__(self, f, rowwise: bool = False):
        self.f = callable_arg(f, "f")
        self.calls = 0
        self.points = 0
        # counting does not change how f treats a batch: a known-vectorised f stays known,
        # so the derivatives do not spend (and this does not count) check calls on it;
        # rowwise=True declares a plain function vectorised (each row of a batch is a point)
        self.rowwise = bool(rowwise) or getattr(f, "rowwise", False)

    def __call__(self, x):
        x = np.asarray(x, dtype=float)
        self.calls += 1
        self.points += int(np.prod(x.shape[:-1]))
        return self.f(x)


# ---------------------------------------------------------------------------------------
# The panel: tangent and secant | error against h
# ---------------------------------------------------------------------------------------

X_RANGE = (-3.0, 3.0)
H_RANGE = (1e-16, 1.0)


@dataclass
class DifferencePlot(plots.Plot):
    """The panel's figure: tangent and secant (left), error against h (right).

    ``errors`` is the :class:`course_lib.plots.ErrorPlot` of the right axes; ``artists`` holds
    the lines a move changes. :meth:`show` moves them to a :class:`DifferenceView`.
    """

    errors: plots.ErrorPlot = None
    artists: dict = None

    @property
    def animated(self) -> list:
        return [*self.artists.values(), *self.errors.animated]

    def show(self, view: DifferenceView) -> None:
        """Move the artists to show ``view`` (data only: the background stays valid)."""
        a = self.artists
        span = np.array([view.x - 1.6, view.x + 1.6])
        f_x = float(FUNCTION(view.x))
        a["tangent"].set_data(span, f_x + view.exact * (span - view.x))
        a["secant"].set_data(span, view.values[0] + view.slope * (span - view.nodes[0]))
        a["nodes"].set_data(view.nodes, view.values)
        a["point"].set_data([view.x], [f_x])
        self.errors.set_curves(view.curve)
        self.errors.mark(view.h, view.error)
        model = truncation_model(view.x, STEPS)
        a["taylor_h"].set_ydata(_visible(model["h"]))
        a["taylor_h2"].set_ydata(_visible(model["h2"]))
        best = view.curve.predicted_best_step
        a["best"].set_xdata([best, best])


def difference_figure(view: DifferenceView) -> DifferencePlot:
    """The panel's figure, showing ``view``."""
    fig, (left, right) = plots.new_figure(1, 2, size=(11, 4.2))
    t = np.linspace(-np.pi - 0.5, np.pi + 0.5, 300)
    left.plot(t, FUNCTION(t), color="black", label="f = sin")
    kw = {"lw": 1.5}
    (tangent,) = left.plot([], [], "--", color="C3", zorder=3, label="tangent", **kw)
    (secant,) = left.plot([], [], color="C0", label="secant of the scheme", **kw)
    (nodes,) = left.plot([], [], "o", color="C0", ms=6)
    (point,) = left.plot([], [], "o", color="C3", ms=5)
    left.set_xlim(t[0], t[-1])
    left.set_ylim(-1.7, 1.7)
    left.set_xlabel("x")
    left.legend(loc="lower right", fontsize=8)
    left.set_title("the tangent and the scheme's secant at x")

    errors = plots.error_versus_step(
        view.curve,
        ["error of the scheme"],
        reference_orders=(),
        show_best=False,
        ylim=(ERROR_FLOOR, 30),
        ax=right,
    )
    errors.lines[0].set_marker("")
    errors.lines[0].set_color("0.15")
    errors.marker.set_color("C3")
    taylor = _taylor_lines(right, view.x)
    best = right.axvline(1.0, ls=":", color="0.3", lw=1, label="predicted best h")
    right.legend(loc="lower left", fontsize=8)
    right.set_title("error |D_h f(x) − f'(x)| for every h  (dot: the slider's h)")
    artists = {
        "tangent": tangent,
        "secant": secant,
        "nodes": nodes,
        "point": point,
        "taylor_h": taylor["h"],
        "taylor_h2": taylor["h2"],
        "best": best,
    }
    plot = DifferencePlot(fig, (left, right), errors, artists)
    plot.show(view)
    left.set_ylabel("f(x)")
    return plot


def readout(view: DifferenceView) -> str:
    """Two lines for the panel: the slopes and the error; regime, order and best step."""
    return (
        f"{view.scheme} difference at x = {view.x:.2f}, h = {view.h:.1e}:  "
        f"D_h f = {view.slope:.10f},  f'(x) = {view.exact:.10f},  error {view.error:.1e}\n"
        f"{view.regime} regime | fitted order {view.order:.2f} | best h: measured "
        f"{view.curve.best_step:.0e}, predicted {view.curve.predicted_best_step:.0e}"
    )


def difference_panel(x: float = 1.0, h: float = 1e-1, scheme: str = "forward") -> widgets.Panel:
    """Sliders h (log scale), scheme and x over the tangent/secant and error-versus-h plots.

    A move recomputes :func:`difference_view` (one batched
    :func:`course_lib.derivatives.error_versus_step` call and one difference quotient) and
    moves the artists of :func:`difference_figure` in place. ``panel.state["view"]`` is the
    :class:`DifferenceView` drawn last.

    Examples
    --------
    >>> panel = difference_panel()
    >>> panel.set(h=1e-5, scheme="centered")["view"].error < 1e-10
    True
    """
    plot = difference_figure(difference_view(x, h, scheme))
    controls = {
        "h": widgets.slider(*H_RANGE, h, step=0.1, log=True, description="h"),
        "scheme": widgets.choice(derivatives.SCHEMES, scheme, description="scheme"),
        "x": widgets.slider(*X_RANGE, x, step=0.05, description="x"),
    }

    def update(h, scheme, x):
        view = difference_view(x, h, scheme)
        plot.show(view)
        return {"readout": readout(view), "view": view}

    panel = widgets.Panel(plot, update, controls)
    panel.plot = plot
    return panel


PANELS = {"finite differences": difference_panel}
