"""Figures and slider panels of lecture 06, momentum.

Everything drawn here is computed by the numerical modules: :func:`heavy_ball`,
:func:`nesterov` and :func:`gradient_descent` for the runs, :mod:`course_lib.curvature` for the
predicted rates. The bowl, the start point and the measured contraction come from lecture 04's
module (:mod:`course_lib.panels.step_size_and_line_search`), imported, not copied.

The heavy ball of the lecture is

    V_{t+1} = β V_t + ∇L(θ_t),    θ_{t+1} = θ_t − η V_{t+1},    V_0 = 0,

and on a quadratic its rate is the spectral radius of [[1 + β − ηλ, −β], [1, 0]] over the
eigenvalues λ (:func:`course_lib.curvature.momentum_rate_for`).
"""

from __future__ import annotations

import dataclasses

import ipywidgets
import numpy as np

from course_lib import curvature, plots, widgets
from course_lib._checks import as_float_array, in_unit_interval, one_of, positive
from course_lib.descent import heavy_ball, momentum_batch
from course_lib.objectives import ill_conditioned_quadratic
from course_lib.panels.step_size_and_line_search import (
    ANGLE,
    START,
    draw_bowl,
    measured_rate,
    update_bowl,
)

STEPS = 400  # length of the runs whose end gives the measured rate
WINDOW = 200  # measured rate: geometric mean over the last WINDOW steps
BETA_RANGE = (0.0, 0.99)
ETA_RANGE = (1e-3, 1.0)
KAPPA_RANGE = (1.0, 1000.0)
SWEEP_BETAS = np.linspace(0.0, 0.98, 50)  # the measured dots of the momentum panel
PATH_STEPS = 80  # steps drawn on the bowl
RACE_STEPS = 600
SHRINK = 1e-6  # the readouts count the steps until ‖e_t‖ ≤ SHRINK ‖e_0‖
TUNED = ("tuned GD", "Polyak's heavy ball", "Nesterov's choice")


def ravine(condition_number: float):
    """The quadratic of the lecture: eigenvalues 1 and κ, its axes turned by 30°."""
    return ill_conditioned_quadratic(condition_number, angle=ANGLE)


def error_norms(trajectory, minimizer) -> np.ndarray:
    """‖x_t − x*‖ for every stored iterate, shape (*batch, T + 1) (lecture 06).

    Examples
    --------
    >>> f = ravine(10.0)
    >>> error_norms(heavy_ball(f, [3.0, 4.0], 0.1, 0.5, max_iter=3), [0.0, 0.0])[0]
    np.float64(5.0)
    """
    return trajectory.distance_to(minimizer)


def velocities(trajectory, learning_rate) -> np.ndarray:
    """The heavy ball's velocities read off its path, V_{t+1} = (θ_t − θ_{t+1}) / η.

    The update θ_{t+1} = θ_t − η V_{t+1} is solved for V_{t+1}; shape (*batch, T, d).

    Examples
    --------
    >>> f = ravine(10.0)
    >>> traj = heavy_ball(f, [1.0, 1.0], 0.05, 0.0, max_iter=2, tol=0.0)
    >>> bool(np.allclose(velocities(traj, 0.05)[0], f.gradient(np.array([1.0, 1.0]))))
    True
    """
    eta = positive(learning_rate, "learning_rate")
    x = trajectory.iterates
    return (x[..., :-1, :] - x[..., 1:, :]) / eta[..., None, None]


def unrolled_velocity(gradients, momentum) -> np.ndarray:
    """The velocity as a sum of past gradients, V_t = Σ_{j<t} β^(t−1−j) g_j (lecture 06).

    Unrolling V_{t+1} = βV_t + g_t from V_0 = 0: the newest gradient has weight 1, the one
    before β, then β², ... For a constant gradient g the sum tends to g / (1 − β).

    Parameters
    ----------
    gradients : array_like, shape (T, d)
        g_0, ..., g_{T−1}.
    momentum : float
        β in [0, 1).

    Returns
    -------
    ndarray, shape (T, d)
        V_1, ..., V_T.

    Examples
    --------
    >>> unrolled_velocity([[1.0], [1.0], [1.0]], 0.5)[:, 0]
    array([1.  , 1.5 , 1.75])
    """
    g = as_float_array(gradients, "gradients", ndim_min=2)
    beta = in_unit_interval(momentum, "momentum")
    if beta.ndim != 0 or g.ndim != 2:
        raise ValueError("unrolled_velocity needs gradients of shape (T, d) and one momentum β")
    lag = np.arange(len(g))[:, None] - np.arange(len(g))[None, :]  # t − 1 − j for V_t
    weights = np.where(lag >= 0, float(beta) ** np.maximum(lag, 0), 0.0)
    return weights @ g


