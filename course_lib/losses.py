"""Losses and empirical risk (lecture 09).

Binary classification with labels y ∈ {−1, +1} and a score f(x) = xᵀw: every loss below is a
function of the *margin* z = y·f(x), positive when the prediction has the right sign.

    zero-one   ℓ(z) = 1[z ≤ 0]                 ℓ'(z) = 0 (almost everywhere)
    square     ℓ(z) = (1 − z)²  = (y − f)²     ℓ'(z) = −2(1 − z)
    hinge      ℓ(z) = max(0, 1 − z)            ℓ'(z) = −1[z < 1]  (a subgradient)
    logistic   ℓ(z) = log(1 + e^(−z))          ℓ'(z) = −σ(−z) = −1 / (1 + e^z)

The surrogates upper-bound the zero-one loss: hinge(z) ≥ 1[z ≤ 0] and
logistic(z) / log 2 ≥ 1[z ≤ 0]. Unlike the zero-one loss, they have useful gradients.

The empirical risk of a linear model, R̂(w) = (1/n) Σᵢ ℓ(yᵢ xᵢᵀw), and its gradient follow
the finite-sum protocol of ``course_lib.stochastic`` (``loss(w, X, y)``, ``grad(w, X, y)``),
so they plug into :func:`course_lib.stochastic.sgd`. For k classes, ``cross_entropy`` works
on logits with the log-sum-exp trick, so no exponential overflows at |logit| = 1000.
"""

from __future__ import annotations

import numpy as np

from course_lib import descent, stochastic
from course_lib._checks import (
    as_float_array,
    as_points,
    axis_arg,
    mark_rowwise,
    one_of,
    positive,
    positive_int,
)
from course_lib.objectives import Objective, _objective
from course_lib.trajectory import CONVERGED, DIVERGED, MAX_ITER, Trajectory

MARGIN_LOSSES = ("zero_one", "square", "hinge", "logistic")
RISK_LOSSES = (*MARGIN_LOSSES, "cross_entropy")


# --------------------------------------------------------------------------- margin losses
def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(−z)), computed without overflow.

    For z ≥ 0 it evaluates 1 / (1 + e^(−z)); for z < 0 the equal form e^z / (1 + e^z). Both
    only ever exponentiate −|z| ≤ 0, so σ(±1000) is 1 and 0 without a warning.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    z = as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def zero_one_loss(z):
    """The zero-one loss 1[z ≤ 0] of a margin z = y·f(x): one per mistake (lecture 09).

    A margin of exactly 0 (a point on the boundary) counts as a mistake.

    Examples
    --------
    >>> zero_one_loss(np.array([-1.0, 0.0, 2.0])).tolist()
    [1.0, 1.0, 0.0]
    """
    z = as_float_array(z, "z")
    return (z <= 0).astype(float)


def zero_one_derivative(z):
    """The derivative of the zero-one loss: 0 wherever it exists (lecture 09).

    This is why the zero-one loss cannot be minimised by gradient descent: its gradient
    carries no information.

    Examples
    --------
    >>> zero_one_derivative(np.array([-1.0, 1.0])).tolist()
    [0.0, 0.0]
    """
    z = as_float_array(z, "z")
    return np.zeros_like(z)


def square_loss(z):
    """The square loss as a margin loss, (1 − z)², equal to (y − f)² for y ∈ {−1, +1}.

    Examples
    --------
    >>> square_loss(np.array([1.0, -1.0])).tolist()
    [0.0, 4.0]
    """
    z = as_float_array(z, "z")
    return (1.0 - z) ** 2


def square_derivative(z):
    """d/dz (1 − z)² = −2(1 − z).

    Examples
    --------
    >>> square_derivative(np.array([0.0, 1.0])).tolist()
    [-2.0, 0.0]
    """
    z = as_float_array(z, "z")
    return 2.0 * (z - 1.0)


def hinge_loss(z):
    """The hinge loss max(0, 1 − z) of the support vector machine (lecture 09).

    Examples
    --------
    >>> hinge_loss(np.array([-1.0, 0.5, 3.0])).tolist()
    [2.0, 0.5, 0.0]
    """
    z = as_float_array(z, "z")
    return np.maximum(0.0, 1.0 - z)


