"""Convexity, smoothness and the classical convergence bounds (lecture 13).

Lectures 04 and 06 predicted the *exact* rate of a method on a quadratic from its eigenvalues
(:mod:`course_lib.curvature`). This module holds the *guarantees* that need only two numbers,

    L  (smoothness):         ‖∇f(x) − ∇f(y)‖ ≤ L ‖x − y‖,    i.e. ∇²f ⪯ L I,
    μ  (strong convexity):   f(y) ≥ f(x) + ∇f(x)ᵀ(y − x) + μ/2 ‖y − x‖²,   i.e. ∇²f ⪰ μ I,

and hold for every function with those constants. Every bound is a function of the step
count t, vectorised over t (and over the constants), so a lecture draws it next to the curve
measured on a run of :mod:`course_lib.descent` or :mod:`course_lib.stochastic`.

Deterministic bounds, with R² = ‖x₀ − x*‖² and step η ≤ 1/L (a function that is L-smooth is
also L'-smooth for every L' ≥ L, so each bound holds with L replaced by 1/η):

    GD, convex                    f(x_t) − f* ≤ L R² / (2t)
    GD, μ-strongly convex         ‖x_t − x*‖² ≤ (1 − μ/L)^t R²,
                                  f(x_t) − f* ≤ (1 − μ/L)^t (f(x₀) − f*)
    Nesterov, convex              f(x_t) − f* ≤ 2 L R² / (t + 1)²
    Nesterov, μ-strongly convex   f(x_t) − f* ≤ (1 − √(μ/L))^t (f(x₀) − f* + μ/2 R²)

References: Nesterov, *Introductory Lectures on Convex Optimization* (2004), Ch. 2; Beck,
*First-Order Methods in Optimization* (2017), Ch. 10; Garrigos & Gower, *Handbook of
convergence theorems for (stochastic) gradient methods* (2023, arXiv:2301.11235), Sec. 3
(gradient descent) and Sec. 5 (SGD); Beck & Teboulle (2009) and Su, Boyd & Candès (2016) for
the (t − 1)/(t + 2) momentum; Bottou, Curtis & Nocedal (2018), Thm 4.7, for the 1/t steps.
The SGD statements are derived in their docstrings from one recursion, and every bound is
tested numerically (tests/test_convergence.py), so a mis-remembered constant would fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib import curvature
from course_lib._checks import (
    as_dataset,
    as_float_array,
    as_generator,
    as_points,
    broadcast_together,
    callable_arg,
    number,
    positive,
    positive_int,
)
from course_lib.objectives import LeastSquares, Objective, Quadratic
from course_lib.stochastic import per_example_gradients
from course_lib.trajectory import Trajectory

# --------------------------------------------------------------------------- the constants L and μ


def smoothness_constants(H_or_eigenvalues):
    """L = λmax and μ = λmin of a constant Hessian (quadratics, least squares; lecture 13).

    For f with ∇²f = H everywhere, f is L-smooth with L = λmax(H) and μ-strongly convex with
    μ = λmin(H) when λmin > 0 (μ = 0: convex, not strongly; μ < 0: not convex).

    Parameters
    ----------
    H_or_eigenvalues : array_like, shape (..., d, d), or eigenvalues (d,)

    Returns
    -------
    (L, mu) : floats or arrays of shape (...)

    Examples
    --------
    >>> L, mu = smoothness_constants(np.diag([0.5, 4.0]))
    >>> float(L), float(mu)
    (4.0, 0.5)
    """
    lam = curvature._spectrum(H_or_eigenvalues, "H_or_eigenvalues")
    return lam[..., -1][()], lam[..., 0][()]


def objective_constants(objective):
    """(L, μ) of a quadratic or a least-squares objective, from its constant Hessian.

    ``Quadratic`` uses A, ``LeastSquares`` uses XᵀX / n (its Hessian); other objectives have
    a Hessian that changes from point to point and are refused with a TypeError (use
    :func:`logistic_smoothness` for the logistic risk).

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> [float(c) for c in objective_constants(quadratic([1.0, 10.0]))]
    [10.0, 1.0]
    """
    if isinstance(objective, Quadratic):
        return smoothness_constants(objective.A)
    if isinstance(objective, LeastSquares):
        X = objective.X
        return smoothness_constants(X.T @ X / X.shape[0])
    raise TypeError(
        "objective must be a Quadratic or a LeastSquares objective (constant Hessian), got "
        f"{type(objective).__name__}"
    )


def logistic_smoothness(X) -> float:
    """L = λmax(XᵀX) / (4n) for the mean logistic risk (1/n) Σ log(1 + e^(−yᵢxᵢᵀw)) (lecture 13).

    ∇²R̂(w) = (1/n) Σ σ(zᵢ)σ(−zᵢ) xᵢxᵢᵀ and σ(z)σ(−z) ≤ 1/4, so ∇²R̂ ⪯ XᵀX/(4n) for every w.
    There is no μ > 0 that works everywhere: far from the data σσ → 0 (convex, not strongly).

    Examples
    --------
    >>> logistic_smoothness(np.array([[2.0, 0.0], [0.0, 1.0]]))
    0.5
    """
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    return float(np.linalg.eigvalsh(X.T @ X)[-1] / (4 * X.shape[0]))


def per_example_smoothness(X) -> float:
    """L_max = maxᵢ ‖xᵢ‖², the smoothness of every fᵢ(w) = ½(xᵢᵀw − yᵢ)² (lecture 13).

    The SGD bounds need each example's loss to be L_max-smooth (∇²fᵢ = xᵢxᵢᵀ, whose only
    non-zero eigenvalue is ‖xᵢ‖²), which is larger than the L of the mean.

    Examples
    --------
    >>> per_example_smoothness(np.array([[3.0, 4.0], [1.0, 0.0]]))
    25.0
    """
    X = as_float_array(X, "X", ndim_min=2)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    return float(np.max(np.sum(X * X, axis=1)))


def gradient_noise_at_optimum(X, y, w_star) -> float:
    """σ*² = (1/n) Σᵢ ‖∇fᵢ(w*)‖², the SGD noise left at the least-squares optimum (lecture 13).

    At w* the full gradient is zero but each example's gradient (xᵢᵀw* − yᵢ) xᵢ is not (lecture
    05); σ*² is their mean square, the variance of a one-example gradient at w*. It is zero
    exactly when the model interpolates the data.

    Examples
    --------
    >>> gradient_noise_at_optimum(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), [0.0])
    1.0
    """
    X, y = as_dataset(X, y)
    w_star = as_float_array(w_star, "w_star", ndim_min=1)
    if w_star.shape != (X.shape[1],):
        raise ValueError(
            f"w_star must have shape ({X.shape[1]},) to match X {X.shape}, got {w_star.shape}"
        )
    g = per_example_gradients(w_star, X, y)
    return float(np.mean(np.sum(g * g, axis=1)))


# --------------------------------------------------------------------------- deterministic bounds


def _steps(t, name="t") -> np.ndarray:
    t = as_float_array(t, name)
    if np.any(t < 0) or np.any(t != np.round(t)):
        raise ValueError(f"{name} must hold non-negative whole step counts, got {t!r}")
    return t


def _ratio(smoothness, strong_convexity) -> np.ndarray:
    L = positive(smoothness, "smoothness")
    mu = positive(strong_convexity, "strong_convexity", allow_zero=True)
    broadcast_together(smoothness=L, strong_convexity=mu)
    if np.any(mu > L):
        raise ValueError(f"strong_convexity μ must not exceed smoothness L, got μ={mu!r}, L={L!r}")
    return mu / L


def gd_convex_bound(t, smoothness, distance_sq):
    """f(x_t) − f* ≤ L ‖x₀ − x*‖² / (2t): GD with η = 1/L on a convex L-smooth f (lecture 13).

    Beck (2017), Thm 10.21; Garrigos & Gower (2023), Sec. 3. Assumptions: f convex,
    L-smooth, with a minimiser x*; fixed step η = 1/L (any η ≤ 1/L with L replaced by 1/η).
    At t = 0 the value L R²/2 is returned (smoothness alone: f(x₀) − f* ≤ L/2 ‖x₀ − x*‖²).

    Parameters
    ----------
    t : int or array_like of int
        Step counts.
    smoothness : float or array_like
        L > 0.
    distance_sq : float or array_like
        R² = ‖x₀ − x*‖².

    Returns
    -------
    ndarray, broadcast of the arguments

    Examples
    --------
    >>> gd_convex_bound([0, 1, 10], 2.0, 1.0).tolist()
    [1.0, 1.0, 0.1]
    """
    t = _steps(t)
    L = positive(smoothness, "smoothness")
    R2 = positive(distance_sq, "distance_sq", allow_zero=True)
    broadcast_together(t=t, smoothness=L, distance_sq=R2)
    return (L * R2 / (2 * np.maximum(t, 1)))[()]


def gd_strongly_convex_bound(t, smoothness, strong_convexity, distance_sq):
    """‖x_t − x*‖² ≤ (1 − μ/L)^t ‖x₀ − x*‖²: GD, η = 1/L, μ-strongly convex f (lecture 13).

    Garrigos & Gower (2023), Sec. 3; Nesterov (2004), Thm 2.1.15 (which has the sharper
    ((κ − 1)/(κ + 1))^(2t) for η = 2/(μ + L)). Assumptions: f μ-strongly convex and L-smooth,
    fixed step η = 1/L. A *linear* rate: a straight line of slope log(1 − μ/L) on log axes.

    Examples
    --------
    >>> gd_strongly_convex_bound([0, 1, 2], 4.0, 1.0, 2.0).tolist()
    [2.0, 1.5, 1.125]
    """
    t = _steps(t)
    q = _ratio(smoothness, strong_convexity)
    R2 = positive(distance_sq, "distance_sq", allow_zero=True)
    broadcast_together(t=t, smoothness=smoothness, strong_convexity=q, distance_sq=R2)
    return ((1 - q) ** t * R2)[()]


def gd_strongly_convex_gap_bound(t, smoothness, strong_convexity, initial_gap):
    """f(x_t) − f* ≤ (1 − μ/L)^t (f(x₀) − f*): the same linear rate for the gap (lecture 13).

    One step of η = 1/L decreases f by at least ‖∇f‖²/(2L) (the descent lemma), and strong
    convexity gives ‖∇f‖² ≥ 2μ (f − f*) (the Polyak–Łojasiewicz inequality); together
    f(x_{t+1}) − f* ≤ (1 − μ/L)(f(x_t) − f*). Karimi, Nutini & Schmidt (2016), Thm 1.

    Examples
    --------
    >>> gd_strongly_convex_gap_bound([0, 2], 10.0, 5.0, 8.0).tolist()
    [8.0, 2.0]
    """
    t = _steps(t)
    q = _ratio(smoothness, strong_convexity)
    gap0 = positive(initial_gap, "initial_gap", allow_zero=True)
    broadcast_together(t=t, smoothness=smoothness, strong_convexity=q, initial_gap=gap0)
    return ((1 - q) ** t * gap0)[()]


def nesterov_convex_bound(t, smoothness, distance_sq):
    """f(x_t) − f* ≤ 2 L ‖x₀ − x*‖² / (t + 1)²: Nesterov's accelerated gradient (lecture 13).

    For :func:`course_lib.descent.accelerated_gradient` (η = 1/L, momentum (t − 1)/(t + 2)),
    x_t the gradient-step points. Nesterov (1983); Beck & Teboulle (2009), Thm 4.4; Su,
    Boyd & Candès (2016), Thm 6. Assumptions: f convex and L-smooth, η ≤ 1/L. O(1/t²)
    against GD's O(1/t), and no first-order method can do better in general (Nesterov 2004,
    Thm 2.1.7).

    Examples
    --------
    >>> nesterov_convex_bound([0, 1, 3], 1.0, 2.0).tolist()
    [4.0, 1.0, 0.25]
    """
    t = _steps(t)
    L = positive(smoothness, "smoothness")
    R2 = positive(distance_sq, "distance_sq", allow_zero=True)
    broadcast_together(t=t, smoothness=L, distance_sq=R2)
    return (2 * L * R2 / (t + 1) ** 2)[()]


def nesterov_strongly_convex_bound(t, smoothness, strong_convexity, initial_gap, distance_sq):
    """f(x_t) − f* ≤ (1 − √(μ/L))^t (f(x₀) − f* + μ/2 ‖x₀ − x*‖²) (lecture 13).

    Nesterov's constant-momentum scheme (2004, Thm 2.2.3 with γ₀ = μ): η = 1/L and
    β = (√L − √μ)/(√L + √μ), that is :func:`course_lib.descent.nesterov` with those settings,
    x_t its gradient-step points. Assumptions: f μ-strongly convex and L-smooth. The rate
    1 − 1/√κ against GD's 1 − 1/κ: κ is replaced by √κ.

    Examples
    --------
    >>> nesterov_strongly_convex_bound([0, 1], 4.0, 1.0, 1.0, 2.0).tolist()
    [2.0, 1.0]
    """
    t = _steps(t)
    q = _ratio(smoothness, strong_convexity)
    mu = positive(strong_convexity, "strong_convexity", allow_zero=True)
    gap0 = positive(initial_gap, "initial_gap", allow_zero=True)
    R2 = positive(distance_sq, "distance_sq", allow_zero=True)
    broadcast_together(t=t, smoothness=smoothness, strong_convexity=q, initial_gap=gap0,
                       distance_sq=R2)  # fmt: skip
    return ((1 - np.sqrt(q)) ** t * (gap0 + mu / 2 * R2))[()]


# --------------------------------------------------------------------------- SGD bounds


def _sgd_inputs(learning_rates, max_step, name="learning_rates"):
    gamma = positive(learning_rates, name)
    if np.any(gamma > max_step * (1 + 1e-12)):
        raise ValueError(
            f"{name} must not exceed {max_step:.6g} for this bound to hold, got a largest "
            f"value {np.max(gamma):.6g}"
        )
    return gamma


def sgd_distance_bound(learning_rates, per_example_L, strong_convexity, noise, distance_sq):
    """E‖x_t − x*‖² bound of SGD with ANY steps γ_t ≤ 1/(2 L_max), strongly convex (lecture 13).

    Theorem (Garrigos & Gower 2023, Sec. 5; Gower et al. 2019). Let
    f = (1/n) Σ fᵢ with every fᵢ convex and L_max-smooth, f μ-strongly convex with minimiser
    x*, and σ*² = (1/n) Σ ‖∇fᵢ(x*)‖². SGD samples i uniformly and independently at each
    step, x_{t+1} = x_t − γ_t ∇f_i(x_t). If γ_t ≤ 1/(2 L_max) then

        E‖x_{t+1} − x*‖² ≤ (1 − γ_t μ) E‖x_t − x*‖² + 2 γ_t² σ*².

    This returns the sequence r_t that the recursion gives from r₀ = ‖x₀ − x*‖², an upper
    bound on E‖x_t − x*‖² for every t. With constant γ it is
    (1 − γμ)^t R² + (2γσ*²/μ)(1 − (1 − γμ)^t): linear convergence down to a noise floor
    2γσ*²/μ, which only a decaying step removes (:func:`sgd_inverse_time_bound`).

    Parameters
    ----------
    learning_rates : array_like, shape (..., T)
        γ₀, ..., γ_{T−1} (a batch of schedules along the leading axes).
    per_example_L, strong_convexity, noise, distance_sq : float
        L_max, μ, σ*² and ‖x₀ − x*‖².

    Returns
    -------
    ndarray, shape (..., T + 1)
        r₀, ..., r_T.

    Examples
    --------
    >>> sgd_distance_bound([0.1, 0.1], 5.0, 1.0, 0.0, 1.0).tolist()
    [1.0, 0.9, 0.81]
    """
    L = float(positive(number(per_example_L, "per_example_L"), "per_example_L"))
    gamma = _sgd_inputs(as_float_array(learning_rates, "learning_rates", ndim_min=1), 0.5 / L)
    mu = float(positive(number(strong_convexity, "strong_convexity"), "strong_convexity",
                        allow_zero=True))  # fmt: skip
    sigma = float(positive(number(noise, "noise"), "noise", allow_zero=True))
    r = np.empty((*gamma.shape[:-1], gamma.shape[-1] + 1))
    r[..., 0] = float(positive(number(distance_sq, "distance_sq"), "distance_sq", allow_zero=True))
    if gamma.ndim == 1:  # one schedule: the same operations on Python floats, ~8x faster
        r_t, values = float(r[0]), []
        for g in gamma.tolist():
            r_t = (1 - g * mu) * r_t + 2 * g * g * sigma
            values.append(r_t)
        r[1:] = values
        return r
    for t in range(gamma.shape[-1]):  # the recursion, over steps only
        g = gamma[..., t]
        r[..., t + 1] = (1 - g * mu) * r[..., t] + 2 * g * g * sigma
    return r


def sgd_inverse_time_bound(t, scale, offset, strong_convexity, noise, distance_sq):
    """E‖x_t − x*‖² ≤ max(a R², 2c²σ*²/(cμ − 1)) / (t + a) for steps γ_t = c/(t + a) (lecture 13).

    The O(1/t) rate of SGD with decaying steps on a strongly convex finite sum (same
    assumptions as :func:`sgd_distance_bound`; Bottou, Curtis & Nocedal 2018, Thm 4.7, and
    Nemirovski et al. 2009, eq. 2.9, in the form of Garrigos & Gower's recursion). Needs
    cμ > 1 and γ₀ = c/a ≤ 1/(2 L_max) (which implies a ≥ 2cμ, as L_max ≥ μ). Proof: by
    induction on the recursion r_{t+1} ≤ (1 − γ_tμ) r_t + 2γ_t²σ*²: with s = t + a and C the
    constant, (1 − cμ/s) C/s + 2c²σ*²/s² ≤ C(s − 1)/s² ≤ C/(s + 1).
    In the course's schedule ``"inverse_time"`` (η₀/(1 + t/t₀)) this is c = η₀t₀, a = t₀;
    c = 2/μ gives the classic constant max(a R², 8σ*²/μ²).

    Parameters
    ----------
    t : int or array_like
    scale, offset : float
        c and a.
    strong_convexity, noise, distance_sq : float
        μ, σ*² and R².

    Examples
    --------
    >>> sgd_inverse_time_bound([0, 10], 2.0, 10.0, 1.0, 1.0, 1.0).tolist()
    [1.0, 0.5]
    """
    t = _steps(t)
    c = positive(scale, "scale")
    a = positive(offset, "offset")
    mu = positive(strong_convexity, "strong_convexity")
    broadcast_together(scale=c, offset=a, strong_convexity=mu)
    if np.any(c * mu <= 1):
        raise ValueError(f"the bound needs scale · strong_convexity = cμ > 1, got {c * mu!r}")
    if np.any(a < c * mu):
        raise ValueError(
            "the bound needs offset a ≥ cμ (every step γ_t μ ≤ 1; γ₀ ≤ 1/(2 L_max) gives a ≥ 2cμ)"
        )
    sigma = positive(noise, "noise", allow_zero=True)
    R2 = positive(distance_sq, "distance_sq", allow_zero=True)
    broadcast_together(t=t, scale=c, offset=a, strong_convexity=mu, noise=sigma, distance_sq=R2)
    return (np.maximum(a * R2, 2 * c**2 * sigma / (c * mu - 1)) / (t + a))[()]


def sgd_convex_bound(steps, learning_rate, per_example_L, noise, distance_sq):
    """E f(x̄_T) − f* ≤ R²/(2γ(1 − 2γL_max)T) + γσ*²/(1 − 2γL_max) (lecture 13).

    Garrigos & Gower (2023), Sec. 5. Assumptions: f = (1/n) Σ fᵢ, every fᵢ convex and
    L_max-smooth, x* a minimiser, σ*² = (1/n) Σ ‖∇fᵢ(x*)‖²; SGD with i uniform and
    independent, constant step γ < 1/(2 L_max), run for T steps; x̄_T = (1/T) Σ_{k<T} x_k
    is the average of the iterates. No strong convexity. With γ = γ₀/√T (the step chosen
    for the horizon T) both terms fall as 1/√T:

        E f(x̄_T) − f* ≤ (R²/(2γ₀) + γ₀σ*²) / ((1 − 2γ₀L_max/√T) √T)  =  O(1/√T).

    Parameters
    ----------
    steps : int or array_like
        T ≥ 1.
    learning_rate : float or array_like
        γ (broadcasts with ``steps``).
    per_example_L, noise, distance_sq : float
        L_max, σ*², R².

    Examples
    --------
    >>> round(float(sgd_convex_bound(100, 0.1, 1.0, 0.0, 2.0)), 12)
    0.125
    """
    T = _steps(steps, "steps")
    if np.any(T < 1):
        raise ValueError("steps must be at least 1")
    L = float(positive(number(per_example_L, "per_example_L"), "per_example_L"))
    gamma = positive(learning_rate, "learning_rate")
    if np.any(gamma >= 0.5 / L):
        raise ValueError(f"learning_rate must be below 1/(2 L_max) = {0.5 / L:.6g}")
    sigma = positive(noise, "noise", allow_zero=True)
    R2 = positive(distance_sq, "distance_sq", allow_zero=True)
    broadcast_together(steps=T, learning_rate=gamma, noise=sigma, distance_sq=R2)
    slack = 1 - 2 * gamma * L
    return (R2 / (2 * gamma * slack * T) + gamma * sigma / slack)[()]


# --------------------------------------------------------------------------- measuring runs


def gradient_step_points(objective, trajectory, learning_rate) -> np.ndarray:
    """The points x_t that Nesterov's bounds speak of, from a run of θ's (lecture 13).

    :func:`course_lib.descent.nesterov` and :func:`course_lib.descent.accelerated_gradient`
    store the look-ahead points θ_t where the gradient is taken; the classical method's main
    sequence is x₀ = θ₀ and x_{t+1} = θ_t − η ∇f(θ_t) (one gradient step from each θ).

    Returns
    -------
    ndarray, shape (*batch, T + 1, d)

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> from course_lib.descent import nesterov
    >>> run = nesterov(quadratic([1.0, 4.0]), [1.0, 1.0], 0.25, 0.0, max_iter=2, tol=0.0)
    >>> bool(np.allclose(gradient_step_points(quadratic([1.0, 4.0]), run, 0.25), run.iterates))
    True
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    if not isinstance(trajectory, Trajectory):
        raise TypeError(f"trajectory must be a Trajectory, got {type(trajectory).__name__}")
    theta = trajectory.iterates
    eta = positive(learning_rate, "learning_rate")
    batch = theta.shape[:-2]
    if broadcast_together(learning_rate=eta, trajectory=theta[..., 0, 0]) != batch:
        raise ValueError(
            f"learning_rate must broadcast to the trajectory's batch shape {batch}, got shape "
            f"{eta.shape}"
        )
    eta = eta[..., None, None]
    stepped = theta[..., :-1, :] - eta * objective.gradient(theta[..., :-1, :])
    return np.concatenate([theta[..., :1, :], stepped], axis=-2)


def empirical_rate(values, window: int):
    """(v_end / v_{end−k})^(1/k): the contraction per step over the last k values (lecture 13).

    On log axes, the slope of a curve that falls linearly; for a bound q^t C it returns q.

    Examples
    --------
    >>> float(empirical_rate(0.5 ** np.arange(10.0), 4))
    0.5
    """
    v = as_float_array(values, "values", ndim_min=1)
    k = positive_int(window, "window")
    if k >= v.shape[-1]:
        raise ValueError(f"window must be shorter than the curve ({v.shape[-1]} values), got {k}")
    if np.any(v[..., [-1 - k, -1]] <= 0):
        raise ValueError("values must be positive at both ends of the window")
    return ((v[..., -1] / v[..., -1 - k]) ** (1.0 / k))[()]


# --------------------------------------------------------------------------- convexity checks


def jensen_gap(f, x, y, theta):
    """f(θx + (1 − θ)y) − θ f(x) − (1 − θ) f(y): ≤ 0 for all x, y, θ ∈ [0, 1] iff f is convex.

    The chord from (x, f(x)) to (y, f(y)) lies above the graph (lecture 13). Vectorised: x and
    y of shape (..., d) and θ of shape (...) broadcast together; f maps (..., d) to (...).

    Examples
    --------
    >>> f = lambda p: np.sum(p**2, axis=-1)
    >>> float(jensen_gap(f, np.array([1.0]), np.array([-1.0]), 0.5))
    -1.0
    """
    callable_arg(f, "f")
    x, y = as_points(x, "x"), as_points(y, "y")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"x and y must be points of the same dimension (last axis), got shapes {x.shape} "
            f"and {y.shape}"
        )
    theta = as_float_array(theta, "theta")
    if np.any((theta < 0) | (theta > 1)):
        raise ValueError(f"theta must lie in [0, 1], got {theta!r}")
    th = theta[..., None]
    return (f(th * x + (1 - th) * y) - theta * f(x) - (1 - theta) * f(y))[()]