def sweep_momentum(objective, learning_rate, betas, steps: int = STEPS) -> np.ndarray:
    """Measured rate of the heavy ball for every β: ONE batched call (lecture 06).

    ``learning_rate`` of shape (m, 1) with ``betas`` of shape (K,) gives an (m, K) grid of
    runs in the same call. Every run starts at :data:`START` and takes ``steps`` steps; the
    rate is (‖e_s‖ / ‖e_{s−k}‖)^(1/k) over the last k = ``steps`` / 2 steps.

    Examples
    --------
    >>> rates = sweep_momentum(ravine(10.0), 0.1, [0.0, 0.3])
    >>> bool(np.isclose(rates[0], 0.9))  # β = 0: gradient descent, max|1 − ηλ| = 0.9
    True
    """
    runs = heavy_ball(
        objective, START, learning_rate, np.asarray(betas, float), max_iter=steps, tol=0.0
    )
    return measured_rate(runs, objective.minimizers[0], window=max(steps // 2, 1))


def steps_to_shrink(errors, factor: float = SHRINK) -> np.ndarray:
    """The first t with ‖e_t‖ ≤ factor · ‖e_0‖ for each run, −1 if none (lecture 06).

    Examples
    --------
    >>> steps_to_shrink([[1.0, 0.5, 0.25, 0.125], [1.0, 1.0, 1.0, 1.0]], 0.3)
    array([ 2, -1])
    """
    e = as_float_array(errors, "errors", ndim_min=1, finite=False)
    hit = e <= float(positive(factor, "factor")) * e[..., :1]
    return np.where(hit.any(axis=-1), np.argmax(hit, axis=-1), -1)[()]


def tuned_settings(condition_number: float) -> dict:
    """The textbook (η, β) for the ravine with eigenvalues 1 and κ (lecture 06).

    ============================  ===========================  ==================  ===========
    setting                       η                            β                   rate
    ============================  ===========================  ==================  ===========
    tuned GD                      2 / (λmin + λmax)            0                   (κ−1)/(κ+1)
    Polyak's heavy ball           4 / (√λmax + √λmin)²         ((√κ−1)/(√κ+1))²    (√κ−1)/(√κ+1)
    Nesterov's choice             1 / λmax                     (√κ−1)/(√κ+1)       ≈ 1 − 1/√κ
    ============================  ===========================  ==================  ===========

    Returns
    -------
    dict
        setting name -> {"learning_rate": η, "momentum": β}, ready for ``panel.set(**...)``.

    Examples
    --------
    >>> tuned_settings(9.0)["Polyak's heavy ball"]
    {'learning_rate': 0.25, 'momentum': 0.25}
    """
    lam = ravine(condition_number).eigenvalues
    eta, beta = curvature.optimal_momentum(lam)
    root_rate = float(curvature.momentum_rate(curvature.condition_number(lam)))
    return {
        "tuned GD": {"learning_rate": float(curvature.optimal_gd_step(lam)), "momentum": 0.0},
        "Polyak's heavy ball": {"learning_rate": float(eta), "momentum": float(beta)},
        "Nesterov's choice": {"learning_rate": float(1.0 / lam[-1]), "momentum": root_rate},
    }


def predicted_errors(initial_error: float, rate: float, steps: int, ceiling: float = 1e6):
    """The guide ‖e_0‖ ρ^t for t = 0..steps, nan above ``ceiling`` (no overflow when ρ > 1)."""
    t = np.arange(1, steps + 1)
    guide = np.full(steps + 1, np.nan)
    guide[0] = initial_error
    if rate > 0:
        log = np.log(initial_error) + t * np.log(rate)
        keep = log <= np.log(ceiling)
        guide[1:][keep] = np.exp(log[keep])
    return guide


# --------------------------------------------------------------------------- figures


def rate_curve_figure(eigenvalues, learning_rates, betas, measured=None) -> plots.Plot:
    """Predicted heavy-ball rate against β (lines) for each η, measured rates as dots.

    Dotted: √β, the modulus of complex roots (the rate can never be below it, since the two
    roots multiply to β). Horizontal lines: the tuned GD rate (κ − 1)/(κ + 1) and the tuned
    heavy-ball rate (√κ − 1)/(√κ + 1); a vertical dotted line at Polyak's β*.
    """
    etas = np.atleast_1d(np.asarray(learning_rates, float))
    betas = np.asarray(betas, float)
    predicted = curvature.momentum_rate_for(eigenvalues, etas[:, None], betas)
    fig, ax = plots.new_figure()
    ax.plot(betas, np.sqrt(betas), ":", color="0.3", lw=1, label="√β (complex roots)")
    for k, eta in enumerate(etas):
        ax.plot(betas, predicted[k], "-", color=f"C{k}", label=f"predicted, η = {eta:.4g}")
        if measured is not None:
            dots = np.atleast_2d(measured)[k]
            label = "measured on the runs" if k == 0 else None
            ax.plot(betas, dots, "o", color=f"C{k}", ms=3, label=label)
    _rate_levels(ax, eigenvalues)
    _format_rate_axes(ax)
    ax.legend(fontsize=7, loc="lower left")
    plots.title_axes(fig, "the heavy ball's rate against β")
    return plots.Plot(fig, ax)


def _tuned(eigenvalues):
    """κ, the tuned GD rate, the tuned heavy-ball rate and β* for these eigenvalues."""
    kappa = curvature.condition_number(eigenvalues)
    beta_star = curvature.optimal_momentum(eigenvalues)[1]
    return kappa, curvature.optimal_gd_rate(kappa), curvature.momentum_rate(kappa), beta_star


def _rate_levels(ax, eigenvalues) -> dict:
    """The two tuned rates as horizontal lines and β* as a vertical one; returns them."""
    _, gd, hb, beta_star = _tuned(eigenvalues)
    return {
        "gd_level": ax.axhline(gd, color="0.4", ls="--", lw=1, label="tuned GD (κ−1)/(κ+1)"),
        "hb_level": ax.axhline(hb, color="C3", ls="-.", lw=1, label="tuned momentum (√κ−1)/(√κ+1)"),
        "beta_star": ax.axvline(beta_star, color="k", ls=":", lw=1, label="Polyak's β*"),
    }


def _format_rate_axes(ax) -> None:
    ax.axhline(1.0, color="0.7", lw=0.8)
    ax.set_xlim(*BETA_RANGE)
    ax.set_ylim(0.0, 1.5)
    ax.set_xlabel("momentum β")
    ax.set_ylabel("rate per step")


def rate_map_figure(eigenvalues, learning_rates, betas, measured=None) -> plots.Plot:
    """The predicted heavy-ball rate over a grid of (β, η), with Polyak's optimum marked.

    Colour: ``momentum_rate_for`` (clipped at 1, where the runs stop converging), its level
    lines solid white. ``measured = (etas, betas, rates)`` (rates of shape (len(etas),
    len(betas)), from one batched run) adds dashed black level lines at the same heights.
    Star: (β*, η*); square: tuned GD (β = 0, η = 2/(λmin + λmax)).
    """
    etas = positive(learning_rates, "learning_rates")
    betas = in_unit_interval(betas, "betas")
    predicted = curvature.momentum_rate_for(eigenvalues, etas[:, None], betas)
    _, gd, hb, beta_star = _tuned(eigenvalues)
    levels = 1.0 - (1.0 - hb) * np.array([0.75, 0.5, 0.25, 0.0])
    fig, ax = plots.new_figure()
    mesh = ax.pcolormesh(
        betas, etas, np.minimum(predicted, 1.0), shading="nearest", cmap="viridis", vmin=hb
    )
    fig.colorbar(mesh, ax=ax, label="predicted rate (1: no convergence)")
    ax.contour(betas, etas, predicted, levels, colors="w", linewidths=1)
    ax.plot([], [], "-", color="0.6", label="predicted levels")
    if measured is not None:
        etas_m, betas_m, rates = (np.asarray(a, float) for a in measured)
        if rates.shape != (etas_m.size, betas_m.size):
            raise ValueError(
                f"measured rates must have shape (len(etas), len(betas)) = "
                f"{(etas_m.size, betas_m.size)}, got {rates.shape}"
            )
        ax.contour(betas_m, etas_m, rates, levels, colors="k", linewidths=1, linestyles="--")
        ax.plot([], [], "--", color="k", label="measured levels")
    eta_star = curvature.optimal_momentum(eigenvalues)[0]
    ax.plot(beta_star, eta_star, "*", color="C3", ms=14, label=f"Polyak: rate {hb:.4f}")
    eta_gd = curvature.optimal_gd_step(eigenvalues)
    ax.plot(0.0, eta_gd, "s", color="C1", ms=8, clip_on=False, label=f"tuned GD: {gd:.4f}")
    ax.set_yscale("log")
    ax.set_xlabel("momentum β")
    ax.set_ylabel("learning rate η")
    ax.legend(fontsize=7, loc="upper left")
    plots.title_axes(fig, "the heavy ball's predicted rate over (β, η)")
    return plots.Plot(fig, ax)


def error_figure(errors: dict, rates: dict | None = None) -> plots.Plot:
    """‖x_t − x*‖ of each run (solid) and, dashed, the slope ρ^t its theory predicts.

    ``errors`` maps a label to a 1-D array; ``rates`` maps the same labels to ρ. Each guide
    C ρ^t is pinned to its curve at the middle step, so only its slope is the prediction.
    """
    plot = plots.loss_curves(list(errors.values()), list(errors))
    for label, rho in (rates or {}).items():
        err = np.asarray(errors[label], float)
        t = np.arange(err.size)
        mid = err.size // 2
        color = f"C{list(errors).index(label) % 10}"
        guide = err[mid] * float(rho) ** (t - mid)
        plot.ax.plot(t, guide, "--", color=color, lw=1, label=f"theory: ρ = {float(rho):.4f}")
    plot.ax.set_ylabel(r"$\|x_t - x^*\|$")
    plot.ax.legend(fontsize=8)
    return plot


def velocity_figure(gradients, velocity, momentum: float, labels) -> plots.Plot:
    """Gradient (dots) and velocity (line) along each eigenvector, one axes per direction.

    ``gradients`` and ``velocity`` have shape (T, d) in eigen-coordinates; the dashed line is
    g_t / (1 − β), where the velocity of a constant gradient would settle.
    """
    g, v = np.asarray(gradients, float), np.asarray(velocity, float)
    fig, axes = plots.new_figure(1, g.shape[1])
    beta = float(in_unit_interval(momentum, "momentum"))
    t = np.arange(1, len(g) + 1)
    for i, (ax, label) in enumerate(zip(np.atleast_1d(axes), labels, strict=True)):
        ax.plot(t, g[:, i], "o", color="0.5", ms=3, label="gradient $g_t$")
        ax.plot(t, v[:, i], ".-", color="C0", lw=1, label="velocity $V_{t+1}$")
        ax.plot(t, g[:, i] / (1 - beta), "--", color="C1", lw=1, label="$g_t / (1 - β)$")
        ax.axhline(0.0, color="0.7", lw=0.8)
        ax.set_title(label)
        ax.set_xlabel("iteration t")
        ax.legend(fontsize=7)
    return plots.Plot(fig, axes)


# --------------------------------------------------------------------------- jumping to a setting


def jump_to(panel, setting: str):
    """Move the η and β sliders of ``panel`` to a :func:`tuned_settings` entry for its κ.

    What the panel's buttons run; returns the readout.
    """
    one_of(setting, "setting", TUNED)
    return panel.set(**tuned_settings(panel.values["condition_number"])[setting])


def add_jump_buttons(panel, settings) -> dict:
    """A row of buttons under the sliders, one per setting, each calling :func:`jump_to`."""
    buttons = {}
    for name in settings:
        one_of(name, "settings", TUNED)
        button = ipywidgets.Button(
            description=f"jump to {name}", layout=ipywidgets.Layout(width="auto")
        )
        button.on_click(lambda _button, name=name: jump_to(panel, name))
        buttons[name] = button
    controls, *rest = panel.widget.children
    panel.widget.children = (controls, ipywidgets.HBox(list(buttons.values())), *rest)
    panel.buttons = buttons
    return buttons


def _sliders(learning_rate: float, momentum: float, condition_number: float) -> dict:
    return {
        "momentum": widgets.slider(*BETA_RANGE, momentum, step=0.01, description="β"),
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
        "condition_number": widgets.slider(
            *KAPPA_RANGE, condition_number, log=True, description="κ"
        ),
    }


def _progress(name: str, run, errors) -> str:
    """'GD diverged after 9 steps', 'GD: error ÷ 10⁶ after 87 steps' or '... not within 400'."""
    if run.status == "diverged":
        return f"{name} diverged after {int(run.stopped_at)} steps"
    steps = int(steps_to_shrink(errors))
    if steps < 0:
        return f"{name}: error not ÷ 10⁶ within {len(errors) - 1} steps"
    return f"{name}: error ÷ 10⁶ after {steps} steps"


# --------------------------------------------------------------------------- the momentum panel


def draw_momentum(condition_number: float = 100.0):
    """Figure of the momentum panel: the bowl with two paths, and the rate against β."""
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.0, 1.2))
    f = ravine(condition_number)
    artists = {"ellipses": draw_bowl(left, f)}
    (artists["gd_path"],) = left.plot([], [], ".-", color="0.55", ms=3, lw=0.8, label="β = 0 (GD)")
    (artists["path"],) = left.plot([], [], ".-", color="C0", ms=4, lw=1, label="heavy ball")
    left.legend(fontsize=8, loc="upper right")
    artists["betas"] = np.linspace(*BETA_RANGE, 200)  # the predicted curve
    right.plot(artists["betas"], np.sqrt(artists["betas"]), ":", color="0.3", lw=1, label="√β")
    (artists["curve"],) = right.plot([], [], "-", color="C0", label="predicted rate")
    (artists["measured"],) = right.plot([], [], "o", color="C2", ms=3, label="measured")
    (artists["marker"],) = right.plot(
        [], [], "o", color="C3", ms=9, zorder=5, label="predicted at this β"
    )
    (artists["measured_marker"],) = right.plot(
        [], [], "o", mfc="none", mec="k", mew=1.5, ms=13, zorder=6, label="measured at this β"
    )
    artists.update(_rate_levels(right, f.eigenvalues))
    _format_rate_axes(right)
    right.legend(fontsize=7, loc="lower left")
    left.set_title("the heavy ball and GD")
    right.set_title("the rate per step against β")
    return fig, artists


