"""Second-order analysis: what the Hessian says about a point and about gradient descent.

Lecture 07 classifies critical points by the signs of the Hessian's eigenvalues; lectures
04 and 06 read the speed and the stability of gradient descent and heavy-ball momentum on a
quadratic off the same eigenvalues:

    gradient descent   e_{k+1} = (I − ηH) e_k       rate max_i |1 − ηλ_i|, stable iff η < 2/λmax
    heavy ball         x_{k+1} = x_k − η∇f(x_k) + β(x_k − x_{k−1})
                       rate = spectral radius of [[1 + β − ηλ, −β], [1, 0]] over the λ_i

For a large Hessian that is never formed, :func:`top_eigenvalue` finds λmax from
Hessian-vector products alone (Lanczos or power iteration).

Functions that take ``H_or_eigenvalues`` accept either Hessians of shape (..., d, d) or their
eigenvalues as a 1-D array (d,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib._checks import (
    as_float_array,
    as_generator,
    callable_arg,
    one_of,
    positive,
    positive_int,
    returned_array,
)

SYMMETRY_RTOL = 1e-6


def _matrices(H, name: str = "H") -> np.ndarray:
    """H as a float array of square symmetric matrices (..., d, d), or a ValueError."""
    H = as_float_array(H, name, ndim_min=2)
    if H.shape[-1] != H.shape[-2] or H.shape[-1] == 0:
        raise ValueError(f"{name} must be square, of shape (..., d, d), got shape {H.shape}")
    asymmetry = np.max(np.abs(H - np.swapaxes(H, -1, -2)), axis=(-2, -1))
    scale = np.max(np.abs(H), axis=(-2, -1))
    if np.any(asymmetry > SYMMETRY_RTOL * scale):
        raise ValueError(
            f"{name} must be symmetric (a Hessian): max |H - Hᵀ| = {np.max(asymmetry):.3g} "
            f"exceeds {SYMMETRY_RTOL:g} × max |H|"
        )
    return H


def _spectrum(H_or_eigenvalues, name: str = "H") -> np.ndarray:
    """Ascending eigenvalues (..., d) of Hessians (..., d, d), or of a 1-D array of them."""
    arr = as_float_array(H_or_eigenvalues, name, ndim_min=1)
    if arr.ndim == 1:
        if arr.size == 0:
            raise ValueError(f"{name} must hold at least one eigenvalue, got an empty array")
        return np.sort(arr)
    H = _matrices(arr, name)  # checked under the caller's name, then hessian_eigen's arithmetic
    return np.linalg.eigh(0.5 * (H + np.swapaxes(H, -1, -2)))[0]


def hessian_eigen(H):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices (lecture 07).

    H = Q diag(λ) Qᵀ with orthonormal columns of Q, by ``numpy.linalg.eigh`` on ½(H + Hᵀ),
    batched over leading axes.

    Parameters
    ----------
    H : array_like, shape (..., d, d)
        Symmetric matrices (asymmetry up to 1e-6 relative is tolerated and symmetrised).

    Returns
    -------
    eigenvalues : ndarray, shape (..., d), ascending
    eigenvectors : ndarray, shape (..., d, d); column i belongs to eigenvalue i

    Examples
    --------
    >>> lam, Q = hessian_eigen(np.array([[2.0, 0.0], [0.0, -1.0]]))
    >>> lam
    array([-1.,  2.])
    """
    H = _matrices(H)
    return np.linalg.eigh(0.5 * (H + np.swapaxes(H, -1, -2)))


