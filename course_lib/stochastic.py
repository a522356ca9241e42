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
    as_dataset,
    as_float_array,
    as_generator,
    boolean,
    callable_arg,
    finite_sum_callable,
    in_unit_interval,
    mark_rowwise,
    one_of,
    positive,
    positive_int,
)
from course_lib.trajectory import CONVERGED, DIVERGED, MAX_ITER, Trajectory

SCHEDULES = ("constant", "step", "inverse_time", "cosine")


@mark_rowwise
def least_squares_loss(w, X, y):
    """Mean of ½(xᵢᵀw − yᵢ)² over the rows of X (lecture 05).

    Examples
    --------
    >>> float(least_squares_loss(np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0])))
    1.25
    """
    w, X, y = _protocol_args(w, X, y)
    r = _residuals(w, X, y)
    return 0.5 * np.mean(r * r, axis=-1)


@mark_rowwise
def least_squares_gradient(w, X, y):
    """Mean gradient (1/m) Xᵀ(Xw − y) over the rows of X (lecture 05).

    Examples
    --------
    >>> least_squares_gradient(np.array([1.0]), np.array([[1.0], [2.0]]), np.array([0.0, 0.0]))
    array([2.5])
    """
    w, X, y = _protocol_args(w, X, y)
    r = _residuals(w, X, y)
    if X.ndim == 2:  # shared rows: one matrix product for every w of the batch
        return (r.reshape(-1, r.shape[-1]) @ X).reshape(*r.shape[:-1], X.shape[1]) / X.shape[0]
    return (r[..., None, :] @ X)[..., 0, :] / X.shape[-2]


def _protocol_args(w, X, y):
    """w (..., d), X (m, d) or (..., m, d) and y (..., m) as float arrays that fit together.

    w may hold inf or nan: a diverging run evaluates the loss there and gets inf back.
    """
    w = as_float_array(w, "w", ndim_min=1, finite=False)
    X = as_float_array(X, "X", ndim_min=2)
    y = as_float_array(y, "y", ndim_min=1)
    if w.shape[-1] != X.shape[-1]:
        raise ValueError(f"w must have last axis of length {X.shape[-1]} to match X {X.shape}, "
                         f"got shape {w.shape}")  # fmt: skip
    if y.shape[-1] != X.shape[-2]:
        raise ValueError(f"y must have {X.shape[-2]} entries to match X {X.shape}, got {y.shape}")
    return w, X, y


def _residuals(w, X, y):
    """Residuals xᵢᵀw − yᵢ, shape (..., m), for w (..., d) and X (m, d) or (..., m, d).

    Arguments already checked (:func:`_protocol_args`): this runs inside the SGD loop.
    """
    if X.ndim == 2:
        return (w.reshape(-1, w.shape[-1]) @ X.T).reshape(*w.shape[:-1], X.shape[0]) - y
    return (X @ w[..., None])[..., 0] - y


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
    X, y = as_dataset(X, y)
    if w.shape != (X.shape[1],):
        raise ValueError(f"w must have shape ({X.shape[1]},) to match X {X.shape}, got {w.shape}")
    return (X @ w - y)[:, None] * X


def _batch_size(batch_size, n):
    b = positive_int(batch_size, "batch_size")
    if b > n:
        raise ValueError(f"batch_size must be at most the number of examples n = {n}, got {b}")
    return b


def _epoch_order(rng, n, used, replace):
    """The example order of one epoch: ``used`` indices, one fresh permutation or draws.

    :func:`minibatch_indices` and :func:`sgd` both call this, once per epoch, so for the
    same seed they see the same batches.
    """
    if replace:
        return rng.integers(0, n, size=used)
    return rng.permutation(n)[:used]


