"""Figures and slider panels of lecture 09, losses and empirical risk.

Everything drawn here is computed by the numerical modules: the losses and risks by
:mod:`course_lib.losses`, the data by :func:`course_lib.data.classification_data` and
:func:`course_lib.data.load_iris`, the training by :func:`course_lib.losses.logistic_regression`.
A linear classifier with an intercept scores a point p ∈ R² as s = w₀ + w₁p₁ + w₂p₂ = xᵀw with
x = (1, p₁, p₂); the margin of a labelled point is z = y·xᵀw, and every loss is a function of z.
"""

from __future__ import annotations

import numpy as np

from course_lib import losses, plots, widgets
from course_lib._checks import as_float_array, as_generator, positive, positive_int
from course_lib.data import classification_data

N_TRAIN = 60  # training points of the panel
N_FRESH = 4_000  # a fresh sample from the same generator: the panel's estimate of the risk
MAX_STEPS = 300  # gradient-descent steps of the panel
BOX = 3.0  # the data live in [−BOX, BOX]²
MARGIN_RANGE = (0.0, 1.5)
NOISE_RANGE = (0.0, 0.4)
ETA_RANGE = (0.01, 30.0)
SEED_RANGE = (0, 20)
Z_RANGE = (-4.0, 4.0)
NORMAL = np.array([1.0, 1.0]) / np.sqrt(2.0)  # the generator's true boundary uᵀp = 0
LOG2 = float(np.log(2.0))
SURROGATE_COLORS = {"zero-one": "k", "hinge": "C1", "logistic / log 2": "C0", "square": "C2"}


# --------------------------------------------------------------------------- helpers


def with_intercept(points) -> np.ndarray:
    """The design matrix X = [1, p]: a column of ones before the points, shape (..., n, d + 1).

    With it, xᵀw = w₀ + pᵀ(w₁, w₂) is an affine score and w₀ moves the boundary off the origin.

    Examples
    --------
    >>> with_intercept(np.array([[2.0, 3.0]])).tolist()
    [[1.0, 2.0, 3.0]]
    """
    p = as_float_array(points, "points", ndim_min=2)
    return np.concatenate([np.ones((*p.shape[:-1], 1)), p], axis=-1)


def margins(w, X, y) -> np.ndarray:
    """The margins zᵢ = yᵢ xᵢᵀw of every point, for one or a batch of w, shape (..., n).

    zᵢ > 0: point i is on the right side of the boundary; zᵢ ≤ 0: a mistake (lecture 09).

    Examples
    --------
    >>> X = np.array([[1.0, 2.0], [1.0, 2.0]])
    >>> margins(np.array([0.0, 1.0]), X, np.array([1, -1])).tolist()
    [2.0, -2.0]
    """
    w = as_float_array(w, "w", ndim_min=1)
    X = as_float_array(X, "X", ndim_min=2)
    y = as_float_array(y, "y", ndim_min=1)
    if w.shape[-1] != X.shape[-1] or y.shape[-1] != X.shape[-2]:
        raise ValueError(f"w {w.shape}, X {X.shape} and y {y.shape} do not match")
    return y * (X @ w[..., None])[..., 0]


def surrogate_curves(z) -> dict:
    """The zero-one loss and its three surrogates at the margins z (lecture 09).

    The logistic loss is measured in bits, log₂(1 + e^(−z)) = log(1 + e^(−z)) / log 2, so that
    it equals 1 at z = 0, where the zero-one loss jumps: then all three lie above 1[z ≤ 0].

    Examples
    --------
    >>> {k: float(v[0]) for k, v in surrogate_curves(np.array([0.0])).items()}
    {'zero-one': 1.0, 'hinge': 1.0, 'logistic / log 2': 1.0, 'square': 1.0}
    """
    z = as_float_array(z, "z")
    return {
        "zero-one": losses.zero_one_loss(z),
        "hinge": losses.hinge_loss(z),
        "logistic / log 2": losses.logistic_loss(z) / LOG2,
        "square": losses.square_loss(z),
    }