def condition_number(H):
    """Condition number κ = |λ|max / |λ|min of symmetric matrices (lectures 01, 04, 06, 07).

    κ measures how elongated the level sets of ½xᵀHx are; κ = inf when H is singular
    (an eigenvalue exactly zero). Vectorised over a batch of H.

    Parameters
    ----------
    H : array_like, shape (..., d, d), or eigenvalues (d,)

    Returns
    -------
    float or ndarray of shape (...)

    Examples
    --------
    >>> float(condition_number(np.diag([1.0, 10.0])))
    10.0
    """
    magnitudes = np.abs(_spectrum(H))
    largest, smallest = magnitudes.max(axis=-1), magnitudes.min(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(smallest > 0, largest / smallest, np.inf)
    return kappa[()]


def classify_critical_point(H, tol: float = 1e-8):
    """The second-derivative test at a critical point (∇f = 0), lecture 07.

    With the eigenvalues λ of the Hessian, and "zero" meaning |λ| ≤ tol · max(1, max |λ|):

    - some λ > 0 and some λ < 0 (beyond zero): "saddle" (even if others are zero);
    - otherwise, any λ zero: "inconclusive" (higher derivatives decide, e.g. x³ − 3xy²);
    - all λ > 0: "minimum"; all λ < 0: "maximum".

    Parameters
    ----------
    H : array_like, shape (..., d, d), or eigenvalues (d,)
    tol : float
        Relative tolerance for an eigenvalue to count as zero.

    Returns
    -------
    str, or ndarray of str of shape (...) for a batch of Hessians

    Examples
    --------
    >>> classify_critical_point(np.diag([2.0, -2.0]))
    'saddle'
    >>> classify_critical_point(np.zeros((2, 2)))
    'inconclusive'
    """
    lam = _spectrum(H)
    tol = float(positive(tol, "tol", allow_zero=True))
    zero = tol * np.maximum(1.0, np.max(np.abs(lam), axis=-1, keepdims=True))
    has_pos = np.any(lam > zero, axis=-1)
    has_neg = np.any(lam < -zero, axis=-1)
    has_zero = np.any(np.abs(lam) <= zero, axis=-1)
    kind = np.select(
        [has_pos & has_neg, has_zero, has_pos],
        ["saddle", "inconclusive", "minimum"],
        default="maximum",
    )
    return str(kind) if kind.ndim == 0 else kind


def stability_limit(H):
    """The largest stable learning rate of gradient descent on a quadratic, 2/λmax (lecture 04).

    On f = ½xᵀHx, GD multiplies the error along eigenvector i by (1 − ηλ_i) each step; it
    converges iff every |1 − ηλ_i| < 1, i.e. 0 < η < 2/λmax (for H positive definite).
    Returns inf when λmax ≤ 0: no step overshoots, though on such a function none converges.

    Parameters
    ----------
    H : array_like, shape (..., d, d), or eigenvalues (d,)

    Returns
    -------
    float or ndarray of shape (...)

    Examples
    --------
    >>> float(stability_limit(np.diag([1.0, 4.0])))
    0.5
    """
    top = _spectrum(H)[..., -1]
    with np.errstate(divide="ignore"):
        return np.where(top > 0, 2.0 / np.where(top > 0, top, 1.0), np.inf)[()]


def gd_rate(H_or_eigenvalues, learning_rate):
    """Asymptotic rate of gradient descent on a quadratic, ρ(η) = max_i |1 − ηλ_i| (lecture 04).

    The error shrinks (ρ < 1) or grows (ρ > 1) by a factor ρ per step. Vectorised: an array
    of learning rates gives the whole stability diagram in one call; ``learning_rate``
    broadcasts against the batch shape of H (use ``eta[:, None]`` for every η with every H).

    Parameters
    ----------
    H_or_eigenvalues : array_like, shape (..., d, d) or (d,)
    learning_rate : float or array_like, η ≥ 0

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> gd_rate([1.0, 10.0], [0.1, 2 / 11, 0.25])
    array([0.9       , 0.81818182, 1.5       ])
    """
    lam = _spectrum(H_or_eigenvalues, "H_or_eigenvalues")
    eta = positive(learning_rate, "learning_rate", allow_zero=True)
    return np.max(np.abs(1.0 - eta[..., None] * lam), axis=-1)[()]


def _positive_definite(H, name: str = "H") -> np.ndarray:
    """Eigenvalues of positive definite H, or a ValueError."""
    lam = _spectrum(H, name)
    if np.any(lam[..., 0] <= 0):
        raise ValueError(f"{name} must be positive definite (all eigenvalues > 0)")
    return lam


def optimal_gd_step(H):
    """The learning rate minimising the GD rate on a quadratic, η* = 2/(λmin + λmax) (lecture 04).

    It balances the slowest and the fastest direction: 1 − η*λmin = −(1 − η*λmax).

    Parameters
    ----------
    H : array_like, shape (..., d, d), or eigenvalues (d,); positive definite

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> float(optimal_gd_step(np.diag([1.0, 3.0])))
    0.5
    """
    lam = _positive_definite(H)
    return (2.0 / (lam[..., 0] + lam[..., -1]))[()]


def _kappa(kappa) -> np.ndarray:
    kappa = as_float_array(kappa, "kappa", finite=False)
    if np.any(np.isnan(kappa)) or np.any(kappa < 1):
        raise ValueError(f"kappa must be a condition number >= 1, got {kappa!r}")
    return kappa


def optimal_gd_rate(kappa):
    """The GD rate at the optimal step, (κ − 1)/(κ + 1) (lecture 04); κ = inf gives 1.

    Examples
    --------
    >>> float(optimal_gd_rate(9.0))
    0.8
    """
    kappa = _kappa(kappa)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(kappa), 1.0, (kappa - 1) / (kappa + 1))[()]


