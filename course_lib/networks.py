"""A small ReLU network, forward and backward by hand (lecture 10).

**One hidden layer, scalar in, scalar out.** With m hidden units,

    f(x) = Σⱼ aⱼ relu(wⱼx + bⱼ) + c,      relu(h) = max(0, h).

Each term aⱼ relu(wⱼx + bⱼ) is an *elbow*: zero on one side of x = −bⱼ/wⱼ, a line of slope
aⱼwⱼ on the other. A sum of m elbows is a piecewise-linear function with (up to) m kinks,
which is why enough units approximate any continuous function on an interval
(expressivity, :func:`fit_piecewise_linear`); whether gradient descent *finds* such weights
is another question (learnability, :func:`train`).

The parameters are one flat vector θ = (w₁..wₘ, b₁..bₘ, a₁..aₘ, c) of length 3m + 1
(:func:`pack`, :func:`unpack`), so the loss and its gradient follow the finite-sum protocol
of :mod:`course_lib.stochastic`: ``mse_loss(θ, X, y)`` and ``mse_gradient(θ, X, y)`` with X of
shape (n, 1) or (..., m, 1), vectorised over a leading batch of θ.

**Several inputs, several hidden layers.** :class:`ReLUNetwork` is the same idea with
matrices: a = relu(aW + b) layer after layer, a linear output, backpropagation written out.

Loss: the mean squared error L(θ) = (1/n) Σᵢ (f(xᵢ) − yᵢ)² (no factor ½).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._checks import (
    as_float_array,
    as_generator,
    callable_arg,
    finite_sum_callable,
    in_unit_interval,
    mark_rowwise,
    number,
    positive,
    positive_int,
)
from course_lib.stochastic import minibatch_indices
from course_lib.trajectory import Trajectory, iterate, settle


def relu(h):
    """relu(h) = max(0, h), elementwise.

    Examples
    --------
    >>> relu(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return np.maximum(as_float_array(h, "h", finite=False), 0.0)


# --------------------------------------------------------------------------- parameters
def n_parameters(units):
    """The length 3m + 1 of θ for a one-hidden-layer scalar network with m units.

    Examples
    --------
    >>> n_parameters(4)
    13
    """
    return 3 * positive_int(units, "units") + 1


def pack(w, b, a, c):
    """Flatten (w, b, a, c) into θ = (w, b, a, c) of length 3m + 1 (batch axes lead).

    Examples
    --------
    >>> pack([1.0, 2.0], [0.0, 0.0], [3.0, 4.0], 5.0).tolist()
    [1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 5.0]
    """
    w = as_float_array(w, "w", ndim_min=1)
    b = as_float_array(b, "b", ndim_min=1)
    a = as_float_array(a, "a", ndim_min=1)
    c = as_float_array(c, "c")
    if not (w.shape == b.shape == a.shape):
        raise ValueError(
            f"w, b and a must have the same shape, got {w.shape}, {b.shape}, {a.shape}"
        )
    if c.shape != w.shape[:-1]:
        raise ValueError(f"c must have shape {w.shape[:-1]} (one per network), got {c.shape}")
    return np.concatenate([w, b, a, c[..., None]], axis=-1)


def unpack(theta):
    """Split θ (..., 3m + 1) into w, b, a (each (..., m)) and c (...): the inverse of pack.

    Examples
    --------
    >>> w, b, a, c = unpack(np.arange(7.0))
    >>> w.tolist(), c.tolist()
    ([0.0, 1.0], 6.0)
    """
    theta = as_float_array(theta, "theta", finite=False)
    if theta.ndim == 0 or (theta.shape[-1] - 1) % 3 or theta.shape[-1] < 4:
        raise ValueError(
            f"theta must have last axis of length 3m + 1 (m >= 1 units), got shape {theta.shape}"
        )
    m = (theta.shape[-1] - 1) // 3
    return theta[..., :m], theta[..., m : 2 * m], theta[..., 2 * m : 3 * m], theta[..., -1]


def init_params(units, seed=0, *, x_range=(-1.0, 1.0)):
    """A deterministic random start θ for m units whose elbows lie inside ``x_range``.

    wⱼ = ±U(0.5, 1.5) (random sign), elbow eⱼ ~ U(x_range) and bⱼ = −wⱼeⱼ (so the kink of
    unit j sits at eⱼ), aⱼ ~ N(0, 1/m), c = 0. Spreading the elbows over the data is what
    lets SGD bend the function where the data are (lecture 10).

    Parameters
    ----------
    units : int
    seed : int or numpy.random.Generator
    x_range : (float, float)

    Returns
    -------
    ndarray, shape (3·units + 1,)

    Examples
    --------
    >>> bool(np.all(init_params(5, seed=1) == init_params(5, seed=1)))
    True
    """
    m = positive_int(units, "units")
    lo, hi = (float(v) for v in as_float_array(x_range, "x_range"))
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    rng = as_generator(seed)
    w = rng.choice([-1.0, 1.0], size=m) * rng.uniform(0.5, 1.5, size=m)
    kinks = rng.uniform(lo, hi, size=m)
    a = rng.normal(0.0, 1.0 / np.sqrt(m), size=m)
    return pack(w, -w * kinks, a, 0.0)


# --------------------------------------------------------------------------- forward
def _inputs(x):
    return as_float_array(x, "x", ndim_min=1)


def _pre_activations(theta, x):
    """hⱼ(xᵢ) = wⱼxᵢ + bⱼ, shape (..., m, n)."""
    w, b, _, _ = unpack(theta)
    return w[..., :, None] * x[..., None, :] + b[..., :, None]


def elbows(theta, x):
    """Each unit's piece aⱼ relu(wⱼx + bⱼ), shape (..., m, n) (lecture 10).

    The output is the sum of the pieces plus c: ``elbows(θ, x).sum(-2) + c == forward(θ, x)``.

    Examples
    --------
    >>> theta = pack([1.0, -1.0], [0.0, 0.0], [1.0, 1.0], 0.0)   # |x| as two elbows
    >>> elbows(theta, np.array([-2.0, 3.0])).tolist()
    [[0.0, 3.0], [2.0, 0.0]]
    """
    x = _inputs(x)
    _, _, a, _ = unpack(theta)
    return a[..., :, None] * relu(_pre_activations(theta, x))


def elbow_positions(theta):
    """The kink −bⱼ/wⱼ of each unit, shape (..., m); nan for a unit with wⱼ = 0 (no kink).

    Examples
    --------
    >>> elbow_positions(pack([2.0, 0.0], [-1.0, 1.0], [1.0, 1.0], 0.0)).tolist()
    [0.5, nan]
    """
    w, b, _, _ = unpack(theta)
    return np.divide(-b, w, out=np.full(np.broadcast(w, b).shape, np.nan), where=w != 0)


def forward(theta, x):
    """The network output f(x) = Σⱼ aⱼ relu(wⱼx + bⱼ) + c, shape (..., n) (lecture 10).

    Parameters
    ----------
    theta : array_like, shape (..., 3m + 1)
    x : array_like, shape (n,) or (..., n)

    Examples
    --------
    >>> theta = pack([1.0, -1.0], [0.0, 0.0], [1.0, 1.0], 0.5)
    >>> forward(theta, np.array([-2.0, 3.0])).tolist()
    [2.5, 3.5]
    """
    _, _, _, c = unpack(theta)
    return np.sum(elbows(theta, x), axis=-2) + c[..., None]


def _protocol_x(X):
    X = as_float_array(X, "X", ndim_min=2)
    if X.shape[-1] != 1:
        raise ValueError(f"X must have shape (n, 1) (one input per row), got {X.shape}")
    return X[..., 0]


@mark_rowwise
def mse_loss(theta, X, y):
    """L(θ) = (1/n) Σᵢ (f(xᵢ) − yᵢ)², in the finite-sum protocol (lecture 10).

    Parameters
    ----------
    theta : array_like, shape (..., 3m + 1)
    X : array_like, shape (n, 1) or (..., n, 1)
    y : array_like, shape (n,) or (..., n)

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> theta = pack([1.0], [0.0], [1.0], 0.0)
    >>> float(mse_loss(theta, np.array([[1.0], [2.0]]), np.array([1.0, 0.0])))
    2.0
    """
    r = forward(theta, _protocol_x(X)) - as_float_array(y, "y", ndim_min=1)
    return np.mean(r * r, axis=-1)


@mark_rowwise
def mse_gradient(theta, X, y):
    """∇L(θ) by backpropagation written out by hand, shape (..., 3m + 1) (lecture 10).

    With residuals rᵢ = f(xᵢ) − yᵢ, hᵢⱼ = wⱼxᵢ + bⱼ and the ReLU gate 1[hᵢⱼ > 0]:

        ∂L/∂c  = (2/n) Σᵢ rᵢ
        ∂L/∂aⱼ = (2/n) Σᵢ rᵢ relu(hᵢⱼ)
        ∂L/∂bⱼ = (2/n) Σᵢ rᵢ aⱼ 1[hᵢⱼ > 0]
        ∂L/∂wⱼ = (2/n) Σᵢ rᵢ aⱼ 1[hᵢⱼ > 0] xᵢ

    (At a kink hᵢⱼ = 0 the ReLU has no derivative; the gate uses 0 there.)

    Examples
    --------
    >>> theta = pack([1.0], [0.0], [1.0], 0.0)
    >>> mse_gradient(theta, np.array([[1.0], [2.0]]), np.array([1.0, 0.0])).tolist()
    [4.0, 2.0, 4.0, 2.0]
    """
    x = _protocol_x(X)
    y = as_float_array(y, "y", ndim_min=1)
    _, _, a, c = unpack(theta)
    h = _pre_activations(theta, x)  # (..., m, n)
    r = np.sum(a[..., :, None] * relu(h), axis=-2) + c[..., None] - y  # (..., n)
    scale = 2.0 / x.shape[-1]
    back = (h > 0) * r[..., None, :]  # rᵢ 1[hᵢⱼ > 0], (..., m, n)
    g_w = scale * a * np.sum(back * x[..., None, :], axis=-1)
    g_b = scale * a * np.sum(back, axis=-1)
    g_a = scale * np.sum(relu(h) * r[..., None, :], axis=-1)
    g_c = scale * np.sum(r, axis=-1)
    return np.concatenate([g_w, g_b, g_a, g_c[..., None]], axis=-1)


# --------------------------------------------------------------------------- expressivity
def grid_knots(low, high, units):
    """Knots t_j = low + (high − low)·j/m for j = 0, ..., m − 1 (lecture 10).

    The grid for 2m units contains the grid for m units exactly (j/m = 2j/2m in floating
    point too), so doubling the units nests the fitted function spaces.

    Examples
    --------
    >>> grid_knots(0.0, 1.0, 4).tolist()
    [0.0, 0.25, 0.5, 0.75]
    """
    m = positive_int(units, "units")
    low, high = number(low, "low"), number(high, "high")
    return low + (high - low) * (np.arange(m) / m)


def fit_piecewise_linear(x, y, units):
    """Fit f(x) = Σⱼ aⱼ relu(x − tⱼ) + c with knots on a grid, by least squares (lecture 10).

    The expressivity construction: fix the hidden layer (wⱼ = 1, bⱼ = −tⱼ with knots tⱼ from
    :func:`grid_knots` over [min x, max x]; the first knot at min x makes a linear term) and
    solve the output layer (a, c) by linear least squares on the features relu(x − tⱼ) and 1.
    Because the grid for 2m units contains the grid for m units, the training error can only
    fall when the number of units doubles (1, 2, 4, 8, ...): each fit minimises over a larger
    space. For a smooth target the error of the best such fit falls like 1/m².

    Parameters
    ----------
    x, y : array_like, shape (n,)
    units : int
        Number of hidden units m.

    Returns
    -------
    ndarray, shape (3m + 1,)
        θ for :func:`forward`.

    Examples
    --------
    >>> x = np.linspace(-1.0, 1.0, 21)
    >>> theta = fit_piecewise_linear(x, np.abs(x), 2)   # knots at -1 and 0
    >>> bool(np.allclose(forward(theta, x), np.abs(x)))
    True
    """
    x = as_float_array(x, "x", ndim_min=1)
    y = as_float_array(y, "y", ndim_min=1)
    if x.ndim != 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be 1-D of the same length, got {x.shape} and {y.shape}")
    knots = grid_knots(float(x.min()), float(x.max()), units)
    features = np.column_stack([relu(x[:, None] - knots), np.ones_like(x)])
    coef = np.linalg.lstsq(features, y, rcond=None)[0]
    return pack(np.ones_like(knots), -knots, coef[:-1], coef[-1])


# --------------------------------------------------------------------------- learnability
def train(
    X,
    y,
    theta0,
    learning_rate,
    *,
    loss=mse_loss,
    grad=mse_gradient,
    batch_size=1,
    epochs=1,
    momentum=0.0,
    seed=0,
) -> Trajectory:
    """Train a network by minibatch SGD with momentum on a flat parameter vector (lecture 10).

    Same update and arguments as :func:`course_lib.stochastic.sgd`: each step takes the next
    minibatch B of a fresh per-epoch shuffle (from
    :func:`course_lib.stochastic.minibatch_indices`) and does V ← βV + ∇L_B(θ), θ ← θ − ηV.
    Unlike ``stochastic.sgd`` (whose w must have one entry per column of X) θ may have any
    length, and every *step* is recorded, so the loss curve shows the SGD noise.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Inputs as rows ((n, 1) for the scalar network).
    y : array_like, shape (n,)
    theta0 : array_like, shape (p,)
    learning_rate : float or array_like, shape (K,)
        η > 0; K values train K copies on the same batches.
    loss, grad : callable
        The finite-sum protocol (``mse_loss``/``mse_gradient`` by default, or the methods of
        a :class:`ReLUNetwork`).
    batch_size, epochs : int
    momentum : float
        β in [0, 1).
    seed : int or numpy.random.Generator

    Returns
    -------
    Trajectory
        One entry per step (epochs · ⌊n/B⌋ steps); ``losses`` and ``grad_norms`` are
        full-data values. A run whose loss explodes stops with status ``"diverged"``.

    Examples
    --------
    >>> x = np.linspace(-1.0, 1.0, 40); X = x[:, None]; y = np.abs(x)
    >>> traj = train(X, y, init_params(8), 0.05, batch_size=8, epochs=100)
    >>> bool(traj.final_loss < 0.1 * traj.losses[0])
    True
    """
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    y = as_float_array(y, "y", ndim_min=1)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X {X.shape}, got {y.shape}")
    theta0 = as_float_array(theta0, "theta0", ndim_min=1)
    if theta0.ndim != 1:
        raise ValueError(f"theta0 must be a 1-D parameter vector, got shape {theta0.shape}")
    lr = positive(learning_rate, "learning_rate")
    if lr.ndim > 1:
        raise ValueError(f"learning_rate must be a scalar or 1-D, got shape {lr.shape}")
    beta = float(in_unit_interval(momentum, "momentum"))
    finite_sum_callable(callable_arg(loss, "loss"), "loss", theta0, X, y, gradient=False)
    finite_sum_callable(callable_arg(grad, "grad"), "grad", theta0, X, y, gradient=True)
    batches = minibatch_indices(X.shape[0], batch_size, epochs=epochs, seed=seed)
    batches = batches.reshape(-1, batches.shape[-1])  # (steps, B)
    params = {
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "epochs": epochs,
        "momentum": momentum,
        "seed": seed,
    }
    if loss is mse_loss and grad is mse_gradient and lr.ndim == 0 and X.shape[1] == 1:
        # The scalar network on its own loss, one learning rate: the fused loop (lecture
        # 10's training panel retrains on every slider move).
        xs, fs, gns = _mse_sgd(X[:, 0], y, theta0, float(lr), beta, batches)
        return settle(xs, fs, gns, tol=0.0, method="SGD (network)", params=params)
    eta = lr[..., None]
    velocity = np.zeros((*lr.shape, theta0.size))

    def step(theta, g, t):
        idx = batches[t]
        velocity[...] = beta * velocity + grad(theta, X[idx], y[idx])
        return theta - eta * velocity

    return iterate(
        step,
        np.broadcast_to(theta0, (*lr.shape, theta0.size)),
        lambda theta: loss(theta, X, y),
        lambda theta: grad(theta, X, y),
        max_iter=batches.shape[0],
        tol=0.0,
        method="SGD (network)",
        params=params,
    )


def _mse_sgd(x, y, theta0, eta: float, beta: float, batches):
    """Every iterate of :func:`train` on ``mse_loss``, with full-data losses and gradient norms.

    One pass over all n points per step gives, from the same products, the full-data
    gradient (for ||∇L(θ_t)||) and the minibatch gradient (for the step): with the
    pre-activations H = (wⱼxᵢ + bⱼ) kept as rows j, the matrix
    P = [1[H > 0]; relu(H); 1] (2m + 1 rows, n columns) and residuals rᵢ = f(xᵢ) − yᵢ,

        P · [sᵢrᵢ, sᵢrᵢxᵢ]  with  sᵢ = 2/n (full data) or 2/B · 1[i ∈ batch]

    holds Σ sᵢrᵢ1[hᵢⱼ > 0] (→ ∂/∂bⱼ after a factor aⱼ), Σ sᵢrᵢxᵢ1[hᵢⱼ > 0] (→ ∂/∂wⱼ),
    Σ sᵢrᵢ relu(hᵢⱼ) (= ∂/∂aⱼ) and Σ sᵢrᵢ (= ∂/∂c): the formulas of :func:`mse_gradient`,
    summed in another order (equal to rounding). Every array is allocated once; a step is
    about ten small NumPy calls. Overflow in a diverging run is silenced: :func:`settle`
    cuts the run where :func:`iterate` would have stopped it.

    Returns
    -------
    xs : ndarray, shape (S + 1, 3m + 1)
    fs, gns : ndarray, shape (S + 1,)
    """
    n, m, steps = x.size, (theta0.size - 1) // 3, batches.shape[0]
    # weights[t, i] = [2/n, 2/B·1[i in batch t], (2/n)xᵢ, (2/B)·1[i in batch t]xᵢ]
    weights = np.zeros((steps + 1, n, 4))
    weights[:, :, 0] = 2.0 / n
    weights[np.arange(steps)[:, None], batches, 1] = 2.0 / batches.shape[1]
    weights[:, :, 2:] = weights[:, :, :2] * x[:, None]
    weights_at = list(weights)  # views made once: a list lookup per step, not an indexing
    inputs = np.stack([x, np.ones(n)])  # (2, n)
    xs = np.empty((steps + 1, theta0.size))
    residuals = np.empty((steps + 1, n))
    sums = np.empty((steps + 1, 2 * m + 1, 4))
    # Every buffer and every view of one is made here, once: a step is ~12 calls of ~1 µs.
    theta = np.array(theta0, dtype=float)
    w_b = theta[: 2 * m].reshape(2, m).T  # (m, 2) view: row j is (wⱼ, bⱼ)
    a_col, a_c = theta[2 * m : 3 * m, None], theta[2 * m :]
    pre = np.empty((m, n))
    P = np.ones((2 * m + 1, n))
    gate, hidden, hidden_1 = P[:m], P[m : 2 * m], P[m:]
    fit, r, weighted = np.empty(n), np.empty(n), np.empty((n, 4))
    r_col = r[:, None]
    out = np.empty((2 * m + 1, 4))
    out_wb, out_ac = out[:m, 3::-2], out[m:, 1]  # the batch's Σ for (∂w, ∂b) and (∂a, ∂c)
    g = np.empty(theta.size)
    g_wb, g_ac = g[: 2 * m].reshape(2, m).T, g[2 * m :]
    velocity, scaled = np.zeros(theta.size), np.empty(theta.size)
    dot, multiply = np.dot, np.multiply
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for t in range(steps + 1):
            xs[t] = theta
            dot(w_b, inputs, out=pre)
            np.greater(pre, 0.0, out=gate)
            multiply(pre, gate, out=hidden)  # relu (−0.0 where pre < 0: the same sums)
            dot(a_c, hidden_1, out=fit)
            np.subtract(fit, y, out=r)
            residuals[t] = r
            multiply(weights_at[t], r_col, out=weighted)
            dot(P, weighted, out=out)
            sums[t] = out
            if t == steps or (t % 64 == 63 and not np.isfinite(theta).all()):
                break  # a run that left the finite numbers: settle cuts it before here
            multiply(out_wb, a_col, out=g_wb)
            g_ac[...] = out_ac
            if beta:
                velocity *= beta
                velocity += g
                step = velocity
            else:
                step = g
            multiply(step, eta, out=scaled)
            np.subtract(theta, scaled, out=theta)
        xs, residuals, sums = xs[: t + 1], residuals[: t + 1], sums[: t + 1]
        fs = np.mean(residuals * residuals, axis=-1)
        full_wb = sums[:, :m, 2::-2] * xs[:, 2 * m : 3 * m, None]
        gns = np.sqrt(
            np.add.reduce(full_wb * full_wb, axis=(-2, -1))
            + np.add.reduce(sums[:, m:, 0] ** 2, axis=-1)
        )
    return xs, fs, gns


# --------------------------------------------------------------------------- deeper networks
@dataclass(frozen=True)
class ReLUNetwork:
    """A fully connected ReLU network ℝᵈ → ℝ with any number of hidden layers (lecture 10).

    With layer sizes d = n₀, n₁, ..., n_L and a scalar output,

        a⁰ = x,   aˡ = relu(aˡ⁻¹Wˡ + bˡ)  (l = 1..L),   f(x) = aᴸ w_out + b_out,

    where Wˡ is (nₗ₋₁, nₗ). ``hidden=(h,)`` is the classic two-layer network (one hidden
    layer); ``hidden=(h₁, h₂)`` has two hidden layers. All parameters live in one flat vector
    θ (:meth:`pack` / :meth:`unpack`), and :meth:`loss` / :meth:`gradient` follow the
    finite-sum protocol, so ``train(X, y, net.init(), η, loss=net.loss, grad=net.gradient)``
    trains it. Every method is vectorised over a leading batch of θ.

    Examples
    --------
    >>> net = ReLUNetwork(3, (4, 2))
    >>> net.n_parameters
    29
    >>> net.forward(net.init(seed=0), np.ones((5, 3))).shape
    (5,)
    """

    n_inputs: int
    hidden: tuple = (16,)

    def __post_init__(self):
        positive_int(self.n_inputs, "n_inputs")
        if not isinstance(self.hidden, tuple) or not self.hidden:
            raise TypeError(
                f"hidden must be a non-empty tuple of layer widths, got {self.hidden!r}"
            )
        for h in self.hidden:
            positive_int(h, "hidden")

    @property
    def shapes(self) -> list[tuple[int, ...]]:
        """Shapes of W¹, b¹, ..., Wᴸ, bᴸ, w_out, b_out, in the order θ stores them."""
        sizes = (self.n_inputs, *self.hidden, 1)
        out = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            out += [(fan_in, fan_out), (fan_out,)]
        return out

    @property
    def n_parameters(self) -> int:
        """Length of θ."""
        return sum(int(np.prod(s)) for s in self.shapes)

    def unpack(self, theta) -> list[np.ndarray]:
        """The weight matrices and bias vectors [W¹, b¹, ..., W_out, b_out] from θ (..., p)."""
        theta = as_float_array(theta, "theta", finite=False)
        if theta.ndim == 0 or theta.shape[-1] != self.n_parameters:
            raise ValueError(
                f"theta must have last axis of length {self.n_parameters}, got {np.shape(theta)}"
            )
        batch, params, start = theta.shape[:-1], [], 0
        for shape in self.shapes:
            size = int(np.prod(shape))
            params.append(theta[..., start : start + size].reshape(*batch, *shape))
            start += size
        return params

    def pack(self, params) -> np.ndarray:
        """θ from [W¹, b¹, ..., W_out, b_out] (the inverse of :meth:`unpack`)."""
        parts = [np.asarray(p, dtype=float) for p in params]
        if len(parts) != len(self.shapes):
            raise ValueError(f"params must hold {len(self.shapes)} arrays, got {len(parts)}")
        batch = parts[0].shape[: parts[0].ndim - 2]
        return np.concatenate([p.reshape(*batch, -1) for p in parts], axis=-1)

    def init(self, seed=0) -> np.ndarray:
        """He initialisation: Wˡ ~ N(0, 2/nₗ₋₁), output weights N(0, 1/n_L), biases 0."""
        rng = as_generator(seed)
        params = []
        for i, shape in enumerate(self.shapes):
            if len(shape) == 1:
                params.append(np.zeros(shape))
            else:
                gain = 1.0 if i == len(self.shapes) - 2 else 2.0
                params.append(rng.normal(0.0, np.sqrt(gain / shape[0]), size=shape))
        return self.pack(params)

    def _check_X(self, X):
        X = as_float_array(X, "X", ndim_min=2)
        if X.shape[-1] != self.n_inputs:
            raise ValueError(f"X must have {self.n_inputs} columns (features), got {X.shape}")
        return X

    def _forward(self, theta, X):
        """Output (..., n) and the pre-activations zˡ and activations aˡ of every layer."""
        params = self.unpack(theta)
        acts, pres = [X], []
        for W, b in zip(params[0:-2:2], params[1:-2:2], strict=True):
            pres.append(acts[-1] @ W + b[..., None, :])
            acts.append(relu(pres[-1]))
        out = acts[-1] @ params[-2] + params[-1][..., None, :]
        return out[..., 0], pres, acts

    def forward(self, theta, X) -> np.ndarray:
        """f(X) for rows X (n, d) or (..., n, d): shape (..., n)."""
        return self._forward(theta, self._check_X(X))[0]

    @mark_rowwise
    def loss(self, theta, X, y) -> np.ndarray:
        """Mean squared error (1/n) Σᵢ (f(xᵢ) − yᵢ)², shape (...)."""
        r = self.forward(theta, X) - as_float_array(y, "y", ndim_min=1)
        return np.mean(r * r, axis=-1)

    @mark_rowwise
    def gradient(self, theta, X, y) -> np.ndarray:
        """∇L(θ) by backpropagation, shape (..., p).

        δ = ∂L/∂f = (2/n)(f − y) at the output; for each layer going down,
        ∂L/∂Wˡ = (aˡ⁻¹)ᵀδ, ∂L/∂bˡ = Σᵢ δᵢ, then δ ← (δ Wˡᵀ) ⊙ 1[zˡ⁻¹ > 0].
        """
        X = self._check_X(X)
        y = as_float_array(y, "y", ndim_min=1)
        params = self.unpack(theta)
        out, pres, acts = self._forward(theta, X)
        delta = (2.0 / X.shape[-2]) * (out - y)[..., None]  # (..., n, 1)
        grads = []
        for layer in range(len(params) // 2 - 1, -1, -1):
            W = params[2 * layer]
            grads.append(np.sum(delta, axis=-2))  # bias
            grads.append(np.swapaxes(acts[layer], -1, -2) @ delta)  # weights
            if layer:
                delta = (delta @ np.swapaxes(W, -1, -2)) * (pres[layer - 1] > 0)
        batch = out.shape[:-1]  # every gradient carries the batch axes of δ
        return np.concatenate([g.reshape(*batch, -1) for g in grads[::-1]], axis=-1)
