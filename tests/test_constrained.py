"""Constrained optimisation (lecture 08): projections, projected GD, reparametrisation, KKT."""

import functools

import numdifftools as nd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize

from course_lib import constrained as c
from course_lib.objectives import quadratic

coords = st.floats(-10, 10, allow_nan=False)
points2 = st.lists(coords, min_size=2, max_size=2).map(np.array)
points3 = st.lists(coords, min_size=3, max_size=3).map(np.array)


def _problem(seed, m=6, d=3):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, d)), rng.normal(size=m)


def _safe_step(A, b):
    """Half the step limit of ascent on the concave dual q."""
    return 0.5 * c.dual_step_limit(A, b)


# --------------------------------------------------------------------------- projections
@settings(max_examples=50, deadline=None)
@given(points3, points3, st.floats(0.1, 5.0))
def test_ball_projection_satisfies_the_variational_inequality(x, z, r):
    p = c.project_ball(x, r)
    assert np.linalg.norm(p) <= r * (1 + 1e-12)
    z = c.project_ball(z, r)  # any feasible point
    # the projection is the nearest feasible point iff (x − p)ᵀ(z − p) ≤ 0 for all feasible z
    assert (x - p) @ (z - p) <= 1e-9 * (1 + np.linalg.norm(x) ** 2)
    np.testing.assert_allclose(c.project_ball(p, r), p, atol=1e-12)  # idempotent
    if np.linalg.norm(x) <= r:
        np.testing.assert_array_equal(p, x)


@settings(max_examples=50, deadline=None)
@given(points3, points3)
def test_box_projection_satisfies_the_variational_inequality(x, z):
    lo, hi = np.array([-1.0, 0.0, 2.0]), np.array([1.0, 3.0, 2.5])
    p = c.project_box(x, lo, hi)
    assert np.all((lo <= p) & (p <= hi))
    z = c.project_box(z, lo, hi)
    assert (x - p) @ (z - p) <= 1e-12
    np.testing.assert_array_equal(c.project_box(p, lo, hi), p)


@pytest.mark.parametrize("which", ["ball", "box"])
def test_projection_is_the_nearest_point_of_an_exhaustive_grid(which):
    g = np.linspace(-2.0, 2.0, 801)
    grid = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    if which == "ball":
        feasible = grid[np.linalg.norm(grid - [0.5, 0.0], axis=1) <= 1.0]
        project = functools.partial(c.project_ball, radius=1.0, center=[0.5, 0.0])
    else:
        feasible = grid[np.all((grid >= [-1.0, -0.5]) & (grid <= [1.0, 0.25]), axis=1)]
        project = functools.partial(c.project_box, lower=[-1.0, -0.5], upper=[1.0, 0.25])
    for x in np.array([[3.0, 1.0], [-1.7, -1.9], [0.2, 0.1], [0.0, 1.8]]):
        p = project(x)
        grid_best = np.linalg.norm(feasible - x, axis=1).min()
        # p is feasible and no feasible grid point is closer; the grid is within a cell of p
        assert np.linalg.norm(x - p) <= grid_best + 1e-12
        assert grid_best - np.linalg.norm(x - p) <= 4.0 / 800 * np.sqrt(2)


def test_ball_projection_is_vectorised_over_points_and_radii():
    x = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    r = np.array([1.0, 1.0, 2.0])
    np.testing.assert_allclose(c.project_ball(x, r), [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])


# --------------------------------------------------------------------------- projected GD
@settings(max_examples=25, deadline=None)
@given(points2, st.floats(0.2, 3.0), st.floats(0.01, 0.9))
def test_projected_iterates_stay_feasible(x0, r, eta):
    f = quadratic([1.0, 10.0], b=[5.0, -4.0])
    traj = c.projected_gradient_descent(
        f, x0, eta / 10.0, lambda x: c.project_ball(x, r), max_iter=100
    )
    assert np.all(np.linalg.norm(traj.iterates, axis=-1) <= r * (1 + 1e-12))