def minibatch_indices(n, batch_size, *, epochs=1, replace=False, seed=0):
    """The example indices of every minibatch, shape (epochs, n // batch_size, batch_size).

    Without replacement each epoch is one fresh permutation of range(n) cut into contiguous
    batches (reshuffled every epoch), so an epoch visits every example at most once. The
    n mod batch_size examples left at the end of a permutation are dropped for that epoch
    (the last batch is never smaller; a fresh shuffle drops others next time), so all
    batches have the same size and the result is one array. With replacement every index
    is an independent uniform draw from range(n), n // batch_size batches per "epoch".

    Parameters
    ----------
    n : int
        Number of examples.
    batch_size : int
        B, with 1 ≤ B ≤ n.
    epochs : int
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
    replace = boolean(replace, "replace")
    rng = as_generator(seed)
    steps = n // b
    order = np.stack([_epoch_order(rng, n, steps * b, replace) for _ in range(epochs)])
    return order.reshape(epochs, steps, b)


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
    name : {"constant", "step", "inverse_time", "cosine"}
    learning_rate : float or array_like
        η₀ > 0 (an array of shape (K,) gives one schedule per value, shape (K, steps)).
    steps : int
        Number of steps (in :func:`sgd`: every minibatch step of the whole run).
    step_every : int, optional
        Steps between drops for ``"step"`` (default: a quarter of ``steps``). To drop every
        k epochs of SGD, pass k · (n // batch_size).
    factor : float
        Multiplier in (0, 1] at each drop for ``"step"``.
    decay_time : float, optional
        t₀ > 0 for ``"inverse_time"`` (default: one tenth of ``steps``, at least 1).
    final : float
        The value ≥ 0 the cosine schedule approaches at t = steps.

    Returns
    -------
    ndarray, shape (*learning_rate.shape, steps)

    Examples
    --------
    >>> learning_rate_schedule("step", 1.0, 4, step_every=2).tolist()
    [1.0, 1.0, 0.5, 0.5]
    >>> learning_rate_schedule("inverse_time", 1.0, 3, decay_time=1).tolist()
    [1.0, 0.5, 0.3333333333333333]
    """
    one_of(name, "schedule name", SCHEDULES)
    eta0 = positive(learning_rate, "learning_rate")[..., None]
    steps = positive_int(steps, "steps")
    t = np.arange(steps, dtype=float)
    if name == "constant":
        shape = np.ones_like(t)
    elif name == "step":
        every = max(1, steps // 4) if step_every is None else positive_int(step_every, "step_every")
        if not 0 < float(positive(factor, "factor")) <= 1:
            raise ValueError(f"factor must lie in (0, 1] (a drop), got {factor!r}")
        shape = float(factor) ** np.floor(t / every)
    elif name == "inverse_time":
        t0 = max(1.0, steps / 10) if decay_time is None else positive(decay_time, "decay_time")
        shape = 1.0 / (1.0 + t / float(t0))
    else:
        low = float(positive(final, "final", allow_zero=True))
        return low + 0.5 * (eta0 - low) * (1 + np.cos(np.pi * t / steps))
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
    tol=1e-12,
    divergence_factor=1e10,
) -> Trajectory:
    """Minibatch stochastic gradient descent with heavy-ball momentum (lecture 05).

    Each epoch permutes the data once (``Xp = X[perm]``, the order of
    :func:`minibatch_indices` for the same seed) and walks through the contiguous slices
    ``Xp[i:i+B]``, n // B steps (the n mod B examples left over are skipped that epoch).
    Each step does

        V ← βV + g_B,    w ← w − η_t V,    V₀ = 0,

    where g_B is the mean gradient of the batch. β = 0 is plain SGD; the update is that of
    ``torch.optim.SGD(lr=η, momentum=β, dampening=0, nesterov=False)`` on the same batches.
    With ``batch_size=n`` and β = 0 every step is a full-batch gradient descent step.

    Learning rates (and momenta) given as arrays run one descent per value, on the same
    batches, in one loop; a sequence of K seeds runs K descents with their own shuffles
    (η broadcasts against the seeds: shape (K,) pairs them, shape (J, 1) makes a J × K grid).

    A run stops at the first recorded point where its full-batch gradient norm is ≤ ``tol``
    (``"converged"``) or its loss is not finite or exceeds L(w₀) + divergence_factor ·
    (1 + |L(w₀)|) (``"diverged"``, without overflow warnings); it is then frozen as in
    :func:`course_lib.trajectory.iterate`. Only the recorded points are judged.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
    w0 : array_like, shape (p,)
        Start; p = d for the default least-squares loss, any length for other losses.
    learning_rate : float or array_like
        η₀ > 0, the first value of the schedule.
    batch_size : int
        B, at most n. Each epoch takes n // B steps.
    epochs : int
    momentum : float or array_like
        β in [0, 1); broadcasts with ``learning_rate``.
    schedule : {"constant", "step", "inverse_time", "cosine"}
        How η decays over the epochs · (n // B) steps of the run (see
        :func:`learning_rate_schedule`, whose keyword arguments go in ``schedule_kw``).
    replace : bool
        Draw batches with replacement instead of reshuffling each epoch.
    seed : int, Generator or sequence of int
    loss, grad : callable
        The finite-sum protocol (module docstring); least squares by default (then a fast
        path with preallocated buffers does each step).
    record : {"epoch", "step"}
        Store w after every epoch or after every step (the noise around the optimum).
    schedule_kw : dict, optional
    tol : float
        Gradient-norm threshold for ``"converged"``.
    divergence_factor : float

    Returns
    -------
    Trajectory
        iterates (*batch, T + 1, p); ``losses`` and ``grad_norms`` are full-batch values at
        the recorded iterates.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ np.array([1.0, -2.0])
    >>> traj = sgd(X, y, np.zeros(2), 0.1, batch_size=10, epochs=20)
    >>> bool(np.allclose(traj.final, [1.0, -2.0], atol=1e-3))
    True
    >>> sgd(X, y, np.zeros(2), [0.01, 0.1], batch_size=10, epochs=2).iterates.shape
    (2, 3, 2)
    """
    X, y = as_dataset(X, y)
    n, d = X.shape
    w0 = as_float_array(w0, "w0", ndim_min=1)
    # The parameters need not be one weight per column of X (a network, a d×k matrix of
    # multiclass weights): only the default least-squares loss ties w0 to X's shape.
    if w0.ndim != 1 or (grad is least_squares_gradient and w0.shape != (d,)):
        raise ValueError(f"w0 must have shape ({d},) to match X {X.shape}, got {w0.shape}")
    lr = positive(learning_rate, "learning_rate")
    b = _batch_size(batch_size, n)
    epochs = positive_int(epochs, "epochs")
    beta = in_unit_interval(momentum, "momentum")
    one_of(record, "record", ("epoch", "step"))
    one_of(schedule, "schedule", SCHEDULES)
    replace = boolean(replace, "replace")
    finite_sum_callable(callable_arg(loss, "loss"), "loss", w0, X, y, gradient=False)
    finite_sum_callable(callable_arg(grad, "grad"), "grad", w0, X, y, gradient=True)
    if np.ndim(tol) != 0:
        raise ValueError(f"tol must be a single number, got shape {np.shape(tol)}")
    positive(tol, "tol", allow_zero=True)
    positive(divergence_factor, "divergence_factor")
    if schedule_kw is not None and not isinstance(schedule_kw, dict):
        raise TypeError(f"schedule_kw must be a dict or None, got {type(schedule_kw).__name__}")
    seeds = _seeds(seed)
    batch_shape = _batch_shape(lr, beta, seeds)

    steps = n // b
    total = steps * epochs
    etas = learning_rate_schedule(schedule, lr, total, **(schedule_kw or {}))
    etas = np.moveaxis(np.broadcast_to(etas, (*batch_shape, total)), -1, 0)  # (total, *batch)
    rngs = [as_generator(seed)] if seeds is None else [as_generator(s) for s in seeds]
    n_records = (epochs if record == "epoch" else total) + 1
    w = np.broadcast_to(w0, (*batch_shape, w0.size)).copy()
    ws = np.empty((n_records, *batch_shape, w0.size))
    ws[0] = w
    dead = np.zeros(batch_shape, dtype=bool)  # runs whose next step would not be finite
    deaths = np.zeros((n_records, *batch_shape), dtype=bool)
    fast = grad is least_squares_gradient and seeds is None
    stepper = _least_squares_stepper if fast else _generic_stepper
    take_step = stepper(w, etas, beta, b, grad, dead)
    # The start is judged once (f₀ and ‖∇f(w₀)‖ are shared by every run): one pass over X.
    f0, gn0 = _full_batch(w0[None], X, y, loss, grad)
    limit = f0[0] + divergence_factor * (1 + np.abs(f0[0]))

    k = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(epochs):
            order = [_epoch_order(rng, n, steps * b, replace) for rng in rngs]
            order = order[0] if seeds is None else np.stack(order)  # (K, steps·B) per seed
            # Permuted once (np.take copies rows several times faster than X[order]):
            # every batch is then a contiguous slice.
            Xp, yp = np.take(X, order, axis=0), np.take(y, order)
            for s in range(steps):
                take_step(Xp, yp, s * b, epoch * steps + s)
                if record == "step" or s == steps - 1:
                    k += 1
                    ws[k] = w
                    deaths[k] = dead
            if np.all(dead | ~np.isfinite(w).all(axis=-1)):
                break  # every run has overflowed: nothing left to compute
    return _trajectory(
        ws[: k + 1],
        deaths[: k + 1],
        X,
        y,
        loss,
        grad,
        limit,
        tol,
        (f0[0], gn0[0]),
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
    if isinstance(seed, (str, bytes)):
        raise TypeError("seed must be an int, a Generator or a sequence of ints, got str")
    try:
        seeds = tuple(seed)
    except TypeError:
        raise TypeError(
            f"seed must be an int, a Generator or a sequence of ints, got {type(seed).__name__}"
        ) from None
    if not seeds:
        raise ValueError("seed must not be an empty sequence")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"seed must be a sequence of ints, got an element {s!r}")
    return seeds


def _batch_shape(lr, beta, seeds):
    """The batch shape of the runs: learning rates, momenta and seeds broadcast together."""
    shapes = [lr.shape, beta.shape, () if seeds is None else (len(seeds),)]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            "learning_rate, momentum and the sequence of seeds must broadcast together, "
            f"got shapes {shapes[0]}, {shapes[1]} and {shapes[2]} "
            "(use learning_rate[:, None] for a grid of learning rates × seeds)"
        ) from None


def _least_squares_stepper(w, etas, beta, b, grad, dead):
    """One SGD step for least squares with shared batches, in preallocated buffers.

    All M runs (w viewed as an (M, d) matrix W) see the same batch Xb, so the residuals of
    every run are one matrix product R = Xb Wᵀ − y_b (B, M), and the gradients Rᵀ Xb / B.
    Overflow is harmless here (inf and nan propagate silently); ``dead`` is not needed.
    """
    W = w.reshape(-1, w.shape[-1])  # a view: updating W updates w
    R = np.empty((b, W.shape[0]))
    G = np.empty_like(W)
    step = np.empty_like(W)
    eta = np.ascontiguousarray(etas.reshape(etas.shape[0], -1, 1) / b)  # η_t / B, (T, M, 1)
    momentum = np.broadcast_to(beta[..., None], w.shape).reshape(W.shape).copy()
    V = np.zeros_like(W) if np.any(beta) else None

    Wt = W.T  # views made once, not at every step
    direction = G if V is None else V

    def take_step(Xp, yp, i, t):
        Xb = Xp[i : i + b]
        np.matmul(Xb, Wt, out=R)
        np.subtract(R, yp[i : i + b, None], out=R)
        np.matmul(R.T, Xb, out=G)  # B times the mean gradient of the batch
        if V is not None:
            np.multiply(V, momentum, out=V)
            np.add(V, G, out=V)
        np.multiply(direction, eta[t], out=step)
        np.subtract(W, step, out=W)

    return take_step