def logistic_smoothness(X) -> float:
    """L = λmax(XᵀX) / (4n): the logistic risk's curvature never exceeds it (lecture 09).

    ∇²R̂(w) = (1/n) Σᵢ σ(zᵢ)σ(−zᵢ) xᵢxᵢᵀ and σ(z)σ(−z) ≤ 1/4, so ∇²R̂ ⪯ XᵀX / (4n). Gradient
    descent with a fixed step η < 2/L then lowers the risk at every step.

    Examples
    --------
    >>> logistic_smoothness(np.eye(2))
    0.125
    """
    X = as_float_array(X, "X", ndim_min=2)
    return float(np.linalg.eigvalsh(X.T @ X).max() / (4 * X.shape[0]))


def boundary_segment(w, half_length: float = 4 * BOX) -> np.ndarray:
    """Two points on the decision boundary w₀ + w₁p₁ + w₂p₂ = 0, shape (2, 2).

    The point of the line closest to the origin is q = −w₀ v / ‖v‖² with v = (w₁, w₂); the
    segment runs ±``half_length`` from q along the line's direction (−w₂, w₁) / ‖v‖ (the axes
    clip it). With v = 0 there is no boundary: an empty (0, 2) array.

    Examples
    --------
    >>> boundary_segment(np.array([-1.0, 1.0, 0.0]), half_length=2.0).tolist()  # the line p₁ = 1
    [[1.0, -2.0], [1.0, 2.0]]
    """
    w = as_float_array(w, "w", ndim_min=1)
    if w.shape != (3,):
        raise ValueError(f"w must be (w0, w1, w2) of shape (3,), got {w.shape}")
    half_length = float(positive(half_length, "half_length"))
    if np.any(w != 0):
        w = w / np.abs(w).max()  # the same line; keeps ‖v‖² clear of under- and overflow
    v = w[1:]
    norm2 = float(v @ v)
    if norm2 == 0.0:
        return np.empty((0, 2))
    q = -w[0] * v / norm2
    direction = np.array([-v[1], v[0]]) / np.sqrt(norm2)
    return q + np.array([-half_length, half_length])[:, None] * direction


def flipped_labels(points, y) -> np.ndarray:
    """Which labels the generator flipped: y ≠ sign(uᵀp), u = (1, 1)/√2 (lecture 09).

    :func:`~course_lib.data.classification_data` labels a point by the side of uᵀp = 0 it is
    on (pushing it away from the line keeps the side), then flips some labels at random.

    Examples
    --------
    >>> flipped_labels(np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([1, -1])).tolist()
    [False, True]
    """
    p = as_float_array(points, "points", ndim_min=2)
    return np.asarray(y) != np.where(p @ NORMAL >= 0, 1, -1)


def risk_curves(trajectory, X, y, X_fresh, y_fresh) -> dict:
    """Empirical risks of every iterate w_t of a run, each one batched library call.

    Returns {name: array (T + 1,)}: the logistic and zero-one risks on the training data, and
    the zero-one and logistic risks on a fresh sample (estimates of the risks R(w_t)). The
    fresh sample's two risks share their margins (:func:`zero_one_and_logistic_risks`).
    """
    W = trajectory.iterates
    fresh_zero_one, fresh_logistic = zero_one_and_logistic_risks(W, X_fresh, y_fresh)
    return {
        "logistic, training": losses.empirical_risk(W, X, y, "logistic"),
        "zero-one, training": losses.empirical_risk(W, X, y, "zero_one"),
        "zero-one, fresh sample": fresh_zero_one,
        "logistic, fresh sample": fresh_logistic,
    }


RISK_BLOCK = 32  # weight vectors per block of zero_one_and_logistic_risks: ~1 MB of margins


