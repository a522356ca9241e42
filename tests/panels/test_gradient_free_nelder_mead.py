"""Lecture 11's figures and panels draw what the library computes, and agree with references."""

import numpy as np
import pytest
import scipy.optimize
import scipy.stats
from hypothesis import example, given, settings
from hypothesis import strategies as st

from course_lib.descent import gradient_descent
from course_lib.gradient_free import nelder_mead
from course_lib.objectives import himmelblau, quadratic, rosenbrock
from course_lib.panels import gradient_free_nelder_mead as lecture

SMALL_DIMS = (2, 3, 4)


@pytest.fixture(scope="module")
def small_sweep():
    return lecture.dimension_sweep(SMALL_DIMS)


# --------------------------------------------------------------------------- measuring


def test_evaluations_to_tolerance_is_the_count_at_the_first_iteration_within_tol():
    res = nelder_mead(rosenbrock(), [-1.2, 1.0], xatol=1e-8, fatol=1e-10)
    for tol in (1e-2, 1e-5, 1e-8):
        by_hand = next(
            n for n, best in zip(res.n_evaluations, res.values[:, 0], strict=True) if best <= tol
        )
        assert lecture.evaluations_to_tolerance(res, 0.0, tol) == by_hand
    assert lecture.evaluations_to_tolerance(res, 0.0, 1e-300) == -1  # never that close


def test_gradients_to_tolerance_matches_the_closed_form_on_a_one_dimensional_quadratic():
    # f = ½ λ x², x_t = (1 − ηλ)^t: f(x_t) = ½ λ (1 − ηλ)^(2t) ≤ tol first at t = ceil(...)
    lam, eta, tol = 2.0, 0.1, 1e-6
    run = gradient_descent(quadratic([lam]), [1.0], eta, max_iter=200, tol=0.0)
    t = int(np.ceil(np.log(2 * tol / lam) / (2 * np.log(1 - eta * lam))))
    assert lecture.gradients_to_tolerance(run, 0.0, tol) == t
    assert lecture.gradients_to_tolerance(run, 0.0, 1e-300) == -1


@pytest.mark.parametrize("tol", [0.0, -1.0])
def test_tolerance_must_be_positive(tol):
    res = nelder_mead(quadratic([1.0, 2.0]), [1.0, 1.0])
    with pytest.raises(ValueError, match="tol"):
        lecture.evaluations_to_tolerance(res, 0.0, tol)


@pytest.mark.parametrize("d", [1, 2, 7, 30])
def test_gradient_cost_counts_two_d_centered_and_d_plus_one_forward(d):
    assert lecture.gradient_cost(d, "centered") == 2 * d
    assert lecture.gradient_cost(d, "forward") == d + 1
    assert lecture.gradient_cost(d, "backward") == d + 1


def test_gradient_cost_rejects_an_unknown_scheme_and_a_zero_dimension():
    with pytest.raises(ValueError, match="scheme"):
        lecture.gradient_cost(3, "complex step")
    with pytest.raises(ValueError, match="dim"):
        lecture.gradient_cost(0)


@settings(max_examples=40, deadline=None)
@given(c=st.floats(0.1, 100.0), p=st.floats(-1.0, 4.0), n=st.integers(2, 15))
def test_power_law_fit_recovers_an_exact_power_law(c, p, n):
    d = np.arange(2, 2 + n, dtype=float)
    got_c, got_p = lecture.power_law_fit(d, c * d**p)
    assert got_p == pytest.approx(p, abs=1e-9)
    assert got_c == pytest.approx(c, rel=1e-8)


def test_power_law_fit_equals_scipys_linear_regression_on_logs():
    rng = np.random.default_rng(3)
    d = np.arange(2, 13, dtype=float)
    n = 20 * d**2.1 * np.exp(rng.normal(0, 0.2, d.size))
    reg = scipy.stats.linregress(np.log(d), np.log(n))
    c, p = lecture.power_law_fit(d, n)
    assert p == pytest.approx(reg.slope, rel=1e-10)
    assert np.log(c) == pytest.approx(reg.intercept, rel=1e-10)


def test_power_law_fit_rejects_counts_that_are_not_positive():
    with pytest.raises(ValueError, match="counts"):
        lecture.power_law_fit([2, 3, 4], [10, -1, 30])
    with pytest.raises(ValueError, match="equal length"):
        lecture.power_law_fit([2, 3, 4], [10, 20])


