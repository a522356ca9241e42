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
from matplotlib.figure import Figure

from course_lib import derivatives
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
COLORS = {"forward": "tab:blue", "backward": "tab:green", "centered": "tab:orange"}


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
        return derivatives.fitted_order(curve.steps, curve.errors, low=TRUNCATION_WINDOW[0],
                                        high=TRUNCATION_WINDOW[1])  # fmt: skip
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
        x, h, scheme, nodes, FUNCTION(nodes), slope, exact, abs(slope - exact), curve,
        _order(curve),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Static figures of the notebook
# ---------------------------------------------------------------------------------------


def _loglog(ax, xlabel="step h", ylabel="error"):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)


def tangent_error_figure(curve: derivatives.StepErrorCurve, x: float) -> Figure:
    """Left: sin with its tangent at x. Right: the tangent's prediction error against h.

    The prediction error |f(x + h) − f(x) − f'(x)h| equals h · |D₊f(x) − f'(x)|, so it is
    read off a forward-difference ``curve``; Taylor says it is ≈ (h²/2)|f''(x)|.
    """
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    t = np.linspace(-np.pi, np.pi, 200)
    left.plot(t, FUNCTION(t), color="black", label="f(x) = sin x")
    left.plot(t, FUNCTION(x) + DERIVATIVES[0](x) * (t - x), "--", color="tab:red",
              label="tangent f(x) + f'(x)·h")  # fmt: skip
    left.plot([x], [FUNCTION(x)], "o", color="tab:red")
    left.set_ylim(-1.6, 1.6)
    left.set_xlabel("x")
    left.legend(loc="lower right")
    left.set_title(f"the tangent at x = {x:g}")
    keep = curve.steps >= 1e-6
    h = curve.steps[keep]
    right.plot(h, h**2 / 2 * abs(DERIVATIVES[1](x)), color="gray", lw=5, alpha=0.35,
               label="Taylor: (h²/2)|f''(x)|")  # fmt: skip
    right.plot(h, h * curve.errors[keep], color="tab:red", label="|f(x+h) − f(x) − f'(x)h|")
    _loglog(right, ylabel="prediction error")
    right.legend(loc="upper left")
    right.set_title("the linear prediction errs by O(h²)")
    return fig


def error_curves_figure(curves: dict, x: float) -> Figure:
    """Error against h on log-log axes for each scheme, with the Taylor predictions.

    Parameters
    ----------
    curves : dict of scheme -> StepErrorCurve
        The curves to draw (all at the same point x).
    x : float
        The point, for the truncation model and the title.
    """
    fig = Figure(figsize=(8, 4.6), layout="constrained")
    ax = fig.subplots()
    for scheme, curve in curves.items():
        ax.plot(curve.steps, np.maximum(curve.errors, ERROR_FLOOR), color=COLORS[scheme],
                label=f"{scheme} (best h = {curve.best_step:.0e})")  # fmt: skip
    _reference_lines(ax, x, STEPS)
    for power, text in ((1 / 2, r"$\varepsilon^{1/2}$"), (1 / 3, r"$\varepsilon^{1/3}$")):
        ax.axvline(derivatives.EPS**power, color="gray", lw=0.8)
        ax.text(derivatives.EPS**power, 3.0, text, ha="center", va="bottom", fontsize=9)
    ax.set_ylim(ERROR_FLOOR / 2, 30)
    _loglog(ax)
    ax.legend(loc="lower left", fontsize=8, ncol=2)
    ax.set_title(f"f = sin at x = {x:g}: truncation (right) against round-off (left)")
    return fig


def _reference_lines(ax, x, steps):
    """The dotted predictions (h/2)|f''|, (h²/6)|f'''| and the ε/h guide; returns them."""
    model = truncation_model(x, steps)
    styles = {
        "h": ("(h/2)|f''(x)|  ∝ h", COLORS["forward"]),
        "h2": ("(h²/6)|f'''(x)|  ∝ h²", COLORS["centered"]),
        "roundoff": ("ε/h  (round-off)", "gray"),
    }
    return {
        key: ax.plot(steps, _visible(model[key]), ":", color=color, lw=1.5, label=label)[0]
        for key, (label, color) in styles.items()
    }


def _visible(values):
    """Values with those below :data:`ERROR_FLOOR` hidden (nan), for a reference line."""
    return np.where(values > ERROR_FLOOR, values, np.nan)


def cost_figure(dims, counts: dict) -> Figure:
    """Evaluations of f per gradient against the dimension d (log-log).

    ``counts`` maps a label ("centered differences", "analytic", ...) to the counted
    evaluations, one per entry of ``dims``.
    """
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    ax = fig.subplots()
    for label, count in counts.items():
        ax.plot(dims, count, "o-", label=label)
    _loglog(ax, xlabel="dimension d", ylabel="evaluations per gradient")
    ax.legend()
    ax.set_title("the cost of one gradient")
    return fig


# ---------------------------------------------------------------------------------------
# Counting evaluations
# ---------------------------------------------------------------------------------------


class EvaluationCounter:
    """Wrap a function of points (..., d) and count how many points it is evaluated at.

    ``calls`` counts calls; ``points`` counts evaluations, a batch of shape (m, d) counting
    m (so a vectorised call on 2d stacked points counts 2d, as 2d separate calls would).

    Examples
    --------
    >>> f = EvaluationCounter(lambda x: np.sum(x**2, axis=-1))
    >>> _ = f(np.zeros((5, 3))); _ = f(np.zeros(3))
    >>> f.calls, f.points
    (2, 6)
    """

    def __init__(self, f):
        self.f = callable_arg(f, "f")
        self.calls = 0
        self.points = 0

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


