"""Lecture 05's figures and panels draw what the library computes, and its formulas hold."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import stochastic
from course_lib.data import linear_data
from course_lib.panels import stochastic_gradient_descent as lecture
from course_lib.plots import GradientCloud

X, Y, THETA_STAR = lecture.line_problem()
N = X.shape[0]


def _small_problem(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    X = np.column_stack([x, np.ones(n)])
    y = 1.5 * x - 0.5 + rng.normal(size=n)
    return X, y


def _per_example_by_hand(theta, X, y):
    """Row i: (xᵢ·θ − yᵢ) xᵢ, one example at a time."""
    return np.array([(row @ theta - target) * row for row, target in zip(X, y, strict=True)])


# --------------------------------------------------------------------------- data


def test_line_problem_is_lecture_01s_line_and_its_least_squares_optimum():
    x, y = linear_data(N, seed=lecture.DATA_SEED)
    np.testing.assert_array_equal(X[:, 0], x)
    np.testing.assert_array_equal(X[:, 1], 1.0)
    np.testing.assert_array_equal(Y, y)
    normal = np.linalg.solve(X.T @ X, X.T @ Y)
    np.testing.assert_allclose(THETA_STAR, normal, rtol=1e-12)


# --------------------------------------------------------------------------- minibatch gradients


@settings(max_examples=30, deadline=None)
@given(
    batch_size=st.sampled_from(lecture.BATCH_SIZES),
    replace=st.booleans(),
    seed=st.integers(0, 1000),
    epochs=st.integers(1, 3),
)
def test_minibatch_gradients_are_means_of_per_example_gradients_over_the_index_stream(
    batch_size, replace, seed, epochs
):
    theta = np.array([0.3, -1.2])
    got = lecture.minibatch_gradients(
        theta, X, Y, batch_size, epochs=epochs, replace=replace, seed=seed
    )
    idx = stochastic.minibatch_indices(N, batch_size, epochs=epochs, replace=replace, seed=seed)
    per_example = _per_example_by_hand(theta, X, Y)
    expected = np.array([[per_example[batch].mean(axis=0) for batch in epoch] for epoch in idx])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    n_batches=st.integers(1, 12),
    batch_size=st.integers(1, 8),
    seed=st.integers(0, 1000),
)
def test_an_epoch_without_replacement_averages_to_the_full_gradient_exactly(
    n_batches, batch_size, seed
):
    n = n_batches * batch_size
    Xs, ys = _small_problem(n, seed)
    theta = np.array([2.0, 1.0])
    g = lecture.minibatch_gradients(theta, Xs, ys, batch_size, epochs=3, seed=seed)
    full = Xs.T @ (Xs @ theta - ys) / n
    np.testing.assert_allclose(g.mean(axis=1), np.broadcast_to(full, (3, 2)), atol=1e-12)


def test_minibatch_gradients_reject_a_theta_of_the_wrong_shape():
    with pytest.raises(ValueError, match="theta"):
        lecture.minibatch_gradients(np.zeros(3), X, Y, 5)


def test_gradient_variance_and_per_example_variance_match_numpy():
    rng = np.random.default_rng(3)
    g = rng.normal(size=(7, 5, 2))
    full = np.array([0.2, -0.1])
    expected = np.mean(np.linalg.norm(g - full, axis=-1) ** 2)
    assert lecture.gradient_variance(g, full) == pytest.approx(expected, rel=1e-12)
    rows = g[0]
    assert lecture.per_example_variance(rows) == pytest.approx(
        np.var(rows[:, 0]) + np.var(rows[:, 1]), rel=1e-12
    )
    with pytest.raises(ValueError, match="full_gradient"):
        lecture.gradient_variance(g, [0.0, 0.0, 0.0])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 7), data=st.data(), seed=st.integers(0, 100))
def test_variance_formulas_equal_an_exact_enumeration_of_all_batches(n, data, seed):
    b = data.draw(st.integers(1, min(n, 4)))
    Xs, ys = _small_problem(n, seed)
    theta = np.array([0.5, 0.5])
    G = _per_example_by_hand(theta, Xs, ys)
    full = G.mean(axis=0)
    sigma2 = lecture.per_example_variance(G)

    def spread(batches):
        means = np.array([G[list(batch)].mean(axis=0) for batch in batches])
        return np.mean(np.sum((means - full) ** 2, axis=-1))

    # every ordered tuple of b draws is equally likely with replacement, every subset without
    with_replacement = spread(itertools.product(range(n), repeat=b))
    without = spread(itertools.combinations(range(n), b))
    assert lecture.predicted_variance(sigma2, n, b, True) == pytest.approx(with_replacement)
    assert lecture.predicted_variance(sigma2, n, b, False) == pytest.approx(
        without, rel=1e-9, abs=1e-12
    )


def test_predicted_variance_rejects_a_batch_larger_than_the_data():
    with pytest.raises(ValueError, match="batch_size"):
        lecture.predicted_variance(1.0, 10, 11, False)
    with pytest.raises(ValueError, match="batch_size"):
        lecture.predicted_variance(1.0, 10, 0, True)


@pytest.mark.parametrize("replace", [False, True])
def test_measured_variances_agree_with_the_formulas_over_many_epochs(replace):
    theta = lecture.CLOUD_POINT
    sizes = [1, 4, 15]
    measured = lecture.measured_variances(theta, X, Y, sizes, epochs=400, replace=replace, seed=5)
    sigma2 = lecture.per_example_variance(stochastic.per_example_gradients(theta, X, Y))
    predicted = lecture.predicted_variance(sigma2, N, np.array(sizes), replace)
    np.testing.assert_allclose(measured, predicted, rtol=0.15)


def test_the_full_batch_without_replacement_has_no_noise_and_with_replacement_has_some():
    theta = lecture.CLOUD_POINT
    without, with_r = (
        lecture.measured_variances(theta, X, Y, [N], epochs=5, replace=r)[0] for r in (False, True)
    )
    assert without < 1e-25 < with_r


# --------------------------------------------------------------------------- noise floor


def _floor_by_fixed_point_iteration(X, y, eta, batch_size):
    """Iterate Σ ← E[(I − ηH_B) Σ (I − ηH_B)] + η² E[g*_B g*_Bᵀ] over ALL batches of draws."""
    n, d = X.shape
    theta_star = np.linalg.lstsq(X, y, rcond=None)[0]
    residual = X @ theta_star - y
    batches = list(itertools.product(range(n), repeat=batch_size))
    maps, kicks = [], []
    for batch in batches:
        rows = X[list(batch)]
        maps.append(np.eye(d) - eta * rows.T @ rows / batch_size)
        kicks.append(rows.T @ residual[list(batch)] / batch_size)
    maps, kicks = np.array(maps), np.array(kicks)
    noise = eta**2 * np.mean(kicks[:, :, None] * kicks[:, None, :], axis=0)
    sigma = np.zeros((d, d))
    for _ in range(4000):
        previous = sigma
        sigma = np.einsum("bij,jk,blk->il", maps, sigma, maps) / len(batches) + noise
    assert np.allclose(sigma, previous, rtol=1e-13, atol=0), "the iteration has not converged"
    H = X.T @ X / n
    return 0.5 * np.trace(H @ sigma)


@pytest.mark.parametrize(("eta", "batch_size"), [(0.05, 1), (0.2, 1), (0.1, 2), (0.3, 3)])
def test_noise_floor_is_the_fixed_point_of_the_second_moment_recursion(eta, batch_size):
    Xs, ys = _small_problem(6, seed=11)
    expected = _floor_by_fixed_point_iteration(Xs, ys, eta, batch_size)
    assert lecture.noise_floor(Xs, ys, eta, batch_size) == pytest.approx(expected, rel=1e-8)


def test_noise_floor_is_vectorised_and_tends_to_the_first_order_formula():
    etas = np.array([1e-5, 1e-3, 0.05])
    exact = lecture.noise_floor(X, Y, etas, 4)
    singles = [float(lecture.noise_floor(X, Y, e, 4)) for e in etas]
    np.testing.assert_allclose(exact, singles, rtol=1e-12)
    first = lecture.first_order_floor(X, Y, etas, 4)
    C = lecture.gradient_noise(X, Y, THETA_STAR)
    np.testing.assert_allclose(first, etas * np.trace(C) / 16, rtol=1e-12)
    assert exact[0] == pytest.approx(first[0], rel=1e-4)
    assert np.all(exact >= first)  # the O(η²) terms add noise


def test_noise_floor_is_infinite_where_the_noise_is_amplified():
    # a single example's curvature ‖xᵢ‖² reaches 10 here: η = 1 has no steady state
    assert np.isinf(lecture.noise_floor(X, Y, 1.0, 1))
    assert np.isfinite(lecture.noise_floor(X, Y, 0.05, 1))


def test_gradient_noise_is_the_second_moment_of_the_per_example_gradients_at_the_optimum():
    G = _per_example_by_hand(THETA_STAR, X, Y)
    np.testing.assert_allclose(G.sum(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(lecture.gradient_noise(X, Y, THETA_STAR), G.T @ G / N, rtol=1e-12)


def test_noise_floor_predicts_a_long_sgd_run_with_replacement():
    etas = np.array([0.02, 0.08])
    runs = stochastic.sgd(
        X,
        Y,
        THETA_STAR,
        etas,
        batch_size=2,
        epochs=400,
        replace=True,
        record="step",
        seed=9,
        tol=0.0,
    )
    lstar = float(stochastic.least_squares_loss(THETA_STAR, X, Y))
    measured = lecture.stationary_gap(runs, lstar)
    np.testing.assert_allclose(measured, lecture.noise_floor(X, Y, etas, 2), rtol=0.15)


def test_stationary_gap_is_the_mean_after_the_burn_in():
    from course_lib.trajectory import Trajectory

    losses = np.array([[9.0, 9.0, 1.0, 3.0], [5.0, 5.0, 2.0, 2.0]])
    traj = Trajectory(
        iterates=np.zeros((2, 4, 2)),
        losses=losses,
        grad_norms=np.zeros((2, 4)),
        status=np.array(["max_iter"] * 2),
        stopped_at=np.array([3, 3]),
    )
    np.testing.assert_allclose(lecture.stationary_gap(traj, 1.0, burn_in=0.5), [1.0, 1.0])
    np.testing.assert_allclose(lecture.stationary_gap(traj, 0.0, burn_in=0.0), [5.5, 3.5])
    with pytest.raises(ValueError, match="burn_in"):
        lecture.stationary_gap(traj, 0.0, burn_in=1.0)


# --------------------------------------------------------------------------- schedules and runs


@pytest.mark.parametrize("batch_size", [1, 5, 12])
def test_the_inverse_time_schedule_halves_after_one_epoch_and_step_every_ten(batch_size):
    steps = N // batch_size
    total = 40 * steps
    kw = lecture.schedule_kw("inverse_time", batch_size)
    eta = stochastic.learning_rate_schedule("inverse_time", 0.2, total, **kw)
    assert eta[steps] == pytest.approx(0.1, rel=1e-12)
    kw = lecture.schedule_kw("step", batch_size)
    eta = stochastic.learning_rate_schedule("step", 0.2, total, **kw)
    assert eta[10 * steps - 1] == 0.2 and eta[10 * steps] == pytest.approx(0.1)
    assert lecture.schedule_kw("constant", batch_size) is None
    with pytest.raises(ValueError, match="schedule"):
        lecture.schedule_kw("adam", batch_size)


def test_epoch_means_and_epoch_axis():
    gap = np.arange(1.0, 1 + 1 + 2 * 12)  # start + 2 epochs of B = 5 (12 steps each)
    np.testing.assert_allclose(lecture.epoch_means(gap, 5), [gap[1:13].mean(), gap[13:].mean()])
    np.testing.assert_allclose(lecture.epoch_axis(25, 5)[[0, 12, 24]], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="gap"):
        lecture.epoch_means(gap[:-1], 5)


# --------------------------------------------------------------------------- panels


@pytest.fixture(scope="module")
def cloud_panel():
    return lecture.gradient_cloud_panel()


@pytest.fixture(scope="module")
def sgd_panel():
    return lecture.sgd_panel()


@pytest.mark.parametrize(("batch_size", "replace", "seed"), [(1, False, 0), (12, True, 4)])
def test_cloud_panel_draws_the_minibatch_gradients_of_the_new_settings(
    cloud_panel, batch_size, replace, seed
):
    readout = cloud_panel.set(batch_size=batch_size, replace=replace, seed=seed)
    theta = lecture.CLOUD_POINT
    idx = stochastic.minibatch_indices(
        N, batch_size, epochs=lecture.CLOUD_EPOCHS, replace=replace, seed=seed
    )
    per_example = _per_example_by_hand(theta, X, Y)
    expected = per_example[idx].mean(axis=-2).reshape(-1, 2)
    cloud: GradientCloud = cloud_panel.artists["cloud"]
    np.testing.assert_allclose(cloud.cloud.get_offsets(), expected, rtol=1e-12, atol=1e-12)
    full = X.T @ (X @ theta - Y) / N
    np.testing.assert_allclose(cloud.full.get_xydata()[-1], full, rtol=1e-12)
    # the dashed circle has radius √(σ²/B · correction) around ∇L
    sigma2 = np.mean(np.sum((per_example - full) ** 2, axis=1))
    factor = 1.0 if replace else (N - batch_size) / (N - 1)
    radius = np.linalg.norm(cloud_panel.artists["circle"].get_xydata() - full, axis=1)
    np.testing.assert_allclose(radius, np.sqrt(sigma2 / batch_size * factor), rtol=1e-12)
    measured = np.mean(np.sum((expected - full) ** 2, axis=1))
    assert cloud_panel.artists["marker"].get_ydata()[0] == pytest.approx(measured, rel=1e-12)
    assert f"measured {measured:.4g}, formula {sigma2 / batch_size * factor:.4g}" in readout


def test_cloud_panel_full_batch_without_replacement_is_the_full_gradient(cloud_panel):
    readout = cloud_panel.set(batch_size=N, replace=False, seed=2)
    dots = cloud_panel.artists["cloud"].cloud.get_offsets()
    full = X.T @ (X @ lecture.CLOUD_POINT - Y) / N
    np.testing.assert_allclose(dots, np.broadcast_to(full, dots.shape), atol=1e-12)
    assert "formula 0\n" in readout
    assert np.isnan(cloud_panel.artists["marker"].get_ydata()[0])  # 0 is off the log axis


@pytest.mark.parametrize(
    ("learning_rate", "schedule", "batch_size", "replace", "seed"),
    [
        (0.05, "constant", 5, False, 0),
        (0.1, "inverse_time", 1, True, 3),
        (0.2, "cosine", 20, False, 7),
    ],
)
def test_sgd_panel_draws_the_library_run_for_new_control_values(
    sgd_panel, learning_rate, schedule, batch_size, replace, seed
):
    readout = sgd_panel.set(
        learning_rate=learning_rate,
        schedule=schedule,
        batch_size=batch_size,
        replace=replace,
        seed=seed,
    )
    steps = N // batch_size
    kw = {"inverse_time": {"decay_time": steps}, "cosine": None, "constant": None}[schedule]
    run = stochastic.sgd(
        X,
        Y,
        lecture.START,
        learning_rate,
        batch_size=batch_size,
        epochs=lecture.SGD_EPOCHS,
        schedule=schedule,
        schedule_kw=kw,
        replace=replace,
        seed=seed,
        record="step",
        tol=0.0,
    )
    a = sgd_panel.artists
    np.testing.assert_array_equal(a["contour"].paths[0].get_xydata(), run.iterates)
    half = run.iterates.shape[0] // 2
    np.testing.assert_array_equal(a["zoom"].paths[0].get_xydata(), run.iterates[half:])
    lstar = float(stochastic.least_squares_loss(THETA_STAR, X, Y))
    every, means = a["losses"].lines
    np.testing.assert_allclose(every.get_ydata(), run.losses - lstar, rtol=1e-12)
    np.testing.assert_allclose(every.get_xdata()[steps], 1.0)  # x axis in epochs
    per_epoch = (run.losses[1:] - lstar).reshape(lecture.SGD_EPOCHS, steps).mean(axis=1)
    np.testing.assert_allclose(means.get_ydata(), per_epoch, rtol=1e-12)
    floor = float(lecture.noise_floor(X, Y, learning_rate, batch_size))
    np.testing.assert_allclose(a["floor"].get_ydata(), [floor, floor], rtol=1e-12)
    assert f"{run.status.item()} after {int(run.stopped_at)} steps" in readout
    assert f"mean {np.mean(run.losses[-steps:] - lstar):.3g}" in readout


def test_sgd_panel_constant_step_hovers_and_decaying_step_goes_below_the_floor(sgd_panel):
    sgd_panel.set(learning_rate=0.1, schedule="constant", batch_size=5, replace=True, seed=1)
    constant = np.asarray(sgd_panel.artists["losses"].lines[1].get_ydata())
    floor = sgd_panel.artists["floor"].get_ydata()[0]
    sgd_panel.set(schedule="inverse_time")
    decaying = np.asarray(sgd_panel.artists["losses"].lines[1].get_ydata())
    assert 0.3 * floor < constant[-10:].mean() < 3 * floor
    assert decaying[-10:].mean() < floor / 5


def test_sgd_panel_reports_a_run_that_blows_up_without_warnings(sgd_panel):
    readout = sgd_panel.set(learning_rate=0.5, schedule="constant", batch_size=1, seed=0)
    assert "diverged" in readout and "none (η₀ too large" in readout
    assert np.all(np.isnan(sgd_panel.artists["floor"].get_ydata()))


def test_panels_refuse_values_outside_their_controls(cloud_panel, sgd_panel):
    with pytest.raises(ValueError, match="batch_size"):
        cloud_panel.set(batch_size=7)  # 7 does not divide 60
    with pytest.raises(ValueError, match="seed"):
        cloud_panel.set(seed=99)
    with pytest.raises(ValueError, match="learning_rate"):
        sgd_panel.set(learning_rate=2.0)
    with pytest.raises(ValueError, match="schedule"):
        sgd_panel.set(schedule="adam")


@pytest.mark.parametrize("name", sorted(lecture.PANELS))
def test_every_listed_panel_builds_without_arguments_and_renders(name):
    panel = lecture.PANELS[name]()
    assert panel.png.startswith(b"\x89PNG")
    assert panel.readout


# --------------------------------------------------------------------------- figures


def test_variance_figure_leaves_exact_zeros_off_the_log_axis():
    sizes = np.array([1, 2, 4])
    plot = lecture.variance_figure(
        sizes, {"a": np.array([4.0, 2.0, 1e-31])}, {"a": np.array([4.0, 2.0, 0.0])}
    )
    formula, dots = plot.ax.lines
    assert np.isnan(formula.get_ydata()[-1]) and np.isnan(dots.get_ydata()[-1])
    np.testing.assert_array_equal(dots.get_ydata()[:2], [4.0, 2.0])


def test_figures_draw_the_data_they_are_given():
    theta = lecture.CLOUD_POINT
    G = stochastic.per_example_gradients(theta, X, Y)
    full = G.mean(axis=0)
    clouds = {b: lecture.minibatch_gradients(theta, X, Y, b, epochs=2) for b in (1, 10)}
    plot = lecture.cloud_figure(clouds, full, G)
    assert len(plot.fig.axes) == 2
    offsets = plot.fig.axes[1].collections[0].get_offsets()
    np.testing.assert_array_equal(offsets, clouds[10].reshape(-1, 2))
    work = lecture.work_figure({100: np.array([3.0, 2.0])}, {100: np.array([3.0, 1.0])}, 10)
    sgd_line, gd_line = work.ax.lines
    np.testing.assert_array_equal(sgd_line.get_xdata(), [0, 10])
    np.testing.assert_array_equal(gd_line.get_xdata(), [0, 100])
    gaps = lecture.gap_figure({"a": np.array([1.0, 0.5, 0.25])}, x=[0.0, 0.5, 1.0])
    np.testing.assert_array_equal(gaps.lines[0].get_xdata(), [0.0, 0.5, 1.0])
    etas = np.array([0.01, 0.1])
    floors = lecture.floor_figure(etas, {"m": etas / 2}, etas, etas / 1.5)
    assert floors.ax.get_xscale() == "log" and len(floors.ax.lines) == 3