def zero_one_and_logistic_risks(W, X, y):
    """The zero-one and logistic empirical risks of many weight vectors on one data set.

    R̂₀₋₁(w) = (1/n) Σᵢ 1[zᵢ ≤ 0] and R̂_log(w) = (1/n) Σᵢ log(1 + e^(−zᵢ)), zᵢ = yᵢxᵢᵀw: the
    risks on the panel's fresh sample of every gradient-descent iterate (lecture 09). Equal bit
    for bit to :func:`course_lib.losses.empirical_risk` with ``loss="zero_one"`` and
    ``"logistic"`` (same operations: the count is exact, the logistic loss is
    max(0, −z) + log(1 + e^(−|z|)), here log(1 + e^(−|z|)) − min(z, 0)). Both come from one
    computation of the margins, in blocks of ``RISK_BLOCK`` weight vectors whose buffers stay
    in cache: for 300 iterates and 4000 points, ~3 ms instead of ~11 ms.

    Parameters
    ----------
    W : array_like, shape (..., d)
        Weight vectors.
    X : array_like, shape (n, d)
    y : array_like, shape (n,)
        Labels in {−1, +1}.

    Returns
    -------
    (ndarray, ndarray), each of shape W.shape[:-1]

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]]); y = np.array([1.0, -1.0])
    >>> [r.tolist() for r in zero_one_and_logistic_risks(np.array([1.0, 1.0]), X, y)]
    [0.5, 0.7813261695169263]
    """
    W = as_float_array(W, "W", ndim_min=1)
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    if W.shape[-1] != X.shape[-1]:
        raise ValueError(f"W must have last axis of length {X.shape[-1]} to match X, got {W.shape}")
    losses.empirical_risk(W[(0,) * (W.ndim - 1)], X, y, "zero_one")  # checks y against X
    y = np.asarray(y, float)
    rows = W.reshape(-1, W.shape[-1])
    k, n = rows.shape[0], X.shape[0]
    zero_one, logistic = np.empty(k), np.empty(k)
    block = min(RISK_BLOCK, k)
    z, e, wrong = np.empty((block, n)), np.empty((block, n)), np.empty((block, n), bool)
    zero = np.zeros((block, n))
    for start in range(0, k, block):
        stop = min(start + block, k)
        zb, eb, wb = z[: stop - start], e[: stop - start], wrong[: stop - start]
        np.matmul(X, rows[start:stop, :, None], out=zb[..., None])  # xᵢᵀw, as empirical_risk
        np.multiply(y, zb, out=zb)
        np.less_equal(zb, 0.0, out=wb)
        zero_one[start:stop] = np.add.reduce(wb, axis=-1, dtype=np.intp) / n
        np.abs(zb, out=eb)
        np.negative(eb, out=eb)
        np.exp(eb, out=eb)
        np.log1p(eb, out=eb)
        np.minimum(zb, zero[: stop - start], out=zb)
        np.subtract(eb, zb, out=eb)  # + max(0, −z), as −min(z, 0)
        logistic[start:stop] = np.add.reduce(eb, axis=-1) / n
    return zero_one.reshape(W.shape[:-1]), logistic.reshape(W.shape[:-1])


def fresh_empirical_risks(w, n: int, samples: int, *, margin, label_noise, seed, loss="zero_one"):
    """Empirical risks of one fixed w on ``samples`` fresh data sets of n points (lecture 09).

    One sample of n·samples points from :func:`~course_lib.data.classification_data`, cut into
    ``samples`` data sets of n points: each is a new draw of the training set. Their empirical
    risks, shape (samples,), scatter around the risk R(w) with standard deviation
    √(R(1 − R)/n) for the zero-one loss (a mean of n Bernoulli(R) mistakes).
    """
    n = positive_int(n, "n")
    samples = positive_int(samples, "samples")
    P, y = classification_data(n * samples, margin, label_noise, seed)
    X = with_intercept(P).reshape(samples, n, -1)
    return losses.empirical_risk(w, X, y.reshape(samples, n), loss)


def training_and_fresh_data(margin, label_noise, seed, n=N_TRAIN, n_fresh=N_FRESH):
    """A training set of n points and a fresh sample of n_fresh, from ONE seeded generator.

    The fresh sample comes from the same distribution (same margin and label noise), drawn
    after the training set: its empirical risk estimates the risk R(w).
    """
    rng = as_generator(seed)
    training = classification_data(n, margin, label_noise, rng)
    fresh = classification_data(n_fresh, margin, label_noise, rng)
    return training, fresh


# --------------------------------------------------------------------------- figures


def _draw_surrogates(ax, z, curves=None) -> dict:
    curves = surrogate_curves(z) if curves is None else curves
    lines = {
        name: ax.plot(z, values, color=SURROGATE_COLORS.get(name), lw=2, label=name)[0]
        for name, values in curves.items()
    }
    ax.axvline(0.0, color="0.8", lw=0.8)
    ax.set_xlim(z.min(), z.max())
    ax.set_ylim(-0.1, 4.0)
    ax.set_xlabel("margin z = y·xᵀw")
    ax.set_ylabel("loss ℓ(z)")
    return lines


def surrogates_figure(z, curves: dict) -> plots.Plot:
    """The losses {name: values} against the margin z (lecture 09)."""
    fig, ax = plots.new_figure()
    _draw_surrogates(ax, np.asarray(z, float), curves)
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the losses against the margin z")
    return plots.Plot(fig, ax)