def test_projected_gd_finds_the_constrained_minimum_of_scipy_slsqp():
    A, b = _problem(3)
    f = c.norm_constrained_objective(A, b)
    r = 0.5 * np.linalg.norm(np.linalg.lstsq(A, b, rcond=None)[0])
    eta = 1.0 / np.linalg.eigvalsh(A.T @ A).max()
    traj = c.projected_gradient_descent(
        f, np.zeros(3), eta, lambda x: c.project_ball(x, r), max_iter=20000, tol=1e-10
    )
    ref = minimize(
        f.value,
        np.zeros(3),
        jac=f.gradient,
        method="SLSQP",
        constraints=[{"type": "ineq", "fun": lambda x: r**2 - x @ x}],
        options={"ftol": 1e-14, "maxiter": 500},
    )
    assert str(traj.status) == "converged"
    np.testing.assert_allclose(traj.final, ref.x, atol=1e-6)


def test_projected_gd_over_k_learning_rates_equals_k_single_runs():
    f = quadratic([1.0, 4.0], b=[3.0, 3.0])
    proj = functools.partial(c.project_box, lower=-1.0, upper=0.5)
    etas = np.array([0.05, 0.2, 0.45])
    batch = c.projected_gradient_descent(f, [0.0, 0.0], etas, proj, max_iter=300)
    assert batch.iterates.shape[:1] == (3,)
    for k, eta in enumerate(etas):
        single = c.projected_gradient_descent(f, [0.0, 0.0], eta, proj, max_iter=300)
        np.testing.assert_allclose(batch.run(k).iterates, single.iterates, rtol=1e-13)
        np.testing.assert_allclose(single.final, [0.5, 0.5], atol=1e-7)  # box corner


def test_gradient_mapping_is_the_gradient_without_a_constraint():
    f = quadratic([1.0, 3.0], b=[1.0, 2.0])
    x = np.array([[0.3, -0.2], [1.0, 2.0]])
    np.testing.assert_allclose(c.gradient_mapping(f, lambda z: z, x, 0.1), f.gradient(x))


# --------------------------------------------------------------------------- reparametrisation
def test_circle_reparametrisation_derivatives_match_finite_differences():
    f = quadratic([1.0, 5.0], b=[0.5, -1.0], angle=0.4)
    g = c.circle_reparametrization(f)

    def scalar(s):
        return float(g.value(np.array([s])))

    for t in (-2.0, 0.3, 1.7):
        th = np.array([t])
        assert g.gradient(th)[0] == pytest.approx(nd.Derivative(scalar)(t), rel=1e-8)
        assert g.hessian(th)[0, 0] == pytest.approx(nd.Derivative(scalar, n=2)(t), rel=1e-6)


def test_gradient_descent_on_the_angle_finds_the_smallest_eigenvalue_on_the_circle():
    from course_lib.descent import gradient_descent

    # min over ||x|| = 1 of ½xᵀAx is λmin/2, at the eigenvector of λmin
    f = quadratic([2.0, 7.0], angle=0.6)
    traj = gradient_descent(c.circle_reparametrization(f), [2.0], 0.1, max_iter=2000, tol=1e-12)
    lam, V = np.linalg.eigh(f.A)
    assert float(traj.final_loss) == pytest.approx(lam[0] / 2, rel=1e-10)
    x = c.circle_point(traj.final[0])
    assert abs(x @ V[:, 0]) == pytest.approx(1.0, abs=1e-10)


# --------------------------------------------------------------------------- Lagrangian / KKT
@pytest.mark.parametrize("lam", [0.0, 0.3, 2.0, 17.0])
def test_lagrangian_minimiser_is_the_closed_form(lam):
    A, b = _problem(1)
    x = c.lagrangian_minimizer(A, b, lam)
    np.testing.assert_allclose(x, np.linalg.solve(A.T @ A + 2 * lam * np.eye(3), A.T @ b))
    grad = nd.Gradient(lambda z: float(c.lagrangian(z, lam, A, b, 1.0)))(x)
    np.testing.assert_allclose(grad, 0.0, atol=1e-7)