def _generic_stepper(w, etas, beta, b, grad, dead):
    """One SGD step through the finite-sum protocol: grad(w, X_batch, y_batch).

    A user's loss may refuse non-finite parameters, so a run whose step overflows is marked
    ``dead`` and frozen at its last finite point (it is then reported as diverged).
    """
    eta = np.ascontiguousarray(etas[..., None])  # (T, *batch, 1)
    momentum = beta[..., None]
    V = np.zeros_like(w) if np.any(beta) else None

    def take_step(Xp, yp, i, t):
        g = grad(w, Xp[..., i : i + b, :], yp[..., i : i + b])
        if V is not None:
            V[...] = momentum * V + g
            g = V
        new = w - eta[t] * g
        ok = np.all(np.isfinite(new), axis=-1) & ~dead
        if ok.all():
            w[...] = new
        else:
            dead[...] = ~ok
            w[...] = np.where(ok[..., None], new, w)

    return take_step


def _judge(f, gn, w, limit, tol):
    """Masks of the recorded points that have diverged and that have converged."""
    bad = ~(np.isfinite(f) & (f <= limit) & np.all(np.isfinite(w), axis=-1))
    return bad, ~bad & (gn <= tol)


def _full_batch(ws, X, y, loss, grad):
    """Full-batch loss and gradient norm at every recorded iterate, chunked over records.

    A chunk of c records of M runs needs c·M·n numbers of residuals; the chunks keep that
    under about 2²⁰ whatever the number of records.
    """
    per_record = max(1, int(np.prod(ws.shape[1:-1])) * X.shape[0])
    chunk = max(1, 2**20 // per_record)
    f = np.empty(ws.shape[:-1])
    gn = np.empty(ws.shape[:-1])
    shared = loss is least_squares_loss and grad is least_squares_gradient and X.ndim == 2
    for start in range(0, ws.shape[0], chunk):
        part = ws[start : start + chunk]
        finite = np.all(np.isfinite(part), axis=-1)
        part = np.where(finite[..., None], part, 0.0)  # a user's loss may refuse inf
        if shared:  # least squares: one pass over X for the residuals of loss and gradient
            value, g = _least_squares_value_and_gradient(part, X, y)
        else:
            value, g = loss(part, X, y), grad(part, X, y)
        f[start : start + chunk] = np.where(finite, value, np.nan)
        gn[start : start + chunk] = np.where(finite, np.linalg.norm(g, axis=-1), np.nan)
    return f, gn


def _least_squares_value_and_gradient(w, X, y):
    """least_squares_loss and least_squares_gradient from one matrix of residuals."""
    r = _residuals(w, X, y)
    flat = r.reshape(-1, r.shape[-1])
    g = (flat @ X).reshape(*r.shape[:-1], X.shape[1]) / X.shape[0]
    return 0.5 * np.mean(r * r, axis=-1), g


def _trajectory(ws, deaths, X, y, loss, grad, limit, tol, start, params):
    """Judge every recorded point, freeze each run where it stopped, build the Trajectory.

    ``start`` is (f(w₀), ‖∇f(w₀)‖), already known: only the later records are evaluated.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        f = np.empty(ws.shape[:-1])
        gn = np.empty(ws.shape[:-1])
        f[0], gn[0] = start
        f[1:], gn[1:] = _full_batch(ws[1:], X, y, loss, grad)
        bad, conv = _judge(f, gn, ws, limit, tol)
    bad |= deaths
    conv &= ~deaths
    T = ws.shape[0] - 1
    stop = bad | conv
    first = np.argmax(stop, axis=0)  # first stopping record of each run (0 if none)
    stopped = np.where(stop.any(axis=0), first, T)
    at_stop = np.take_along_axis(bad, first[None], axis=0)[0]
    status = np.where(stop.any(axis=0), np.where(at_stop, DIVERGED, CONVERGED), MAX_ITER)
    rows = np.minimum(np.arange(T + 1).reshape(-1, *(1,) * stopped.ndim), stopped)
    ws = np.take_along_axis(ws, rows[..., None], axis=0)
    f = np.take_along_axis(f, rows, axis=0)
    gn = np.take_along_axis(gn, rows, axis=0)
    return Trajectory(
        iterates=np.moveaxis(ws, 0, -2),
        losses=np.moveaxis(f, 0, -1),
        grad_norms=np.moveaxis(gn, 0, -1),
        status=np.asarray(status, dtype=str),
        stopped_at=np.asarray(stopped),
        method="SGD",
        params=params,
    )