def _draw_points(ax, points, y, *, flipped=None) -> None:
    pos, neg = np.asarray(y) > 0, np.asarray(y) < 0
    ax.plot(*points[pos].T, "o", color="C0", ms=4, label="y = +1")
    ax.plot(*points[neg].T, "s", color="C3", ms=4, label="y = −1")
    if flipped is not None and np.any(flipped):
        ax.plot(*points[flipped].T, "o", mfc="none", mec="k", ms=9, label="flipped label")


def _square_box(ax, box: float = BOX) -> None:
    ax.set_xlim(-box, box)
    ax.set_ylim(-box, box)
    ax.set_aspect("equal")
    ax.set_xlabel("$p_1$")
    ax.set_ylabel("$p_2$")


def classifier_figure(points, y, weights: dict, *, flipped=None, box: float = BOX) -> plots.Plot:
    """The data and the decision boundaries xᵀw = 0 of the classifiers {label: w}."""
    fig, ax = plots.new_figure(size=(5.6, 4.8))
    _draw_points(ax, np.asarray(points, float), y, flipped=flipped)
    t = np.array([-2 * box, 2 * box])
    ax.plot(t, -t, ":", color="0.5", label="true boundary $p_1 + p_2 = 0$")
    for k, (label, w) in enumerate(weights.items()):
        ax.plot(*boundary_segment(w).T, "-", color=f"C{k + 1}", lw=2, label=label)
    _square_box(ax, box)
    ax.legend(fontsize=7, loc="upper left", framealpha=0.85)
    plots.title_axes(fig, "the data and the decision boundaries")
    return plots.Plot(fig, ax)


def risk_along_line_figure(t, curves: dict) -> plots.Plot:
    """Empirical risks {name: values} of w + t·d against t (one line of weight space)."""
    fig, ax = plots.new_figure()
    for name, values in curves.items():
        ax.plot(t, values, lw=2, color=SURROGATE_COLORS.get(name), label=name)
    ax.set_xlabel("t  (weights w + t·d)")
    ax.set_ylabel("empirical risk $\\hat R$")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the empirical risks along one line of weight space")
    return plots.Plot(fig, ax)


def risk_histogram_figure(fresh, risk: float, training: float, n: int) -> plots.Plot:
    """Histogram of empirical risks on fresh data sets, with the risk and the training risk."""
    fig, ax = plots.new_figure()
    fresh = np.asarray(fresh, float)
    edges = np.arange(fresh.min() - 0.5 / n, fresh.max() + 1.0 / n, 1.0 / n)
    ax.hist(fresh, bins=edges, color="C0", alpha=0.6, label=f"$\\hat R$ on fresh sets of n = {n}")
    ax.axvline(risk, color="k", lw=2, label=f"risk R(w) ≈ {risk:.3f}")
    ax.axvline(
        training, color="C3", lw=2, ls="--", label=f"$\\hat R$ on the training set = {training:.3f}"
    )
    ax.set_xlabel("empirical zero-one risk")
    ax.set_ylabel("number of data sets")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the empirical risk on fresh data sets")
    return plots.Plot(fig, ax)


def spread_figure(sizes, measured, predicted) -> plots.Plot:
    """Standard deviation of the empirical risk against n: measured (dots), √(R(1−R)/n) (line)."""
    fig, ax = plots.new_figure()
    ax.plot(sizes, predicted, "-", color="0.3", lw=2, label="predicted $\\sqrt{R(1-R)/n}$")
    ax.plot(sizes, measured, "o", color="C1", ms=7, label="measured over fresh data sets")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("data set size n")
    ax.set_ylabel("std of $\\hat R_{0-1}(w)$")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the spread of the empirical risk against n")
    return plots.Plot(fig, ax)


def curves_figure(curves: dict, *, xlabel="gradient-descent step t", ylabel="") -> plots.Plot:
    """Curves {label: y} against their index t = 0, 1, ..., on a log y axis."""
    fig, ax = plots.new_figure()
    for label, values in curves.items():
        values = np.asarray(values, float)
        ax.plot(np.arange(values.size), values, lw=2, label=label)
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    plots.title_axes(fig, "the curves along the run")
    return plots.Plot(fig, ax)


