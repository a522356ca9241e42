"""logistic_regression's one-run GD loop equals descent.gradient_descent bit for bit (lecture 09).

logistic_regression(method="gd") runs a single learning rate in its own loop (gradients only,
the risks of all iterates in one batched call afterwards); batches of learning rates, and
this reference, go through descent.gradient_descent on risk_objective(X, y, "logistic").
Every field of the two Trajectories must agree exactly, including runs that converge, hit
max_iter, leave the finite numbers or explode past the divergence limit.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import descent
from course_lib import losses as L
from course_lib.data import classification_data


def _reference(X, y, learning_rate, w0=None, max_iter=1000, tol=1e-8):
    w0 = np.zeros(X.shape[1]) if w0 is None else w0
    objective = L.risk_objective(X, y, "logistic")
    return descent.gradient_descent(objective, w0, learning_rate, max_iter=max_iter, tol=tol)


def _assert_same_run(fast, slow):
    for field in ("iterates", "losses", "grad_norms", "status", "stopped_at"):
        a, b = getattr(fast, field), getattr(slow, field)
        assert a.shape == b.shape and a.dtype == b.dtype, (field, a.shape, b.shape)
        np.testing.assert_array_equal(a, b, err_msg=field)
    assert fast.method == slow.method
    assert fast.params == slow.params


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 80),
    d=st.integers(1, 5),
    scale=st.sampled_from([1e-3, 1.0, 10.0, 1e150, 1e200]),
    log_eta=st.one_of(st.floats(-3.0, 1.5), st.floats(1.5, 300.0)),  # steps that settle, and not
    max_iter=st.integers(1, 120),
    tol=st.sampled_from([0.0, 1e-12, 1e-8, 1e-4, 1e-2]),
    start=st.booleans(),
)
def test_one_run_equals_gradient_descent_on_the_risk_objective(
    seed, n, d, scale, log_eta, max_iter, tol, start
):
    rng = np.random.default_rng(seed)
    X = scale * rng.normal(size=(n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    eta = 10.0**log_eta
    w0 = rng.normal(size=d) if start else None
    try:
        slow = _reference(X, y, eta, w0, max_iter, tol)
    except ValueError as err:  # margins that overflow are refused by logistic_loss: same error
        with pytest.raises(ValueError, match=re.escape(str(err))):
            L.logistic_regression(X, y, learning_rate=eta, w0=w0, max_iter=max_iter, tol=tol)
        return
    fast = L.logistic_regression(X, y, learning_rate=eta, w0=w0, max_iter=max_iter, tol=tol)
    _assert_same_run(fast, slow)


@settings(max_examples=60, deadline=None)
@given(
    margin=st.floats(0.0, 1.5),
    noise=st.floats(0.0, 0.4),
    seed=st.integers(0, 10_000),
    log_eta=st.floats(-2.0, np.log10(30.0)),
)
def test_the_lecture_09_panel_runs_equal_gradient_descent(margin, noise, seed, log_eta):
    P, y = classification_data(60, margin, noise, seed)
    X = np.column_stack([np.ones(60), P])
    eta = 10.0**log_eta
    fast = L.logistic_regression(X, y, learning_rate=eta, max_iter=300)
    _assert_same_run(fast, _reference(X, y, eta, max_iter=300))


@pytest.mark.parametrize(
    ("scale", "eta", "status"),
    [
        (1.0, 1.0, "converged"),
        (1.0, 1e-3, "max_iter"),
        (1.0, 1e12, "diverged"),  # the risk grows past 1e10 (1 + |R(w0)|)
    ],
)
def test_each_way_of_stopping_is_reached_and_matches(scale, eta, status):
    X = scale * np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.5], [1.0, -2.0]])
    y = np.array([1.0, -1.0, -1.0, 1.0])
    fast = L.logistic_regression(X, y, learning_rate=eta, max_iter=200)
    assert str(fast.status) == status
    _assert_same_run(fast, _reference(X, y, eta, max_iter=200))


def test_a_step_to_an_infinite_risk_is_not_taken_as_by_gradient_descent():
    # 100 points push w up; at w_1 = 1.5e306 two points have margins -1.5e308 (finite), so
    # the sum of their losses overflows: R(w_1) = inf, and the run keeps w_0 (repeated).
    X = np.array([[10.0]] * 100 + [[-100.0]] * 2)
    y = np.ones(102)
    eta = 1.5e306 / (0.5 / 102 * 800)
    fast = L.logistic_regression(X, y, learning_rate=eta, max_iter=5)
    assert str(fast.status) == "diverged" and int(fast.stopped_at) == 0
    assert fast.iterates.shape == (2, 1) and np.all(fast.iterates == 0.0)
    _assert_same_run(fast, _reference(X, y, eta, max_iter=5))


def test_margins_that_overflow_are_refused_as_by_gradient_descent():
    X = 1e200 * np.array([[1.0, 2.0], [1.0, -1.0]])
    y = np.array([1.0, -1.0])
    with pytest.raises(ValueError, match="z must contain only finite values") as generic:
        _reference(X, y, 1e200, max_iter=20)
    with pytest.raises(ValueError, match=re.escape(str(generic.value))):
        L.logistic_regression(X, y, learning_rate=1e200, max_iter=20)


def test_a_batch_of_learning_rates_still_equals_the_single_runs():
    X = np.column_stack([np.ones(30), np.random.default_rng(3).normal(size=(30, 2))])
    y = np.where(X[:, 1] + 0.3 * X[:, 2] > 0, 1.0, -1.0)
    y[:3] *= -1
    batch = L.logistic_regression(X, y, learning_rate=[0.1, 1.0, 5.0], max_iter=50)
    for k, eta in enumerate([0.1, 1.0, 5.0]):
        alone = L.logistic_regression(X, y, learning_rate=eta, max_iter=50)
        np.testing.assert_array_equal(batch.run(k).iterates, alone.iterates)
        np.testing.assert_array_equal(batch.run(k).losses, alone.losses)


@pytest.mark.parametrize("tol", [-1.0, np.nan, [1e-8, 1e-6], "small"])
def test_a_bad_tolerance_is_refused_by_name(tol):
    with pytest.raises((ValueError, TypeError), match="tol"):
        L.logistic_regression(np.eye(2), np.array([1.0, -1.0]), tol=tol)
