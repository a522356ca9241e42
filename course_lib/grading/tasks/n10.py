"""Public cases for ``10_neural_networks``.

The network is the one of lecture 10: f(x) = Σⱼ aⱼ relu(wⱼx + bⱼ) + c with the flat parameter
vector θ = (w₁..wₘ, b₁..bₘ, a₁..aₘ, c), and the loss L(θ) = (1/n) Σᵢ (f(xᵢ) − yᵢ)². The
references below are written per example (a Jacobian row for each xᵢ), not as the library's
vectorised backpropagation.
"""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_NETWORKS = (
    "course_lib.networks.relu",
    "course_lib.networks.elbows",
    "course_lib.networks._pre_activations",
    "course_lib.networks.forward",
    "course_lib.networks.mse_loss",
    "course_lib.networks.mse_gradient",
    "course_lib.networks.train",
    "course_lib.stochastic.minibatch_indices",
    "course_lib.stochastic.sgd",
    "course_lib.derivatives.gradient",
    "course_lib.derivatives.jacobian",
    "course_lib.derivatives.centered_difference",
)


def _split(theta):
    m = (len(theta) - 1) // 3
    return theta[:m], theta[m : 2 * m], theta[2 * m : 3 * m], theta[-1]


def _output(theta, xi):
    """f(xᵢ) for one input, as a sum over units."""
    w, b, a, c = _split(theta)
    return sum(a[j] * max(w[j] * xi + b[j], 0.0) for j in range(len(w))) + c


def _gradient(theta, x, y):
    """∇L(θ) = (2/n) Σᵢ rᵢ ∇f(xᵢ), one example at a time.

    ∇f(xᵢ) = (aⱼgᵢⱼxᵢ, aⱼgᵢⱼ, relu(hᵢⱼ), 1) with the gate gᵢⱼ = 1[hᵢⱼ > 0].
    """
    w, b, a, _ = _split(theta)
    total = np.zeros(len(theta))
    for xi, yi in zip(x, y, strict=True):
        h = w * xi + b
        gate = (h > 0).astype(float)
        row = np.concatenate([a * gate * xi, a * gate, np.maximum(h, 0.0), [1.0]])
        total += 2.0 * (_output(theta, xi) - yi) * row
    return total / len(x)


def _loss(theta, x, y):
    return float(np.mean([(_output(theta, xi) - yi) ** 2 for xi, yi in zip(x, y, strict=True)]))


def _epoch(theta, x, y, learning_rate, batch_size, seed):
    """One epoch in the order rng.permutation(n) of default_rng(seed), one step per batch."""
    order = np.random.default_rng(seed).permutation(len(x))
    losses = [_loss(theta, x, y)]
    for k in range(len(x) // batch_size):
        batch = order[k * batch_size : (k + 1) * batch_size]
        theta = theta - learning_rate * _gradient(theta, x[batch], y[batch])
        losses.append(_loss(theta, x, y))
    return theta, np.array(losses)


def _random_network(units, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=3 * units + 1)


@register(
    "10.relu",
    name="relu",
    hint="An elementwise maximum with zero; Python's max does not work on arrays.",
    blocks=_NETWORKS,
)
def _relu_cases():
    h = np.array([[-1.5, 0.0], [2.0, -0.25], [3.5, 1e-9]])
    return [
        Case("h = [−2, 0, 3]", (np.array([-2.0, 0.0, 3.0]),), expected=np.array([0.0, 0.0, 3.0])),
        Case("a (3, 2) array keeps its shape", (h,), expected=np.where(h > 0, h, 0.0)),
    ]


@register(
    "10.relu_derivative",
    name="relu_derivative",
    hint="A comparison gives booleans; the task wants floats, with 0 at h = 0.",
    blocks=_NETWORKS,
)
def _relu_derivative_cases():
    h = np.array([[-1.5, 4.0], [2.0, -0.25]])
    return [
        Case("h = [−2, 3]", (np.array([-2.0, 3.0]),), expected=np.array([0.0, 1.0])),
        Case("at the kink h = 0 we use 0", (np.array([0.0]),), expected=np.array([0.0])),
        Case("a (2, 2) array keeps its shape", (h,), expected=np.array([[0.0, 1.0], [1.0, 0.0]])),
    ]


@register(
    "10.forward",
    name="forward",
    hint="Recover m from the length of θ and slice it in the order (w, b, a, c); broadcasting x as "
    "a column against w gives all pre-activations, shape (n, m), at once.",
    blocks=_NETWORKS,
)
def _forward_cases():
    x = np.linspace(-2.0, 2.0, 9)
    theta = _random_network(4, 10)
    return [
        Case(
            "|x| written as two elbows: w = (1, −1), b = 0, a = (1, 1), c = 0.5",
            (np.array([1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 0.5]), np.array([-2.0, 0.0, 3.0])),
            expected=np.array([2.5, 0.5, 3.5]),
        ),
        Case(
            "one unit, w = 2, b = −1, a = 3, c = 0: 3 relu(2x − 1)",
            (np.array([2.0, -1.0, 3.0, 0.0]), np.array([0.0, 0.5, 1.0, 2.0])),
            expected=np.array([0.0, 0.0, 3.0, 9.0]),
        ),
        Case(
            "4 random units at 9 points",
            (theta, x),
            expected=np.array([_output(theta, xi) for xi in x]),
            rtol=1e-10,
        ),
    ]


@register(
    "10.backprop",
    name="backprop",
    hint="Keep h, relu(h) and the residuals from the forward pass; each partial derivative is the "
    "residual pushed back through one more factor of the chain rule (the ReLU gate for w and b). "
    "Return them in the order (w, b, a, c).",
    blocks=_NETWORKS,
)
def _backprop_cases():
    rng = np.random.default_rng(11)
    x = rng.uniform(-2.0, 2.0, 12)
    y = np.sin(2 * x)
    theta = _random_network(5, 12)
    return [
        Case(
            "one unit relu(x), inputs (1, 2), targets (1, 0): worked by hand",
            (np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 2.0]), np.array([1.0, 0.0])),
            expected=np.array([4.0, 2.0, 4.0, 2.0]),
            rtol=1e-12,
        ),
        Case(
            "an input exactly at the kink (x = 0, h = 0): relu'(0) = 0 there",
            (np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.0, 1.0]), np.array([-1.0, 0.0])),
            expected=np.array([1.0, 1.0, 1.0, 2.0]),
            rtol=1e-12,
        ),
        Case(
            "5 random units, 12 points of sin(2x)",
            (theta, x, y),
            expected=_gradient(theta, x, y),
            rtol=1e-9,
            atol=1e-12,
        ),
    ]


@register(
    "10.sgd_epoch",
    name="sgd_epoch",
    hint="One shuffle from the seed, cut into consecutive batches (the leftover is skipped); step "
    "with your backprop on each batch, and record the loss on all the data before the first step "
    "and after every step.",
    blocks=_NETWORKS,
)
def _sgd_epoch_cases():
    rng = np.random.default_rng(13)
    x = rng.uniform(-1.0, 1.0, 10)
    y = np.abs(x)
    theta = _random_network(3, 14)
    one_step = theta - 0.1 * _gradient(theta, x, y)
    return [
        Case(
            "batch size n: one full gradient step, two losses",
            (theta, x, y, 0.1, 10, 0),
            expected=(one_step, np.array([_loss(theta, x, y), _loss(one_step, x, y)])),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "10 points, batch size 3, seed 5: three steps, two points left out",
            (theta, x, y, 0.1, 3, 5),
            expected=_epoch(theta, x, y, 0.1, 3, 5),
            rtol=1e-9,
            atol=1e-12,
        ),
        Case(
            "batch size 1, seed 7: ten steps",
            (theta, x, y, 0.05, 1, 7),
            expected=_epoch(theta, x, y, 0.05, 1, 7),
            rtol=1e-9,
            atol=1e-12,
        ),
    ]