def separable_figure(trajectory) -> plots.Plot:
    """Separable data: ‖w_t‖ (left) and the logistic risk R̂(w_t) (right), log step axis."""
    fig, (left, right) = plots.new_figure(1, 2)
    t = np.arange(1, trajectory.losses.size)
    left.plot(t, np.linalg.norm(trajectory.iterates[1:], axis=-1), color="C1", lw=2)
    left.set_xscale("log")
    left.set_xlabel("step t")
    left.set_ylabel("$\\|w_t\\|$")
    right.plot(t, trajectory.losses[1:], color="C0", lw=2)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("step t")
    right.set_ylabel("logistic risk $\\hat R(w_t)$")
    plots.title_axes(fig, "the norm of w on separable data", "the logistic risk on separable data")
    return plots.Plot(fig, left)


def softmax_regions_figure(W, points, labels, names, *, resolution: int = 200) -> plots.Plot:
    """Where softmax regression predicts each class (argmax of xᵀW), with the data on top.

    ``W`` is the (3, k) weight matrix for x = (1, p₁, p₂); ``points`` (n, 2) in the same
    (standardised) coordinates.
    """
    points = np.asarray(points, float)
    resolution = positive_int(resolution, "resolution")
    lo, hi = points.min(axis=0) - 0.5, points.max(axis=0) + 0.5
    g1, g2 = np.meshgrid(*(np.linspace(lo[i], hi[i], resolution) for i in range(2)))
    grid = with_intercept(np.stack([g1, g2], axis=-1))  # (r, r, 3)
    predicted = np.argmax(grid @ W, axis=-1)
    fig, ax = plots.new_figure()
    ax.contourf(
        g1,
        g2,
        predicted,
        levels=np.arange(len(names) + 1) - 0.5,
        colors=[f"C{k}" for k in range(len(names))],
        alpha=0.2,
    )
    for k, name in enumerate(names):
        ax.plot(*points[labels == k].T, "os^"[k % 3], color=f"C{k}", ms=4, label=name)
    ax.set_xlabel("petal length (standardised)")
    ax.set_ylabel("petal width (standardised)")
    ax.legend(fontsize=8, loc="upper left")
    plots.title_axes(fig, "where softmax regression predicts each class")
    return plots.Plot(fig, ax)


# --------------------------------------------------------------------------- the panel


def draw_classifier():
    """Figure of the classifier panel: data and boundary | losses at the margins | risks.

    Returns the figure and a dict of the artists :func:`update_classifier` moves.
    """
    fig, (left, middle, right) = plots.new_figure(1, 3, size=(13.5, 4.4))
    a = {}
    (a["positive"],) = left.plot([], [], "o", color="C0", ms=4, label="y = +1")
    (a["negative"],) = left.plot([], [], "s", color="C3", ms=4, label="y = −1")
    (a["flipped"],) = left.plot([], [], "o", mfc="none", mec="k", ms=9, label="flipped label")
    t = np.array([-2 * BOX, 2 * BOX])
    left.plot(t, -t, ":", color="0.5", label="true boundary")
    (a["boundary"],) = left.plot([], [], "-", color="C2", lw=2.5, label="GD boundary xᵀw = 0")
    _square_box(left)
    left.legend(fontsize=6.5, loc="upper left", framealpha=0.85)

    z = np.linspace(*Z_RANGE, 401)
    _draw_surrogates(middle, z)
    (a["right"],) = middle.plot([], [], "o", color="C0", ms=4, alpha=0.7, label="points, zᵢ > 0")
    (a["wrong"],) = middle.plot([], [], "s", color="C3", ms=4, alpha=0.7, label="mistakes, zᵢ ≤ 0")
    middle.set_title("each point's margin zᵢ on the logistic loss (bits)", fontsize=9)
    middle.legend(fontsize=7, loc="upper right")

    steps = np.arange(MAX_STEPS + 1)
    styles = {
        "logistic, training": ("C0", "-"),
        "zero-one, training": ("k", "-"),
        "zero-one, fresh sample": ("k", "--"),
        "logistic, fresh sample": ("C0", "--"),
    }
    a["risks"] = {
        name: right.plot(steps, np.full(steps.size, np.nan), ls, color=c, lw=2, label=name)[0]
        for name, (c, ls) in styles.items()
    }
    right.set_xlim(0, MAX_STEPS)
    right.set_ylim(0.0, 1.0)
    right.set_xlabel("gradient-descent step t")
    right.set_ylabel("risk")
    right.legend(fontsize=7, loc="upper right")
    a["cache"] = {}
    left.set_title("the training points and GD's boundary")
    right.set_title("training and fresh risks")
    return fig, a


def _data(a: dict, margin: float, label_noise: float, seed: int):
    key = (float(margin), float(label_noise), int(seed))
    if key not in a["cache"]:  # only the learning rate moved: keep the data
        a["cache"].clear()
        (P, y), (Pf, yf) = training_and_fresh_data(margin, label_noise, seed)
        a["cache"][key] = (P, y, with_intercept(P), with_intercept(Pf), yf)
    return a["cache"][key]


def update_classifier(a: dict, margin, label_noise, learning_rate, seed) -> dict:
    """Draw the data, train by GD, move the artists; returns the readout and the numbers."""
    P, y, X, Xf, yf = _data(a, margin, label_noise, seed)
    run = losses.logistic_regression(X, y, learning_rate=learning_rate, max_iter=MAX_STEPS)
    w = run.final
    a["positive"].set_data(*P[y > 0].T)
    a["negative"].set_data(*P[y < 0].T)
    a["flipped"].set_data(*P[flipped_labels(P, y)].T)
    a["boundary"].set_data(*boundary_segment(w).T)
    z = margins(w, X, y)
    bits = losses.logistic_loss(z) / LOG2
    a["right"].set_data(z[z > 0], bits[z > 0])
    a["wrong"].set_data(z[z <= 0], bits[z <= 0])
    curves = risk_curves(run, X, y, Xf, yf)
    for name, line in a["risks"].items():
        values = np.full(MAX_STEPS + 1, np.nan)
        values[: curves[name].size] = curves[name]
        line.set_data(np.arange(MAX_STEPS + 1), values)
    limit = 2.0 / logistic_smoothness(X)
    final = {name: float(values[-1]) for name, values in curves.items()}
    readout = (
        f"margin {margin:.2f}, label noise {label_noise:.2f}, seed {seed}: n = {y.size} points"
        f"\nGD, η = {learning_rate:.3g} (2/L = {limit:.3g}): {run.status.item()} after "
        f"{int(run.stopped_at)} steps, ‖w‖ = {np.linalg.norm(w):.3g}"
        f"\ntraining: zero-one {final['zero-one, training']:.3f}, "
        f"logistic {final['logistic, training']:.3f}   |   fresh sample of {yf.size}: "
        f"zero-one {final['zero-one, fresh sample']:.3f}, "
        f"logistic {final['logistic, fresh sample']:.3f}"
    )
    return {"readout": readout, "run": run, "curves": curves, "limit": limit, "margins": z}


def classifier_panel(margin=0.3, label_noise=0.1, learning_rate=1.0, seed=0):
    """Sliders: margin (gap between the classes), label noise, learning rate η, seed (lecture 09).

    Left, n = 60 points of :func:`~course_lib.data.classification_data` and the boundary of
    logistic regression after at most 300 steps of gradient descent from w = 0; middle, each
    point's margin zᵢ = yᵢxᵢᵀw on the loss curves; right, the training zero-one and logistic
    risks at every step, and the same risks on a fresh sample of N_FRESH = 4000 points from the same
    generator (the risk). Only η moved: the data are kept, GD runs again.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists and ``panel.state`` the run and the risks.

    Examples
    --------
    >>> panel = classifier_panel()
    >>> "converged" in panel.set(learning_rate=2.0)["readout"]
    True
    """
    fig, artists = draw_classifier()

    def update(margin, label_noise, learning_rate, seed):
        return update_classifier(artists, margin, label_noise, learning_rate, seed)

    controls = {
        "margin": widgets.slider(*MARGIN_RANGE, margin, step=0.05, description="margin"),
        "label_noise": widgets.slider(
            *NOISE_RANGE, label_noise, step=0.02, description="label noise"
        ),
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
        "seed": widgets.slider(*SEED_RANGE, seed, description="seed"),
    }
    moving = [artists[k] for k in ("positive", "negative", "flipped", "boundary", "right", "wrong")]
    return widgets.Panel(
        fig, update, controls, [*moving, *artists["risks"].values()], artists=artists
    )


PANELS = {"classifier": classifier_panel}
