"""Silent numerical failures and unclear errors found with independent references (issues 19, 21).

Each test here failed before the fix it guards. References: scipy.stats.linregress,
numpy.linalg.lstsq, closed forms.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import losses


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