@pytest.mark.parametrize(
    ("objective", "start"),
    [(rosenbrock(), lecture.GALLERY_START), (himmelblau(), (0.0, 0.0)), (rosenbrock(), (2, 2))],
)
def test_replaying_each_recorded_move_rebuilds_the_stored_simplex_exactly(objective, start):
    res = nelder_mead(objective, start, xatol=1e-8, fatol=1e-10)
    for k in range(res.n_iterations):
        np.testing.assert_array_equal(
            lecture.replay_iteration(objective, res, k), res.simplices[k + 1]
        )


def test_replay_with_the_wrong_move_does_not_rebuild_the_simplex():
    res = nelder_mead(rosenbrock(), lecture.GALLERY_START, xatol=1e-8, fatol=1e-10)
    k = lecture.first_iterations(res)["expand"]
    forged = type(res)(
        **{
            **res.__dict__,
            "moves": np.where(np.arange(res.n_iterations) == k, "reflect", res.moves),
        }
    )
    assert not np.allclose(lecture.replay_iteration(rosenbrock(), forged, k), res.simplices[k + 1])
    with pytest.raises(ValueError, match="k must be below"):
        lecture.replay_iteration(rosenbrock(), res, res.n_iterations)


def test_step_points_by_hand():
    simplex = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 2.0]])  # worst (1, 2), centroid (1, 0)
    pts = lecture.step_points(simplex)
    np.testing.assert_allclose(pts["centroid"], [1.0, 0.0])
    np.testing.assert_allclose(pts["reflect"], [1.0, -2.0])
    np.testing.assert_allclose(pts["expand"], [1.0, -4.0])
    np.testing.assert_allclose(pts["contract_outside"], [1.0, -1.0])
    np.testing.assert_allclose(pts["contract_inside"], [1.0, 1.0])
    np.testing.assert_allclose(pts["shrink"], [[0.0, 0.0], [1.0, 0.0], [0.5, 1.0]])
    with pytest.raises(ValueError, match="simplex"):
        lecture.step_points(np.zeros((2, 2)))


def test_moves_figure_draws_the_step_points_it_reports():
    plot = lecture.moves_figure()
    drawn = [np.column_stack(line.get_data()) for line in plot.ax.lines]
    for move in lecture.STEP_LABELS:
        assert any(np.allclose(xy, [plot.points[move]]) for xy in drawn if xy.shape == (1, 2)), move
    assert plot._repr_png_().startswith(b"\x89PNG")


def test_gallery_shows_the_first_iteration_of_every_move_of_the_run():
    res = nelder_mead(rosenbrock(), lecture.GALLERY_START, xatol=1e-8, fatol=1e-10)
    plot = lecture.gallery_figure(res)
    assert set(plot.iterations) == set(lecture.MOVES)
    for move, k in plot.iterations.items():
        assert res.moves[k] == move and move not in res.moves[:k]
    axes = plot.fig.axes
    for ax, k in zip(axes, plot.iterations.values(), strict=True):
        after = np.column_stack(ax.lines[2].get_data())
        np.testing.assert_array_equal(after[:-1], res.simplices[k + 1])


@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=3, max_size=6)
)
@example(points=[(5e-324, 0.0), (0.0, 0.0), (0.0, 0.0)])  # found: a subnormal width halves to 0
@example(points=[(1e-323, 0.0), (0.0, 0.0), (0.0, 0.0)])  # subnormal: the vertex at |u| = 1
@example(points=[(1000.0, 0.0), (1000.0 - 2**-43, 0.0), (1000.0, 0.0)])  # one ulp: c rounds
def test_zoom_frame_maps_every_vertex_into_the_unit_square_with_one_scale(points):
    pts = np.array(points)
    c, s = lecture.zoom_frame(pts[:3], pts[3:])
    u = (pts - c) / s
    assert np.all(np.abs(u) <= 1 / 1.15 + 1e-9)
    half = np.ptp(pts, axis=0).max() / 2
    floor = max(np.finfo(float).tiny, lecture.ZOOM_RESOLUTION * np.abs(pts).max())
    if half >= floor:  # the widest axis fills the square up to the margin
        assert np.ptp(u, axis=0).max() == pytest.approx(2 / 1.15)
    else:  # narrower than rounding resolves: the box has the floor's width
        assert s == pytest.approx(1.15 * floor, rel=1e-6)


