"""Direct solutions of least squares, and what they cost (lecture 01).

For the linear model y ≈ Xw the loss L(w) = (1/2n)||Xw − y||² is minimised where its
gradient vanishes: XᵀX w = Xᵀy, the normal equations. When a closed form exists, why iterate?
Because solving costs O(nd² + d³) flops against O(nd) per gradient step, because XᵀX may be
ill-conditioned, and because most models (logistic regression, networks) have no closed form.
"""

from __future__ import annotations

import warnings

import numpy as np

from course_lib._checks import as_dataset, as_float_array, positive_int


def _line_data(x, y):
    x = as_float_array(x, "x", ndim_min=1)
    y = as_float_array(y, "y", ndim_min=1)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"x and y must be 1-D of equal length, got {x.shape} and {y.shape}")
    if x.size < 2:
        raise ValueError("x must hold at least two points to fit a line")
    return x, y


def design_matrix(x):
    """The design matrix [x, 1] of the line y = m x + b, shape (n, 2) (lecture 01).

    Examples
    --------
    >>> design_matrix([1.0, 2.0]).tolist()
    [[1.0, 1.0], [2.0, 1.0]]
    """
    x = as_float_array(x, "x", ndim_min=1)
    if x.ndim != 1:
        raise ValueError(f"x must be 1-D, got shape {x.shape}")
    return np.column_stack([x, np.ones_like(x)])


class IllConditionedWarning(RuntimeWarning):
    """The normal equations cannot carry the answer in float64: use lstsq (QR/SVD)."""


# Warn when the worst-case relative error of the solution, cond(XᵀX)·ε, reaches 1%.
NORMAL_EQUATIONS_ERROR_LIMIT = 1e-2


def _power_of_two_scale(a, axis=None):
    """2^round(log2 max|a|) (1 where a is all zero): dividing by it is exact, and brings the
    largest entry near 1 so that squaring neither overflows (1e200² = inf) nor underflows."""
    top = np.max(np.abs(a), axis=axis)
    exponent = np.frexp(np.where(top > 0, top, 1.0))[1]
    return np.ldexp(1.0, exponent)


def normal_equations(X, y):
    """Solve the normal equations XᵀX w = Xᵀy (lecture 01).

    Forming XᵀX squares the condition number: cond(XᵀX) = cond(X)², so the solution loses
    about twice as many digits as ``lstsq`` (QR/SVD based), which works with X itself. When
    the error bound cond(XᵀX)·ε reaches 1% an :class:`IllConditionedWarning` says so (and
    names ``lstsq_solution``); a rank-deficient X has no unique solution and is refused.

    Each column of X (and y) is first divided by a power of two near its largest entry
    (exact in floating point): w is unchanged, but XᵀX no longer overflows for entries near
    1e200, and columns on very different scales do not inflate cond(XᵀX) for nothing.

    Parameters
    ----------
    X : array_like, shape (n, d)
    y : array_like, shape (n,)

    Returns
    -------
    ndarray, shape (d,)

    Examples
    --------
    >>> normal_equations(design_matrix([0.0, 1.0, 2.0]), [1.0, 3.0, 5.0]).round(12).tolist()
    [2.0, 1.0]
    """
    X, y = as_dataset(X, y)
    column_scale, y_scale = _power_of_two_scale(X, axis=0), _power_of_two_scale(y)
    Xs, ys = X / column_scale, y / y_scale
    sigma = np.linalg.svd(Xs, compute_uv=False)
    rank_tol = sigma[0] * max(Xs.shape) * np.finfo(float).eps
    if sigma.size < X.shape[1] or sigma[-1] <= rank_tol:
        raise ValueError(
            "X is rank-deficient: XᵀX is singular and the normal equations have no unique "
            "solution; use lstsq_solution (minimum-norm least squares) instead"
        )
    cond_normal = (sigma[0] / sigma[-1]) ** 2
    if cond_normal * np.finfo(float).eps >= NORMAL_EQUATIONS_ERROR_LIMIT:
        warnings.warn(
            f"X is ill-conditioned: cond(XᵀX) = cond(X)² ≈ {cond_normal:.1e}, beyond what "
            "float64 carries (the solution may have lost all but a few digits); use "
            "lstsq_solution (numpy.linalg.lstsq, QR/SVD), which works with cond(X)",
            IllConditionedWarning,
            stacklevel=2,
        )
    ws = np.linalg.solve(Xs.T @ Xs, Xs.T @ ys)
    return ws * y_scale / column_scale


def lstsq_solution(X, y):
    """Least squares by ``numpy.linalg.lstsq`` (SVD), the minimum-norm minimiser (lecture 01).

    Examples
    --------
    >>> lstsq_solution(design_matrix([0.0, 1.0, 2.0]), [1.0, 3.0, 5.0]).round(12).tolist()
    [2.0, 1.0]
    """
    X, y = as_dataset(X, y)
    return np.linalg.lstsq(X, y, rcond=None)[0]


def pinv_solution(X, y):
    """Least squares by the pseudoinverse, w = X⁺y (lecture 01).

    Examples
    --------
    >>> pinv_solution(design_matrix([0.0, 1.0, 2.0]), [1.0, 3.0, 5.0]).round(12).tolist()
    [2.0, 1.0]
    """
    X, y = as_dataset(X, y)
    return np.linalg.pinv(X) @ y