def update_momentum(
    artists: dict, learning_rate: float, momentum: float, condition_number: float
) -> str:
    """Recompute the momentum panel for (η, β, κ); returns the readout (one slider move).

    ONE batched heavy-ball call runs β = 0 (GD), the slider's β and the 50 β's of the dots.
    """
    f = ravine(condition_number)
    update_bowl(artists["ellipses"], f)
    momenta = np.concatenate([[0.0, momentum], SWEEP_BETAS])
    runs = heavy_ball(f, START, learning_rate, momenta, max_iter=STEPS, tol=0.0)
    measured = measured_rate(runs, f.minimizers[0], window=WINDOW)
    for name, k in (("gd_path", 0), ("path", 1)):
        path = runs.run(k).iterates[: PATH_STEPS + 1]
        artists[name].set_data(*plots.as_paths(path)[0].T)
    _draw_rates(artists, f.eigenvalues, learning_rate, momentum, measured)
    return _momentum_readout(f, runs, measured, learning_rate, momentum)


def _draw_rates(artists, eigenvalues, learning_rate, momentum, measured) -> None:
    """Right axes: predicted curve, measured dots, the current β, the tuned levels and β*."""
    betas = artists["betas"]
    curve = curvature.momentum_rate_for(eigenvalues, learning_rate, betas)
    artists["curve"].set_data(betas, curve)
    artists["measured"].set_data(SWEEP_BETAS, measured[2:])
    rate = curvature.momentum_rate_for(eigenvalues, learning_rate, momentum)
    artists["marker"].set_data([momentum], [rate])
    artists["measured_marker"].set_data([momentum], [measured[1]])
    _, gd_rate, hb_rate, beta_star = _tuned(eigenvalues)
    artists["gd_level"].set_ydata([gd_rate] * 2)
    artists["hb_level"].set_ydata([hb_rate] * 2)
    artists["beta_star"].set_xdata([beta_star] * 2)


def _momentum_readout(f, runs, measured, learning_rate, momentum) -> str:
    """Settings, predicted and measured rate, the tuned settings, and how far each run got."""
    lam = f.eigenvalues
    kappa, gd_rate, hb_rate, beta_star = _tuned(lam)
    rate = float(curvature.momentum_rate_for(lam, learning_rate, momentum))
    tuned = tuned_settings(kappa)
    polyak = tuned["Polyak's heavy ball"]
    gd, ball = runs.run(0), runs.run(1)
    if ball.status == "diverged":
        seen = f"diverged on the run after {int(ball.stopped_at)} steps"
    else:
        seen = f"measured on the run {measured[1]:.4f}"
    errors = error_norms(runs, f.minimizers[0])
    return (
        f"η = {learning_rate:.4g}   β = {momentum:.3g}   κ = {kappa:.4g}"
        f"   (stable for η < 2(1+β)/λmax = {2 * (1 + momentum) / lam[-1]:.4g})"
        f"\nrate: predicted {rate:.4f}, {seen}"
        f"\ntuned GD: η = {tuned['tuned GD']['learning_rate']:.4g} gives {gd_rate:.4f};"
        f"  Polyak: η* = {polyak['learning_rate']:.4g},"
        f" β* = {beta_star:.4f} give {hb_rate:.4f}"
        f"\n{_progress('heavy ball', ball, errors[1])};  {_progress('GD at this η', gd, errors[0])}"
    )


