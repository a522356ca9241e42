"""Adaptive methods: AdaGrad, RMSProp, Adam, AdamW and AMSGrad (lecture 12).

Plain (stochastic) gradient descent takes the same step size η in every coordinate. An
adaptive method divides each coordinate's step by a running size of that coordinate's past
gradients, so a steep coordinate gets a small step and a flat one a large step:

    AdaGrad   s ← s + g²                     w ← w − η g / (√s + ε)
    RMSProp   s ← α s + (1 − α) g²           w ← w − η g / (√s + ε)
    Adam      m ← β₁ m + (1 − β₁) g          m̂ = m / (1 − β₁ᵗ)
              v ← β₂ v + (1 − β₂) g²         v̂ = v / (1 − β₂ᵗ)
                                             w ← w − η m̂ / (√v̂ + ε)
    AdamW     w ← (1 − ηλ) w, then the Adam step (decoupled weight decay)
    AMSGrad   Adam with v replaced by its running maximum, v_max ← max(v_max, v)

(squares, roots and divisions are per coordinate). Every update is written as
``torch.optim`` writes it, with its defaults: ε is added *after* the square root, Adam's bias
corrections are 1 − β₁ᵗ and 1 − β₂ᵗ with t counted from 1, an L2 ``weight_decay`` (AdaGrad,
RMSProp, Adam) adds λw to the gradient, AdamW multiplies w by 1 − η_t λ before the step, and
AdaGrad's ``lr_decay`` divides η by 1 + (t − 1)·lr_decay.

Three ways to run them, all returning a :class:`~course_lib.trajectory.Trajectory`:

- on a data set, like :func:`course_lib.stochastic.sgd` (same minibatch streams, seeds,
  schedules, stopping rules and K-at-once batching): :func:`adagrad`, :func:`rmsprop`,
  :func:`adam`, :func:`adamw`. Their run options are those of ``sgd``: ``batch_size``,
  ``epochs``, ``schedule``, ``replace``, ``seed``, ``loss``, ``grad``, ``record``,
  ``schedule_kw``, ``tol``, ``divergence_factor``; ``batch_size=n`` gives full-batch steps;
- on an :class:`~course_lib.objectives.Objective` with exact gradients:
  :func:`adaptive_descent`;
- on an online problem whose gradient changes with t, optionally projected onto a box:
  :func:`online_descent` (the non-convergence example of Reddi, Kale and Kumar, 2018), and,
  when the losses are linear (gradients that do not depend on x), Adam and AMSGrad with
  every step at once: :func:`online_adam_linear`.

Learning rates and hyper-parameters given as arrays broadcast together (and with a sequence
of seeds): one call runs every configuration.
"""

from __future__ import annotations

import numpy as np

from course_lib._checks import (
    as_dataset,
    as_float_array,
    as_generator,
    as_points,
    boolean,
    broadcast_together,
    callable_arg,
    in_unit_interval,
    number,
    one_of,
    positive,
    positive_int,
)
from course_lib.objectives import Objective
from course_lib.stochastic import (
    _batch_size,
    _epoch_order,
    _full_batch,
    _seeds,
    _trajectory,
    learning_rate_schedule,
    least_squares_gradient,
    least_squares_loss,
)
from course_lib.trajectory import MAX_ITER, Trajectory, iterate

METHODS = ("adagrad", "rmsprop", "adam", "adamw")

DEFAULTS = {
    "adagrad": {
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    },
    "rmsprop": {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0},
    "adam": {
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
        "bias_correction": True,
    },
    "adamw": {
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 1e-2,
        "amsgrad": False,
        "bias_correction": True,
    },
}
"""torch.optim's defaults for each method (AdamW's weight decay is 0.01, Adam's 0)."""

RUN_OPTIONS = {
    "batch_size": 1,
    "epochs": 1,
    "schedule": "constant",
    "replace": False,
    "seed": 0,
    "loss": least_squares_loss,
    "grad": least_squares_gradient,
    "record": "epoch",
    "schedule_kw": None,
    "tol": 1e-12,
    "divergence_factor": 1e10,
}
"""The run options of the data-set methods and their defaults (those of ``sgd``)."""


# --------------------------------------------------------------------------- one step of each


def adagrad_step(w, g, state, t, learning_rate, *, lr_decay=0.0, weight_decay=0.0, eps=1e-10):
    """One AdaGrad step (lecture 12): s ← s + g²,  w ← w − η_t g / (√s + ε).

    η_t = η / (1 + (t − 1)·lr_decay) and, with weight decay λ, g ← g + λw first
    (``torch.optim.Adagrad``). ``state["sum"]`` holds s (start: ``initial_accumulator_value``)
    and is updated in place; t counts steps from 1. Returns the new w.

    Examples
    --------
    >>> state = {"sum": np.zeros(2)}
    >>> adagrad_step(np.zeros(2), np.array([2.0, -0.5]), state, 1, 0.1, eps=0.0)
    array([-0.1,  0.1])
    """
    w, g, state = _step_arrays(w, g, state, ("sum",))
    t, learning_rate = positive_int(t, "t"), positive(learning_rate, "learning_rate")
    lr_decay = positive(lr_decay, "lr_decay", allow_zero=True)
    weight_decay = positive(weight_decay, "weight_decay", allow_zero=True)
    eps = positive(eps, "eps", allow_zero=True)
    broadcast_together(w=w, learning_rate=learning_rate, lr_decay=lr_decay,
                       weight_decay=weight_decay, eps=eps)  # fmt: skip
    return _adagrad_update(w, g, state, t, learning_rate, lr_decay, weight_decay, eps)


