"""Adaptive methods: every update against a written reference loop and against torch.optim.

The reference loops below are written from the published formulas (Duchi et al. 2011 for
AdaGrad, Tieleman and Hinton 2012 for RMSProp, Kingma and Ba 2015 for Adam, Loshchilov and
Hutter 2019 for AdamW, Reddi et al. 2018 for AMSGrad), with torch.optim's conventions (ε after
the square root, t from 1), one configuration, one step at a time, in plain NumPy. They see
the batches of ``stochastic.minibatch_indices`` for the same seed, which are those of ``sgd``.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import adaptive, stochastic
from course_lib.objectives import least_squares, quadratic

RTOL = 1e-12


def _data(n=60, d=3, seed=42):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.array([1.0, 10.0, 0.1])[:d]  # badly scaled columns
    y = X @ np.array([1.5, -2.0, 0.5])[:d] + 0.3 * rng.normal(size=n)
    return X, y


def _gradient(w, Xb, yb):
    """Mean gradient of ½(xᵀw − y)² over a batch, written out."""
    return Xb.T @ (Xb @ w - yb) / len(yb)


def reference(method, X, y, w0, lr, batch_size, epochs, seed, etas=None, **h):
    """Plain per-step loop from the published formulas; returns w after every step."""
    batches = stochastic.minibatch_indices(len(y), batch_size, epochs=epochs, seed=seed)
    batches = batches.reshape(-1, batch_size)
    w = np.array(w0, float)
    s = np.full_like(w, h.get("initial_accumulator_value", 0.0))  # AdaGrad's sum of g²
    m, v, v_max, buf = (np.zeros_like(w) for _ in range(4))
    wd = h.get("weight_decay", 0.0)
    out = [w.copy()]
    for t, idx in enumerate(batches, start=1):
        eta = lr if etas is None else etas[t - 1]
        g = _gradient(w, X[idx], y[idx])
        if method == "adagrad":
            g = g + wd * w
            s = s + g**2
            w = w - eta / (1 + (t - 1) * h.get("lr_decay", 0.0)) * (g / (np.sqrt(s) + h["eps"]))
        elif method == "rmsprop":
            g = g + wd * w
            s = h["alpha"] * s + (1 - h["alpha"]) * g**2  # g**2 is g·g, exactly
            step = g / (np.sqrt(s) + h["eps"])
            if h.get("momentum", 0.0) > 0:
                buf = h["momentum"] * buf + step
                step = buf
            w = w - eta * step
        else:
            b1, b2 = h["betas"]
            if method == "adamw":
                w = w * (1 - eta * wd)
            else:
                g = g + wd * w
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            v_max = np.maximum(v_max, v)
            vv = v_max if h.get("amsgrad") else v
            # m̂ = m/(1 − β₁ᵗ), √v̂ = √v/√(1 − β₂ᵗ), arranged as torch.optim evaluates them
            c1, c2 = (1 - b1**t, 1 - b2**t) if h.get("bias_correction", True) else (1.0, 1.0)
            w = w - (eta / c1) * (m / (np.sqrt(vv) / np.sqrt(c2) + h["eps"]))
        out.append(w.copy())
    return np.array(out)


RUN = {
    "adagrad": adaptive.adagrad,
    "rmsprop": adaptive.rmsprop,
    "adam": adaptive.adam,
    "adamw": adaptive.adamw,
}


def _ours(method, X, y, w0, lr, batch_size, epochs, seed, **h):
    return RUN[method](
        X, y, w0, lr, batch_size=batch_size, epochs=epochs, seed=seed, record="step", tol=0.0, **h
    )


# β₂ and α from 0.5: smaller ones make the step g/|g| of a single example, where a gradient
# near zero turns a last-bit difference into a visibly different path (β₂ = 0.1 is the online
# example below, checked against its own loop).
hyper_strategies = {
    "adagrad": st.fixed_dictionaries(
        {
            "lr_decay": st.sampled_from([0.0, 0.01, 0.5]),
            "weight_decay": st.sampled_from([0.0, 0.1]),
            "initial_accumulator_value": st.sampled_from([0.0, 0.1, 2.0]),
            "eps": st.sampled_from([1e-10, 1e-3]),
        }
    ),
    "rmsprop": st.fixed_dictionaries(
        {
            "alpha": st.floats(0.5, 0.999),
            "eps": st.sampled_from([1e-8, 1e-3]),
            "weight_decay": st.sampled_from([0.0, 0.1]),
            "momentum": st.sampled_from([0.0, 0.5, 0.9]),
        }
    ),
    "adam": st.fixed_dictionaries(
        {
            "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
            "eps": st.sampled_from([1e-8, 1e-3]),
            "weight_decay": st.sampled_from([0.0, 0.1]),
            "amsgrad": st.booleans(),
            "bias_correction": st.booleans(),
        }
    ),
    "adamw": st.fixed_dictionaries(
        {
            "betas": st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
            "eps": st.sampled_from([1e-8, 1e-3]),
            "weight_decay": st.sampled_from([0.0, 0.01, 0.5]),
            "amsgrad": st.booleans(),
        }
    ),
}


@pytest.mark.parametrize("method", adaptive.METHODS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_step_equals_the_reference_loop_from_the_published_formulas(method, data):
    h = data.draw(hyper_strategies[method])
    lr = data.draw(st.floats(1e-3, 0.3))
    batch_size = data.draw(st.sampled_from([1, 7, 60]))
    seed = data.draw(st.integers(0, 2**16))
    X, y = _data()
    w0 = np.array([0.5, -0.2, 1.0])
    expected = reference(method, X, y, w0, lr, batch_size, 2, seed, **h)
    got = _ours(method, X, y, w0, lr, batch_size, 2, seed, **h)
    assert got.status != "diverged"
    np.testing.assert_allclose(got.iterates, expected, rtol=RTOL, atol=1e-13)


@pytest.mark.parametrize("method", adaptive.METHODS)
def test_defaults_are_torch_defaults_and_match_the_reference(method):
    X, y = _data()
    w0 = np.zeros(3)
    h = {k: v for k, v in adaptive.DEFAULTS[method].items()}
    lr = {"adagrad": 0.01, "rmsprop": 0.01, "adam": 0.001, "adamw": 0.001}[method]
    got = RUN[method](X, y, w0, batch_size=5, epochs=2, seed=3, record="step", tol=0.0)
    np.testing.assert_allclose(
        got.iterates, reference(method, X, y, w0, lr, 5, 2, 3, **h), rtol=RTOL, atol=1e-15
    )


@pytest.mark.parametrize("schedule", ["step", "inverse_time", "cosine"])
def test_a_schedule_sets_eta_t_at_every_step_as_in_sgd(schedule):
    X, y = _data()
    w0 = np.ones(3)
    etas = stochastic.learning_rate_schedule(schedule, 0.05, 3 * (60 // 6))
    got = adaptive.adamw(
        X,
        y,
        w0,
        0.05,
        batch_size=6,
        epochs=3,
        seed=1,
        schedule=schedule,
        record="step",
        tol=0.0,
        weight_decay=0.1,
    )
    expected = reference(
        "adamw", X, y, w0, 0.05, 6, 3, 1, etas=etas, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1
    )
    np.testing.assert_allclose(got.iterates, expected, rtol=RTOL)


# --------------------------------------------------------------------------- torch


def _torch_run(method, X, y, w0, lr, batch_size, epochs, seed, **h):
    torch = pytest.importorskip("torch")
    batches = stochastic.minibatch_indices(len(y), batch_size, epochs=epochs, seed=seed).reshape(
        -1, batch_size
    )
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    h = dict(h)
    if "betas" in h:
        h["betas"] = tuple(float(b) for b in h["betas"])
    cls = {
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }[method]
    opt = cls([w], lr=lr, foreach=False, **h)
    out = [w.detach().numpy().copy()]
    for idx in batches:
        opt.zero_grad()
        i = torch.from_numpy(idx)
        r = Xt[i] @ w - yt[i]
        (0.5 * (r * r).mean()).backward()
        opt.step()
        out.append(w.detach().numpy().copy())
    return np.array(out)


TORCH_CASES = [
    ("adagrad", 0.1, {}),
    (
        "adagrad",
        0.1,
        {"lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-6},
    ),
    ("rmsprop", 0.01, {}),
    ("rmsprop", 0.01, {"alpha": 0.9, "eps": 1e-6, "weight_decay": 0.05, "momentum": 0.9}),
    ("adam", 0.01, {}),
    ("adam", 0.05, {"betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.1}),
    ("adam", 0.05, {"betas": (0.9, 0.99), "amsgrad": True}),
    ("adamw", 0.01, {}),
    ("adamw", 0.05, {"betas": (0.8, 0.95), "weight_decay": 0.5, "amsgrad": True}),
]


@pytest.mark.parametrize(("method", "lr", "h"), TORCH_CASES)
@pytest.mark.parametrize("batch_size", [1, 8, 60])
def test_every_step_equals_torch_optim_on_the_same_batches(method, lr, h, batch_size):
    X, y = _data()
    w0 = np.array([0.5, -0.2, 1.0])
    expected = _torch_run(method, X, y, w0, lr, batch_size, 2, 11, **h)
    got = _ours(method, X, y, w0, lr, batch_size, 2, 11, **h)
    np.testing.assert_allclose(got.iterates, expected, rtol=RTOL, atol=1e-14)


@pytest.mark.parametrize("method", adaptive.METHODS)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_torch_agrees_over_drawn_hyper_parameters(method, data):
    pytest.importorskip("torch")
    h = data.draw(hyper_strategies[method])
    h.pop("bias_correction", None)  # not a torch option
    lr = data.draw(st.floats(1e-3, 0.3))
    X, y = _data()
    w0 = np.array([0.5, -0.2, 1.0])
    expected = _torch_run(method, X, y, w0, lr, 7, 1, 5, **h)
    got = _ours(method, X, y, w0, lr, 7, 1, 5, **h)
    np.testing.assert_allclose(got.iterates, expected, rtol=RTOL, atol=1e-13)


# --------------------------------------------------------------------------- K at once


def test_arrays_of_learning_rates_and_hyper_parameters_are_the_runs_alone():
    X, y = _data()
    w0 = np.zeros(3)
    lrs = np.array([[0.01], [0.1]])
    beta2 = np.array([0.9, 0.99, 0.999])
    batch = adaptive.adam(X, y, w0, lrs, betas=(0.9, beta2), batch_size=6, epochs=2, seed=4)
    assert batch.iterates.shape == (2, 3, 3, 3)
    for i in range(2):
        for j in range(3):
            alone = adaptive.adam(
                X, y, w0, lrs[i, 0], betas=(0.9, beta2[j]), batch_size=6, epochs=2, seed=4
            )
            # the same numbers up to the last bit of a differently blocked matrix product
            np.testing.assert_allclose(batch.iterates[i, j], alone.iterates, rtol=1e-14, atol=1e-16)
            assert batch.status[i, j] == alone.status


def test_a_sequence_of_seeds_runs_each_seed_with_its_own_batches():
    X, y = _data()
    w0 = np.zeros(3)
    runs = adaptive.rmsprop(X, y, w0, 0.01, batch_size=4, epochs=2, seed=[1, 2, 3])
    for k, s in enumerate([1, 2, 3]):
        alone = adaptive.rmsprop(X, y, w0, 0.01, batch_size=4, epochs=2, seed=s)
        np.testing.assert_allclose(runs.iterates[k], alone.iterates, rtol=1e-14, atol=1e-15)


def test_bias_correction_as_an_array_runs_both_versions_in_one_call():
    X, y = _data()
    w0 = np.zeros(3)
    both = adaptive.adam(
        X, y, w0, 0.01, bias_correction=[True, False], batch_size=6, epochs=1, seed=0, record="step"
    )
    for k, flag in enumerate([True, False]):
        alone = adaptive.adam(
            X, y, w0, 0.01, bias_correction=flag, batch_size=6, epochs=1, seed=0, record="step"
        )
        np.testing.assert_allclose(both.iterates[k], alone.iterates, rtol=1e-14, atol=1e-16)


def test_full_batch_runs_equal_adaptive_descent_on_the_least_squares_objective():
    X, y = _data()
    n = len(y)
    data_run = adaptive.adam(
        X, y, np.zeros(3), 0.05, batch_size=n, epochs=40, seed=0, record="step", tol=0.0
    )
    exact = adaptive.adaptive_descent(
        least_squares(X, y), np.zeros(3), 0.05, "adam", max_iter=40, tol=0.0
    )
    np.testing.assert_allclose(data_run.iterates, exact.iterates, rtol=1e-10, atol=1e-12)
    assert exact.method == "Adam" and data_run.method == "Adam"


def test_a_run_reaching_the_least_squares_solution_converges():
    X, y = _data()
    traj = adaptive.adam(X, y, np.zeros(3), 0.05, batch_size=len(y), epochs=3000, tol=1e-8)
    assert traj.status == "converged" and traj.grad_norms[-1] <= 1e-8
    # on a quadratic ‖w − w*‖ ≤ ‖∇L(w)‖ / λmin
    lam_min = np.linalg.eigvalsh(X.T @ X / len(y))[0]
    error = np.linalg.norm(traj.final - np.linalg.lstsq(X, y, rcond=None)[0])
    assert error <= traj.grad_norms[-1] / lam_min * (1 + 1e-9)


def test_divergence_is_a_status_without_overflow_warnings():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = adaptive.adagrad(X, y, np.ones(3), [0.1, 1e300], batch_size=10, epochs=3)
    assert traj.status.tolist() == ["max_iter", "diverged"]
    assert np.all(np.isfinite(traj.iterates[1]))


# --------------------------------------------------------------------------- exact gradients


@pytest.mark.parametrize("method", adaptive.METHODS)
def test_adaptive_descent_equals_the_reference_on_a_badly_scaled_quadratic(method):
    # the reference loop with one "batch" that is the whole data set: a quadratic ½‖Xw − y‖²/n
    X = np.diag([1.0, 10.0, 0.1]) * np.sqrt(3)
    y = np.array([1.0, 1.0, 1.0])
    f = least_squares(X, y)
    h = dict(adaptive.DEFAULTS[method])
    got = adaptive.adaptive_descent(f, [0.0, 0.0, 0.0], 0.05, method, max_iter=30, tol=0.0)
    expected = reference(method, X, y, np.zeros(3), 0.05, 3, 30, 0, **h)
    np.testing.assert_allclose(got.iterates, expected, rtol=1e-10, atol=1e-13)


@settings(max_examples=40, deadline=None)
@given(
    scales=st.lists(st.floats(1e-3, 1e3), min_size=2, max_size=4),
    lr=st.floats(1e-3, 0.5),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.999),
)
def test_the_first_bias_corrected_adam_step_is_eta_in_every_coordinate(scales, lr, beta1, beta2):
    """m̂₁ = g and v̂₁ = g², so the first step is η g / (|g| + ε): ±η whatever the scale."""
    f = quadratic(scales)
    x0 = np.ones(len(scales))
    traj = adaptive.adaptive_descent(
        f, x0, lr, "adam", betas=(beta1, beta2), eps=0.0, max_iter=1, tol=0.0
    )
    np.testing.assert_allclose(x0 - traj.iterates[1], lr, rtol=1e-12)


def test_without_bias_correction_the_first_adam_step_is_scaled_by_the_betas():
    f = quadratic([1.0, 100.0])
    b1, b2 = 0.9, 0.999
    traj = adaptive.adaptive_descent(
        f, [1.0, 1.0], 0.01, "adam", betas=(b1, b2), eps=0.0, bias_correction=False, max_iter=1
    )
    # m₁ = (1 − β₁)g, v₁ = (1 − β₂)g²: the step is η (1 − β₁)/√(1 − β₂) = 3.16 η
    np.testing.assert_allclose(
        1.0 - traj.iterates[1], 0.01 * (1 - b1) / np.sqrt(1 - b2), rtol=1e-12
    )


def test_adaptive_descent_runs_a_batch_of_learning_rates_and_starts():
    f = quadratic([1.0, 50.0])
    x0 = np.array([[1.0, 1.0], [2.0, -1.0]])
    traj = adaptive.adaptive_descent(f, x0, [[0.01], [0.1]], "rmsprop", max_iter=20)
    assert traj.iterates.shape == (2, 2, 21, 2)
    alone = adaptive.adaptive_descent(f, x0[1], 0.1, "rmsprop", max_iter=20)
    np.testing.assert_array_equal(traj.iterates[1, 1], alone.iterates)


# --------------------------------------------------------------------------- online: Reddi et al.


def test_reddi_example_adam_goes_to_the_worst_point_and_amsgrad_to_the_best():
    C = adaptive.REDDI_C
    beta2 = 1 / (1 + C**2)
    runs = adaptive.online_descent(
        adaptive.reddi_gradient,
        [0.0],
        0.5,
        3000,
        "adam",
        betas=(0.0, beta2),
        bounds=(-1, 1),
        value=adaptive.reddi_value,
    )
    ams = adaptive.online_descent(
        adaptive.reddi_gradient,
        [0.0],
        0.5,
        3000,
        "adam",
        betas=(0.0, beta2),
        amsgrad=True,
        bounds=(-1, 1),
        value=adaptive.reddi_value,
    )
    # Adam sits on +1 and AMSGrad near −1, each moved off the bound by steps of size ~η/√t
    assert runs.final[0] == 1.0 and -1.0 <= ams.final[0] < -0.99
    # over a period the losses sum to (C − 2)x: Adam pays +(C − 2)/3 a step at x = 1, the
    # best point −(C − 2)/3; the average regret does not vanish (it is 2(C − 2)/3 a step)
    last = slice(-301, -1)  # the last 100 periods (the final entry has no step after it)
    np.testing.assert_allclose(np.mean(runs.losses[last]), (C - 2) / 3, rtol=0.03)
    np.testing.assert_allclose(np.mean(ams.losses[last]), -(C - 2) / 3, rtol=0.03)


def test_online_descent_equals_a_written_projected_loop():
    C, beta2, lr, T = 3.0, 0.1, 0.5, 50
    x, v, v_max = 0.0, 0.0, 0.0  # β₁ = 0: m is the gradient itself
    xs = [x]
    for t in range(1, T + 1):
        g = C if t % 3 == 1 else -1.0
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)
        step = lr / np.sqrt(t) * g / (np.sqrt(v_max / (1 - beta2**t)) + 1e-8)
        x = min(1.0, max(-1.0, x - step))
        xs.append(x)
    got = adaptive.online_descent(
        adaptive.reddi_gradient,
        [0.0],
        lr,
        T,
        "adam",
        betas=(0.0, beta2),
        amsgrad=True,
        bounds=(-1, 1),
    )
    np.testing.assert_allclose(got.iterates[:, 0], xs, rtol=1e-13, atol=1e-15)
    assert got.method == "AMSGrad"


def test_beta2_near_one_rescues_adam_on_the_reddi_example():
    beta2 = np.array([0.1, 0.999])
    runs = adaptive.online_descent(
        adaptive.reddi_gradient, [0.0], 0.5, 6000, "adam", betas=(0.0, beta2), bounds=(-1, 1)
    )
    assert runs.final[0, 0] == 1.0 and runs.final[1, 0] < -0.9


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda X, y: adaptive.adam(X, y, np.zeros(3), -0.1), ValueError, "learning_rate"),
        (
            lambda X, y: adaptive.adam(X, y, np.zeros(3), betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\]",
        ),
        (
            lambda X, y: adaptive.adam(X, y, np.zeros(3), betas=(-0.1, 0.9)),
            ValueError,
            r"betas\[0\]",
        ),
        (lambda X, y: adaptive.adam(X, y, np.zeros(3), betas=0.9), ValueError, "betas"),
        (
            lambda X, y: adaptive.adamw(X, y, np.zeros(3), weight_decay=-1.0),
            ValueError,
            "weight_decay",
        ),
        (lambda X, y: adaptive.rmsprop(X, y, np.zeros(3), alpha=1.5), ValueError, "alpha"),
        (lambda X, y: adaptive.rmsprop(X, y, np.zeros(3), eps=-1e-8), ValueError, "eps"),
        (lambda X, y: adaptive.adagrad(X, y, np.zeros(3), lr_decay=-1.0), ValueError, "lr_decay"),
        (
            lambda X, y: adaptive.adagrad(X, y, np.zeros(3), initial_accumulator_value=np.nan),
            ValueError,
            "initial_accumulator_value",
        ),
        (lambda X, y: adaptive.adam(X, y, np.zeros(3), amsgrad="yes"), TypeError, "amsgrad"),
        (lambda X, y: adaptive.adam(X, y, np.zeros(3), batch_size=1000), ValueError, "batch_size"),
        (lambda X, y: adaptive.adam(X, y, np.zeros(2)), ValueError, "w0"),
        (lambda X, y: adaptive.adam(X, y, np.zeros(3), momentum=0.9), TypeError, "momentum"),
        (
            lambda X, y: adaptive.adam(
                X, y, np.zeros(3), [0.1, 0.2], betas=(0.9, [0.9, 0.99, 0.999])
            ),
            ValueError,
            "broadcast",
        ),
        (
            lambda X, y: adaptive.adaptive_descent(quadratic([1.0, 2.0]), [0.0, 0.0], 0.1, "sgd"),
            ValueError,
            "method",
        ),
        (
            lambda X, y: adaptive.adaptive_descent(
                quadratic([1.0, 2.0]), [0.0, 0.0], 0.1, "adam", alpha=0.9
            ),
            TypeError,
            "alpha",
        ),
        (
            lambda X, y: adaptive.adaptive_descent(lambda x: x, [0.0, 0.0], 0.1),
            TypeError,
            "objective",
        ),
        (
            lambda X, y: adaptive.online_descent(
                adaptive.reddi_gradient, [0.0], 0.1, 5, bounds=(1, -1)
            ),
            ValueError,
            "bounds",
        ),
        (
            lambda X, y: adaptive.online_descent(
                adaptive.reddi_gradient, [0.0], 0.1, 5, decay="linear"
            ),
            ValueError,
            "decay",
        ),
        (lambda X, y: adaptive.online_descent(3.0, [0.0], 0.1, 5), TypeError, "gradient"),
    ],
)
def test_bad_arguments_are_named_in_the_error(call, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        call(X, y)


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(adaptive, extraglobs={"np": np})
    assert result.attempted > 10 and result.failed == 0


def test_the_public_steps_take_lists_and_check_their_state():
    state = {"sum": [0.0, 0.0]}  # lists, like every other public function of the course
    w = adaptive.adagrad_step([0.0, 0.0], [2.0, -0.5], state, 1, 0.1, eps=0.0)
    np.testing.assert_allclose(w, [-0.1, 0.1], rtol=1e-15)
    np.testing.assert_allclose(state["sum"], [4.0, 0.25], rtol=1e-15)
    with pytest.raises(ValueError, match=r"state must hold the arrays \['m', 'v', 'v_max'\]"):
        adaptive.adam_step(np.zeros(2), np.ones(2), {"m": np.zeros(2), "v": np.zeros(2)}, 1,
                           0.1, amsgrad=True)  # fmt: skip
    with pytest.raises(ValueError, match=r"state\['square_avg'\] \(3,\) do not broadcast"):
        adaptive.rmsprop_step(np.zeros(2), np.ones(2), {"square_avg": np.zeros(3)}, 1, 0.1)
    with pytest.raises(TypeError, match="t must be an integer"):
        adaptive.reddi_gradient(np.zeros(1), 1.5)


def test_an_array_of_initial_accumulator_values_runs_one_configuration_each():
    X, y = _data()
    both = adaptive.adagrad(X, y, np.zeros(3), 0.1, initial_accumulator_value=[0.0, 0.5],
                            batch_size=5, epochs=2)  # fmt: skip
    for k, s0 in enumerate((0.0, 0.5)):  # before: the array broadcast against w's 3 coordinates
        alone = adaptive.adagrad(X, y, np.zeros(3), 0.1, initial_accumulator_value=s0,
                                 batch_size=5, epochs=2)  # fmt: skip
        # the same numbers up to the last bit of a differently blocked matrix product
        np.testing.assert_allclose(both.iterates[k], alone.iterates, rtol=1e-14, atol=1e-16)
