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
    hint="Make the generator from the seed, get one random order of all n indices from it, drop "
    "the leftover tail and cut the rest into rows of batch_size.",
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
    hint="Index the rows of the batch first, then it is the full-batch least-squares gradient "
    "on those rows, divided by the batch size.",
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
    hint="Build the array of step numbers t = 0, …, steps − 1 first; then the formula works on "
    "the whole array at once.",
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
    hint="Compute all n residuals at once, then scale row i of X by residual i (broadcasting "
    "needs the residuals as a column).",
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


# ---------------------------------------------------------------- SGD from the pieces
def _sgd_reference(X, y, w0, etas, batch_size, epochs, seed):
    n = len(y)
    w, out, k = np.array(w0, dtype=float), [np.array(w0, dtype=float)], 0
    for epoch in range(epochs):
        order = np.random.default_rng(seed + epoch).permutation(n)
        for rows in order[: (n // batch_size) * batch_size].reshape(-1, batch_size):
            w = w - etas[k] * X[rows].T @ (X[rows] @ w - y[rows]) / batch_size
            k += 1
        out.append(w)
    return np.array(out)


@register(
    "05.sgd_run",
    name="sgd_run",
    hint="Two nested loops: over the epochs (a new minibatch_epoch with seed + epoch each time) "
    "and over its batches; keep one step counter for the learning rates and save w after each "
    "epoch, w0 included.",
    blocks=_STOCHASTIC,
)
def _sgd_cases():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((12, 2))
    y = X @ np.array([2.0, -1.0]) + 0.1 * rng.standard_normal(12)
    etas = 0.2 / (1 + np.arange(3 * 4) / 4)
    return [
        Case(
            "zero epochs: just w0, shape (1, 2)",
            (X, y, np.array([1.0, 1.0]), np.zeros(0), 3, 0, 0),
            expected=np.array([[1.0, 1.0]]),
        ),
        Case(
            "12 examples, batches of 3, 3 epochs, a 1/t schedule, seed 7",
            (X, y, np.zeros(2), etas, 3, 3, 7),
            expected=_sgd_reference(X, y, np.zeros(2), etas, 3, 3, 7),
            rtol=1e-10,
        ),
        Case(
            "one batch of all 12 and a constant step: gradient descent, 4 epochs",
            (X, y, np.zeros(2), np.full(4, 0.5), 12, 4, 0),
            expected=_sgd_reference(X, y, np.zeros(2), np.full(4, 0.5), 12, 4, 0),
            rtol=1e-10,
        ),
    ]
