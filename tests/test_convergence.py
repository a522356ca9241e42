"""course_lib.convergence: the constants L and μ, the classical bounds, the convexity checks.

References used here, all independent of the module under test: eigenvalues by
``numpy.linalg.eigvalsh``, by-hand loops of the classical methods, and the EXACT expectation
of single-example SGD on least squares (a recursion for the mean and the second moment of
the error, so the SGD bounds are checked against E‖x_t − x*‖² itself, not a noisy sample).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import convergence as cv
from course_lib.descent import (
    accelerated_gradient,
    accelerated_momentum,
    gradient_descent,
    nesterov,
)
from course_lib.losses import empirical_risk_hessian, risk_objective
from course_lib.objectives import least_squares, quadratic, rosenbrock
from course_lib.stochastic import learning_rate_schedule, sgd


def random_rotation(rng, d):
    q, r = np.linalg.qr(rng.normal(size=(d, d)))
    return q * np.sign(np.diag(r))


def random_quadratic(seed, d, mu, L):
    """½ xᵀAx with eigenvalues in [mu, L] (both attained), random eigenvectors."""
    rng = np.random.default_rng(seed)
    lam = np.sort(np.concatenate([[mu, L], rng.uniform(mu, L, size=d - 2)]))
    return quadratic(lam, rotation=random_rotation(rng, d)), rng.normal(size=d) * 3


def exact_sgd_moments(X, y, w0, gammas):
    """E‖w_t − w*‖² and E f(w_t) − f* of single-example SGD (i uniform), exactly.

    With e = w − w*, Aᵢ = xᵢxᵢᵀ and gᵢ = ∇fᵢ(w*): e' = (I − γAᵢ) e − γ gᵢ, so the mean m and
    the second moment S = E[e eᵀ] follow m' = (I − γH) m and
    S' = (1/n) Σᵢ (I − γAᵢ) S (I − γAᵢ) − γ[(I − γAᵢ) m gᵢᵀ + gᵢ mᵀ (I − γAᵢ)] + γ² gᵢgᵢᵀ.
    """
    n, d = X.shape
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    A = X[:, :, None] * X[:, None, :]  # (n, d, d)
    g = (X @ w_star - y)[:, None] * X  # (n, d)
    H = X.T @ X / n
    e0 = np.asarray(w0, float) - w_star
    m, S = e0.copy(), np.outer(e0, e0)
    dist, gap = [np.trace(S)], [0.5 * np.trace(H @ S)]
    eye = np.eye(d)
    for gamma in gammas:
        B = eye - gamma * A  # (n, d, d)
        Bm = B @ m  # (n, d)
        cross = Bm[:, :, None] * g[:, None, :]
        S = np.mean(
            B @ S @ B
            - gamma * (cross + np.swapaxes(cross, 1, 2))
            + gamma**2 * g[:, :, None] * g[:, None, :],
            axis=0,
        )
        m = m - gamma * (H @ m)
        dist.append(np.trace(S))
        gap.append(0.5 * np.trace(H @ S))
    return np.array(dist), np.array(gap)


def regression(seed=3, n=40, d=3, duplicate=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if duplicate:
        X = np.column_stack([X, X[:, 0]])  # a repeated feature: μ = 0
    y = X @ rng.normal(size=X.shape[1]) + 0.7 * rng.normal(size=n)
    return X, y


# --------------------------------------------------------------------------- L and μ


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(2, 6))
def test_smoothness_constants_are_the_extreme_eigenvalues(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    H = M @ M.T
    L, mu = cv.smoothness_constants(H)
    lam = np.linalg.eigvalsh(H)
    assert L == pytest.approx(lam[-1], rel=1e-10) and mu == pytest.approx(lam[0], abs=1e-10)


def test_objective_constants_of_least_squares_use_the_hessian_xtx_over_n():
    X, y = regression()
    L, mu = cv.objective_constants(least_squares(X, y))
    lam = np.linalg.eigvalsh(X.T @ X / len(X))
    np.testing.assert_allclose([L, mu], [lam[-1], lam[0]], rtol=1e-12)
    with pytest.raises(TypeError, match="objective"):
        cv.objective_constants(rosenbrock())


def test_logistic_smoothness_bounds_every_hessian_and_is_attained_at_zero():
    X, _ = regression(n=60)
    y = np.sign(np.random.default_rng(0).normal(size=60))
    L = cv.logistic_smoothness(X)
    W = np.random.default_rng(1).normal(size=(50, 3)) * 3
    top = np.linalg.eigvalsh(empirical_risk_hessian(W, X, y))[:, -1]
    assert np.all(top <= L * (1 + 1e-12))
    at_zero = np.linalg.eigvalsh(empirical_risk_hessian(np.zeros(3), X, y))[-1]
    assert at_zero == pytest.approx(L, rel=1e-12)  # σ(0)σ(0) = 1/4 exactly


def test_per_example_smoothness_and_noise_at_the_optimum_match_loops():
    X, y = regression()
    tops = [np.linalg.eigvalsh(np.outer(x, x))[-1] for x in X]
    assert cv.per_example_smoothness(X) == pytest.approx(max(tops), rel=1e-12)
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    by_hand = np.mean([np.sum(((x @ w - t) * x) ** 2) for x, t in zip(X, y, strict=True)])
    assert cv.gradient_noise_at_optimum(X, y, w) == pytest.approx(by_hand, rel=1e-12)
    L, mu, Lmax, noise, w_star = cv.least_squares_data(X, y)
    np.testing.assert_allclose(w_star, w, rtol=1e-10)
    assert noise == pytest.approx(by_hand) and Lmax == pytest.approx(max(tops))


def test_a_repeated_feature_gives_mu_zero():
    X, y = regression(duplicate=True)
    assert cv.least_squares_data(X, y)[1] == 0.0


# --------------------------------------------------------------------------- gradient descent


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    d=st.integers(2, 8),
    kappa=st.floats(1.0, 1e4),
    fraction=st.floats(0.2, 1.0),
)
def test_gd_bounds_hold_on_random_quadratics(seed, d, kappa, fraction):
    f, x0 = random_quadratic(seed, d, 1.0 / kappa, 1.0)
    eta = fraction  # L = 1, so η L = fraction ≤ 1: the bounds hold with L' = 1/η
    run = gradient_descent(f, x0, eta, max_iter=300, tol=0.0)
    t = np.arange(run.iterates.shape[0])
    R2 = float(x0 @ x0)
    gap = f.value(run.iterates)  # f* = 0 at x* = 0
    dist = np.sum(run.iterates**2, axis=-1)
    slack, roundoff = 1 + 1e-9, 1e-13 * R2  # κ = 1, η = 1/L: 0 in one step, up to round-off
    assert np.all(gap <= cv.gd_convex_bound(t, 1 / eta, R2) * slack + roundoff)
    assert np.all(dist <= cv.gd_strongly_convex_bound(t, 1 / eta, 1 / kappa, R2) * slack + roundoff)
    assert np.all(
        gap <= cv.gd_strongly_convex_gap_bound(t, 1 / eta, 1 / kappa, gap[0]) * slack + roundoff
    )


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), kappa=st.floats(2.0, 50.0), fraction=st.floats(0.1, 1.9))
def test_measured_gd_rate_on_a_quadratic_is_max_abs_one_minus_eta_lambda(seed, kappa, fraction):
    f, _ = random_quadratic(seed, 4, 1.0, kappa)
    lam, Q = np.linalg.eigh(f.A)
    eta = fraction / kappa
    factors = np.abs(1 - eta * lam)
    worst = int(np.argmax(factors))
    x0 = Q[:, worst] + 1e-3 * Q.sum(axis=1)  # mostly along the slowest eigenvector
    run = gradient_descent(f, x0, eta, max_iter=60, tol=0.0)
    rate = cv.empirical_rate(np.linalg.norm(run.iterates, axis=-1), 20)
    assert rate == pytest.approx(factors.max(), rel=2e-3)


def test_gd_convex_bound_on_a_convex_not_strongly_convex_quadratic():
    lam = np.concatenate([[0.0], 1.0 / np.arange(1, 30) ** 2])  # μ = 0
    f = quadratic(lam)
    x0 = np.ones(30)
    run = gradient_descent(f, x0, 1.0, max_iter=500, tol=0.0)
    x_star = np.concatenate([[1.0], np.zeros(29)])  # the nearest minimiser
    t = np.arange(501)
    bound = cv.gd_convex_bound(t, 1.0, float(np.sum((x0 - x_star) ** 2)))
    assert np.all(f.value(run.iterates) <= bound)


def test_gd_bounds_closed_forms():
    assert cv.gd_convex_bound(4, 3.0, 2.0) == pytest.approx(3 * 2 / 8)
    assert cv.gd_strongly_convex_bound(3, 4.0, 1.0, 1.0) == pytest.approx(0.75**3)
    assert cv.gd_strongly_convex_gap_bound(2, 2.0, 1.0, 8.0) == pytest.approx(2.0)
    np.testing.assert_allclose(cv.gd_convex_bound(np.array([1, 2]), [1.0, 2.0], 1.0), [0.5, 0.5])


# --------------------------------------------------------------------------- Nesterov


def classical_accelerated(gradient, x0, eta, steps):
    """x_k = y_{k−1} − η∇f(y_{k−1}), y_k = x_k + (k − 1)/(k + 2)(x_k − x_{k−1}), y₀ = x₀."""
    x_prev = y = np.asarray(x0, float)
    xs, ys = [y], [y]
    for k in range(1, steps + 1):
        x = y - eta * gradient(y)
        y = x + (k - 1) / (k + 2) * (x - x_prev)
        x_prev = x
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def test_accelerated_gradient_is_the_classical_two_sequence_method():
    f, x0 = random_quadratic(5, 6, 0.001, 1.0)
    xs, ys = classical_accelerated(f.gradient, x0, 0.9, 50)
    run = accelerated_gradient(f, x0, 0.9, max_iter=50, tol=0.0)
    np.testing.assert_allclose(run.iterates, ys, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(cv.gradient_step_points(f, run, 0.9), xs, rtol=1e-10, atol=1e-13)


def test_accelerated_momentum_grows_as_t_minus_one_over_t_plus_two():
    np.testing.assert_allclose(accelerated_momentum([0, 1, 2, 10]), [0, 0, 1 / 4, 9 / 12])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(2, 8), zeros=st.integers(0, 2))
def test_nesterov_convex_bound_holds_with_flat_directions(seed, d, zeros):
    rng = np.random.default_rng(seed)
    lam = np.concatenate([np.zeros(zeros), rng.uniform(1e-4, 1.0, size=d), [1.0]])
    f = quadratic(lam, rotation=random_rotation(rng, lam.size))
    x0 = rng.normal(size=lam.size) * 2
    run = accelerated_gradient(f, x0, 1.0, max_iter=300, tol=0.0)
    gap = f.value(cv.gradient_step_points(f, run, 1.0))  # f* = 0 (x* = 0 is a minimiser)
    t = np.arange(gap.size)
    assert np.all(gap <= cv.nesterov_convex_bound(t, 1.0, float(x0 @ x0)) * (1 + 1e-9))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(2, 8), kappa=st.floats(1.0, 1e4))
def test_nesterov_strongly_convex_bound_holds_on_random_quadratics(seed, d, kappa):
    f, x0 = random_quadratic(seed, d, 1.0 / kappa, 1.0)
    q = np.sqrt(1.0 / kappa)
    beta = (1 - q) / (1 + q)
    run = nesterov(f, x0, 1.0, beta, max_iter=300, tol=0.0)
    gap = f.value(cv.gradient_step_points(f, run, 1.0))
    t = np.arange(gap.size)
    bound = cv.nesterov_strongly_convex_bound(t, 1.0, 1.0 / kappa, gap[0], float(x0 @ x0))
    assert np.all(gap <= bound * (1 + 1e-9) + 1e-13 * float(x0 @ x0))


def test_nesterov_bounds_hold_on_logistic_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = np.where(X @ [1.0, -1.0] + rng.normal(size=80) > 0, 1.0, -1.0)
    f = risk_objective(X, y)
    L = cv.logistic_smoothness(X)
    w_star = gradient_descent(f, np.zeros(2), 1 / L, max_iter=20000, tol=1e-13).final
    f_star = float(f.value(w_star))
    x0 = np.array([4.0, 3.0])
    run = accelerated_gradient(f, x0, 1 / L, max_iter=200, tol=0.0)
    gap = f.value(cv.gradient_step_points(f, run, 1 / L)) - f_star
    t = np.arange(gap.size)
    R2 = float(np.sum((x0 - w_star) ** 2))
    assert np.all(gap <= cv.nesterov_convex_bound(t, L, R2))
    gd = gradient_descent(f, x0, 1 / L, max_iter=200, tol=0.0)
    assert np.all(gd.losses - f_star <= cv.gd_convex_bound(t, L, R2))


def test_gradient_step_points_of_a_beta_zero_run_are_the_next_gd_iterates():
    f = quadratic([1.0, 4.0])
    run = nesterov(f, [1.0, -2.0], 0.2, 0.0, max_iter=5, tol=0.0)
    gd = gradient_descent(f, [1.0, -2.0], 0.2, max_iter=5, tol=0.0)
    np.testing.assert_allclose(cv.gradient_step_points(f, run, 0.2), gd.iterates, rtol=1e-12)
    with pytest.raises(TypeError, match="trajectory"):
        cv.gradient_step_points(f, run.iterates, 0.2)


# --------------------------------------------------------------------------- SGD


def test_sgd_distance_bound_with_a_constant_step_is_its_closed_form():
    gamma, mu, noise, R2 = 0.05, 0.8, 1.3, 4.0
    r = cv.sgd_distance_bound(np.full(200, gamma), 10.0, mu, noise, R2)
    t = np.arange(201)
    q = (1 - gamma * mu) ** t
    np.testing.assert_allclose(r, q * R2 + 2 * gamma * noise / mu * (1 - q), rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(c_mu=st.floats(1.05, 10.0), a=st.floats(1.0, 500.0), R2=st.floats(0.0, 50.0))
def test_inverse_time_closed_form_is_above_the_recursion(c_mu, a, R2):
    mu, noise = 0.5, 2.0
    c = c_mu / mu
    a = max(a, 2 * c_mu)  # γ₀ = c/a ≤ 1/(2 L_max) ≤ 1/(2μ)
    gammas = c / (np.arange(2000) + a)
    L_max = 0.5 / gammas[0]
    recursion = cv.sgd_distance_bound(gammas, L_max, mu, noise, R2)
    closed = cv.sgd_inverse_time_bound(np.arange(2001), c, a, mu, noise, R2)
    assert np.all(recursion <= closed * (1 + 1e-12))


@pytest.mark.parametrize("schedule", ["constant", "inverse_time"])
def test_sgd_bounds_hold_for_the_exact_expectation(schedule):
    X, y = regression(n=30, d=3)
    L, mu, L_max, noise, w_star = cv.least_squares_data(X, y)
    eta0, t0 = 0.5 / L_max, 4 * L_max / mu  # γ_t = 2/(μ(t + t₀)) for the 1/t schedule
    gammas = (
        learning_rate_schedule(schedule, eta0, 600, decay_time=t0)
        if schedule != ("constant")
        else np.full(600, eta0)
    )
    w0 = np.array([3.0, -2.0, 1.0])
    R2 = float(np.sum((w0 - w_star) ** 2))
    dist, _ = exact_sgd_moments(X, y, w0, gammas)
    assert np.all(dist <= cv.sgd_distance_bound(gammas, L_max, mu, noise, R2) * (1 + 1e-9))
    if schedule == "inverse_time":
        t = np.arange(601)
        closed = cv.sgd_inverse_time_bound(t, eta0 * t0, t0, mu, noise, R2)
        assert np.all(dist <= closed)
        assert dist[-1] < dist[300] * 0.75  # still falling like 1/t, no floor


def test_sgd_runs_agree_with_the_exact_expectation():
    """The library's SGD (batch 1, draws with replacement) has the mean error computed exactly."""
    X, y = regression(n=20, d=2)
    L, mu, L_max, noise, w_star = cv.least_squares_data(X, y)
    gamma = 0.5 / L_max
    w0 = np.array([2.0, -1.0])
    runs = sgd(
        X,
        y,
        w0,
        gamma,
        batch_size=1,
        epochs=5,
        replace=True,
        seed=list(range(4000)),
        record="step",
        tol=0.0,
    )
    sample = np.mean(np.sum((runs.iterates - w_star) ** 2, axis=-1), axis=0)
    exact, _ = exact_sgd_moments(X, y, w0, np.full(100, gamma))
    spread = np.std(np.sum((runs.iterates - w_star) ** 2, axis=-1), axis=0) / np.sqrt(4000)
    assert np.all(np.abs(sample - exact) <= 5 * spread + 1e-12)


def test_sgd_convex_bound_holds_for_the_exact_expected_average_gap():
    X, y = regression(n=30, d=2, duplicate=True)  # μ = 0
    L, mu, L_max, noise, w_star = cv.least_squares_data(X, y)
    assert mu == 0.0
    w0 = np.zeros(3)
    R2 = float(w_star @ w_star)  # w* of least norm: the minimiser nearest to w0 = 0
    for T in (10, 100, 1000):
        gamma = 0.25 / L_max * np.sqrt(10 / T)
        _, gap = exact_sgd_moments(X, y, w0, np.full(T, gamma))
        average_gap = gap[:T].mean()  # ≥ E f(x̄_T) − f* by Jensen
        assert average_gap <= cv.sgd_convex_bound(T, gamma, L_max, noise, R2)


@settings(max_examples=30, deadline=None)
@given(
    gammas=st.lists(st.floats(1e-6, 0.1), min_size=1, max_size=60),
    mu=st.floats(0.0, 5.0),
    noise=st.floats(0.0, 10.0),
    R2=st.floats(0.0, 100.0),
)
def test_sgd_distance_bound_of_one_schedule_is_bit_equal_to_the_batched_recursion(
    gammas, mu, noise, R2
):
    # one schedule runs its recursion on Python floats; a batch of one runs it on arrays
    one = cv.sgd_distance_bound(gammas, 5.0, mu, noise, R2)
    batched = cv.sgd_distance_bound([gammas], 5.0, mu, noise, R2)
    assert one.shape == (len(gammas) + 1,)
    np.testing.assert_array_equal(one, batched[0])


def test_sgd_bounds_refuse_steps_outside_their_theorem():
    with pytest.raises(ValueError, match="learning_rates"):
        cv.sgd_distance_bound([0.2], 5.0, 1.0, 0.0, 1.0)  # 0.2 > 1/(2·5)
    with pytest.raises(ValueError, match="cμ > 1"):
        cv.sgd_inverse_time_bound(3, 0.5, 10.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="offset"):
        cv.sgd_inverse_time_bound(3, 2.0, 1.0, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="learning_rate"):
        cv.sgd_convex_bound(10, 0.5, 1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="strong_convexity"):
        cv.gd_strongly_convex_bound(3, 1.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="t must"):
        cv.gd_convex_bound(-1, 1.0, 1.0)


# --------------------------------------------------------------------------- convexity checks


@settings(max_examples=30, deadline=None)
@given(x=st.floats(-5, 5), y=st.floats(-5, 5), theta=st.floats(0, 1), a=st.floats(0.1, 3))
def test_jensen_gap_of_a_parabola_is_minus_a_theta_one_minus_theta_distance_squared(x, y, theta, a):
    gap = cv.jensen_gap(lambda p: a * p[..., 0] ** 2, [x], [y], theta)
    assert gap == pytest.approx(-a * theta * (1 - theta) * (x - y) ** 2, abs=1e-9)


def test_convexity_check_finds_convex_and_nonconvex_functions():
    convex = [
        lambda p: np.logaddexp(0.0, p[..., 0] + 2 * p[..., 1]),
        lambda p: np.max(np.abs(p), axis=-1),
        lambda p: risk_objective(np.eye(2), np.array([1.0, -1.0])).value(p),
    ]
    for f in convex:
        assert cv.convexity_check(f, -3.0, 3.0, 2).convex
    wave = cv.convexity_check(lambda p: np.sin(p[..., 0]) + p[..., 1] ** 2, -3.0, 3.0, 2)
    assert not wave.convex
    assert cv.jensen_gap(
        lambda p: np.sin(p[..., 0]) + p[..., 1] ** 2, wave.x, wave.y, wave.theta
    ) == pytest.approx(wave.worst)
    assert wave.worst > 0


def test_set_convexity_check_and_its_counterexample():
    disc = lambda p: np.sum(p**2, axis=-1) <= 1.0  # noqa: E731
    box = lambda p: np.all(np.abs(p) <= 0.5, axis=-1)  # noqa: E731
    for shape in (disc, box):
        assert cv.set_convexity_check(shape, -1.0, 1.0, 2).convex
    ring = lambda p: (np.sum(p**2, axis=-1) <= 1.0) & (np.sum(p**2, axis=-1) >= 0.3)  # noqa: E731
    found = cv.set_convexity_check(ring, -1.0, 1.0, 2)
    assert not found.convex and 0 < found.worst < 1
    assert ring(found.x) and ring(found.y)
    assert not ring(found.theta * found.x + (1 - found.theta) * found.y)
    with pytest.raises(ValueError, match="fewer than two"):
        cv.set_convexity_check(lambda p: np.zeros(p.shape[:-1], bool), -1.0, 1.0, 2)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), d=st.integers(1, 6))
def test_bregman_divergence_of_a_quadratic_is_half_the_a_norm(seed, d):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.1, 5.0, size=d)
    f = quadratic(lam, rotation=random_rotation(rng, d))
    x, y = rng.normal(size=(2, 7, d))
    D = cv.bregman_divergence(f, x, y)
    np.testing.assert_allclose(
        D, 0.5 * np.einsum("ki,ij,kj->k", y - x, f.A, y - x), rtol=1e-9, atol=1e-12
    )
    r2 = np.sum((y - x) ** 2, axis=-1)
    assert np.all(lam.min() / 2 * r2 <= D * (1 + 1e-9)) and np.all(
        D <= lam.max() / 2 * r2 * (1 + 1e-9)
    )


def test_empirical_rate_and_its_errors():
    assert cv.empirical_rate(3.0 * 0.9 ** np.arange(50), 10) == pytest.approx(0.9)
    with pytest.raises(ValueError, match="window"):
        cv.empirical_rate([1.0, 0.5], 5)
    with pytest.raises(ValueError, match="positive"):
        cv.empirical_rate([1.0, 0.0], 1)


def test_accelerated_gradient_runs_a_batch_of_steps_and_checks_its_input():
    f, x0 = random_quadratic(2, 4, 0.01, 1.0)
    both = accelerated_gradient(f, x0, [0.5, 1.0], max_iter=30, tol=0.0)
    for k, eta in enumerate((0.5, 1.0)):
        alone = accelerated_gradient(f, x0, eta, max_iter=30, tol=0.0)
        np.testing.assert_allclose(both.iterates[k], alone.iterates, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="learning_rate"):
        accelerated_gradient(f, x0, -1.0)
    with pytest.raises(ValueError, match="x0"):
        accelerated_gradient(f, np.ones(3), 1.0)
    diverged = accelerated_gradient(f, x0, 5.0, max_iter=500)
    assert diverged.status.item() == "diverged"