def rmsprop_step(
    w, g, state, t, learning_rate, *, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0
):
    """One RMSProp step (lecture 12): s ← αs + (1 − α)g²,  w ← w − η g / (√s + ε).

    With momentum μ > 0 the scaled gradient goes through a velocity, b ← μb + g/(√s + ε),
    w ← w − ηb; with weight decay λ, g ← g + λw first (``torch.optim.RMSprop``, not
    centred). ``state`` holds ``"square_avg"`` (s, from 0) and ``"velocity"`` (b, from 0).

    Examples
    --------
    >>> state = {"square_avg": np.zeros(1), "velocity": np.zeros(1)}
    >>> rmsprop_step(np.zeros(1), np.array([2.0]), state, 1, 0.1, alpha=0.75, eps=0.0)
    array([-0.2])
    """
    momentum = in_unit_interval(momentum, "momentum")
    w, g, state = _step_arrays(
        w, g, state, ("square_avg", "velocity") if np.any(momentum) else ("square_avg",)
    )
    t, learning_rate = positive_int(t, "t"), positive(learning_rate, "learning_rate")
    alpha = in_unit_interval(alpha, "alpha")
    eps = positive(eps, "eps", allow_zero=True)
    weight_decay = positive(weight_decay, "weight_decay", allow_zero=True)
    broadcast_together(w=w, learning_rate=learning_rate, alpha=alpha, eps=eps,
                       weight_decay=weight_decay, momentum=momentum)  # fmt: skip
    return _rmsprop_update(w, g, state, t, learning_rate, alpha, eps, weight_decay, momentum)


def adam_step(
    w,
    g,
    state,
    t,
    learning_rate,
    *,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    weight_decay=0.0,
    decoupled=False,
    amsgrad=False,
    bias_correction=True,
):
    """One Adam step (lecture 12), as ``torch.optim.Adam`` / ``AdamW`` take it.

        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
        w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).

    ``decoupled=False``: weight decay λ is an L2 term, g ← g + λw (Adam). ``decoupled=True``:
    w ← (1 − ηλ)w before the step (AdamW). ``amsgrad``: v in the step is replaced by its
    running maximum ``state["v_max"]``. ``bias_correction=False`` drops both 1 − βᵗ factors
    (the bare exponential averages, which start biased towards 0). ``state`` holds ``"m"``,
    ``"v"`` (and ``"v_max"``), all from 0, updated in place; t counts steps from 1.

    Examples
    --------
    >>> state = {"m": np.zeros(2), "v": np.zeros(2), "v_max": np.zeros(2)}
    >>> adam_step(np.zeros(2), np.array([3.0, -1e-3]), state, 1, 0.1, eps=0.0)  # ±η at t = 1
    array([-0.1,  0.1])
    """
    amsgrad = boolean(amsgrad, "amsgrad")
    w, g, state = _step_arrays(w, g, state, ("m", "v", "v_max") if amsgrad else ("m", "v"))
    t, learning_rate = positive_int(t, "t"), positive(learning_rate, "learning_rate")
    beta1, beta2 = in_unit_interval(beta1, "beta1"), in_unit_interval(beta2, "beta2")
    eps = positive(eps, "eps", allow_zero=True)
    weight_decay = positive(weight_decay, "weight_decay", allow_zero=True)
    decoupled = boolean(decoupled, "decoupled")
    bias_correction = _flags(bias_correction, "bias_correction")
    broadcast_together(w=w, learning_rate=learning_rate, beta1=beta1, beta2=beta2, eps=eps,
                       weight_decay=weight_decay, bias_correction=bias_correction)  # fmt: skip
    return _adam_update(
        w, g, state, t, learning_rate, beta1, beta2, eps, weight_decay, decoupled, amsgrad,
        bias_correction,
    )  # fmt: skip


def _step_arrays(w, g, state, keys):
    """w, g and the state arrays of a public step, checked: finite, shapes broadcasting."""
    w = as_float_array(w, "w", ndim_min=1)
    g = as_float_array(g, "g", ndim_min=1)
    if not isinstance(state, dict):
        raise TypeError(
            f"state must be a dict holding the arrays {list(keys)}, got {type(state).__name__}"
        )
    missing = [k for k in keys if k not in state]
    if missing:
        raise ValueError(f"state must hold the arrays {list(keys)}; missing {missing}")
    arrays = {k: as_float_array(state[k], f"state[{k!r}]") for k in keys}
    broadcast_together(w=w, g=g, **{f"state[{k!r}]": v for k, v in arrays.items()})
    state.update(arrays)
    return w, g, state


def _flags(value, name):
    """True/False, or an array of them (one per run)."""
    if isinstance(value, (str, bytes)) or np.asarray(value).dtype != bool:
        raise TypeError(f"{name} must be True or False (or an array of them), got {value!r}")
    return value if np.ndim(value) == 0 else np.asarray(value, dtype=bool)


# The update kernels: no checks (the methods check their arguments once, not every step).


def _adagrad_update(w, g, state, t, learning_rate, lr_decay, weight_decay, eps):
    if np.any(weight_decay):
        g = g + weight_decay * w
    eta = learning_rate / (1.0 + (t - 1) * lr_decay)
    state["sum"] = state["sum"] + g * g
    return w - eta * (g / (np.sqrt(state["sum"]) + eps))


def _rmsprop_update(w, g, state, t, learning_rate, alpha, eps, weight_decay, momentum):
    if np.any(weight_decay):
        g = g + weight_decay * w
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * (g * g)
    scaled = g / (np.sqrt(state["square_avg"]) + eps)
    if np.any(momentum):
        state["velocity"] = momentum * state["velocity"] + scaled
        scaled = state["velocity"]
    return w - learning_rate * scaled


def _adam_update(
    w, g, state, t, learning_rate, beta1, beta2, eps, weight_decay, decoupled, amsgrad,
    bias_correction,
):  # fmt: skip
    if np.any(weight_decay):
        if decoupled:
            w = w * (1 - learning_rate * weight_decay)
        else:
            g = g + weight_decay * w
    state["m"] = beta1 * state["m"] + (1 - beta1) * g
    state["v"] = beta2 * state["v"] + (1 - beta2) * (g * g)
    v = state["v"]
    if amsgrad:
        v = state["v_max"] = np.maximum(state["v_max"], v)
    if np.ndim(bias_correction) == 0:  # one flag for every run: plain numbers, no arrays
        correction1, correction2 = (1 - beta1**t, 1 - beta2**t) if bias_correction else (1.0, 1.0)
    else:
        correction1 = np.where(bias_correction, 1 - beta1**t, 1.0)
        correction2 = np.where(bias_correction, 1 - beta2**t, 1.0)
    denominator = np.sqrt(v) / np.sqrt(correction2) + eps
    return w - (learning_rate / correction1) * (state["m"] / denominator)


# --------------------------------------------------------------------------- hyper-parameters


def _hyper(method, given: dict) -> dict:
    """The method's hyper-parameters: defaults filled in, each checked and named in errors."""
    one_of(method, "method", METHODS)
    unknown = set(given) - set(DEFAULTS[method])
    if unknown:
        raise TypeError(
            f"{method} got unexpected hyper-parameter(s) {sorted(unknown)}; "
            f"it takes {sorted(DEFAULTS[method])}"
        )
    h = {**DEFAULTS[method], **given}
    out = {"eps": positive(h["eps"], "eps", allow_zero=True)}
    out["weight_decay"] = positive(h["weight_decay"], "weight_decay", allow_zero=True)
    if method == "adagrad":
        out["lr_decay"] = positive(h["lr_decay"], "lr_decay", allow_zero=True)
        out["initial_accumulator_value"] = positive(
            h["initial_accumulator_value"], "initial_accumulator_value", allow_zero=True
        )
    elif method == "rmsprop":
        out["alpha"] = in_unit_interval(h["alpha"], "alpha")
        out["momentum"] = in_unit_interval(h["momentum"], "momentum")
    else:
        betas = h["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (β₁, β₂), got {betas!r}")
        out["beta1"] = in_unit_interval(betas[0], "betas[0] (β₁)")
        out["beta2"] = in_unit_interval(betas[1], "betas[1] (β₂)")
        for flag in ("amsgrad", "bias_correction"):
            value = h[flag]
            if np.asarray(value).dtype != bool:
                raise TypeError(f"{flag} must be True or False, got {value!r}")
        if np.ndim(h["amsgrad"]) != 0:
            raise ValueError(f"amsgrad must be a single True or False, got {h['amsgrad']!r}")
        out["amsgrad"] = bool(h["amsgrad"])
        out["bias_correction"] = np.asarray(h["bias_correction"], dtype=bool)
    return out


_ARRAYS = (
    "initial_accumulator_value",
    "eps",
    "weight_decay",
    "lr_decay",
    "alpha",
    "momentum",
    "beta1",
    "beta2",
    "bias_correction",
)


def _batch_shape(learning_rate, hyper, seeds=None, x_batch=()):
    """The batch shape of the runs: learning rates, hyper-parameters (and seeds, x0) together."""
    shapes = {"learning_rate": np.shape(learning_rate)}
    shapes.update({k: np.shape(v) for k, v in hyper.items() if k in _ARRAYS})
    if seeds is not None:
        shapes["seed"] = (len(seeds),)
    if x_batch:
        shapes["x0"] = tuple(x_batch)
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError:
        listed = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(
            f"the learning rate and the hyper-parameters must broadcast together, got {listed} "
            "(use learning_rate[:, None] for a grid)"
        ) from None


def _rule(method, hyper):
    """(initial state for w, update(w, g, state, t, η)) with per-run columns of the hypers."""
    # per-run values as columns against w (*batch, d); a single value as a plain number
    col = {
        k: (v[..., None] if np.ndim(v) else v.item()) if k in _ARRAYS else v
        for k, v in hyper.items()
    }

    if method == "adagrad":

        def init(w):
            return {"sum": np.broadcast_to(col["initial_accumulator_value"], w.shape).copy()}

        def update(w, g, state, t, eta):
            return _adagrad_update(
                w, g, state, t, eta, col["lr_decay"], col["weight_decay"], col["eps"]
            )

    elif method == "rmsprop":

        def init(w):
            return {"square_avg": np.zeros_like(w), "velocity": np.zeros_like(w)}

        def update(w, g, state, t, eta):
            return _rmsprop_update(
                w, g, state, t, eta, col["alpha"], col["eps"], col["weight_decay"],
                col["momentum"],
            )  # fmt: skip

    else:

        def init(w):
            return {"m": np.zeros_like(w), "v": np.zeros_like(w), "v_max": np.zeros_like(w)}

        def update(w, g, state, t, eta):
            return _adam_update(
                w, g, state, t, eta, col["beta1"], col["beta2"], col["eps"],
                col["weight_decay"], method == "adamw", col["amsgrad"], col["bias_correction"],
            )  # fmt: skip

    return init, update


def _params(method, learning_rate, given):
    return {"method": method, "learning_rate": learning_rate, **DEFAULTS[method], **given}


# --------------------------------------------------------------------------- on a data set


def adagrad(
    X,
    y,
    w0,
    learning_rate=0.01,
    *,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    **options,
) -> Trajectory:
    """Minibatch AdaGrad (lecture 12): s ← s + g²,  w ← w − η_t g / (√s + ε).

    The update of ``torch.optim.Adagrad(lr=η, lr_decay, weight_decay,
    initial_accumulator_value, eps)`` on the batches of :func:`course_lib.stochastic.sgd`
    (same seed, same batches). s only grows, so every coordinate's step shrinks like 1/√t
    on its own clock: large for coordinates with small gradients.

    Parameters
    ----------
    X, y, w0
        The data set and the start, as for ``sgd``.
    learning_rate : float or array_like
        η > 0 (arrays run several at once; torch's default 0.01).
    lr_decay, weight_decay, initial_accumulator_value, eps : float or array_like
        All ≥ 0; each broadcasts with ``learning_rate`` (and the seeds).
    **options
        The run options of ``sgd`` (:data:`RUN_OPTIONS`): batch_size, epochs, schedule,
        replace, seed, loss, grad, record, schedule_kw, tol, divergence_factor.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ np.array([1.0, -2.0])
    >>> traj = adagrad(X, y, np.zeros(2), 0.5, batch_size=10, epochs=30)
    >>> bool(np.allclose(traj.final, [1.0, -2.0], atol=1e-3))
    True
    """
    given = {
        "lr_decay": lr_decay,
        "weight_decay": weight_decay,
        "initial_accumulator_value": initial_accumulator_value,
        "eps": eps,
    }
    return _run_on_data("adagrad", X, y, w0, learning_rate, given, options)


def rmsprop(
    X, y, w0, learning_rate=0.01, *, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, **options
) -> Trajectory:
    """Minibatch RMSProp (lecture 12): s ← αs + (1 − α)g²,  w ← w − η g / (√s + ε).

    The update of ``torch.optim.RMSprop(lr=η, alpha, eps, weight_decay, momentum,
    centered=False)`` on the batches of :func:`course_lib.stochastic.sgd`. Unlike AdaGrad's
    sum, s is an exponential average over about 1/(1 − α) steps, so the step size does not
    decay to zero.

    Parameters
    ----------
    X, y, w0
        As for ``sgd``.
    learning_rate : float or array_like
        η > 0 (torch's default 0.01).
    alpha : float or array_like
        α in [0, 1), the smoothing constant (0.99).
    eps, weight_decay : float or array_like
        ≥ 0.
    momentum : float or array_like
        μ in [0, 1): b ← μb + g/(√s + ε), w ← w − ηb.
    **options
        The run options of ``sgd`` (:data:`RUN_OPTIONS`).

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ np.array([1.0, -2.0])
    >>> rmsprop(X, y, np.zeros(2), [0.001, 0.01], batch_size=10, epochs=2).iterates.shape
    (2, 3, 2)
    """
    given = {"alpha": alpha, "eps": eps, "weight_decay": weight_decay, "momentum": momentum}
    return _run_on_data("rmsprop", X, y, w0, learning_rate, given, options)


def adam(
    X,
    y,
    w0,
    learning_rate=0.001,
    *,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    bias_correction=True,
    **options,
) -> Trajectory:
    """Minibatch Adam (lecture 12), the update of ``torch.optim.Adam``.

        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
        w ← w − η_t m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ),

    with g the minibatch gradient (plus λw when ``weight_decay`` λ > 0: an L2 term, see
    :func:`adamw` for the decoupled form). ``amsgrad=True`` uses the running maximum of v
    (AMSGrad, as torch's ``amsgrad=True``); ``bias_correction=False`` drops the 1 − βᵗ
    factors (not a torch option: the lecture's "before the correction").

    Parameters
    ----------
    X, y, w0
        As for ``sgd``.
    learning_rate : float or array_like
        η > 0 (torch's default 0.001).
    betas : pair of float or array_like
        (β₁, β₂), each in [0, 1).
    eps, weight_decay : float or array_like
        ≥ 0.
    amsgrad : bool
    bias_correction : bool or array_like of bool
    **options
        The run options of ``sgd`` (:data:`RUN_OPTIONS`).

    Returns
    -------
    Trajectory
        As for ``sgd``; ``losses`` and ``grad_norms`` are those of the data loss, without the
        weight-decay term.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 2)); y = X @ np.array([1.0, -2.0])
    >>> traj = adam(X, y, np.zeros(2), 0.05, batch_size=100, epochs=500)  # full batch
    >>> bool(np.allclose(traj.final, [1.0, -2.0], atol=1e-3))
    True
    """
    given = {
        "betas": betas,
        "eps": eps,
        "weight_decay": weight_decay,
        "amsgrad": amsgrad,
        "bias_correction": bias_correction,
    }
    return _run_on_data("adam", X, y, w0, learning_rate, given, options)


def adamw(
    X,
    y,
    w0,
    learning_rate=0.001,
    *,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=1e-2,
    amsgrad=False,
    bias_correction=True,
    **options,
) -> Trajectory:
    """Minibatch AdamW (lecture 12): decoupled weight decay, ``torch.optim.AdamW``.

        w ← (1 − η_t λ) w,   then the Adam step of :func:`adam` with the plain gradient g.

    In Adam an L2 term λw is added to g and then divided by √v̂: heavily-updated
    coordinates are barely regularised. AdamW shrinks every weight by the same factor
    1 − η_t λ, outside the adaptive scaling (Loshchilov and Hutter, 2019).

    Parameters
    ----------
    As for :func:`adam`; ``weight_decay`` λ ≥ 0 (torch's default 0.01).

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> X, y = np.eye(2), np.zeros(2)   # L(w) = ¼‖w‖², gradient w / 2
    >>> w = adamw(X, y, [1.0, 1.0], 0.1, weight_decay=0.5, batch_size=2, epochs=1).final
    >>> np.round(w, 6).tolist()   # shrunk by 1 − ηλ = 0.95, then the first Adam step, −η
    [0.85, 0.85]
    """
    given = {
        "betas": betas,
        "eps": eps,
        "weight_decay": weight_decay,
        "amsgrad": amsgrad,
        "bias_correction": bias_correction,
    }
    return _run_on_data("adamw", X, y, w0, learning_rate, given, options)


