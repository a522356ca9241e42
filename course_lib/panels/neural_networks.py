"""Figures and slider panels of lecture 10, neural networks.

Everything drawn here is computed by :mod:`course_lib.networks`: the elbows of a network
(:func:`~course_lib.networks.elbows`), the best fit with knots on a grid
(:func:`~course_lib.networks.fit_piecewise_linear`, expressivity) and SGD training from a
random start (:func:`~course_lib.networks.train`, learnability). The elbow panel creates
:data:`MAX_UNITS` faint lines once and hides the ones a smaller network does not use, so a
slider move only replaces line data.
"""

from __future__ import annotations

import numpy as np

from course_lib import plots, widgets
from course_lib._checks import positive_int
from course_lib.data import wiggly_function, wiggly_function_data
from course_lib.networks import (
    elbow_positions,
    elbows,
    fit_piecewise_linear,
    forward,
    init_params,
    mse_loss,
    train,
    unpack,
)
from course_lib.trajectory import MAX_ITER, Trajectory

MAX_UNITS = 64
UNITS_GRID = 2 ** np.arange(7)  # 1, 2, 4, ..., 64: each grid of knots contains the last one
N_TARGET = 201
N_TRAIN = 100
NOISE = 0.1
BATCH_SIZE = 10
MAX_EPOCHS = 200
MAX_TRAIN_UNITS = 32
INIT_SEED = 1
ETA_RANGE = (1e-3, 3.0)
YLIM = (-2.2, 2.2)


def smooth_target(n: int = N_TARGET):
    """The smooth target f(x) = sin(2πx) + 0.5x on n equally spaced points of [−1, 1]."""
    x = np.linspace(-1.0, 1.0, positive_int(n, "n"))
    return x, wiggly_function(x)


def training_data(n: int = N_TRAIN, noise: float = NOISE, seed: int = 0):
    """n noisy samples of the same target, y = f(x) + ε, ε ~ N(0, noise²) (the SGD data)."""
    return wiggly_function_data(n, seed=seed, noise=noise)


def rms_error(theta, x, y) -> np.ndarray:
    """√L(θ): the root of the mean squared error of the network θ on (x, y) (lecture 10).

    Examples
    --------
    >>> x, y = smooth_target(11)
    >>> float(rms_error(fit_piecewise_linear(x, y, 10), x, y)) < 1e-12   # interpolates
    True
    """
    return np.sqrt(mse_loss(theta, np.asarray(x, float)[:, None], y))


def fit_errors(x, y, units) -> np.ndarray:
    """RMS error of the best grid-knot fit for every unit count in ``units`` (lecture 10).

    One least-squares fit per unit count (the number of units changes the shape of θ, so the
    counts cannot share a batch axis).

    Examples
    --------
    >>> x, y = smooth_target()
    >>> errors = fit_errors(x, y, [1, 2, 4])
    >>> bool(np.all(np.diff(errors) <= 1e-12))
    True
    """
    return np.array([float(rms_error(fit_piecewise_linear(x, y, m), x, y)) for m in units])


def interpolation_bound(units, width: float = 2.0, curvature: float = 4 * np.pi**2):
    """max |f − p| ≤ h² max|f''| / 8 with h = width / m: the error bound of the interpolant.

    The piecewise-linear interpolant with knots every h has error at most h² max|f''| / 8,
    and it is one of the functions the grid fit with m units minimises over, so its bound
    also bounds the RMS error of the best fit. For sin(2πx) + 0.5x on [−1, 1]:
    max|f''| = 4π², h = 2/m, bound 2π²/m².

    Examples
    --------
    >>> float(interpolation_bound(1)) == 2 * np.pi**2
    True
    """
    h = width / np.asarray(units, float)
    return h**2 * curvature / 8.0


