"""The ReLU network of lecture 10: elbows, backprop against finite differences, fitting."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_lib import networks as N
from course_lib.data import wiggly_function, wiggly_function_data


def _central_gradient(loss, theta, h=1e-6):
    """Centered differences in float64, all coordinates in one vectorised call of loss."""
    E = h * np.eye(theta.size)
    return (loss(theta + E) - loss(theta - E)) / (2 * h)


def _relative_error(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# --------------------------------------------------------------------------- scalar network
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_backprop_matches_central_differences_to_1e_minus_6(seed, units):
    rng = np.random.default_rng(seed)
    theta = N.init_params(units, seed=rng)
    theta[-1] = rng.normal()
    x = rng.uniform(-1, 1, size=25)
    y = rng.normal(size=25)
    w, b, _, _ = N.unpack(theta)
    assume(np.min(np.abs(w[:, None] * x + b[:, None])) > 1e-4)  # away from every kink
    X = x[:, None]
    fd = _central_gradient(lambda t: N.mse_loss(t, X, y), theta)
    assert _relative_error(N.mse_gradient(theta, X, y), fd) <= 1e-6


def test_forward_matches_a_plain_sum_over_units():
    theta = N.pack([1.0, -2.0, 0.5], [0.5, 1.0, -0.25], [2.0, -1.0, 3.0], 0.7)
    for x in (-1.3, -0.2, 0.4, 2.0):
        expected = 0.7 + sum(
            a * max(0.0, w * x + b)
            for w, b, a in zip([1.0, -2.0, 0.5], [0.5, 1.0, -0.25], [2.0, -1.0, 3.0], strict=True)
        )
        assert float(N.forward(theta, np.array([x]))[0]) == pytest.approx(expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_elbows_sum_to_the_output_and_bend_at_their_positions(seed):
    theta = N.init_params(6, seed=seed)
    x = np.linspace(-1.5, 1.5, 101)
    _, _, _, c = N.unpack(theta)
    pieces = N.elbows(theta, x)
    assert pieces.shape == (6, 101)
    np.testing.assert_allclose(pieces.sum(axis=0) + c, N.forward(theta, x), atol=1e-12)
    # each piece is zero on one side of its elbow and a line on the other
    e = N.elbow_positions(theta)
    w, b, a, _ = N.unpack(theta)
    left = N.elbows(theta, e - 0.1)
    right = N.elbows(theta, e + 0.1)
    j = np.arange(6)
    np.testing.assert_allclose(np.minimum(np.abs(left[j, j]), np.abs(right[j, j])), 0.0, atol=1e-12)
    np.testing.assert_allclose(
        np.maximum(np.abs(left[j, j]), np.abs(right[j, j])), np.abs(a * w) * 0.1, rtol=1e-9
    )


def test_pack_and_unpack_are_inverse_and_batched():
    rng = np.random.default_rng(0)
    thetas = rng.normal(size=(4, N.n_parameters(5)))
    np.testing.assert_array_equal(N.pack(*N.unpack(thetas)), thetas)
    out = N.forward(thetas, np.linspace(-1, 1, 7))
    assert out.shape == (4, 7)
    for k in range(4):
        np.testing.assert_allclose(out[k], N.forward(thetas[k], np.linspace(-1, 1, 7)))


def test_initialiser_is_deterministic_and_puts_elbows_in_range():
    a, b = N.init_params(20, seed=3), N.init_params(20, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, N.init_params(20, seed=4))
    e = N.elbow_positions(N.init_params(50, seed=1, x_range=(2.0, 5.0)))
    assert np.all((e >= 2.0) & (e <= 5.0))


def test_elbow_position_is_nan_for_a_flat_unit():
    e = N.elbow_positions(N.pack([0.0, 2.0], [1.0, -1.0], [1.0, 1.0], 0.0))
    assert np.isnan(e[0]) and e[1] == 0.5


# --------------------------------------------------------------------------- expressivity
def test_piecewise_linear_fit_reproduces_a_function_with_knots_on_the_grid():
    x = np.linspace(-1.0, 1.0, 41)
    target = np.abs(x) + 2.0 * np.maximum(0.0, x - 0.5) - 0.3  # knots at 0 and 0.5
    theta = N.fit_piecewise_linear(x, target, 4)  # grid -1, -0.5, 0, 0.5
    np.testing.assert_allclose(N.forward(theta, x), target, atol=1e-10)


def test_fit_error_falls_as_units_double():
    x, y = wiggly_function_data(200, seed=0)
    errors = [
        float(N.mse_loss(N.fit_piecewise_linear(x, y, m), x[:, None], y))
        for m in (1, 2, 4, 8, 16, 32, 64)
    ]
    assert all(b <= a * (1 + 1e-12) for a, b in zip(errors, errors[1:], strict=False))
    assert errors[-1] < 0.1 * errors[0]


def test_approximation_error_of_a_smooth_function_falls_like_one_over_units_squared():
    x = np.linspace(-1.0, 1.0, 4001)
    y = wiggly_function(x)
    errs = []
    for m in (8, 16, 32, 64):
        theta = N.fit_piecewise_linear(x, y, m)
        errs.append(np.max(np.abs(N.forward(theta, x) - y)))
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    assert np.all((ratios > 3.0) & (ratios < 5.5))  # ≈ 4 for an O(1/m²) error


# --------------------------------------------------------------------------- learnability
def test_sgd_training_lowers_the_loss_on_wiggly_data():
    x, y = wiggly_function_data(100, seed=1, noise=0.05)
    X = x[:, None]
    traj = N.train(X, y, N.init_params(20, seed=0), 0.05, batch_size=10, epochs=300, seed=0)
    assert traj.iterates.shape == (3001, N.n_parameters(20))
    assert float(traj.final_loss) < 0.2 * float(traj.losses[0])
    np.testing.assert_allclose(traj.losses, N.mse_loss(traj.iterates, X, y), rtol=1e-12)


def test_training_k_learning_rates_equals_k_single_runs():
    x, y = wiggly_function_data(40, seed=2)
    X, theta0 = x[:, None], N.init_params(5, seed=1)
    etas = np.array([0.01, 0.05])
    batch = N.train(X, y, theta0, etas, batch_size=8, epochs=5, momentum=0.5, seed=3)
    for k, eta in enumerate(etas):
        single = N.train(X, y, theta0, eta, batch_size=8, epochs=5, momentum=0.5, seed=3)
        np.testing.assert_allclose(batch.run(k).iterates, single.iterates, rtol=1e-12)


def test_full_batch_training_without_momentum_is_gradient_descent():
    x, y = wiggly_function_data(30, seed=4)
    X, theta = x[:, None], N.init_params(4, seed=2)
    traj = N.train(X, y, theta, 0.1, batch_size=30, epochs=10)
    for t in range(10):
        theta = theta - 0.1 * N.mse_gradient(theta, X, y)
        np.testing.assert_allclose(traj.iterates[t + 1], theta, rtol=1e-10, atol=1e-13)


def test_huge_learning_rate_is_reported_as_diverged_without_warnings():
    x, y = wiggly_function_data(30, seed=5)
    traj = N.train(x[:, None], y, N.init_params(4), 1e3, batch_size=5, epochs=50)
    assert str(traj.status) == "diverged"


# --------------------------------------------------------------------------- deeper network
@pytest.mark.parametrize("hidden", [(7,), (5, 4), (3, 4, 2)])
def test_deep_network_backprop_matches_central_differences(hidden):
    rng = np.random.default_rng(len(hidden))
    net = N.ReLUNetwork(3, hidden)
    theta = net.init(seed=1) + 0.1 * rng.normal(size=net.n_parameters)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    # away from the kinks: every pre-activation clearly nonzero
    _, pres, _ = net._forward(theta, X)
    assert min(np.min(np.abs(z)) for z in pres) > 1e-4
    fd = _central_gradient(lambda t: net.loss(t, X, y), theta)
    assert _relative_error(net.gradient(theta, X, y), fd) <= 1e-6


def test_one_hidden_layer_network_equals_the_scalar_network():
    theta = N.init_params(6, seed=8)
    w, b, a, c = N.unpack(theta)
    net = N.ReLUNetwork(1, (6,))
    theta_net = net.pack([w[None, :], b, a[:, None], np.array([c])])
    x = np.linspace(-1, 1, 9)
    np.testing.assert_allclose(net.forward(theta_net, x[:, None]), N.forward(theta, x))


def test_deep_network_is_vectorised_over_parameters_and_trains_with_sgd():
    rng = np.random.default_rng(0)
    net = N.ReLUNetwork(2, (8, 8))
    thetas = np.stack([net.init(seed=s) for s in range(3)])
    X = rng.normal(size=(50, 2))
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    losses, grads = net.loss(thetas, X, y), net.gradient(thetas, X, y)
    for k in range(3):
        assert losses[k] == pytest.approx(float(net.loss(thetas[k], X, y)), rel=1e-13)
        np.testing.assert_allclose(grads[k], net.gradient(thetas[k], X, y), rtol=1e-12)
    traj = N.train(
        X, y, thetas[0], 0.02, loss=net.loss, grad=net.gradient, batch_size=10, epochs=60
    )
    assert float(traj.final_loss) < 0.3 * float(traj.losses[0])


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: N.unpack(np.zeros(5)), ValueError, "3m \\+ 1"),
        (lambda: N.init_params(0), ValueError, "units must be >= 1"),
        (lambda: N.init_params(3, seed="a"), TypeError, "seed must be"),
        (lambda: N.mse_loss(np.zeros(4), np.zeros((5, 2)), np.zeros(5)), ValueError, "X must"),
        (lambda: N.fit_piecewise_linear([0.0, 1.0], [0.0], 2), ValueError, "same length"),
        (
            lambda: N.train(np.zeros((4, 1)), np.zeros(4), np.zeros(4), 0.1, batch_size=5),
            ValueError,
            "batch_size",
        ),
        (lambda: N.train(np.zeros((4, 1)), np.zeros(3), np.zeros(4), 0.1), ValueError, "y must"),
        (
            lambda: N.train(np.zeros((4, 1)), np.zeros(4), np.zeros(4), 0.1, momentum=1.0),
            ValueError,
            "momentum",
        ),
        (lambda: N.ReLUNetwork(2, [3]), TypeError, "hidden must be"),
        (lambda: N.ReLUNetwork(2, (3,)).unpack(np.zeros(3)), ValueError, "length 13"),
        (
            lambda: N.ReLUNetwork(2, (3,)).forward(np.zeros(13), np.zeros((4, 3))),
            ValueError,
            "2 columns",
        ),
    ],
)
def test_bad_input_is_reported_by_name(call, err, match):
    with pytest.raises(err, match=match):
        call()


# --------------------------------------------------------------------------- the fused loop
def _train_general(X, y, theta0, lr, **kw):
    """train() through its general loop: a gradient that is not mse_gradient itself."""
    return N.train(X, y, theta0, lr, grad=lambda theta, X, y: N.mse_gradient(theta, X, y), **kw)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    units=st.integers(1, 32),
    n=st.integers(1, 60),
    batch_size=st.integers(1, 60),
    epochs=st.integers(1, 6),
    lr=st.sampled_from([0.001, 0.05, 0.3]),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
)
def test_fused_loop_of_the_scalar_network_equals_the_general_loop(
    seed, units, n, batch_size, epochs, lr, momentum
):
    x, y = wiggly_function_data(n, seed=seed)
    X, theta0 = x[:, None], N.init_params(units, seed=seed)
    kw = dict(batch_size=min(batch_size, n), epochs=epochs, momentum=momentum, seed=seed)
    fast = N.train(X, y, theta0, lr, **kw)
    general = _train_general(X, y, theta0, lr, **kw)
    assert str(fast.status) == str(general.status)
    assert int(fast.stopped_at) == int(general.stopped_at)
    # the same formulas summed in another order: equal to rounding over at most 360 steps
    np.testing.assert_allclose(fast.iterates, general.iterates, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.losses, general.losses, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(fast.grad_norms, general.grad_norms, rtol=1e-8, atol=1e-12)
    assert fast.params == general.params


@pytest.mark.parametrize(("lr", "momentum"), [(3.0, 0.0), (3.0, 0.9), (1e3, 0.0), (40.0, 0.5)])
def test_fused_loop_stops_a_diverging_run_where_the_general_loop_does(lr, momentum):
    x, y = wiggly_function_data(50, seed=7)
    X, theta0 = x[:, None], N.init_params(16, seed=3)
    kw = dict(batch_size=5, epochs=40, momentum=momentum, seed=1)
    with np.errstate(all="raise"):
        fast = N.train(X, y, theta0, lr, **kw)
    general = _train_general(X, y, theta0, lr, **kw)
    assert str(fast.status) == str(general.status) == "diverged"
    assert int(fast.stopped_at) == int(general.stopped_at)
    assert fast.iterates.shape == general.iterates.shape
    assert np.isfinite(fast.iterates).all() and np.isfinite(fast.losses).all()
    np.testing.assert_allclose(fast.losses[:4], general.losses[:4], rtol=1e-9)