def _options(options: dict) -> dict:
    unknown = set(options) - set(RUN_OPTIONS)
    if unknown:
        raise TypeError(
            f"unexpected keyword argument(s) {sorted(unknown)}; the run options are "
            f"{sorted(RUN_OPTIONS)}"
        )
    return {**RUN_OPTIONS, **options}


def _run_on_data(method, X, y, w0, learning_rate, given, options) -> Trajectory:
    """The minibatch loop of :func:`course_lib.stochastic.sgd` with an adaptive update."""
    o = _options(options)
    X, y = as_dataset(X, y)
    n, d = X.shape
    w0 = as_float_array(w0, "w0", ndim_min=1)
    if w0.ndim != 1 or (o["grad"] is least_squares_gradient and w0.shape != (d,)):
        raise ValueError(f"w0 must have shape ({d},) to match X {X.shape}, got {w0.shape}")
    lr = positive(learning_rate, "learning_rate")
    hyper = _hyper(method, given)
    b = _batch_size(o["batch_size"], n)
    epochs = positive_int(o["epochs"], "epochs")
    one_of(o["record"], "record", ("epoch", "step"))
    boolean(o["replace"], "replace")
    loss, grad = callable_arg(o["loss"], "loss"), callable_arg(o["grad"], "grad")
    tol = o["tol"]
    if np.ndim(tol) != 0:
        raise ValueError(f"tol must be a single number, got shape {np.shape(tol)}")
    positive(tol, "tol", allow_zero=True)
    positive(number(o["divergence_factor"], "divergence_factor"), "divergence_factor")
    schedule_kw = o["schedule_kw"]
    if schedule_kw is not None and not isinstance(schedule_kw, dict):
        raise TypeError(f"schedule_kw must be a dict or None, got {type(schedule_kw).__name__}")
    seeds = _seeds(o["seed"])
    batch_shape = _batch_shape(lr, hyper, seeds)

    steps = n // b
    total = steps * epochs
    etas = learning_rate_schedule(o["schedule"], lr, total, **(schedule_kw or {}))
    etas = np.moveaxis(np.broadcast_to(etas, (*batch_shape, total)), -1, 0)[..., None]
    rngs = [as_generator(o["seed"])] if seeds is None else [as_generator(s) for s in seeds]
    n_records = (epochs if o["record"] == "epoch" else total) + 1
    w = np.broadcast_to(w0, (*batch_shape, w0.size)).copy()
    ws = np.empty((n_records, *batch_shape, w0.size))
    ws[0] = w
    dead = np.zeros(batch_shape, dtype=bool)
    deaths = np.zeros((n_records, *batch_shape), dtype=bool)
    init, update = _rule(method, hyper)
    state = init(w)
    f0, gn0 = _full_batch(w0[None], X, y, loss, grad)
    limit = f0[0] + o["divergence_factor"] * (1 + np.abs(f0[0]))

    k = 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(epochs):
            order = [_epoch_order(rng, n, steps * b, o["replace"]) for rng in rngs]
            order = order[0] if seeds is None else np.stack(order)
            Xp, yp = np.take(X, order, axis=0), np.take(y, order)
            for s in range(steps):
                t = epoch * steps + s
                i = s * b
                g = grad(w, Xp[..., i : i + b, :], yp[..., i : i + b])
                new = update(w, g, state, t + 1, etas[t])
                ok = np.all(np.isfinite(new), axis=-1) & ~dead
                if ok.all():
                    w = new
                else:  # freeze a run at its last finite point: a user's loss may refuse inf
                    dead = ~ok
                    w = np.where(ok[..., None], new, w)
                if o["record"] == "step" or s == steps - 1:
                    k += 1
                    ws[k] = w
                    deaths[k] = dead
            if dead.all():
                break
    params = _params(method, learning_rate, given)
    params.update({key: o[key] for key in ("batch_size", "epochs", "schedule", "replace", "seed")})
    params["record"] = o["record"]
    traj = _trajectory(
        ws[: k + 1], deaths[: k + 1], X, y, loss, grad, limit, tol, (f0[0], gn0[0]), params
    )
    return _renamed(traj, method)


NAMES = {"adagrad": "AdaGrad", "rmsprop": "RMSProp", "adam": "Adam", "adamw": "AdamW"}


def _renamed(traj: Trajectory, method: str) -> Trajectory:
    name = NAMES[method]
    if traj.params.get("amsgrad") is True:
        name = "AMSGrad" if method == "adam" else "AdamW (AMSGrad)"
    return Trajectory(
        traj.iterates,
        traj.losses,
        traj.grad_norms,
        traj.status,
        traj.stopped_at,
        method=name,
        params=traj.params,
    )


# --------------------------------------------------------------------------- exact gradients


