"""adaptive.online_adam_linear: Adam/AMSGrad on linear online losses, every step at once.

The reference is :func:`course_lib.adaptive.online_descent`, the step-by-step loop (itself
tested against a written loop and torch in test_adaptive.py), run on the same gradients. The
fast path computes the averages and the projected walk by prefix scans, so the two differ by
rounding only: the iterates live in a box of width ≤ 2 (Reddi) or are O(1)·η·T, and they
agree to 1e-12 relative to max(1, |x|) (measured: ~3e-15 on the panel's settings; the loop
itself accumulates one rounding per step, up to T·2⁻⁵³ ≈ 3e-13 for T = 3000).
The scans are also checked on their own against independent references: scipy.signal.lfilter
for the exponential averages and a written clip loop for the projected walk.
"""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import adaptive
from course_lib.panels import adaptive_methods as lecture

TOL = 1e-12  # relative to max(1, |x|): see the module docstring


def _loop(C, beta2, learning_rate, steps, amsgrad):
    """The Reddi run of online_descent, the general loop (the reference)."""
    return adaptive.online_descent(
        lambda x, t: adaptive.reddi_gradient(x, t, C),
        [0.0],
        learning_rate,
        steps,
        "adam",
        betas=(0.0, beta2),
        amsgrad=amsgrad,
        bounds=(-1.0, 1.0),
        value=lambda x, t: adaptive.reddi_value(x, t, C),
    )


def _assert_same_run(fast, slow, tol=TOL):
    scale = max(1.0, float(np.max(np.abs(slow.iterates))))
    np.testing.assert_allclose(fast.iterates, slow.iterates, rtol=0, atol=tol * scale)
    gradient_scale = max(1.0, float(np.nanmax(slow.grad_norms)))
    np.testing.assert_allclose(
        fast.losses, slow.losses, rtol=0, atol=tol * scale * gradient_scale, equal_nan=True
    )
    np.testing.assert_array_equal(fast.grad_norms, slow.grad_norms)
    np.testing.assert_array_equal(fast.status, slow.status)
    np.testing.assert_array_equal(fast.stopped_at, slow.stopped_at)
    assert fast.method == slow.method


# --------------------------------------------------------------------------- against the loop


@settings(max_examples=25, deadline=None)
@given(
    beta2=st.floats(0.0, 0.999),
    C=st.floats(*lecture.C_RANGE),
    log_eta=st.floats(np.log10(0.01), np.log10(2.0)),  # the panel's η slider
    steps=st.integers(1, lecture.REDDI_STEPS),
)
def test_the_panel_runs_are_the_loop_of_online_descent_for_any_slider_setting(
    beta2, C, log_eta, steps
):
    eta = 10.0**log_eta
    runs = lecture.reddi_runs(beta2, C, eta, steps=steps)
    for name, amsgrad in (("Adam", False), ("AMSGrad", True)):
        _assert_same_run(runs[name], _loop(C, beta2, eta, steps, amsgrad))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 300),
    d=st.integers(1, 3),
    betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999)),
    eps=st.sampled_from([0.0, 1e-8, 1e-3]),
    amsgrad=st.booleans(),
    bias_correction=st.booleans(),
    bounded=st.booleans(),
    decay=st.sampled_from(adaptive.DECAYS),
)
def test_online_adam_linear_is_online_descent_on_any_linear_losses(
    seed, steps, d, betas, eps, amsgrad, bias_correction, bounded, decay
):
    rng = np.random.default_rng(seed)
    G = rng.normal(size=(steps, d)) * rng.choice([0.1, 1.0, 10.0], size=d)
    x0 = rng.uniform(-2.0, 2.0, size=d)
    bounds = (-rng.uniform(0.1, 1.0, size=d), rng.uniform(0.1, 1.0, size=d)) if bounded else None
    hyper = {"betas": betas, "eps": eps, "amsgrad": amsgrad, "bias_correction": bias_correction}
    fast = adaptive.online_adam_linear(G, x0, 0.3, bounds=bounds, decay=decay, **hyper)
    slow = adaptive.online_descent(
        lambda x, t: G[t - 1],
        x0,
        0.3,
        steps,
        "adam",
        value=lambda x, t: np.sum(G[t - 1] * x, axis=-1),
        bounds=bounds,
        decay=decay,
        **hyper,
    )
    _assert_same_run(fast, slow)
    assert fast.params == slow.params


def test_k_configurations_at_once_are_the_runs_one_by_one():
    beta2 = np.array([0.0, 0.1, 0.5, 0.99])
    eta = np.array([0.05, 0.5, 2.0])
    Cs = np.array([3.0, 5.0, 10.0])
    t = np.arange(1, 301)
    G = np.where(t % 3 == 1, Cs[:, None], -1.0)[:, None, None, :, None]  # (3, 1, 1, T, 1)
    batch = adaptive.online_adam_linear(
        G, [0.0], eta, betas=(0.0, beta2[:, None]), amsgrad=True, bounds=(-1, 1)
    )
    assert batch.iterates.shape == (3, 4, 3, 301, 1) and batch.status.shape == (3, 4, 3)
    for i, C in enumerate(Cs):
        for j, b in enumerate(beta2):
            for k, lr in enumerate(eta):
                alone = lecture.reddi_runs(b, C, lr, steps=300, methods=("AMSGrad",))["AMSGrad"]
                np.testing.assert_array_equal(batch.iterates[i, j, k], alone.iterates)
                np.testing.assert_array_equal(batch.losses[i, j, k], alone.losses)


# --------------------------------------------------------------------------- the two scans


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 2000), beta=st.floats(0.0, 0.9999))
def test_the_exponential_average_is_scipys_linear_filter(seed, steps, beta):
    u = np.random.default_rng(seed).exponential(size=(2, steps, 3))
    got = adaptive._linear_recurrence(beta, (1 - beta) * u)
    # y_t = β y_{t−1} + (1 − β) u_t, y_0 = 0: the IIR filter b = [1 − β], a = [1, −β]
    expected = scipy.signal.lfilter([1 - beta], [1.0, -beta], u, axis=-2)
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 600), size=st.floats(0.01, 3.0))
def test_the_projected_walk_is_the_clip_loop_even_when_it_hits_both_bounds(seed, steps, size):
    rng = np.random.default_rng(seed)
    step = rng.normal(scale=size, size=(4, steps, 2))  # large steps: clipped on both sides
    low, high = np.array([-1.0, 0.0]), np.array([1.0, 0.5])
    x0 = rng.uniform(low, high, size=(4, 2))
    got = adaptive._projected_walk(x0, step, low, high)
    x, expected = x0.copy(), []
    for t in range(steps):
        x = np.minimum(np.maximum(x - step[:, t], low), high)
        expected.append(x)
    np.testing.assert_allclose(got, np.stack(expected, axis=-2), rtol=0, atol=TOL)


# --------------------------------------------------------------------------- the lecture's facts


def test_adam_ends_at_the_worst_point_and_amsgrad_at_the_best_at_reddis_setting():
    runs = lecture.reddi_runs(0.1, 3.0)  # β₂ = 1/(1 + C²)
    assert runs["Adam"].final[0] == 1.0
    assert lecture.final_points(runs["Adam"])[0] > 0.98
    assert lecture.final_points(runs["AMSGrad"])[0] < -0.98
    regret = lecture.average_regret(runs["Adam"], 3.0)[-1]
    assert regret == pytest.approx(2 * (3.0 - 2) / 3, rel=0.03)


def test_a_fine_beta2_sweep_switches_sides_at_the_predicted_threshold():
    threshold = lecture.reddi_threshold(3.0)
    assert threshold == pytest.approx(0.4723, abs=1e-4)  # the lecture's 0.47
    beta2 = np.round(np.arange(0.30, 0.65, 0.005), 3)
    ends = lecture.final_points(
        lecture.reddi_runs(beta2, 3.0, steps=30_000, methods=("Adam",))["Adam"]
    )
    ends = ends[:, 0]
    # one switch from +1 to −1, where the ends cross 0 (linear interpolation)
    assert np.all(np.diff(ends) <= 1e-9)
    k = np.flatnonzero(ends < 0)[0]
    crossing = beta2[k - 1] + ends[k - 1] / (ends[k - 1] - ends[k]) * (beta2[k] - beta2[k - 1])
    assert crossing == pytest.approx(threshold, abs=0.005)
    clear = np.abs(beta2 - threshold) > 0.02
    np.testing.assert_allclose(
        ends[clear], np.where(beta2 < threshold, 1.0, -1.0)[clear], atol=0.01
    )


def test_the_reddi_panel_draws_the_loop_runs():
    panel = lecture.reddi_panel()
    readout = panel.set(beta2=0.3, C=5.0, learning_rate=0.2)
    ends = {}
    for name, amsgrad in (("Adam", False), ("AMSGrad", True)):
        slow = _loop(5.0, 0.3, 0.2, lecture.REDDI_STEPS, amsgrad)
        x = panel.artists[f"x_{name}"].get_ydata()
        np.testing.assert_allclose(x, slow.iterates[:, 0], rtol=0, atol=TOL)
        regret = panel.artists[f"regret_{name}"].get_ydata()
        np.testing.assert_allclose(regret, lecture.average_regret(slow, 5.0), rtol=0, atol=TOL)
        ends[name] = float(lecture.final_points(slow)[0])
    assert f"where they end: Adam {ends['Adam']:+.3f}, AMSGrad {ends['AMSGrad']:+.3f}" in readout


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"gradients": [3.0, -1.0, -1.0]}, ValueError, "gradients must have at least 2"),
        ({"gradients": np.zeros((0, 1))}, ValueError, "gradients must hold at least one step"),
        ({"x0": [0.0, 0.0]}, ValueError, "x0 must have last axis of length 1"),
        ({"gradients": np.ones((2, 3, 1)), "learning_rate": [0.1, 0.2, 0.3]}, ValueError,
         r"leading axes of gradients \(2,\)"),
        ({"bounds": (1.0, -1.0)}, ValueError, "bounds must have low ≤ high"),
        ({"decay": "linear"}, ValueError, "decay"),
        ({"betas": (0.0, 1.0)}, ValueError, r"betas\[1\]"),
        ({"amsgrad": "yes"}, TypeError, "amsgrad"),
        ({"learning_rate": 0.0}, ValueError, "learning_rate"),
    ],
)  # fmt: skip
def test_bad_arguments_are_named_in_the_error(kwargs, error, match):
    call = {"gradients": [[3.0], [-1.0], [-1.0]], "x0": [0.0], "learning_rate": 0.5, **kwargs}
    with pytest.raises(error, match=match):
        adaptive.online_adam_linear(call.pop("gradients"), call.pop("x0"), **call)