def test_lagrangian_minimiser_is_vectorised_over_lambda():
    A, b = _problem(2)
    lams = np.array([0.0, 0.5, 4.0])
    xs = c.lagrangian_minimizer(A, b, lams)
    assert xs.shape == (3, 3)
    for x, lam in zip(xs, lams, strict=True):
        np.testing.assert_allclose(x, np.linalg.solve(A.T @ A + 2 * lam * np.eye(3), A.T @ b))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dual_ascent_matches_the_closed_form_with_the_multiplier_found_by_root_finding(seed):
    A, b = _problem(seed)
    x_ls = np.linalg.lstsq(A, b, rcond=None)[0]
    r = 0.6 * np.linalg.norm(x_ls)  # active constraint
    res = c.dual_ascent(A, b, r, _safe_step(A, b), max_iter=100000, tol=1e-13)
    assert str(res.status) == "converged"

    # independent: the λ* with ||x(λ)|| = r, by bracketing root finding
    def norm_gap(lam):
        return np.sum(np.linalg.solve(A.T @ A + 2 * lam * np.eye(3), A.T @ b) ** 2) - r**2

    lam_star = brentq(norm_gap, 0.0, 1e6, xtol=1e-14)
    assert float(res.final_lam) == pytest.approx(lam_star, rel=1e-6)
    x_star = np.linalg.solve(A.T @ A + 2 * lam_star * np.eye(3), A.T @ b)
    np.testing.assert_allclose(res.final_x, x_star, atol=1e-7)
    assert c.kkt_check(res.final_x, res.final_lam, A, b, r, tol=1e-6).passed


def test_dual_ascent_keeps_lambda_zero_when_least_squares_is_feasible():
    A, b = _problem(5)
    x_ls = np.linalg.lstsq(A, b, rcond=None)[0]
    res = c.dual_ascent(A, b, 2.0 * np.linalg.norm(x_ls), 1.0)
    assert float(res.final_lam) == 0.0 and int(res.stopped_at) == 1
    np.testing.assert_allclose(res.final_x, x_ls, atol=1e-10)
    assert c.kkt_check(res.final_x, 0.0, A, b, 2.0 * np.linalg.norm(x_ls)).passed


def test_dual_ascent_agrees_with_an_exhaustive_search_in_two_dimensions():
    rng = np.random.default_rng(7)
    A, b = rng.normal(size=(5, 2)), rng.normal(size=5) + 2.0
    r = 0.5 * np.linalg.norm(np.linalg.lstsq(A, b, rcond=None)[0])
    res = c.dual_ascent(A, b, r, _safe_step(A, b), max_iter=100000, tol=1e-13)
    # a fine polar grid covering the disk
    rad, ang = np.meshgrid(np.linspace(0, r, 600), np.linspace(-np.pi, np.pi, 4001))
    grid = np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=-1).reshape(-1, 2)
    values = 0.5 * np.sum((grid @ A.T - b) ** 2, axis=1)
    best = grid[np.argmin(values)]
    assert values.min() >= float(res.objective[-1]) - 1e-12
    assert values.min() - float(res.objective[-1]) <= 1e-4
    np.testing.assert_allclose(res.final_x, best, atol=3e-3)


