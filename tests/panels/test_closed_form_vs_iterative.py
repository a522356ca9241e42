"""Lecture 01's figures and panel draw what the library computes, and agree with references."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import closed_form
from course_lib.data import linear_data
from course_lib.panels import closed_form_vs_iterative as lecture


def _scipy_line(x, y):
    """Independent reference: scipy's least squares on [x, 1]."""
    return scipy.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y)[0]


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(5, 200),
    noise=st.floats(0.0, 3.0),
    seed=st.integers(0, 10_000),
    eta_fraction=st.floats(0.2, 0.9),
)
def test_gradient_descent_converges_to_the_closed_form_line(n, noise, seed, eta_fraction):
    x, y = linear_data(n, 2.0, 1.0, noise, seed)
    eta = eta_fraction * lecture.stability_limit(x)
    traj = lecture.descend(x, y, eta, 20_000)
    assert traj.status == "converged"
    np.testing.assert_allclose(traj.final, _scipy_line(x, y), atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 200), noise=st.floats(0.0, 3.0), seed=st.integers(0, 10_000))
def test_two_parameter_formula_equals_lstsq_and_scipy(n, noise, seed):
    x, y = linear_data(n, 2.0, 1.0, noise, seed)
    formula = closed_form.line_fit(x, y)
    X = closed_form.design_matrix(x)
    np.testing.assert_allclose(formula, closed_form.lstsq_solution(X, y), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(formula, _scipy_line(x, y), rtol=1e-9, atol=1e-9)


def test_descend_is_gradient_descent_on_the_mean_squared_error_by_hand():
    x, y = linear_data(30, 2.0, 1.0, 1.0, 3)
    eta, steps = 0.2, 7
    traj = lecture.descend(x, y, eta, steps, tol=0.0)
    theta = lecture.START.copy()
    for _ in range(steps):  # θ ← θ − η (1/n) Σ (m xᵢ + b − yᵢ) (xᵢ, 1), written out
        r = theta[0] * x + theta[1] - y
        theta = theta - eta * np.array([np.mean(r * x), np.mean(r)])
    np.testing.assert_allclose(traj.final, theta, rtol=1e-12)


def test_stability_limit_is_two_over_the_top_eigenvalue_of_the_sample_moments():
    x, _ = linear_data(50, seed=4)
    moments = np.array([[np.mean(x**2), np.mean(x)], [np.mean(x), 1.0]])
    top = scipy.linalg.eigh(moments, eigvals_only=True)[-1]
    assert lecture.stability_limit(x) == pytest.approx(2.0 / top, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 1000), steps=st.integers(1, 120))
def test_sweep_is_the_batch_of_single_runs_and_obeys_the_rate_bound(seed, steps):
    x, y = linear_data(25, 2.0, 1.0, 1.0, seed)
    limit = lecture.stability_limit(x)
    etas = np.array([0.1, 0.5, 0.9, 1.3]) * limit
    traj, measured, predicted = lecture.learning_rate_sweep(x, y, etas, steps)
    for k, eta in enumerate(etas):
        alone = lecture.descend(x, y, eta, steps, tol=0.0)
        np.testing.assert_allclose(traj.run(k).final, alone.final, rtol=1e-12)
    stable = etas < limit
    assert np.all(measured[stable] <= np.maximum(predicted[stable] * (1 + 1e-9), 1e-12))
    e0 = np.linalg.norm(lecture.START - _scipy_line(x, y))
    assert np.all(predicted[~stable] > e0)  # ρ > 1 above the limit


def test_distance_to_closed_form_is_infinite_for_a_diverged_run():
    x, y = linear_data(20, seed=1)
    traj = lecture.descend(x, y, 3.0 * lecture.stability_limit(x), 500)
    assert traj.status == "diverged"
    assert lecture.distance_to_closed_form(traj, [2.0, 1.0]) == np.inf


def test_level_lines_lie_on_their_level_of_the_mean_squared_error():
    x, y = linear_data(40, 2.0, 1.0, 1.0, 0)
    m, b = closed_form.line_fit(x, y)
    jstar = np.mean((m * x + b - y) ** 2)
    for level, line in zip(lecture.LEVELS, lecture.level_lines(x, y), strict=True):
        pts = line[np.isfinite(line[:, 0])]
        assert len(pts) > 10
        # the MSE written out, at every contour point (linear interpolation on a 121² grid)
        j = np.mean((pts[:, :1] * x + pts[:, 1:] - y) ** 2, axis=1)
        np.testing.assert_allclose(j, jstar + level, rtol=2e-2, atol=2e-2)


def test_level_lines_reject_non_positive_levels():
    with pytest.raises(ValueError, match="levels"):
        lecture.level_lines([0.0, 1.0, 2.0], [1.0, 2.0, 4.0], [0.0, 1.0])


def test_descend_rejects_zero_steps_and_negative_learning_rates():
    with pytest.raises(ValueError, match="steps"):
        lecture.descend([0.0, 1.0], [1.0, 2.0], 0.1, 0)
    with pytest.raises(ValueError, match="learning_rate"):
        lecture.descend([0.0, 1.0], [1.0, 2.0], -0.1, 5)


