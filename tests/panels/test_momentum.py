"""Lecture 06's figures and panels draw what the library computes."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.descent import gradient_descent, heavy_ball, nesterov
from course_lib.panels import momentum as lecture
from course_lib.panels import step_size_and_line_search as lecture04


def companion_rate(eigenvalues, eta, beta):
    """Spectral radius of [[1 + β − ηλ, −β], [1, 0]] over λ, by numpy's eigvals (independent)."""
    radii = [
        np.max(np.abs(np.linalg.eigvals(np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]]))))
        for lam in np.atleast_1d(eigenvalues)
    ]
    return max(radii)


def heavy_ball_by_hand(A, x0, eta, beta, steps):
    """The recursion V ← βV + Aθ, θ ← θ − ηV written out with a loop (independent of descent)."""
    theta, v = np.array(x0, float), np.zeros(len(x0))
    thetas, vs = [theta], []
    for _ in range(steps):
        v = beta * v + A @ theta
        theta = theta - eta * v
        thetas.append(theta)
        vs.append(v)
    return np.array(thetas), np.array(vs)


def polyak_by_hand(kappa):
    """η* = 4/(√λmax + √λmin)², β* = ((√κ−1)/(√κ+1))² for eigenvalues 1 and κ, and the rate."""
    root = np.sqrt(kappa)
    return 4 / (1 + root) ** 2, ((root - 1) / (root + 1)) ** 2, (root - 1) / (root + 1)


# --------------------------------------------------------------------------- helpers


def test_module_reuses_lecture_04_helpers_rather_than_copies():
    assert lecture.measured_rate is lecture04.measured_rate
    assert lecture.draw_bowl is lecture04.draw_bowl
    assert lecture.START is lecture04.START


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(1.5, 200.0), fraction=st.floats(0.05, 0.95), beta=st.floats(0.0, 0.95))
def test_velocities_read_off_the_path_are_the_recursion(kappa, fraction, beta):
    f = lecture.ravine(kappa)
    eta = fraction * 2 * (1 + beta) / kappa
    traj = heavy_ball(f, [1.0, -0.5], eta, beta, max_iter=25, tol=0.0)
    thetas, vs = heavy_ball_by_hand(f.A, [1.0, -0.5], eta, beta, 25)
    np.testing.assert_allclose(traj.iterates, thetas, rtol=1e-9, atol=1e-12)
    scale = np.max(np.abs(vs))
    np.testing.assert_allclose(lecture.velocities(traj, eta), vs, rtol=1e-6, atol=1e-9 * scale)


def test_velocities_reject_a_non_positive_learning_rate():
    traj = heavy_ball(lecture.ravine(2.0), [1.0, 1.0], 0.1, 0.5, max_iter=3)
    with pytest.raises(ValueError, match="learning_rate"):
        lecture.velocities(traj, 0.0)


@settings(max_examples=30, deadline=None)
@given(
    gradients=st.lists(
        st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=1, max_size=30
    ).map(np.array),
    beta=st.floats(0.0, 0.99),
)
def test_unrolled_velocity_is_the_recursion_from_zero(gradients, beta):
    v, expected = np.zeros(2), []
    for g in gradients:  # V_{t+1} = βV_t + g_t, V_0 = 0
        v = beta * v + g
        expected.append(v)
    np.testing.assert_allclose(
        lecture.unrolled_velocity(gradients, beta), expected, rtol=1e-9, atol=1e-9
    )


def test_unrolled_velocity_of_a_constant_gradient_tends_to_g_over_one_minus_beta():
    v = lecture.unrolled_velocity(np.ones((200, 1)), 0.9)[:, 0]
    np.testing.assert_allclose(v, (1 - 0.9 ** np.arange(1, 201)) / (1 - 0.9), rtol=1e-12)
    assert v[-1] == pytest.approx(10.0, rel=1e-8)


@pytest.mark.parametrize(
    ("gradients", "beta", "match"),
    [(np.ones((3, 2)), 1.0, "momentum"), (np.ones((3, 2)), [0.1, 0.2], "one momentum")],
)
def test_unrolled_velocity_rejects_bad_momentum(gradients, beta, match):
    with pytest.raises(ValueError, match=match):
        lecture.unrolled_velocity(gradients, beta)