def momentum_panel(
    learning_rate: float = 0.015, momentum: float = 0.5, condition_number: float = 100.0
):
    """Sliders: momentum β, learning rate η, condition number κ (lecture 06).

    Left, 80 steps of the heavy ball (blue) and of plain GD at the same η (grey) on the
    quadratic with eigenvalues 1 and κ; right, the predicted rate against β at this η and κ
    (the current β marked, the rate measured on its run circled), the rates measured on one
    batched run over 50 β's (dots), and the tuned GD and tuned momentum rates. Two buttons
    jump to tuned GD and to Polyak's (η*, β*) for the current κ.

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.artists`` the moving artists and ``panel.buttons`` (for tests).

    Examples
    --------
    >>> panel = momentum_panel()
    >>> "predicted 0.8182" in jump_to(panel, "Polyak's heavy ball")
    True
    """
    fig, artists = draw_momentum(condition_number)

    def update(learning_rate, momentum, condition_number):
        return update_momentum(artists, learning_rate, momentum, condition_number)

    names = ("ellipses", "gd_path", "path", "curve", "measured", "marker", "measured_marker")
    names += ("gd_level", "hb_level", "beta_star")
    controls = _sliders(learning_rate, momentum, condition_number)
    panel = widgets.Panel(fig, update, controls, [artists[k] for k in names], artists=artists)
    add_jump_buttons(panel, ("tuned GD", "Polyak's heavy ball"))
    return panel