def test_line_fit_plot_update_draws_the_library_results():
    plot = lecture.line_fit_plot()
    drawn = plot.update(n=33, noise=2.5, steps=12, learning_rate=0.25)
    a = plot.artists
    x, y = linear_data(33, lecture.SLOPE, lecture.INTERCEPT, 2.5, lecture.SEED)
    np.testing.assert_array_equal(a["points"].get_xdata(), x)
    np.testing.assert_array_equal(a["points"].get_ydata(), y)
    traj = lecture.descend(x, y, 0.25, 12)
    np.testing.assert_allclose(np.column_stack(a["path"].get_data()), traj.iterates)
    m, b = _scipy_line(x, y)
    assert a["star"].get_xdata()[0] == pytest.approx(m, rel=1e-9)
    assert a["star"].get_ydata()[0] == pytest.approx(b, rel=1e-9)
    ends = np.asarray(a["gd_line"].get_xdata())
    np.testing.assert_allclose(a["gd_line"].get_ydata(), traj.final[0] * ends + traj.final[1])
    np.testing.assert_allclose(a["closed"].get_ydata(), m * ends + b, rtol=1e-9)
    assert f"m* = {m:.4f}" in drawn["readout"]
    assert plot._repr_png_().startswith(b"\x89PNG")  # a bare plot shows itself in a notebook


def _drawn_path(panel):
    return np.column_stack(panel.plot.artists["path"].get_data())


def test_panel_set_redraws_with_the_library_run_for_the_new_values():
    panel = lecture.line_fit_panel()
    before, png = panel.readout, panel.png
    state = panel.set(n=70, noise=0.5, steps=40, learning_rate=0.45)
    x, y = linear_data(70, lecture.SLOPE, lecture.INTERCEPT, 0.5, lecture.SEED)
    traj = lecture.descend(x, y, 0.45, 40)
    np.testing.assert_allclose(_drawn_path(panel), traj.iterates)
    np.testing.assert_allclose(state["theta_star"], _scipy_line(x, y), rtol=1e-9)
    assert state is panel.state
    assert panel.readout != before and "η = 0.45" in panel.readout
    assert panel.png != png  # the picture the student sees changed too


@pytest.mark.parametrize(
    ("control", "value"), [("n", 12), ("noise", 2.7), ("steps", 3), ("learning_rate", 0.7)]
)
def test_each_slider_alone_recomputes_the_panel(control, value):
    panel = lecture.line_fit_panel()
    panel.controls[control].value = value  # what a drag in the browser does
    now = panel.values
    assert now[control] == pytest.approx(value)
    x, y = linear_data(now["n"], lecture.SLOPE, lecture.INTERCEPT, now["noise"], lecture.SEED)
    traj = lecture.descend(x, y, now["learning_rate"], now["steps"])
    np.testing.assert_allclose(_drawn_path(panel), np.clip(traj.iterates, -1e3, 1e3))
    assert panel.state["trajectory"].params["learning_rate"] == now["learning_rate"]


def test_panel_moves_only_redraw_the_moving_artists():
    panel = lecture.line_fit_panel()
    draws = panel.background_draws
    for eta in (0.2, 0.3, 0.4):
        panel.set(learning_rate=eta, n=50 + int(100 * eta))
    assert panel.background_draws == draws  # contours and data moved, background cached


def test_panel_beyond_the_stability_limit_reports_no_convergence():
    panel = lecture.line_fit_panel()
    state = panel.set(learning_rate=0.8, steps=300)
    assert 0.8 > lecture.stability_limit(state["x"])
    assert state["trajectory"].status == "diverged"
    assert "diverged" in panel.readout


def test_panel_rejects_an_unknown_control_and_an_out_of_range_value():
    panel = lecture.line_fit_panel()
    with pytest.raises(ValueError, match="unknown control"):
        panel.set(momentum=0.9)
    with pytest.raises(ValueError, match="n must lie in"):
        panel.set(n=1)


def test_every_registered_panel_builds_without_arguments():
    for name, build in lecture.PANELS.items():
        panel = build()
        assert panel.readout, name
        assert set(panel.controls) == {"n", "noise", "steps", "learning_rate"}


def test_sweep_figure_draws_the_measured_and_predicted_errors():
    x, y = linear_data(40, seed=0)
    etas = np.linspace(0.05, 0.8, 16)
    _, measured, predicted = lecture.learning_rate_sweep(x, y, etas, 50)
    plot = lecture.sweep_figure(etas, measured, predicted, lecture.stability_limit(x), 50)
    prediction_line, measured_dots = plot.ax.lines[:2]
    np.testing.assert_allclose(prediction_line.get_ydata(), np.clip(predicted, 1e-17, 1e30))
    finite = np.isfinite(measured)
    np.testing.assert_allclose(
        measured_dots.get_ydata()[finite], np.maximum(measured, 1e-17)[finite]
    )
    assert np.all(np.isnan(measured_dots.get_ydata()[~finite]))  # diverged runs leave gaps
    assert plot._repr_png_().startswith(b"\x89PNG")


def test_paths_figure_centres_each_case_on_its_closed_form():
    x, y = linear_data(30, seed=2)
    cases = {
        f"shift {s}": (x + s, y + 2 * s, lecture.descend(x + s, y + 2 * s, 0.01, 5)) for s in (0, 3)
    }
    plot = lecture.paths_figure(cases, half_width=2.0)
    for ax, (xs, ys, _) in zip(plot.ax, cases.values(), strict=True):
        m, b = _scipy_line(xs, ys)
        assert np.mean(ax.get_xlim()) == pytest.approx(m) and np.mean(
            ax.get_ylim()
        ) == pytest.approx(b)
    assert plot._repr_png_().startswith(b"\x89PNG")
