"""Minibatch methods: index streams, schedules and stochastic gradient descent (lecture 05).

A loss that decomposes over examples, L(w) = (1/n) Σᵢ ℓ(w; xᵢ, yᵢ), is given to :func:`sgd`
by two callables, the *finite-sum protocol*:

    loss(w, X, y)  -> mean loss over the rows of X,      w (..., d) -> (...)
    grad(w, X, y)  -> mean gradient over the rows of X,  w (..., d) -> (..., d)

where X is (m, d) or batch-gathered (..., m, d). The least-squares pair below is the default;
``course_lib.losses`` and ``course_lib.networks`` provide others.

The minibatch gradient (1/B) Σ_{i∈batch} ∇ℓᵢ is an unbiased estimate of ∇L: over an epoch
without replacement (B dividing n) the minibatch gradients at a fixed w average to ∇L exactly.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib._checks import (
    as_float_array,
    as_generator,
    callable_arg,
    in_unit_interval,
    one_of,
    positive,
    positive_int,
)
from course_lib.trajectory import CONVERGED, DIVERGED, MAX_ITER, Trajectory

SCHEDULES = ("constant", "step", "inverse_time", "cosine")


def least_squares_loss(w, X, y):
    """Mean of ½(xᵢᵀw − yᵢ)² over the rows of X (lecture 05).

    Examples
    --------
    >>> float(least_squares_loss(np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0])))
    1.25
    """
    r = (X @ w[..., None])[..., 0] - y
    return 0.5 * np.mean(r * r, axis=-1)


def least_squares_gradient(w, X, y):
    """Mean gradient (1/m) Xᵀ(Xw − y) over the rows of X (lecture 05).

    Examples
    --------
    >>> least_squares_gradient(np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0]))
    array([2.5])
    """
    r = (X @ w[..., None])[..., 0] - y
    return (r[..., None, :] @ X)[..., 0, :] / X.shape[-2]


def per_example_gradients(w, X, y):
    """The gradient of each example's loss, ∇ℓᵢ(w) = (xᵢᵀw − yᵢ) xᵢ, shape (n, d) (lecture 05).

    Their mean is the full gradient; at the least-squares optimum they sum to zero while
    the individual rows do not, which is why a constant-step SGD keeps moving there.

    Examples
    --------
    >>> per_example_gradients(np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0]))
    array([[1.],
           [4.]])
    """
    w = as_float_array(w, "w", ndim_min=1)
    X, y = _data(X, y)
    return (X @ w - y)[:, None] * X


def _data(X, y):
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    y = as_float_array(y, "y", ndim_min=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    return X, y


def _batch_size(batch_size, n):
    b = positive_int(batch_size, "batch_size")
    if b > n:
        raise ValueError(f"batch_size must be at most the number of examples n = {n}, got {b}")
    return b


def minibatch_indices(n, batch_size, *, epochs=1, replace=False, seed=0):
    """The example indices of every minibatch, shape (epochs, n // batch_size, batch_size).

    Without replacement each epoch is one fresh permutation of range(n) cut into contiguous
    batches (reshuffled every epoch); the n mod batch_size examples left at the end of a
    permutation are dropped for that epoch (a fresh shuffle drops others next time). With
    replacement every index is an independent uniform draw.

    Parameters
    ----------
    n, batch_size, epochs : int
    replace : bool
    seed : int or numpy.random.Generator

    Returns
    -------
    ndarray of int, shape (epochs, n // batch_size, batch_size)

    Examples
    --------
    >>> idx = minibatch_indices(6, 2, epochs=2, seed=0)
    >>> idx.shape
    (2, 3, 2)
    >>> sorted(idx[0].ravel().tolist())
    [0, 1, 2, 3, 4, 5]
    """
    n = positive_int(n, "n")
    b = _batch_size(batch_size, n)
    epochs = positive_int(epochs, "epochs")
    rng = as_generator(seed)
    steps = n // b
    if replace:
        return rng.integers(0, n, size=(epochs, steps, b))
    perms = rng.permuted(np.broadcast_to(np.arange(n), (epochs, n)), axis=1)
    return perms[:, : steps * b].reshape(epochs, steps, b)


def learning_rate_schedule(
    name, learning_rate, steps, *, step_every=None, factor=0.5, decay_time=None, final=0.0
):
    """The learning rate η_t for t = 0, ..., steps − 1 (lecture 05).

    ``"constant"``      η_t = η₀
    ``"step"``          η_t = η₀ · factor^⌊t / step_every⌋
    ``"inverse_time"``  η_t = η₀ / (1 + t / t₀)   (the 1/t schedule; t₀ = ``decay_time``)
    ``"cosine"``        η_t = final + ½(η₀ − final)(1 + cos(π t / steps))

    Parameters
    ----------
    name : str
    learning_rate : float or array_like, shape (K,)
        η₀ (an array gives one schedule per value, shape (K, steps)).
    steps : int
    step_every : int, optional
        Steps between drops for ``"step"`` (default: a quarter of ``steps``).
    factor : float
        Multiplier at each drop for ``"step"``.
    decay_time : float, optional
        t₀ for ``"inverse_time"`` (default: one tenth of ``steps``).
    final : float
        The last value of the cosine schedule.

    Returns
    -------
    ndarray, shape (*learning_rate.shape, steps)

    Examples
    --------
    >>> learning_rate_schedule("step", 1.0, 4, step_every=2).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    one_of(name, "schedule", SCHEDULES)
    eta0 = positive(learning_rate, "learning_rate")[..., None]
    steps = positive_int(steps, "steps")
    t = np.arange(steps, dtype=float)
    if name == "constant":
        shape = np.ones_like(t)
    elif name == "step":
        every = max(1, steps // 4) if step_every is None else positive_int(step_every, "step_every")
        shape = float(positive(factor, "factor")) ** np.floor(t / every)
    elif name == "inverse_time":
        t0 = (
            max(1.0, steps / 10)
            if decay_time is None
            else float(positive(decay_time, "decay_time"))
        )
        shape = 1.0 / (1.0 + t / t0)
    else:
        return final + 0.5 * (eta0 - final) * (1 + np.cos(np.pi * t / steps))
    return eta0 * shape


def sgd(
    X,
    y,
    w0,
    learning_rate,
    *,
    batch_size=1,
    epochs=1,
    momentum=0.0,
    schedule="constant",
    replace=False,
    seed=0,
    loss=least_squares_loss,
    grad=least_squares_gradient,
    record="epoch",
    schedule_kw=None,
    divergence_factor=1e10,
) -> Trajectory:
    """Minibatch stochastic gradient descent with heavy-ball momentum (lecture 05).

    Each epoch permutes the data once (``Xp = X[perm]``) and walks through contiguous slices
    ``Xp[i:i+B]``; each step does V ← βV + g_B, w ← w − η_t V where g_B is the mean gradient
    of the batch. β = 0 is plain SGD; the update equals ``torch.optim.SGD(lr=η, momentum=β,
    dampening=0)`` for the same batches. With replacement the batches are independent draws.

    A learning rate of shape (K,) runs K descents on the same batches; a sequence of K seeds
    runs K descents with their own shuffles. A run whose loss becomes non-finite or explodes
    stops with status ``"diverged"``; with ``momentum=0``, ``batch_size=n`` and no shuffling
    effect, SGD is full-batch gradient descent.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    w0 : array_like, shape (d,)
    learning_rate : float or array_like, shape (K,)
    batch_size : int
        B, at most n. Each epoch takes n // B steps.
    epochs : int
    momentum : float
        β in [0, 1).
    schedule : {"constant", "step", "inverse_time", "cosine"}
        How η decays over the steps of the whole run (see :func:`learning_rate_schedule`,
        whose keyword arguments go in ``schedule_kw``).
    replace : bool
        Draw batches with replacement instead of reshuffling each epoch.
    seed : int, Generator or sequence of int
    loss, grad : callable
        The finite-sum protocol (module docstring); least squares by default.
    record : {"epoch", "step"}
        Store w after every epoch or after every step.

    Returns
    -------
    Trajectory
        ``losses`` and ``grad_norms`` are full-batch values at the recorded iterates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ np.array([1.0, -2.0])
    >>> traj = sgd(X, y, np.zeros(2), 0.1, batch_size=10, epochs=20)
    >>> bool(np.allclose(traj.final, [1.0, -2.0], atol=1e-3))
    True
    """
    X, y = _data(X, y)
    n, d = X.shape
    w0 = as_float_array(w0, "w0", ndim_min=1)
    # The parameters need not be one weight per column of X (a network, a d×k matrix of
    # multiclass weights): only the default least-squares loss ties w0 to X's shape.
    if w0.ndim != 1 or (grad is least_squares_gradient and w0.shape != (d,)):
        raise ValueError(f"w0 must have shape ({d},) to match X {X.shape}, got {w0.shape}")
    p = w0.shape[0]
    lr = positive(learning_rate, "learning_rate")
    if lr.ndim > 1:
        raise ValueError(f"learning_rate must be a scalar or 1-D, got shape {lr.shape}")
    b = _batch_size(batch_size, n)
    epochs = positive_int(epochs, "epochs")
    beta = float(in_unit_interval(momentum, "momentum"))
    one_of(record, "record", ("epoch", "step"))
    callable_arg(loss, "loss")
    callable_arg(grad, "grad")

    seeds = _seeds(seed)
    batch_shape = np.broadcast_shapes(lr.shape, (len(seeds),) if seeds is not None else ())
    if seeds is None:
        rngs = [as_generator(seed)]
    else:
        rngs = [as_generator(s) for s in seeds]
    steps = n // b
    total = steps * epochs
    etas = np.broadcast_to(
        learning_rate_schedule(schedule, lr, total, **(schedule_kw or {})), (*batch_shape, total)
    )
    eta_cols = np.ascontiguousarray(np.moveaxis(etas, -1, 0))[..., None]  # (total, *batch, 1)

    w = np.broadcast_to(w0, (*batch_shape, p)).copy()
    velocity = np.zeros_like(w)
    n_records = (epochs if record == "epoch" else total) + 1
    ws = np.empty((n_records, *batch_shape, p))
    ws[0] = w
    active = np.ones(batch_shape, dtype=bool)
    status = np.full(batch_shape, MAX_ITER, dtype=object)
    stopped = np.full(batch_shape, n_records - 1, dtype=int)
    f0 = loss(w, X, y)
    limit = f0 + divergence_factor * (1 + np.abs(f0))
    k = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(epochs):
            Xp, yp = _epoch_data(X, y, rngs, b, steps, replace, seeds is not None)
            for s in range(steps):
                t = epoch * steps + s
                sl = slice(s * b, (s + 1) * b)
                g = grad(w, Xp[..., sl, :], yp[..., sl])
                if beta:
                    velocity *= beta
                    velocity += g
                    g = velocity
                if active.all():
                    w -= eta_cols[t] * g
                else:
                    w = np.where(active[..., None], w - eta_cols[t] * g, w)
                if record == "step" or s == steps - 1:
                    k += 1
                    ws[k] = w
                    active = _check_divergence(w, X, y, loss, limit, active, status, stopped, k)
            if not active.any():
                break
    ws = ws[: k + 1]
    return _trajectory(
        ws,
        X,
        y,
        loss,
        grad,
        status,
        stopped,
        batch_shape,
        {
            "learning_rate": learning_rate,
            "batch_size": b,
            "epochs": epochs,
            "momentum": momentum,
            "schedule": schedule,
            "replace": replace,
            "seed": seed,
            "record": record,
        },
    )


def _seeds(seed):
    """None for a single seed; a tuple of K ints for a sequence of seeds."""
    if isinstance(seed, (numbers.Integral, np.random.Generator)):
        return None
    try:
        seeds = tuple(seed)
    except TypeError:
        raise TypeError(
            f"seed must be an int, a Generator or a sequence of ints, got {type(seed).__name__}"
        ) from None
    if not seeds:
        raise ValueError("seed must not be an empty sequence")
    return seeds


def _epoch_data(X, y, rngs, b, steps, replace, per_run):
    """The data of one epoch, permuted once so that every batch is a contiguous slice."""
    n = X.shape[0]
    if replace:
        idx = [rng.integers(0, n, size=steps * b) for rng in rngs]
    else:
        idx = [rng.permutation(n)[: steps * b] for rng in rngs]
    if per_run:
        idx = np.stack(idx)  # (K, steps*b): each run its own order
        return X[idx], y[idx]
    return X[idx[0]], y[idx[0]]


def _check_divergence(w, X, y, loss, limit, active, status, stopped, k):
    f = loss(w, X, y)
    bad = active & ~(np.isfinite(f) & (f <= limit) & np.all(np.isfinite(w), -1))
    status[bad] = DIVERGED
    stopped[bad] = k
    return active & ~bad


def _trajectory(ws, X, y, loss, grad, status, stopped, batch_shape, params):
    T = ws.shape[0] - 1
    # Freeze stopped runs at their last recorded iterate.
    stopped = np.minimum(stopped, T)
    rows = np.minimum(np.arange(T + 1).reshape(-1, *([1] * len(batch_shape))), stopped)
    ws = (
        np.take_along_axis(ws, rows[..., None], axis=0)
        if batch_shape
        else ws[np.minimum(np.arange(T + 1), int(stopped))]
    )
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        losses = loss(ws, X, y)
        gn = np.linalg.norm(grad(ws, X, y), axis=-1)
    tol_status = status.astype(str)
    final_ok = (tol_status == MAX_ITER) & (gn[-1] <= 1e-12)
    tol_status = np.where(final_ok, CONVERGED, tol_status)
    return Trajectory(
        iterates=np.moveaxis(ws, 0, -2),
        losses=np.moveaxis(losses, 0, -1),
        grad_norms=np.moveaxis(gn, 0, -1),
        status=np.asarray(tol_status),
        stopped_at=stopped if batch_shape else np.asarray(int(stopped)),
        method="SGD",
        params=params,
    )
