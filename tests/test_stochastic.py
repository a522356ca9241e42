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


def test_sgd_with_the_same_seed_reproduces_and_another_seed_differs(data):
    X, y = data
    a = stochastic.sgd(X, y, np.zeros(3), 0.05, batch_size=7, epochs=3, seed=11)
    b = stochastic.sgd(X, y, np.zeros(3), 0.05, batch_size=7, epochs=3, seed=11)
    c = stochastic.sgd(X, y, np.zeros(3), 0.05, batch_size=7, epochs=3, seed=12)
    np.testing.assert_array_equal(a.iterates, b.iterates)
    assert not np.allclose(a.iterates[-1], c.iterates[-1])


def test_sgd_with_replacement_uses_the_draws_of_minibatch_indices(data):
    X, y = data
    traj = stochastic.sgd(
        X, y, np.zeros(3), 0.05, batch_size=9, epochs=2, replace=True, seed=4, record="step"
    )
    idx = stochastic.minibatch_indices(120, 9, epochs=2, replace=True, seed=4).reshape(-1, 9)
    assert traj.iterates.shape == (idx.shape[0] + 1, 3)
    w = np.zeros(3)
    for t, batch in enumerate(idx):
        w = w - 0.05 * X[batch].T @ (X[batch] @ w - y[batch]) / 9
        np.testing.assert_allclose(traj.iterates[t + 1], w, rtol=1e-12, atol=1e-14)


def test_losses_and_gradient_norms_are_full_batch_values_at_the_recorded_iterates(data):
    X, y = data
    traj = stochastic.sgd(X, y, np.zeros(3), [0.01, 0.1], batch_size=8, epochs=4)
    f = least_squares(X, y)
    assert traj.iterates.shape == (2, 5, 3)
    np.testing.assert_allclose(traj.losses, f.value(traj.iterates), rtol=1e-10)
    np.testing.assert_allclose(
        traj.grad_norms, np.linalg.norm(f.gradient(traj.iterates), axis=-1), rtol=1e-8
    )


@pytest.mark.parametrize("momentum", [0.0, 0.7])
def test_the_least_squares_fast_path_equals_the_finite_sum_protocol(data, momentum):
    X, y = data

    def same_gradient(w, Xb, yb):  # a different callable: sgd takes the generic path
        return stochastic.least_squares_gradient(w, Xb, yb)

    kw = {"batch_size": 6, "epochs": 3, "momentum": momentum, "seed": 9, "record": "step"}
    fast = stochastic.sgd(X, y, np.zeros(3), [0.01, 0.05], **kw)
    generic = stochastic.sgd(X, y, np.zeros(3), [0.01, 0.05], grad=same_gradient, **kw)
    np.testing.assert_allclose(fast.iterates, generic.iterates, rtol=1e-11, atol=1e-13)


def test_a_grid_of_learning_rates_by_seeds_equals_separate_runs(data):
    X, y = data
    rates, seeds = np.array([0.01, 0.04]), [3, 4, 5]
    grid = stochastic.sgd(X, y, np.zeros(3), rates[:, None], batch_size=10, epochs=2, seed=seeds)
    assert grid.batch_shape == (2, 3)
    for j, lr in enumerate(rates):
        for k, s in enumerate(seeds):
            single = stochastic.sgd(X, y, np.zeros(3), lr, batch_size=10, epochs=2, seed=s)
            np.testing.assert_allclose(grid.run((j, k)).iterates, single.iterates, rtol=1e-12)


def test_an_array_of_momenta_equals_separate_runs(data):
    X, y = data
    betas = np.array([0.0, 0.5, 0.9])
    batch = stochastic.sgd(X, y, np.zeros(3), 0.01, batch_size=12, epochs=3, momentum=betas)
    for k, beta in enumerate(betas):
        single = stochastic.sgd(X, y, np.zeros(3), 0.01, batch_size=12, epochs=3, momentum=beta)
        np.testing.assert_allclose(batch.run(k).iterates, single.iterates, rtol=1e-12)


