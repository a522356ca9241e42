"""Lecture 08's helpers, figures and panel draw what the library computes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar

from course_lib.constrained import (
    dual_ascent,
    kkt_check,
    lagrangian_minimizer,
    project_ball,
    project_box,
    projected_gradient_descent,
)
from course_lib.panels import constrained_optimization as lecture


def _random_problem(seed, m=6, d=3):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, d))
    return A, A @ rng.normal(0.0, 2.0, d) + 0.3 * rng.normal(size=m)


def _ridge(A, b, lam):
    """x(λ) = (AᵀA + 2λI)⁻¹Aᵀb by a plain linear solve (independent of the library)."""
    return np.linalg.solve(A.T @ A + 2.0 * lam * np.eye(A.shape[1]), A.T @ b)


# --------------------------------------------------------------------------- helpers


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), fraction=st.floats(0.05, 0.95))
def test_secular_multiplier_is_the_root_that_brentq_finds(seed, fraction):
    A, b = _random_problem(seed)
    r = fraction * np.linalg.norm(np.linalg.lstsq(A, b)[0])  # an active constraint
    root = brentq(lambda lam: np.linalg.norm(_ridge(A, b, lam)) - r, 0.0, 1e8, xtol=1e-14)
    assert lecture.secular_multiplier(A, b, r) == pytest.approx(root, rel=1e-9, abs=1e-12)


def test_secular_multiplier_is_zero_for_an_inactive_constraint_and_batches_radii():
    A, b = _random_problem(3)
    norm_ls = np.linalg.norm(np.linalg.lstsq(A, b)[0])
    radii = norm_ls * np.array([0.3, 0.7, 1.0 + 1e-9, 2.0])
    batch = lecture.secular_multiplier(A, b, radii)
    alone = [lecture.secular_multiplier(A, b, r) for r in radii]
    np.testing.assert_allclose(batch, alone, rtol=1e-14)
    assert batch[0] > batch[1] > 0.0 and batch[2] == batch[3] == 0.0
    np.testing.assert_allclose(np.linalg.norm(_ridge(A, b, batch[0])), radii[0], rtol=1e-10)


def test_secular_multiplier_rejects_bad_input():
    A, b = _random_problem(1)
    with pytest.raises(ValueError, match="radius"):
        lecture.secular_multiplier(A, b, 0.0)
    with pytest.raises(ValueError, match="full column rank"):
        lecture.secular_multiplier(np.ones((4, 2)), np.ones(4), 1.0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), lam=st.floats(0.01, 50.0))
def test_recovered_multiplier_reads_lambda_off_a_point_of_the_ridge_path(seed, lam):
    A, b = _random_problem(seed)
    x = _ridge(A, b, lam)  # solves the problem with r = ||x(λ)|| and multiplier λ
    recovered = lecture.recovered_multiplier(A, b, x, np.linalg.norm(x))
    assert recovered == pytest.approx(lam, rel=1e-7)


def test_recovered_multiplier_is_zero_inside_and_never_negative():
    A, b = _random_problem(5)
    x_ls = np.linalg.lstsq(A, b)[0]
    r = 0.5 * np.linalg.norm(x_ls)
    assert lecture.recovered_multiplier(A, b, 0.5 * r / np.linalg.norm(x_ls) * x_ls, r) == 0.0
    # on the sphere opposite x_ls, −∇f points inward: stationarity would need λ < 0
    opposite = -r / np.linalg.norm(x_ls) * x_ls
    assert opposite @ (A.T @ (A @ opposite - b)) > 0  # so −xᵀ∇f / (2||x||²) < 0
    assert lecture.recovered_multiplier(A, b, opposite, r) == 0.0
    batch = lecture.recovered_multiplier(A, b, np.stack([0.1 * x_ls, opposite]), r)
    np.testing.assert_array_equal(batch, [0.0, 0.0])
    with pytest.raises(ValueError, match="x"):
        lecture.recovered_multiplier(A, b, np.ones(2), 1.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), radius=st.floats(0.2, 3.0))
def test_dual_function_is_the_minimum_of_the_lagrangian_and_bounds_f_below(seed, radius):
    A, b = _random_problem(seed)
    lam = np.array([0.0, 0.3, 1.0, 4.0])
    q = lecture.dual_function(A, b, radius, lam)
    x = np.stack([_ridge(A, b, v) for v in lam])
    by_hand = 0.5 * np.sum((x @ A.T - b) ** 2, 1) + lam * (np.sum(x * x, 1) - radius**2)
    np.testing.assert_allclose(q, by_hand, rtol=1e-10, atol=1e-12)
    # weak duality: q(λ) ≤ f(z) for every feasible z
    rng = np.random.default_rng(seed)
    z = project_ball(rng.normal(0.0, 3.0, (200, 3)), radius)
    f_z = 0.5 * np.sum((z @ A.T - b) ** 2, 1)
    assert np.all(q[:, None] <= f_z[None, :] + 1e-9)


def test_dual_function_slope_is_the_constraint_and_it_is_concave():
    A, b = _random_problem(7)
    r, h = 0.8, 1e-5
    lam = np.linspace(0.1, 5.0, 30)
    slope = (lecture.dual_function(A, b, r, lam + h) - lecture.dual_function(A, b, r, lam - h)) / (
        2 * h
    )
    x = np.stack([_ridge(A, b, v) for v in lam])
    np.testing.assert_allclose(slope, np.sum(x * x, 1) - r**2, rtol=1e-5, atol=1e-8)
    assert np.all(np.diff(lecture.dual_function(A, b, r, lam), 2) <= 1e-12)


def test_maximum_of_the_dual_equals_the_constrained_minimum():
    A, b = _random_problem(11)
    r = 0.5 * np.linalg.norm(np.linalg.lstsq(A, b)[0])
    best = minimize_scalar(
        lambda lam: -lecture.dual_function(A, b, r, lam), bounds=(0, 1e3), method="bounded"
    )
    lam_star = lecture.secular_multiplier(A, b, r)
    x_star = _ridge(A, b, lam_star)
    assert -best.fun == pytest.approx(0.5 * np.sum((A @ x_star - b) ** 2), rel=1e-8)


def test_ridge_path_runs_from_least_squares_towards_zero():
    A, b = _random_problem(2)
    path = lecture.ridge_path(A, b, n=50, lam_max=1e4)
    assert path.shape == (50, 3)
    np.testing.assert_allclose(path[0], np.linalg.lstsq(A, b)[0], rtol=1e-10)
    np.testing.assert_allclose(path[-1], _ridge(A, b, 1e4), rtol=1e-10)
    assert np.all(np.diff(np.linalg.norm(path, axis=1)) < 0)


def test_nearest_by_search_matches_a_loop_over_points():
    rng = np.random.default_rng(0)
    points, candidates = rng.normal(size=(7, 2)), rng.normal(size=(300, 2))
    found = lecture.nearest_by_search(points, candidates)
    for p, q in zip(points, found, strict=True):
        distances = [np.linalg.norm(c - p) for c in candidates]
        np.testing.assert_array_equal(q, candidates[int(np.argmin(distances))])
    with pytest.raises(ValueError, match="candidates"):
        lecture.nearest_by_search(points, np.ones((3, 3)))
    with pytest.raises(ValueError, match="non-empty"):
        lecture.nearest_by_search(points, np.empty((0, 2)))


def test_feasible_samples_lie_in_their_sets_and_reach_the_boundary():
    disc, box = lecture.feasible_samples(1.5, [-1.0, 0.0], [2.0, 0.5], n=61)
    assert np.all(np.linalg.norm(disc, axis=1) <= 1.5 * (1 + 1e-12))
    assert np.isclose(np.linalg.norm(disc, axis=1).max(), 1.5)
    assert np.all((box >= [-1.0, 0.0]) & (box <= [2.0, 0.5]))
    np.testing.assert_allclose([box.min(0), box.max(0)], [[-1.0, 0.0], [2.0, 0.5]])
    # the projection found by the search is the formula, to the sampling resolution
    x = np.array([[3.0, 1.0], [-0.2, -4.0]])
    np.testing.assert_allclose(lecture.nearest_by_search(x, disc), project_ball(x, 1.5), atol=0.05)
    np.testing.assert_allclose(
        lecture.nearest_by_search(x, box), project_box(x, [-1.0, 0.0], [2.0, 0.5]), atol=0.05
    )


def test_kkt_line_reports_residuals_and_verdict():
    A, b, _ = lecture.problem()
    lam = lecture.secular_multiplier(A, b, 1.0)
    good = lecture.kkt_line("answer", kkt_check(lagrangian_minimizer(A, b, lam), lam, A, b, 1.0))
    bad = lecture.kkt_line("origin", kkt_check(np.zeros(2), 0.0, A, b, 1.0))
    assert good.startswith("answer") and "→ hold" in good
    assert "→ FAIL" in bad and f"{np.linalg.norm(A.T @ b):9.2e}" in bad
    zero = kkt_check(np.zeros(2), 0.0, A, b, 1.0)
    assert "-0.00" not in lecture.kkt_line("λ = 0", zero)


# --------------------------------------------------------------------------- figures


def test_projection_figure_draws_the_library_projections():
    points = np.array([[2.0, 0.5], [0.1, 0.2], [-1.5, -1.5]])
    plot = lecture.projection_figure(points, 1.0, [-1.0, -0.5], [1.0, 0.5])
    crosses = [
        np.column_stack(line.get_data()) for ax in plot.fig.axes for line in ax.lines
    ]  # per axes: 3 segments, the points, the projections
    np.testing.assert_array_equal(crosses[4], project_ball(points, 1.0))
    np.testing.assert_array_equal(crosses[9], project_box(points, [-1.0, -0.5], [1.0, 0.5]))
    assert plot._repr_png_().startswith(b"\x89PNG")


def test_constrained_figure_marks_points_and_draws_the_disc():
    A, b, f = lecture.problem()
    x_ls = np.linalg.lstsq(A, b)[0]
    plot = lecture.constrained_figure(f, [np.array([[0.0, 0.0], [0.5, 0.5]])], ["p"], 1.3,
                                      marks={"x_ls": x_ls})  # fmt: skip
    assert plot.disc.get_radius() == 1.3
    np.testing.assert_array_equal(np.ravel(plot.marks["x_ls"].get_data()), x_ls)
    np.testing.assert_array_equal(plot.paths[0].get_xdata(), [0.0, 0.5])


def test_kkt_figure_arrows_coincide_at_the_answer_only():
    A, b, f = lecture.problem()
    lam = float(lecture.secular_multiplier(A, b, 1.0))
    x_star = lagrangian_minimizer(A, b, lam)
    p = project_ball(np.linalg.lstsq(A, b)[0], 1.0)
    lam_p = float(lecture.recovered_multiplier(A, b, p, 1.0))
    plot = lecture.kkt_figure(f, {"x*": x_star, "P": p}, {"x*": lam, "P": lam_p}, 1.0)
    tips = [np.array(a.xy) for a in plot.ax.texts]  # −∇f then 2λx, for x* then P
    np.testing.assert_allclose(tips[0], tips[1], atol=1e-8)
    assert np.linalg.norm(tips[2] - tips[3]) > 0.1


def test_dual_and_sweep_figures_draw_the_runs_they_are_given():
    A, b, _ = lecture.problem()
    res = dual_ascent(A, b, 1.0, [0.1, 0.3], max_iter=2000)
    lam_star = float(lecture.secular_multiplier(A, b, 1.0))
    plot = lecture.dual_figure(A, b, 1.0, res, lam_star, ["slow", "fast"])
    first = plot.ax.lines[0]
    np.testing.assert_array_equal(first.get_ydata(), res.lam[0, : int(res.stopped_at[0]) + 1])
    radii = np.array([0.5, 1.0, 2.5])
    lam = lecture.secular_multiplier(A, b, radii)
    sweep = lecture.radius_sweep_figure(radii, lam, lam, np.minimum(radii, 1.93), 1.93)
    np.testing.assert_array_equal(sweep.ax.lines[1].get_ydata(), lam)


# --------------------------------------------------------------------------- the panel


@pytest.fixture(scope="module")
def panel():
    return lecture.constrained_panel()


def _pgd_by_hand(A, b, x0, eta, radius, steps):
    """x ← P(x − ηAᵀ(Ax − b)), P the ball formula, written out (a reference loop)."""
    x = x0 * min(1.0, radius / np.linalg.norm(x0))
    path = [x]
    for _ in range(steps):
        y = x - eta * A.T @ (A @ x - b)
        x = y * min(1.0, radius / np.linalg.norm(y))
        path.append(x)
    return np.array(path)


@pytest.mark.parametrize(("radius", "eta", "alpha"), [(0.8, 0.12, 0.3), (1.5, 0.45, 0.1)])
def test_panel_draws_the_library_runs_for_new_slider_values(panel, radius, eta, alpha):
    state = panel.set(radius=radius, learning_rate=eta, dual_step=alpha)
    a = panel.artists
    A, b, f = lecture.problem()
    pgd = projected_gradient_descent(
        f, lecture.START, eta, lambda x: project_ball(x, radius), max_iter=lecture.PGD_STEPS
    )
    path = np.column_stack(a["contours"].paths[0].get_data())
    np.testing.assert_array_equal(path, pgd.iterates)
    steps = min(len(path) - 1, 30)
    np.testing.assert_allclose(
        path[: steps + 1], _pgd_by_hand(A, b, lecture.START, eta, radius, steps), atol=1e-12
    )
    dual = dual_ascent(A, b, radius, alpha, max_iter=lecture.DUAL_STEPS)
    stop = int(dual.stopped_at)
    np.testing.assert_array_equal(a["lam"].get_ydata(), dual.lam[: stop + 1])
    np.testing.assert_array_equal(
        np.column_stack(a["contours"].paths[1].get_data()), dual.x[: stop + 1]
    )
    assert a["disc"].get_radius() == radius
    lam_star = lecture.secular_multiplier(A, b, radius)
    assert a["lam_star"].get_ydata()[0] == lam_star == state["lam_star"]
    np.testing.assert_allclose(np.ravel(a["answer"].get_data()), _ridge(A, b, lam_star), atol=1e-12)
    readout = state["readout"]
    assert "every iterate feasible" in readout
    assert f"{pgd.status.item()} after {int(pgd.stopped_at)} steps" in readout
    assert f"{dual.status.item()} after {stop} steps" in readout
    assert readout.count("→ hold") == 2


def test_panel_iterates_stay_feasible_over_the_whole_slider_range(panel):
    for radius in (lecture.RADIUS_RANGE[0], 1.0, lecture.RADIUS_RANGE[1]):
        for eta in lecture.ETA_RANGE:
            state = panel.set(radius=radius, learning_rate=eta)
            norms = np.linalg.norm(state["pgd"].iterates, axis=-1)
            assert np.all(norms <= radius * (1 + 1e-12))
            assert "INFEASIBLE" not in state["readout"]


def test_panel_reports_an_inactive_constraint_with_zero_multiplier(panel):
    state = panel.set(radius=2.2, learning_rate=0.1, dual_step=0.3)
    assert "constraint inactive" in state["readout"]
    assert state["lam_star"] == 0.0 and state["dual"].final_lam == 0.0
    assert int(state["dual"].stopped_at) == 1
    A, b, _ = lecture.problem()
    np.testing.assert_allclose(state["dual"].final_x, np.linalg.lstsq(A, b)[0], rtol=1e-12)


def test_panel_reports_a_failing_kkt_check_when_the_ascent_step_is_too_big(panel):
    state = panel.set(radius=1.9, learning_rate=0.1, dual_step=0.6)  # limit 0.351
    assert state["dual"].status == "max_iter"
    rows = state["readout"].splitlines()
    assert rows[3] == lecture.KKT_HEADER
    assert rows[4].startswith("dual ascent (x_T, λ_T)") and "→ FAIL" in rows[4]
    assert rows[5].startswith("projected GD (x̂, λ̂)") and "→ hold" in rows[5]


def test_panel_moves_are_blitted_not_redrawn(panel):
    panel.set(radius=1.0, learning_rate=0.1, dual_step=0.3)
    before = panel.background_draws
    panel.set(learning_rate=0.2)
    panel.set(radius=0.6)
    panel.set(dual_step=1.0)
    assert panel.background_draws == before
    assert panel.last_timing["full_redraw"] is False


def test_panel_refuses_slider_values_outside_their_range(panel):
    with pytest.raises(ValueError, match="radius"):
        panel.set(radius=5.0)
    with pytest.raises(ValueError, match="learning_rate"):
        panel.set(learning_rate=0.0)
    with pytest.raises(ValueError, match="dual_step"):
        panel.set(dual_step=10.0)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout
