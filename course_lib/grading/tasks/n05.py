"""Public cases for ``05_stochastic_gradient_descent``."""

from __future__ import annotations

import numpy as np

from course_lib.grading.checker import Case, register

_STOCHASTIC = (
    "course_lib.stochastic.minibatch_indices",
    "course_lib.stochastic.sgd",
    "course_lib.stochastic.least_squares_gradient",
    "course_lib.stochastic.per_example_gradients",
    "course_lib.stochastic.learning_rate_schedule",
    "course_lib.objectives.least_squares",
)


def _data(n, d, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, X @ np.arange(1.0, d + 1.0) + 0.1 * rng.standard_normal(n)


def _is_epoch(result, n, batch_size):
    idx = np.asarray(result)
    shape = (n // batch_size, batch_size)
    if idx.shape != shape:
        return f"expected shape {shape} (n // batch_size batches of batch_size), got {idx.shape}"
    if idx.dtype.kind not in "iu":
        return f"indices must be integers, got dtype {idx.dtype}"
    if np.any(idx < 0) or np.any(idx >= n):
        return f"every index must lie in range({n})"
    if np.unique(idx).size != idx.size:
        return "an index appears twice: an epoch without replacement visits each example once"
    if n >= 10 and np.array_equal(idx.ravel(), np.sort(idx.ravel())):
        return "the indices come out in sorted order: shuffle them (rng.permutation)"
    return None


@register(
    "05.minibatch_epoch",
    name="minibatch_epoch",
    hint="rng = np.random.default_rng(seed); shuffle range(n) with rng.permutation(n), keep the "
    "first (n // batch_size) * batch_size and reshape to (n // batch_size, batch_size).",
    blocks=_STOCHASTIC,
)
def _epoch_cases():
    return [
        Case("n = 12, batch size 4", (12, 4, 0), verify=lambda r: _is_epoch(r, 12, 4)),
        Case(
            "n = 10, batch size 3: one example left out",
            (10, 3, 1),
            verify=lambda r: _is_epoch(r, 10, 3),
        ),
        Case("batch size n: one batch", (50, 50, 2), verify=lambda r: _is_epoch(r, 50, 50)),
    ]


@register(
    "05.minibatch_gradient",
    name="minibatch_gradient",
    hint="Take the rows X[batch], y[batch]; the gradient is (1/m) X_Bᵀ (X_B w − y_B) with m the "
    "batch size.",
    blocks=_STOCHASTIC,
)
def _minibatch_gradient_cases():
    X, y = _data(30, 3, 3)
    w = np.array([0.5, -1.0, 2.0])
    batch = np.array([4, 17, 0, 29, 8])
    Xb, yb = X[batch], y[batch]
    return [
        Case(
            "30 examples, a batch of 5",
            (w, X, y, batch),
            expected=Xb.T @ (Xb @ w - yb) / 5,
            rtol=1e-10,
        ),
        Case(
            "the whole data set as the batch: the full gradient",
            (w, X, y, np.arange(30)),
            expected=X.T @ (X @ w - y) / 30,
            rtol=1e-10,
        ),
        Case(
            "one example: (xᵢ·w − yᵢ) xᵢ",
            (w, X, y, np.array([7])),
            expected=(X[7] @ w - y[7]) * X[7],
            rtol=1e-10,
        ),
    ]


@register(
    "05.inverse_time_schedule",
    name="inverse_time_schedule",
    hint="t = np.arange(steps); return learning_rate / (1 + t / decay_time).",
    blocks=_STOCHASTIC,
)
def _schedule_cases():
    return [
        Case(
            "η₀ = 1, t₀ = 1, 3 steps",
            (1.0, 1.0, 3),
            expected=np.array([1.0, 0.5, 1.0 / 3.0]),
            rtol=1e-12,
        ),
        Case(
            "η₀ = 0.2, t₀ = 10, 5 steps",
            (0.2, 10.0, 5),
            expected=0.2 / (1 + np.arange(5) / 10.0),
            rtol=1e-12,
        ),
        Case("one step: just η₀", (0.3, 4.0, 1), expected=np.array([0.3]), rtol=1e-12),
    ]


@register(
    "05.per_example_gradients",
    name="per_example_gradients",
    hint="The residuals r = X w − y have shape (n,); r[:, None] * X multiplies row i by rᵢ.",
    blocks=_STOCHASTIC,
)
def _per_example_cases():
    X, y = _data(20, 3, 5)
    w = np.array([1.0, 0.0, -1.0])
    return [
        Case(
            "two examples in one dimension",
            (np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0])),
            expected=np.array([[1.0], [4.0]]),
            rtol=1e-12,
        ),
        Case(
            "20 examples, 3 features",
            (w, X, y),
            expected=np.stack([(X[i] @ w - y[i]) * X[i] for i in range(20)]),
            rtol=1e-10,
        ),
    ]
