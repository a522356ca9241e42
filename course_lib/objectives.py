"""Functions to minimise, each with its exact gradient and Hessian.

Every objective is vectorised over a leading batch of points: ``value`` maps (..., d) to
(...), ``gradient`` maps (..., d) to (..., d) and ``hessian`` maps (..., d) to (..., d, d).
They serve every lecture: quadratics with a chosen condition number (lectures 04, 06, 07),
the classic 2-D test surfaces (03, 07, 11) and the least-squares loss over a data set
(01, 05).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from course_lib._checks import (
    as_dataset,
    as_float_array,
    as_points,
    mark_rowwise,
    number,
    positive,
    positive_int,
)


@dataclass(frozen=True)
class Objective:
    """A function with its exact gradient and Hessian.

    Attributes
    ----------
    name : str
        Human-readable name, used in plot titles.
    value, gradient, hessian : callable
        f(x), ∇f(x), ∇²f(x), each vectorised over leading axes of x.
    dim : int
        Dimension d of the domain.
    critical_points : dict
        Known critical points, ``{"minimum": array (m, d), "saddle": ..., "maximum": ...}``.
    bounds : tuple of (low, high) pairs
        A box that shows the interesting part of the surface (for 2-D plots).
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray]
    dim: int
    critical_points: dict = field(default_factory=dict)
    bounds: tuple = ((-2.0, 2.0), (-2.0, 2.0))
    fused: Callable | None = field(default=None, repr=False, compare=False)
    # Every objective maps a batch (..., d) point by point: numerical derivatives may hand
    # it a stacked batch without checking rows against single calls (_checks.batch_values).
    rowwise: ClassVar[bool] = True

    def __call__(self, x) -> np.ndarray:
        return self.value(x)

    def value_and_gradient(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(f(x), ∇f(x)) in one call, equal to the two separate calls bit for bit.

        Objectives whose value and gradient share work (a quadratic: both need Ax) supply a
        ``fused`` function so an iterative method pays for the shared part once a step.
        """
        if self.fused is not None:
            return self.fused(x)
        return self.value(x), self.gradient(x)

    @property
    def minimizers(self) -> np.ndarray:
        """Known minimisers, shape (m, d) (empty if none is known)."""
        return np.asarray(self.critical_points.get("minimum", np.empty((0, self.dim))))

    def check_points(self, x, name: str = "x") -> np.ndarray:
        """``x`` as a float array of points in R^dim, or a ValueError naming ``name``."""
        return as_points(x, name, self.dim)


def _wrap(fn, dim, name):
    """Validate the argument of an objective's function before evaluating it."""

    # Shape only: a diverging run evaluates f at inf or nan, and f answers inf or nan.
    def checked(x):
        return fn(as_points(x, "x", dim, finite=False))

    checked.__name__ = name
    checked.__doc__ = fn.__doc__
    return mark_rowwise(checked)


@dataclass(frozen=True)
class Quadratic(Objective):
    """A quadratic ½ xᵀAx − bᵀx; also carries A, b and the eigenvalues of A."""

    A: np.ndarray | None = None
    b: np.ndarray | None = None
    eigenvalues: np.ndarray | None = None


@dataclass(frozen=True)
class LeastSquares(Objective):
    """The mean squared error of a linear model; also carries the data X, y."""

    X: np.ndarray | None = None
    y: np.ndarray | None = None


def _objective(
    name, value, gradient, hessian, dim, critical_points, bounds, cls=Objective, fused=None, **extra
) -> Objective:
    return cls(
        name=name,
        value=_wrap(value, dim, "value"),
        gradient=_wrap(gradient, dim, "gradient"),
        hessian=_wrap(hessian, dim, "hessian"),
        fused=None if fused is None else _wrap(fused, dim, "value_and_gradient"),
        dim=dim,
        critical_points={
            k: np.atleast_2d(np.asarray(v, float)) for k, v in critical_points.items()
        },
        bounds=bounds,
        **extra,
    )


def rotation_2d(angle: float) -> np.ndarray:
    """The 2-D rotation matrix R(angle) = [[cos, -sin], [sin, cos]].

    Examples
    --------
    >>> rotation_2d(0.0).tolist()
    [[1.0, -0.0], [0.0, 1.0]]
    """
    angle = number(angle, "angle")
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def _times(x, M):
    """x M for points x (..., d): one vector-matrix product a point, bit for bit alike.

    ``x @ M`` on a batch (K, d) is one matrix-matrix product, and OpenBLAS rounds it
    differently from the vector-matrix product it uses for one point (d,), so a batch of K
    runs would drift from the same runs made one at a time (lectures 04 and 06 compare
    them with ``array_equal``). A stack of (1, d) rows is computed the same way for every
    batch shape.
    """
    return np.matmul(x[..., None, :], M)[..., 0, :]


def _solve_or_none(A, b):
    """A⁻¹b, or None when A is singular to working precision or the answer is not finite."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            x = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:
        return None
    return x if np.all(np.isfinite(x)) else None


def quadratic(eigenvalues, b=None, *, rotation=None, angle: float = 0.0) -> Quadratic:
    """The quadratic f(x) = ½ xᵀAx − bᵀx with A = Q diag(λ) Qᵀ (lectures 04, 06, 07).

    ∇f(x) = Ax − b, ∇²f(x) = A, and for positive eigenvalues the unique minimiser is
    x* = A⁻¹b. The condition number is κ = λmax / λmin.

    Parameters
    ----------
    eigenvalues : array_like, shape (d,)
        The eigenvalues λ of A (any sign: a negative one makes a saddle).
    b : array_like, shape (d,), optional
        The linear term; zero by default, so the minimiser is the origin.
    rotation : array_like, shape (d, d), optional
        An orthogonal matrix Q whose columns are the eigenvectors. Default: for d = 2,
        the rotation by ``angle``; otherwise the identity.
    angle : float
        Rotation angle (radians) of the eigenvectors when d = 2 and ``rotation`` is None.

    Examples
    --------
    >>> f = quadratic([1.0, 10.0])
    >>> float(f.value(np.array([1.0, 1.0])))
    5.5
    """
    lam = as_float_array(eigenvalues, "eigenvalues", ndim_min=1)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(
            f"eigenvalues must be a 1-D array of at least one eigenvalue, got shape {lam.shape}"
        )
    d = lam.size
    angle = number(angle, "angle")
    if rotation is None:
        Q = rotation_2d(angle) if d == 2 else np.eye(d)
    else:
        Q = as_float_array(rotation, "rotation")
        if Q.shape != (d, d):
            raise ValueError(f"rotation must have shape ({d}, {d}), got {Q.shape}")
        if not np.allclose(Q.T @ Q, np.eye(d), atol=1e-10):
            raise ValueError("rotation must be orthogonal (Qᵀ Q = I)")
    A = (Q * lam) @ Q.T
    A = 0.5 * (A + A.T)
    bvec = np.zeros(d) if b is None else as_float_array(b, "b")
    if bvec.shape != (d,):
        raise ValueError(f"b must have shape ({d},), got {bvec.shape}")

    def value(x):
        # one BLAS product a point (see _times); a three-operand einsum is not BLAS at all
        return np.einsum("...i,...i->...", x, 0.5 * _times(x, A) - bvec)

    def gradient(x):
        return _times(x, A) - bvec

    def fused(x):
        xA = _times(x, A)
        return np.einsum("...i,...i->...", x, 0.5 * xA - bvec), xA - bvec

    def hessian(x):
        return np.broadcast_to(A, (*x.shape[:-1], d, d)).copy()

    critical, span = {}, 2.0
    xstar = _solve_or_none(A, bvec) if np.all(lam != 0) else None
    if xstar is not None:  # a numerically singular A (λ = 1e-300, say) has no listed point
        kind = "minimum" if np.all(lam > 0) else "maximum" if np.all(lam < 0) else "saddle"
        critical[kind] = xstar
        span = 2.0 + float(np.max(np.abs(xstar)))
    return _objective(
        f"quadratic λ={np.array2string(lam, precision=3)}",
        value,
        gradient,
        hessian,
        d,
        critical,
        tuple((-span, span) for _ in range(min(d, 2))),
        cls=Quadratic,
        fused=fused,
        A=A,
        b=bvec,
        eigenvalues=lam,
    )


def ill_conditioned_quadratic(
    condition_number: float, dim: int = 2, *, smallest: float = 1.0, angle: float = 0.0
) -> Quadratic:
    """A quadratic ½ xᵀAx whose eigenvalues run from ``smallest`` to κ·``smallest``.

    The eigenvalues are spaced geometrically, λ_i = λmin κ^(i/(d−1)), so κ(A) equals
    ``condition_number`` exactly. The sliders "condition number" of lectures 04 and 06.

    Examples
    --------
    >>> f = ill_conditioned_quadratic(10.0)
    >>> f.eigenvalues.tolist()
    [1.0, 10.0]
    """
    kappa = float(positive(condition_number, "condition_number"))
    if kappa < 1:
        raise ValueError(f"condition_number must be >= 1, got {condition_number!r}")
    d = positive_int(dim, "dim")
    lam0 = float(positive(smallest, "smallest"))
    angle = number(angle, "angle")
    lam = lam0 * kappa ** (np.arange(d) / max(d - 1, 1)) if d > 1 else np.array([lam0])
    return quadratic(lam, angle=angle)


def rosenbrock(a: float = 1.0, b: float = 100.0, dim: int = 2) -> Objective:
    """Rosenbrock's banana f(x) = Σ b (x_{i+1} − x_i²)² + (a − x_i)² (lectures 03, 07, 11).

    The minimum is x* = (a, a², ...) for a = 1 (all ones), with f(x*) = 0; the valley is
    curved and narrow, so fixed-step gradient descent crawls. ``dim`` > 2 gives the chained
    form used by ``scipy.optimize.rosen``.

    Examples
    --------
    >>> float(rosenbrock().value(np.array([1.0, 1.0])))
    0.0
    """
    d = positive_int(dim, "dim")
    if d < 2:
        raise ValueError(f"dim must be >= 2 for Rosenbrock, got {dim}")
    a = number(a, "a")
    b = number(b, "b")

    def value(x):
        x0, x1 = x[..., :-1], x[..., 1:]
        return np.sum(b * (x1 - x0**2) ** 2 + (a - x0) ** 2, axis=-1)

    def gradient(x):
        x0, x1 = x[..., :-1], x[..., 1:]
        r = x1 - x0**2
        g = np.zeros_like(x)
        g[..., :-1] = -4.0 * b * x0 * r - 2.0 * (a - x0)
        g[..., 1:] += 2.0 * b * r
        return g

    def hessian(x):
        x0, x1 = x[..., :-1], x[..., 1:]
        H = np.zeros((*x.shape, d))
        i = np.arange(d)
        diag = np.zeros_like(x)
        diag[..., :-1] = 12.0 * b * x0**2 - 4.0 * b * x1 + 2.0
        diag[..., 1:] += 2.0 * b
        H[..., i, i] = diag
        off = -4.0 * b * x0
        H[..., i[:-1], i[1:]] = off
        H[..., i[1:], i[:-1]] = off
        return H

    xstar = np.full(d, a)
    xstar[1:] = a**2 if d == 2 else a  # for a = 1 the chained minimum is all ones
    crit = {"minimum": xstar} if (d == 2 or a == 1.0) else {}
    return _objective("Rosenbrock", value, gradient, hessian, d, crit, ((-2.0, 2.0), (-1.0, 3.0)))


def himmelblau() -> Objective:
    """Himmelblau's function f(x, y) = (x² + y − 11)² + (x + y² − 7)² (lectures 07, 11).

    Four minima with f = 0, one local maximum near (−0.271, −0.923) and four saddles:
    the standard picture of several basins of attraction.
    """

    def value(p):
        x, y = p[..., 0], p[..., 1]
        return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2

    def gradient(p):
        x, y = p[..., 0], p[..., 1]
        u, v = x**2 + y - 11.0, x + y**2 - 7.0
        return np.stack([4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v], axis=-1)

    def hessian(p):
        x, y = p[..., 0], p[..., 1]
        hxx = 12.0 * x**2 + 4.0 * y - 42.0
        hyy = 12.0 * y**2 + 4.0 * x - 26.0
        hxy = 4.0 * (x + y)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    minima = [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286170],
        [3.584428340330492, -1.848126526964404],
    ]
    return _objective(
        "Himmelblau",
        value,
        gradient,
        hessian,
        2,
        {"minimum": minima, "maximum": [[-0.270844590667, -0.923038556480]]},
        ((-5.0, 5.0), (-5.0, 5.0)),
    )


def saddle() -> Objective:
    """The saddle f(x, y) = x² − y² (lecture 07): a critical point at 0 that is no minimum."""

    def value(p):
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def gradient(p):
        return np.stack([2.0 * p[..., 0], -2.0 * p[..., 1]], axis=-1)

    def hessian(p):
        return np.broadcast_to(np.diag([2.0, -2.0]), (*p.shape[:-1], 2, 2)).copy()

    return _objective(
        "saddle x² − y²",
        value,
        gradient,
        hessian,
        2,
        {"saddle": [0.0, 0.0]},
        ((-2.0, 2.0), (-2.0, 2.0)),
    )


def monkey_saddle() -> Objective:
    """The monkey saddle f(x, y) = x³ − 3xy² (lecture 07).

    Its Hessian vanishes at the origin, so the second-derivative test is inconclusive there.
    """

    def value(p):
        x, y = p[..., 0], p[..., 1]
        return x**3 - 3.0 * x * y**2

    def gradient(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([3.0 * x**2 - 3.0 * y**2, -6.0 * x * y], axis=-1)

    def hessian(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([np.stack([6.0 * x, -6.0 * y], -1), np.stack([-6.0 * y, -6.0 * x], -1)], -2)

    return _objective(
        "monkey saddle x³ − 3xy²",
        value,
        gradient,
        hessian,
        2,
        {"degenerate": [0.0, 0.0]},
        ((-1.5, 1.5), (-1.5, 1.5)),
    )


def beale() -> Objective:
    """Beale's function (lectures 07, 11), minimum f(3, 0.5) = 0.

    f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)².
    """
    c = np.array([1.5, 2.25, 2.625])
    k = np.arange(1, 4)

    def _terms(p):
        x, y = p[..., 0, None], p[..., 1, None]
        r = c - x + x * y**k
        return x, y, r

    def value(p):
        _, _, r = _terms(p)
        return np.sum(r**2, axis=-1)

    def gradient(p):
        x, y, r = _terms(p)
        dr_dx = y**k - 1.0
        dr_dy = k * x * y ** (k - 1)
        return np.stack([np.sum(2 * r * dr_dx, -1), np.sum(2 * r * dr_dy, -1)], axis=-1)

    def hessian(p):
        x, y, r = _terms(p)
        dr_dx = y**k - 1.0
        dr_dy = k * x * y ** (k - 1)
        d2_xy = k * y ** (k - 1)
        d2_yy = k * (k - 1) * x * y ** np.maximum(k - 2, 0)
        hxx = np.sum(2 * dr_dx**2, -1)
        hxy = np.sum(2 * (dr_dx * dr_dy + r * d2_xy), -1)
        hyy = np.sum(2 * (dr_dy**2 + r * d2_yy), -1)
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    return _objective(
        "Beale",
        value,
        gradient,
        hessian,
        2,
        {"minimum": [3.0, 0.5]},
        ((-4.5, 4.5), (-4.5, 4.5)),
    )


def least_squares(X, y) -> LeastSquares:
    """The mean squared error L(w) = (1/2n) ||Xw − y||² over a data set (lectures 01, 05).

    ∇L(w) = (1/n) Xᵀ(Xw − y) and ∇²L = (1/n) XᵀX; the minimiser solves the normal
    equations XᵀX w = Xᵀy. Vectorised over a batch of weight vectors w of shape (..., d).

    Evaluated around a least-squares solution w₀ (computed once, by ``lstsq``) as

        L(w) = L(w₀) + (1/2n) ‖R(w − w₀)‖²,   ∇L(w) = (1/n) XᵀX (w − w₀),   X = QR,

    O(d²) a point, with L(w₀) from the residuals: both terms are sums of squares, so L is
    never negative, and nothing cancels when y is large (y ≈ 1e7).

    Parameters
    ----------
    X : array_like, shape (n, d)
        Design matrix (add a column of ones for an intercept).
    y : array_like, shape (n,)
        Targets.
    """
    X, y = as_dataset(X, y)
    n, d = X.shape
    H = X.T @ X / n
    # Around a minimiser w₀ (any least-squares solution: Xᵀ(Xw₀ − y) = 0) the loss is exactly
    #     L(w) = L(w₀) + (1/2n) ‖X(w − w₀)‖² = L(w₀) + (1/2n) ‖R(w − w₀)‖²,   X = QR,
    # with L(w₀) from the residuals. Both terms are sums of squares, so L(w) ≥ 0 always, at
    # O(d²) a point. Expanding instead into ½wᵀHw − wᵀXᵀy/n + ½yᵀy/n cancels catastrophically
    # when y is large (y ≈ 1e7: yᵀy/n ≈ 1e14, its rounding ≈ 0.02 > L(w₀)), even below 0.
    w0 = np.linalg.lstsq(X, y, rcond=None)[0]
    residual = X @ w0 - y
    loss_at_w0 = 0.5 * float(residual @ residual) / n
    R = np.linalg.qr(X, mode="r") / np.sqrt(n)  # (min(n, d), d): RᵀR = XᵀX / n = H

    def value(w):
        e = _times(w - w0, R.T)
        return 0.5 * np.einsum("...i,...i->...", e, e) + loss_at_w0

    def gradient(w):
        return _times(w - w0, H)  # H(w − w₀) = Xᵀ(Xw − y)/n, without the cancellation near w₀

    def fused(w):
        e = w - w0
        eR = _times(e, R.T)
        return 0.5 * np.einsum("...i,...i->...", eR, eR) + loss_at_w0, _times(e, H)

    def hessian(w):
        return np.broadcast_to(H, (*w.shape[:-1], d, d)).copy()

    crit = {}
    if np.linalg.matrix_rank(X) == d:
        crit["minimum"] = w0
    return _objective(
        "least squares",
        value,
        gradient,
        hessian,
        d,
        crit,
        ((-3.0, 3.0),) * min(d, 2),
        cls=LeastSquares,
        fused=fused,
        X=X,
        y=y,
    )
