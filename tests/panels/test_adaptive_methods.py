"""Lecture 12's figures and panels draw what the library computes, and its formulas hold."""

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from course_lib import adaptive
from course_lib.descent import gradient_descent
from course_lib.panels import adaptive_methods as lecture


def test_effective_steps_of_gradient_descent_are_eta_and_of_adagrad_its_formula():
    f = lecture.scaled_bowl(100.0)
    gd = gradient_descent(f, lecture.START, 0.005, max_iter=20, tol=0.0)
    np.testing.assert_allclose(lecture.effective_steps(gd, f), 0.005, rtol=1e-10)
    run = adaptive.adaptive_descent(f, lecture.START, 0.3, "adagrad", max_iter=40, tol=0.0)
    g = f.gradient(run.iterates[:-1])
    # written out: η / (√(g₀² + … + g_t²) + ε), a loop over t
    by_hand = np.array([0.3 / (np.sqrt((g[: t + 1] ** 2).sum(0)) + 1e-10) for t in range(40)])
    np.testing.assert_allclose(lecture.effective_steps(run, f), by_hand, rtol=1e-8)
    np.testing.assert_allclose(lecture.adagrad_steps(g, 0.3), by_hand, rtol=1e-12)
    # the first step is η/|g| per coordinate: the steep coordinate's is κ·|x₁/x₂| times smaller
    first = lecture.effective_steps(run, f)[0]
    ratio = first[0] / first[1]
    assert ratio == pytest.approx(100.0 * abs(lecture.START[1] / lecture.START[0]), rel=1e-8)


@settings(max_examples=30, deadline=None)
@given(beta1=st.floats(0.0, 0.99), beta2=st.floats(0.5, 0.9999))
def test_uncorrected_steps_follow_the_formula_and_corrected_ones_are_eta(beta1, beta2):
    measured = lecture.constant_gradient_steps(beta1, beta2, steps=50)
    t = np.arange(1, 51)
    by_hand = (1 - beta1**t) / np.sqrt(1 - beta2**t)
    np.testing.assert_allclose(measured[1], by_hand, rtol=1e-9)
    np.testing.assert_allclose(
        lecture.uncorrected_step_factor(beta1, beta2, t), by_hand, rtol=1e-14
    )
    np.testing.assert_allclose(measured[0], 1.0, rtol=1e-9)


@pytest.mark.parametrize("beta2", [0.0, 0.1, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("C", [2.5, 3.0, 10.0])
def test_reddi_second_moments_are_the_cycle_of_the_recursion(beta2, C):
    v = 0.0
    for _ in range(3 * 3000):  # gradients C, −1, −1, …: iterate until the cycle is reached
        for g in (C, -1.0, -1.0):
            v = beta2 * v + (1 - beta2) * g * g
    cycle = []
    for g in (C, -1.0, -1.0):
        v = beta2 * v + (1 - beta2) * g * g
        cycle.append(v)
    np.testing.assert_allclose(lecture.reddi_second_moments(beta2, C), cycle, rtol=1e-12)


@pytest.mark.parametrize("C", [3.0, 5.0, 10.0])
def test_reddi_threshold_is_the_root_of_the_drift(C):
    root = brentq(lambda b: float(lecture.reddi_drift(b, C)), 0.0, 0.999)
    assert lecture.reddi_threshold(C) == pytest.approx(root, abs=1e-9)


def test_reddi_drift_predicts_where_adam_ends_for_every_beta2_of_a_sweep():
    C = 3.0
    beta2 = np.linspace(0.0, 0.99, 34)
    threshold = lecture.reddi_threshold(C)
    clear = np.abs(beta2 - threshold) > 0.05  # right at the switch the drift is too slow to tell
    runs = lecture.reddi_runs(beta2, C)
    ends = lecture.final_points(runs["Adam"])[:, 0]
    predicted = np.where(lecture.reddi_drift(beta2, C) > 0, -1.0, 1.0)
    np.testing.assert_allclose(ends[clear], predicted[clear], atol=0.1)
    np.testing.assert_allclose(lecture.final_points(runs["AMSGrad"])[:, 0], -1.0, atol=0.05)


def test_average_regret_is_the_written_sum():
    runs = lecture.reddi_runs(0.1, 3.0, steps=30)
    x = runs["Adam"].iterates[:, 0]
    total, expected = 0.0, []
    for t in range(1, 31):
        coefficient = 3.0 if t % 3 == 1 else -1.0
        total += coefficient * x[t - 1] - coefficient * (-1.0)
        expected.append(total / t)
    np.testing.assert_allclose(lecture.average_regret(runs["Adam"], 3.0), expected, rtol=1e-12)


def test_figures_draw_the_given_numbers():
    measured = lecture.constant_gradient_steps(0.9, 0.999, steps=30)
    plot = lecture.bias_figure(measured, 0.9, 0.999)
    lines = {line.get_label(): line for line in plot.ax.lines}
    np.testing.assert_array_equal(lines["without (measured)"].get_ydata(), measured[1])
    runs = lecture.reddi_runs(0.1, steps=60)
    plot = lecture.reddi_figure(runs)
    left, right = plot.ax
    np.testing.assert_array_equal(left.lines[0].get_ydata(), runs["Adam"].iterates[:, 0])
    np.testing.assert_allclose(right.lines[1].get_ydata(), lecture.average_regret(runs["AMSGrad"]))
    steps = {"AdaGrad": np.ones((5, 2))}
    assert len(lecture.effective_steps_figure(steps).ax.lines) == 2
    sweep = lecture.beta2_sweep_figure([0.1, 0.5], {3.0: [1.0, -1.0]}, {3.0: 0.47})
    assert sweep.ax.lines[0].get_ydata().tolist() == [1.0, -1.0]


# --------------------------------------------------------------------------- panels


@pytest.fixture(scope="module")
def scaling():
    return lecture.scaling_panel()


@pytest.fixture(scope="module")
def bias():
    return lecture.bias_panel()


@pytest.fixture(scope="module")
def reddi():
    return lecture.reddi_panel()


@pytest.mark.parametrize(("method", "angle"), [("AdaGrad", 0.0), ("Adam", 30.0), ("RMSProp", 45.0)])
def test_scaling_panel_draws_the_library_runs(scaling, method, angle):
    readout = scaling.set(method=method, learning_rate=0.05, condition_number=50.0, angle=angle)
    f = lecture.scaled_bowl(50.0, angle)
    run = adaptive.adaptive_descent(
        f, lecture.START, 0.05, lecture.METHODS[method], max_iter=lecture.STEPS, tol=lecture.TOL
    )
    gd = gradient_descent(f, lecture.START, 2 / 51, max_iter=lecture.STEPS, tol=lecture.TOL)
    a = scaling.artists
    shown = lecture.PATH_STEPS + 1
    np.testing.assert_array_equal(np.column_stack(a["path"].get_data()), run.iterates[:shown])
    np.testing.assert_array_equal(np.column_stack(a["gd_path"].get_data()), gd.iterates[:shown])
    np.testing.assert_array_equal(
        a["loss"].get_ydata(), np.where(run.losses > 0, run.losses, np.nan)
    )
    assert f"{method}, η = 0.05" in readout and f"axes turned {angle:.0f}°" in readout


def test_scaling_panel_reruns_tuned_gd_only_when_the_bowl_changes():
    panel = lecture.scaling_panel()
    panel.set(method="Adam", learning_rate=0.05, condition_number=20.0, angle=10.0)
    first = panel.artists["gd_run"]
    panel.set(method="AdaGrad", learning_rate=0.2)  # same bowl: the GD run is reused
    assert panel.artists["gd_run"] is first
    panel.set(angle=20.0)  # a new bowl: GD runs again, on it
    f = lecture.scaled_bowl(20.0, 20.0)
    gd = gradient_descent(f, lecture.START, 2 / 21, max_iter=lecture.STEPS, tol=lecture.TOL)
    np.testing.assert_array_equal(panel.artists["gd_run"].iterates, gd.iterates)
    assert panel.artists["gd_run"] is not first


def test_scaling_panel_shows_the_axis_aligned_advantage_and_its_loss_when_turned(scaling):
    aligned = scaling.set(method="RMSProp", learning_rate=0.1, condition_number=100.0, angle=0.0)
    assert (
        "RMSProp: ‖∇f‖ ≤ 1e-6 after" in aligned and "tuned GD (η = 2/(1 + κ)): max_iter" in aligned
    )
    turned = scaling.set(angle=45.0)
    assert "RMSProp: max_iter" in turned


def test_bias_panel_draws_measured_and_predicted_steps(bias):
    readout = bias.set(beta1=0.8, beta2=0.99, learning_rate=0.05)
    a = bias.artists
    t = np.arange(1, lecture.BIAS_STEPS + 1)
    predicted = (1 - 0.8**t) / np.sqrt(1 - 0.99**t)
    np.testing.assert_allclose(a["predicted"].get_ydata(), predicted, rtol=1e-14)
    np.testing.assert_allclose(a["uncorrected"].get_ydata(), predicted, rtol=1e-9)
    np.testing.assert_allclose(a["corrected"].get_ydata(), 1.0, rtol=1e-9)
    assert f"first step without correction: {0.2 / 0.1:.3g} η" in readout  # 0.2/√0.01 = 2
    runs = adaptive.adaptive_descent(
        lecture.scaled_bowl(100.0), lecture.START, 0.05, "adam", betas=(0.8, 0.99),
        bias_correction=False, max_iter=lecture.BIAS_STEPS, tol=0.0,
    )  # fmt: skip
    np.testing.assert_array_equal(
        a["loss_off"].get_ydata(), np.where(runs.losses > 0, runs.losses, np.nan)
    )


def test_reddi_panel_draws_the_runs_and_predicts_the_side(reddi):
    readout = reddi.set(beta2=0.1, C=3.0, learning_rate=0.5)
    runs = lecture.reddi_runs(0.1, 3.0, 0.5)
    np.testing.assert_array_equal(reddi.artists["x_Adam"].get_ydata(), runs["Adam"].iterates[:, 0])
    assert "towards +1 (wrong)" in readout and "Adam +0.9" in readout
    readout = reddi.set(beta2=0.9)
    assert "towards −1 (right)" in readout and "Adam -0.9" in readout
    assert reddi.artists["regret_level"].get_ydata()[0] == pytest.approx(2 / 3)


def test_panels_refuse_slider_values_outside_their_range(scaling, reddi):
    with pytest.raises(ValueError, match="learning_rate"):
        scaling.set(learning_rate=5.0)
    with pytest.raises(ValueError, match="beta2"):
        reddi.set(beta2=1.0)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_one_slider_step_changes_the_shown_value(name):
    """A move by one step must show in the readout (the browser test reads it there)."""
    import ipywidgets

    panel = lecture.PANELS[name]()
    for control in panel.controls.values():
        if isinstance(control, ipywidgets.FloatSlider):
            shown = format(control.value, control.readout_format)
            stepped = format(control.value + control.step, control.readout_format)
            assert shown != stepped, control.description


def test_docstring_examples_run():
    result = doctest.testmod(lecture, extraglobs={"np": np})
    assert result.attempted > 8 and result.failed == 0