def first_steps(trajectory: Trajectory, steps: int) -> Trajectory:
    """The first ``steps`` SGD steps of a longer single run (lecture 10).

    The minibatches of E epochs are the first E epochs of a longer run with the same seed, so
    training for E epochs is a prefix of training for more: the epochs slider cuts a stored
    run instead of training again. A run that stopped (diverged) earlier is returned whole.
    """
    steps = int(steps)
    if int(trajectory.stopped_at) <= steps:
        return trajectory
    return Trajectory(
        iterates=trajectory.iterates[: steps + 1],
        losses=trajectory.losses[: steps + 1],
        grad_norms=trajectory.grad_norms[: steps + 1],
        status=np.asarray(MAX_ITER),
        stopped_at=np.asarray(steps),
        method=trajectory.method,
        params={**trajectory.params, "epochs": steps // (N_TRAIN // BATCH_SIZE)},
    )


def dead_units(theta, x) -> np.ndarray:
    """Which units are dead: wⱼxᵢ + bⱼ ≤ 0 at every data point xᵢ, shape (..., m) (lecture 10).

    A dead unit outputs 0 on all the data, so every gradient through it is 0 (the ReLU gate
    is closed) and gradient descent never moves its wⱼ, bⱼ, aⱼ again.

    Examples
    --------
    >>> from course_lib.networks import pack
    >>> theta = pack([1.0, -1.0], [-5.0, 0.0], [1.0, 1.0], 0.0)  # kinks at 5 and 0
    >>> dead_units(theta, np.linspace(-1.0, 1.0, 5)).tolist()
    [True, False]
    """
    w, b, _, _ = unpack(theta)
    x = np.asarray(x, float)
    return np.all(w[..., :, None] * x + b[..., :, None] <= 0.0, axis=-1)


def _drawable(theta, x) -> np.ndarray:
    """f(x) of a network for drawing: nan where a diverged θ overflows (no warning)."""
    with np.errstate(over="ignore", invalid="ignore"):
        values = forward(theta, x)
    return np.where(np.isfinite(values), values, np.nan)


# --------------------------------------------------------------------------- figures


def elbows_figure(theta, x, y=None, *, ax=None) -> plots.Plot:
    """Each unit's piece aⱼ relu(wⱼx + bⱼ) (faint), their sum plus c (bold), the kinks (dots)."""
    fig, ax = plots._target(ax)
    if y is not None:
        ax.plot(x, y, color="0.6", lw=3, label="target")
    for j, piece in enumerate(elbows(theta, x)):
        ax.plot(x, piece, lw=1, alpha=0.5, color=f"C{j % 10}")
    ax.plot(x, forward(theta, x), color="k", lw=2, label="network: sum of pieces + c")
    kinks = elbow_positions(theta)
    ax.plot(kinks, forward(theta, kinks), "o", color="k", ms=5, label="kinks −bⱼ/wⱼ")
    ax.axhline(0.0, color="0.8", lw=0.8)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("a ReLU network: a sum of elbows")
    ax.legend(fontsize=8)
    return plots.Plot(fig, ax)


def error_figure(units, errors, labels, *, bound=None, ylabel="RMS error") -> plots.Plot:
    """Error curves (one row of ``errors`` per label) against the number of units, log-log."""
    fig, ax = plots.new_figure()
    for k, curve in enumerate(np.atleast_2d(errors)):
        ax.plot(units, curve, "o-", color=f"C{k}", label=labels[k])
    if bound is not None:
        ax.plot(units, bound, "--", color="0.4", label="bound 2π²/m²")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("hidden units m")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{ylabel} against the number of hidden units")
    ax.legend(fontsize=8)
    return plots.Plot(fig, ax)


def compare_figure(x, y, curves: dict, grid=None, *, xlabel="x", ylabel="y") -> plots.Plot:
    """Data points and fitted curves {label: values on ``grid``} (``grid`` defaults to x)."""
    fig, ax = plots.new_figure()
    ax.plot(x, y, ".", color="0.55", label="data")
    for label, values in curves.items():
        ax.plot(x if grid is None else grid, values, lw=2, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("the data and the fitted curves")
    ax.legend(fontsize=8)
    return plots.Plot(fig, ax)


# --------------------------------------------------------------------------- the elbow panel


def draw_elbows(max_units: int = MAX_UNITS):
    """Figure of the hidden-units panel: the fit and its elbows (left), error vs units (right).

    Returns the figure and a dict of the artists :func:`update_elbows` moves; the
    ``max_units`` piece lines are created here, once.
    """
    x, y = smooth_target()
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.4, 1.0))
    left.plot(x, y, color="0.6", lw=4, label="target sin(2πx) + x/2")
    left.axhline(0.0, color="0.8", lw=0.8)
    pieces = [left.plot([], [], lw=1, alpha=0.45, color=f"C{j % 10}")[0] for j in range(max_units)]
    (fit,) = left.plot([], [], color="k", lw=2, label="sum of the pieces + c")
    (kinks,) = left.plot([], [], "o", color="k", ms=4, label="elbows (kinks)")
    left.set_xlim(-1.05, 1.05)
    left.set_ylim(*YLIM)
    left.set_xlabel("x")
    left.set_ylabel("f(x)")
    left.set_title("the best fit with m units and its elbows")
    left.legend(fontsize=7, loc="upper left")

    units = np.arange(1, max_units + 1)
    errors = fit_errors(x, y, units)
    right.plot(units, errors, "-", color="C0", label="RMS error of the best fit")
    doubling = UNITS_GRID[UNITS_GRID <= max_units]
    right.plot(
        doubling, errors[doubling - 1], "s", color="C0", ms=5, label="m = 1, 2, 4, ... (nested)"
    )
    right.plot(units, interpolation_bound(units), "--", color="0.4", label="bound 2π²/m²")
    (marker,) = right.plot([], [], "o", color="C3", ms=8)
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("hidden units m")
    right.set_ylabel("RMS error of the best fit")
    right.set_title("error against the number of units")
    right.legend(fontsize=7)
    artists = {"pieces": pieces, "fit": fit, "kinks": kinks, "marker": marker}
    artists.update(x=x, y=y, errors=errors)
    return fig, artists