@dataclass(frozen=True)
class ConvexityCheck:
    """What a random search for a non-convex chord found.

    Attributes
    ----------
    convex : bool
        No violation beyond the tolerance was found (evidence, not a proof).
    worst : float
        The largest Jensen gap found (function test) or the fraction of tested convex
        combinations that left the set (set test).
    x, y : ndarray, shape (d,)
        The end points of the worst segment.
    theta : float
        Where on that segment.
    """

    convex: bool
    worst: float
    x: np.ndarray
    y: np.ndarray
    theta: float


def _segments(low, high, dim, segments, thetas, seed, segments_name="segments"):
    lo = as_float_array(low, "low")
    hi = as_float_array(high, "high")
    d = positive_int(dim, "dim")
    for name, bound in (("low", lo), ("high", hi)):
        if bound.ndim > 1 or (bound.ndim == 1 and bound.shape[0] not in (1, d)):
            raise ValueError(
                f"{name} must be a number or an array of shape ({d},) (one bound per "
                f"coordinate of the box), got shape {bound.shape}"
            )
    if np.any(hi <= lo):
        raise ValueError("high must exceed low in every coordinate")
    m = positive_int(segments, segments_name)
    th = as_float_array(thetas, "thetas", ndim_min=1)
    if th.ndim != 1 or np.any((th < 0) | (th > 1)):
        raise ValueError("thetas must be a 1-D array of values in [0, 1]")
    rng = as_generator(seed)
    x = rng.uniform(lo, hi, size=(m, d))
    y = rng.uniform(lo, hi, size=(m, d))
    return x, y, th