def test_dual_ascent_solves_k_radii_at_once_like_scipy():
    A, b = _problem(4)
    radii = np.array([0.1, 0.3, 10.0])
    res = c.dual_ascent(A, b, radii, _safe_step(A, b), max_iter=100000, tol=1e-13)
    assert res.x.shape[0] == 3 and res.lam.shape[0] == 3
    f = c.norm_constrained_objective(A, b)
    for k, r in enumerate(radii):
        ref = minimize(
            f.value,
            np.zeros(3),
            jac=f.gradient,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": lambda x, r=r: r**2 - x @ x}],
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        np.testing.assert_allclose(res.final_x[k], ref.x, atol=1e-5)


def test_dual_step_limit_is_two_over_the_dual_curvature_at_zero():
    A, b = _problem(6)
    h = 1e-5

    def sq_norm(lam):  # ||x(λ)||² = q'(λ) + r², by direct solves (valid for small λ < 0 too)
        return np.sum(np.linalg.solve(A.T @ A + 2 * lam * np.eye(3), A.T @ b) ** 2)

    q2 = (sq_norm(h) - sq_norm(-h)) / (2 * h)
    assert c.dual_step_limit(A, b) == pytest.approx(2.0 / abs(q2), rel=1e-6)


def test_kkt_residuals_are_the_four_conditions():
    A, b = np.eye(2), np.array([2.0, 0.0])
    # the answer for r = 1 is x = (1, 0) with λ = ½
    ok = c.kkt_check([1.0, 0.0], 0.5, A, b, 1.0)
    assert ok.passed and ok.stationarity == pytest.approx(0.0)
    infeasible = c.kkt_check([1.5, 0.0], 0.5, A, b, 1.0)
    assert not infeasible.passed and infeasible.primal_feasibility == pytest.approx(1.25)
    negative = c.kkt_check([1.0, 0.0], -0.5, A, b, 1.0)
    assert not negative.passed and negative.dual_feasibility == pytest.approx(0.5)
    slack = c.kkt_check([0.5, 0.0], 1.5, A, b, 1.0)  # λ > 0 with an inactive constraint
    assert slack.complementary_slackness == pytest.approx(1.5 * 0.75)
    assert slack.stationarity == pytest.approx(abs(0.5 - 2.0 + 2 * 1.5 * 0.5))
    assert not slack.passed


def test_kkt_check_is_vectorised():
    A, b = np.eye(2), np.array([2.0, 0.0])
    res = c.kkt_check([[1.0, 0.0], [2.0, 0.0]], [0.5, 0.0], A, b, 1.0)
    assert res.passed.tolist() == [True, False]


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: c.project_ball([1.0, 2.0], -1.0), ValueError, "radius must be non-negative"),
        (lambda: c.project_ball("x"), TypeError, "x must be an array"),
        (lambda: c.project_box([1.0], 2.0, 1.0), ValueError, "lower must be <= upper"),
        (
            lambda: c.projected_gradient_descent(quadratic([1.0]), [0.0], 0.1, "ball"),
            TypeError,
            "project must be callable",
        ),
        (
            lambda: c.projected_gradient_descent(quadratic([1.0]), [0.0], -0.1, c.project_ball),
            ValueError,
            "learning_rate must be positive",
        ),
        (
            lambda: c.circle_reparametrization(quadratic([1.0, 2.0, 3.0])),
            ValueError,
            "2 variables",
        ),
        (lambda: c.dual_ascent(np.eye(2), [1.0], 1.0, 0.1), ValueError, r"b must have shape"),
        (lambda: c.dual_ascent(np.eye(2), [1.0, 0], 1.0, 0.0), ValueError, "step_size"),
        (lambda: c.lagrangian_minimizer(np.eye(2), [1.0, 0], -1.0), ValueError, "lam"),
        (lambda: c.kkt_check([1.0], 0.0, np.eye(2), [1.0, 0], 1.0), ValueError, "x must have"),
    ],
)
def test_bad_input_is_reported_by_name(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_projected_gd_reports_divergence_without_warnings():
    f = quadratic([1.0, 2.0])
    traj = c.projected_gradient_descent(
        f, [1.0, 1.0], 5.0, lambda x: c.project_box(x, -np.inf, np.inf), max_iter=2000
    )
    assert str(traj.status) == "diverged"


def test_kkt_dual_feasibility_residual_is_a_plain_zero_when_the_multiplier_is_zero():
    # An interior point with λ = 0: the residual prints as 0, not −0 (negative slack).
    result = c.kkt_check(np.array([0.1, 0.0]), 0.0, np.eye(2), np.array([0.1, 0.0]), 1.0)
    assert result.passed
    assert not np.signbit(result.dual_feasibility)