def update_elbows(artists: dict, units: int) -> str:
    """Refit with ``units`` hidden units and move the lines; returns the readout."""
    m = positive_int(units, "units")
    x, y = artists["x"], artists["y"]
    theta = fit_piecewise_linear(x, y, m)
    for line, piece in zip(artists["pieces"], elbows(theta, x), strict=False):
        line.set_data(x, piece)
        line.set_visible(True)
    for line in artists["pieces"][m:]:
        line.set_visible(False)
    artists["fit"].set_data(x, forward(theta, x))
    knots = elbow_positions(theta)
    artists["kinks"].set_data(knots, forward(theta, knots))
    error = float(rms_error(theta, x, y))
    artists["marker"].set_data([m], [error])
    artists["theta"] = theta
    return (
        f"m = {m} hidden units, {3 * m + 1} parameters: {m} elbows spaced {2 / m:.3g} apart"
        f"\nRMS error of the best fit {error:.3g}   (bound 2π²/m² = "
        f"{float(interpolation_bound(m)):.3g})"
    )


def elbows_panel(units: int = 4):
    """Slider: number of hidden units m (lecture 10).

    Left, the best fit Σⱼ aⱼ relu(x − tⱼ) + c of the smooth target with m knots tⱼ on a grid
    (:func:`course_lib.networks.fit_piecewise_linear`): each unit's piece faint, their sum
    bold, the kinks as dots. Right, the RMS error of that fit for every m, and the bound.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists (for tests).

    Examples
    --------
    >>> panel = elbows_panel()
    >>> panel.set(units=16).startswith("m = 16")
    True
    """
    fig, artists = draw_elbows()

    def update(units):
        return update_elbows(artists, units)

    controls = {"units": widgets.slider(1, MAX_UNITS, units, description="units m")}
    moving = [*artists["pieces"], artists["fit"], artists["kinks"], artists["marker"]]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


# --------------------------------------------------------------------------- the training panel


def train_network(x, y, units: int, learning_rate, epochs: int = MAX_EPOCHS) -> Trajectory:
    """SGD (batch size 10) on the network with ``units`` units from ``init_params(seed=1)``."""
    theta0 = init_params(units, seed=INIT_SEED)
    X = np.asarray(x, float)[:, None]
    return train(X, y, theta0, learning_rate, batch_size=BATCH_SIZE, epochs=epochs, seed=0)


