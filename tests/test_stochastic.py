"""Minibatches and SGD: unbiasedness, epochs, schedules, momentum, batches of runs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import closed_form, descent, stochastic
from course_lib.objectives import least_squares


def _data():
    rng = np.random.default_rng(42)
    X = rng.normal(size=(120, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 * rng.normal(size=120)
    return X, y


@pytest.fixture
def data():
    return _data()


def test_least_squares_pair_matches_the_objective_module(data):
    X, y = data
    w = np.random.default_rng(1).normal(size=(4, 3))
    f = least_squares(X, y)
    np.testing.assert_allclose(stochastic.least_squares_loss(w, X, y), f.value(w), rtol=1e-12)
    np.testing.assert_allclose(
        stochastic.least_squares_gradient(w, X, y), f.gradient(w), rtol=1e-12, atol=1e-14
    )


def test_per_example_gradients_average_to_the_full_gradient_and_sum_to_zero_at_the_optimum(data):
    X, y = data
    w = np.array([0.3, 0.1, -1.0])
    G = stochastic.per_example_gradients(w, X, y)
    np.testing.assert_allclose(G.mean(0), least_squares(X, y).gradient(w), rtol=1e-12)
    wstar = np.linalg.lstsq(X, y, rcond=None)[0]
    Gstar = stochastic.per_example_gradients(wstar, X, y)
    assert np.linalg.norm(Gstar.sum(0)) < 1e-10
    assert np.linalg.norm(Gstar, axis=1).max() > 0.1  # but the examples themselves disagree


def test_minibatch_gradients_of_an_epoch_average_to_the_full_gradient(data):
    X, y = data
    w = np.array([0.3, 0.1, -1.0])
    idx = stochastic.minibatch_indices(120, 8, seed=3)[0]
    g = stochastic.least_squares_gradient(w, X[idx], y[idx])  # (15, 3): one per batch
    np.testing.assert_allclose(g.mean(0), least_squares(X, y).gradient(w), rtol=1e-12)


def test_each_epoch_without_replacement_visits_every_example_once_and_reshuffles():
    idx = stochastic.minibatch_indices(50, 5, epochs=3, seed=0)
    assert idx.shape == (3, 10, 5)
    for e in range(3):
        assert sorted(idx[e].ravel().tolist()) == list(range(50))
    assert not np.array_equal(idx[0], idx[1])


def test_the_leftover_examples_are_dropped_per_epoch():
    idx = stochastic.minibatch_indices(23, 5, epochs=2, seed=0)
    assert idx.shape == (2, 4, 5)
    assert len(set(idx[0].ravel().tolist())) == 20


def test_with_replacement_draws_repeat_and_cover_the_range_uniformly():
    idx = stochastic.minibatch_indices(10, 10, epochs=2000, replace=True, seed=0)
    counts = np.bincount(idx.ravel(), minlength=10)
    assert np.all(np.abs(counts / counts.sum() - 0.1) < 0.01)
    assert any(len(set(b.tolist())) < 10 for b in idx[:20, 0])


def test_seeds_reproduce_and_differ():
    a = stochastic.minibatch_indices(30, 3, seed=7)
    b = stochastic.minibatch_indices(30, 3, seed=np.random.default_rng(7))
    c = stochastic.minibatch_indices(30, 3, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sgd_batches_are_the_permuted_contiguous_slices_of_minibatch_indices(data):
    X, y = data
    traj = stochastic.sgd(X, y, np.zeros(3), 0.05, batch_size=10, epochs=2, seed=5, record="step")
    idx = stochastic.minibatch_indices(120, 10, epochs=2, seed=5).reshape(-1, 10)
    w = np.zeros(3)
    for t, batch in enumerate(idx):
        w = w - 0.05 * (X[batch].T @ (X[batch] @ w - y[batch])) / 10
        np.testing.assert_allclose(traj.iterates[t + 1], w, rtol=1e-12, atol=1e-14)


def test_sgd_with_momentum_matches_the_documented_torch_update(data):
    X, y = data
    lr, mu = 0.02, 0.9
    traj = stochastic.sgd(
        X, y, np.zeros(3), lr, batch_size=12, epochs=2, momentum=mu, seed=1, record="step"
    )
    idx = stochastic.minibatch_indices(120, 12, epochs=2, seed=1).reshape(-1, 12)
    w, buf = np.zeros(3), None
    for t, batch in enumerate(idx):
        g = X[batch].T @ (X[batch] @ w - y[batch]) / 12
        buf = g if buf is None else mu * buf + g
        w = w - lr * buf
        np.testing.assert_allclose(traj.iterates[t + 1], w, rtol=1e-11, atol=1e-13)


def test_full_batch_sgd_is_gradient_descent(data):
    X, y = data
    sgd = stochastic.sgd(X, y, np.zeros(3), 0.1, batch_size=120, epochs=30)
    gd = descent.gradient_descent(least_squares(X, y), np.zeros(3), 0.1, max_iter=30, tol=0)
    np.testing.assert_allclose(sgd.iterates, gd.iterates, rtol=1e-10, atol=1e-12)


def test_constant_step_hovers_while_a_decaying_step_converges_closer(data):
    X, y = data
    wstar = closed_form.lstsq_solution(X, y)
    seeds = list(range(20))
    const = stochastic.sgd(X, y, np.zeros(3), 0.05, batch_size=1, epochs=30, seed=seeds)
    decay = stochastic.sgd(
        X,
        y,
        np.zeros(3),
        0.05,
        batch_size=1,
        epochs=30,
        seed=seeds,
        schedule="inverse_time",
        schedule_kw={"decay_time": 120},
    )
    err_const = np.linalg.norm(const.final - wstar, axis=-1).mean()
    err_decay = np.linalg.norm(decay.final - wstar, axis=-1).mean()
    assert err_decay < 0.3 * err_const
    # the constant-step iterates keep moving: the last epochs do not settle
    moves = np.linalg.norm(np.diff(const.iterates[:, -5:], axis=1), axis=-1)
    assert moves.min() > 1e-4


def test_a_batch_of_learning_rates_shares_the_shuffles_and_equals_separate_runs(data):
    X, y = data
    rates = np.array([0.01, 0.05, 0.2])
    batch = stochastic.sgd(X, y, np.zeros(3), rates, batch_size=4, epochs=3, seed=2)
    for k, lr in enumerate(rates):
        single = stochastic.sgd(X, y, np.zeros(3), lr, batch_size=4, epochs=3, seed=2)
        np.testing.assert_allclose(batch.run(k).iterates, single.iterates, rtol=1e-13)


@settings(max_examples=15, deadline=None)
@given(
    seeds=st.lists(st.integers(0, 10_000), min_size=1, max_size=4, unique=True),
    batch_size=st.sampled_from([1, 5, 30]),
)
def test_a_batch_of_seeds_equals_separate_runs(seeds, batch_size):
    X, y = _data()
    batch = stochastic.sgd(X, y, np.zeros(3), 0.02, batch_size=batch_size, epochs=2, seed=seeds)
    for k, s in enumerate(seeds):
        single = stochastic.sgd(X, y, np.zeros(3), 0.02, batch_size=batch_size, epochs=2, seed=s)
        np.testing.assert_allclose(batch.run(k).iterates, single.iterates, rtol=1e-12, atol=1e-14)


def test_divergence_is_a_status_without_warnings(data):
    X, y = data
    with np.errstate(all="raise"):
        traj = stochastic.sgd(X, y, np.zeros(3), [0.01, 50.0], batch_size=10, epochs=50)
    assert traj.status.tolist()[1] == "diverged"
    assert traj.status.tolist()[0] != "diverged"


def test_schedules_follow_their_formulas():
    t = np.arange(8)
    np.testing.assert_allclose(stochastic.learning_rate_schedule("constant", 0.5, 8), 0.5)
    np.testing.assert_allclose(
        stochastic.learning_rate_schedule("step", 1.0, 8, step_every=3), 0.5 ** (t // 3)
    )
    np.testing.assert_allclose(
        stochastic.learning_rate_schedule("inverse_time", 2.0, 8, decay_time=4), 2 / (1 + t / 4)
    )
    cos = stochastic.learning_rate_schedule("cosine", 1.0, 8)
    assert cos[0] == 1.0 and np.all(np.diff(cos) < 0) and cos[-1] > 0
    assert stochastic.learning_rate_schedule("constant", [0.1, 0.2], 5).shape == (2, 5)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"batch_size": 500}, ValueError, "batch_size"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate"),
        ({"momentum": 1.5}, ValueError, "momentum"),
        ({"schedule": "exponential"}, ValueError, "schedule"),
        ({"record": "never"}, ValueError, "record"),
        ({"seed": "abc"}, TypeError, "seed"),
        ({"w0": np.zeros(4)}, ValueError, "w0"),
    ],
)
def test_bad_input_gets_an_error_naming_the_argument(data, kwargs, exc, message):
    X, y = data
    args = {"w0": np.zeros(3), "learning_rate": 0.1}
    args.update(kwargs)
    w0, lr = args.pop("w0"), args.pop("learning_rate")
    with pytest.raises(exc, match=message):
        stochastic.sgd(X, y, w0, lr, **args)


def test_mismatched_data_is_refused(data):
    X, y = data
    with pytest.raises(ValueError, match="y must have shape"):
        stochastic.sgd(X, y[:-1], np.zeros(3), 0.1)