# --------------------------------------------------------------------------- the race panel

RACERS = ("tuned GD", "heavy ball", "Nesterov")


def race(objective, learning_rate, momentum, max_iter: int = RACE_STEPS) -> dict:
    """Tuned GD against the heavy ball and Nesterov at (η, β), from :data:`START` (lecture 06).

    ONE :func:`~course_lib.descent.momentum_batch` call runs all three: learning rates
    (η_GD, η, η), momenta (0, β, β) (β = 0 is GD, with tuned η_GD = 2/(λmin + λmax)), the
    third taking Nesterov's step. Returns {name: Trajectory}, each trimmed to the steps it
    took and equal to :func:`heavy_ball` / :func:`nesterov` called alone.
    """
    tuned = float(curvature.optimal_gd_step(objective.eigenvalues))
    runs = momentum_batch(
        objective,
        START,
        [tuned, learning_rate, learning_rate],
        [0.0, momentum, momentum],
        [False, False, True],
        max_iter=max_iter,
    )
    methods = ("heavy ball", "heavy ball", "Nesterov")
    return {
        name: dataclasses.replace(runs.run(k), method=method)
        for k, (name, method) in enumerate(zip(RACERS, methods, strict=True))
    }


def draw_race():
    """Figure of the race panel: ‖x_t − x*‖ of the three methods on a log axis."""
    blank = np.ones(RACE_STEPS + 1)
    plot = plots.loss_curves([blank] * 3, list(RACERS), xlim=(0, RACE_STEPS), ylim=(1e-10, 1e4))
    plot.ax.set_ylabel(r"$\|x_t - x^*\|$")
    guides = {
        "tuned GD": plot.ax.plot([], [], ":", color="k", lw=1.5, label="predicted (κ−1)/(κ+1)")[0],
        "heavy ball": plot.ax.plot([], [], "--", color="C1", lw=1, label="predicted heavy ball")[0],
    }
    plot.ax.legend(fontsize=8, loc="upper right")
    return plot, guides