def draw_training():
    """Figure of the training panel: data and fits (left), the SGD loss per step (right)."""
    x, y = training_data()
    grid = np.linspace(-1.0, 1.0, 201)
    fig, (left, right) = plots.new_figure(1, 2)
    left.plot(x, y, ".", color="0.55", label="data (noisy target)")
    (start,) = left.plot([], [], ":", color="C7", lw=1.5, label="random start")
    (best,) = left.plot([], [], "--", color="C2", lw=2, label="best grid fit (expressivity)")
    (sgd,) = left.plot([], [], "-", color="C3", lw=2, label="SGD result (learnability)")
    (kinks,) = left.plot([], [], "o", color="C3", ms=4)
    left.set_xlim(-1.05, 1.05)
    left.set_ylim(*YLIM)
    left.set_xlabel("x")
    left.set_ylabel("y, f(x)")
    left.set_title("the data, the best grid fit and SGD's fit")
    left.legend(fontsize=7, loc="upper left")

    steps = MAX_EPOCHS * (N_TRAIN // BATCH_SIZE)
    losses = plots.loss_curves(np.ones(2), ["SGD: L(θ) on all data"], ax=right)
    right.set_xlim(0, steps)
    right.set_ylim(1e-3, 1e2)
    right.set_xlabel("SGD step")
    right.set_ylabel("loss L(θ) = mean squared error")
    right.set_title("the SGD loss per step")
    floor = right.axhline(1.0, color="C2", ls="--", lw=1.5, label="best grid fit")
    right.axhline(NOISE**2, color="0.5", ls=":", lw=1, label="noise variance")
    right.legend(fontsize=7)
    artists = {"start": start, "best": best, "sgd": sgd, "kinks": kinks}
    artists.update(losses=losses, floor=floor, x=x, y=y, grid=grid, cache={})
    return fig, artists


def update_training(artists: dict, units: int, learning_rate: float, epochs: int) -> str:
    """Train (or cut a stored run) and move the lines; returns the readout."""
    x, y, grid = artists["x"], artists["y"], artists["grid"]
    key, epochs = (int(units), float(learning_rate)), int(epochs)
    trained, _ = artists["cache"].get(key, (0, None))
    if trained < epochs:
        # A new network or η trains for the epochs shown, no more (the units and η sliders
        # retrain on every release); more epochs than stored train once for MAX_EPOCHS, so
        # the epochs slider then only cuts.
        trained = epochs if key not in artists["cache"] else MAX_EPOCHS
        artists["cache"].clear()
        artists["cache"][key] = (trained, train_network(x, y, units, learning_rate, trained))
    run = first_steps(artists["cache"][key][1], epochs * (N_TRAIN // BATCH_SIZE))
    best = fit_piecewise_linear(x, y, units)
    best_loss = float(mse_loss(best, x[:, None], y))
    theta = run.final
    artists["start"].set_data(grid, _drawable(run.iterates[0], grid))
    artists["best"].set_data(grid, _drawable(best, grid))
    artists["sgd"].set_data(grid, _drawable(theta, grid))
    knots = elbow_positions(theta)
    artists["kinks"].set_data(knots, _drawable(theta, knots))
    artists["losses"].set_curves(run.losses)
    artists["floor"].set_ydata([best_loss, best_loss])
    artists["run"] = run
    dead = int(np.sum(dead_units(theta, x)))
    return (
        f"m = {units} units, η = {learning_rate:.3g}, {epochs} epochs = {int(run.stopped_at)} "
        f"steps ({run.status.item()}), {dead} dead unit{'s' if dead != 1 else ''}"
        f"\nloss: SGD {float(run.final_loss):.4g}   best grid fit {best_loss:.4g}   "
        f"start {float(run.losses[0]):.4g}"
    )


def training_panel(units: int = 16, learning_rate: float = 0.05, epochs: int = MAX_EPOCHS):
    """Sliders: hidden units m, learning rate η, epochs (lecture 10).

    Left, the noisy data, the best fit with m grid knots (what m units *can* do) and the
    network SGD finds from a random start in the given epochs (what training *does*), its
    kinks as dots. Right, the full-data loss after every SGD step, with the best fit's loss.
    A new m or η trains for the epochs shown (10 steps an epoch, ~10 µs a step); the epochs
    slider cuts that stored run (:func:`first_steps`) without retraining, and the first time
    it asks for more epochs than stored, trains once for :data:`MAX_EPOCHS`.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists (for tests).

    Examples
    --------
    >>> panel = training_panel(epochs=10)
    >>> "100 steps" in panel.readout
    True
    """
    fig, artists = draw_training()

    def update(units, learning_rate, epochs):
        return update_training(artists, units, learning_rate, epochs)

    slow = {"continuous_update": False}  # training runs when the drag ends
    controls = {
        "units": widgets.slider(1, MAX_TRAIN_UNITS, units, description="units m", **slow),
        "learning_rate": widgets.slider(
            *ETA_RANGE, learning_rate, log=True, description="η", **slow
        ),
        "epochs": widgets.slider(1, MAX_EPOCHS, epochs, description="epochs"),
    }
    moving = [artists[k] for k in ("start", "best", "sgd", "kinks", "losses", "floor")]
    return widgets.Panel(fig, update, controls, moving, artists=artists)


PANELS = {"hidden units": elbows_panel, "training": training_panel}