def test_a_run_on_interpolating_data_is_reported_converged_and_frozen():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ np.array([0.5, -1.0])  # no noise: the full gradient can reach 0
    traj = stochastic.sgd(X, y, np.zeros(2), 0.5, batch_size=40, epochs=400, tol=1e-10)
    assert traj.status == "converged"
    stop = int(traj.stopped_at)
    assert traj.grad_norms[stop] <= 1e-10 < traj.grad_norms[stop - 1]
    assert stop < 400 and np.all(traj.iterates[stop:] == traj.iterates[stop])


def test_a_loss_that_refuses_non_finite_weights_still_gets_a_diverged_status(data):
    X, y = data

    def strict_loss(w, Xb, yb):
        assert np.all(np.isfinite(w)), "loss called with non-finite weights"
        return stochastic.least_squares_loss(w, Xb, yb)

    def strict_grad(w, Xb, yb):
        assert np.all(np.isfinite(w)), "grad called with non-finite weights"
        return stochastic.least_squares_gradient(w, Xb, yb)

    traj = stochastic.sgd(
        X, y, np.zeros(3), [0.01, 1e3], batch_size=2, epochs=30, loss=strict_loss, grad=strict_grad
    )
    assert traj.status.tolist() == ["max_iter", "diverged"]


def test_the_cosine_schedule_follows_its_formula_and_k_rates_give_k_rows():
    t = np.arange(10)
    cos = stochastic.learning_rate_schedule("cosine", [1.0, 0.5], 10, final=0.1)
    assert cos.shape == (2, 10)
    expected = 0.1 + 0.5 * (np.array([[1.0], [0.5]]) - 0.1) * (1 + np.cos(np.pi * t / 10))
    np.testing.assert_allclose(cos, expected, rtol=1e-14)


def test_the_step_schedule_of_sgd_drops_every_k_steps(data):
    X, y = data
    # with B = n there is one step per epoch, so the run is GD with η_t = η₀ · ½^⌊t/2⌋
    traj = stochastic.sgd(
        X,
        y,
        np.zeros(3),
        0.2,
        batch_size=120,
        epochs=6,
        schedule="step",
        schedule_kw={"step_every": 2, "factor": 0.5},
    )
    f, w = least_squares(X, y), np.zeros(3)
    for t in range(6):
        w = w - 0.2 * 0.5 ** (t // 2) * f.gradient(w)
        np.testing.assert_allclose(traj.iterates[t + 1], w, rtol=1e-10)


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: stochastic.minibatch_indices(10, 11), ValueError, "batch_size .* n = 10"),
        (lambda: stochastic.minibatch_indices(10, 2, epochs=0), ValueError, "epochs"),
        (lambda: stochastic.minibatch_indices(10, 2, seed=1.5), TypeError, "seed"),
        (
            lambda: stochastic.learning_rate_schedule("step", 1.0, 5, factor=2.0),
            ValueError,
            "factor",
        ),
        (
            lambda: stochastic.learning_rate_schedule("cosine", 1.0, 5, final=-1.0),
            ValueError,
            "final",
        ),
        (lambda: stochastic.learning_rate_schedule("linear", 1.0, 5), ValueError, "schedule"),
        (
            lambda: stochastic.per_example_gradients(np.zeros(2), np.ones((4, 3)), np.ones(4)),
            ValueError,
            "w must have shape",
        ),
    ],
)
def test_bad_input_to_the_helpers_gets_a_clear_message(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"learning_rate": [0.1, 0.2], "seed": [1, 2, 3]}, ValueError, "broadcast"),
        ({"seed": [1, 2.5]}, TypeError, "seed"),
        ({"seed": []}, ValueError, "seed"),
        ({"schedule_kw": [1]}, TypeError, "schedule_kw"),
        ({"tol": -1.0}, ValueError, "tol"),
    ],
)
def test_more_bad_input_to_sgd_gets_an_error_naming_the_argument(data, kwargs, exc, message):
    X, y = data
    args = {"learning_rate": 0.1}
    args.update(kwargs)
    with pytest.raises(exc, match=message):
        stochastic.sgd(X, y, np.zeros(3), args.pop("learning_rate"), **args)