@settings(max_examples=25, deadline=None)
@given(kappa=st.floats(1.5, 50.0), fraction=st.floats(0.05, 0.95))
def test_error_norms_of_gd_on_an_eigenvector_shrink_by_one_minus_eta_lambda(kappa, fraction):
    f = lecture.ravine(kappa)
    lam, Q = np.linalg.eigh(f.A)
    eta = fraction * 2 / lam[-1]
    traj = gradient_descent(f, 2.0 * Q[:, 1], eta, max_iter=10, tol=0.0)
    errors = lecture.error_norms(traj, [0.0, 0.0])
    # At η = 1/λ the start lands on x* in one step; ∇f = 0 there, which is ‖∇f‖ ≤ tol = 0,
    # so the run stops (converged) with fewer than 10 steps. Compare the steps it took.
    stop = int(traj.stopped_at)
    assert stop == 10 or (traj.status == "converged" and errors[stop] == 0.0)
    expected = 2.0 * np.abs(1 - eta * lam[1]) ** np.arange(stop + 1)
    # Q[:, 1] is an eigenvector only to round-off: the λmin part it carries, ~1e-16, shrinks
    # more slowly and is all that is left where (1 − ηλ)^t is below it (atol, 10 ulp of ‖e_0‖).
    np.testing.assert_allclose(errors, expected, rtol=1e-9, atol=10 * np.finfo(float).eps * 2.0)


def test_sweep_over_beta_is_one_batched_run_equal_to_the_runs_alone():
    f = lecture.ravine(30.0)
    betas = np.array([0.0, 0.4, 0.8])
    batch = lecture.sweep_momentum(f, 0.05, betas, steps=60)
    alone = [
        lecture04.measured_rate(
            heavy_ball(f, lecture.START, 0.05, b, max_iter=60, tol=0.0), [0, 0], window=30
        )
        for b in betas
    ]
    np.testing.assert_allclose(batch, alone, rtol=1e-12)


def test_sweep_over_a_grid_of_eta_and_beta_has_the_grid_shape():
    f = lecture.ravine(30.0)
    rates = lecture.sweep_momentum(f, np.array([[0.02], [0.05]]), [0.0, 0.5, 0.9], steps=40)
    assert rates.shape == (2, 3)
    assert rates[0, 0] == pytest.approx(1 - 0.02, rel=1e-9)  # β = 0: GD, slowest λ = 1


@pytest.mark.parametrize("beta", [0.0, 0.2, 0.45])
def test_measured_rate_of_an_overdamped_sweep_matches_the_companion_matrix(beta):
    # real, distinct roots: the dominant one wins cleanly within 400 steps
    f = lecture.ravine(20.0)
    eta = 0.04
    measured = lecture.sweep_momentum(f, eta, [beta])[0]
    assert measured == pytest.approx(companion_rate(f.eigenvalues, eta, beta), rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    errors=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=40),
    factor=st.floats(1e-3, 1.0),
)
def test_steps_to_shrink_is_the_first_step_below_the_factor(errors, factor):
    errors = [1.0, *errors]
    expected = next((t for t, e in enumerate(errors) if e <= factor), -1)
    assert lecture.steps_to_shrink(errors, factor) == expected


