"""Lecture 04's figures and panels draw what the library computes."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_lib import curvature
from course_lib.descent import gradient_descent
from course_lib.objectives import ill_conditioned_quadratic, quadratic
from course_lib.panels import step_size_and_line_search as lecture


@settings(max_examples=30, deadline=None)
@given(
    kappa=st.floats(1.5, 50.0),
    fraction=st.floats(0.05, 1.1),
    direction=st.sampled_from([0, 1]),
)
def test_measured_rate_on_an_eigenvector_is_its_factor_one_minus_eta_lambda(
    kappa, fraction, direction
):
    f = ill_conditioned_quadratic(kappa, angle=0.7)
    lam, Q = np.linalg.eigh(f.A)  # independent of course_lib.curvature
    eta = fraction * 2.0 / lam[-1]
    expected = abs(1 - eta * lam[direction])
    assume(expected > 0.1)  # 8 steps of a smaller factor drown in the rounding of the other one
    traj = gradient_descent(f, 1.5 * Q[:, direction], eta, max_iter=8, tol=0.0)
    assert lecture.measured_rate(traj, [0.0, 0.0]) == pytest.approx(expected, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(1.5, 50.0), fraction=st.floats(0.05, 1.2), window=st.integers(1, 8))
def test_measured_rate_never_exceeds_the_worst_factor(kappa, fraction, window):
    f = ill_conditioned_quadratic(kappa, angle=0.3)
    eta = fraction * 2.0 / kappa
    traj = gradient_descent(f, [1.0, -0.5], eta, max_iter=30, tol=0.0)
    worst = np.max(np.abs(1 - eta * np.linalg.eigvalsh(f.A)))
    assert lecture.measured_rate(traj, [0.0, 0.0], window=window) <= worst * (1 + 1e-9)


def test_measured_rate_of_a_batch_matches_each_run_alone():
    f = ill_conditioned_quadratic(10.0, angle=0.5)
    etas = np.array([0.05, 0.12, 0.21])
    batch = lecture.measured_rate(gradient_descent(f, [1.0, 1.0], etas, max_iter=80), [0, 0])
    alone = [
        lecture.measured_rate(gradient_descent(f, [1.0, 1.0], e, max_iter=80), [0, 0]) for e in etas
    ]
    np.testing.assert_allclose(batch, alone, rtol=1e-12)


def test_measured_rate_rejects_a_window_of_zero():
    traj = gradient_descent(ill_conditioned_quadratic(2.0), [1.0, 1.0], 0.1, max_iter=5)
    with pytest.raises(ValueError, match="window"):
        lecture.measured_rate(traj, [0.0, 0.0], window=0)


@settings(max_examples=25, deadline=None)
@given(
    lam=st.lists(st.floats(0.2, 30.0), min_size=2, max_size=2),
    b=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2),
    angle=st.floats(0.0, np.pi),
)
def test_level_ellipses_lie_on_their_level_sets(lam, b, angle):
    f = quadratic(lam, b=b, angle=angle)
    levels = np.array([0.1, 1.0, 3.0])
    points = lecture.level_ellipses(f, levels, n=50)
    fstar = 0.5 * np.array(b) @ np.linalg.solve(f.A, np.array(b)) * -1.0
    np.testing.assert_allclose(f.value(points) - fstar, levels[:, None] * np.ones(50), rtol=1e-9)


def test_level_ellipses_reject_non_positive_levels():
    with pytest.raises(ValueError, match="levels"):
        lecture.level_ellipses(ill_conditioned_quadratic(3.0), [1.0, -1.0])


def test_stability_curves_envelope_is_the_gd_rate():
    lam = np.array([0.5, 2.0, 9.0])
    etas = np.linspace(0.0, 0.3, 31)
    curves = lecture.stability_curves(lam, etas)
    assert curves.shape == (31, 3)
    np.testing.assert_allclose(curves.max(axis=1), curvature.gd_rate(lam, etas), rtol=1e-14)
    np.testing.assert_allclose(curves[:, 2], np.abs(1 - 9.0 * etas), rtol=1e-14)


def test_steps_taken_recovers_the_fixed_step_and_the_exact_step_formula():
    f = quadratic([1.0, 7.0], angle=0.9)
    fixed = gradient_descent(f, [1.0, 2.0], 0.05, max_iter=20, tol=0.0)
    np.testing.assert_allclose(lecture.steps_taken(fixed, f), 0.05, rtol=1e-10)
    exact = gradient_descent(f, [1.0, 2.0], line_search="exact", max_iter=20, tol=0.0)
    g = exact.iterates[:-1] @ f.A  # ∇f = Ax, independent of the objective's gradient
    formula = np.sum(g * g, -1) / np.einsum("ti,ij,tj->t", g, f.A, g)
    np.testing.assert_allclose(lecture.steps_taken(exact, f), formula, rtol=1e-9)


# --------------------------------------------------------------------------- panels


def _quadratic(kappa):
    return ill_conditioned_quadratic(kappa, angle=lecture.ANGLE)


@pytest.fixture(scope="module")
def step_panel():
    return lecture.step_size_panel()


@pytest.fixture(scope="module")
def search_panel():
    return lecture.line_search_panel()


def test_step_size_panel_draws_the_library_run_for_new_slider_values(step_panel):
    readout = step_panel.set(learning_rate=0.05, condition_number=30.0)
    a = step_panel.artists
    f = _quadratic(30.0)
    run = gradient_descent(f, lecture.START, 0.05, max_iter=60)
    np.testing.assert_array_equal(np.column_stack(a["path"].get_data()), run.iterates)
    # eigenvalues 1 and 30: limit 2/30, best step 2/31, rate max(|1 − η|, |1 − 30η|)
    assert a["stability"].limit.get_xdata()[0] == pytest.approx(2 / 30, rel=1e-12)
    assert a["best"].get_xdata()[0] == pytest.approx(2 / 31, rel=1e-12)
    assert a["stability"].marker.get_ydata()[0] == pytest.approx(max(0.95, 0.5), rel=1e-12)
    assert f"{run.status.item()} after {int(run.stopped_at)} steps" in readout
    points = np.stack([np.column_stack(line.get_data()) for line in a["ellipses"]])
    levels = np.broadcast_to(np.array(lecture.LEVELS)[:, None], points.shape[:-1])
    np.testing.assert_allclose(f.value(points), levels, rtol=1e-9)


def test_step_size_panel_dots_are_one_batched_sweep_over_the_slider_range(step_panel):
    step_panel.set(condition_number=20.0)
    etas, dots = step_panel.artists["measured"].get_data()
    f = _quadratic(20.0)
    sweep = gradient_descent(f, lecture.START, np.asarray(etas), max_iter=200, tol=0.0)
    np.testing.assert_array_equal(dots, lecture.measured_rate(sweep, [0.0, 0.0]))
    assert np.asarray(etas)[0] == lecture.ETA_RANGE[0]


@pytest.mark.parametrize("fraction", [0.97, 1.03])
def test_step_size_panel_marker_crosses_one_at_two_over_lambda_max(step_panel, fraction):
    kappa = 8.0
    step_panel.set(condition_number=kappa, learning_rate=fraction * 2 / kappa)
    rho = step_panel.artists["stability"].marker.get_ydata()[0]
    assert (rho > 1) == (fraction > 1)


def test_step_size_panel_reports_a_diverged_run(step_panel):
    assert "diverged" in step_panel.set(condition_number=10.0, learning_rate=0.5)


@pytest.mark.parametrize("search", ["fixed", "backtracking", "exact"])
def test_line_search_panel_draws_the_library_run_for_each_search(search_panel, search):
    readout = search_panel.set(line_search=search, learning_rate=0.08, condition_number=12.0)
    f = _quadratic(12.0)
    lr = 0.08 if search == "fixed" else None
    run = gradient_descent(f, lecture.START, lr, line_search=search, max_iter=100)
    a = search_panel.artists
    np.testing.assert_array_equal(np.column_stack(a["path"].get_data()), run.iterates)
    np.testing.assert_array_equal(a["losses"].lines[0].get_ydata(), run.losses)
    assert readout.startswith(f"line search: {search}")
    assert f"{run.status.item()} after {int(run.stopped_at)} steps" in readout


def test_line_search_panel_exact_steps_are_g_g_over_g_A_g(search_panel):
    search_panel.set(line_search="exact", condition_number=25.0)
    x = np.column_stack(search_panel.artists["path"].get_data())
    A = _quadratic(25.0).A
    g = x[:-1] @ A  # ∇f = Ax
    taken = np.sum((x[:-1] - x[1:]) * g, -1) / np.sum(g * g, -1)
    formula = np.sum(g * g, -1) / np.einsum("ti,ij,tj->t", g, A, g)
    np.testing.assert_allclose(taken, formula, rtol=1e-8)
    assert np.all(taken <= 1.0 + 1e-12) and np.all(taken >= 1 / 25 - 1e-12)  # 1/λmax ≤ s ≤ 1/λmin


def test_panels_refuse_slider_values_outside_their_range(step_panel, search_panel):
    with pytest.raises(ValueError, match="learning_rate"):
        step_panel.set(learning_rate=10.0)
    with pytest.raises(ValueError, match="line_search"):
        search_panel.set(line_search="wolfe")


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout
