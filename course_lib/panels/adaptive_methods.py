"""Figures and slider panels of lecture 12, adaptive methods.

Everything drawn is computed by :mod:`course_lib.adaptive` (AdaGrad, RMSProp, Adam, AMSGrad)
and :func:`course_lib.descent.gradient_descent`. The bowl and start point are lecture 04's
(:mod:`course_lib.panels.step_size_and_line_search`), imported, not copied. The module adds
the formulas the lecture checks against the runs:

* the effective step of each coordinate, read off a path, η_i = (x_t − x_{t+1})_i / g_{t,i}
  (:func:`effective_steps`), and AdaGrad's η / (√Σ_k g_{k,i}² + ε) (:func:`adagrad_steps`);
* the size of Adam's uncorrected step for a constant gradient, (1 − β₁ᵗ) / √(1 − β₂ᵗ) times η
  (:func:`uncorrected_step_factor`);
* the drift of Adam (β₁ = 0) over one period of Reddi et al.'s example,
  C/√v₁ − 1/√v₂ − 1/√v₃ with the periodic second moments v₁, v₂, v₃ (:func:`reddi_drift`):
  negative, and Adam ends at the worst point +1.
"""

from __future__ import annotations

import numpy as np

from course_lib import adaptive, curvature, plots, widgets
from course_lib._checks import (
    as_float_array,
    in_unit_interval,
    number,
    one_of,
    positive,
    positive_int,
)
from course_lib.descent import gradient_descent
from course_lib.objectives import ill_conditioned_quadratic
from course_lib.panels.step_size_and_line_search import START, draw_bowl, update_bowl

METHODS = {"AdaGrad": "adagrad", "RMSProp": "rmsprop", "Adam": "adam"}
STEPS = 600  # length of the runs of the scaling panel
PATH_STEPS = 100  # steps drawn on the bowl
TOL = 1e-6  # gradient norm at which a run of the scaling panel counts as converged
ETA_RANGE = (1e-3, 1.0)
KAPPA_RANGE = (1.0, 1000.0)
ANGLE_RANGE = (0.0, 45.0)  # degrees
BIAS_STEPS = 200  # steps of the bias-correction panel
BETA1_RANGE = (0.0, 0.99)
BETA2_RANGE = (0.9, 0.9999)
REDDI_STEPS = 3000
REDDI_ETA = 0.5
C_RANGE = (2.5, 10.0)


def scaled_bowl(condition_number: float, angle: float = 0.0):
    """½ xᵀAx with eigenvalues 1 and κ, its axes turned by ``angle`` degrees (lecture 12).

    At angle 0 the bad scaling is along the coordinate axes: the steep direction is x₂.

    Examples
    --------
    >>> scaled_bowl(100.0).eigenvalues.tolist()
    [1.0, 100.0]
    """
    return ill_conditioned_quadratic(condition_number, angle=np.deg2rad(angle))


def race(objective, method: str, learning_rate, steps: int = STEPS, tol: float = TOL) -> dict:
    """Tuned gradient descent (η = 2/(λmin + λmax)) and an adaptive method, from START.

    Returns {"tuned GD": Trajectory, <method>: Trajectory}; ``method`` is a key of
    :data:`METHODS` (its other hyper-parameters are torch's defaults).
    """
    run = adaptive_run(objective, method, learning_rate, steps, tol)
    return {"tuned GD": tuned_gd(objective, steps, tol), method: run}


def adaptive_run(objective, method: str, learning_rate, steps: int = STEPS, tol: float = TOL):
    """The adaptive ``method`` (a key of :data:`METHODS`, torch's defaults) from START."""
    one_of(method, "method", tuple(METHODS))
    return adaptive.adaptive_descent(
        objective, START, learning_rate, METHODS[method], max_iter=steps, tol=tol
    )


def tuned_gd(objective, steps: int = STEPS, tol: float = TOL):
    """Gradient descent from START with the best fixed step η = 2/(λmin + λmax) (lecture 04).

    Examples
    --------
    >>> str(tuned_gd(scaled_bowl(10.0)).status)
    'converged'
    """
    eta_gd = float(curvature.optimal_gd_step(objective.eigenvalues))
    return gradient_descent(objective, START, eta_gd, max_iter=steps, tol=tol)


def effective_steps(trajectory, objective) -> np.ndarray:
    """The step size each coordinate took, (x_t − x_{t+1})_i / ∂_i f(x_t), shape (T, d).

    For gradient descent every entry is η; for AdaGrad and RMSProp (no momentum) it is
    η / (√s_i + ε), a different step for every coordinate (lecture 12). Entries whose
    gradient is exactly zero are nan.

    Examples
    --------
    >>> f = scaled_bowl(10.0)
    >>> traj = gradient_descent(f, [1.0, 1.0], 0.05, max_iter=3, tol=0.0)
    >>> np.allclose(effective_steps(traj, f), 0.05)
    True
    """
    x = trajectory.iterates
    g = objective.gradient(x[:-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g != 0, (x[:-1] - x[1:]) / np.where(g != 0, g, 1.0), np.nan)


def adagrad_steps(gradients, learning_rate: float, eps: float = 1e-10) -> np.ndarray:
    """AdaGrad's step of each coordinate from its gradients: η / (√(Σ_{k≤t} g_{k,i}²) + ε).

    Examples
    --------
    >>> adagrad_steps([[3.0, 0.1], [4.0, 0.0]], 1.0, eps=0.0)
    array([[ 0.33333333, 10.        ],
           [ 0.2       , 10.        ]])
    """
    g = as_float_array(gradients, "gradients", ndim_min=2)
    eta = float(positive(learning_rate, "learning_rate"))
    return eta / (np.sqrt(np.cumsum(g * g, axis=0)) + float(positive(eps, "eps", allow_zero=True)))


# --------------------------------------------------------------------------- bias correction


def uncorrected_step_factor(beta1, beta2, t) -> np.ndarray:
    """Adam's step for a constant gradient without bias correction, in units of η.

    With g constant, m_t = (1 − β₁ᵗ) g and v_t = (1 − β₂ᵗ) g², so the uncorrected step is
    η (1 − β₁ᵗ) / √(1 − β₂ᵗ) (ε ≪ |g|), while the corrected one is exactly η (lecture 12).

    Examples
    --------
    >>> round(float(uncorrected_step_factor(0.9, 0.999, 1)), 6)  # 0.1 / √0.001
    3.162278
    """
    b1 = in_unit_interval(beta1, "beta1")
    b2 = in_unit_interval(beta2, "beta2")
    t = np.asarray(t, float)
    return (1 - b1**t) / np.sqrt(1 - b2**t)


def constant_gradient_steps(beta1, beta2, steps: int = BIAS_STEPS, gradient: float = 1.0):
    """Adam's measured steps / η on f(x) = g·x, with and without bias correction.

    ONE :func:`course_lib.adaptive.online_descent` call with ``bias_correction=[True,
    False]`` and a constant η; returns an array of shape (2, steps): row 0 corrected,
    row 1 uncorrected.
    """
    steps = positive_int(steps, "steps")
    eta = 0.01
    runs = adaptive.online_descent(
        lambda x, t: np.full(x.shape, gradient),
        [0.0],
        eta,
        steps,
        "adam",
        betas=(beta1, beta2),
        eps=0.0,
        bias_correction=np.array([True, False]),
        decay="constant",
    )
    return -np.diff(runs.iterates[..., 0], axis=-1) / eta


# --------------------------------------------------------------------------- Reddi et al.


def reddi_second_moments(beta2, C: float = adaptive.REDDI_C):
    """The periodic second moments (v₁, v₂, v₃) of Adam on Reddi et al.'s example.

    With gradients C, −1, −1 repeating, v ← β₂v + (1 − β₂)g² settles on the cycle
    v₁ = (C² + β₂ + β₂²)/(1 + β₂ + β₂²) (just after the C step), v₂ = β₂v₁ + 1 − β₂,
    v₃ = β₂v₂ + 1 − β₂ (solving the three linear equations of one period).
    """
    b = in_unit_interval(beta2, "beta2")
    v1 = (C**2 + b + b**2) / (1 + b + b**2)
    v2 = b * v1 + 1 - b
    v3 = b * v2 + 1 - b
    return v1, v2, v3


def reddi_drift(beta2, C: float = adaptive.REDDI_C) -> np.ndarray:
    """Adam's (β₁ = 0) move towards the optimum −1 over one period, in units of η_t.

    C/√v₁ − 1/√v₂ − 1/√v₃: the C step moves x down by C/√v₁, the two −1 steps up by
    1/√v₂ + 1/√v₃ (the step size η_t = η/√t barely changes within a period). Negative:
    x drifts up to the worst point +1. AMSGrad, once its running maximum v̂ has settled,
    divides all three gradients by the same √v̂: its drift (C − 2)/√v̂ is positive for C > 2.

    Examples
    --------
    >>> float(reddi_drift(1 / (1 + 3.0**2))) < 0  # Reddi's setting: Adam goes the wrong way
    True
    """
    v1, v2, v3 = reddi_second_moments(beta2, C)
    return C / np.sqrt(v1) - 1 / np.sqrt(v2) - 1 / np.sqrt(v3)


def reddi_threshold(C: float = adaptive.REDDI_C, iterations: int = 60) -> float:
    """The β₂ at which :func:`reddi_drift` changes sign: below it Adam fails (bisection).

    Examples
    --------
    >>> 0.4 < reddi_threshold(3.0) < 0.5
    True
    """
    low, high = 0.0, 0.999999
    if reddi_drift(low, C) > 0:
        return 0.0
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if reddi_drift(mid, C) < 0 else (low, mid)
    return 0.5 * (low + high)


def reddi_runs(
    beta2,
    C: float = adaptive.REDDI_C,
    learning_rate=REDDI_ETA,
    steps=REDDI_STEPS,
    methods=("Adam", "AMSGrad"),
):
    """Adam (β₁ = 0) and AMSGrad on Reddi et al.'s example from x₀ = 0, η_t = η/√t.

    The losses are linear, so the gradients C, −1, −1, C, ... are known in advance and
    :func:`course_lib.adaptive.online_adam_linear` computes every step at once: the run of
    :func:`course_lib.adaptive.online_descent` with :func:`~course_lib.adaptive.reddi_gradient`
    (to rounding, ~1e-15), fast enough for the panel's sliders.
    ``beta2`` may be an array (one run per value, in one call per method); ``methods``
    chooses which of the two to run.
    Returns {"Adam": Trajectory, "AMSGrad": Trajectory} with ``losses[..., t]`` = f_{t+1}(x_t).
    """
    C = number(C, "C")
    steps = positive_int(steps, "steps")
    gradients = np.where(np.arange(1, steps + 1) % 3 == 1, C, -1.0)[:, None]
    return {
        name: adaptive.online_adam_linear(
            gradients, [0.0], learning_rate, betas=(0.0, beta2), amsgrad=ams, bounds=(-1.0, 1.0)
        )
        for name, ams in (("Adam", False), ("AMSGrad", True))
        if name in methods
    }


def average_regret(trajectory, C: float = adaptive.REDDI_C) -> np.ndarray:
    """R_T / T = (1/T) Σ_{t≤T} (f_t(x_{t−1}) − f_t(−1)) for T = 1..steps, shape (*batch, T).

    The best fixed point is x* = −1 (over a period the losses sum to (C − 2)x). An online
    method "learns" when R_T/T → 0; Adam on this example keeps 2(C − 2)/3 (lecture 12).
    """
    losses = trajectory.losses[..., :-1]
    t = np.arange(1, losses.shape[-1] + 1)
    best = np.where(t % 3 == 1, -C, 1.0)  # f_t(−1)
    return np.cumsum(losses - best, axis=-1) / t


def final_points(trajectory, period: int = 300) -> np.ndarray:
    """The mean of the last ``period`` iterates of each run, shape (*batch, d)."""
    return trajectory.iterates[..., -period:, :].mean(axis=-2)


# --------------------------------------------------------------------------- figures


def effective_steps_figure(steps_by_label: dict, coordinates=("x₁ (flat)", "x₂ (steep)")):
    """Effective step of each coordinate against t (log scale), one line per run and axis."""
    fig, ax = plots.new_figure()
    styles = ("-", "--")
    for k, (label, steps) in enumerate(steps_by_label.items()):
        steps = np.asarray(steps, float)
        for i, name in enumerate(coordinates):
            ax.plot(
                np.arange(len(steps)),
                steps[:, i],
                styles[i],
                color=f"C{k}",
                label=f"{label}, {name}",
            )
    ax.set_yscale("log")
    ax.set_xlabel("iteration t")
    ax.set_ylabel("step size of the coordinate")
    ax.legend(fontsize=7)
    plots.title_axes(fig, "the step size of each coordinate along the run")
    return plots.Plot(fig, ax)


def bias_figure(measured, beta1: float, beta2: float) -> plots.Plot:
    """Adam's step / η for a constant gradient: corrected (1) and uncorrected, measured
    (dots) against the prediction (1 − β₁ᵗ)/√(1 − β₂ᵗ) (line)."""
    measured = np.asarray(measured, float)
    t = np.arange(1, measured.shape[-1] + 1)
    fig, ax = plots.new_figure()
    ax.plot(t, measured[0], "o", ms=2, color="C0", label="with bias correction (measured)")
    ax.plot(t, measured[1], "o", ms=2, color="C3", label="without (measured)")
    ax.plot(t, uncorrected_step_factor(beta1, beta2, t), "-", color="k", lw=1,
            label="(1 − β₁ᵗ)/√(1 − β₂ᵗ)")  # fmt: skip
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("step / η")
    ax.legend(fontsize=8)
    plots.title_axes(fig, "Adam's step for a constant gradient, with and without the correction")
    return plots.Plot(fig, ax)


def reddi_figure(runs: dict, C: float = adaptive.REDDI_C) -> plots.Plot:
    """Left: x_t of each run on [−1, 1]; right: the average regret R_T/T."""
    fig, (left, right) = plots.new_figure(1, 2)
    for k, (name, traj) in enumerate(runs.items()):
        x = traj.iterates[..., 0]
        left.plot(np.arange(x.shape[-1]), x, color=f"C{k}", lw=0.8, label=name)
        right.plot(np.arange(1, x.shape[-1]), average_regret(traj, C), color=f"C{k}", label=name)
    left.axhline(-1.0, color="k", ls=":", lw=1, label="optimum x* = −1")
    left.set_ylim(-1.1, 1.1)
    left.set_xscale("log")
    left.set_xlabel("step t")
    left.set_ylabel("$x_t$")
    left.legend(fontsize=8)
    right.axhline(2 * (C - 2) / 3, color="C0", ls="--", lw=1, label="2(C − 2)/3")
    right.axhline(0.0, color="0.6", lw=0.8)
    right.set_xscale("log")
    right.set_xlabel("T")
    right.set_ylabel("average regret $R_T / T$")
    right.legend(fontsize=8)
    plots.title_axes(fig, "where Adam and AMSGrad go", "their average regret")
    return plots.Plot(fig, (left, right))


def beta2_sweep_figure(beta2s, finals: dict, thresholds: dict) -> plots.Plot:
    """Where Adam ends against β₂ (dots, one curve per C) and the predicted switch (lines)."""
    fig, ax = plots.new_figure()
    for k, (C, x) in enumerate(finals.items()):
        ax.plot(beta2s, x, "o-", ms=3, color=f"C{k}", label=f"C = {C:g}: measured")
        ax.axvline(thresholds[C], color=f"C{k}", ls=":", label=f"C = {C:g}: predicted switch")
    ax.set_xlabel("β₂")
    ax.set_ylabel("where Adam ends (mean of the last 300 $x_t$)")
    ax.set_ylim(-1.1, 1.1)
    ax.legend(fontsize=7)
    plots.title_axes(fig, "where Adam ends, against β₂")
    return plots.Plot(fig, ax)


# --------------------------------------------------------------------------- the scaling panel


def draw_scaling(condition_number: float = 100.0):
    """Figure of the scaling panel: the bowl with two paths, and f − f* of both runs."""
    fig, (left, right) = plots.new_figure(1, 2, width_ratios=(1.0, 1.2))
    artists = {"ellipses": draw_bowl(left, scaled_bowl(condition_number))}
    (artists["gd_path"],) = left.plot([], [], ".-", color="0.55", ms=3, lw=0.8, label="tuned GD")
    (artists["path"],) = left.plot([], [], ".-", color="C0", ms=3, lw=1, label="adaptive")
    left.legend(fontsize=8, loc="upper right")
    (artists["gd_loss"],) = right.plot([], [], color="0.55", label="tuned GD")
    (artists["loss"],) = right.plot([], [], color="C0", label="adaptive")
    right.set_yscale("log")
    right.set_xlim(0, STEPS)
    right.set_ylim(1e-14, 1e3)
    right.set_xlabel("iteration t")
    right.set_ylabel("$f(x_t) - f^*$")
    right.legend(fontsize=8, loc="upper right")
    left.set_title("100 steps on the bowl")
    right.set_title("progress of both runs")
    return fig, artists


def _positive(values):
    values = np.asarray(values, float)
    return np.where(values > 0, values, np.nan)


def update_scaling(artists, method, learning_rate, condition_number, angle) -> str:
    """Recompute the scaling panel (one slider move); returns the readout."""
    f = scaled_bowl(condition_number, angle)
    update_bowl(artists["ellipses"], f)
    # Tuned GD depends on the bowl only: a move of η or a new method reuses its run.
    bowl = (float(condition_number), float(angle))
    if artists.get("gd_bowl") != bowl:
        artists["gd_bowl"], artists["gd_run"] = bowl, tuned_gd(f)
    gd = artists["gd_run"]
    run = adaptive_run(f, method, learning_rate)
    for name, traj in (("gd_path", gd), ("path", run)):
        artists[name].set_data(*plots.as_paths(traj.iterates[: PATH_STEPS + 1])[0].T)
    for name, traj in (("gd_loss", gd), ("loss", run)):
        artists[name].set_data(np.arange(traj.losses.size), _positive(traj.losses))
    artists["path"].set_label(method)

    def said(name, traj):
        if traj.status == "converged":
            return f"{name}: ‖∇f‖ ≤ 1e-6 after {int(traj.stopped_at)} steps"
        gap = float(traj.final_loss)
        return (
            f"{name}: {traj.status.item()} after {int(traj.stopped_at)} steps, f − f* = {gap:.2g}"
        )

    return (
        f"{method}, η = {learning_rate:.3g}   κ = {condition_number:.4g}   axes turned {angle:.0f}°"
        f"\n{said(method, run)}\n{said('tuned GD (η = 2/(1 + κ))', gd)}"
    )


def scaling_panel(method="RMSProp", learning_rate=0.1, condition_number=100.0, angle=0.0):
    """Sliders: method, η, κ and the angle of the bowl's axes (lecture 12).

    Left, 100 steps of the adaptive method (blue) and of tuned gradient descent (grey) on
    ½ xᵀAx with eigenvalues 1 and κ; right, f(x_t) − f* of both over 600 steps. At angle 0
    the per-coordinate step sizes fix the scaling; turned by 45°, they cannot.

    Examples
    --------
    >>> panel = scaling_panel()
    >>> "RMSProp: ‖∇f‖ ≤ 1e-6 after" in panel.readout
    True
    """
    fig, artists = draw_scaling(condition_number)

    def update(method, learning_rate, condition_number, angle):
        return update_scaling(artists, method, learning_rate, condition_number, angle)

    controls = {
        "method": widgets.choice(list(METHODS), method, description="method"),
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
        "condition_number": widgets.slider(
            *KAPPA_RANGE, condition_number, log=True, description="κ"
        ),
        "angle": widgets.slider(*ANGLE_RANGE, angle, step=1.0, description="angle °"),
    }
    names = ("ellipses", "gd_path", "path", "gd_loss", "loss")
    return widgets.Panel(fig, update, controls, [artists[k] for k in names], artists=artists)


# --------------------------------------------------------------------------- the bias panel


def draw_bias():
    """Figure of the bias panel: step / η (left), f − f* on the bowl (right)."""
    fig, (left, right) = plots.new_figure(1, 2)
    t = np.arange(1, BIAS_STEPS + 1)
    artists = {"t": t}
    (artists["corrected"],) = left.plot([], [], "o", ms=2, color="C0", label="with correction")
    (artists["uncorrected"],) = left.plot([], [], "o", ms=2, color="C3", label="without")
    (artists["predicted"],) = left.plot([], [], "-", color="k", lw=1, label="(1 − β₁ᵗ)/√(1 − β₂ᵗ)")
    left.axhline(1.0, color="0.6", lw=0.8)
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlim(1, BIAS_STEPS)
    left.set_ylim(0.05, 50)
    left.set_xlabel("step t")
    left.set_ylabel("step / η (constant gradient)")
    left.legend(fontsize=7, loc="upper right")
    (artists["loss_on"],) = right.plot([], [], color="C0", label="Adam")
    (artists["loss_off"],) = right.plot([], [], color="C3", label="Adam, no bias correction")
    right.set_yscale("log")
    right.set_xlim(0, BIAS_STEPS)
    right.set_ylim(1e-8, 1e3)
    right.set_xlabel("iteration t")
    right.set_ylabel("$f(x_t) - f^*$ (κ = 100)")
    right.legend(fontsize=7, loc="upper right")
    left.set_title("the step for a constant gradient")
    right.set_title("Adam on the bowl, with and without the correction")
    return fig, artists


def update_bias(artists, beta1, beta2, learning_rate) -> str:
    """Recompute the bias panel; returns the readout."""
    measured = constant_gradient_steps(beta1, beta2)
    t = artists["t"]
    predicted = uncorrected_step_factor(beta1, beta2, t)
    artists["corrected"].set_data(t, measured[0])
    artists["uncorrected"].set_data(t, measured[1])
    artists["predicted"].set_data(t, predicted)
    f = scaled_bowl(100.0)
    runs = adaptive.adaptive_descent(
        f, START, learning_rate, "adam", betas=(beta1, beta2),
        bias_correction=np.array([True, False]), max_iter=BIAS_STEPS, tol=0.0,
    )  # fmt: skip
    artists["loss_on"].set_data(np.arange(BIAS_STEPS + 1), _positive(runs.losses[0]))
    artists["loss_off"].set_data(np.arange(BIAS_STEPS + 1), _positive(runs.losses[1]))
    peak = int(np.argmax(predicted))
    return (
        f"β₁ = {beta1:.3g}   β₂ = {beta2:.5g}   η = {learning_rate:.3g}"
        f"\nfirst step without correction: {predicted[0]:.3g} η;  largest: {predicted[peak]:.3g} η"
        f" at t = {peak + 1}"
        f"\nf − f* after {BIAS_STEPS} steps: corrected {float(runs.losses[0, -1]):.2g},"
        f" uncorrected {float(runs.losses[1, -1]):.2g}"
    )


def bias_panel(beta1=0.9, beta2=0.999, learning_rate=0.05):
    """Sliders β₁, β₂ and η: Adam's first steps with and without bias correction (lecture 12).

    Examples
    --------
    >>> "first step without correction: 3.16 η" in bias_panel().readout
    True
    """
    fig, artists = draw_bias()

    def update(beta1, beta2, learning_rate):
        return update_bias(artists, beta1, beta2, learning_rate)

    beta2_slider = widgets.slider(*BETA2_RANGE, beta2, step=0.0001, description="β₂")
    beta2_slider.readout_format = ".4f"  # a step of 0.0001 must show
    controls = {
        "beta1": widgets.slider(*BETA1_RANGE, beta1, step=0.01, description="β₁"),
        "beta2": beta2_slider,
        "learning_rate": widgets.slider(*ETA_RANGE, learning_rate, log=True, description="η"),
    }
    names = ("corrected", "uncorrected", "predicted", "loss_on", "loss_off")
    return widgets.Panel(fig, update, controls, [artists[k] for k in names], artists=artists)


# --------------------------------------------------------------------------- the Reddi panel


def draw_reddi():
    """Figure of the Reddi panel: x_t (left), average regret (right)."""
    fig, (left, right) = plots.new_figure(1, 2)
    artists = {}
    for k, name in enumerate(("Adam", "AMSGrad")):
        (artists[f"x_{name}"],) = left.plot([], [], color=f"C{k}", lw=0.8, label=name)
        (artists[f"regret_{name}"],) = right.plot([], [], color=f"C{k}", label=name)
    left.axhline(-1.0, color="k", ls=":", lw=1, label="optimum x* = −1")
    left.set_xscale("log")
    left.set_xlim(1, REDDI_STEPS)
    left.set_ylim(-1.1, 1.1)
    left.set_xlabel("step t")
    left.set_ylabel("$x_t$")
    left.legend(fontsize=8, loc="lower left")
    artists["regret_level"] = right.axhline(2 / 3, color="C0", ls="--", lw=1, label="2(C − 2)/3")
    right.axhline(0.0, color="0.6", lw=0.8)
    right.set_xscale("log")
    right.set_xlim(1, REDDI_STEPS)
    right.set_ylim(-1.0, 6.0)
    right.set_xlabel("T")
    right.set_ylabel("average regret $R_T/T$")
    right.legend(fontsize=8, loc="upper right")
    left.set_title("where Adam and AMSGrad go")
    right.set_title("their average regret")
    return fig, artists


def update_reddi(artists, beta2, C, learning_rate) -> str:
    """Recompute the Reddi panel; returns the readout."""
    runs = reddi_runs(beta2, C, learning_rate)
    t = np.arange(REDDI_STEPS + 1)
    for name, traj in runs.items():
        artists[f"x_{name}"].set_data(t, traj.iterates[:, 0])
        artists[f"regret_{name}"].set_data(t[1:], average_regret(traj, C))
    artists["regret_level"].set_ydata([2 * (C - 2) / 3] * 2)
    drift = float(reddi_drift(beta2, C))
    threshold = reddi_threshold(C)
    ends = {name: float(final_points(traj)[0]) for name, traj in runs.items()}
    verdict = "towards −1 (right)" if drift > 0 else "towards +1 (wrong)"
    return (
        f"C = {C:.3g}   β₂ = {beta2:.4g}   η = {learning_rate:.3g}   (β₁ = 0)"
        f"\npredicted drift of Adam per period: {drift:+.3f} η_t, {verdict};"
        f" Adam fails for β₂ < {threshold:.3f} at this C"
        f"\nwhere they end: Adam {ends['Adam']:+.3f}, AMSGrad {ends['AMSGrad']:+.3f}"
    )


def reddi_panel(beta2=0.1, C=adaptive.REDDI_C, learning_rate=REDDI_ETA):
    """Sliders β₂, C and η on Reddi et al.'s example: Adam against AMSGrad (lecture 12).

    Examples
    --------
    >>> "towards +1 (wrong)" in reddi_panel().readout
    True
    """
    fig, artists = draw_reddi()

    def update(beta2, C, learning_rate):
        return update_reddi(artists, beta2, C, learning_rate)

    beta2_slider = widgets.slider(0.0, 0.999, beta2, step=0.001, description="β₂")
    beta2_slider.readout_format = ".3f"  # a step of 0.001 must show
    controls = {
        "beta2": beta2_slider,
        "C": widgets.slider(*C_RANGE, C, step=0.1, description="C"),
        "learning_rate": widgets.slider(0.01, 2.0, learning_rate, log=True, description="η"),
    }
    names = ("x_Adam", "x_AMSGrad", "regret_Adam", "regret_AMSGrad", "regret_level")
    return widgets.Panel(fig, update, controls, [artists[k] for k in names], artists=artists)


PANELS = {"scaling": scaling_panel, "bias": bias_panel, "reddi": reddi_panel}
