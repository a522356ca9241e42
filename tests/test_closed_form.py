"""Closed-form least squares against numpy.linalg.lstsq, and the loss surface shortcut."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib import closed_form


@pytest.fixture
def line():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 3, size=200)
    return x, 1.7 * x - 0.4 + 0.2 * rng.normal(size=200)


def test_every_direct_solver_agrees_with_numpy_lstsq():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(50, 4)), rng.normal(size=50)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    for solver in (
        closed_form.normal_equations,
        closed_form.lstsq_solution,
        closed_form.pinv_solution,
    ):
        np.testing.assert_allclose(solver(X, y), ref, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    x=arrays(float, st.integers(3, 40), elements=st.floats(-100, 100)),
    m=st.floats(-10, 10),
    b=st.floats(-10, 10),
)
def test_the_two_parameter_formula_equals_lstsq(x, m, b):
    if np.ptp(x) < 1e-3:
        return
    y = m * x + b + np.sin(x)
    mm, bb = closed_form.line_fit(x, y)
    ref = np.linalg.lstsq(closed_form.design_matrix(x), y, rcond=None)[0]
    np.testing.assert_allclose([mm, bb], ref, rtol=1e-7, atol=1e-7)


def test_loss_surface_equals_the_naive_broadcast(line):
    x, y = line
    slopes, intercepts = np.linspace(0, 3, 7), np.linspace(-2, 2, 5)
    naive = np.mean((slopes[:, None, None] * x + intercepts[None, :, None] - y) ** 2, axis=-1)
    np.testing.assert_allclose(
        closed_form.line_fit_loss_surface(x, y, slopes, intercepts), naive, rtol=1e-10
    )


def test_loss_surface_is_smallest_at_the_fitted_line(line):
    x, y = line
    m, b = closed_form.line_fit(x, y)
    grid = closed_form.line_fit_loss_surface(
        x, y, m + np.array([-0.01, 0, 0.01]), b + np.array([-0.01, 0, 0.01])
    )
    assert np.argmin(grid) == 4


def test_rank_deficient_normal_equations_point_at_lstsq():
    X = np.column_stack([np.ones(5), np.ones(5)])
    with pytest.raises(ValueError, match="lstsq"):
        closed_form.normal_equations(X, np.arange(5.0))


def test_cost_model_grows_as_nd2_for_solving_and_nd_per_step():
    assert closed_form.solve_cost(2000, 10) / closed_form.solve_cost(1000, 10) == pytest.approx(
        2, rel=0.01
    )
    assert closed_form.solve_cost(10**6, 200) / closed_form.solve_cost(10**6, 100) > 3.9
    assert closed_form.iterative_cost(1000, 20, 1) == 2 * closed_form.iterative_cost(1000, 10, 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: closed_form.line_fit([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]), "constant"),
        (lambda: closed_form.line_fit([1.0], [1.0]), "two points"),
        (lambda: closed_form.line_fit([1.0, 2.0], [1.0]), "equal length"),
        (lambda: closed_form.lstsq_solution(np.ones(3), np.ones(3)), "X must"),
        (lambda: closed_form.lstsq_solution(np.ones((3, 2)), np.ones(4)), "y must have shape"),
        (lambda: closed_form.line_fit([1.0, np.nan], [1.0, 2.0]), "finite"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_loss_surface_stays_accurate_and_non_negative_far_from_the_origin():
    # x near 10⁴: the raw sums Σx² and (Σx)² cancel in 16 digits; the centred form does not
    rng = np.random.default_rng(2)
    x = 1e4 + rng.uniform(0, 1, size=300)
    y = 2.0 * x + 1.0 + 1e-3 * rng.normal(size=300)
    m, b = np.linalg.lstsq(closed_form.design_matrix(x), y, rcond=None)[0]
    slopes, intercepts = m + np.linspace(-1e-3, 1e-3, 5), b + np.linspace(-1.0, 1.0, 4)
    naive = np.mean((slopes[:, None, None] * x + intercepts[None, :, None] - y) ** 2, axis=-1)
    surface = closed_form.line_fit_loss_surface(x, y, slopes, intercepts)
    np.testing.assert_allclose(surface, naive, rtol=1e-9)
    exact = closed_form.line_fit_loss_surface(x, 2.0 * x + 1.0, [2.0], [1.0])
    assert 0.0 <= exact[0, 0] < 1e-20


@settings(max_examples=30, deadline=None)
@given(n=st.integers(5, 40), d=st.integers(1, 5), seed=st.integers(0, 1000))
def test_normal_equations_agree_with_lstsq_on_full_rank_data(n, d, seed):
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(n, d)), rng.normal(size=n)
    ref = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(closed_form.normal_equations(X, y), ref, rtol=1e-8, atol=1e-10)
    # the residual is orthogonal to the columns: the normal equations hold
    r = X @ closed_form.lstsq_solution(X, y) - y
    np.testing.assert_allclose(X.T @ r, 0.0, atol=1e-10 * (1 + np.abs(X).sum() * np.abs(y).max()))


def test_lstsq_and_pinv_give_the_minimum_norm_solution_of_a_rank_deficient_problem():
    rng = np.random.default_rng(3)
    A = rng.normal(size=(30, 2))
    X = np.column_stack([A, A[:, 0] + A[:, 1]])  # rank 2 of 3 columns
    y = rng.normal(size=30)
    w_lstsq, w_pinv = closed_form.lstsq_solution(X, y), closed_form.pinv_solution(X, y)
    np.testing.assert_allclose(w_pinv, w_lstsq, rtol=1e-9, atol=1e-12)
    # minimum norm: no component along the null space (1, 1, −1)
    assert abs(w_lstsq @ np.array([1.0, 1.0, -1.0])) < 1e-10


def test_the_cost_models_accept_arrays_and_follow_their_formulas():
    n, d = np.array([100, 1000, 10_000]), 20
    np.testing.assert_allclose(closed_form.solve_cost(n, d), n * d**2 + 2 * n * d + d**3 / 3)
    np.testing.assert_allclose(closed_form.iterative_cost(n, d, 50), 4 * n * d * 50)
    assert closed_form.solve_cost(n, d)[1] == closed_form.solve_cost(1000, 20)
    # where the direct solve wins: a handful of steps costs less only when d is large
    assert closed_form.iterative_cost(10**5, 1000, 10) < closed_form.solve_cost(10**5, 1000)
    assert closed_form.iterative_cost(10**5, 2, 10) > closed_form.solve_cost(10**5, 2)


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: closed_form.design_matrix(np.ones((2, 2))), ValueError, "x must be 1-D"),
        (lambda: closed_form.solve_cost(0, 3), ValueError, "n must be >= 1"),
        (lambda: closed_form.solve_cost(10, 2.5), TypeError, "d must be an integer"),
        (lambda: closed_form.iterative_cost(10, 2, np.array([1, -1])), ValueError, "steps"),
        (
            lambda: closed_form.line_fit_loss_surface([0.0, 1.0], [1.0, 2.0], [[1.0]], [1.0]),
            ValueError,
            "slopes",
        ),
    ],
)
def test_more_bad_input_gets_a_clear_message(call, exc, message):
    with pytest.raises(exc, match=message):
        call()