def convexity_check(f, low, high, dim, *, segments=2000, thetas=None, seed=0, tol=1e-10):
    """Look for a chord below the graph on random segments in a box (lecture 13).

    Draws ``segments`` pairs (x, y) uniformly in the box [low, high]^d and evaluates
    :func:`jensen_gap` at every θ of ``thetas`` on every pair, in one call of f on an array
    (segments, len(thetas), d). A gap above tol · (1 + |θf(x) + (1 − θ)f(y)|) is a proof of
    non-convexity; none found is evidence of convexity on the box.

    Returns
    -------
    ConvexityCheck

    Examples
    --------
    >>> convexity_check(lambda p: np.sum(p**2, axis=-1), -1.0, 1.0, 2).convex
    True
    >>> convexity_check(lambda p: np.sin(p[..., 0]), -3.0, 3.0, 1).convex
    False
    """
    callable_arg(f, "f")
    default = np.linspace(0.05, 0.95, 19)
    x, y, th = _segments(low, high, dim, segments, default if thetas is None else thetas, seed)
    gaps = jensen_gap(f, x[:, None, :], y[:, None, :], th[None, :])  # (segments, thetas)
    chord = th * f(x)[:, None] + (1 - th) * f(y)[:, None]
    scaled = gaps / (1 + np.abs(chord))
    i, j = np.unravel_index(np.argmax(scaled), scaled.shape)
    tol = float(positive(number(tol, "tol"), "tol", allow_zero=True))
    return ConvexityCheck(bool(scaled[i, j] <= tol), float(gaps[i, j]), x[i], y[i], float(th[j]))


def set_convexity_check(contains, low, high, dim, *, points=4000, thetas=None, seed=0):
    """Look for two points of a set whose segment leaves it (lecture 13).

    A set C is convex iff θx + (1 − θ)y ∈ C for all x, y ∈ C and θ ∈ [0, 1] (for closed
    sets, the midpoint θ = ½ alone suffices: midpoint convexity). Samples ``points`` points
    in the box, keeps those with ``contains`` true, pairs them up and tests every θ of
    ``thetas`` (default: the midpoint and eight more) in one call of ``contains`` on an
    array. ``contains`` maps points (..., d) to booleans (...).

    Returns
    -------
    ConvexityCheck
        ``worst`` is the fraction of tested combinations that left the set; ``x, y, theta``
        a segment that leaves it (or the first pair tested, if none does).

    Examples
    --------
    >>> disc = lambda p: np.sum(p**2, axis=-1) <= 1.0
    >>> set_convexity_check(disc, -1.0, 1.0, 2).convex
    True
    >>> annulus = lambda p: (np.sum(p**2, axis=-1) <= 1.0) & (np.sum(p**2, axis=-1) >= 0.25)
    >>> set_convexity_check(annulus, -1.0, 1.0, 2).convex
    False
    """
    callable_arg(contains, "contains")
    default = np.linspace(0.1, 0.9, 9)
    th = default if thetas is None else thetas
    x, y, th = _segments(low, high, dim, points, th, seed, segments_name="points")
    pool = np.concatenate([x, y])
    inside = pool[np.asarray(contains(pool), dtype=bool)]
    half = len(inside) // 2
    if half == 0:
        raise ValueError("fewer than two sampled points fell in the set: enlarge it or the box")
    a, b = inside[:half], inside[half : 2 * half]
    mix = th[None, :, None] * a[:, None, :] + (1 - th[None, :, None]) * b[:, None, :]
    outside = ~np.asarray(contains(mix), dtype=bool)  # (pairs, thetas)
    i, j = np.unravel_index(np.argmax(outside), outside.shape)
    return ConvexityCheck(bool(not outside.any()), float(outside.mean()), a[i], b[i], float(th[j]))


