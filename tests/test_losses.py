"""Losses and empirical risk (lecture 09): stable forms, gradients, logistic regression."""

import functools

import numdifftools as nd
import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from course_lib import losses as L
from course_lib import stochastic
from course_lib.data import classification_data

moderate = st.floats(-30, 30, allow_nan=False)
anywhere = st.floats(-1e4, 1e4, allow_nan=False)
DIFFERENTIABLE = ("square", "hinge", "logistic")


# --------------------------------------------------------------------------- stable forms
@settings(max_examples=50, deadline=None)
@given(moderate)
def test_stable_logistic_equals_the_naive_form_where_that_is_finite(z):
    assert float(L.logistic_loss(z)) == pytest.approx(np.log1p(np.exp(-z)), rel=1e-12, abs=1e-300)
    assert float(L.sigmoid(z)) == pytest.approx(1.0 / (1.0 + np.exp(-z)), rel=1e-12)
    naive_derivative = -np.exp(-z) / (1.0 + np.exp(-z))
    assert float(L.logistic_derivative(z)) == pytest.approx(naive_derivative, rel=1e-10, abs=1e-300)


@settings(max_examples=50, deadline=None)
@given(st.lists(moderate, min_size=1, max_size=6))
def test_softmax_and_logsumexp_equal_the_naive_forms_and_scipy(a):
    a = np.array(a)
    np.testing.assert_allclose(L.softmax(a), np.exp(a) / np.sum(np.exp(a)), rtol=1e-12)
    np.testing.assert_allclose(L.logsumexp(a), np.log(np.sum(np.exp(a))), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(L.log_softmax(a), scipy.special.log_softmax(a), atol=1e-12)


def test_no_overflow_at_margin_one_thousand():
    z = np.array([-1000.0, 1000.0])
    # pytest turns an overflow RuntimeWarning into a failure
    np.testing.assert_array_equal(L.logistic_loss(z), [1000.0, 0.0])
    np.testing.assert_array_equal(L.logistic_derivative(z), [-1.0, 0.0])
    np.testing.assert_array_equal(L.sigmoid(z), [0.0, 1.0])
    logits = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    np.testing.assert_allclose(L.softmax(logits), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    ce = L.cross_entropy(logits, np.array([2, 0]))
    np.testing.assert_allclose(ce, [2000.0, np.log(3.0)])
    np.testing.assert_allclose(
        L.cross_entropy_gradient(logits, np.array([2, 0])),
        [[1, 0, -1], [1 / 3 - 1, 1 / 3, 1 / 3]],
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(anywhere, min_size=2, max_size=5), st.integers(0, 4))
def test_cross_entropy_equals_logsumexp_minus_the_true_logit(a, label):
    a = np.array([a])
    label = label % a.shape[1]
    expected = scipy.special.logsumexp(a[0]) - a[0, label]
    assert float(L.cross_entropy(a, np.array([label]))[0]) == pytest.approx(expected, abs=1e-9)


# --------------------------------------------------------------------------- margin losses
@settings(max_examples=50, deadline=None)
@given(anywhere)
def test_surrogates_upper_bound_the_zero_one_loss(z):
    zero_one = float(z <= 0)
    assert L.hinge_loss(z) >= zero_one
    assert L.logistic_loss(z) / np.log(2.0) >= zero_one
    assert L.square_loss(z) >= zero_one


@pytest.mark.parametrize("loss", DIFFERENTIABLE)
@pytest.mark.parametrize("z", [-3.0, -0.4, 0.35, 0.8, 2.5])
def test_margin_derivatives_match_centered_differences(loss, z):
    h = 1e-6
    fd = (L.margin_loss(z + h, loss) - L.margin_loss(z - h, loss)) / (2 * h)
    assert float(L.margin_loss_derivative(z, loss)) == pytest.approx(float(fd), rel=1e-7, abs=1e-9)


def test_zero_one_loss_counts_mistakes_and_has_zero_gradient():
    z = np.array([-2.0, 0.0, 1e-300, 4.0])
    np.testing.assert_array_equal(L.zero_one_loss(z), [1.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(L.zero_one_derivative(z), 0.0)


def test_square_margin_loss_is_the_squared_error_for_plus_minus_one_labels():
    rng = np.random.default_rng(0)
    f, y = rng.normal(size=20), rng.choice([-1.0, 1.0], size=20)
    np.testing.assert_allclose(L.square_loss(y * f), (y - f) ** 2)


# --------------------------------------------------------------------------- empirical risk
def _data(seed=0, n=40, d=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.where(X @ rng.normal(size=d) + 0.5 * rng.normal(size=n) > 0, 1.0, -1.0)
    return X, y


@pytest.mark.parametrize("loss", DIFFERENTIABLE)
def test_risk_gradient_matches_numdifftools(loss):
    X, y = _data(1)
    w = np.array([0.3, -0.7, 0.2])
    z = y * (X @ w)
    assert np.min(np.abs(z - 1.0)) > 1e-3  # away from the hinge's kink
    fd = nd.Gradient(lambda v: float(L.empirical_risk(v, X, y, loss)), step=1e-5)(w)
    np.testing.assert_allclose(L.empirical_risk_gradient(w, X, y, loss), fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("loss", ("square", "logistic", "cross_entropy"))
def test_risk_hessian_matches_the_jacobian_of_the_gradient(loss):
    X, y = _data(2)
    if loss == "cross_entropy":
        y = (np.arange(len(y)) % 3).astype(int)
        w = np.random.default_rng(3).normal(size=9)
    else:
        w = np.array([0.3, -0.7, 0.2])
    jac = nd.Jacobian(lambda v: L.empirical_risk_gradient(v, X, y, loss))(w)
    np.testing.assert_allclose(L.empirical_risk_hessian(w, X, y, loss), jac, atol=1e-8)


def test_cross_entropy_risk_gradient_is_x_transpose_softmax_minus_onehot():
    X, _ = _data(4, n=30, d=2)
    labels = np.random.default_rng(5).integers(0, 4, size=30)
    W = np.random.default_rng(6).normal(size=(2, 4))
    fd = nd.Gradient(lambda v: float(L.empirical_risk(v, X, labels, "cross_entropy")))(W.ravel())
    got = L.empirical_risk_gradient(W.ravel(), X, labels, "cross_entropy")
    np.testing.assert_allclose(got, fd, rtol=1e-7, atol=1e-9)
    naive = -np.mean(np.log(scipy.special.softmax(X @ W, axis=1)[np.arange(30), labels]))
    assert float(L.empirical_risk(W.ravel(), X, labels, "cross_entropy")) == pytest.approx(naive)


@pytest.mark.parametrize("loss", L.RISK_LOSSES)
def test_risk_is_vectorised_over_weights_and_gathered_batches(loss):
    X, y = _data(7)
    if loss == "cross_entropy":
        y = (np.arange(len(y)) % 2).astype(int)
        W = np.random.default_rng(8).normal(size=(4, 6))
    else:
        W = np.random.default_rng(8).normal(size=(4, 3))
    batched = L.empirical_risk(W, X, y, loss)
    grads = L.empirical_risk_gradient(W, X, y, loss)
    for k in range(4):
        assert batched[k] == pytest.approx(float(L.empirical_risk(W[k], X, y, loss)), rel=1e-13)
        np.testing.assert_allclose(grads[k], L.empirical_risk_gradient(W[k], X, y, loss))
    # the finite-sum protocol: X gathered per run, (K, m, d), with y (K, m)
    idx = np.random.default_rng(9).integers(0, len(y), size=(4, 10))
    gathered = L.empirical_risk(W, X[idx], y[idx], loss)
    for k in range(4):
        expected = float(L.empirical_risk(W[k], X[idx[k]], y[idx[k]], loss))
        assert gathered[k] == pytest.approx(expected, rel=1e-13)


def test_risk_is_the_mean_of_the_margin_losses_and_counts_errors():
    X, y = _data(10)
    w = np.array([1.0, 0.0, -1.0])
    z = y * (X @ w)
    assert float(L.empirical_risk(w, X, y, "zero_one")) == pytest.approx(np.mean(z <= 0))
    assert float(L.empirical_risk(w, X, y, "hinge")) == pytest.approx(np.mean(np.maximum(0, 1 - z)))


# --------------------------------------------------------------------------- logistic regression
def _naive_risk(w, X, y):
    return np.mean(np.log1p(np.exp(-y * (X @ w))))


def test_logistic_regression_by_gd_reaches_the_scipy_minimiser():
    X, y = classification_data(80, margin=0.0, label_noise=0.15, seed=3)
    X = np.column_stack([X, np.ones(len(y))])
    traj = L.logistic_regression(X, y, method="gd", learning_rate=1.0, max_iter=5000, tol=1e-9)
    ref = minimize(_naive_risk, np.zeros(3), args=(X, y), method="BFGS", options={"gtol": 1e-10})
    assert str(traj.status) == "converged"
    np.testing.assert_allclose(traj.final, ref.x, atol=1e-6)
    assert float(traj.final_loss) == pytest.approx(ref.fun, rel=1e-10)


def test_logistic_regression_by_sgd_gets_close_and_full_batch_sgd_is_gd():
    X, y = classification_data(60, margin=0.0, label_noise=0.2, seed=4)
    X = np.column_stack([X, np.ones(len(y))])
    ref = minimize(_naive_risk, np.zeros(3), args=(X, y), method="BFGS", options={"gtol": 1e-10})
    sgd = L.logistic_regression(X, y, method="sgd", learning_rate=0.05, batch_size=5, epochs=200)
    assert float(sgd.final_loss) - ref.fun < 1e-2
    full = L.logistic_regression(X, y, method="sgd", learning_rate=0.5, batch_size=60, epochs=30)
    gd = L.logistic_regression(X, y, method="gd", learning_rate=0.5, max_iter=30, tol=0.0)
    np.testing.assert_allclose(full.iterates, gd.iterates, rtol=1e-10, atol=1e-12)


def test_logistic_regression_runs_k_learning_rates_at_once():
    X, y = classification_data(40, margin=0.0, label_noise=0.2, seed=5)
    traj = L.logistic_regression(X, y, learning_rate=[0.1, 1.0], max_iter=50)
    single = L.logistic_regression(X, y, learning_rate=1.0, max_iter=50)
    np.testing.assert_allclose(traj.run(1).iterates, single.iterates)


def test_hinge_risk_plugs_into_sgd_with_partial():
    X, y = _data(11)
    hinge = functools.partial(L.empirical_risk, loss="hinge")
    hinge_grad = functools.partial(L.empirical_risk_gradient, loss="hinge")
    traj = stochastic.sgd(
        X, y, np.zeros(3), 0.05, batch_size=4, epochs=30, loss=hinge, grad=hinge_grad
    )
    assert float(traj.final_loss) < 0.5 * float(traj.losses[0])


def test_a_diverging_sgd_run_on_the_square_risk_is_a_status_not_an_error():
    X, y = _data(12)
    square = functools.partial(L.empirical_risk, loss="square")
    square_grad = functools.partial(L.empirical_risk_gradient, loss="square")
    traj = stochastic.sgd(X, y, np.zeros(3), 50.0, epochs=5, loss=square, grad=square_grad)
    assert str(traj.status) == "diverged"


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: L.margin_loss(0.0, "cubic"), ValueError, "loss must be one of"),
        (lambda: L.logistic_loss("a"), TypeError, "z must be an array"),
        (lambda: L.empirical_risk(np.zeros(2), np.zeros((4, 3)), np.ones(4)), ValueError, "w must"),
        (
            lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
            ValueError,
            "labels must lie",
        ),
        (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError, "integer"),
        (lambda: L.cross_entropy(np.zeros((2, 3)), np.array([0])), ValueError, "2 entries"),
        (
            lambda: L.logistic_regression(np.zeros((3, 2)), np.array([0.0, 1.0, 1.0])),
            ValueError,
            r"labels in \{-1, \+1\}",
        ),
        (
            lambda: L.logistic_regression(np.zeros((3, 2)), np.ones(3), method="newton"),
            ValueError,
            "method must be one of",
        ),
        (
            lambda: L.logistic_regression(np.zeros((3, 2)), np.ones(3), learning_rate=-1.0),
            ValueError,
            "learning_rate must be positive",
        ),
    ],
)
def test_bad_input_is_reported_by_name(call, err, match):
    with pytest.raises(err, match=match):
        call()
