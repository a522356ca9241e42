"""Silent numerical failures and unclear errors found with independent references (issues 19, 21).

Each test here failed before the fix it guards. References: scipy.stats.linregress,
numpy.linalg.lstsq, closed forms.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from course_lib import (
    constrained,
    curvature,
    derivatives,
    descent,
    gradient_free,
    losses,
    networks,
    objectives,
)


# --------------------------------------------------------------------------- labels: one rule
def _labelled_data():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=20), np.ones(20)])
    y01 = (rng.random(20) > 0.5).astype(float)
    return X, y01


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: losses.empirical_risk(np.zeros(2), X, y),
        lambda X, y: losses.empirical_risk(np.zeros(2), X, y, "hinge"),
        lambda X, y: losses.empirical_risk_gradient(np.zeros(2), X, y),
        lambda X, y: losses.empirical_risk_hessian(np.zeros(2), X, y),
        lambda X, y: losses.risk_objective(X, y),
        lambda X, y: losses.logistic_regression(X, y),
    ],
)
def test_zero_one_labels_are_refused_everywhere_with_the_same_message(call):
    X, y01 = _labelled_data()
    with pytest.raises(ValueError) as err:
        call(X, y01)
    assert str(err.value) == losses.LABELS_MESSAGE
    # and ±1 labels are accepted everywhere
    call(X, 2 * y01 - 1)


# --------------------------------------------------------------------------- large offsets
def test_line_fit_with_timestamp_like_x_matches_scipy_linregress():
    from scipy.stats import linregress

    from course_lib.closed_form import line_fit

    t = np.arange(20.0)
    x, y = 1e8 + t, 3.0 * t + np.sin(t)
    ref = linregress(x, y)
    m, b = line_fit(x, y)
    assert m == pytest.approx(ref.slope, rel=1e-10)  # 2.9753...
    assert b == pytest.approx(ref.intercept, rel=1e-9)
    with pytest.raises(ValueError, match="x must not be constant"):
        line_fit(np.full(5, 1e8), np.arange(5.0))


def _offset_fit(offset, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, 50)
    X = np.column_stack([x, np.ones(50)])
    return X, 2.0 * x + offset + rng.normal(size=50)


def _exact_half_mse(X, y, w):
    """½ mean((Xw − y)²) in exact rational arithmetic: the reference without rounding."""
    from fractions import Fraction

    total = sum(
        (sum(Fraction(a) * Fraction(b) for a, b in zip(row, w, strict=True)) - Fraction(t)) ** 2
        for row, t in zip(X, y, strict=True)
    )
    return float(total / (2 * len(y)))


@pytest.mark.parametrize("offset", [1e3, 1e7, 1e9])
def test_least_squares_value_is_the_mean_of_squared_residuals_even_for_large_targets(offset):
    from course_lib.objectives import least_squares

    X, y = _offset_fit(offset)
    f = least_squares(X, y)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    W = np.vstack([w_star, w_star + np.random.default_rng(1).normal(size=(5, 2))])
    exact = [_exact_half_mse(X, y, w) for w in W]
    # y is known to ε·offset, so residuals of size 1 carry about that relative error
    rtol = 10 * np.finfo(float).eps * offset
    values = f.value(W)
    assert np.all(values >= 0)
    np.testing.assert_allclose(values, exact, rtol=rtol)
    np.testing.assert_allclose(f.gradient(W), (W @ X.T - y) @ X / 50, rtol=rtol, atol=rtol)
    value, grad = f.value_and_gradient(W)
    np.testing.assert_array_equal(value, values)
    np.testing.assert_array_equal(grad, f.gradient(W))


def test_least_squares_value_of_an_exact_fit_is_never_negative():
    from course_lib.objectives import least_squares

    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(size=30), np.ones(30)])
    y = X @ np.array([1.5, 1e7])  # an exact fit: L(w*) = 0 up to rounding
    f = least_squares(X, y)
    w = f.minimizers[0] + rng.normal(scale=1e-9, size=(100, 2))
    assert np.all(f.value(w) >= 0)


@pytest.mark.parametrize("line_search", ["exact", "backtracking", "optimal"])
def test_line_searches_converge_on_a_fit_with_intercept_1000(line_search):
    from course_lib.descent import gradient_descent
    from course_lib.objectives import least_squares

    X, y = _offset_fit(1000.0)
    f = least_squares(X, y)
    traj = gradient_descent(f, [0.0, 0.0], line_search=line_search, max_iter=5000)
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    assert traj.status == "converged"
    np.testing.assert_allclose(traj.final, w_star, rtol=1e-7)


def test_exact_line_search_resolves_the_curvature_even_when_f_carries_a_large_constant():
    from course_lib.descent import gradient_descent
    from course_lib.objectives import Objective

    # values carry a constant 1e6 the gradient does not see: near the minimum a trial step of
    # length ‖g‖ changes f by less than its rounding; the old rule then took an infinite
    # step and lost the iterate (final = ±inf, "diverged").
    scale = np.array([1.0, 10.0])

    def value(x):
        return 1e6 + 0.5 * np.sum(scale * x * x, axis=-1)

    def gradient(x):
        return scale * x

    f = Objective("offset bowl", value, gradient, lambda x: np.diag(scale), 2)
    traj = gradient_descent(f, [1.0, 1.0], line_search="exact", max_iter=2000, tol=1e-12)
    assert np.all(np.isfinite(traj.iterates)) and np.all(np.isfinite(traj.losses))
    assert traj.status == "converged"
    assert np.linalg.norm(traj.final) < 1e-11


def test_a_step_to_infinity_is_not_recorded_the_last_finite_iterate_is_kept():
    from course_lib.descent import gradient_descent
    from course_lib.objectives import quadratic

    f = quadratic([1.0, 4.0])
    # η = 1e200: the first step lands near 1e200, the second overflows to inf
    traj = gradient_descent(f, [1.0, 1.0], np.array([0.1, 1e200]), max_iter=500)
    assert traj.status.tolist() == ["converged", "diverged"]
    assert np.all(np.isfinite(traj.iterates)) and np.all(np.isfinite(traj.losses))
    diverged = traj.run(1)
    assert np.all(np.isfinite(diverged.final))
    np.testing.assert_array_equal(traj.final[1], diverged.iterates[-1])


# --------------------------------------------------------------------------- normal equations
def test_normal_equations_warn_naming_lstsq_when_float64_cannot_carry_the_answer():
    import warnings

    from course_lib.closed_form import IllConditionedWarning, normal_equations

    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.normal(size=(40, 3)))
    V, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    X = U @ np.diag([1.0, 1e-4, 1e-8]) @ V.T  # cond(X) = 1e8, cond(XᵀX) = 1e16
    y = rng.normal(size=40)
    with pytest.warns(IllConditionedWarning, match="lstsq"):
        normal_equations(X, y)
    # well conditioned, and the lecture 01 Vandermonde (cond(XᵀX) ≈ 1.3e13): no warning
    grid = np.linspace(0.0, 1.0, 50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        normal_equations(np.column_stack([grid, np.ones(50)]), grid)
        normal_equations(np.vander(grid, 10, increasing=True), grid)


def test_normal_equations_scale_before_squaring_entries_near_1e200():
    from course_lib.closed_form import normal_equations

    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 2)) * np.array([1e200, 1.0])
    y = X @ np.array([3e-200, 2.0]) + rng.normal(size=20)
    reference = np.linalg.lstsq(X / np.array([1e200, 1.0]), y, rcond=None)[0]
    w = normal_equations(X, y)
    assert np.all(np.isfinite(w))
    np.testing.assert_allclose(w * np.array([1e200, 1.0]), reference, rtol=1e-10)


# --------------------------------------------------------------------------- projections
@pytest.mark.parametrize("scale", [1e200, 1.0, 1e-200])
def test_project_ball_is_scale_safe(scale):
    from course_lib.constrained import project_ball

    p = project_ball([scale, scale], scale * 1.0)
    np.testing.assert_allclose(p, [scale / np.sqrt(2)] * 2, rtol=1e-15)
    np.testing.assert_allclose(project_ball([1e200, 1e200], 1.0), [np.sqrt(0.5)] * 2, rtol=1e-15)
    inside = np.array([scale, 0.0]) * 0.5
    np.testing.assert_array_equal(project_ball(inside, scale), inside)


# --------------------------------------------------------------------------- Nelder–Mead
def test_nelder_mead_with_a_one_point_function_under_the_default_vectorized():
    from scipy.optimize import rosen

    from course_lib import gradient_free as gf

    a = gf.nelder_mead(rosen, [-1.2, 1.0], xatol=1e-8, fatol=1e-10)  # rosen mixes batch rows
    b = gf.nelder_mead(rosen, [-1.2, 1.0], xatol=1e-8, fatol=1e-10, vectorized=False)
    np.testing.assert_array_equal(a.simplices, b.simplices)
    np.testing.assert_allclose(a.x, [1.0, 1.0], atol=1e-6)

    def scalar_only(x):
        return float(x[0] ** 2 + 3 * x[1] ** 2)  # float() raises on a batch

    c = gf.nelder_mead(scalar_only, [1.0, 1.0], xatol=1e-8, fatol=1e-12)
    np.testing.assert_allclose(c.x, [0.0, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match="f must return a single number"):
        gf.nelder_mead(lambda x: np.array([1.0, 2.0, 3.0]), [1.0, 1.0], vectorized=False)


# --------------------------------------------------------------------------- clear errors
@pytest.mark.parametrize(
    ("call", "exception", "names"),
    [
        (lambda: gradient_free.nelder_mead(lambda x: x @ x, []), ValueError, "x0"),
        (lambda: gradient_free.initial_simplex([]), ValueError, "x0"),
        (lambda: gradient_free.reflect("abc", 0), TypeError, "simplex"),
        (
            lambda: gradient_free.reflect([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 3),
            ValueError,
            "worst_index",
        ),
        (
            lambda: gradient_free.reflect([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], 2, rho="x"),
            TypeError,
            "rho",
        ),
        (lambda: descent.optimal_step([1.0, 1.0], [1.0, 2.0]), ValueError, "H"),
        (lambda: descent.optimal_step([1.0, 1.0, 1.0], np.eye(2)), ValueError, "H"),
        (lambda: objectives.quadratic([]), ValueError, "eigenvalues"),
        (lambda: objectives.rosenbrock(b="abc"), TypeError, "b"),
        (lambda: networks.relu("abc"), TypeError, "h"),
        (
            lambda: derivatives.centered_difference(np.sin, [1.0, 2.0, 3.0], h=[1e-3, 1e-4]),
            ValueError,
            "h",
        ),
        (lambda: derivatives.centered_difference(math.sin, [1.0, 2.0]), TypeError, "f"),
        (lambda: derivatives.centered_difference(np.sin, np.finfo(float).max), ValueError, "h"),
        (
            lambda: constrained.projected_gradient_descent(
                lambda x: x @ x, [1.0, 1.0], 0.1, lambda x: x
            ),
            TypeError,
            "objective",
        ),
        (lambda: constrained.project_box([1.0, 2.0], [0.0, 0.0, 0.0], 1.0), ValueError, "lower"),
        (lambda: curvature.top_eigenvalue(lambda v: "abc", 2), TypeError, "hvp"),
    ],
)
def test_bad_input_named_in_the_error(call, exception, names):
    with pytest.raises(exception) as err:
        call()
    assert re.search(rf"(?<![A-Za-z_]){names}(?![A-Za-z_])", str(err.value)), str(err.value)


def test_trajectory_best_is_the_lowest_loss_iterate_of_each_run():
    from course_lib.descent import gradient_descent
    from course_lib.objectives import quadratic

    traj = gradient_descent(quadratic([1.0, 4.0]), [1.0, 1.0], np.array([0.1, 0.6]), max_iter=40)
    assert traj.status.tolist()[1] == "diverged"
    for k in range(2):
        run = traj.run(k)
        np.testing.assert_array_equal(traj.best[k], run.iterates[np.argmin(run.losses)])
    np.testing.assert_array_equal(traj.best[1], [1.0, 1.0])  # it only ever got worse


# --------------------------------------------------------------------------- finite-sum protocol
def _one_weight_gradient(w, X, y):
    """Written for one weight vector w (d,): on a batch (K, d), X @ w fails or mixes runs."""
    return X.T @ (X @ w - y) / len(y)


def test_sgd_refuses_a_gradient_written_for_one_weight_vector_by_name():
    from course_lib import stochastic

    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(40, 2)), rng.normal(size=40)
    with pytest.raises(ValueError, match=r"grad must follow the finite-sum protocol"):
        stochastic.sgd(X, y, np.zeros(2), 0.1, grad=_one_weight_gradient)
    with pytest.raises(ValueError, match=r"grad must follow the finite-sum protocol"):
        networks.train(X[:, :1], y, networks.init_params(2), 0.01, grad=_one_weight_gradient)

    # the same gradient written for a batch of weight vectors is accepted and agrees
    def batched(W, X, y):
        return (W @ X.T - y) @ X / len(y)

    run = stochastic.sgd(X, y, np.zeros(2), 0.1, grad=batched, seed=3)
    ref = stochastic.sgd(X, y, np.zeros(2), 0.1, seed=3)
    np.testing.assert_allclose(run.iterates, ref.iterates, rtol=1e-12, atol=1e-12)


def test_a_one_vector_gradient_failing_with_an_index_error_is_refused_by_name():
    def indexes_one_theta(theta, X, y):  # theta[3 * m] is a row, not c, for a batch (K, p)
        m = (theta.shape[-1] - 1) // 3
        return np.zeros(theta.shape[-1]) + theta[3 * m]

    x = np.linspace(-1.0, 1.0, 12)
    with pytest.raises(ValueError, match=r"grad must follow the finite-sum protocol.*IndexError"):
        networks.train(x[:, None], np.abs(x), networks.init_params(2), 0.01,
                       grad=indexes_one_theta)  # fmt: skip