def bregman_divergence(objective, x, y):
    """D_f(y, x) = f(y) − f(x) − ∇f(x)ᵀ(y − x), the gap under the tangent (lecture 13).

    f is convex iff D ≥ 0 everywhere; μ-strongly convex and L-smooth iff

        μ/2 ‖y − x‖² ≤ D_f(y, x) ≤ L/2 ‖y − x‖²    for all x, y

    (for a convex f). Vectorised over batches of x and y.

    Examples
    --------
    >>> from course_lib.objectives import quadratic
    >>> float(bregman_divergence(quadratic([2.0]), [0.0], [3.0]))  # ½ · 2 · 3²
    9.0
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective must be an Objective, got {type(objective).__name__}")
    x = objective.check_points(x, "x")
    y = objective.check_points(y, "y")
    fx, gx = objective.value_and_gradient(x)
    return (objective.value(y) - fx - np.sum(gx * (y - x), axis=-1))[()]


def least_squares_data(X, y):
    """(L, μ, L_max, σ*², w*) of the mean least-squares loss over (X, y) (lecture 13).

    The five numbers the SGD bounds of this module need: L and μ from XᵀX/n, L_max from
    :func:`per_example_smoothness`, w* the minimum-norm minimiser (``lstsq``) and σ*² from
    :func:`gradient_noise_at_optimum`.

    Examples
    --------
    >>> L, mu, Lmax, noise, w = least_squares_data(np.eye(2), np.array([1.0, 2.0]))
    >>> float(L), float(mu), Lmax, noise, w.tolist()
    (0.5, 0.5, 1.0, 0.0, [1.0, 2.0])
    """
    X, y = as_dataset(X, y)
    L, mu = smoothness_constants(X.T @ X / X.shape[0])
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    return (
        float(L),
        max(float(mu), 0.0),
        per_example_smoothness(X),
        gradient_noise_at_optimum(X, y, w_star),
        w_star,
    )