def adaptive_descent(
    objective, x0, learning_rate, method="adam", *, max_iter=1000, tol=1e-8, **hyper
) -> Trajectory:
    """An adaptive method on an :class:`Objective` with its exact gradient (lecture 12).

    The deterministic counterpart of :func:`adam` and friends: every step uses ∇f(x_t),
    with the same update (and the same defaults, from :data:`DEFAULTS`) as ``torch.optim``.
    Stopping rules and K-at-once batching are those of :func:`course_lib.descent.heavy_ball`.

    Parameters
    ----------
    objective : Objective
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
        η > 0.
    method : {"adagrad", "rmsprop", "adam", "adamw"}
    max_iter : int
    tol : float
        Stop when ‖∇f‖ ≤ tol.
    **hyper
        The method's hyper-parameters (``betas``, ``eps``, ``amsgrad``, ... see
        :data:`DEFAULTS`); arrays broadcast with ``learning_rate``.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> f = quadratic([1.0, 100.0])
    >>> traj = adaptive_descent(f, [1.0, 1.0], 0.01, "adam", max_iter=3)
    >>> np.round(traj.iterates[1], 6).tolist()   # the first Adam step is ±η in each coordinate
    [0.99, 0.99]
    """
    if not isinstance(objective, Objective):
        raise TypeError(
            f"objective must be a course_lib.objectives.Objective, got {type(objective).__name__}"
        )
    lr = positive(learning_rate, "learning_rate")
    h = _hyper(method, hyper)
    x0 = as_points(x0, "x0", objective.dim)
    positive_int(max_iter, "max_iter")
    if np.ndim(tol) != 0:
        raise ValueError(f"tol must be a single number, got shape {np.shape(tol)}")
    positive(tol, "tol", allow_zero=True)
    batch = _batch_shape(lr, h, x_batch=x0.shape[:-1])
    x = np.broadcast_to(x0, (*batch, objective.dim)).copy()
    init, update = _rule(method, h)
    state = init(x)
    eta = lr[..., None]

    def step(x, g, t):
        return update(x, g, state, t + 1, eta)

    traj = iterate(
        step,
        x,
        objective.value,
        objective.gradient,
        value_and_gradient=objective.value_and_gradient,
        max_iter=max_iter,
        tol=tol,
        method=NAMES[method],
        params=_params(method, learning_rate, hyper),
    )
    return _renamed(traj, method)


# --------------------------------------------------------------------------- online problems

DECAYS = ("constant", "inverse_sqrt")


def online_descent(
    gradient,
    x0,
    learning_rate,
    steps,
    method="adam",
    *,
    value=None,
    bounds=None,
    decay="inverse_sqrt",
    **hyper,
) -> Trajectory:
    """An adaptive method on an online problem: at step t the loss is f_t (lecture 12).

        x_{t+1} = Π(x_t − update(∇f_t(x_t))),   η_t = η / √t  (``decay="inverse_sqrt"``),

    where Π clips to the box ``bounds`` (for a box the Euclidean projection and the
    √v̂-weighted projection of Reddi et al. coincide). This is the setting of the
    non-convergence example of Reddi, Kale and Kumar (2018): f_t(x) = Cx when t mod 3 = 1,
    −x otherwise, on [−1, 1] (:func:`reddi_gradient`).

    Parameters
    ----------
    gradient : callable
        ``gradient(x, t)`` -> ∇f_t(x), for x of shape (*batch, d) and t = 1, 2, ...
    x0 : array_like, shape (d,) or (*batch, d)
    learning_rate : float or array_like
        η > 0.
    steps : int
    method : {"adagrad", "rmsprop", "adam", "adamw"}
    value : callable, optional
        ``value(x, t)`` -> f_t(x), stored as ``losses`` (f_t at x_{t−1}; nan without it).
    bounds : (low, high), optional
        The box the iterates are projected onto.
    decay : {"inverse_sqrt", "constant"}
    **hyper
        The method's hyper-parameters (:data:`DEFAULTS`), broadcasting with η.

    Returns
    -------
    Trajectory
        ``losses[..., t]`` is f_{t+1}(x_t) (the loss the learner pays at step t + 1; the
        last entry, with no step after it, is nan); ``grad_norms`` likewise ‖∇f_{t+1}(x_t)‖;
        status ``"max_iter"`` (an online run has no optimum to converge to).

    Examples
    --------
    >>> traj = online_descent(reddi_gradient, [0.0], 0.5, 600, "adam",
    ...                       betas=(0.0, 0.1), bounds=(-1, 1))
    >>> float(traj.final[0])   # drifts to the worst point +1; the optimum is −1
    1.0
    """
    callable_arg(gradient, "gradient")
    if value is not None:
        callable_arg(value, "value")
    lr = positive(learning_rate, "learning_rate")
    steps = positive_int(steps, "steps")
    one_of(decay, "decay", DECAYS)
    h = _hyper(method, hyper)
    x0 = as_float_array(x0, "x0", ndim_min=1)
    low, high = _bounds(bounds)
    if bounds is not None:
        x0 = np.clip(x0, low, high)
    batch = _batch_shape(lr, h, x_batch=x0.shape[:-1])
    x = np.broadcast_to(x0, (*batch, x0.shape[-1])).copy()
    init, update = _rule(method, h)
    state = init(x)
    xs = np.empty((steps + 1, *x.shape))
    fs = np.full((steps + 1, *batch), np.nan)
    gns = np.full((steps + 1, *batch), np.nan)
    xs[0] = x
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for t in range(1, steps + 1):
            g = np.asarray(gradient(x, t), float)
            if g.shape != x.shape:
                g = np.broadcast_to(g, x.shape)
            if value is not None:
                fs[t - 1] = value(x, t)
            gns[t - 1] = np.sqrt(np.sum(g * g, axis=-1))
            eta = lr[..., None] / (np.sqrt(t) if decay == "inverse_sqrt" else 1.0)
            x = update(x, g, state, t, eta)
            if bounds is not None:
                x = np.minimum(np.maximum(x, low), high)
            xs[t] = x
    return Trajectory(
        iterates=np.moveaxis(xs, 0, -2),
        losses=np.moveaxis(fs, 0, -1),
        grad_norms=np.moveaxis(gns, 0, -1),
        status=np.full(batch, MAX_ITER).astype(str),
        stopped_at=np.full(batch, steps)[()],
        method=_renamed_name(method, h),
        params={**_params(method, learning_rate, hyper), "bounds": bounds, "decay": decay},
    )