def optimal_momentum(H):
    """Polyak's optimal heavy-ball settings on a quadratic (lecture 06).

    In the course's convention V ← βV + ∇L, θ ← θ − ηV (that is,
    x_{k+1} = x_k − η∇f(x_k) + β(x_k − x_{k−1})):

        η* = 4 / (√λmax + √λmin)²,    β* = ((√κ − 1)/(√κ + 1))²,

    which gives the rate (√κ − 1)/(√κ + 1) of :func:`momentum_rate`.

    Parameters
    ----------
    H : array_like, shape (..., d, d), or eigenvalues (d,); positive definite

    Returns
    -------
    (learning_rate, momentum) : floats or arrays of shape (...)

    Examples
    --------
    >>> eta, beta = optimal_momentum(np.diag([1.0, 9.0]))
    >>> float(eta), float(beta)
    (0.25, 0.25)
    """
    lam = _positive_definite(H)
    small, large = np.sqrt(lam[..., 0]), np.sqrt(lam[..., -1])
    eta = 4.0 / (small + large) ** 2
    beta = ((large - small) / (large + small)) ** 2
    return eta[()], beta[()]


def momentum_rate(kappa):
    """The heavy-ball rate at the optimal settings, (√κ − 1)/(√κ + 1) (lecture 06).

    Compared with GD's (κ − 1)/(κ + 1), the condition number enters through its square
    root: at κ = 100, 0.818 instead of 0.980 a step.

    Examples
    --------
    >>> float(momentum_rate(100.0))
    0.8181818181818182
    """
    root = np.sqrt(_kappa(kappa))
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(root), 1.0, (root - 1) / (root + 1))[()]


def momentum_rate_for(H, learning_rate, momentum):
    """The exact asymptotic rate of heavy-ball momentum for any (η, β) (lecture 06).

    Along eigenvector i the pair (e_{k+1}, e_k) is multiplied by the companion matrix
    M_i = [[1 + β − ηλ_i, −β], [1, 0]], whose eigenvalues r solve r² − (1 + β − ηλ_i) r + β = 0.
    The rate is the largest |r| over the roots and the eigenvalues λ_i (β = 0 gives
    :func:`gd_rate`). Vectorised: η and β broadcast together and against the batch of H,
    so one call draws the predicted rate over a grid of slider settings.

    Parameters
    ----------
    H : array_like, shape (..., d, d), or eigenvalues (d,)
    learning_rate : float or array_like, η ≥ 0
    momentum : float or array_like, β ≥ 0

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> eta, beta = optimal_momentum([1.0, 9.0])
    >>> round(float(momentum_rate_for([1.0, 9.0], eta, beta)), 6)
    0.5
    """
    lam = _spectrum(H)
    eta = positive(learning_rate, "learning_rate", allow_zero=True)[..., None]
    beta = positive(momentum, "momentum", allow_zero=True)[..., None]
    trace = 1.0 + beta - eta * lam
    root = np.sqrt(trace**2 - 4.0 * beta + 0j)
    radius = np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2.0
    return np.max(radius, axis=-1)[()]


@dataclass(frozen=True)
class TopEigenvalue:
    """The top eigenvalue found from Hessian-vector products.

    Attributes
    ----------
    value : float
        The eigenvalue estimate (Ritz value / Rayleigh quotient).
    vector : ndarray, shape (d,)
        The unit eigenvector estimate.
    n_products : int
        How many Hessian-vector products were used.
    converged : bool
        Whether the residual ‖Hv − λv‖ fell to ``tol · |λ|`` within ``max_iter`` products.
    residual : float
        ‖Hv − λv‖ at the end (for Lanczos, the standard estimate β_k |s_k|).
    method : str
    """

    value: float
    vector: np.ndarray
    n_products: int
    converged: bool
    residual: float
    method: str


def _product(hvp, v, d):
    """hvp(v) as a float array of shape (d,), or a ValueError."""
    w = returned_array(hvp(v), "hvp")
    if w.shape != (d,):
        raise ValueError(f"hvp must return an array of shape ({d},), got shape {w.shape}")
    return w