def hinge_derivative(z):
    """A subgradient of the hinge loss: −1 for z < 1 and 0 for z ≥ 1.

    Examples
    --------
    >>> hinge_derivative(np.array([0.0, 1.0, 2.0])).tolist()
    [-1.0, 0.0, 0.0]
    """
    z = as_float_array(z, "z")
    return np.where(z < 1.0, -1.0, 0.0)


def logistic_loss(z):
    """The logistic loss log(1 + e^(−z)), stable for any margin (lecture 09).

    Written as log-sum-exp: log(e^0 + e^(−z)) = max(0, −z) + log(1 + e^(−|z|)), so no
    exponential ever exceeds 1: logistic(−1000) = 1000 and logistic(1000) = e^(−1000) ≈ 0.

    Examples
    --------
    >>> logistic_loss(np.array([-1000.0, 0.0])).tolist() == [1000.0, float(np.log(2.0))]
    True
    """
    z = as_float_array(z, "z")
    return np.maximum(0.0, -z) + np.log1p(np.exp(-np.abs(z)))


def logistic_derivative(z):
    """d/dz log(1 + e^(−z)) = −σ(−z) = −1 / (1 + e^z), stable for any margin.

    Examples
    --------
    >>> logistic_derivative(np.array([-1000.0, 0.0, 1000.0])).tolist()
    [-1.0, -0.5, -0.0]
    """
    return -sigmoid(-as_float_array(z, "z"))


_MARGIN = {
    "zero_one": (zero_one_loss, zero_one_derivative),
    "square": (square_loss, square_derivative),
    "hinge": (hinge_loss, hinge_derivative),
    "logistic": (logistic_loss, logistic_derivative),
}


def margin_loss(z, loss="logistic"):
    """The margin loss ℓ(z) named by ``loss`` (one of ``MARGIN_LOSSES``).

    Examples
    --------
    >>> float(margin_loss(0.0, "hinge"))
    1.0
    """
    one_of(loss, "loss", MARGIN_LOSSES)
    return _MARGIN[loss][0](z)


def margin_loss_derivative(z, loss="logistic"):
    """The derivative ℓ'(z) of the margin loss named by ``loss``.

    Examples
    --------
    >>> float(margin_loss_derivative(0.0, "square"))
    -2.0
    """
    one_of(loss, "loss", MARGIN_LOSSES)
    return _MARGIN[loss][1](z)


# --------------------------------------------------------------------------- multiclass
def logsumexp(a, axis=-1):
    """log Σⱼ e^(aⱼ), computed as m + log Σⱼ e^(aⱼ − m) with m = maxⱼ aⱼ (lecture 09).

    Subtracting the maximum makes the largest exponent e^0 = 1: no overflow, and at least
    one term of the sum is 1, so no log(0) either.

    Examples
    --------
    >>> float(logsumexp(np.array([1000.0, 1000.0]))) == 1000.0 + float(np.log(2.0))
    True
    """
    a = as_float_array(a, "a", ndim_min=1)
    axis = axis_arg(axis, "axis", a.ndim)
    m = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def log_softmax(logits, axis=-1):
    """log softmax(a)ⱼ = aⱼ − log Σₖ e^(aₖ), stable for logits of any size (lecture 09).

    Examples
    --------
    >>> log_softmax(np.array([0.0, 1000.0])).tolist()
    [-1000.0, 0.0]
    """
    a = as_float_array(logits, "logits", ndim_min=1)
    axis = axis_arg(axis, "axis", a.ndim)
    return a - np.expand_dims(logsumexp(a, axis), axis)


def softmax(logits, axis=-1):
    """softmax(a)ⱼ = e^(aⱼ) / Σₖ e^(aₖ): class probabilities from logits (lecture 09).

    Examples
    --------
    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    return np.exp(log_softmax(logits, axis))


def _labels(labels, k, n):
    """Integer class codes in 0..k−1 whose last axis has length n."""
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integer class codes 0..{k - 1}, got dtype {labels.dtype}")
    if labels.ndim == 0 or labels.shape[-1] != n:
        raise ValueError(f"labels must have {n} entries to match the logits, got {labels.shape}")
    if np.any((labels < 0) | (labels >= k)):
        raise ValueError(f"labels must lie in 0..{k - 1} (k = {k} classes)")
    return labels


def cross_entropy(logits, labels):
    """Cross-entropy of each example, −log softmax(a)_y = log Σₖ e^(aₖ) − a_y (lecture 09).

    Parameters
    ----------
    logits : array_like, shape (..., n, k)
        Scores a of n examples for k classes.
    labels : array_like of int, shape (n,)
        The true class y of each example, in 0..k−1.

    Returns
    -------
    ndarray, shape (..., n)
        The loss of each example (take the mean for the empirical risk).

    Examples
    --------
    >>> float(cross_entropy(np.array([[0.0, 1000.0]]), np.array([0]))[0])
    1000.0
    """
    a = as_float_array(logits, "logits", ndim_min=2)
    y = _labels(labels, a.shape[-1], a.shape[-2])
    return -np.sum(np.eye(a.shape[-1])[y] * log_softmax(a), axis=-1)


def cross_entropy_gradient(logits, labels):
    """Gradient of each example's cross-entropy in its logits: softmax(a) − onehot(y).

    Returns
    -------
    ndarray, shape (..., n, k)

    Examples
    --------
    >>> cross_entropy_gradient(np.array([[0.0, 0.0]]), np.array([1])).tolist()
    [[0.5, -0.5]]
    """
    a = as_float_array(logits, "logits", ndim_min=2)
    y = _labels(labels, a.shape[-1], a.shape[-2])
    return softmax(a) - np.eye(a.shape[-1])[y]


# --------------------------------------------------------------------------- empirical risk
LABELS_MESSAGE = "y must hold labels in {-1, +1} (map 0/1 labels with 2*y - 1)"


def _margin_labels(y):
    """The one rule for binary labels, shared by every function of this module: y ∈ {−1, +1}.

    The margin z = y·xᵀw is only a margin for ±1 labels: with 0/1 labels every negative
    example gets z = 0 whatever w, and the risk is silently wrong.
    """
    if not np.all(np.abs(y) == 1):
        raise ValueError(LABELS_MESSAGE)
    return y


def _risk_args(w, X, y, loss):
    one_of(loss, "loss", RISK_LOSSES)
    # w may be non-finite: a diverging run evaluates the risk at inf and gets inf back
    w = as_float_array(w, "w", ndim_min=1, finite=False)
    X = as_float_array(X, "X", ndim_min=2)
    d = X.shape[-1]
    if loss == "cross_entropy":
        if w.shape[-1] % d:
            raise ValueError(
                f"w must have a multiple of d = {d} entries (a d × k matrix, flattened), "
                f"got shape {w.shape}"
            )
        return w.reshape(*w.shape[:-1], d, w.shape[-1] // d), X, np.asarray(y)
    if w.shape[-1] != d:
        raise ValueError(f"w must have last axis of length {d} to match X {X.shape}, got {w.shape}")
    y = as_float_array(y, "y", ndim_min=1)
    if y.shape[-1] != X.shape[-2]:
        raise ValueError(f"y must have {X.shape[-2]} entries to match X {X.shape}, got {y.shape}")
    return w, X, _margin_labels(y)


def _scores(w, X):
    """xᵢᵀw for every row, with w (..., d) and X (n, d) or (..., m, d): shape (..., m)."""
    return (X @ w[..., None])[..., 0]


@mark_rowwise
def empirical_risk(w, X, y, loss="logistic"):
    """The empirical risk R̂(w) = (1/n) Σᵢ ℓ(yᵢ xᵢᵀw) of a linear classifier (lecture 09).

    Follows the finite-sum protocol of :mod:`course_lib.stochastic`, so it can be passed to
    ``stochastic.sgd(..., loss=empirical_risk, grad=empirical_risk_gradient)`` (logistic by
    default; ``functools.partial(empirical_risk, loss="hinge")`` for another loss).

    For ``loss="cross_entropy"`` (k classes) w is a d × k weight matrix W flattened row by
    row, y holds integer class codes and R̂(W) = (1/n) Σᵢ −log softmax(xᵢᵀW)_{yᵢ}.

    Parameters
    ----------
    w : array_like, shape (..., d) (or (..., d·k) for cross-entropy)
        One or a batch of weight vectors.
    X : array_like, shape (n, d) or (..., m, d)
        Examples as rows (add a column of ones for an intercept).
    y : array_like, shape (n,)
        Labels in {−1, +1} (class codes for cross-entropy).
    loss : {"zero_one", "square", "hinge", "logistic", "cross_entropy"}

    Returns
    -------
    ndarray, shape (...)

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, -1.0])
    >>> float(empirical_risk(np.zeros(2), X, y)) == float(np.log(2.0))
    True
    """
    w, X, y = _risk_args(w, X, y, loss)
    if loss == "cross_entropy":
        return np.mean(cross_entropy(X @ w, y), axis=-1)
    return np.mean(_MARGIN[loss][0](y * _scores(w, X)), axis=-1)


@mark_rowwise
def empirical_risk_gradient(w, X, y, loss="logistic"):
    """The gradient ∇R̂(w) = (1/n) Σᵢ ℓ'(yᵢ xᵢᵀw) yᵢ xᵢ (lecture 09).

    For cross-entropy, ∇_W R̂ = (1/n) Xᵀ(softmax(XW) − onehot(y)), flattened like w.
    Same shapes and protocol as :func:`empirical_risk`; returns shape (..., d).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, -1.0])
    >>> empirical_risk_gradient(np.zeros(2), X, y).tolist()
    [-0.25, 0.25]
    """
    w, X, y = _risk_args(w, X, y, loss)
    m = X.shape[-2]
    if loss == "cross_entropy":
        G = np.swapaxes(X, -1, -2) @ cross_entropy_gradient(X @ w, y) / m
        return G.reshape(*G.shape[:-2], -1)
    coef = _MARGIN[loss][1](y * _scores(w, X)) * y / m  # (..., m)
    return (coef[..., None, :] @ X)[..., 0, :]


@mark_rowwise
def empirical_risk_hessian(w, X, y, loss="logistic"):
    """The Hessian ∇²R̂(w) = (1/n) Σᵢ ℓ''(yᵢ xᵢᵀw) xᵢxᵢᵀ (y² = 1) (lecture 09).

    ℓ'' is 2 for the square loss, σ(z)σ(−z) for the logistic loss and 0 (almost everywhere)
    for the hinge and zero-one losses. For cross-entropy the (a i, b j) entry is
    (1/n) Σₙ x_{na} x_{nb} (p_{ni} δ_{ij} − p_{ni} p_{nj}) with p = softmax(XW).

    Returns
    -------
    ndarray, shape (..., d, d) (or (..., dk, dk) for cross-entropy)

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0]]); y = np.array([1.0, -1.0])
    >>> empirical_risk_hessian(np.zeros(2), X, y).tolist()   # σ(0)σ(0) = 1/4
    [[0.125, 0.0], [0.0, 0.5]]
    """
    w, X, y = _risk_args(w, X, y, loss)
    m = X.shape[-2]
    if loss == "cross_entropy":
        p = softmax(X @ w)  # (..., m, k)
        k = p.shape[-1]
        curv = p[..., :, None] * np.eye(k) - p[..., :, None] * p[..., None, :]
        H = np.einsum("...na,...nb,...nij->...aibj", X, X, curv) / m
        d = X.shape[-1]
        return H.reshape(*H.shape[:-4], d * k, d * k)
    z = y * _scores(w, X)
    if loss == "square":
        c = np.full_like(z, 2.0)
    elif loss == "logistic":
        c = sigmoid(z) * sigmoid(-z)
    else:
        c = np.zeros_like(z)
    return np.swapaxes(X, -1, -2) @ (c[..., None] * X) / m


def risk_objective(X, y, loss="logistic") -> Objective:
    """The empirical risk over a fixed data set as an :class:`~course_lib.objectives.Objective`.

    So that :func:`course_lib.descent.gradient_descent` (or Newton) can minimise it: value,
    gradient and Hessian are :func:`empirical_risk`, :func:`empirical_risk_gradient` and
    :func:`empirical_risk_hessian` with X, y fixed (lecture 09).

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels in {−1, +1}, or class codes 0..k−1 for cross-entropy.
    loss : str
        One of ``RISK_LOSSES``.

    Returns
    -------
    Objective
        Of dimension d (d·k for cross-entropy, k = max(y) + 1 classes).

    Examples
    --------
    >>> f = risk_objective(np.eye(2), np.array([1.0, -1.0]))
    >>> f.dim
    2
    """
    one_of(loss, "loss", RISK_LOSSES)
    X, y, k = _dataset(X, y, loss)
    dim = X.shape[1] * (k if loss == "cross_entropy" else 1)

    def value(w):
        return empirical_risk(w, X, y, loss)

    def gradient(w):
        return empirical_risk_gradient(w, X, y, loss)

    def hessian(w):
        return empirical_risk_hessian(w, X, y, loss)

    return _objective(
        f"empirical {loss} risk", value, gradient, hessian, dim, {}, ((-3.0, 3.0),) * min(dim, 2)
    )


def _dataset(X, y, loss):
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    n = X.shape[0]
    if loss == "cross_entropy":
        y = np.asarray(y)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or np.any(y < 0):
            raise ValueError(f"y must hold {n} integer class codes 0..k−1 to match X {X.shape}")
        return X, y, int(y.max()) + 1
    y = as_float_array(y, "y", ndim_min=1)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},) to match X {X.shape}, got {y.shape}")
    return X, _margin_labels(y), 2


def logistic_regression(
    X,
    y,
    *,
    method="gd",
    learning_rate=1.0,
    w0=None,
    max_iter=1000,
    tol=1e-8,
    batch_size=1,
    epochs=10,
    seed=0,
) -> Trajectory:
    """Logistic regression: minimise R̂(w) = (1/n) Σᵢ log(1 + e^(−yᵢ xᵢᵀw)) (lecture 09).

    There is no closed form: ∇R̂(w) = −(1/n) Σᵢ σ(−yᵢxᵢᵀw) yᵢ xᵢ = 0 is nonlinear in w. So
    we iterate, by full-batch gradient descent (``method="gd"``, via
    :func:`course_lib.descent.gradient_descent`) or by minibatch SGD (``method="sgd"``, via
    :func:`course_lib.stochastic.sgd`). R̂ is convex and ∇²R̂ ⪯ XᵀX / (4n), so any fixed
    step below 8n / λmax(XᵀX) converges for GD. On linearly separable data the minimum is
    not attained (w grows without bound); add label noise or use ``max_iter``.

    Parameters
    ----------
    X : array_like, shape (n, d)
        Examples as rows (add a column of ones for an intercept).
    y : array_like, shape (n,)
        Labels in {−1, +1}.
    method : {"gd", "sgd"}
    learning_rate : float or array_like, shape (K,)
        K values run K descents at once.
    w0 : array_like, shape (d,), optional
        Start (zeros by default).
    max_iter, tol
        GD only: iteration cap and gradient-norm tolerance.
    batch_size, epochs, seed
        SGD only (see :func:`course_lib.stochastic.sgd`).

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [1.0, -1.0], [1.0, 0.5], [1.0, -2.0]])
    >>> y = np.array([1.0, -1.0, -1.0, 1.0])
    >>> str(logistic_regression(X, y, learning_rate=1.0).status)
    'converged'
    """
    one_of(method, "method", ("gd", "sgd"))
    objective = risk_objective(X, y, "logistic")
    X, y, _ = _dataset(X, y, "logistic")
    w0 = np.zeros(X.shape[1]) if w0 is None else as_points(w0, "w0", X.shape[1])
    positive(learning_rate, "learning_rate")
    if method == "gd":
        max_iter = positive_int(max_iter, "max_iter")
        if np.ndim(learning_rate) == 0 and w0.ndim == 1:  # one run: the loop below, same bits
            return _logistic_gd(X, y, w0, learning_rate, max_iter, _tolerance(tol))
        return descent.gradient_descent(objective, w0, learning_rate, max_iter=max_iter, tol=tol)
    return stochastic.sgd(
        X,
        y,
        w0,
        learning_rate,
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
        loss=empirical_risk,
        grad=empirical_risk_gradient,
    )


def _tolerance(tol) -> float:
    """The gradient-norm tolerance, checked as :func:`course_lib.descent.gradient_descent` does."""
    if np.ndim(tol) != 0:
        raise ValueError(f"tol must be a single number, got shape {np.shape(tol)}")
    return float(positive(tol, "tol", allow_zero=True))


def _logistic_gd(X, y, w0, learning_rate, max_iter: int, tol: float) -> Trajectory:
    """One run of fixed-step GD on the logistic risk: ``descent.gradient_descent``'s Trajectory.

    The same iterates w_{t+1} = w_t − η∇R̂(w_t), with ∇R̂(w) = −(1/n) Σᵢ σ(−zᵢ) yᵢxᵢ and
    zᵢ = yᵢxᵢᵀw, and the same stopping rules as :func:`course_lib.trajectory.iterate`, bit for
    bit (tests/test_losses_fast_gd.py), for lecture 09's panel, which retrains on every slider
    move. Each step costs a few small array operations instead of the generic loop's checked
    value and gradient calls and batch bookkeeping:

    * the labels are folded into the data once, yxᵢ, so zᵢ = (yx)ᵢᵀw (a sign flip is exact);
      σ(−z) = (1 if z ≤ 0 else e^(−|z|)) / (1 + e^(−|z|)) is :func:`sigmoid`'s formula, and
      the gradient is (σ(−z)/n)ᵀ(−yX), the same products as ℓ'(z)·y/n summed against X;
    * the risks R̂(w_t) are only needed to stop a diverging run (R̂ above its start by
      10¹⁰(1 + |R̂(w_0)|), or not finite), so the loop runs on gradients alone and
      :func:`empirical_risk` evaluates every iterate in one batched call afterwards; the
      record is then cut where the generic loop would have stopped.
    """
    n, d = X.shape
    Xy = y[:, None] * X
    minus_Xy = -Xy
    eta = float(learning_rate)
    xs = np.empty((max_iter + 1, d))
    gns = np.empty(max_iter + 1)

    def gradient(w):
        z = (Xy @ w[:, None])[:, 0]
        e = np.exp(-np.abs(z))
        sigma = np.where(z <= 0, 1.0, e) / (1.0 + e)  # σ(−z), as sigmoid(−z) computes it
        return ((sigma / n)[None, :] @ minus_Xy)[0]

    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        w = np.array(w0, dtype=float)
        g = gradient(w)
        gn = np.sqrt(np.add.reduce(g * g))
        xs[0], gns[0] = w, gn
        t, lost = 0, False
        while t < max_iter and not gn <= tol:
            w_new = w - eta * g
            g_new = gradient(w_new)
            if not (np.isfinite(w_new).all() and np.isfinite(g_new).all()):
                lost = True  # the step is not taken: the run stops at w_t
                break
            w, g = w_new, g_new
            gn = np.sqrt(np.add.reduce(g * g))
            t += 1
            xs[t], gns[t] = w, gn
        # R̂(w_s) for s = 0..t: empirical_risk's operations, without its check of the margins
        z = y * _scores(xs[: t + 1], X)
        fs = np.mean(np.maximum(0.0, -z) + np.log1p(np.exp(-np.abs(z))), axis=-1)
        limit = fs[0] + 1e10 * (1.0 + np.abs(fs[0]))  # iterate's divergence_factor
        bad = ~(np.isfinite(fs) & (fs <= limit) & np.isfinite(z).all(axis=-1))
        status, stop = (CONVERGED if gn <= tol else MAX_ITER), t
        if bad.any():  # the generic loop stops at the first bad risk, before what follows
            first = int(np.argmax(bad))
            if not np.isfinite(z[first]).all():
                empirical_risk(xs[first], X, y, "logistic")  # refuses the margins, as it does there
            if first == 0 or np.isfinite(fs[first]):  # R̂(w_s) too large: diverged at s
                status, stop, lost = DIVERGED, first, False
            else:  # R̂(w_s) not finite: the step to w_s is not taken
                status, stop, lost = DIVERGED, first - 1, True
            t = stop
        elif lost:
            empirical_risk(w_new, X, y, "logistic")  # the generic loop evaluates the lost step too
            status, stop = DIVERGED, t
    # A step that was not taken leaves one more record, a copy of the last iterate.
    end = t + 2 if lost else t + 1
    if lost:
        xs[t + 1], gns[t + 1] = xs[t], gns[t]
        fs = np.append(fs[: t + 1], fs[t])
    return Trajectory(
        iterates=xs[:end],
        losses=fs[:end],
        grad_norms=gns[:end],
        status=np.asarray(status),
        stopped_at=np.asarray(stop),
        method="gradient descent (fixed)",
        params={"learning_rate": learning_rate, "line_search": "fixed"},
    )