def _renamed_name(method, h):
    if h.get("amsgrad"):
        return "AMSGrad" if method == "adam" else "AdamW (AMSGrad)"
    return NAMES[method]


def online_adam_linear(
    gradients,
    x0,
    learning_rate,
    *,
    betas=(0.9, 0.999),
    eps=1e-8,
    amsgrad=False,
    bias_correction=True,
    bounds=None,
    decay="inverse_sqrt",
) -> Trajectory:
    """Adam or AMSGrad on linear online losses f_t(x) = g_t · x, every step at once (lecture 12).

    The run of :func:`online_descent` (``method="adam"``, no weight decay) when the
    gradients g_1, ..., g_T do not depend on x, as in Reddi et al.'s example
    (:func:`reddi_gradient`). Then the averages are known before the run starts,

        m_t = β₁ m_{t−1} + (1 − β₁) g_t,   v_t = β₂ v_{t−1} + (1 − β₂) g_t²,   m_0 = v_0 = 0,
        v̂_t = max(v̂_{t−1}, v_t) (AMSGrad) or v_t (Adam),

    and so is every step, s_t = (η_t / (1 − β₁ᵗ)) m_t / (√v̂_t / √(1 − β₂ᵗ) + ε) with
    η_t = η/√t (``decay="inverse_sqrt"``) or η. Only the projection onto the box is left:

        x_t = Π(x_{t−1} − s_t),   Π(y) = min(max(y, low), high),

    a clipped cumulative sum. The two linear recurrences and the clipped sum are each computed
    as a prefix composition of maps (y ↦ a y + b for the averages, y ↦ Π(y − s) for x, a
    family closed under composition) in ⌈log₂ T⌉ vectorised rounds. The result is the
    iterates of :func:`online_descent` up to rounding: a few units in the last place of the
    averages, and for x at most about T ulps of max |x| (the loop rounds once a step). A run
    is ⌈log₂ T⌉ rounds of NumPy work on whole arrays instead of T rounds on tiny ones: what
    lets lecture 12's Reddi panel (3000 steps, Adam and AMSGrad) answer a slider in a few ms.

    Parameters
    ----------
    gradients : array_like, shape (*batch, T, d)
        g_1, ..., g_T; leading axes broadcast with the runs of the other arguments.
    x0 : array_like, shape (d,) or (*batch, d)
        Projected onto the box first, as in :func:`online_descent`.
    learning_rate : float or array_like
        η > 0.
    betas : pair of float or array_like
        (β₁, β₂), each in [0, 1).
    eps : float or array_like
        ε ≥ 0, added after the square root.
    amsgrad : bool
    bias_correction : bool or array_like of bool
        False drops both 1 − βᵗ factors.
    bounds : (low, high), optional
    decay : {"inverse_sqrt", "constant"}

    Returns
    -------
    Trajectory
        As :func:`online_descent` returns it: ``losses[..., t]`` = f_{t+1}(x_t) = g_{t+1} · x_t,
        ``grad_norms[..., t]`` = ‖g_{t+1}‖ (both nan at t = T), status ``"max_iter"``.

    Examples
    --------
    >>> g = np.where(np.arange(1, 601) % 3 == 1, 3.0, -1.0)[:, None]  # Reddi et al., C = 3
    >>> fast = online_adam_linear(g, [0.0], 0.5, betas=(0.0, 0.1), bounds=(-1, 1))
    >>> slow = online_descent(reddi_gradient, [0.0], 0.5, 600, "adam", betas=(0.0, 0.1),
    ...                       bounds=(-1, 1))
    >>> float(fast.final[0]), bool(np.allclose(fast.iterates, slow.iterates, rtol=0, atol=1e-13))
    (1.0, True)
    """
    g = as_float_array(gradients, "gradients", ndim_min=2)
    lr = positive(learning_rate, "learning_rate")
    one_of(decay, "decay", DECAYS)
    given = {"betas": betas, "eps": eps, "amsgrad": amsgrad, "bias_correction": bias_correction}
    h = _hyper("adam", given)
    x0 = as_float_array(x0, "x0", ndim_min=1)
    if x0.shape[-1] != g.shape[-1]:
        raise ValueError(
            f"x0 must have last axis of length {g.shape[-1]} to match gradients {g.shape}, "
            f"got shape {x0.shape}"
        )
    low, high = _bounds(bounds)
    if bounds is not None:
        x0 = np.clip(x0, low, high)
    steps, d = g.shape[-2:]
    if steps == 0:
        raise ValueError(f"gradients must hold at least one step (axis −2), got shape {g.shape}")
    batch = _batch_shape(lr, h, x_batch=x0.shape[:-1])
    try:
        batch = np.broadcast_shapes(batch, g.shape[:-2])
    except ValueError:
        raise ValueError(
            f"the leading axes of gradients {g.shape[:-2]} must broadcast with the runs "
            f"{batch} of learning_rate, betas, eps and x0"
        ) from None

    def per_run(value):  # against (*batch, T, d)
        return np.asarray(value)[..., None, None]

    beta1, beta2, correct = per_run(h["beta1"]), per_run(h["beta2"]), per_run(h["bias_correction"])
    t = np.arange(1, steps + 1)[:, None]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        m = _linear_recurrence(beta1, (1 - beta1) * g)
        v = _linear_recurrence(beta2, (1 - beta2) * (g * g))
        if h["amsgrad"]:
            v = np.maximum.accumulate(v, axis=-2)
        correction1 = np.where(correct, 1 - beta1**t, 1.0)
        correction2 = np.where(correct, 1 - beta2**t, 1.0)
        eta = per_run(lr) / (np.sqrt(t) if decay == "inverse_sqrt" else 1.0)
        step = (eta / correction1) * (m / (np.sqrt(v) / np.sqrt(correction2) + per_run(h["eps"])))
        step = np.broadcast_to(step, (*batch, steps, d))
        x0 = np.broadcast_to(x0, (*batch, d))
        if bounds is None:  # x₀ − s₁ − s₂ − ..., summed in the order of the loop
            xs = np.cumsum(np.concatenate([x0[..., None, :], -step], axis=-2), axis=-2)
        else:
            xs = np.concatenate([x0[..., None, :], _projected_walk(x0, step, low, high)], axis=-2)
        g = np.broadcast_to(g, (*batch, steps, d))
        losses = np.full((*batch, steps + 1), np.nan)
        norms = np.full((*batch, steps + 1), np.nan)
        losses[..., :-1] = np.sum(g * xs[..., :-1, :], axis=-1)
        norms[..., :-1] = np.sqrt(np.sum(g * g, axis=-1))
    return Trajectory(
        iterates=xs,
        losses=losses,
        grad_norms=norms,
        status=np.full(batch, MAX_ITER).astype(str),
        stopped_at=np.full(batch, steps)[()],
        method=_renamed_name("adam", h),
        params={**_params("adam", learning_rate, given), "bounds": bounds, "decay": decay},
    )