def line_fit(x, y):
    """Slope and intercept of the least-squares line y = m x + b (lecture 01).

    Setting ∂J/∂m = ∂J/∂b = 0 for J = Σ(m xᵢ + b − yᵢ)² gives

        m = (n Σxy − Σx Σy) / (n Σx² − (Σx)²),    b = (Σy − m Σx) / n,

    computed here in the equal centred form (x̄, ȳ the means)

        m = Σ(xᵢ − x̄)(yᵢ − ȳ) / Σ(xᵢ − x̄)²,       b = ȳ − m x̄.

    The raw sums cancel when x sits far from 0: for x = 1e8 + (0, 1, ..., 19) both n Σx²
    and (Σx)² are about 4e18, and their difference (13 300) is below their rounding error.

    Parameters
    ----------
    x, y : array_like, shape (n,)

    Returns
    -------
    (float, float)
        m and b.

    Examples
    --------
    >>> m, b = line_fit([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    >>> round(m, 12), round(b, 12)
    (2.0, 1.0)
    """
    x, y = _line_data(x, y)
    xbar, ybar = x.mean(), y.mean()
    u, v = x - xbar, y - ybar
    sxx = u @ u
    # x is constant up to the rounding of its mean (a few ε|x̄| per point)
    if sxx <= x.size * (8 * np.finfo(float).eps * np.max(np.abs(x))) ** 2:
        raise ValueError("x must not be constant: a vertical line has no slope m")
    m = (u @ v) / sxx
    return float(m), float(ybar - m * xbar)


def line_fit_loss_surface(x, y, slopes, intercepts):
    """The mean squared error J(m, b) = (1/n) Σ (m xᵢ + b − yᵢ)² on a grid (lecture 01).

    Expanding the square, J depends on the data only through five sums (Σx, Σx², Σy, Σxy,
    Σy²). Written with the means x̄, ȳ and the centred moments Sxx = mean((x − x̄)²),
    Sxy = mean((x − x̄)(y − ȳ)), Syy = mean((y − ȳ)²), which carry the same information,

        J = m² Sxx − 2m Sxy + Syy + (m x̄ + b − ȳ)²,

    so the whole (M, B) grid costs O(n + MB), never an (M, B, n) array. The centred form
    avoids the cancellation of the raw sums when x sits far from 0, and J is clipped at 0
    (a mean of squares) so a log-scale contour never meets a rounding error below zero.

    Parameters
    ----------
    x, y : array_like, shape (n,)
    slopes : array_like, shape (M,)
    intercepts : array_like, shape (B,)

    Returns
    -------
    ndarray, shape (M, B)

    Examples
    --------
    >>> line_fit_loss_surface([0.0, 1.0], [1.0, 3.0], [2.0], [1.0]).tolist()
    [[0.0]]
    """
    x, y = _line_data(x, y)
    m = _grid_axis(slopes, "slopes")[:, None]
    b = _grid_axis(intercepts, "intercepts")[None, :]
    xbar, ybar = x.mean(), y.mean()
    u, v = x - xbar, y - ybar
    sxx, sxy, syy = u @ u / x.size, u @ v / x.size, v @ v / x.size
    return np.maximum(m**2 * sxx - 2 * m * sxy + syy + (m * xbar + b - ybar) ** 2, 0.0)


def _grid_axis(values, name):
    arr = as_float_array(values, name, ndim_min=1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of grid values, got shape {arr.shape}")
    return arr


def _counts(value, name, *, allow_zero=False):
    """A positive integer, or an integer array of them (for plotting a cost curve)."""
    if np.ndim(value) == 0:
        return positive_int(
            value.item() if isinstance(value, np.generic) else value, name, allow_zero=allow_zero
        )
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer or an array of integers, got {arr.dtype}")
    if np.any(arr < (0 if allow_zero else 1)):
        raise ValueError(f"{name} must be >= {0 if allow_zero else 1}, got {value!r}")
    return arr.astype(float)


def solve_cost(n, d):
    """Flops of the direct solution: form XᵀX (n d²), Xᵀy (2nd), Cholesky solve (d³/3).

    The constants: XᵀX is symmetric, so n d(d + 1) ≈ n d² multiply-adds' worth of flops
    suffice; Xᵀy is d dot products of length n (2nd flops); the Cholesky factorisation
    costs d³/3 and the two triangular solves 2d², negligible beside it. So
    O(nd² + d³), against O(nd) for one gradient step (:func:`iterative_cost`).
    ``n`` and ``d`` may be integer arrays (a cost curve in one call).

    Examples
    --------
    >>> solve_cost(1000, 10)
    120333.33333333333
    """
    n, d = _counts(n, "n"), _counts(d, "d")
    return n * d**2 + 2 * n * d + d**3 / 3


def iterative_cost(n, d, steps):
    """Flops of ``steps`` full-batch gradient steps: Xw, the residual and Xᵀr, ≈ 4nd each.

    Xw and Xᵀr are 2nd flops each (a multiply and an add per entry of X); the residual and
    the update cost O(n + d), left out. ``n``, ``d`` and ``steps`` may be integer arrays.

    Examples
    --------
    >>> iterative_cost(1000, 10, 5)
    200000
    """
    n, d = _counts(n, "n"), _counts(d, "d")
    return 4 * n * d * _counts(steps, "steps", allow_zero=True)
