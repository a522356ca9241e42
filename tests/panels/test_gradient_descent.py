"""Lecture 03's figures and panels draw what the library computes, and agree with references."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.descent import gradient_descent
from course_lib.objectives import himmelblau, quadratic, rosenbrock
from course_lib.panels import gradient_descent as lecture


def _rosenbrock_by_hand(p):
    """Independent reference: (1 − x)² + 100 (y − x²)²."""
    x, y = p[..., 0], p[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _brute_force_best_angle(f, x, r, n=1_000_000):
    """Independent reference: the lowest of a million points on the circle."""
    theta = 2 * np.pi * np.arange(n) / n
    values = f(x + r * np.stack([np.cos(theta), np.sin(theta)], axis=-1))
    return theta[np.argmin(values)]


def _turn(a, b):
    return np.angle(np.exp(1j * (a - b)))  # signed a − b in (−π, π], via complex numbers


def test_unit_directions_are_unit_vectors_at_even_angles():
    angles, U = lecture.unit_directions(7)
    np.testing.assert_allclose(np.linalg.norm(U, axis=1), 1.0, rtol=1e-15)
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 7, rtol=1e-12)
    np.testing.assert_allclose(np.arctan2(U[:, 1], U[:, 0]) % (2 * np.pi), angles, atol=1e-12)


def test_unit_directions_refuse_fewer_than_three_angles():
    with pytest.raises(ValueError, match="n_angles"):
        lecture.unit_directions(2)


@settings(max_examples=50, deadline=None)
@given(angle=st.floats(-50.0, 50.0))
def test_wrapped_is_the_same_direction_in_minus_pi_to_pi(angle):
    w = float(lecture.wrapped(angle))
    assert -np.pi < w <= np.pi
    assert np.cos(w) == pytest.approx(np.cos(angle), abs=1e-12)
    assert np.sin(w) == pytest.approx(np.sin(angle), abs=1e-12)


def test_step_values_are_f_on_the_circle_minus_f_at_the_centre():
    f = rosenbrock()
    x = np.array([0.3, -0.2])
    radii = np.array([0.01, 0.2])
    angles, change = lecture.step_values(f, x, radii, 12)
    assert change.shape == (2, 12)
    for i, r in enumerate(radii):
        for k, theta in enumerate(angles):  # a plain loop against the vectorised sweep
            point = x + r * np.array([np.cos(theta), np.sin(theta)])
            expected = _rosenbrock_by_hand(point) - _rosenbrock_by_hand(x)
            assert change[i, k] == pytest.approx(expected, rel=1e-12, abs=1e-14)


@settings(max_examples=30, deadline=None)
@given(
    x=st.lists(st.floats(-3.0, 3.0), min_size=2, max_size=2).filter(lambda v: np.hypot(*v) > 0.1),
    scale=st.floats(0.1, 10.0),
    r=st.floats(1e-3, 2.0),
)
def test_best_angle_on_a_round_bowl_points_at_the_minimum_for_every_radius(x, scale, r):
    f = quadratic([scale, scale])
    best = lecture.best_angles(f, x, r, 720)
    assert abs(_turn(best, np.arctan2(-x[1], -x[0]))) < 1e-6


@pytest.mark.parametrize("r", [1e-3, 0.01, 0.05, 0.2, 0.3, 0.5])
def test_best_angle_matches_a_million_point_brute_force_on_rosenbrock(r):
    reference = _brute_force_best_angle(_rosenbrock_by_hand, lecture.POINT, r)
    best = lecture.best_angles(rosenbrock(), lecture.POINT, r)
    assert abs(_turn(best, reference)) < 2e-5  # the reference grid: 6e-6 rad


def test_best_angles_of_several_radii_equal_each_radius_alone():
    radii = np.array([0.002, 0.1, 0.4])
    together = lecture.best_angles(rosenbrock(), lecture.POINT, radii)
    alone = [lecture.best_angles(rosenbrock(), lecture.POINT, r) for r in radii]
    np.testing.assert_array_equal(together, alone)


@settings(max_examples=30, deadline=None)
@given(
    lam=st.lists(st.floats(0.5, 20.0), min_size=2, max_size=2),
    angle=st.floats(0.0, np.pi),
    x=st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2).filter(lambda v: np.hypot(*v) > 0.3),
)
def test_predicted_turn_and_gain_are_the_small_step_limits_on_a_quadratic(lam, angle, x):
    f = quadratic(lam, angle=angle)
    g = f.A @ np.asarray(x)  # ∇f = Ax, independent of the objective's gradient
    r = 1e-3 * np.linalg.norm(g) / max(lam)  # small against the scale where curvature wins
    measured = float(lecture.deviation_from_gradient(f, x, r, 20_000))
    predicted = float(lecture.predicted_deviation(f, x, r))
    assert measured == pytest.approx(predicted, rel=0.02, abs=2e-6)
    u0 = -g / np.linalg.norm(g)
    t = np.array([-u0[1], u0[0]])
    by_hand = r**3 * (t @ f.A @ u0) ** 2 / (2 * np.linalg.norm(g))
    assert float(lecture.predicted_gain(f, x, r)) == pytest.approx(by_hand, rel=1e-12, abs=1e-300)


def test_predicted_turn_follows_the_measured_one_at_small_radii_on_rosenbrock():
    radii = np.geomspace(1e-3, 1e-2, 5)
    measured = lecture.deviation_from_gradient(rosenbrock(), lecture.POINT, radii)
    predicted = lecture.predicted_deviation(rosenbrock(), lecture.POINT, radii)
    np.testing.assert_allclose(measured, predicted, rtol=0.03)
    assert np.all(np.abs(measured) < np.radians(1.0))


def test_directions_refuse_a_point_where_the_gradient_vanishes_and_non_2d_objectives():
    with pytest.raises(ValueError, match="gradient is zero"):
        lecture.steepest_angle(rosenbrock(), [1.0, 1.0])
    with pytest.raises(ValueError, match="gradient is zero"):
        lecture.predicted_deviation(quadratic([1.0, 2.0]), [0.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="2-D"):
        lecture.step_values(rosenbrock(dim=3), [0.0, 0.0, 0.0], 0.1)
    with pytest.raises(TypeError, match="objective"):
        lecture.best_angles(_rosenbrock_by_hand, [0.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="radii"):
        lecture.step_values(rosenbrock(), [0.0, 0.0], [0.1, -0.1])


@settings(max_examples=30, deadline=None)
@given(
    lam=st.lists(st.floats(0.1, 10.0), min_size=2, max_size=2),
    etas=st.lists(st.floats(1e-4, 3.0), min_size=1, max_size=6),
)
def test_one_step_losses_are_f_of_x_minus_eta_gradient(lam, etas):
    f = quadratic(lam, angle=0.4)
    x = np.array([1.0, -2.0])
    expected = [0.5 * (x - e * f.A @ x) @ f.A @ (x - e * f.A @ x) for e in etas]
    np.testing.assert_allclose(lecture.one_step_losses(f, x, etas), expected, rtol=1e-10)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-10.0, 10.0) | st.just(np.inf) | st.just(np.nan), min_size=1))
def test_first_increase_is_the_first_step_that_does_not_go_down_or_stay(losses):
    expected = -1
    for t in range(1, len(losses)):  # reference: a plain loop
        if not losses[t] <= losses[t - 1]:
            expected = t
            break
    assert lecture.first_increase(losses) == expected


def test_first_increase_refuses_a_batch():
    with pytest.raises(ValueError, match="losses"):
        lecture.first_increase(np.ones((2, 3)))


def test_flow_paths_equal_separate_runs_of_duration_over_eta_steps():
    f = himmelblau()
    etas = np.array([0.004, 0.001])
    paths = lecture.flow_paths(f, lecture.START, etas, 0.02)
    for eta, path in zip(etas, paths, strict=True):
        alone = gradient_descent(f, lecture.START, eta, max_iter=round(0.02 / eta), tol=0.0)
        np.testing.assert_array_equal(path, alone.iterates)
    np.testing.assert_array_equal(
        lecture.flow_points(f, lecture.START, etas, 0.02), [p[-1] for p in paths]
    )


def test_flow_paths_refuse_a_duration_that_is_not_a_whole_number_of_steps():
    with pytest.raises(ValueError, match="whole numbers"):
        lecture.flow_paths(himmelblau(), lecture.START, [0.003], 0.02)


def test_euler_error_of_gradient_descent_halves_with_the_step():
    f = himmelblau()
    etas = 0.004 / 2.0 ** np.arange(4)
    ends = lecture.flow_points(f, lecture.START, np.append(etas, etas[-1] / 16), 0.02)
    distance = np.linalg.norm(ends[:-1] - ends[-1], axis=1)
    np.testing.assert_allclose(distance[:-1] / distance[1:], 2.0, rtol=0.05)


# --------------------------------------------------------------------------- panels


@pytest.fixture(scope="module")
def step_panel():
    return lecture.finite_step_panel()


@pytest.fixture(scope="module")
def descent():
    return lecture.descent_panel()


@pytest.mark.parametrize("r", [0.001, 0.02, 0.3, 0.5])
def test_finite_step_panel_draws_f_on_the_circle_of_the_new_radius(step_panel, r):
    lines_before = list(step_panel.figure.axes[1].lines)
    readout = step_panel.set(radius=r)
    assert list(step_panel.figure.axes[1].lines) == lines_before  # moved, never rebuilt
    a = step_panel.artists
    P = lecture.POINT
    g = np.array([-2 * (1 - P[0]) - 400 * P[0] * (P[1] - P[0] ** 2), 200 * (P[1] - P[0] ** 2)])
    base = np.arctan2(-g[1], -g[0])
    degrees, per_length = a["measured"].get_data()
    theta = base + np.radians(degrees)
    circle = P + r * np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    expected = (_rosenbrock_by_hand(circle) - _rosenbrock_by_hand(P)) / r
    np.testing.assert_allclose(per_length, expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.hypot(*(np.column_stack(a["circle"].get_data()) - P).T), r)
    best = _brute_force_best_angle(_rosenbrock_by_hand, P, r)
    assert a["best_line"].get_xdata()[0] == pytest.approx(np.degrees(_turn(best, base)), abs=2e-3)
    tip = np.column_stack(a["best_step"].get_data())[1]
    np.testing.assert_allclose(tip, P + r * np.array([np.cos(best), np.sin(best)]), atol=3e-5 * r)
    tip = np.column_stack(a["gradient_step"].get_data())[1]
    np.testing.assert_allclose(tip, P - r * g / np.linalg.norm(g), rtol=1e-12)
    assert readout.startswith(f"r = {r:.3g}: the best direction is")
    change = _rosenbrock_by_hand(tip) - _rosenbrock_by_hand(P)
    assert f"by {change:+.4g} along −∇f" in readout


def test_finite_step_panel_second_order_model_is_the_taylor_polynomial(step_panel):
    step_panel.set(radius=0.1)
    a = step_panel.artists
    degrees, model = a["second"].get_data()
    _, _, u0, t, H = a["frame"]
    phi = np.radians(degrees)
    U = np.cos(phi)[:, None] * u0 + np.sin(phi)[:, None] * t
    g = rosenbrock().gradient(lecture.POINT)
    expected = U @ g + 0.05 * np.einsum("ki,ij,kj->k", U, rosenbrock().hessian(lecture.POINT), U)
    np.testing.assert_allclose(model, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(H, [[302.0, -200.0], [-200.0, 200.0]])  # 12b x² − 4b y + 2, ...


@pytest.mark.parametrize(
    ("eta", "x0", "y0", "steps"),
    [(0.005, -1.0, 0.5, 60), (0.01, 3.5, -4.0, 300), (0.0001, 0.0, 0.0, 1), (0.04, 2.0, 2.0, 100)],
)
def test_descent_panel_draws_the_library_run_for_new_slider_values(descent, eta, x0, y0, steps):
    readout = descent.set(learning_rate=eta, x0=x0, y0=y0, steps=steps)
    run = gradient_descent(himmelblau(), [x0, y0], eta, max_iter=steps)
    a = descent.artists
    path = np.column_stack(a["contour"].paths[0].get_data())
    finite = np.all(np.isfinite(run.iterates) & (np.abs(run.iterates) < 1e12), axis=1)
    np.testing.assert_array_equal(path[finite], run.iterates[finite])
    shown = a["losses"].lines[0].get_ydata()
    ok = np.isfinite(run.losses) & (run.losses > 0)
    np.testing.assert_array_equal(shown[ok], run.losses[ok])
    assert f"{run.status.item()} after {int(run.stopped_at)} steps" in readout
    fell = all(run.losses[t] <= run.losses[t - 1] for t in range(1, run.losses.size))
    assert ("f fell at every step" in readout) == fell


def test_descent_panel_names_the_minimum_of_the_basin_and_not_for_a_diverged_run(descent):
    readout = descent.set(learning_rate=0.005, x0=4.0, y0=-4.0, steps=300)
    assert "nearest minimum (3.584, -1.848)" in readout
    readout = descent.set(learning_rate=0.05, x0=4.0, y0=4.0, steps=100)
    assert "diverged" in readout and "nearest minimum" not in readout
    assert "f rose at step" in readout


def test_panels_refuse_slider_values_outside_their_range(step_panel, descent):
    with pytest.raises(ValueError, match="radius"):
        step_panel.set(radius=1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        descent.set(learning_rate=0.5)
    with pytest.raises(ValueError, match="x0"):
        descent.set(x0=6.0)
    with pytest.raises(TypeError, match="steps"):
        descent.set(steps=2.5)


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout


def test_static_figures_render():
    f = rosenbrock()
    angles, U = lecture.unit_directions(360)
    exact = U @ f.gradient(lecture.POINT)
    figures = [
        lecture.slope_figure(angles - np.pi, exact, exact, 70.0),
        lecture.one_step_figure(np.geomspace(1e-5, 1e-2, 20), -np.linspace(1, 2, 20), 70.0, 2e6),
        lecture.turn_figure(np.geomspace(1e-3, 0.5, 5), *np.ones((4, 5))),
        lecture.flow_figure(
            himmelblau(), [np.zeros((3, 2))], ["a"], np.array([0.1, 0.05]), np.array([0.2, 0.1])
        ),
    ]
    for plot in figures:
        assert plot._repr_png_().startswith(b"\x89PNG")


def test_basin_index_names_the_minimum_within_tol_and_minus_one_elsewhere():
    minima = himmelblau().minimizers
    ends = np.array([minima[2] + 1e-8, [0.0, 0.0], minima[0], [np.nan, np.nan]])
    np.testing.assert_array_equal(lecture.basin_index(ends, minima), [2, -1, 0, -1])
    runs = gradient_descent(himmelblau(), [[4.0, -4.0], [-4.0, 4.0]], 0.005, max_iter=500)
    np.testing.assert_array_equal(lecture.basin_index(runs.final, minima), [3, 1])
    plot = lecture.basin_figure(himmelblau(), np.linspace(-1, 1, 3), np.array([[0, 1, 2]] * 3))
    assert plot._repr_png_().startswith(b"\x89PNG")