def _bounds(bounds):
    """(low, high) as float arrays, checked; (−inf, inf) for no bounds."""
    if bounds is None:
        return -np.inf, np.inf
    if isinstance(bounds, (str, bytes)) or np.ndim(bounds) == 0 or len(bounds) != 2:
        raise ValueError(f"bounds must be a pair (low, high), got {bounds!r}")
    low, high = (as_float_array(v, "bounds") for v in bounds)
    if np.any(low > high):
        raise ValueError(f"bounds must have low ≤ high, got {bounds!r}")
    return low, high


def _linear_recurrence(a, b):
    """y_t = a y_{t−1} + b_t from y_0 = 0 along axis −2, for every t at once.

    Hillis and Steele's prefix scan of the affine maps y ↦ a_t y + b_t: after the round with
    offset k, entry t holds the composition of the maps t − 2k + 1, ..., t, as the pair
    (a_t ⋯ a_{t−2k+1}, its value at y = 0); ⌈log₂ T⌉ rounds. a broadcasts against b.
    """
    b = np.array(b, dtype=float)  # a copy: updated in place
    a = np.array(np.broadcast_to(a, b.shape), dtype=float)
    k, steps = 1, b.shape[-2]
    while k < steps:
        b[..., k:, :] += a[..., k:, :] * b[..., :-k, :]  # the later map after the earlier
        a[..., k:, :] *= a[..., :-k, :]
        k *= 2
    return b


def _projected_walk(x0, step, low, high):
    """x_t = min(max(x_{t−1} − s_t, low), high) for t = 1..T along axis −2, all at once.

    Each step is a map y ↦ min(max(y + a, l), h) (a = −s_t, l = low, h = high); these maps
    are closed under composition: doing (a₁, l₁, h₁) then (a₂, l₂, h₂) is
    (a₁ + a₂, Π₂(l₁ + a₂), Π₂(h₁ + a₂)) with Π₂ the clip to [l₂, h₂]. A prefix scan of the
    maps (as in :func:`_linear_recurrence`) gives x_t = min(max(x₀ + A_t, L_t), H_t).
    """
    a = -np.array(step, dtype=float)
    lo = np.array(np.broadcast_to(low, a.shape), dtype=float)
    hi = np.array(np.broadcast_to(high, a.shape), dtype=float)
    k, steps = 1, a.shape[-2]
    while k < steps:
        later_lo, later_hi, later_a = lo[..., k:, :], hi[..., k:, :], a[..., k:, :]
        new_lo = np.minimum(np.maximum(lo[..., :-k, :] + later_a, later_lo), later_hi)
        new_hi = np.minimum(np.maximum(hi[..., :-k, :] + later_a, later_lo), later_hi)
        later_a += a[..., :-k, :]
        later_lo[...] = new_lo
        later_hi[...] = new_hi
        k *= 2
    return np.minimum(np.maximum(x0[..., None, :] + a, lo), hi)


REDDI_C = 3.0


def reddi_gradient(x, t, C=REDDI_C):
    """∇f_t of Reddi et al.'s example: C when t mod 3 = 1, −1 otherwise (lecture 12).

    f_t(x) = Cx for t = 1, 4, 7, ... and −x for the other t, on x ∈ [−1, 1] with C > 2.
    Over a period of three steps the losses sum to (C − 2)x: the best fixed point is
    x = −1, yet Adam with β₁ = 0 and β₂ = 1/(1 + C²) drifts to +1, the worst one.

    Examples
    --------
    >>> [float(reddi_gradient(np.zeros(1), t)[0]) for t in (1, 2, 3, 4)]
    [3.0, -1.0, -1.0, 3.0]
    """
    x, t, C = _reddi_arguments(x, t, C)
    return np.full(x.shape, C if t % 3 == 1 else -1.0)


def reddi_value(x, t, C=REDDI_C):
    """f_t(x) of Reddi et al.'s example, summed over the coordinates: Cx or −x (lecture 12)."""
    x, t, C = _reddi_arguments(x, t, C)
    return (C if t % 3 == 1 else -1.0) * x.sum(axis=-1)


def _reddi_arguments(x, t, C):
    """x (finite, at least 1-D), the step t ≥ 1 and the constant C, checked and named."""
    return as_float_array(x, "x", ndim_min=1), positive_int(t, "t"), number(C, "C")