# --------------------------------------------------------------------------- the sweep


def test_sweep_counts_are_those_of_each_library_run_alone(small_sweep):
    for i, d in enumerate(SMALL_DIMS):
        f = quadratic(np.linspace(1.0, 10.0, d))
        alone = nelder_mead(
            f,
            np.ones(d),
            xatol=lecture.XATOL,
            fatol=lecture.SWEEP_FATOL,
            max_iter=10**5,
            max_evaluations=10**5,
        )
        assert small_sweep.evaluations[i] == lecture.evaluations_to_tolerance(alone)
        run = gradient_descent(f, np.ones(d), 0.1, max_iter=300, tol=0.0)
        assert small_sweep.gradients[i] == lecture.gradients_to_tolerance(run)
    np.testing.assert_array_equal(small_sweep.forward_cost, np.array(SMALL_DIMS) + 1)
    np.testing.assert_array_equal(small_sweep.centered_cost, 2 * np.array(SMALL_DIMS))


def test_sweep_gradient_count_equals_the_closed_form_prediction(small_sweep):
    np.testing.assert_array_equal(small_sweep.gradients, lecture.predicted_gradients(SMALL_DIMS))


@settings(max_examples=20, deadline=None)
@given(d=st.integers(1, 9), eta=st.floats(0.01, 0.19), exponent=st.integers(2, 12))
def test_predicted_gradients_equal_a_hand_written_descent_loop(d, eta, exponent):
    tol = 10.0**-exponent
    lam = np.linspace(1.0, 10.0, d)
    x, t = np.ones(d), 0
    while 0.5 * np.sum(lam * x**2) > tol:  # x ← x − η λ x, coordinate by coordinate
        x, t = x - eta * lam * x, t + 1
    assert lecture.predicted_gradients([d], tol, eta)[0] == t


def test_predicted_gradients_refuse_an_unstable_step():
    with pytest.raises(ValueError, match="learning_rate"):
        lecture.predicted_gradients([3], 1e-8, 0.25)


def test_nelder_mead_in_the_sweep_reaches_the_minimum_like_scipy(small_sweep):
    for i, d in enumerate(SMALL_DIMS):
        f = quadratic(np.linspace(1.0, 10.0, d))
        ref = scipy.optimize.minimize(
            f.value,
            np.ones(d),
            method="Nelder-Mead",
            options={
                "xatol": lecture.XATOL,
                "fatol": lecture.SWEEP_FATOL,
                "maxiter": 10**5,
                "maxfev": 10**5,
            },
        )
        ours = small_sweep.nelder_mead[i]
        np.testing.assert_allclose(ours.x, ref.x, atol=1e-7)
        assert 0.5 * ref.nfev <= ours.total_evaluations <= 2 * ref.nfev


def test_sweep_is_cached_and_rejects_bad_dimensions(small_sweep):
    assert lecture.dimension_sweep(list(SMALL_DIMS)) is small_sweep
    with pytest.raises(ValueError, match="dims"):
        lecture.dimension_sweep((1, 2))
    with pytest.raises(ValueError, match="dims"):
        lecture.dimension_sweep((3,))
    with pytest.raises(ValueError, match="swept dimensions"):
        small_sweep.index(7)


def test_sweep_figure_draws_the_measured_counts_and_the_fit(small_sweep):
    plot = lecture.sweep_figure(small_sweep)
    dots, fit = plot.ax.lines[0], plot.ax.lines[1]
    np.testing.assert_array_equal(dots.get_ydata(), small_sweep.evaluations)
    c, p = lecture.power_law_fit(SMALL_DIMS, small_sweep.evaluations)
    np.testing.assert_allclose(fit.get_ydata(), c * np.array(SMALL_DIMS, float) ** p, rtol=1e-12)


# --------------------------------------------------------------------------- panels


@pytest.fixture(scope="module")
def scrubber():
    return lecture.simplex_panel()


@pytest.fixture(scope="module")
def dim_panel():
    return lecture.dimension_panel()