def update_race(plot, guides, learning_rate: float, momentum: float, condition_number: float):
    """Recompute the race for (η, β, κ); returns the readout (one slider move)."""
    f = ravine(condition_number)
    runs = race(f, learning_rate, momentum)
    xstar = f.minimizers[0]
    plot.set_curves([error_norms(r, xstar) for r in runs.values()])
    gd_rate = float(curvature.optimal_gd_rate(curvature.condition_number(f.eigenvalues)))
    rate = float(curvature.momentum_rate_for(f.eigenvalues, learning_rate, momentum))
    e0 = float(np.linalg.norm(START - xstar))
    for name, rho in (("tuned GD", gd_rate), ("heavy ball", rate)):
        guides[name].set_data(np.arange(RACE_STEPS + 1), predicted_errors(e0, rho, RACE_STEPS))
    lines = [
        f"{name}: {r.status.item()} after {int(r.stopped_at)} steps" for name, r in runs.items()
    ]
    return (
        f"η = {learning_rate:.4g}   β = {momentum:.3g}   κ = {condition_number:.4g}"
        f"   predicted: tuned GD {gd_rate:.4f}, heavy ball {rate:.4f}\n" + "\n".join(lines)
    )


def race_panel(learning_rate: float = 0.01, momentum: float = 0.8, condition_number: float = 100.0):
    """Sliders β, η, κ: tuned GD, heavy ball and Nesterov race to the minimum (lecture 06).

    Tuned GD does not depend on η and β (its η is 2/(λmin + λmax)): it is the benchmark.
    Buttons jump to Polyak's (η*, β*) and to Nesterov's choice (1/λmax, (√κ−1)/(√κ+1)).

    Returns
    -------
    course_lib.widgets.Panel
        with ``panel.plot`` (the three curves), ``panel.guides`` (‖e_0‖ ρ^t, dotted and
        dashed) and ``panel.buttons``.

    Examples
    --------
    >>> panel = race_panel()
    >>> "Nesterov" in panel.set(momentum=0.9)
    True
    """
    plot, guides = draw_race()

    def update(learning_rate, momentum, condition_number):
        return update_race(plot, guides, learning_rate, momentum, condition_number)

    controls = _sliders(learning_rate, momentum, condition_number)
    panel = widgets.Panel(plot.fig, update, controls, [*plot.lines, *guides.values()])
    panel.plot, panel.guides = plot, guides
    add_jump_buttons(panel, ("Polyak's heavy ball", "Nesterov's choice"))
    return panel


PANELS = {"momentum": momentum_panel, "race": race_panel}
