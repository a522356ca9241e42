"""Gradient descent, line search, momentum and Newton against theory and hand-written updates."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import descent
from course_lib.objectives import (
    Objective,
    ill_conditioned_quadratic,
    quadratic,
    rosenbrock,
    saddle,
)


@pytest.fixture
def quad():
    return quadratic([1.0, 10.0], b=[1.0, -2.0], angle=0.4)


def test_gd_converges_below_and_diverges_above_two_over_lambda_max(quad):
    limit = 2.0 / 10.0
    below = descent.gradient_descent(quad, [3.0, 3.0], 0.99 * limit, max_iter=5000)
    above = descent.gradient_descent(quad, [3.0, 3.0], 1.01 * limit, max_iter=5000)
    assert below.status == "converged"
    np.testing.assert_allclose(below.final, np.linalg.solve(quad.A, quad.b), atol=1e-7)
    assert above.status == "diverged"


def test_gd_error_contracts_by_max_abs_one_minus_eta_lambda(quad):
    xstar = np.linalg.solve(quad.A, quad.b)
    for lr in (0.05, 0.12, 0.19):
        traj = descent.gradient_descent(quad, [3.0, -1.0], lr, max_iter=60, tol=0)
        err = np.linalg.norm(traj.iterates - xstar, axis=-1)
        measured = err[-1] / err[-2]
        predicted = np.max(np.abs(1 - lr * np.array([1.0, 10.0])))  # max_i |1 − ηλ_i|
        assert measured == pytest.approx(predicted, rel=1e-6)


def test_gd_step_is_x_minus_eta_times_the_gradient(quad):
    traj = descent.gradient_descent(quad, [1.0, 2.0], 0.05, max_iter=3, tol=0)
    x = np.array([1.0, 2.0])
    for t in range(3):
        x = x - 0.05 * (quad.A @ x - quad.b)
        np.testing.assert_allclose(traj.iterates[t + 1], x, rtol=1e-14)


def test_exact_line_search_equals_the_optimal_step_formula(quad):
    exact = descent.gradient_descent(quad, [3.0, -1.0], line_search="exact", max_iter=5, tol=0)
    x = exact.iterates[:-1]
    g = x @ quad.A - quad.b
    t = descent.optimal_step(g, quad.A)
    np.testing.assert_allclose(exact.iterates[1:], x - t[:, None] * g, rtol=1e-10, atol=1e-13)
    optimal = descent.gradient_descent(quad, [3.0, -1.0], line_search="optimal", max_iter=5, tol=0)
    np.testing.assert_allclose(optimal.iterates, exact.iterates, rtol=1e-10, atol=1e-13)


def test_exact_line_search_makes_successive_gradients_orthogonal(quad):
    traj = descent.gradient_descent(quad, [3.0, -1.0], line_search="exact", max_iter=6, tol=0)
    g = quad.gradient(traj.iterates)
    assert np.all(np.abs(np.sum(g[1:] * g[:-1], axis=-1)) < 1e-10 * np.sum(g[:-1] ** 2, -1))


def test_backtracking_steps_satisfy_the_armijo_condition():
    f = rosenbrock()
    x = np.array([[-1.2, 1.0], [0.5, 0.5], [1.5, 2.0]])
    g = f.gradient(x)
    t = descent.backtracking_step(f.value, x, g, armijo=1e-4)
    assert np.all(f.value(x - t[:, None] * g) <= f.value(x) - 1e-4 * t * np.sum(g * g, -1))
    # the step before the accepted one (twice as long) violated it
    assert np.all(f.value(x - 2 * t[:, None] * g) > f.value(x) - 1e-4 * 2 * t * np.sum(g * g, -1))


def test_backtracking_descent_converges_on_rosenbrock():
    traj = descent.gradient_descent(
        rosenbrock(), [-1.2, 1.0], line_search="backtracking", max_iter=20000, tol=1e-3
    )
    assert traj.status == "converged"
    np.testing.assert_allclose(traj.final, [1.0, 1.0], atol=1e-2)
    assert np.all(np.diff(traj.losses) <= 0)


def test_heavy_ball_with_zero_momentum_is_gradient_descent_bit_for_bit(quad):
    gd = descent.gradient_descent(quad, [2.0, 1.0], 0.1, max_iter=100)
    hb = descent.heavy_ball(quad, [2.0, 1.0], 0.1, 0.0, max_iter=100)
    np.testing.assert_array_equal(gd.iterates, hb.iterates)


def test_heavy_ball_matches_the_hand_written_recurrence(quad):
    eta, beta = 0.05, 0.8
    traj = descent.heavy_ball(quad, [2.0, 1.0], eta, beta, max_iter=30, tol=0)
    x_prev = x = np.array([2.0, 1.0])
    for t in range(30):
        x, x_prev = x - eta * (quad.A @ x - quad.b) + beta * (x - x_prev), x
        np.testing.assert_allclose(traj.iterates[t + 1], x, rtol=1e-12, atol=1e-14)


def test_heavy_ball_matches_the_documented_torch_sgd_update(quad):
    # torch.optim.SGD, dampening=0, nesterov=False: b_t = μ b_{t-1} + g_t (b_1 = g_1),
    # θ_t = θ_{t-1} − γ b_t.
    lr, mu = 0.03, 0.9
    traj = descent.heavy_ball(quad, [2.0, 1.0], lr, mu, max_iter=25, tol=0)
    theta, buf = np.array([2.0, 1.0]), None
    for t in range(25):
        g = quad.A @ theta - quad.b
        buf = g.copy() if buf is None else mu * buf + g
        theta = theta - lr * buf
        np.testing.assert_allclose(traj.iterates[t + 1], theta, rtol=1e-12, atol=1e-14)


def test_nesterov_matches_the_documented_torch_nesterov_update(quad):
    lr, mu = 0.03, 0.9
    traj = descent.nesterov(quad, [2.0, 1.0], lr, mu, max_iter=25, tol=0)
    theta, buf = np.array([2.0, 1.0]), None
    for t in range(25):
        g = quad.A @ theta - quad.b
        buf = g.copy() if buf is None else mu * buf + g
        theta = theta - lr * (g + mu * buf)
        np.testing.assert_allclose(traj.iterates[t + 1], theta, rtol=1e-12, atol=1e-14)


def test_tuned_momentum_beats_tuned_gd_at_the_predicted_rate():
    # Polyak's settings for λ in [1, 100], written out: η = 4/(√L + √μ)², β = ((√κ−1)/(√κ+1))²
    f = ill_conditioned_quadratic(100.0, dim=2, angle=0.3)
    mu, L = 1.0, 100.0
    eta, beta = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, ((10.0 - 1) / (10.0 + 1)) ** 2
    hb = descent.heavy_ball(f, [1.0, 1.0], eta, beta, max_iter=400, tol=0)
    gd = descent.gradient_descent(f, [1.0, 1.0], 2 / (mu + L), max_iter=400, tol=0)
    err_hb = np.linalg.norm(hb.iterates, axis=-1)
    err_gd = np.linalg.norm(gd.iterates, axis=-1)
    measured = (err_hb[300] / err_hb[100]) ** (1 / 200)
    assert measured == pytest.approx(9.0 / 11.0, abs=0.01)  # (√κ − 1)/(√κ + 1)
    assert err_hb[300] < 1e-6 * err_gd[300]


def test_newton_solves_a_positive_definite_quadratic_in_one_step(quad):
    traj = descent.newton(quad, [5.0, -7.0])
    assert int(traj.stopped_at) == 1 and traj.status == "converged"
    np.testing.assert_allclose(traj.iterates[1], np.linalg.solve(quad.A, quad.b), rtol=1e-12)


def test_newton_is_attracted_to_a_saddle():
    traj = descent.newton(saddle(), [0.3, -0.2])
    np.testing.assert_allclose(traj.final, [0.0, 0.0], atol=1e-12)


def test_newton_with_a_singular_hessian_stops_with_a_status_not_an_exception():
    flat = quadratic([1.0, 0.0])
    traj = descent.newton(flat, [1.0, 1.0])
    assert traj.status == "diverged"


@settings(max_examples=25, deadline=None)
@given(
    rates=st.lists(st.floats(0.01, 0.25), min_size=1, max_size=5),
    x0=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
)
def test_a_batch_of_learning_rates_equals_separate_runs(rates, x0):
    f = quadratic([1.0, 8.0], angle=0.2)
    batch = descent.gradient_descent(f, x0, np.array(rates), max_iter=200, tol=1e-6)
    assert batch.iterates.shape[:1] == (len(rates),)
    for k, lr in enumerate(rates):
        single = descent.gradient_descent(f, x0, lr, max_iter=200, tol=1e-6)
        np.testing.assert_array_equal(batch.run(k).iterates, single.iterates)
        assert batch.run(k).status == single.status


@settings(max_examples=20, deadline=None)
@given(
    rates=st.lists(st.floats(0.01, 0.1), min_size=1, max_size=3),
    betas=st.lists(st.floats(0.0, 0.95), min_size=1, max_size=3),
)
def test_a_grid_of_learning_rates_and_momenta_equals_separate_runs(rates, betas):
    f = quadratic([1.0, 8.0], angle=0.2)
    lr, beta = np.array(rates)[:, None], np.array(betas)[None, :]
    batch = descent.heavy_ball(f, [1.0, 2.0], lr, beta, max_iter=100, tol=1e-6)
    assert batch.batch_shape == (len(rates), len(betas))
    for i, r in enumerate(rates):
        for j, b in enumerate(betas):
            single = descent.heavy_ball(f, [1.0, 2.0], r, b, max_iter=100, tol=1e-6)
            np.testing.assert_array_equal(batch.run((i, j)).iterates, single.iterates)


def test_divergent_runs_raise_no_warnings(quad):
    with np.errstate(all="raise"):
        traj = descent.heavy_ball(quad, [1.0, 1.0], [0.1, 5.0], 0.5, max_iter=10000)
    assert traj.status.tolist() == ["converged", "diverged"]


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda f: descent.gradient_descent(f, [1.0, 1.0], -0.1), ValueError, "learning_rate"),
        (lambda f: descent.gradient_descent(f, [1.0, 1.0], np.nan), ValueError, "learning_rate"),
        (lambda f: descent.gradient_descent(f, [1.0, 1.0]), ValueError, "learning_rate"),
        (lambda f: descent.gradient_descent(f, [1.0, 1.0, 1.0], 0.1), ValueError, "x0"),
        (
            lambda f: descent.gradient_descent(f, [1.0, 1.0], 0.1, line_search="wolfe"),
            ValueError,
            "line_search",
        ),
        (
            lambda f: descent.gradient_descent(f, [1.0, 1.0], 0.1, max_iter=0),
            ValueError,
            "max_iter",
        ),
        (lambda f: descent.heavy_ball(f, [1.0, 1.0], 0.1, 1.0), ValueError, "momentum"),
        (lambda f: descent.gradient_descent(lambda x: x, [1.0], 0.1), TypeError, "objective"),
        (lambda f: descent.newton(f, [1.0, np.inf]), ValueError, "x0"),
    ],
)
def test_bad_input_gets_an_error_naming_the_argument(quad, call, exc, message):
    with pytest.raises(exc, match=message):
        call(quad)


def test_nesterov_with_zero_momentum_is_gradient_descent_bit_for_bit(quad):
    gd = descent.gradient_descent(quad, [2.0, 1.0], [0.05, 0.1], max_iter=100)
    nag = descent.nesterov(quad, [2.0, 1.0], [0.05, 0.1], 0.0, max_iter=100)
    np.testing.assert_array_equal(gd.iterates, nag.iterates)


def test_optimal_step_is_the_formula_for_every_member_of_a_batch():
    rng = np.random.default_rng(4)
    A = rng.normal(size=(6, 3, 3))
    H = A @ np.swapaxes(A, -1, -2) + np.eye(3)
    g = rng.normal(size=(6, 3))
    t = descent.optimal_step(g, H)
    assert t.shape == (6,)
    for k in range(6):
        assert t[k] == pytest.approx(g[k] @ g[k] / (g[k] @ H[k] @ g[k]), rel=1e-12)
    # and it minimises f(x − t g) along the line: a smaller and a larger step do worse
    f = quadratic([2.0, 7.0], angle=0.3)
    x = np.array([1.0, -2.0])
    gx = f.gradient(x)
    ts = float(descent.optimal_step(gx, f.A))
    assert f.value(x - ts * gx) < min(f.value(x - 0.9 * ts * gx), f.value(x - 1.1 * ts * gx))


@pytest.mark.parametrize("line_search", ["exact", "optimal"])
def test_a_line_with_negative_curvature_has_no_exact_step_and_the_run_diverges(line_search):
    # on x² − y², from (0, 1) the line x − t g runs down the y-direction for ever
    traj = descent.gradient_descent(saddle(), [0.0, 1.0], line_search=line_search)
    assert traj.status == "diverged"


@settings(max_examples=15, deadline=None)
@given(
    starts=st.lists(
        st.tuples(st.floats(-2, 2), st.floats(-1, 3)), min_size=1, max_size=4, unique=True
    )
)
def test_a_batch_of_backtracking_runs_equals_separate_runs(starts):
    f = rosenbrock()
    batch = descent.gradient_descent(
        f, np.array(starts), line_search="backtracking", max_iter=60, tol=1e-8
    )
    for k, x0 in enumerate(starts):
        single = descent.gradient_descent(f, x0, line_search="backtracking", max_iter=60, tol=1e-8)
        np.testing.assert_array_equal(batch.run(k).iterates, single.iterates)


def test_backtracking_leaves_points_without_a_finite_value_at_the_initial_step():
    f = rosenbrock()
    x = np.array([[np.nan, 1.0], [0.5, 0.5]])
    g = f.gradient(x)
    t = descent.backtracking_step(f.value, x, g, initial_step=2.0)
    assert t[0] == 2.0 and t[1] < 2.0


def _quartic():
    """f(x, y) = x⁴/4 + y²/2: its Hessian diag(3x², 1) is singular on the line x = 0."""
    return Objective(
        name="quartic",
        value=lambda p: p[..., 0] ** 4 / 4 + p[..., 1] ** 2 / 2,
        gradient=lambda p: np.stack([p[..., 0] ** 3, p[..., 1]], -1),
        hessian=lambda p: np.stack(
            [
                np.stack([3 * p[..., 0] ** 2, 0 * p[..., 0]], -1),
                np.stack([0 * p[..., 0], 1 + 0 * p[..., 0]], -1),
            ],
            -2,
        ),
        dim=2,
    )


def test_a_singular_hessian_stops_only_its_own_run_of_a_batch():
    f = _quartic()
    batch = descent.newton(f, [[0.0, 1.0], [1.0, 1.0]], max_iter=30, tol=0)
    assert batch.status.tolist() == ["diverged", "max_iter"]
    # the healthy run is Newton on x⁴/4 by hand: x ← x − x³/(3x²) = 2x/3
    np.testing.assert_allclose(batch.iterates[1, :, 0], (2 / 3) ** np.arange(31), rtol=1e-12)
    single = descent.newton(f, [1.0, 1.0], max_iter=30, tol=0)
    np.testing.assert_array_equal(batch.run(1).iterates, single.iterates)


def test_a_tiny_but_regular_hessian_is_not_mistaken_for_a_singular_one():
    f = quadratic([1e-9, 3e-9], b=[1e-9, 1e-9])
    traj = descent.newton(f, [5.0, -3.0], tol=1e-20)
    assert traj.status == "converged"
    np.testing.assert_allclose(traj.final, [1.0, 1 / 3], rtol=1e-9)


def test_damped_newton_shrinks_the_error_by_one_minus_damping_on_a_quadratic(quad):
    xstar = np.linalg.solve(quad.A, quad.b)
    alphas = np.array([0.25, 0.5, 1.0])
    traj = descent.newton(quad, [4.0, 4.0], damping=alphas, max_iter=5, tol=0)
    err = np.linalg.norm(traj.iterates - xstar, axis=-1)
    for k in range(2):
        np.testing.assert_allclose(err[k, 1:] / err[k, :-1], 1 - alphas[k], rtol=1e-8)
    assert err[2, 1] < 1e-12 * err[2, 0]  # the full step lands on the minimiser


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (
            lambda f: descent.gradient_descent(f, np.ones((3, 2)), [0.1, 0.2]),
            ValueError,
            "broadcast",
        ),
        (lambda f: descent.gradient_descent(f, [1.0, 1.0], 0.1, tol=-1.0), ValueError, "tol"),
        (lambda f: descent.nesterov(f, [1.0, 1.0], 0.1, -0.2), ValueError, "momentum"),
        (lambda f: descent.heavy_ball(f, [1.0, 1.0], np.inf, 0.5), ValueError, "learning_rate"),
        (lambda f: descent.newton(f, [1.0, 1.0], damping=0.0), ValueError, "damping"),
        (
            lambda f: descent.backtracking_step(f.value, np.ones(2), np.ones(2), armijo=1.5),
            ValueError,
            "armijo",
        ),
        (
            lambda f: descent.backtracking_step(f.value, np.ones(2), np.ones(2), shrink=1.0),
            ValueError,
            "shrink",
        ),
        (
            lambda f: descent.backtracking_step(f.value, np.ones(2), np.ones(3)),
            ValueError,
            "g must have the shape",
        ),
        (lambda f: descent.backtracking_step(3.0, np.ones(2), np.ones(2)), TypeError, "f must"),
    ],
)
def test_more_bad_input_gets_an_error_naming_the_argument(quad, call, exc, message):
    with pytest.raises(exc, match=message):
        call(quad)


def test_accelerated_momentum_refuses_a_negative_step_count():
    with pytest.raises(ValueError, match="t must hold step counts"):
        descent.accelerated_momentum([0.0, -2.0])  # (t − 1)/(t + 2) divides by 0 at t = −2


# --------------------------------------------------------------------------- momentum batch
@settings(max_examples=60, deadline=None)
@given(
    eigenvalues=st.lists(st.floats(0.1, 100.0), min_size=1, max_size=4),
    settings_=st.lists(
        st.tuples(st.floats(1e-3, 0.05), st.sampled_from([0.0, 0.3, 0.8, 0.95]), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    scale=st.sampled_from([1.0, 30.0]),  # 30: some learning rates diverge
    tol=st.sampled_from([0.0, 1e-8]),
)
def test_momentum_batch_runs_equal_heavy_ball_and_nesterov_alone_bit_for_bit(
    eigenvalues, settings_, scale, tol
):
    f = quadratic(eigenvalues)
    x0 = np.linspace(1.0, -0.5, len(eigenvalues))
    lrs = np.array([s[0] for s in settings_]) * scale
    betas = np.array([s[1] for s in settings_])
    ahead = np.array([s[2] for s in settings_])
    with np.errstate(all="raise"):
        batch = descent.momentum_batch(f, x0, lrs, betas, ahead, max_iter=150, tol=tol)
    for k in range(len(settings_)):
        method = descent.nesterov if ahead[k] else descent.heavy_ball
        alone = method(f, x0, lrs[k], betas[k], max_iter=150, tol=tol)
        run = batch.run(k)
        assert str(run.status) == str(alone.status)
        assert int(run.stopped_at) == int(alone.stopped_at)
        np.testing.assert_array_equal(run.iterates, alone.iterates)
        np.testing.assert_array_equal(run.losses, alone.losses)
        np.testing.assert_array_equal(run.grad_norms, alone.grad_norms)


def test_momentum_batch_refuses_a_nesterov_flag_that_is_not_boolean():
    f = quadratic([1.0, 10.0])
    with pytest.raises(TypeError, match="nesterov"):
        descent.momentum_batch(f, [1.0, 1.0], 0.01, 0.5, [0, 1])
    with pytest.raises(ValueError, match="broadcast"):
        descent.momentum_batch(f, [1.0, 1.0], [0.01, 0.02], 0.5, [True, False, True])