def test_steps_to_shrink_works_per_run_of_a_batch():
    errors = np.array([[2.0, 1.0, 1e-7, 0.0], [2.0, 2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(lecture.steps_to_shrink(errors), [2, -1])


@settings(max_examples=30, deadline=None)
@given(kappa=st.floats(*lecture.KAPPA_RANGE))
def test_tuned_settings_are_the_closed_forms_and_lie_on_the_sliders(kappa):
    tuned = lecture.tuned_settings(kappa)
    eta, beta, rate = polyak_by_hand(kappa)
    polyak = tuned["Polyak's heavy ball"]
    assert polyak["learning_rate"] == pytest.approx(eta, rel=1e-12)
    assert polyak["momentum"] == pytest.approx(beta, rel=1e-12, abs=1e-15)
    assert tuned["tuned GD"] == {"learning_rate": pytest.approx(2 / (1 + kappa)), "momentum": 0.0}
    nest = tuned["Nesterov's choice"]
    assert nest["learning_rate"] == pytest.approx(1 / kappa, rel=1e-12)
    assert nest["momentum"] == pytest.approx(rate, rel=1e-12, abs=1e-15)
    assert companion_rate([1.0, kappa], polyak["learning_rate"], polyak["momentum"]) == (
        pytest.approx(rate, rel=1e-6, abs=1e-7)
    )
    for setting in tuned.values():
        assert (
            lecture.ETA_RANGE[0] * (1 - 1e-12) <= setting["learning_rate"] <= lecture.ETA_RANGE[1]
        )
        assert lecture.BETA_RANGE[0] <= setting["momentum"] <= lecture.BETA_RANGE[1]


@pytest.mark.parametrize("rate", [0.5, 0.9, 1.0])
def test_predicted_errors_fall_at_the_rate(rate):
    guide = lecture.predicted_errors(3.0, rate, 50)
    np.testing.assert_allclose(guide[1:] / guide[:-1], rate, rtol=1e-12)
    assert guide[0] == 3.0


def test_predicted_errors_of_a_fast_divergence_stop_at_the_ceiling_without_overflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        guide = lecture.predicted_errors(2.0, 40.0, 600, ceiling=1e6)
    kept = np.isfinite(guide)
    assert np.all(guide[kept] <= 1e6) and kept[:4].all() and not kept[4:].any()  # 2·40³ < 1e6
    zero = lecture.predicted_errors(2.0, 0.0, 5)
    assert zero[0] == 2.0 and np.all(np.isnan(zero[1:]))  # ρ = 0: nothing to draw on a log axis


def test_rate_curve_figure_draws_the_companion_matrix_rate_for_each_eta():
    lam = np.array([1.0, 50.0])
    betas = np.linspace(0.0, 0.95, 20)
    plot = lecture.rate_curve_figure(lam, [0.02, 0.05], betas)
    curves = [line for line in plot.ax.lines if line.get_label().startswith("predicted")]
    assert len(curves) == 2
    for line, eta in zip(curves, [0.02, 0.05], strict=True):
        expected = [companion_rate(lam, eta, b) for b in betas]
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-9)
    levels = {line.get_label(): line.get_ydata()[0] for line in plot.ax.lines}
    assert levels["tuned GD (κ−1)/(κ+1)"] == pytest.approx(49 / 51, rel=1e-12)
    root = np.sqrt(50.0)
    assert levels["tuned momentum (√κ−1)/(√κ+1)"] == pytest.approx((root - 1) / (root + 1))
    floor = next(line for line in plot.ax.lines if line.get_label().startswith("√β"))
    np.testing.assert_allclose(floor.get_ydata(), np.sqrt(betas))


def test_rate_curve_figure_draws_measured_dots_per_eta():
    lam, betas = np.array([1.0, 10.0]), np.linspace(0.0, 0.9, 5)
    measured = np.arange(10.0).reshape(2, 5) / 10
    plot = lecture.rate_curve_figure(lam, [0.05, 0.1], betas, measured)
    dots = [line for line in plot.ax.lines if line.get_marker() == "o"]
    np.testing.assert_array_equal([d.get_ydata() for d in dots], measured)


def test_rate_map_figure_colours_the_predicted_rate_and_stars_polyak():
    lam = np.array([1.0, 100.0])
    etas, betas = np.geomspace(0.002, 0.05, 7), np.linspace(0.0, 0.95, 6)
    plot = lecture.rate_map_figure(lam, etas, betas)
    mesh = plot.ax.collections[0]
    expected = [[min(companion_rate(lam, e, b), 1.0) for b in betas] for e in etas]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(7, 6), expected, rtol=1e-9)
    star = next(line for line in plot.ax.lines if line.get_marker() == "*")
    eta, beta, rate = polyak_by_hand(100.0)
    assert star.get_xdata()[0] == pytest.approx(beta) and star.get_ydata()[0] == pytest.approx(eta)
    assert f"{rate:.4f}" in star.get_label()


def test_rate_map_figure_rejects_measured_rates_of_the_wrong_shape():
    etas, betas = np.geomspace(0.002, 0.05, 4), np.linspace(0.0, 0.9, 3)
    with pytest.raises(ValueError, match="measured rates must have shape"):
        lecture.rate_map_figure([1.0, 10.0], etas, betas, measured=(etas, betas, np.ones((3, 4))))


def test_error_figure_guides_have_the_stated_slope():
    err = 3.0 * 0.9 ** np.arange(50) * (1 + 0.1 * np.sin(np.arange(50)))
    plot = lecture.error_figure({"run": err}, {"run": 0.8})
    guide = next(line for line in plot.ax.lines if line.get_label().startswith("theory"))
    y = np.asarray(guide.get_ydata())
    np.testing.assert_allclose(y[1:] / y[:-1], 0.8, rtol=1e-12)
    assert y[25] == pytest.approx(err[25], rel=1e-12)  # pinned to the curve at the middle


def test_velocity_figure_draws_each_eigen_direction_and_the_constant_gradient_limit():
    g = np.array([[1.0, -4.0], [0.5, 4.0], [0.25, -4.0]])
    v = lecture.unrolled_velocity(g, 0.5)
    plot = lecture.velocity_figure(g, v, 0.5, ["along", "across"])
    for i, ax in enumerate(plot.ax):
        lines = {line.get_label(): line for line in ax.lines}
        np.testing.assert_array_equal(lines["velocity $V_{t+1}$"].get_ydata(), v[:, i])
        np.testing.assert_array_equal(lines["$g_t / (1 - β)$"].get_ydata(), 2 * g[:, i])
        assert ax.get_title() == ["along", "across"][i]


# --------------------------------------------------------------------------- panels


@pytest.fixture(scope="module")
def momentum_panel():
    return lecture.momentum_panel()


@pytest.fixture(scope="module")
def race_panel():
    return lecture.race_panel()


def test_momentum_panel_draws_the_library_runs_for_new_slider_values(momentum_panel):
    readout = momentum_panel.set(learning_rate=0.03, momentum=0.7, condition_number=50.0)
    a = momentum_panel.artists
    f = lecture.ravine(50.0)
    steps = lecture.STEPS
    ball = heavy_ball(f, lecture.START, 0.03, 0.7, max_iter=steps, tol=0.0)
    gd = gradient_descent(f, lecture.START, 0.03, max_iter=steps, tol=0.0)
    shown = lecture.PATH_STEPS + 1
    np.testing.assert_array_equal(np.column_stack(a["path"].get_data()), ball.iterates[:shown])
    gd_path = np.column_stack(a["gd_path"].get_data())
    finite = np.all(np.isfinite(gd_path), axis=1)
    np.testing.assert_array_equal(gd_path[finite], gd.iterates[:shown][finite])  # β = 0 is GD
    betas, curve = a["curve"].get_data()
    expected = [companion_rate([1.0, 50.0], 0.03, b) for b in betas]
    np.testing.assert_allclose(curve, expected, rtol=1e-9)
    rho = companion_rate([1.0, 50.0], 0.03, 0.7)
    assert a["marker"].get_ydata()[0] == pytest.approx(rho, rel=1e-9)
    measured = lecture04.measured_rate(ball, [0.0, 0.0], window=lecture.WINDOW)
    assert a["measured_marker"].get_ydata()[0] == pytest.approx(measured, rel=1e-12)
    assert f"rate: predicted {rho:.4f}, measured on the run {measured:.4f}" in readout
    shrink = int(
        np.argmax(np.linalg.norm(ball.iterates, axis=-1) <= 1e-6 * np.linalg.norm(lecture.START))
    )
    assert f"heavy ball: error ÷ 10⁶ after {shrink} steps" in readout
    assert f"stable for η < 2(1+β)/λmax = {2 * 1.7 / 50:.4g}" in readout


def test_momentum_panel_reports_a_diverging_run_as_diverged(momentum_panel):
    readout = momentum_panel.set(learning_rate=0.5, momentum=0.3, condition_number=100.0)
    assert "rate: predicted" in readout and "diverged on the run" in readout
    assert "GD at this η diverged" in readout


def test_momentum_panel_levels_follow_the_condition_number(momentum_panel):
    momentum_panel.set(condition_number=400.0, learning_rate=0.003)
    a = momentum_panel.artists
    assert a["gd_level"].get_ydata()[0] == pytest.approx(399 / 401, rel=1e-12)
    assert a["hb_level"].get_ydata()[0] == pytest.approx(19 / 21, rel=1e-12)  # √400 = 20
    assert a["beta_star"].get_xdata()[0] == pytest.approx((19 / 21) ** 2, rel=1e-12)


def test_momentum_panel_dots_are_one_batched_sweep_at_the_current_eta(momentum_panel):
    momentum_panel.set(learning_rate=0.02, condition_number=30.0, momentum=0.3)
    betas, dots = momentum_panel.artists["measured"].get_data()
    np.testing.assert_array_equal(betas, lecture.SWEEP_BETAS)
    f = lecture.ravine(30.0)
    sweep = heavy_ball(f, lecture.START, 0.02, np.asarray(betas), max_iter=lecture.STEPS, tol=0.0)
    expected = lecture04.measured_rate(sweep, [0.0, 0.0], window=lecture.WINDOW)
    np.testing.assert_allclose(dots, expected, rtol=1e-12)


def test_momentum_panel_buttons_jump_to_the_tuned_settings_for_the_current_kappa(momentum_panel):
    momentum_panel.set(condition_number=100.0, learning_rate=0.01, momentum=0.2)
    assert set(momentum_panel.buttons) == {"tuned GD", "Polyak's heavy ball"}
    momentum_panel.buttons["Polyak's heavy ball"].click()  # what a click in the browser runs
    eta, beta, rate = polyak_by_hand(100.0)
    values = momentum_panel.values
    assert values["learning_rate"] == pytest.approx(eta) and values["momentum"] == pytest.approx(
        beta
    )
    assert momentum_panel.artists["marker"].get_ydata()[0] == pytest.approx(9 / 11, rel=1e-6)
    assert "predicted 0.8182" in momentum_panel.readout
    momentum_panel.buttons["tuned GD"].click()
    assert momentum_panel.values["learning_rate"] == pytest.approx(2 / 101)
    assert momentum_panel.values["momentum"] == 0.0
    assert momentum_panel.artists["marker"].get_ydata()[0] == pytest.approx(99 / 101, rel=1e-9)


def test_jump_to_rejects_an_unknown_setting(momentum_panel):
    with pytest.raises(ValueError, match="setting"):
        lecture.jump_to(momentum_panel, "Adam")


@pytest.mark.parametrize("beta", [0.0, 0.6])
def test_race_panel_draws_the_error_of_each_library_run(race_panel, beta):
    readout = race_panel.set(learning_rate=0.012, momentum=beta, condition_number=60.0)
    f = lecture.ravine(60.0)
    runs = {
        "tuned GD": gradient_descent(f, lecture.START, 2 / 61, max_iter=lecture.RACE_STEPS),
        "heavy ball": heavy_ball(f, lecture.START, 0.012, beta, max_iter=lecture.RACE_STEPS),
        "Nesterov": nesterov(f, lecture.START, 0.012, beta, max_iter=lecture.RACE_STEPS),
    }
    for line, (name, run) in zip(race_panel.plot.lines, runs.items(), strict=True):
        np.testing.assert_allclose(
            line.get_ydata(), np.linalg.norm(run.iterates, axis=-1), rtol=1e-12, err_msg=name
        )
        assert f"{name}: {run.status.item()} after {int(run.stopped_at)} steps" in readout
    if beta == 0.0:  # heavy ball and Nesterov are both plain GD at η
        ys = [line.get_ydata() for line in race_panel.plot.lines]
        np.testing.assert_array_equal(ys[1], ys[2])


def test_race_panel_guides_fall_at_the_predicted_rates(race_panel):
    race_panel.set(learning_rate=0.02, momentum=0.8, condition_number=25.0)
    e0 = np.linalg.norm(lecture.START)
    for name, rho in (
        ("heavy ball", companion_rate([1.0, 25.0], 0.02, 0.8)),
        ("tuned GD", 24 / 26),
    ):
        y = np.asarray(race_panel.guides[name].get_ydata())
        np.testing.assert_allclose(y[1:] / y[:-1], rho, rtol=1e-9, err_msg=name)
        assert y[0] == pytest.approx(e0)


def test_race_panel_guide_of_a_diverging_setting_leaves_the_axes_without_warnings(race_panel):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        readout = race_panel.set(learning_rate=0.9, momentum=0.0, condition_number=1000.0)
    assert "heavy ball: diverged" in readout
    y = np.asarray(race_panel.guides["heavy ball"].get_ydata())
    assert np.nanmax(y) <= 1e6 and np.isnan(y[-1])


def test_race_panel_buttons_jump_to_polyak_and_nesterov(race_panel):
    race_panel.set(condition_number=100.0)
    race_panel.buttons["Nesterov's choice"].click()
    assert race_panel.values["learning_rate"] == pytest.approx(0.01)
    assert race_panel.values["momentum"] == pytest.approx(9 / 11)
    race_panel.buttons["Polyak's heavy ball"].click()
    assert race_panel.values["momentum"] == pytest.approx((9 / 11) ** 2)
    assert "heavy ball 0.8182" in race_panel.readout


def test_panels_refuse_slider_values_outside_their_range(momentum_panel, race_panel):
    with pytest.raises(ValueError, match="momentum"):
        momentum_panel.set(momentum=1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        momentum_panel.set(learning_rate=2.0)
    with pytest.raises(ValueError, match="condition_number"):
        race_panel.set(condition_number=0.5)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout
    assert panel.buttons  # every panel can jump to a tuned setting