def difference_figure():
    """The panel's figure and the artists a slider move updates (see :func:`draw_view`)."""
    fig = Figure(figsize=(10, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    t = np.linspace(-np.pi - 0.5, np.pi + 0.5, 300)
    left.plot(t, FUNCTION(t), color="black", lw=1.5, label="f = sin")
    (tangent,) = left.plot([], [], "--", color="tab:red", lw=1.5, zorder=3,
                           label="tangent, slope f'(x)")  # fmt: skip
    (secant,) = left.plot([], [], color="tab:blue", lw=1.5, label="secant, slope D_h f(x)")
    (nodes,) = left.plot([], [], "o", color="tab:blue", ms=6)
    (point,) = left.plot([], [], "o", color="tab:red", ms=5)
    left.set_xlim(t[0], t[-1])
    left.set_ylim(-1.7, 1.7)
    left.set_xlabel("x")
    left.legend(loc="lower right", fontsize=8)
    left.set_title("the tangent and the scheme's secant at x")

    (curve,) = right.plot(STEPS, np.full_like(STEPS, np.nan), color="tab:blue", lw=1.2)
    lines = _reference_lines(right, 1.0, STEPS)
    best = right.axvline(1e-8, color="gray", lw=0.8)
    (marker,) = right.plot([], [], "o", color="tab:red", ms=8, label="current h")
    right.set_xlim(*H_RANGE)
    right.set_ylim(ERROR_FLOOR / 2, 30)
    _loglog(right)
    right.legend(loc="lower left", fontsize=8)
    right.set_title("error |D_h f(x) − f'(x)| for every h")
    artists = {"tangent": tangent, "secant": secant, "nodes": nodes, "point": point,
               "curve": curve, "model_h": lines["h"], "model_h2": lines["h2"],
               "best": best, "marker": marker}  # fmt: skip
    return fig, artists


def draw_view(artists, view: DifferenceView) -> None:
    """Move the artists of :func:`difference_figure` to show ``view`` (data only)."""
    half = 1.6
    span = np.array([view.x - half, view.x + half])
    f_x = float(FUNCTION(view.x))
    artists["tangent"].set_data(span, f_x + view.exact * (span - view.x))
    artists["secant"].set_data(span, view.values[0] + view.slope * (span - view.nodes[0]))
    artists["nodes"].set_data(view.nodes, view.values)
    artists["point"].set_data([view.x], [f_x])
    artists["curve"].set_ydata(np.maximum(view.curve.errors, ERROR_FLOOR))
    artists["curve"].set_color(COLORS[view.scheme])
    model = truncation_model(view.x, STEPS)
    artists["model_h"].set_ydata(_visible(model["h"]))
    artists["model_h2"].set_ydata(_visible(model["h2"]))
    best = view.curve.predicted_best_step
    artists["best"].set_xdata([best, best])
    artists["marker"].set_data([view.h], [max(view.error, ERROR_FLOOR)])


def readout(view: DifferenceView) -> str:
    """One line for the panel: slopes, error, regime, fitted order, best step."""
    return (
        f"{view.scheme} at x = {view.x:.2f}, h = {view.h:.1e}: "
        f"D_h f = {view.slope:.10f}, f'(x) = {view.exact:.10f}, error {view.error:.1e} "
        f"({view.regime} regime) | fitted order {view.order:.2f} | "
        f"best h measured {view.curve.best_step:.0e}, "
        f"predicted {view.curve.predicted_best_step:.0e}"
    )


# ---------------------------------------------------------------------------------------
# The slider panel
# ---------------------------------------------------------------------------------------


class AggPanel:
    """A persistent Agg figure behind ipywidgets controls, redrawn by blitting.

    The static part of the figure is drawn once and cached; a control change calls
    ``update(**values)`` (which moves the artists and returns a view of the new state, which
    ``describe(view)`` turns into the readout text), restores the
    cached background, draws only the moving ``artists`` and pushes a PNG into an
    ``ipywidgets.Image``. Built here, small, because ``course_lib.widgets`` did not exist yet
    when lecture 02 was written.

    Attributes
    ----------
    widget : ipywidgets.VBox
        Controls, image and readout: the thing to display.
    controls : dict of name -> ipywidgets control
    readout : ipywidgets.HTML
    view : object
        Whatever ``update`` returned last (lecture 02: the :class:`DifferenceView`).
    """

    def __init__(self, fig, artists, controls, update, describe, *, dpi=72):
        import ipywidgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig, self.artists, self.controls = fig, list(artists), controls
        self._update, self._describe = update, describe
        self._canvas = FigureCanvasAgg(fig)
        fig.set_dpi(dpi)
        for artist in self.artists:
            artist.set_animated(True)
        self._canvas.draw()  # lays out and draws the static part once
        fig.set_layout_engine("none")  # freeze the layout: the cached background stays valid
        self._background = self._canvas.copy_from_bbox(fig.bbox)
        self.image = ipywidgets.Image(format="png")
        self.readout = ipywidgets.HTML()
        for control in controls.values():
            control.observe(lambda _change: self._refresh(), names="value")
        self.widget = ipywidgets.VBox(
            [ipywidgets.HBox(list(controls.values())), self.image, self.readout]
        )
        self._refresh()

    def set(self, **values):
        """Move controls as a student would, then redraw once (what a slider move runs)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; have {list(self.controls)}")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self._refresh()

    _holding = False

    def _refresh(self):
        if self._holding:
            return
        self.view = self._update(**{name: c.value for name, c in self.controls.items()})
        self.readout.value = f"<code>{self._describe(self.view)}</code>"
        self._canvas.restore_region(self._background)
        for artist in self.artists:
            self.fig.draw_artist(artist)
        self.image.value = self.png()

    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        import io

        from PIL import Image

        buffer = io.BytesIO()
        pixels = np.asarray(self._canvas.buffer_rgba())
        Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def difference_panel(x: float = 1.0, h: float = 1e-1, scheme: str = "forward") -> AggPanel:
    """Sliders h (log scale), scheme and x over the tangent/secant and error-versus-h plots.

    A move recomputes :func:`difference_view` (one batched :func:`error_versus_step` call and
    one difference quotient) and moves the artists of :func:`difference_figure` in place.

    Examples
    --------
    >>> panel = difference_panel()
    >>> panel.set(h=1e-5, scheme="centered")
    >>> panel.view.error < 1e-10
    True
    """
    import ipywidgets

    fig, artists = difference_figure()
    lo, hi = np.log10(H_RANGE)
    controls = {
        "h": ipywidgets.FloatLogSlider(
            value=h, base=10, min=lo, max=hi, step=0.1, description="h", readout_format=".1e"
        ),
        "scheme": ipywidgets.Dropdown(
            options=derivatives.SCHEMES, value=scheme, description="scheme"
        ),
        "x": ipywidgets.FloatSlider(
            value=x, min=X_RANGE[0], max=X_RANGE[1], step=0.05, description="x"
        ),
    }

    def update(h, scheme, x):
        view = difference_view(x, h, scheme)
        draw_view(artists, view)
        return view

    moving = [*artists.values(), *(ax.get_legend() for ax in fig.axes)]
    return AggPanel(fig, moving, controls, update, readout)


PANELS = {"finite differences": difference_panel}