def test_scrubber_draws_the_simplex_of_the_library_run_at_iteration_k(scrubber):
    readout = scrubber.set(x=-1.2, y=1.0, iteration=25)
    run = nelder_mead(
        rosenbrock(), [-1.2, 1.0], xatol=1e-8, fatol=1e-10, max_iter=200, max_evaluations=400
    )
    a = scrubber.artists
    triangle = np.column_stack(a["triangle"].get_data())
    np.testing.assert_array_equal(triangle[:-1], run.simplices[25])
    np.testing.assert_array_equal(triangle[-1], run.simplices[25][0])
    assert a["here"].get_xdata()[0] == run.simplices[25][0, 0]
    # the zoom draws simplices 24 and 25 as (x − c) / s in the square that holds them both
    both = np.vstack([run.simplices[24], run.simplices[25]])
    c = (both.min(0) + both.max(0)) / 2
    s = 1.15 * np.max(both.max(0) - both.min(0)) / 2
    zoomed = np.column_stack(a["zoom"]["after"].get_data())[:-1]
    np.testing.assert_allclose(zoomed * s + c, run.simplices[25], rtol=1e-12, atol=1e-14)
    before = np.column_stack(a["zoom"]["before"].get_data())[:-1]
    np.testing.assert_allclose(before * s + c, run.simplices[24], rtol=1e-12, atol=1e-14)
    assert np.max(np.abs(np.vstack([zoomed, before]))) == pytest.approx(1 / 1.15)
    assert a["marker"].get_xdata()[0] == run.n_evaluations[25]
    np.testing.assert_array_equal(a["view"].paths[0].get_xdata(), run.simplices[:, 0, 0])
    assert readout.startswith(f"iteration 25: {run.moves[24].replace('_', ' ')}")
    assert f"{run.status} after {run.n_iterations} iterations" in readout


def test_scrubber_reruns_only_when_the_start_moves(scrubber):
    scrubber.set(x=0.5, y=-0.5, iteration=5)
    stored = scrubber.artists["run"]
    scrubber.set(iteration=30)
    assert scrubber.artists["run"] is stored  # k moved: the stored run is scrubbed
    assert not scrubber.last_timing["full_redraw"]  # and only the moving artists were redrawn
    scrubber.set(x=0.6)
    assert scrubber.artists["run"] is not stored
    np.testing.assert_array_equal(scrubber.artists["run"].simplices[0, 0], [0.6, -0.5])


def test_scrubber_holds_the_last_simplex_past_the_end_of_a_converged_run(scrubber):
    readout = scrubber.set(x=-1.2, y=1.0, iteration=200)
    run = scrubber.artists["run"]
    assert run.status == "converged" and run.n_iterations < 200
    assert f"the run stopped at {run.n_iterations}" in readout
    np.testing.assert_array_equal(
        np.column_stack(scrubber.artists["triangle"].get_data())[:-1], run.simplices[-1]
    )


def test_himmelblau_scrubber_finds_a_known_minimum():
    panel = lecture.himmelblau_panel()
    for x, y in [(0.0, 0.0), (-3.0, 3.0), (-3.0, -3.0), (3.0, -3.0)]:
        panel.set(x=x, y=y)
        found = panel.artists["run"].x
        assert np.min(np.linalg.norm(himmelblau().minimizers - found, axis=1)) < 1e-6


def test_dimension_panel_shows_the_stored_runs_for_the_chosen_d(dim_panel):
    readout = dim_panel.set(dimension=7)
    sweep = lecture.dimension_sweep()
    i = sweep.index(7)
    a = dim_panel.artists
    assert a["cursor"].get_xdata()[0] == 7 and a["cursor"].get_ydata()[0] == sweep.evaluations[i]
    nm = a["lines"]["nelder_mead"]
    np.testing.assert_array_equal(nm.get_xdata(), sweep.nelder_mead[i].n_evaluations)
    centered = a["lines"]["centered"]
    t = np.arange(len(sweep.descent[i].losses))
    np.testing.assert_array_equal(centered.get_xdata(), np.maximum(14 * t, 1))
    assert readout.startswith(f"d = 7: Nelder–Mead {sweep.evaluations[i]} evaluations")
    assert f"{sweep.gradients[i] * 14} by centered differences" in readout


def test_panels_refuse_slider_values_outside_their_range(scrubber, dim_panel):
    with pytest.raises(ValueError, match="dimension"):
        dim_panel.set(dimension=13)
    with pytest.raises(ValueError, match="x"):
        scrubber.set(x=5.0)
    with pytest.raises(ValueError, match="function"):
        lecture.simplex_panel("beale")


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout
