"""Curvature: eigenvalues, critical points, GD and momentum rates, top eigenvalue (04, 06, 07)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from course_lib import curvature as C
from course_lib.objectives import himmelblau, monkey_saddle, quadratic, saddle


def random_spd(d, seed, kappa=None):
    """A random symmetric positive definite matrix (eigenvalues in [1, kappa] if given)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = rng.uniform(0.5, 20.0, d) if kappa is None else np.geomspace(1.0, kappa, d)
    H = (Q * lam) @ Q.T
    return 0.5 * (H + H.T), np.sort(lam)


# ---------------------------------------------------------------------------------------
# eigen-decomposition and condition number
# ---------------------------------------------------------------------------------------


def test_hessian_eigen_reconstructs_H_and_is_ascending_for_a_batch():
    batch = np.stack([random_spd(5, s)[0] - 8 * np.eye(5) for s in range(3)])
    lam, Q = C.hessian_eigen(batch)
    assert lam.shape == (3, 5) and Q.shape == (3, 5, 5)
    assert np.all(np.diff(lam, axis=-1) >= 0)
    np.testing.assert_allclose((Q * lam[:, None, :]) @ np.swapaxes(Q, -1, -2), batch, atol=1e-12)
    for k in range(3):
        np.testing.assert_allclose(lam[k], np.linalg.eigvalsh(batch[k]), rtol=1e-12, atol=1e-12)


def test_hessian_eigen_tolerates_round_off_asymmetry():
    H, lam = random_spd(4, 1)
    H = H + 1e-12 * np.triu(np.ones((4, 4)), 1)
    np.testing.assert_allclose(C.hessian_eigen(H)[0], lam, rtol=1e-10)


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_condition_number_equals_numpy_cond_for_spd_matrices(d, seed):
    H, _ = random_spd(d, seed)
    assert float(C.condition_number(H)) == pytest.approx(np.linalg.cond(H), rel=1e-8)


def test_condition_number_is_vectorised_and_infinite_for_singular_matrices():
    batch = np.stack([np.diag([1.0, 4.0]), np.diag([0.0, 3.0]), np.diag([-2.0, 1.0])])
    np.testing.assert_array_equal(C.condition_number(batch), [4.0, np.inf, 2.0])
    assert C.condition_number(quadratic([1.0, 100.0], angle=0.4).A) == pytest.approx(100.0)


# ---------------------------------------------------------------------------------------
# second-derivative test
# ---------------------------------------------------------------------------------------


def test_himmelblau_minima_and_maximum_are_classified():
    f = himmelblau()
    minima = f.critical_points["minimum"]
    np.testing.assert_allclose(f.gradient(minima), 0.0, atol=1e-9)  # they are critical
    assert list(C.classify_critical_point(f.hessian(minima))) == ["minimum"] * 4
    top = f.critical_points["maximum"][0]
    assert C.classify_critical_point(f.hessian(top)) == "maximum"


def test_saddles_and_the_degenerate_monkey_saddle():
    assert C.classify_critical_point(saddle().hessian(np.zeros(2))) == "saddle"
    # the Hessian of x³ − 3xy² vanishes at 0: the test cannot decide
    assert C.classify_critical_point(monkey_saddle().hessian(np.zeros(2))) == "inconclusive"


@pytest.mark.parametrize(
    ("eigenvalues", "kind"),
    [
        ([1.0, 2.0], "minimum"),
        ([-1.0, -3.0], "maximum"),
        ([1.0, -1.0], "saddle"),
        ([0.0, 1.0], "inconclusive"),
        ([-1.0, 0.0], "inconclusive"),
        ([-1.0, 0.0, 1.0], "saddle"),  # opposite signs decide despite the zero
        ([1e-12, 5.0], "inconclusive"),  # zero within tol · max|λ|
    ],
)
def test_quadratics_are_classified_by_the_signs_of_their_eigenvalues(eigenvalues, kind):
    f = quadratic(eigenvalues, angle=0.3)  # rotated eigenvectors in 2-D
    assert C.classify_critical_point(f.hessian(np.zeros(len(eigenvalues)))) == kind
    assert C.classify_critical_point(eigenvalues) == kind


def test_classification_is_vectorised_over_a_batch_of_hessians():
    f = himmelblau()
    points = np.concatenate([f.critical_points["minimum"], f.critical_points["maximum"]])
    kinds = C.classify_critical_point(f.hessian(points))
    assert kinds.shape == (5,)
    assert list(kinds) == ["minimum"] * 4 + ["maximum"]


# ---------------------------------------------------------------------------------------
# gradient descent on a quadratic
# ---------------------------------------------------------------------------------------


def measured_gd_rate(A, etas, steps=400, seed=0):
    """Run e ← (I − ηA)e for every η (normalising each step) and return the last ratio."""
    e = np.random.default_rng(seed).normal(size=(len(etas), A.shape[0]))
    ratio = np.ones(len(etas))
    for _ in range(steps):
        e = e - etas[:, None] * (e @ A)
        ratio = np.linalg.norm(e, axis=1)
        e /= ratio[:, None]
    return ratio


def test_gd_rate_matches_the_simulated_error_contraction():
    A, lam = random_spd(4, 3, kappa=10.0)
    etas = np.linspace(0.02, 0.25, 12)  # through 2/λmax = 0.2 and beyond
    predicted = C.gd_rate(A, etas)
    np.testing.assert_allclose(measured_gd_rate(A, etas), predicted, rtol=2e-3)
    np.testing.assert_allclose(C.gd_rate(lam, etas), predicted, rtol=1e-12)


def test_stability_limit_separates_converging_from_diverging_steps():
    A, lam = random_spd(5, 4)
    limit = C.stability_limit(A)
    assert limit == pytest.approx(2 / lam[-1], rel=1e-12)
    assert C.gd_rate(A, 0.999 * limit) < 1 < C.gd_rate(A, 1.001 * limit)
    assert C.stability_limit([-1.0, -2.0]) == np.inf


def test_optimal_gd_step_minimises_the_rate_and_gives_the_optimal_rate():
    A, lam = random_spd(6, 5, kappa=50.0)
    eta = C.optimal_gd_step(A)
    assert eta == pytest.approx(2 / (lam[0] + lam[-1]))
    grid = np.linspace(0.5 * eta, 1.5 * eta, 2001)
    assert grid[np.argmin(C.gd_rate(A, grid))] == pytest.approx(eta, rel=1e-3)
    assert C.gd_rate(A, eta) == pytest.approx(C.optimal_gd_rate(50.0), rel=1e-10)
    np.testing.assert_allclose(C.optimal_gd_rate([1.0, 3.0, np.inf]), [0.0, 0.5, 1.0])


def test_gd_rate_broadcasts_learning_rates_against_a_batch_of_hessians():
    batch = np.stack([np.diag([1.0, 2.0]), np.diag([1.0, 10.0])])
    etas = np.array([0.1, 0.5, 1.0])
    out = C.gd_rate(batch, etas[:, None])
    assert out.shape == (3, 2)
    expected = [[max(abs(1 - e * l) for l in lam) for lam in ([1, 2], [1, 10])] for e in etas]
    np.testing.assert_allclose(out, expected, rtol=1e-14)


# ---------------------------------------------------------------------------------------
# heavy-ball momentum
# ---------------------------------------------------------------------------------------


def test_optimal_momentum_is_polyaks_formula():
    eta, beta = C.optimal_momentum(np.diag([4.0, 100.0]))
    assert eta == pytest.approx(4 / (2 + 10) ** 2)
    assert beta == pytest.approx(((5 - 1) / (5 + 1)) ** 2)  # √κ = √(100/4) = 5
    assert C.momentum_rate(25.0) == pytest.approx(4 / 6)


@pytest.mark.parametrize("kappa", [2.0, 10.0, 1000.0])
def test_momentum_rate_for_at_the_optimal_settings_is_the_optimal_rate(kappa):
    A, _ = random_spd(5, 6, kappa=kappa)
    eta, beta = C.optimal_momentum(A)
    assert C.momentum_rate_for(A, eta, beta) == pytest.approx(C.momentum_rate(kappa), rel=1e-6)
    assert C.momentum_rate(kappa) < C.optimal_gd_rate(kappa)


def test_momentum_rate_for_is_the_spectral_radius_of_the_companion_matrices():
    lam = np.array([0.5, 2.0, 7.0])
    etas, betas = np.meshgrid(np.linspace(0, 0.6, 7), np.linspace(0, 0.95, 5))
    out = C.momentum_rate_for(lam, etas, betas)
    assert out.shape == etas.shape
    for eta, beta, rate in zip(etas.ravel(), betas.ravel(), out.ravel(), strict=True):
        radius = max(
            np.max(np.abs(np.linalg.eigvals([[1 + beta - eta * l, -beta], [1.0, 0.0]])))
            for l in lam
        )
        assert rate == pytest.approx(radius, rel=1e-6, abs=1e-12)


def test_momentum_rate_for_with_zero_momentum_is_the_gd_rate():
    A, _ = random_spd(4, 7)
    etas = np.linspace(0.0, 0.3, 16)
    np.testing.assert_allclose(C.momentum_rate_for(A, etas, 0.0), C.gd_rate(A, etas), rtol=1e-12)


def test_momentum_rate_for_matches_a_simulated_heavy_ball_run():
    A, _ = random_spd(4, 8, kappa=30.0)
    etas = np.array([0.02, 0.05, 0.05])
    betas = np.array([0.5, 0.8, 0.3])
    rng = np.random.default_rng(0)
    x_prev = x = rng.normal(size=(3, 4))
    norms = []
    for _ in range(600):  # the course's form x⁺ = x − η∇f + β(x − x⁻), ∇f = Ax
        x, x_prev = x - etas[:, None] * (x @ A) + betas[:, None] * (x - x_prev), x
        norms.append(np.linalg.norm(np.concatenate([x, x_prev], axis=1), axis=1))
    measured = (norms[-1] / norms[-201]) ** (1 / 200)
    np.testing.assert_allclose(measured, C.momentum_rate_for(A, etas, betas), rtol=1e-2)


# ---------------------------------------------------------------------------------------
# top eigenvalue from Hessian-vector products
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lanczos_top_eigenvalue_matches_eigvalsh_on_random_spd_matrices(seed):
    H, _ = random_spd(50, seed)
    calls = []

    def hvp(v):
        calls.append(1)
        return H @ v

    res = C.top_eigenvalue(hvp, 50, seed=seed)
    top = np.linalg.eigvalsh(H)[-1]
    assert res.converged and res.method == "lanczos"
    assert res.value == pytest.approx(top, rel=1e-10)
    assert res.n_products == len(calls) <= 50
    assert np.linalg.norm(H @ res.vector - top * res.vector) <= 1e-6 * top
    assert np.linalg.norm(res.vector) == pytest.approx(1.0)


def test_power_iteration_finds_the_dominant_eigenvalue_when_there_is_a_gap():
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.normal(size=(50, 50)))
    lam = np.concatenate([rng.uniform(0.1, 5.0, 49), [10.0]])
    H = (Q * lam) @ Q.T
    res = C.top_eigenvalue(lambda v: H @ v, 50, method="power", tol=1e-10)
    assert res.converged and res.method == "power"
    assert res.value == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-10)
    assert res.residual <= 1e-10 * res.value


def test_lanczos_returns_the_largest_algebraic_eigenvalue_of_an_indefinite_matrix():
    H = np.diag([-9.0, -1.0, 0.5, 2.0, 3.0])
    assert C.top_eigenvalue(lambda v: H @ v, 5).value == pytest.approx(3.0, rel=1e-12)


def test_top_eigenvalue_at_d_10000_of_a_diagonal_plus_rank_one_operator():
    # H = diag(D) + c u uᵀ: its top eigenvalue solves 1 = c Σ uᵢ² / (λ − Dᵢ) above max D
    d = 10_000
    rng = np.random.default_rng(0)
    D = rng.uniform(0.0, 1.0, d)
    u = rng.normal(size=d)
    u /= np.linalg.norm(u)
    c = 3.0

    def secular(lam):
        return 1.0 - c * np.sum(u**2 / (lam - D))

    exact = brentq(secular, D.max() + 1e-12, D.max() + c + 1.0, xtol=1e-14, rtol=1e-15)
    res = C.top_eigenvalue(lambda v: D * v + c * (u @ v) * u, d)
    assert res.converged
    assert res.value == pytest.approx(exact, rel=1e-9)
    assert res.n_products < 100
    assert res.vector.shape == (d,)
    # the eigenvector of diag + rank one is ∝ (λ − D)⁻¹ u
    y = u / (exact - D)
    assert abs(res.vector @ y) / np.linalg.norm(y) == pytest.approx(1.0, abs=1e-8)


def test_top_eigenvalue_is_reproducible_with_a_seed_and_stops_at_max_iter():
    H, _ = random_spd(50, 9)
    a = C.top_eigenvalue(lambda v: H @ v, 50, method="power", max_iter=5, seed=4)
    b = C.top_eigenvalue(lambda v: H @ v, 50, method="power", max_iter=5, seed=4)
    assert a.value == b.value and np.array_equal(a.vector, b.vector)
    assert a.n_products == 5 and not a.converged


# ---------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------


def test_non_square_or_non_symmetric_H_is_rejected_naming_H():
    with pytest.raises(ValueError, match="H must be square"):
        C.hessian_eigen(np.ones((2, 3)))
    with pytest.raises(ValueError, match="H must be symmetric"):
        C.hessian_eigen(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="H must be symmetric"):
        C.classify_critical_point(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="H must contain only finite values"):
        C.condition_number(np.array([[1.0, np.nan], [np.nan, 1.0]]))


def test_methods_that_need_a_positive_definite_H_say_so():
    with pytest.raises(ValueError, match="H must be positive definite"):
        C.optimal_gd_step(np.diag([1.0, -1.0]))
    with pytest.raises(ValueError, match="H must be positive definite"):
        C.optimal_momentum([0.0, 2.0])


def test_bad_rates_and_condition_numbers_are_rejected():
    with pytest.raises(ValueError, match="learning_rate must be non-negative"):
        C.gd_rate([1.0, 2.0], -0.1)
    with pytest.raises(ValueError, match="momentum must be non-negative"):
        C.momentum_rate_for([1.0, 2.0], 0.1, -0.5)
    with pytest.raises(ValueError, match="kappa must be a condition number >= 1"):
        C.momentum_rate(0.5)
    with pytest.raises(ValueError, match="kappa must be a condition number >= 1"):
        C.optimal_gd_rate(np.nan)


def test_bad_top_eigenvalue_arguments_are_rejected():
    with pytest.raises(TypeError, match="hvp must be callable"):
        C.top_eigenvalue(np.eye(3), 3)
    with pytest.raises(ValueError, match="method must be one of 'lanczos', 'power'"):
        C.top_eigenvalue(lambda v: v, 3, method="arnoldi")
    with pytest.raises(ValueError, match="dim must be >= 1"):
        C.top_eigenvalue(lambda v: v, 0)
    with pytest.raises(ValueError, match=r"hvp must return an array of shape \(3,\)"):
        C.top_eigenvalue(lambda v: v[:2], 3)


def test_power_iteration_default_budget_reaches_tol_when_top_eigenvalues_are_close():
    # λ₂/λ₁ = 0.99: about log(1e-8) / log(0.99) ≈ 1800 products to a 1e-8 residual.
    eigenvalues = np.array([1.0, 5.0, 9.9, 10.0])
    result = C.top_eigenvalue(lambda v: eigenvalues * v, 4, method="power")
    assert result.converged
    assert result.n_products > 200
    assert abs(result.value - 10.0) <= 1e-7 * 10.0