def _power_iteration(hvp, q, tol, max_iter):
    """v ← Hv/‖Hv‖; the Rayleigh quotient vᵀHv tends to the eigenvalue of largest |λ|."""
    for k in range(1, max_iter + 1):
        w = _product(hvp, q, q.size)
        value = float(q @ w)
        residual = float(np.linalg.norm(w - value * q))
        norm = float(np.linalg.norm(w))
        if residual <= tol * abs(value) or norm == 0.0:
            return TopEigenvalue(value, q, k, True, residual, "power")
        q = w / norm
    return TopEigenvalue(value, q, max_iter, False, residual, "power")


def _lanczos(hvp, q, tol, max_iter):
    """Lanczos with full reorthogonalisation: the Krylov basis Q and the tridiagonal T = QᵀHQ.

    After k products the largest eigenvalue θ of T (k × k) approximates λmax, with residual
    ‖Hy − θy‖ = β_k |s_k| for the Ritz vector y = Q s (s_k: last entry of T's eigenvector).
    """
    d = q.size
    steps = min(max_iter, d)
    Q = np.zeros((steps, d))
    alpha, beta = np.zeros(steps), np.zeros(steps)
    Q[0] = q
    for k in range(steps):
        w = _product(hvp, Q[k], d)
        alpha[k] = Q[k] @ w
        for _ in range(2):  # orthogonalise against every basis vector, twice for stability
            w -= Q[: k + 1].T @ (Q[: k + 1] @ w)
        beta[k] = np.linalg.norm(w)
        T = np.diag(alpha[: k + 1]) + np.diag(beta[:k], 1) + np.diag(beta[:k], -1)
        theta, S = np.linalg.eigh(T)
        residual = float(beta[k] * abs(S[-1, -1]))
        done = residual <= tol * abs(theta[-1]) or beta[k] <= 1e-14 * abs(theta[-1])
        if done or k + 1 == steps:
            vector = Q[: k + 1].T @ S[:, -1]
            vector /= np.linalg.norm(vector)
            converged = bool(done or k + 1 == d)
            return TopEigenvalue(float(theta[-1]), vector, k + 1, converged, residual, "lanczos")
        Q[k + 1] = w / beta[k]


def top_eigenvalue(hvp, dim, *, method="lanczos", tol=1e-8, max_iter=None, seed=0):
    """The top eigenvalue of a symmetric H known only through v ↦ Hv (lectures 04, 07).

    Never forms H: memory O(d · iterations), so d = 10 000 is fine. Combine with
    :func:`course_lib.derivatives.hessian_vector_product` for the Hessian of any function
    with a gradient.

    - ``"lanczos"`` builds an orthonormal basis of the Krylov space span{q, Hq, H²q, ...}
      (with full reorthogonalisation) and the small tridiagonal matrix T = QᵀHQ; the
      largest eigenvalue of T converges to the largest (algebraic) eigenvalue λmax of H,
      typically in tens of products.
    - ``"power"`` repeats v ← Hv / ‖Hv‖; it converges to the eigenvalue of largest
      magnitude (λmax when H is positive semi-definite) at the rate |λ₂/λ₁| per product.

    Both stop when the residual ‖Hv − λv‖ ≤ tol · |λ|, or after ``max_iter`` products.

    Parameters
    ----------
    hvp : callable
        v (d,) ↦ Hv (d,).
    dim : int
        d.
    method : {"lanczos", "power"}
    tol : float
        Relative residual at which to stop.
    max_iter : int, optional
        Most Hessian-vector products. Default 200 for Lanczos and 10 000 for the power
        method, which needs about log(tol) / log|λ₂/λ₁| products: thousands when the top two
        eigenvalues are close.
    seed : int or numpy.random.Generator
        For the random starting vector.

    Returns
    -------
    TopEigenvalue
        ``value``, ``vector``, ``n_products``, ``converged``, ``residual``, ``method``.

    Examples
    --------
    >>> H = np.diag([1.0, 2.0, 5.0])
    >>> round(top_eigenvalue(lambda v: H @ v, 3).value, 10)
    5.0
    """
    callable_arg(hvp, "hvp")
    d = positive_int(dim, "dim")
    method = one_of(method, "method", ("lanczos", "power"))
    tol = float(positive(tol, "tol", allow_zero=True))
    if max_iter is None:
        max_iter = 10_000 if method == "power" else 200
    max_iter = positive_int(max_iter, "max_iter")
    q = as_generator(seed).standard_normal(d)
    q /= np.linalg.norm(q)
    if method == "power":
        return _power_iteration(hvp, q, tol, max_iter)
    return _lanczos(hvp, q, tol, max_iter)
