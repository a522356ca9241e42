"""Lecture 02's panels and figures draw what course_lib.derivatives computes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import derivatives as D
from course_lib.objectives import rosenbrock
from course_lib.panels import derivatives_and_finite_differences as L

EPS = np.finfo(float).eps
SCHEMES = st.sampled_from(D.SCHEMES)
POINTS = st.floats(-3.0, 3.0)
STEPS = st.floats(1e-12, 1.0)


# ---------------------------------------------------------------------------------------
# What the panel computes
# ---------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(x=POINTS, h=STEPS, scheme=SCHEMES)
def test_difference_view_holds_the_secant_of_the_scheme_and_the_true_slope(x, h, scheme):
    view = L.difference_view(x, h, scheme)
    left, right = {"forward": (x, x + h), "backward": (x - h, x), "centered": (x - h, x + h)}[
        scheme
    ]
    np.testing.assert_array_equal(view.nodes, [left, right])
    np.testing.assert_array_equal(view.values, np.sin([left, right]))
    # the slope is the quotient of the scheme, written out here independently of the library
    quotient = (np.sin(right) - np.sin(left)) / (h if scheme != "centered" else 2 * h)
    assert view.slope == pytest.approx(quotient, rel=1e-12, abs=1e-12)
    assert view.exact == np.cos(x)
    assert view.error == abs(view.slope - np.cos(x))


@settings(max_examples=25, deadline=None)
@given(x=POINTS, scheme=SCHEMES)
def test_difference_view_curve_is_the_error_of_the_scheme_at_every_step(x, scheme):
    view = L.difference_view(x, 1e-3, scheme)
    h = L.STEPS
    quotient = {
        "forward": (np.sin(x + h) - np.sin(x)) / h,
        "backward": (np.sin(x) - np.sin(x - h)) / h,
        "centered": (np.sin(x + h) - np.sin(x - h)) / (2 * h),
    }[scheme]
    np.testing.assert_array_equal(view.curve.steps, h)
    np.testing.assert_allclose(view.curve.errors, np.abs(quotient - np.cos(x)), rtol=1e-12)


@pytest.mark.parametrize(
    ("x", "scheme", "order"),
    [
        (1.0, "forward", 1),
        (2.5, "backward", 1),
        (1.0, "centered", 2),
        (-2.0, "centered", 2),
        (0.0, "forward", 2),  # f''(0) = 0: the h term vanishes, the h² term leads
    ],
)
def test_fitted_order_on_the_truncation_window_is_the_order_of_the_scheme(x, scheme, order):
    assert L.difference_view(x, 1e-2, scheme).order == pytest.approx(order, abs=0.05)


AWAY_FROM_ZEROS = POINTS.filter(lambda x: abs(np.sin(x)) > 0.2 and abs(np.cos(x)) > 0.2)


@settings(max_examples=30, deadline=None)
@given(x=AWAY_FROM_ZEROS)
def test_truncation_model_matches_the_error_written_out_by_hand(x):
    # where sin'' = -sin and sin''' = -cos are not small, the leading Taylor term dominates:
    # the next terms are below 1 % for these steps, round-off far below
    h = np.array([1e-4, 1e-3])
    forward = np.abs((np.sin(x + h) - np.sin(x)) / h - np.cos(x))
    np.testing.assert_allclose(L.truncation_model(x, h)["h"], forward, rtol=1e-2)
    h = np.array([1e-3, 1e-2])
    centered = np.abs((np.sin(x + h) - np.sin(x - h)) / (2 * h) - np.cos(x))
    np.testing.assert_allclose(L.truncation_model(x, h)["h2"], centered, rtol=1e-2)
    np.testing.assert_allclose(L.truncation_model(x, h)["roundoff"], EPS / h, rtol=1e-15)


def test_regime_switches_at_the_predicted_best_step():
    best = D.default_step(1.0, "centered")
    assert L.difference_view(1.0, 10 * best, "centered").regime == "truncation"
    assert L.difference_view(1.0, best / 10, "centered").regime == "round-off"


def test_difference_view_names_the_bad_argument():
    with pytest.raises(ValueError, match="scheme must be one of"):
        L.difference_view(1.0, 1e-3, "sideways")
    with pytest.raises(ValueError, match="h must be positive"):
        L.difference_view(1.0, -1e-3, "forward")
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        L.difference_view("one", 1e-3, "forward")


# ---------------------------------------------------------------------------------------
# Counting evaluations
# ---------------------------------------------------------------------------------------


def test_evaluation_counter_counts_every_point_of_a_batch():
    f = L.EvaluationCounter(lambda x: np.sum(x**2, axis=-1))
    np.testing.assert_array_equal(f(np.ones((4, 3))), np.full(4, 3.0))
    f(np.ones(3))
    f(np.ones((2, 5, 3)))
    assert (f.calls, f.points) == (3, 4 + 1 + 10)


@settings(max_examples=25, deadline=None)
@given(d=st.integers(1, 80), scheme=SCHEMES)
def test_numerical_gradient_costs_2d_evaluations_centered_and_d_plus_1_one_sided(d, scheme):
    objective = rosenbrock(dim=max(d, 2))
    d = objective.dim
    f = L.EvaluationCounter(objective.value)
    g = D.gradient(f, np.full(d, 0.5), scheme=scheme)
    assert f.points == (2 * d if scheme == "centered" else d + 1)
    np.testing.assert_allclose(g, objective.gradient(np.full(d, 0.5)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("d", [3, 40, 1000])
def test_a_plain_function_declared_rowwise_costs_exactly_2d_evaluations(d):
    # a plain function is checked by two single-point calls unless declared row by row
    plain = L.EvaluationCounter(lambda X: X[..., 0])
    D.gradient(plain, np.linspace(-1.0, 1.5, d))
    declared = L.EvaluationCounter(lambda X: X[..., 0], rowwise=True)
    g = D.gradient(declared, np.linspace(-1.0, 1.5, d))
    assert declared.points == 2 * d and plain.points == 2 * d + 2
    np.testing.assert_allclose(g, np.eye(d)[0], atol=1e-8)


def test_evaluation_counter_rejects_a_non_callable():
    with pytest.raises(TypeError, match="f must be callable"):
        L.EvaluationCounter(3.0)


# ---------------------------------------------------------------------------------------
# Static figures draw the arrays they are given
# ---------------------------------------------------------------------------------------


def test_error_curves_figure_draws_each_curve_and_the_truncation_model():
    curves = {s: D.error_versus_step(np.sin, np.cos, 1.0, L.STEPS, scheme=s) for s in D.SCHEMES}
    fig = L.error_curves_figure(curves, 1.0)
    lines = fig.ax.get_lines()
    for line, curve in zip(lines, curves.values(), strict=False):
        np.testing.assert_array_equal(
            line.get_ydata(), np.where(curve.errors > 0, curve.errors, np.nan)
        )
    model = L.truncation_model(1.0, L.STEPS)
    drawn = {line.get_label(): line.get_ydata() for line in lines}
    visible = np.where(model["h"] > L.ERROR_FLOOR, model["h"], np.nan)
    np.testing.assert_array_equal(drawn["Taylor (h/2)|f''(x)|  ∝ h"], visible)


def test_tangent_error_figure_draws_h_times_the_forward_error():
    curve = D.error_versus_step(np.sin, np.cos, 1.0, L.STEPS, scheme="forward")
    fig = L.tangent_error_figure(curve, 1.0)
    line = fig.fig.axes[1].get_lines()[-1]
    h = line.get_xdata()
    # |f(x+h) - f(x) - f'(x) h| written out, against what the figure draws
    by_hand = np.abs(np.sin(1.0 + h) - np.sin(1.0) - np.cos(1.0) * h)
    np.testing.assert_allclose(line.get_ydata(), by_hand, rtol=1e-6, atol=1e-15)


def test_cost_figure_draws_the_counts():
    dims = np.array([2, 4, 8])
    counts = {"centered": 2 * dims, "analytic": np.ones(3)}
    fig = L.cost_figure(dims, counts)
    drawn = [line.get_ydata() for line in fig.fig.axes[0].get_lines()]
    np.testing.assert_array_equal(drawn[0], 2 * dims)
    np.testing.assert_array_equal(drawn[1], np.ones(3))


# ---------------------------------------------------------------------------------------
# The panel, driven headlessly as a student's sliders would
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def panel():
    return L.difference_panel()


def _by_hand(x, h, scheme):
    """The difference quotient of sin written out (independent of the library)."""
    return {
        "forward": (np.sin(x + h) - np.sin(x)) / h,
        "backward": (np.sin(x) - np.sin(x - h)) / h,
        "centered": (np.sin(x + h) - np.sin(x - h)) / (2 * h),
    }[scheme]


def _slope(line):
    (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
    return (y1 - y0) / (x1 - x0)


@settings(max_examples=20, deadline=None)
@given(
    h=st.sampled_from([1e-14, 1e-9, 1e-5, 1e-2, 0.5]),
    scheme=SCHEMES,
    x=st.sampled_from([-2.5, -1.0, 0.0, 0.35, 1.0, 2.0]),
)
def test_a_slider_move_draws_the_secant_error_curve_and_marker_of_the_new_values(
    panel, h, scheme, x
):
    state = panel.set(h=h, scheme=scheme, x=x)
    art, errors = panel.plot.artists, panel.plot.errors
    quotient = _by_hand(x, h, scheme)
    error = abs(quotient - np.cos(x))
    assert state["view"].error == pytest.approx(error, rel=1e-12, abs=1e-300)
    # the dot sits at (h, error) on the right (a zero error is a gap on the log axis)
    mx, my = errors.marker.get_data()
    assert mx[0] == h
    assert my[0] == pytest.approx(error, rel=1e-12) if error > 0 else np.isnan(my[0])
    # the curve is the error of the scheme at every step
    curve = np.abs(_by_hand(x, L.STEPS, scheme) - np.cos(x))
    np.testing.assert_array_equal(errors.lines[0].get_xdata(), L.STEPS)
    drawn = errors.lines[0].get_ydata()
    np.testing.assert_allclose(drawn[curve > 0], curve[curve > 0], rtol=1e-12)
    # the secant passes through the scheme's two points with the quotient as slope
    np.testing.assert_allclose(art["nodes"].get_ydata(), np.sin(art["nodes"].get_xdata()))
    assert _slope(art["secant"]) == pytest.approx(quotient, rel=1e-9, abs=1e-12)
    assert _slope(art["tangent"]) == pytest.approx(np.cos(x), rel=1e-9, abs=1e-12)
    # Taylor lines and the predicted best step for this x and scheme
    h_taylor = L.STEPS / 2 * abs(np.sin(x))
    np.testing.assert_allclose(
        art["taylor_h"].get_ydata(), np.where(h_taylor > L.ERROR_FLOOR, h_taylor, np.nan)
    )
    power = 1 / 3 if scheme == "centered" else 1 / 2
    assert art["best"].get_xdata()[0] == pytest.approx(EPS**power * max(1.0, abs(x)))
    assert f"error {error:.1e}" in panel.readout
    assert not panel.last_timing["full_redraw"]  # only the moving artists were redrawn


def test_moving_the_widget_itself_updates_the_panel(panel):
    panel.set(h=1e-2, scheme="forward", x=1.0)
    panel.controls["h"].value = 1e-3
    assert panel.state["view"].h == pytest.approx(1e-3)
    assert panel.plot.errors.marker.get_xdata()[0] == pytest.approx(1e-3)
    panel.controls["scheme"].value = "centered"
    assert panel.state["view"].order == pytest.approx(2, abs=0.05)


def test_the_panel_refuses_values_its_controls_cannot_take(panel):
    with pytest.raises(ValueError, match="scheme must be one of"):
        panel.set(scheme="sideways")
    with pytest.raises(ValueError, match="h must lie in"):
        panel.set(h=10.0)
    with pytest.raises(ValueError, match="x must lie in"):
        panel.set(x=5.0)


@pytest.mark.parametrize("name", sorted(L.PANELS))
def test_every_listed_panel_builds_without_arguments_and_draws(name):
    built = L.PANELS[name]()
    assert built.png.startswith(b"\x89PNG")
    state = built.set(h=1e-4)
    assert state["view"].h == pytest.approx(1e-4)
